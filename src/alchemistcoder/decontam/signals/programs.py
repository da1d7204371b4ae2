"""The programs that call a C++, Java or JavaScript sample's functions on a benchmark's tests
(``foreign.py``): declared types, literals of the tests' values in those types, and one harness per
language that prints each answer as a line of the sandbox harness's tagged protocol (``<nonce> {"call": n,
"answer": ...}``, read by ``alchemistcoder.sandbox.harness.parse_tagged``).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Milliseconds a Java or JavaScript call may take (a C++ sample has the sample's whole time, by an alarm).
CALL_LIMIT_MS = 1000
# A program holds several samples (one compile for a batch): each call is (number, sample, function, arguments),
# the number tagging its answer line.
Call = tuple[int, int, Any, list[Any]]  # the function: a foreign.ForeignFunction

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


def value_fits(value: Any, kind: tuple[str, ...]) -> bool:
    head = kind[0]
    if head == "list":
        return isinstance(value, (list, tuple)) and all(value_fits(v, kind[1:]) for v in value)
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


def holds_none(language: str, returns: str | None) -> bool:
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
      emit(b, r); b.append('}'); System.out.println(b); }
    catch (java.util.concurrent.TimeoutException e) { failed.add(function); answer.cancel(true); pool = worker(); }
    catch (Throwable e) { failed.add(function); }
  }
"""


def _tag(nonce: str, n: int) -> str:
    """The start of the line that reports call ``n``: the harness's tagged protocol (``sandbox.harness.parse_tagged``),
    a JSON object whose ``answer`` the program writes next and closes with ``}``."""
    return f'{nonce} {{"call": {n}, "answer": '


def _cpp_program(codes: dict[int, Any], calls: list[Call], nonce: str, seconds: int) -> str:
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
        tag = _c_string(_tag(nonce, n))
        body[k].append(f"    {{ using namespace decontam_s{k}; try {{ {' '.join(decls)} auto r = {call}; "
                       f"std::cout << \"{tag}\"; emit_(r); std::cout << '}}' << std::endl; }} catch (...) {{}} }}")
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


def _java_program(codes: dict[int, Any], calls: list[Call], nonce: str, seconds: int) -> str:
    imports = dict.fromkeys(m.group(0).strip() for c in codes.values() for m in _JAVA_IMPORT.finditer(c.source)
                            if not m.group(0).lstrip().startswith("package"))
    holders = [f"  static class S{k} {{\n{_java_nested(_JAVA_IMPORT.sub('', c.source))}\n  }}" for k, c in codes.items()]
    body = []
    for n, k, fn, args in calls:
        owner = f"S{k}.{fn.owner or 'DecontamSample'}"
        target = owner if fn.static else f"new {owner}()"
        literals = ", ".join(_literal("java", v, type_kind(t) or (), t) for t, v in zip(fn.params, args, strict=True))
        tag = _c_string(_tag(nonce, n))
        body.append(f"    call(\"{tag}\", \"{k}.{fn.name}\", () -> {target}.{fn.name}({literals}));")
    return ("import java.util.*;\n" + "\n".join(imports) + "\n\npublic class DecontamHarness {\n" + "\n".join(holders)
            + _JAVA_EMIT + _JAVA_CALL.replace("LIMIT_MS", str(CALL_LIMIT_MS)) +
            "  public static void main(String[] args) {\n" + "\n".join(body) + "\n    System.exit(0);\n  }\n}\n")


def _js_program(codes: dict[int, Any], calls: list[Call], nonce: str, seconds: int) -> str:
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
                             f"process.stdout.write({json.dumps(_tag(nonce, n))} + "
                             "JSON.stringify(r === undefined ? null : r) + '}\\n'); } catch (e) { failed.add("
                             f"{json.dumps(fn.name)}); }}")
        lines.append("}")
    return "\n".join(lines) + "\nprocess.exit(0);\n"


PROGRAMS = {"cpp": _cpp_program, "java": _java_program, "javascript": _js_program}
