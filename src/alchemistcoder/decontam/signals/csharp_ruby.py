"""C# and Ruby samples for decontamination's execution evidence (issue 24, item 5): what ``foreign.py`` reads of
them and the harness programs ``programs.py`` writes for them.

C#: a sample's methods are those of its classes, found by their signatures (a method outside any class, CodeAlpaca's
usual answer, goes into a class ``DecontamSample``; the statements beside it are dropped); their parameter and answer
types are simple ones (``int``, ``long``, ``double``, ``bool``, ``string``, ``char``, arrays ``T[]`` and ``List<T>``
of them); the harness is compiled by Mono's ``mcs`` with each sample in a file and namespace of its own and run by
``mono``, each call made by reflection on a thread limited by its CPU time. Ruby: a sample's top-level ``def``s,
called with the tests' values as they are (as JavaScript's); a program per sample, its code evaluated in an object of
its own. Both print each answer as JSON in the sandbox's tagged protocol.

``foreign.py`` imports this module, which imports nothing of decontamination (the brace helpers are
``alchemistcoder.code.braces``): discovery gives plain tuples, and the program builders are given each call's tag
(``programs._tag``) and the call limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

from alchemistcoder.code.braces import body_end as _body_end
from alchemistcoder.code.braces import split_params as _split_params

# A call of a harness program (``programs.Call``): its number, its sample, the function, the arguments.
Call = tuple[int, int, Any, list[Any]]


def _param_type(param: str) -> str:
    """``List<int> nums = null`` -> ``List<int>`` (the type, name and default dropped)."""
    param = param.split("=")[0].strip()
    m = re.match(r"(.*?[\s*&>\]])\s*(\w+)\s*((?:\[\s*\])*)$", param)
    return (m.group(1) + m.group(3)).strip() if m else param

# Words a signature pattern can take for a method's name that are statements (``else if (...) {``).
_NOT_NAMES = frozenset({"if", "for", "foreach", "while", "switch", "catch", "using", "lock", "fixed", "return", "new"})


def _listed(inner: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return ("list", *inner) if inner else None


# -- discovery -------------------------------------------------------------------------------------------------------
_CS_MODIFIERS = frozenset({"public", "private", "protected", "internal", "static", "virtual", "override", "sealed",
                           "unsafe", "new", "async", "extern", "abstract", "readonly", "partial"})
CS_SIGNATURE = re.compile(
    r"(?:^|(?<=[{;}]))[ \t]*((?:(?:public|private|protected|internal|static|virtual|override|sealed|unsafe|new|async|extern)\s+)*)"
    r"([\w.]+(?:\s*<[\w<>,.?\s\[\]]*>)?(?:\s*\[[\s,]*\])*\??)\s+(\w+)\s*\(([^()]*)\)\s*(\{|=>)", re.M)
# The blocks that hold a C# method: namespaces and (non-generic) classes, structs and records.
_CS_CONTAINER = re.compile(r"\bnamespace\s+([\w.]+)\s*\{|\b(?:class|struct|record)\s+(\w+)(\s*<)?[^{;()]*\{")
# A Ruby method of the top level, its parameters in parentheses or after a space; its body ends at the first
# ``end`` at the start of a line (the indentation of the shared samples' code).
_RB_DEF = re.compile(r"^def\s+(\w+[?!]?)[ \t]*(?:\(([^()]*)\)|[ \t]([^\n;=]*))?[ \t]*$", re.M)
_RB_END = re.compile(r"^end\b", re.M)
# A Ruby loop of the top level (its body to its ``end`` or ``}``): a function called there is a helper.
_RB_LOOP = re.compile(r"^(?!def\b)[^\n]*(?:\b(?:while|until|for|loop)\b|\.(?:each\w*|times|upto|downto|step|map|select|"
                      r"filter|reject|sum|count|reduce|inject|find\w*|any\?|all\?|min_by|max_by|sort_by)\b)[^\n]*$", re.M)


def _cs_pieces(source: str) -> list[str]:
    """The top-level pieces of C# code: each ends with a ``;`` or a block's ``}`` outside any bracket (a ``}``
    followed by ``;``, ``,`` or ``)`` is an initializer's)."""
    out, start, depth = [], 0, 0
    for i, ch in enumerate(source):
        depth += (ch in "{(") - (ch in "})")
        if depth == 0 and (ch == ";" or (ch == "}" and not source[i + 1 :].lstrip().startswith((";", ",", ")")))):
            out.append(source[start : i + 1])
            start = i + 1
    return out


