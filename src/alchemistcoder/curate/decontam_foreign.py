"""Execution evidence for C++, Java and JavaScript samples: the benchmark's Python tests as typed calls.

A third of the paraphrases that execution missed had no Python: "Implement a Java method to check whether a
given string is a palindrome" with a Java answer. Their functions can run on the same tests: each test's
arguments (EvalPlus inputs, or the literal arguments of MBPP's ``assert f(...) == ...``) become literals of the
parameter types the function declares (``const std::vector<std::string>&``, ``List<Integer>``, ``int[]``; in
JavaScript the values themselves), a generated ``main`` calls the function on each and prints the answer as
JSON, and the host compares it with the expected answer as the Python probe does (``_same``). An answer the
declared return type cannot express (Python's ``None`` from a C++ ``std::string`` function) leaves its test
out, as an input the reference rejects does. The program, compiler included, runs in the sandbox only.

Only simple signatures count (numbers, booleans, characters, strings, and lists or arrays of them, nested);
a function whose parameters or answer are anything else is not tried, and a program that does not compile
proves nothing. This is written by hand rather than with tree-sitter: the regular expressions below are the
whole parser it needs, and they keep the package free of a grammar per language.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from dataclasses import dataclass
from typing import Any

from alchemistcoder.code import extract_code_blocks
from alchemistcoder.curate._decontam_probe import _same
from alchemistcoder.curate.decontam_exec import ExecVerdict, Function, SampleCode
from alchemistcoder.curate.decontam_problems import BenchProblem

LANGUAGES = ("cpp", "java", "javascript")
# Characters of one test's arguments and answer as JSON: longer ones are left out of the harness programs.
MAX_CASE_CHARS = 1000
# Samples per harness program: one compile (about a second for C++ and Java) serves them all.
BATCH = 24
# Milliseconds a Java or JavaScript call may take (a C++ sample has the sample's whole time, by an alarm).
CALL_LIMIT_MS = 1000
_KEYWORDS = frozenset({"if", "for", "while", "switch", "return", "catch", "else", "do", "main", "sizeof", "new"})
_CPP_SIGNATURE = re.compile(
    r"^[ \t]*(?:(?:static|inline|constexpr|virtual)\s+)*((?:const\s+)?[\w:]+(?:\s*<[\w:<>,\s*&]*>)?[\s*&]*?)\s*"
    r"\b(\w+)\s*\(([^()]*)\)\s*(?:const\s*)?(?:noexcept\s*)?\{", re.M)
_JAVA_SIGNATURE = re.compile(
    r"^[ \t]*((?:(?:public|private|protected|static|final|synchronized)\s+)*)([\w.]+(?:\s*<[\w<>,.?\s]*>)?(?:\s*\[\s*\])*)"
    r"\s+(\w+)\s*\(([^()]*)\)\s*(?:throws\s+[\w.,\s]+)?\{", re.M)
_JAVA_CLASS = re.compile(r"^[ \t]*(?:(?:public|final|abstract)\s+)*class\s+(\w+)", re.M)
_JS_SIGNATURE = re.compile(
    r"^[ \t]*(?:async\s+)?function\s*\*?\s*(\w+)\s*\(([^()]*)\)|"
    r"^[ \t]*(?:const|let|var)\s+(\w+)\s*=\s*(?:async\s+)?(?:function\s*\w*\s*\(([^()]*)\)|\(([^()]*)\)\s*=>|(\w+)\s*=>)",
    re.M)


@dataclass(slots=True)
class ForeignFunction:
    """A function of a C++, Java or JavaScript sample: its name, parameter types (None in JavaScript), answer
    type, and for Java the class that holds it and whether it is static."""

    name: str
    params: list[str | None]
    returns: str | None
    owner: str = ""
    static: bool = True


@dataclass(slots=True)
class ForeignCode:
    """A sample's code in one of :data:`LANGUAGES` and its callable functions."""

    language: str
    source: str
    functions: list[ForeignFunction]

    def as_sample_code(self) -> SampleCode:
        """The functions as :class:`SampleCode` sees them (name and arity), for choosing what to try."""
        return SampleCode([], [Function(f.name, len(f.params), len(f.params), helper=False) for f in self.functions])


