"""The programs that call a C++, Java, JavaScript, Go, Rust or C sample's functions on a benchmark's tests
(``foreign.py``): declared types, literals of the tests' values in those types, and one harness per
language that prints each answer as a line of the sandbox harness's tagged protocol (``<nonce> {"call": n,
"answer": ...}``, read by ``alchemistcoder.sandbox.harness.parse_tagged``).

C++, Java and Rust programs hold a batch of samples (a namespace, a file or a module each: a Java program is its
main file and the files beside it, ``(source, files)``); Go and C have no such scope in one file, so their programs
hold one sample (``ONE_PER_PROGRAM``). JavaScript's harness is ``javascript.py``'s. A call that runs out of its time
writes ``<nonce> {"call": n, "timeout": true}`` instead (``batches.py`` collects those). A Go or Rust program
written here calls a runtime it does not hold: ``harness_parts.py``'s, which ``foreign.py`` appends.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Milliseconds of CPU time a call may take (a Java call: its thread's; a C++ sample's calls also share the sample's
# limit).
CALL_LIMIT_MS = 1000
# A program holds several samples (one compile for a batch): each call is (number, sample, function, arguments),
# the number tagging its answer line.
Call = tuple[int, int, Any, list[Any]]  # the function: a foreign.ForeignFunction

# -- types and literals -------------------------------------------------------------------------------------
_SCALARS = {  # C++'s and Java's ``int`` is 32 bits: a larger literal does not compile (the sample was lost)
    "int": "i32", "long": "int", "short": "i32", "long long": "int", "size_t": "uint", "unsigned": "uint",
    "unsigned int": "uint", "int64_t": "int", "int32_t": "i32", "Integer": "i32", "Long": "int",
    "double": "float", "float": "float", "Double": "float", "Float": "float", "bool": "bool", "boolean": "bool",
    "Boolean": "bool", "string": "str", "std::string": "str", "String": "str", "char": "char", "Character": "char",
}
_LIST = re.compile(r"^(?:std::)?(?:vector|List|ArrayList)\s*<\s*(.+)\s*>$")
# Languages whose programs hold one sample: a Go or C file has no scope that keeps two samples' names apart.
ONE_PER_PROGRAM = frozenset({"go", "c"})
_GO_SCALARS = {"int": "int", "int64": "int", "int32": "int", "int16": "int", "int8": "int", "uint": "uint", "uint64": "uint",
               "uint32": "uint", "float64": "float", "float32": "float", "bool": "bool", "string": "str", "rune": "char", "byte": "char"}
_RUST_SCALARS = {"i64": "int", "i32": "i32", "i16": "i32", "i128": "int", "isize": "int", "u64": "uint", "u32": "uint", "u16": "uint",
                 "usize": "uint", "u128": "uint", "f64": "float", "f32": "float", "bool": "bool", "char": "char", "String": "str", "str": "str"}
_C_SCALARS = {"int": "i32", "long": "int", "long long": "int", "long int": "int", "short": "i32", "unsigned": "uint",
              "unsigned int": "uint", "unsigned long": "uint", "unsigned long long": "uint", "size_t": "uint",
              "int64_t": "int", "int32_t": "i32", "uint64_t": "uint", "uint32_t": "uint",
              "double": "float", "float": "float", "bool": "bool", "_Bool": "bool", "char": "char"}


def _listed(inner: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return ("list", *inner) if inner else None


def _go_kind(t: str) -> tuple[str, ...] | None:
    t = t.strip()
    return _listed(_go_kind(t[2:])) if t.startswith("[]") else (_GO_SCALARS[t],) if t in _GO_SCALARS else None


def _rust_kind(t: str) -> tuple[str, ...] | None:
    t = re.sub(r"^&\s*(?:'\w+\s+)?(?:mut\s+)?", "", t.strip()).strip()
    if option := re.match(r"^Option\s*<\s*(.+)\s*>$", t):  # an answer only (foreign.py): None is null
        return _rust_kind(option.group(1))
    if m := re.match(r"^(?:Vec\s*<\s*(.+)\s*>|\[\s*([^;\]]+)\s*\])$", t):
        return _listed(_rust_kind(m.group(1) or m.group(2)))
    return (_RUST_SCALARS[t],) if t in _RUST_SCALARS else None


def _c_kind(t: str) -> tuple[str, ...] | None:
    t = re.sub(r"\s+", " ", re.sub(r"\bconst\b|\bsigned\b(?<!unsigned)", " ", t)).strip()
    if re.fullmatch(r"char\s*(?:\*|\[\s*\])", t):
        return ("str",)
    if m := re.fullmatch(r"(.+?)\s*(?:\*|\[\s*\])", t):
        inner = _c_kind(m.group(1))
        return ("list", *inner) if inner and inner[0] not in ("list", "str") else None
    return (_C_SCALARS[t],) if t in _C_SCALARS else None


def type_kind(declared: str, language: str = "cpp") -> tuple[str, ...] | None:
    """What a declared type holds, outermost first: ``("list", "int")`` for ``const vector<int>&`` and
    ``int[]`` (Go ``[]int``, Rust ``&[i32]``/``Vec<i32>``, C ``int*`` with its length); None when it is
    something else (a map, a pointer to a struct, a class). Integer kinds narrower than Python's: ``i32``
    (32 bits), ``uint`` (no sign)."""
    if language in ("go", "rust", "c"):
        return {"go": _go_kind, "rust": _rust_kind, "c": _c_kind}[language](declared)
    t = re.sub(r"\s+", " ", re.sub(r"\bconst\b|&", " ", declared).strip())
    if language == "cpp" and re.fullmatch(r"char ?(?:\*|\[ ?\])", t):
        return ("str",)  # a C string (HumanEval/23's length of a string as a ``char arr[]``)
    if t.endswith("[]"):
        return _listed(type_kind(t[:-2].strip()))
    if m := _LIST.match(t):
        return _listed(type_kind(m.group(1)))
    return (_SCALARS[t],) if t in _SCALARS else None


def value_fits(value: Any, kind: tuple[str, ...]) -> bool:
    head = kind[0]
    if head == "list":
        return isinstance(value, (list, tuple)) and all(value_fits(v, kind[1:]) for v in value)
    if head == "bool":
        return isinstance(value, bool)
    if head in ("int", "i32", "uint"):
        bound = 2**31 if head == "i32" else 2**63
        return isinstance(value, int) and not isinstance(value, bool) and -bound <= value < bound and (head != "uint" or value >= 0)
    if head == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return isinstance(value, str) and (head != "char" or len(value) == 1)


def _c_string(text: str) -> str:
    """A string literal C++ and Java both read back as ``text``: escapes for quotes, backslashes and control
    characters (octal, since Java turns a \\u escape into the character before it parses)."""
    return "".join("\\" + ch if ch in "\"\\'" else "\\n" if ch == "\n" else f"\\{ord(ch):03o}" if ch < " " or ch == "\x7f" else ch
                   for ch in text)


def _rust_string(text: str) -> str:
    return "".join("\\" + ch if ch in "\"\\'" else f"\\u{{{ord(ch):x}}}" if ch < " " or ch == "\x7f" else ch for ch in text)


def _new_literal(language: str, value: Any, kind: tuple[str, ...], declared: str) -> str:
    """A literal of ``value`` in a Go, Rust or C type (``declared``, of ``kind``)."""
    head = kind[0]
    if language == "go":
        if head == "list":
            inner = declared.strip()[2:]
            return f"{declared.strip()}{{" + ", ".join(_new_literal(language, v, kind[1:], inner) for v in value) + "}"
        if head == "char":
            return f"{declared.strip()}({ord(value)})"
        if head == "str":
            return json.dumps(value)  # a JSON string is a Go interpreted string literal
    if language == "rust":
        t = declared.strip()
        borrowed = re.match(r"^&\s*(?:'\w+\s+)?(mut\s+)?", t)
        prefix = ("&mut " if borrowed.group(1) else "&") if borrowed else ""
        bare = t[borrowed.end():].strip() if borrowed else t
        if head == "list":
            inner = (m.group(1) or m.group(2)) if (m := re.match(r"^(?:Vec\s*<\s*(.+)\s*>|\[\s*([^;\]]+)\s*\])$", bare)) else ""
            items = ", ".join(_new_literal(language, v, kind[1:], inner) for v in value)
            return f"{prefix}vec![{items}]" if bare.startswith("Vec") or not prefix else f"{prefix}[{items}]"
        if head == "str":
            text = f'"{_rust_string(value)}"'
            return text if bare == "str" else f"{prefix}String::from({text})"
        if head == "char":
            return f"'{_rust_string(value)}'"
        if head == "float":
            return f"{float(value)!r}_f64" if "32" not in bare else f"{float(value)!r}_f32"
    if language == "c":
        if head == "list":
            element = re.sub(r"\s*(?:\*|\[\s*\])$", "", re.sub(r"\bconst\b", "", declared)).strip()
            items = ", ".join(_new_literal(language, v, kind[1:], element) for v in value) or "0"
            return f"({element}[]){{{items}}}"
        if head == "str":
            return f'(char[]){{"{_c_string(value)}"}}'  # a mutable copy: a sample may write into its string
        if head == "char":
            return f"'{_c_string(value)}'"
    return ("true" if value else "false") if head == "bool" else repr(float(value)) if head == "float" else str(value)


def _literal(language: str, value: Any, kind: tuple[str, ...], declared: str) -> str:
    if language in ("go", "rust", "c"):
        return _new_literal(language, value, kind, declared)
    head = kind[0]
    if head == "list":
        items = ", ".join(_literal(language, v, kind[1:], "") for v in value)
        if language == "cpp":
            return "{" + items + "}"
        if declared.rstrip().endswith("[]"):
            return "new " + re.sub(r"\s*\[\s*\]$", "", declared.strip()) + f"[]{{{items}}}"
        return f"new ArrayList<>(Arrays.asList({items}))" if items else "new ArrayList<>()"
    if head in ("bool", "float"):
        return ("true" if value else "false") if head == "bool" else repr(float(value))
    if head in ("int", "i32", "uint"):
        return f"{value}L" if language == "java" and ("long" in declared.lower()) else str(value)
    if head == "char":
        return f"'{_c_string(value)}'"
    text = f'"{_c_string(value)}"'
    return f"std::string({text}, {len(value.encode())})" if language == "cpp" else text


def holds_none(language: str, returns: str | None) -> bool:
    """Whether a function declared to answer ``returns`` can answer Python's None (null)."""
    if language in ("javascript", "rust"):
        return language == "javascript" or (returns or "").strip().startswith("Option")
    return language == "java" and (returns or "").strip() not in {"int", "long", "short", "byte", "double", "float", "boolean", "char"}