_CS_TYPE_HEAD = re.compile(r"(?:\s|//[^\n]*\n|/\*.*?\*/|\[[^\]\n]*\]\s)*(?:(?:public|private|protected|internal|static|"
                           r"sealed|abstract|partial|unsafe|readonly)\s+)*(?:namespace|class|struct|interface|enum|record|"
                           r"delegate)\b", re.S)
_CS_METHOD_HEAD = re.compile(r"(?:\s|//[^\n]*\n|/\*.*?\*/|\[[^\]\n]*\]\s)*(?=\S)", re.S)


def cs_normalized(code: str) -> str:
    """A C# sample as the harness compiles it: its ``using`` directives first, then its types and namespaces;
    methods outside any type (CodeAlpaca's bare ``public static bool IsNumberPalindrome(int number) {...}``) in a
    class ``DecontamSample``; statements and fields outside any type (top-level statements: the example of
    use) dropped, as a file-scoped ``namespace X;``."""
    usings = [m.group(0).strip() for m in CS_USING.finditer(code)]
    types, methods = [], []
    for piece in _cs_pieces(CS_USING.sub("", code)):
        if re.match(r"\s*namespace\s+[\w.]+\s*;", piece):
            continue
        if _CS_TYPE_HEAD.match(piece):
            types.append(piece)
            continue
        head = _CS_METHOD_HEAD.match(piece)
        m = CS_SIGNATURE.match(piece, head.end() if head else 0)
        if m and m.group(2) not in _CS_MODIFIERS and m.group(2) not in ("return", "new", "else"):
            methods.append(piece)
    body = "".join(types).strip("\n")
    if methods:
        body += "\npublic class DecontamSample {\n" + "".join(methods).strip("\n") + "\n}"
    return "\n".join(usings) + "\n" + body + "\n"


def cs_methods(code: str) -> tuple[list[tuple[str, list[str], str, str, bool]], dict[str, tuple[int, int]]]:
    """The methods of normalized C# code (``cs_normalized``) that a harness can call (name, parameter types, answer
    type, owner, static), each with its owner as
    reflection names it (``Outer+Inner`` in ``Ns``: ``Ns.Outer+Inner``), and every method's body (``main`` for
    ``Main``'s). A method of a generic class, a local function, ``Main`` and a ``void`` method are left out."""
    containers = []  # (start, end, namespace name or None, class name or None, generic)
    for c in _CS_CONTAINER.finditer(code):
        containers.append((c.start(), _body_end(code, c.end() - 1), c.group(1), c.group(2), bool(c.group(3))))
    functions, bodies = [], {}
    for m in CS_SIGNATURE.finditer(code):
        modifiers, returns, name = m.group(1), m.group(2).strip(), m.group(3)
        if returns in _CS_MODIFIERS or returns in ("return", "new", "else", "await", "yield", "throw", "goto"):
            continue
        if m.group(5) == "{":
            bodies["main" if name == "Main" else name] = (m.end() - 1, _body_end(code, m.end() - 1))
        else:
            stop = code.find(";", m.end())
            bodies[name] = (m.end(), stop if stop >= 0 else len(code))
        around = [c for c in containers if c[0] < m.start() < c[1]]
        depth = code.count("{", 0, m.start()) - code.count("}", 0, m.start())
        if name in _NOT_NAMES or name == "Main" or returns == "void" or not around or around[-1][3] is None \
                or depth != len(around) or any(c[4] for c in around):
            continue  # no class of its own, a local function, or a generic class
        spaces = [c[2] for c in around if c[2] is not None]
        classes = [c[3] for c in around if c[3] is not None]
        owner = ".".join([*spaces, "+".join(classes)])
        functions.append((name, [_param_type(p) for p in _split_params(m.group(4))], returns, owner, "static" in modifiers.split()))
    return functions, bodies


def rb_functions(code: str) -> list[tuple[str, int]]:
    """The top-level methods of Ruby code (name, arity) whose parameters are plain names (defaults allowed; no
    splat, block or keyword), less those another method or a top-level loop calls (helpers, as foreign.py's
    ``_drop_helpers``)."""
    defs = []
    for m in _RB_DEF.finditer(code):
        end = _RB_END.search(code, m.end())
        params = _split_params(m.group(2) or m.group(3) or "")
        if any(p.startswith(("*", "&")) or ":" in p.split("=")[0] for p in params):
            continue
        defs.append((m.group(1), len(params), m.end(), end.end() if end else len(code)))
    spans = [(start, stop) for _n, _a, start, stop in defs]
    outside = "".join(code[a:b] for a, b in zip([0] + [b for _a, b in spans], [a for a, _b in spans] + [len(code)],
                                                strict=True))
    loops = "\n".join(_rb_loop_bodies(outside))
    out = []
    for name, arity, _start, _stop in defs:
        call = re.compile(rf"(?<![\w.:]){re.escape(name)}(?![\w?!])")
        if any(other != name and call.search(code, a, b) for other, _n, a, b in defs) or call.search(loops):
            continue
        out.append((name, arity))
    return out