def _split_params(text: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += 1 if ch in "<[(" else -1 if ch in ">])" else 0
        if ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    last = text[start:].strip()
    return [*out, last] if last and last != "void" else out


def _param_type(param: str) -> str:
    """``const std::vector<int>& nums = {}`` -> ``std::vector<int>&`` (the type, name and default dropped)."""
    param = param.split("=")[0].strip()
    m = re.match(r"(.*?[\s*&>\]])\s*(\w+)\s*((?:\[\s*\])*)$", param)
    return (m.group(1) + m.group(3)).strip() if m else param


def _strip_cpp_main(source: str) -> str:
    m = re.search(r"^\s*(?:int|void)\s+main\s*\([^)]*\)\s*\{", source, re.M)
    if not m:
        return source
    depth, i = 0, m.end() - 1
    while i < len(source):
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        i += 1
        if depth == 0:
            break
    return source[: m.start()] + source[i:]


def _body_end(source: str, open_brace: int) -> int:
    depth = 0
    for i in range(open_brace, len(source)):
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        if depth == 0:
            return i + 1
    return len(source)


def _drop_helpers(source: str, functions: list[ForeignFunction], bodies: dict[str, tuple[int, int]]) -> list[ForeignFunction]:
    """The functions no other function of the sample calls: a helper answers another question (a private
    ``isValidTriangle`` inside "the area of a triangle from its three sides" passes MBPP/334's tests)."""
    kept = []
    for f in functions:
        call = re.compile(rf"\b{re.escape(f.name)}\s*\(")
        if not any(name != f.name and name != "main" and call.search(source, start, end)
                   for name, (start, end) in bodies.items()):
            kept.append(f)
    return kept


def foreign_code(response: str) -> ForeignCode | None:
    """The first C++, Java or JavaScript block of a response that defines a function, or None."""
    for block in extract_code_blocks(response):
        if block.language not in LANGUAGES:
            continue
        code = block.code
        functions: list[ForeignFunction] = []
        if block.language == "cpp":
            code = _strip_cpp_main(code)
            for m in _CPP_SIGNATURE.finditer(code):
                returns, name = m.group(1).strip(), m.group(2)
                if name not in _KEYWORDS and returns not in ("return", "else", "new") and "void" not in returns.split():
                    functions.append(ForeignFunction(name, [_param_type(p) for p in _split_params(m.group(3))], returns))
        elif block.language == "java":
            classes = [(c.start(), c.group(1)) for c in _JAVA_CLASS.finditer(code)]
            for m in _JAVA_SIGNATURE.finditer(code):
                modifiers, returns, name = m.group(1), m.group(2).strip(), m.group(3)
                if name in _KEYWORDS or returns in ("void", "return", "new", "else") or returns.startswith("class"):
                    continue
                owner = next((n for start, n in reversed(classes) if start < m.start()), "")
                functions.append(ForeignFunction(name, [_param_type(p) for p in _split_params(m.group(4))], returns,
                                                 owner, "static" in modifiers.split()))
        else:
            for m in _JS_SIGNATURE.finditer(code):
                name = m.group(1) or m.group(3)
                params = next((g for g in (m.group(2), m.group(4), m.group(5), m.group(6)) if g is not None), "")
                if name not in _KEYWORDS:
                    functions.append(ForeignFunction(name, [None] * len(_split_params(params)), None))
        signature = {"cpp": _CPP_SIGNATURE, "java": _JAVA_SIGNATURE, "javascript": _JS_SIGNATURE}[block.language]
        bodies = {}
        for m in signature.finditer(code):
            name = {"cpp": m.group(2), "java": m.group(3)}.get(block.language) or m.group(1) or m.group(3)
            brace = re.compile(r"\s*(?:=>\s*)?\{").match(code, m.end() - (block.language != "javascript"))
            if brace:
                bodies[name] = (brace.end() - 1, _body_end(code, brace.end() - 1))
        main = re.search(r"\bmain\s*\([^)]*\)[^{;]*\{", code)
        if main:
            bodies["main"] = (main.end() - 1, _body_end(code, main.end() - 1))
        functions = _drop_helpers(code, functions, bodies)
        if functions:
            return ForeignCode(block.language, code, functions)
    return None


# -- types and literals -------------------------------------------------------------------------------------
_SCALARS = {
    "int": "int", "long": "int", "short": "int", "long long": "int", "size_t": "int", "unsigned": "int",
    "unsigned int": "int", "int64_t": "int", "int32_t": "int", "Integer": "int", "Long": "int",
    "double": "float", "float": "float", "Double": "float", "Float": "float",
    "bool": "bool", "boolean": "bool", "Boolean": "bool",
    "string": "str", "std::string": "str", "String": "str",
    "char": "char", "Character": "char",
}
_LIST = re.compile(r"^(?:std::)?(?:vector|List|ArrayList)\s*<\s*(.+)\s*>$")


def type_kind(declared: str) -> tuple[str, ...] | None:
    """What a declared type holds, outermost first: ``("list", "int")`` for ``const vector<int>&`` and
    ``int[]``; None when it is something else (a map, a pointer, a class)."""
    t = re.sub(r"\bconst\b|&", " ", declared).strip()
    t = re.sub(r"\s+", " ", t)
    if t.endswith("[]"):
        inner = type_kind(t[:-2].strip())
        return ("list", *inner) if inner else None
    m = _LIST.match(t)
    if m:
        inner = type_kind(m.group(1))
        return ("list", *inner) if inner else None
    kind = _SCALARS.get(t)
    return (kind,) if kind else None


def _fits(value: Any, kind: tuple[str, ...]) -> bool:
    head = kind[0]
    if head == "list":
        return isinstance(value, (list, tuple)) and all(_fits(v, kind[1:]) for v in value)
    if head == "bool":
        return isinstance(value, bool)
    if head == "int":
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63
    if head == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if head == "char":
        return isinstance(value, str) and len(value) == 1
    return isinstance(value, str)


def _c_string(text: str) -> str:
    """A string literal C++ and Java both read back as ``text``: escapes for quotes, backslashes and control
    characters (octal, since Java turns a \\u escape into the character before it parses)."""
    out = []
    for ch in text:
        if ch in "\"\\'":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return "".join(out)


def _literal(language: str, value: Any, kind: tuple[str, ...], declared: str) -> str:
    head = kind[0]
    if head == "list":
        items = ", ".join(_literal(language, v, kind[1:], "") for v in value)
        if language == "cpp":
            return "{" + items + "}"
        if declared.rstrip().endswith("[]"):
            element = re.sub(r"\s*\[\s*\]$", "", declared.strip())
            return f"new {element}[]{{{items}}}"
        return f"new ArrayList<>(Arrays.asList({items}))" if items else "new ArrayList<>()"
    if head == "bool":
        return "true" if value else "false"
    if head == "int":
        return f"{value}L" if language == "java" and ("long" in declared.lower()) else str(value)
    if head == "float":
        return repr(float(value))
    if head == "char":
        return f"'{_c_string(value)}'"
    text = f'"{_c_string(value)}"'
    return f"std::string({text}, {len(value.encode())})" if language == "cpp" else text


def _holds_none(language: str, returns: str | None) -> bool:
    """Whether a function declared to answer ``returns`` can answer Python's None (null)."""
    if language == "javascript":
        return True
    primitive = {"int", "long", "short", "byte", "double", "float", "boolean", "char"}
    return language == "java" and (returns or "").strip() not in primitive


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
"""

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


# A program holds several samples (one compile for a batch): each call is (number, sample, function, arguments),
# the number tagging its answer line.
Call = tuple[int, int, ForeignFunction, list[Any]]
_INCLUDE = re.compile(r"^[ \t]*#[ \t]*include[^\n]*$", re.M)
_JAVA_IMPORT = re.compile(r"^[ \t]*(?:import|package)\s+[\w.*\s]+;", re.M)
_JAVA_TYPE = re.compile(r"^([ \t]*)((?:(?:public|private|protected|final|abstract)\s+)*)(class|interface|enum|record)\b",
                        re.M)


# Each Java call on a worker thread given a time limit: a worker that runs on is left behind for a new one.
_JAVA_CALL = """
  static final Set<String> failed = new HashSet<>();
  static java.util.concurrent.ExecutorService pool = worker();
  static java.util.concurrent.ExecutorService worker() {
    return java.util.concurrent.Executors.newSingleThreadExecutor(r -> { Thread t = new Thread(r); t.setDaemon(true); return t; });
  }
  static void call(String tag, String function, java.util.concurrent.Callable<Object> f) {
    if (failed.contains(function)) return;  // it threw or ran out of time: its other calls are skipped
    java.util.concurrent.Future<Object> answer = pool.submit(f);
    try { Object r = answer.get(LIMIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS); StringBuilder b = new StringBuilder(tag);
      emit(b, r); System.out.println(b); }
    catch (java.util.concurrent.TimeoutException e) { failed.add(function); answer.cancel(true); pool = worker(); }
    catch (Throwable e) { failed.add(function); }
  }
"""


def _cpp_program(codes: dict[int, ForeignCode], calls: list[Call], nonce: str, seconds: int) -> str:
    includes = dict.fromkeys(m.group(0).strip() for c in codes.values() for m in _INCLUDE.finditer(c.source))
    # each sample in a namespace of its own, so that two samples' ``find_longest`` do not collide
    spaces = [f"namespace decontam_s{k} {{\nusing namespace std;\n{_INCLUDE.sub('', c.source)}\n}}"
              for k, c in codes.items()]
    body: dict[int, list[str]] = {k: [] for k in codes}
    for n, k, fn, args in calls:
        decls = []
        for i, (t, v) in enumerate(zip(fn.params, args, strict=True)):
            bare = re.sub(r"&|\bconst\b", " ", t).strip()  # a named copy: a non-const reference binds to it
            decls.append(f"{bare} a{i} = {_literal('cpp', v, type_kind(t) or (), t)};")
        call = f"decontam_s{k}::{fn.name}({', '.join(f'a{i}' for i in range(len(args)))})"
        body[k].append(f"    {{ using namespace decontam_s{k}; try {{ {' '.join(decls)} auto r = {call}; "
                       f"std::cout << \"{nonce} {n} \"; emit_(r); std::cout << std::endl; }} catch (...) {{}} }}")
    # each sample in a child of its own, ended by an alarm: an exponential recursion or a crash stops only it
    main = [f"  if (pid_t p = fork(); p == 0) {{\n    alarm({seconds});\n" + "\n".join(lines) +
            "\n    std::cout.flush(); _exit(0);\n  } else if (p > 0) { waitpid(p, nullptr, 0); }" for lines in body.values()]
    return ("#include <bits/stdc++.h>\n#include <unistd.h>\n#include <sys/wait.h>\n" + "\n".join(includes) + "\n" +
            _CPP_EMIT + "\n".join(spaces) + "\nint main() {\n" + "\n".join(main) + "\n  return 0;\n}\n")


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
    return nested if last else "static class DecontamSample {\n" + source + "\n}"


def _java_program(codes: dict[int, ForeignCode], calls: list[Call], nonce: str, seconds: int) -> str:
    imports = dict.fromkeys(m.group(0).strip() for c in codes.values() for m in _JAVA_IMPORT.finditer(c.source)
                            if not m.group(0).lstrip().startswith("package"))
    holders = [f"  static class S{k} {{\n{_java_nested(_JAVA_IMPORT.sub('', c.source))}\n  }}" for k, c in codes.items()]
    body = []
    for n, k, fn, args in calls:
        owner = f"S{k}.{fn.owner or 'DecontamSample'}"
        target = owner if fn.static else f"new {owner}()"
        literals = ", ".join(_literal("java", v, type_kind(t) or (), t) for t, v in zip(fn.params, args, strict=True))
        body.append(f"    call(\"{nonce} {n} \", \"{k}.{fn.name}\", () -> {target}.{fn.name}({literals}));")
    return ("import java.util.*;\n" + "\n".join(imports) + "\n\npublic class DecontamHarness {\n" + "\n".join(holders)
            + _JAVA_EMIT + _JAVA_CALL.replace("LIMIT_MS", str(CALL_LIMIT_MS)) +
            "  public static void main(String[] args) {\n" + "\n".join(body) + "\n    System.exit(0);\n  }\n}\n")


def _js_program(codes: dict[int, ForeignCode], calls: list[Call], nonce: str, seconds: int) -> str:
    # each sample in a context of its own (node's vm), its top-level code and every call under a time limit:
    # a synchronous exponential recursion cannot be interrupted otherwise
    lines = ["const vm = require('vm');", "const quiet = {log() {}, error() {}, warn() {}, info() {}};"]
    for k, code in codes.items():
        lines.append(f"{{ const ctx = vm.createContext({{console: quiet}}); const failed = new Set();\n"
                     f"  try {{ vm.runInContext({json.dumps(code.source)}, ctx, {{timeout: {seconds * 1000}}}); }} catch (e) {{}}")
        for n, j, fn, args in calls:
            if j == k:  # a function that threw or ran out of time has failed: its other calls are skipped
                lines.append(f"  if (!failed.has({json.dumps(fn.name)})) try {{ const r = vm.runInContext("
                             f"{json.dumps(f'{fn.name}(...{json.dumps(args)})')}, ctx, {{timeout: {CALL_LIMIT_MS}}}); "
                             f"process.stdout.write({json.dumps(f'{nonce} {n} ')} + "
                             "JSON.stringify(r === undefined ? null : r) + '\\n'); } catch (e) { failed.add("
                             f"{json.dumps(fn.name)}); }}")
        lines.append("}")
    return "\n".join(lines) + "\nprocess.exit(0);\n"


_PROGRAMS = {"cpp": _cpp_program, "java": _java_program, "javascript": _js_program}


def _callable(code: ForeignCode, fn: ForeignFunction, args: list[Any]) -> bool:
    if len(args) != len(fn.params):
        return False
    if code.language == "javascript":
        return True
    kinds = [type_kind(t) for t in [*fn.params]]
    return type_kind(fn.returns or "") is not None and all(k is not None and _fits(v, k)
                                                             for k, v in zip(kinds, args, strict=True))


def reference_cases(problems: list[BenchProblem], limit_s: float,
                    workers: int | None = None) -> dict[str, list[tuple[list[Any], Any]]]:
    """(arguments, answer) cases of each problem: MBPP's literal assertions as they are; for EvalPlus inputs,
    the reference solution's answers, computed in the sandbox (``_decontam_probe`` with ``expected_only``)."""
    from alchemistcoder.curate.decontam_exec import PROBE
    from alchemistcoder.sandbox import Job, run_many

    out = {p.key: list(p.cases) for p in problems if p.mode == "asserts"}
    todo = [p for p in problems if p.mode == "inputs"]
    probe = PROBE.read_text(encoding="utf-8")
    jobs, nonces = [], []
    for start in range(0, len(todo), 20):  # 20 problems a job: the sandbox keeps 1 MiB of a program's output
        chunk, nonce = todo[start : start + 20], secrets.token_hex(8)
        job = {"nonce": nonce, "limit_s": limit_s, "expected_only": True, "max_case_chars": MAX_CASE_CHARS,
               "tasks": [p.test_spec() for p in chunk]}
        wall = 10 + 10 * limit_s * sum(len(p.inputs) for p in chunk)
        jobs.append(Job("python", probe, timeout_s=wall, files={"job.json": json.dumps(job)}))
        nonces.append(nonce)
    for nonce, result in zip(nonces, run_many(jobs, workers=workers), strict=True):
        for line in result.stdout.splitlines():
            tag, _, body = line.partition(" ")
            try:
                rec = json.loads(body) if tag == nonce else None
            except ValueError:
                continue  # cut short: the problem gets no cases
            if rec is not None:
                out[rec["task"]] = [(args, want) for args, want in rec["cases"]]
    return out


def _agrees(got: Any, want: Any) -> bool:
    """``_same`` of the probe, False where it cannot compare (an integer too large for a float)."""
    try:
        return _same(got, want, 0.0)
    except (OverflowError, TypeError, ValueError, RecursionError):
        return False


def verify_foreign(pairs: list[tuple[ForeignCode, list[tuple[str, list[str], list[tuple[list[Any], Any]]]]]],
                   timeout_s: float, workers: int | None = None, batch: int = BATCH) -> list[dict[str, ExecVerdict]]:
    """Run each sample's functions on the test cases of its candidate problems in the sandbox.

    ``pairs``: per sample, its code and (problem key, names of the functions to try, (arguments, expected
    answer) cases). A function passes a problem when it answers every case its types can express, and at
    least half of them can be expressed. Samples of a language go ``batch`` to a program (each in a namespace,
    nested class or function of its own); a batch that does not compile is halved until each sample that
    compiles has run. Returns, per pair, the verdicts by problem key.
    """
    from alchemistcoder.sandbox import Job, run_many

    out: list[dict[str, ExecVerdict]] = [{} for _ in pairs]
    index: list[tuple[int, str, str, Any]] = []  # per call number: sample, problem, function, expected answer
    calls_of: dict[int, list[Call]] = {}
    for k, (code, problems) in enumerate(pairs):
        by_name = {f.name: f for f in code.functions}
        for key, names, cases in problems:
            for fn in (by_name[name] for name in names):
                usable = [(args, want) for args, want in cases if _callable(code, fn, args)
                          and (want is not None or _holds_none(code.language, fn.returns))]
                if not cases or len(usable) * 2 < len(cases):
                    continue  # its types cannot express most of the tests: no evidence either way
                for args, want in usable:
                    calls_of.setdefault(k, []).append((len(index), k, fn, list(args)))
                    index.append((k, key, fn.name, want))
    by_language: dict[str, list[int]] = {}
    for k in calls_of:
        by_language.setdefault(pairs[k][0].language, []).append(k)
    wave = [ks[i : i + batch] for ks in by_language.values() for i in range(0, len(ks), batch)]
    answers: dict[int, Any] = {}
    while wave:
        jobs, nonces = [], []
        for group in wave:
            nonce = secrets.token_hex(8)
            codes = {k: pairs[k][0] for k in group}
            program = _PROGRAMS[pairs[group[0]][0].language](codes, [c for k in group for c in calls_of[k]], nonce,
                                                             max(1, int(timeout_s)))
            jobs.append(Job(pairs[group[0]][0].language, program, timeout_s=timeout_s * (len(group) + 1)))
            nonces.append(nonce)
        retry = []
        for group, nonce, result in zip(wave, nonces, run_many(jobs, workers=workers), strict=True):
            if result.status == "compile_error" and len(group) > 1:
                retry += [group[: len(group) // 2], group[len(group) // 2 :]]
                continue
            before = set(answers)
            for line in result.stdout.splitlines():
                tag, _, rest = line.partition(" ")
                number, _, body = rest.partition(" ")
                if tag == nonce and number.isdigit():
                    try:
                        answers[int(number)] = json.loads(body)
                    except ValueError:
                        continue
            # a sample that crashed, exited or ran out of time took the batch's later samples with it
            silent = [k for k in group if not any(c[0] in answers and c[0] not in before for c in calls_of[k])]
            if result.status != "ok" and len(group) > 1 and silent:
                retry += [part for part in (silent[: len(silent) // 2], silent[len(silent) // 2 :]) if part]
        wave = retry
    tally: dict[tuple[int, str, str], list[int]] = {}
    for n, (k, key, name, want) in enumerate(index):
        t = tally.setdefault((k, key, name), [0, 0])
        t[0] += n in answers and _agrees(answers[n], want)
        t[1] += 1
    for (k, key, name), (passed, total) in tally.items():
        verdict = ExecVerdict(key, name, passed, total, language=pairs[k][0].language)
        best = out[k].get(key)
        if best is None or (verdict.leak, verdict.passed) > (best.leak, best.passed):
            out[k][key] = verdict
    return out