# -- harnesses ----------------------------------------------------------------------------------------------
_CPP_EMIT = r"""
static void emit_(const std::string& s) { std::cout << '"'; for (unsigned char c : s) {
  if (c == '"' || c == '\\') std::cout << '\\' << c; else if (c < 0x20) { char b[8]; std::snprintf(b, 8, "\\u%04x", c); std::cout << b; }
  else std::cout << c; } std::cout << '"'; }
static void emit_(const char* s) { emit_(std::string(s)); }
static void emit_(char c) { emit_(std::string(1, c)); }
static void emit_(bool b) { std::cout << (b ? "true" : "false"); }
template <class T> typename std::enable_if<std::is_integral<T>::value>::type emit_(T v) { std::cout << (long long)v; }
template <class T> typename std::enable_if<std::is_floating_point<T>::value>::type emit_(T v) {
  if (std::isnan(v)) std::cout << "NaN"; else if (std::isinf(v)) std::cout << (v > 0 ? "Infinity" : "-Infinity");
  else std::cout << std::setprecision(17) << (double)v; }
template <class T> void emit_(const std::vector<T>& v) { std::cout << '['; for (size_t i = 0; i < v.size(); ++i) {
  if (i) std::cout << ','; emit_(v[i]); } std::cout << ']'; }
template <class T> static void decontam_put_(const char* tag, const T& r) { std::cout << tag; emit_(r); std::cout << '}' << std::endl; }
"""
# A C++ sample's child or a C call is limited by its CPU time, the wall clock a backstop for one that waits (an alarm
# alone turned answers into timeouts on a loaded machine); C and C++ both. ``decontam_at_`` names the marker of the
# call about to run (the handler may only write what is already there: async-signal-safe) and gives the call
# CALL_LIMIT_MS of the process's CPU time (ITIMER_PROF), as a Java, JavaScript, Go or Rust call has: under the sample's
# limit alone, each C++ sample that computed forever cost the whole of it (5 s), 137 of the 138 s its programs ran
# over the shared samples.
_CPU_LIMIT = r"""
static const char* volatile decontam_late_ = ""; static volatile size_t decontam_late_n_ = 0;
static void decontam_at_(const char* late, size_t n) { decontam_late_ = late; decontam_late_n_ = n;
  struct itimerval t = {{0, 0}, {CALL_S, CALL_US}}; setitimer(ITIMER_PROF, &t, NULL); }
static void decontam_out_(int sig) { (void) sig; ssize_t w = write(1, decontam_late_, decontam_late_n_); (void) w; _exit(3); }
static void decontam_limit_(unsigned s) { struct rlimit l; signal(SIGXCPU, decontam_out_); signal(SIGALRM, decontam_out_);
  signal(SIGPROF, decontam_out_);
  if (getrlimit(RLIMIT_CPU, &l) == 0) { if (l.rlim_max == RLIM_INFINITY || l.rlim_max > s) l.rlim_cur = s; setrlimit(RLIMIT_CPU, &l); }
  alarm(4 * s); }
""".replace("CALL_S", str(CALL_LIMIT_MS // 1000)).replace("CALL_US", str(CALL_LIMIT_MS % 1000 * 1000))
# The line after the samples' parts in a C++ program (batches.py: the lines below it are the calls' and the harness's).
CPP_CALLS = "// decontam: the calls"
# Calls a C++ function of the harness makes: g++'s time grows faster than a function's length (one ``main``: twice the CPU).
_CPP_CALLS_A_FUNCTION = 32

_JAVA_EMIT = r"""
  static void emit(StringBuilder b, Object o) {
    if (o == null) { b.append("null"); return; }
    if (o instanceof Boolean || o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) { b.append(o); return; }
    if (o instanceof Double || o instanceof Float) { double d = ((Number) o).doubleValue();
      b.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Double.toString(d)); return; }
    if (o instanceof Character || o instanceof CharSequence) { String s = o.toString(); b.append('"');
      for (char c : s.toCharArray()) { if (c == '"' || c == '\\') b.append('\\').append(c);
        else if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c); } b.append('"'); return; }
    if (o.getClass().isArray()) { b.append('['); int n = java.lang.reflect.Array.getLength(o);
      for (int i = 0; i < n; i++) { if (i > 0) b.append(','); emit(b, java.lang.reflect.Array.get(o, i)); } b.append(']'); return; }
    if (o instanceof Iterable) { b.append('['); boolean first = true;
      for (Object x : (Iterable<?>) o) { if (!first) b.append(','); first = false; emit(b, x); } b.append(']'); return; }
    b.append("\"<unsupported>\"");
  }
"""


_INCLUDE = re.compile(r"^[ \t]*#[ \t]*include[^\n]*$", re.M)
_JAVA_IMPORT = re.compile(r"^[ \t]*(?:import|package)\s+[\w.*\s]+;", re.M)
_JAVA_TYPE = re.compile(r"^([ \t]*)((?:(?:public|private|protected|final|abstract)\s+)*)(class|interface|enum|record)\b", re.M)


# Calls a method of a Java sample's file holds, cases of a switch (a lambda each cost javac and the JVM more); a case's
# literals take up to about 8 KB of bytecode (a 1,000-character test), a method at most 64 KiB.
_JAVA_CASES = 4
# Each Java call on a worker thread, limited by that thread's CPU time (wall time flipped verdicts with the load:
# a loaded JVM's first calls ran past 1 s) and by WALL_MS for one that waits: one that runs on is left behind
# (its marker written).
_JAVA_CALL = """
  static final Set<String> failed = new HashSet<>();
  static final java.lang.management.ThreadMXBean clock = java.lang.management.ManagementFactory.getThreadMXBean();
  static volatile Thread current;
  static java.util.concurrent.ExecutorService pool = worker();
  static java.util.concurrent.ExecutorService worker() { return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r); t.setDaemon(true); current = t; return t; }); }
  static long cpu(Thread t) { long n = clock.getThreadCpuTime(t.getId()); return n >= 0 ? n : System.nanoTime(); }
  static void call(String tag, String function, java.util.concurrent.Callable<Object> f) {
    if (failed.contains(function)) return;  // it threw or ran out of time: its other calls are skipped
    java.util.concurrent.Future<Object> answer = pool.submit(f);
    Thread t = current; long cpu0 = cpu(t), wall0 = System.nanoTime();
    while (true) try { Object r = answer.get(20, java.util.concurrent.TimeUnit.MILLISECONDS); StringBuilder b = new StringBuilder(tag);
      emit(b, r); b.append('}'); System.out.println(b); return; }
    catch (java.util.concurrent.TimeoutException e) { if (cpu(t) - cpu0 > LIMIT_MS * 1000000L || System.nanoTime() - wall0 > WALL_MS * 1000000L) {
      failed.add(function); answer.cancel(true); pool = worker();
      System.out.println(tag.substring(0, tag.lastIndexOf("\\"answer\\": ")) + "\\"timeout\\": true}"); return; } }
    catch (Throwable e) { failed.add(function); return; }
  }
"""


def _tag(nonce: str, n: int) -> str:
    """Call ``n``'s line's start (``sandbox.harness.parse_tagged``): the program writes the answer and ``}``."""
    return f'{nonce} {{"call": {n}, "answer": '


def _late(nonce: str, n: int) -> str:
    """Call ``n``'s whole line when it ran out of time, from its own newline (it may end a half-written line)."""
    return f'\n{nonce} {{"call": {n}, "timeout": true}}\n'


def _cpp_program(codes: dict[int, Any], calls: list[Call], nonce: str, seconds: int) -> str:
    includes = dict.fromkeys(m.group(0).strip() for c in codes.values() for m in _INCLUDE.finditer(c.source))
    # each sample in a namespace of its own, so that two samples' ``find_longest`` do not collide
    spaces = [f"namespace decontam_s{k} {{\nusing namespace std;\n{_INCLUDE.sub('', c.source)}\n}}"
              for k, c in codes.items()]
    body: dict[int, list[str]] = {k: [] for k in codes}
    for n, k, fn, args in calls:
        decls, names = [], []
        for i, (t, v) in enumerate(zip(fn.params, args, strict=True)):
            bare = re.sub(r"&|\bconst\b", " ", t).strip()  # a named copy: a non-const reference binds to it
            array, cstr = bare.endswith("[]"), "char" in bare and type_kind(t) == ("str",)  # a C string: a std::string's data
            decls.append(f"{'std::string' if cstr else f'std::vector<{bare[:-2]}>' if array else bare} a{i} = "
                         f"{_literal('cpp', v, type_kind(t) or (), t)};")  # ``int arr[]``: a vector's data
            names.append(f"a{i}.data(), (int) a{i}.size()" if i in fn.sized else f"a{i}.data()" if array or cstr else f"a{i}")
        call = f"decontam_s{k}::{fn.name}({', '.join(names)})"
        late = _late(nonce, n)
        result = f"{call}; auto& r = a0;" if fn.inplace else f"auto r = {call};"  # a procedure: its changed argument
        body[k].append(f"    {{ using namespace decontam_s{k}; try {{ ::decontam_at_(\"{_c_string(late)}\", {len(late)}); "
                       f"{' '.join(decls)} {result} "
                       f"::decontam_put_(\"{_c_string(_tag(nonce, n))}\", r); }} catch (...) {{}} }}")
    runs = {k: [f"decontam_run{k}_{i}" for i in range(0, len(lines), _CPP_CALLS_A_FUNCTION)] for k, lines in body.items()}
    functions = [f"static void {name}() {{\n" + "\n".join(lines[i * _CPP_CALLS_A_FUNCTION : (i + 1) * _CPP_CALLS_A_FUNCTION])
                 + "\n}" for k, lines in body.items() for i, name in enumerate(runs[k])]
    # each sample in a child of its own, ended by its CPU limit: an exponential recursion or a crash stops only it
    main = [f"  if (pid_t p = fork(); p == 0) {{\n    decontam_limit_({seconds});\n" + "".join(f"    {name}();\n" for name in names) +
            "    std::cout.flush(); _exit(0);\n  } else if (p > 0) { waitpid(p, nullptr, 0); }" for names in runs.values()]
    return ("#include <bits/stdc++.h>\n#include <unistd.h>\n#include <signal.h>\n#include <sys/wait.h>\n#include <sys/resource.h>\n#include <sys/time.h>\n"
            + "\n".join(includes) + "\n" + _CPP_EMIT + _CPU_LIMIT + "\n".join(spaces) + f"\n{CPP_CALLS}\n" + "\n".join(functions) + "\nint main() {\n"
            + "\n".join(main) + "\n  return 0;\n}\n")


def _java_nested(source: str) -> str:
    """A sample's top-level types as static nested ones (``public`` dropped); a bare method in a class."""
    out, last = [], 0
    for m in _JAVA_TYPE.finditer(source):
        depth = source.count("{", 0, m.start()) - source.count("}", 0, m.start())
        if depth == 0:
            modifiers = re.sub(r"\bpublic\s+", "", m.group(2))
            out += [source[last : m.start()], f"{m.group(1)}static {modifiers}{m.group(3)}"]
            last = m.end()
    nested = "".join(out) + source[last:]
    return nested if last else "static class DecontamSample {\n" + _java_members(source) + "\n}"


# A class member's start: a method's head, a field (annotations, modifiers, a type and a name); no statement.
_JAVA_MEMBER = re.compile(r"(?:\s|//[^\n]*\n|/\*.*?\*/|@\w+\s)*(?!(?:return|throw|new|else|do|try)\b)(?:(?:public|private|"
                          r"protected|static|final|synchronized)\s+)*(?:<[^>]*>\s*)?[\w.<>\[\]?, ]+?\s+\w+\s*(?:\(|=|;|\[)", re.S)


def _java_members(source: str) -> str:
    """Java code outside any class without its statements (a call, a loop, an assignment: no member of the class
    that holds it), its methods and fields kept."""
    out, start, depth = [], 0, 0
    for i, ch in enumerate(source):
        depth += (ch in "{(") - (ch in "})")
        if depth == 0 and (ch == ";" or (ch == "}" and not source[i + 1 :].lstrip().startswith((";", ",", ")")))):
            out += [source[start : i + 1]] if _JAVA_MEMBER.match(source, start) else []
            start = i + 1
    return "".join(out)


def _java_program(codes: dict[int, Any], calls: list[Call], nonce: str, seconds: int) -> tuple[str, dict[str, str]]:
    # each sample in a file of its own (a class holding it, its imports, its calls): javac names the file of each
    # error, so a sample that does not compile is known from one compile, and no sample's imports reach another;
    # the calls go through the main class's one worker (a worker a sample would hold a thread for each)
    files = {}
    for k, c in codes.items():
        imports = dict.fromkeys(m.group(0).strip() for m in _JAVA_IMPORT.finditer(c.source) if not m.group(0).lstrip().startswith("package"))
        cases, heads = [], []
        for n, j, fn, args in calls:
            if j == k:
                owner = f"S{k}.{fn.owner or 'DecontamSample'}"
                target = owner if fn.static else f"new {owner}()"
                literals = [_literal("java", v, type_kind(t) or (), t) for t, v in zip(fn.params, args, strict=True)]
                if fn.inplace:  # a procedure: its changed first argument is the answer
                    cases.append(f"{{ {fn.params[0]} a0 = {literals[0]}; {target}.{fn.name}({', '.join(['a0', *literals[1:]])}); "
                                 "return a0; }")
                else:
                    cases.append(f"return {target}.{fn.name}({', '.join(literals)});")
                heads.append((f"\"{_c_string(_tag(nonce, n))}\"", f"\"{k}.{fn.name}\""))
        # call i is case i of the switch of method decontamCall<i / _JAVA_CASES>, made on the worker by one lambda
        chunks = [cases[i : i + _JAVA_CASES] for i in range(0, len(cases), _JAVA_CASES)]
        methods = "".join(f"  static java.lang.Object decontamCall{c}(int i) throws java.lang.Exception {{\n    switch (i) {{\n" + "".join(
            f"      case {c * _JAVA_CASES + i}: {case}\n" for i, case in enumerate(chunk)) + "    }\n    return null;\n  }\n"
            for c, chunk in enumerate(chunks))
        files[f"DecontamHarness{k}.java"] = (
            "import java.util.*;\n" + "\n".join(imports) + f"\n\nclass DecontamHarness{k} {{\n  static class S{k} {{\n"
            + _java_nested(_JAVA_IMPORT.sub("", c.source)) + "\n  }\n" + methods + "  static java.lang.Object decontamCall(int i) throws java.lang."
            f"Exception {{\n    switch (i / {_JAVA_CASES}) {{\n" + "".join(f"      case {c}: return decontamCall{c}(i);\n"
            for c in range(len(chunks))) + "    }\n    return null;\n  }\n  static final java.lang.String[] decontamTags = {"
            + ", ".join(t for t, _ in heads) + "}, decontamNames = {" + ", ".join(f for _, f in heads) + "};\n  static void decontamRun() {\n    for "
            "(int i = 0; i < decontamTags.length; i++) { final int j = i;\n      DecontamHarness.call(decontamTags[j], "
            "decontamNames[j], () -> decontamCall(j)); }\n  }\n}\n")
    return ("import java.util.*;\n\npublic class DecontamHarness {\n" + _JAVA_EMIT + _JAVA_CALL.replace("LIMIT_MS", str(CALL_LIMIT_MS))
            .replace("WALL_MS", str(10 * CALL_LIMIT_MS))
            + "  public static void main(String[] args) {\n" + "".join(f"    DecontamHarness{k}.decontamRun();\n" for k in codes)
            + "    System.exit(0);\n  }\n}\n", files)


def _go_program(codes: dict[int, Any], calls: list[Call], nonce: str, seconds: int) -> str:
    (code,) = codes.values()  # one sample (ONE_PER_PROGRAM)
    source = re.sub(r"^\s*package\s+\w+\s*$", "", code.source, flags=re.M)
    source = re.sub(r"\bfunc\s+main\s*\(\s*\)", "func decontamSampleMain()", source)
    body = []
    for n, _k, fn, args in calls:
        literals = ", ".join(_literal("go", v, type_kind(t, "go") or (), t) for t, v in zip(fn.params, args, strict=True))
        call = f"{fn.name}({literals})"
        if (type_kind(fn.returns or "", "go") or ("",))[0] == "char":
            call = f"string({call})"  # a rune or byte answer is a character
        body.append(f"\t\t{{{json.dumps(_tag(nonce, n))}, {json.dumps(_late(nonce, n))}, {json.dumps(fn.name)}, "
                    f"func() interface{{}} {{ return {call} }}}},")
    imports = {"JSON": "encoding/json", "OS": "os", "Time": "time", "Exec": "os/exec", "Signal": "os/signal",
               "Strconv": "strconv", "Syscall": "syscall"}
    # the calls as a table for harness_parts.py's ``decontamMain``: each run in the program started again
    return ("package main\n\nimport (\n" + "".join(f"\tdecontam{a} \"{path}\"\n" for a, path in imports.items()) + ")\n\n"
            + source + "\n\nfunc main() {\n\tdecontamMain([]decontamCallT{\n" + "\n".join(body) + "\n\t})\n}\n")


def _rust_structs(source: str) -> str:
    """Unit structs for the ``impl Solution { ... }`` blocks of a LeetCode-style answer that does not declare them."""
    declared = set(re.findall(r"\b(?:struct|enum|trait|type)\s+(\w+)", source))
    return "".join(f"pub struct {name};\n" for name in dict.fromkeys(re.findall(r"^\s*impl\s+(\w+)\s*\{", source, re.M))
                   if name not in declared)


def _rust_program(codes: dict[int, Any], calls: list[Call], nonce: str, seconds: int) -> str:
    # each sample in a module of its own, so that two samples' ``fn is_prime`` do not collide
    # the calls are made from inside the module: a sample's functions are private to it
    body: dict[int, list[str]] = {k: [] for k in codes}
    for n, k, fn, args in calls:
        literals = ", ".join(_literal("rust", v, type_kind(t, "rust") or (), t) for t, v in zip(fn.params, args, strict=True))
        path = f"{fn.owner + '::' if fn.owner else ''}{fn.name}"
        key = json.dumps(fn.name)
        body[k].append(f"  if !failed.contains({key}) && !decontam_call({json.dumps(_tag(nonce, n))}, {json.dumps(_late(nonce, n))}, "
                       f"move || {path}({literals})) "
                       f"{{ failed.insert({key}); }}")
    modules = [f"mod decontam_s{k} {{\nuse super::*;\n{_rust_structs(c.source)}{c.source}\npub fn decontam_calls() {{\n"
               f"  let mut failed: std::collections::HashSet<&str> = std::collections::HashSet::new();\n"
               + "\n".join(body[k]) + "\n}\n}" for k, c in codes.items()]
    return ("#![allow(unused, non_snake_case, dead_code)]\nuse std::collections::*;\n"
            + "\n".join(modules) + "\nfn main() {\n  std::panic::set_hook(Box::new(|_| {}));\n"
            + "".join(f"  decontam_s{k}::decontam_calls();\n" for k in codes) + "  std::process::exit(0);\n}\n")


_C_EMIT = r"""
static void decontam_s(const char* s) { putchar('"'); for (const unsigned char* p = (const unsigned char*)s; *p; ++p) {
  if (*p == '"' || *p == '\\') printf("\\%c", *p); else if (*p < 0x20) printf("\\u%04x", *p); else putchar(*p); } putchar('"'); }
static void decontam_c(char c) { char b[2] = {c, 0}; decontam_s(b); }
static void decontam_b(_Bool b) { printf(b ? "true" : "false"); }
static void decontam_d(double d) { if (isnan(d)) printf("NaN"); else if (isinf(d)) printf(d > 0 ? "Infinity" : "-Infinity");
  else printf("%.17g", d); }
static void decontam_i(long long i) { printf("%lld", i); }
static void decontam_u(unsigned long long i) { printf("%llu", i); }
#define DECONTAM_EMIT(x) _Generic((x), char*: decontam_s, const char*: decontam_s, char: decontam_c, _Bool: decontam_b, \
  float: decontam_d, double: decontam_d, unsigned int: decontam_u, unsigned long: decontam_u, \
  unsigned long long: decontam_u, default: decontam_i)(x)
"""


def _c_program(codes: dict[int, Any], calls: list[Call], nonce: str, seconds: int) -> str:
    (code,) = codes.values()  # one sample (ONE_PER_PROGRAM)
    source = re.sub(r"^\s*(?:int|void)\s+main\s*\(", "static int decontam_sample_main(", code.source, flags=re.M)
    body = []
    for n, _k, fn, args in calls:
        literals = []
        for i, (t, v) in enumerate(zip(fn.params, args, strict=True)):
            literals.append(_literal("c", v, type_kind(t, "c") or (), t))
            literals += [str(len(v))] if i in fn.sized else []  # the array's length, the parameter after it
        # each call in a child of its own, ended by its CPU limit: a crash or an endless loop stops only that call
        late = _late(nonce, n)
        if fn.inplace:  # a procedure: the array it changed, element by element
            element = re.sub(r"\[\s*\]|\*", "", fn.params[0]).strip()
            emit = (f"{element}* a0 = {literals[0]}; {fn.name}({', '.join(['a0', *literals[1:]])}); printf(\"[\"); "
                    f"for (int i = 0; i < {len(args[0])}; i++) {{ if (i) printf(\",\"); DECONTAM_EMIT(a0[i]); }} printf(\"]\");")
        else:
            emit = f"DECONTAM_EMIT({fn.name}({', '.join(literals)}));"
        body.append(f"  fflush(stdout); if (fork() == 0) {{ decontam_limit_({seconds}); decontam_at_(\"{_c_string(late)}\", {len(late)}); "
                    f"printf(\"%s\", \"{_c_string(_tag(nonce, n))}\"); "
                    f"{emit} printf(\"}}\\n\"); fflush(stdout); _exit(0); }} "
                    "else wait(NULL);")
    return ("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <stdbool.h>\n#include <math.h>\n"
            "#include <unistd.h>\n#include <signal.h>\n#include <sys/wait.h>\n#include <sys/resource.h>\n#include <sys/time.h>\n" + source + "\n" + _C_EMIT + _CPU_LIMIT +
            "int main(void) {\n" + "\n".join(body) + "\n  return 0;\n}\n")


PROGRAMS = {"cpp": _cpp_program, "java": _java_program, "go": _go_program,
            "rust": _rust_program, "c": _c_program}