def _rb_loop_bodies(text: str) -> list[str]:
    """The top-level loops of Ruby code: each line that opens one, to the ``end`` or ``}`` at its indentation."""
    out = []
    for m in _RB_LOOP.finditer(text):
        indent = len(m.group(0)) - len(m.group(0).lstrip())
        close = re.compile(rf"^[ \t]{{{indent}}}(?:end|\}})", re.M).search(text, m.end())
        out.append(text[m.start() : close.end() if close else m.end()])
    return out


# -- types and literals ----------------------------------------------------------------------------------------------
# C#: the value types and strings a harness writes literals of (``short``, ``uint`` and the like are left out:
# a literal of them needs a cast, and the shared samples hardly use them), and the generic lists it passes as a
# ``List<T>`` (``IEnumerable<T>`` and the like: a list is one).
_CS_SCALARS = {"int": "i32", "Int32": "i32", "long": "int", "Int64": "int", "double": "float", "Double": "float",
               "float": "float", "Single": "float", "decimal": "float", "Decimal": "float", "bool": "bool",
               "Boolean": "bool", "string": "str", "String": "str", "char": "char", "Char": "char"}
_CS_LIST = re.compile(r"^(?:List|IList|IEnumerable|ICollection|IReadOnlyList|IReadOnlyCollection)\s*<\s*(.+)\s*>$")


def cs_type(declared: str) -> str:
    """A C# parameter or answer type as written, less ``params``/``this`` and the ``System`` namespaces."""
    t = re.sub(r"^(?:params|this)\s+", "", declared.strip())
    return re.sub(r"\bSystem\.(?:Collections\.Generic\.)?", "", t).strip()


def cs_kind(declared: str) -> tuple[str, ...] | None:
    """What a C# type holds (``programs.type_kind``): ``("list", "i32")`` for ``int[]`` or ``List<int>``."""
    t = re.sub(r"\s+", " ", cs_type(declared))
    if t.endswith("[]"):
        return _listed(cs_kind(t[:-2].strip()))
    m = _CS_LIST.match(t)
    if m:
        return _listed(cs_kind(m.group(1)))
    return (_CS_SCALARS[t],) if t in _CS_SCALARS else None


def cs_holds_none(returns: str | None) -> bool:
    """Whether a C# method declared to answer ``returns`` can answer Python's None: a reference type (a string,
    an array, a list) can be null."""
    kind = cs_kind(returns or "")
    return kind is not None and kind[0] in ("str", "list")


def cs_string(text: str) -> str:
    """The body of a C# string or character literal: ASCII only (a non-ASCII character as its UTF-16 units),
    since C# has no octal escapes and the compiler's reading of the file's encoding is not relied on."""
    out = []
    for ch in text:
        if ch in "\"\\'":
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            units = ch.encode("utf-16-be", "surrogatepass")
            out += [f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2)]
    return "".join(out)


def cs_literal(value: Any, kind: tuple[str, ...], declared: str) -> str:
    """A literal of ``value`` in a C# type (``declared``, of ``kind``) with the exact type the parameter has, so that
    the reflective call finds no conversion to make (a ``long`` is ``5L``, a ``float`` ``5.0f``)."""
    t = re.sub(r"\s+", " ", cs_type(declared))
    head = kind[0]
    if head == "list":
        if t.endswith("[]"):
            element = t[:-2].strip()
            items = ", ".join(cs_literal(v, kind[1:], element) for v in value)
            return f"new {element}[]{{{items}}}"
        m = _CS_LIST.match(t)
        element = m.group(1).strip() if m else ""
        items = ", ".join(cs_literal(v, kind[1:], element) for v in value)
        return f"new List<{element}>{{{items}}}"
    if head == "bool":
        return "true" if value else "false"
    if head == "float":
        suffix = {"float": "f", "Single": "f", "decimal": "m", "Decimal": "m"}.get(t, "")
        return f"{float(value)!r}{suffix}"
    if head in ("int", "i32"):
        return f"{value}L" if t in ("long", "Int64") else str(value)
    if head == "char":
        return f"'{cs_string(value)}'"
    return f'"{cs_string(value)}"'


# -- harnesses -------------------------------------------------------------------------------------------------------
# The C# harness's main file. Each call runs on a thread of its own, limited by that thread's CPU time (read
# through the pthread clock, as the Java harness reads its worker's: wall time flips verdicts with the load) and
# by WALL_MS of wall time; one that runs on is aborted (Mono still honours Thread.Abort), its marker written (the
# call's ``late`` line: out of time, not failed) and its function's later calls are skipped. The method is found by reflection (a sample's methods are private by default, and
# its classes may be nested or private), among the overloads by the declared parameter types. Samples write to
# a null console: only the harness writes to the real one.
_CS_MAIN = r"""using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

public static class DecontamHarness {
  [StructLayout(LayoutKind.Sequential)] struct Timespec { public long Sec; public long Nsec; }
  [DllImport("libc", EntryPoint = "pthread_self")] static extern IntPtr PthreadSelf();
  [DllImport("libc", EntryPoint = "pthread_getcpuclockid")] static extern int CpuClockId(IntPtr thread, out int clock);
  [DllImport("libc", EntryPoint = "clock_gettime")] static extern int ClockGettime(int clock, out Timespec ts);
  static TextWriter real;
  static readonly HashSet<string> failed = new HashSet<string>();

  static void Emit(StringBuilder b, object o) {
    if (o == null) { b.Append("null"); return; }
    if (o is bool) { b.Append((bool) o ? "true" : "false"); return; }
    if (o is int || o is long || o is short || o is byte || o is sbyte || o is uint || o is ulong || o is ushort) {
      b.Append(Convert.ToString(o, CultureInfo.InvariantCulture)); return; }
    if (o is double || o is float || o is decimal) { double d = Convert.ToDouble(o, CultureInfo.InvariantCulture);
      b.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : d.ToString("R", CultureInfo.InvariantCulture));
      return; }
    if (o is char || o is string) { b.Append('"');
      foreach (char c in o.ToString()) { if (c == '"' || c == '\\') b.Append('\\').Append(c);
        else if (c < 0x20) b.Append("\\u").Append(((int) c).ToString("x4")); else b.Append(c); }
      b.Append('"'); return; }
    if (o is IEnumerable) { b.Append('['); bool first = true;
      foreach (object x in (IEnumerable) o) { if (!first) b.Append(','); first = false; Emit(b, x); } b.Append(']'); return; }
    b.Append("\"<unsupported>\"");
  }

  static long Cpu(int? clock) {  // a thread's CPU clock id is negative (Linux)
    Timespec ts;
    return clock.HasValue && ClockGettime(clock.Value, out ts) == 0 ? ts.Sec * 1000000000L + ts.Nsec : 0;
  }

  public static void Call(string tag, string late, string function, string owner, string name, Type[] types,
                          Func<object[]> args) {
    if (failed.Contains(function)) return;  // it threw or ran out of time: its other calls are skipped
    string line = null;
    int? clock = null;
    Thread t = new Thread(() => {
      try { int c; if (CpuClockId(PthreadSelf(), out c) == 0) clock = c; } catch (Exception) {}
      try {
        Type type = typeof(DecontamHarness).Assembly.GetType(owner, true);
        MethodInfo m = type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance,
                                      null, types, null);
        object target = m.IsStatic ? null : Activator.CreateInstance(type, true);
        StringBuilder b = new StringBuilder(tag);
        Emit(b, m.Invoke(target, args()));  // a lazy sequence is read here, under the limit
        line = b.Append('}').ToString();
      } catch (Exception) {}
    }, 16 << 20);
    t.IsBackground = true;
    Stopwatch wall = Stopwatch.StartNew();
    t.Start();
    while (!t.Join(20)) {
      if (Cpu(clock) > LIMIT_MS * 1000000L || wall.ElapsedMilliseconds > WALL_MS) {
        try { t.Abort(); } catch (Exception) {}
        real.Write(late); real.Flush();
        failed.Add(function); return;
      }
    }
    if (line == null) { failed.Add(function); return; }
    real.WriteLine(line); real.Flush();
  }

  public static void Main() {
    real = Console.Out;
    Console.SetOut(TextWriter.Null); Console.SetError(TextWriter.Null); Console.SetIn(new StringReader(""));
RUNS    real.Flush();
    Environment.Exit(0);
  }
}
"""
# The namespaces a C# snippet tends to use without naming them (CodeAlpaca's bare methods): a duplicate directive
# is a warning only.
_CS_USINGS = "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing System.Text;\n"
CS_USING = re.compile(r"^[ \t]*using\s+(?:static\s+)?[\w.]+\s*(?:=\s*[\w.<>, ]+)?;[ \t]*$", re.M)


def cs_program(codes: dict[int, Any], calls: list[Call], tags: dict[int, str], lates: dict[int, str],
               limit_ms: int) -> tuple[str, dict[str, str]]:
    """The C# harness program of a batch of samples: its main file and a file per sample (``DecontamHarness<k>.cs``);
    ``tags`` the start of each call's answer line (``programs._tag``), ``lates`` its line when it runs out of time
    (``programs._late``), ``limit_ms`` a call's CPU time."""
    # each sample in a file and namespace of its own (its using directives, its types, a class making its calls):
    # mcs names the file of each error, so a sample that does not compile is known from one compile (as javac's)
    files = {}
    for k, c in codes.items():
        usings = "\n".join(m.group(0).strip() for m in CS_USING.finditer(c.source))
        body = []
        for n, j, fn, args in calls:
            if j == k:
                types = ", ".join(f"typeof({cs_type(t or '')})" for t in fn.params)
                literals = ", ".join(cs_literal(v, cs_kind(t or "") or (), t or "") for t, v in zip(fn.params, args, strict=True))
                body.append(f"    DecontamHarness.Call(\"{cs_string(tags[n])}\", \"{cs_string(lates[n])}\", \"{k}.{fn.name}\", "
                            f"\"DecontamS{k}.{fn.owner}\", \"{fn.name}\", new global::System.Type[] {{{types}}}, "
                            f"() => new object[] {{{literals}}});")
        files[f"DecontamHarness{k}.cs"] = (
            _CS_USINGS + usings + f"\nnamespace DecontamS{k} {{\n" + CS_USING.sub("", c.source)
            + "\nstatic class DecontamCalls {\n  public static void Run() {\n" + "\n".join(body) + "\n  }\n}\n}\n")
    runs = "".join(f"    DecontamS{k}.DecontamCalls.Run();\n" for k in codes)
    return (_CS_MAIN.replace("LIMIT_MS", str(limit_ms)).replace("WALL_MS", str(10 * limit_ms))
            .replace("RUNS", runs), files)


# The Ruby harness: a program per sample (no compile to share, and an interpreter starts in a few hundredths of
# a second), its code evaluated in an object of its own, each call on a thread limited by the process's CPU time
# (the harness waits meanwhile: the time is the call's) and ten times that of wall time (a call out of either writes
# its marker, the ``late`` line); the arguments are the tests' values as JSON, the answer printed as JSON.
_RB_MAIN = r"""require 'json'
DECONTAM_OUT = STDOUT
$stdout = File.open(File::NULL, 'w')
$stderr = File.open(File::NULL, 'w')
$stdin = File.open(File::NULL, 'r')
def decontam_limited(limit_s)
  t = Thread.new { Thread.current.report_on_exception = false; yield }
  cpu0 = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
  wall0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  begin
    until t.join(0.02)
      if Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) - cpu0 > limit_s ||
         Process.clock_gettime(Process::CLOCK_MONOTONIC) - wall0 > 10 * limit_s
        t.kill
        return [false, :late]
      end
    end
    [true, t.value]
  rescue Exception
    [false, nil]
  end
end
"""


def rb_program(codes: dict[int, Any], calls: list[Call], tags: dict[int, str], lates: dict[int, str], seconds: int,
               limit_ms: int) -> str:
    """The Ruby harness program of one sample: ``tags`` and ``lates`` as for :func:`cs_program`, ``seconds`` for its
    code to load, ``limit_ms`` a call's CPU time."""
    (code,) = codes.values()  # one sample (ONE_PER_PROGRAM)
    lines = [_RB_MAIN, "decontam_sample = Object.new",
             f"decontam_limited({seconds}) {{ decontam_sample.instance_eval({json.dumps(code.source)}, 'sample.rb', 1) }}",
             "decontam_failed = {}"]
    for n, _k, fn, args in calls:
        name = json.dumps(fn.name)
        # the answer is written out under the limit too: a lazy enumerator is read there
        lines.append(f"unless decontam_failed[{name}]\n  ok, line = decontam_limited({limit_ms / 1000}) {{ "
                     f"{json.dumps(tags[n])} + JSON.generate(decontam_sample.__send__({name}, "
                     f"*JSON.parse({json.dumps(json.dumps(args))}, allow_nan: true))) + \"}}\\n\" }}\n"
                     f"  if ok then DECONTAM_OUT.write(line); DECONTAM_OUT.flush else decontam_failed[{name}] = true end\n"
                     f"  if line == :late then DECONTAM_OUT.write({json.dumps(lates[n])}); DECONTAM_OUT.flush end\nend")
    return "\n".join(lines) + "\nexit!(0)\n"
