"""A C++ or Java program that defines no function but ``main``, or a JavaScript script that defines none, as one
function (``lift_main``); a C, C++ or Java program or function that prints its answer one value at a time in a loop,
as one returning the values (``lift_print_loop``, ``returning_prints``)."""

from __future__ import annotations

import re

from alchemistcoder.code.braces import body_end as _body_end
from alchemistcoder.code.braces import split_params as _split_params

_JAVA_CLASS = re.compile(r"^[ \t]*(?:(?:public|final|abstract)\s+)*class\s+(\w+)", re.M)


LIFTED_MAIN = "lifted_main"
_SIMPLE_TYPE = r"(?:unsigned\s+|signed\s+)?(?:long\s+long|long|int|short|double|float|bool|boolean|char|String|std::string|string)"
_CIN = re.compile(r"^[ \t]*(?:std::)?cin\s*((?:>>\s*\w+\s*)+);[ \t]*$", re.M)
_SCANNED = re.compile(rf"^[ \t]*({_SIMPLE_TYPE})\s+(\w+)\s*=\s*\w+\.next(?:Int|Double|Long|Float|Line|Boolean)?\(\)\s*;[ \t]*$", re.M)
_COUT = re.compile(r"^[ \t]*(?:std::)?cout\s*<<([^;]*);[ \t]*$", re.M)
_PRINTLN = re.compile(r"^[ \t]*System\.out\.print(?:ln|f)?\s*\((.*)\)\s*;[ \t]*$", re.M)


# An array given as a literal in ``main``: C++ ``int a[10] = {...}`` or ``vector<int> a = {...}``, Java ``int[] a = {...}``.
_ARRAYS = {"cpp": [re.compile(rf"^[ \t]*(?:const\s+)?(?P<type>{_SIMPLE_TYPE})\s+(?P<name>\w+)\s*\[\s*(?P<size>\d*)\s*\]\s*=\s*"
                              r"\{(?P<items>[^{};]*)\}\s*;[ \t]*$", re.M),
                   re.compile(rf"^[ \t]*(?:std::)?vector\s*<\s*(?P<type>{_SIMPLE_TYPE})\s*>\s+(?P<name>\w+)\s*=?\s*"
                              r"\{(?P<items>[^{};]*)\}\s*;[ \t]*$", re.M)],
           "java": [re.compile(rf"^[ \t]*(?P<type>{_SIMPLE_TYPE})\s*\[\s*\]\s+(?P<name>\w+)\s*=\s*(?:new\s+\w+\s*\[\s*\]\s*)?"
                               r"\{(?P<items>[^{};]*)\}\s*;[ \t]*$", re.M)]}


def _literal_array(language: str, body: str) -> tuple[tuple[str, str], str] | None:
    """The one array literal of a ``main`` that reads nothing, as its parameter (type, name), and the body without
    its declaration, its length written as the parameter's (``sizeof(a) / sizeof(a[0])``, a loop's ``i < 10``)."""
    found = [m for pattern in _ARRAYS[language] for m in pattern.finditer(body)]
    if len(found) != 1 or len(items := _split_params(found[0]["items"])) < 2:
        return None
    m = found[0]
    name, size = m["name"], m.groupdict().get("size") or str(len(items))
    length = f"(int){name}.size()" if language == "cpp" else f"{name}.length"
    rest = body[: m.start()] + body[m.end() :]
    rest = re.sub(rf"sizeof\s*\(?\s*{name}\s*\)?\s*/\s*sizeof\s*\(?\s*(?:{name}\s*\[\s*0\s*\]|\*\s*{name}|{m['type']})\s*\)?",
                  length, rest)
    rest = re.sub(rf"(\bfor\s*\([^;]*;[^;]*<\s*){size}\b", rf"\g<1>{length}", rest)
    return (f"std::vector<{m['type']}>" if language == "cpp" else f"{m['type']}[]", name), rest


def _declared(body: str, name: str) -> tuple[str, re.Match[str]] | None:
    """The simple type a variable of ``main`` is declared with, and the declaration."""
    for m in re.finditer(rf"^[ \t]*({_SIMPLE_TYPE})\s+([^;()]*);", body, re.M):
        names = [part.split("=")[0].strip() for part in m.group(2).split(",")]
        if name in names:
            return m.group(1), m
    return None


Lifted = tuple[str, str, list[tuple[str, list[str | None], str | None, str]]]  # language, source, (name, params, returns, owner)


def lift_main(language: str, code: str) -> Lifted | None:
    """A C++ or Java program that defines no function but ``main``, or a JavaScript script (:func:`_lift_js`), as
    one: the values it reads (``cin``, ``Scanner``), in order, become its parameters (or, reading none, the one
    array it declares as a literal), and the variable its last top-level print shows, its answer
    ("accepts an integer from the user and counts its digits" is MBPP/365 with another interface). Prompts and
    other prints are dropped. None when the program reads nothing, or its last print shows no declared variable."""
    if language == "javascript":
        return _lift_js(code)
    main = re.search(r"^[ \t]*(?:public\s+)?(?:static\s+)?(?:int|void)\s+main\s*\([^)]*\)[^{;]*\{", code, re.M)
    if main is None or language not in ("cpp", "java", "c"):
        return None
    if language == "c" or not (_CIN.search(code) or _SCANNED.search(code) or _literal_array(language, code)):
        return lift_print_loop(language, code, main)
    end = _body_end(code, main.end() - 1)
    body = code[main.end() : end - 1]
    params: list[tuple[str, str]] = []
    if language == "cpp":
        reads = [(n, r) for r in _CIN.finditer(body) for n in re.findall(r">>\s*(\w+)", r.group(1))]
        for name, _r in reads:
            found = _declared(body, name)
            if found is None:
                return None
            params.append((found[0], name))
        prints = list(_COUT.finditer(body))
        shown = [t.strip() for t in prints[-1].group(1).split("<<")] if prints else []
    else:
        params = [(m.group(1), m.group(2)) for m in _SCANNED.finditer(body)]
        prints = list(_PRINTLN.finditer(body))
        shown = [t.strip() for t in _split_params(prints[-1].group(1).replace("+", ","))] if prints else []
    shown = [t for t in shown if t and not t.startswith(("\"", "'")) and t not in ("endl", "std::endl")]
    array = None if params else _literal_array(language, body)  # reads nothing: an array literal is its input
    if array is not None:
        params = [array[0]]
    if not params or not prints or not shown or not re.fullmatch(r"\w+", shown[-1]):
        return None
    answer = shown[-1]
    last = prints[-1]
    if body.count("{", 0, last.start()) != body.count("}", 0, last.start()):
        return None  # printed inside a branch or loop: not the program's one answer
    returns = _declared(body, answer)
    if returns is None and answer not in {n for _t, n in params}:
        return None
    kind = returns[0] if returns else dict((n, t) for t, n in params)[answer]
    names = {n for _t, n in params}
    lines = []
    for line in (array[1] if array else body).splitlines():
        if _CIN.fullmatch(line) or _SCANNED.fullmatch(line) or _COUT.fullmatch(line) or _PRINTLN.fullmatch(line) \
                or re.fullmatch(r"\s*(?:return\s+0\s*;|\w+\.close\(\)\s*;|Scanner\s+\w+\s*=\s*new\s+Scanner\([^)]*\)\s*;)\s*",
                                line):
            continue
        decl = re.fullmatch(rf"([ \t]*)({_SIMPLE_TYPE})\s+([^;()]*);\s*", line)
        if decl:  # a parameter's declaration goes (the others declared with it stay)
            rest = [part for part in decl.group(3).split(",") if part.split("=")[0].strip() not in names]
            line = f"{decl.group(1)}{decl.group(2)} {', '.join(p.strip() for p in rest)};" if rest else ""
        lines.append(line)
    signature = ", ".join(f"{t} {n}" for t, n in params)
    prefix = "public static " if language == "java" else ""
    lifted = f"{prefix}{kind} {LIFTED_MAIN}({signature}) {{\n" + "\n".join(lines) + f"\n    return {answer};\n}}"
    source = code[: main.start()] + lifted + code[end:]
    owner = ""
    if language == "java":
        owner = next((c.group(1) for c in reversed(list(_JAVA_CLASS.finditer(code))) if c.start() < main.start()), "")
    return language, source, [(LIFTED_MAIN, [t for t, _n in params], kind, owner)]


# A JavaScript script's input: a name bound once, at the top level, to a literal (an array, a string, a number).
_JS_LITERAL = re.compile(r"^(?:const|let|var)\s+(\w+)\s*=\s*(\[[^;]*\]|'[^'\\\n]*'|\"[^\"\\\n]*\"|-?\d+(?:\.\d+)?)\s*;?\s*$")
_JS_LOG = re.compile(r"^console\.log\s*\((.*)\)\s*;?\s*$")


def _lift_js(code: str) -> Lifted | None:
    """A JavaScript script that defines no function (``const xs = [1, 2, 3]; const evens = xs.filter(...);
    console.log(evens);``), as ``lifted_main``: the names bound to a literal at the top level and never assigned
    again become its parameters, in order, and the value its last print shows (at the top level, the last argument
    that is not a string literal) its answer, as ``lift_main`` reads a C++ or Java ``main``. Other top-level prints
    are dropped. None when the script binds no literal, defines a function, or prints last inside a block."""
    if re.search(r"\bfunction\b|=>\s*\{|\bclass\s|\b(?:require|import|prompt|readline|process)\b", code):
        return None
    lines, depth, params, logs = [], 0, [], []
    for line in code.splitlines():
        text = line.strip()
        top = depth == 0
        depth += text.count("{") + text.count("(") + text.count("[") - text.count("}") - text.count(")") - text.count("]")
        if not text or text.startswith("//"):
            continue
        literal = _JS_LITERAL.match(text) if top else None
        log = _JS_LOG.match(text)
        if log and top:
            logs.append(log.group(1))
            continue
        if log:
            logs.append(None)  # a print inside a block or a multi-line expression: no one answer
        if literal:
            params.append((literal.group(1), len(lines)))
        lines.append(line)
    if not logs or logs[-1] is None or depth != 0:
        return None
    # a literal assigned again is an accumulator (``let sum = 0; ... sum += x``): it stays, the others are inputs
    inputs = [(name, at) for name, at in params
              if not re.search(rf"(?<![=!<>.\w]){name}\s*(?:[-+*/%]?=(?!=)|\+\+|--)|(?:\+\+|--){name}\b",
                               "\n".join(lines[:at] + lines[at + 1 :]))]
    if not inputs:
        return None
    dropped = {at for _name, at in inputs}
    body = "\n".join(line for k, line in enumerate(lines) if k not in dropped)
    params = [name for name, _at in inputs]
    shown = [t.strip() for t in _split_params(logs[-1])]
    shown = [t for t in shown if t and not t.startswith(("'", '"', "`"))]
    if not shown:
        return None
    lifted = f"function {LIFTED_MAIN}({', '.join(params)}) {{\n{body}\n    return {shown[-1]};\n}}"
    return "javascript", lifted, [(LIFTED_MAIN, [None] * len(params), None, "")]


# -- a loop that prints its answer one value at a time ------------------------------------------------------------------
_PRINT_LINE = re.compile(r"^[ \t]*(?:printf\s*\((?P<printf>.*)\)|(?:std::)?cout\s*<<(?P<cout>.*)|"
                         r"System\.out\.print(?:ln)?\s*\((?P<java>.*)\))\s*;[ \t]*$")
_INT_CONVERSION = re.compile(r"%[-+ #0]*\d*(?:l{0,2}|h{0,2}|z)[diu]")
_BOUND = re.compile(r"(\bfor\s*\([^;]*;\s*\w+\s*)(<=?)\s*(\d+)(\s*;)|(\bwhile\s*\(\s*\w+\s*)(<=?)\s*(\d+)(\s*\))")
LIFTED_SHIFTED = f"{LIFTED_MAIN}_shifted"
LIFTED_NAMES = frozenset({LIFTED_MAIN, LIFTED_SHIFTED})
_RETURNS = {"cpp": "std::vector<long long>", "java": "long[]"}  # what a function returns the printed numbers as


def _shown(line: str) -> str | None:
    """What a print statement shows: its one value's expression, "" for a label (literals only), None for a line
    that is no print or shows several values."""
    m = _PRINT_LINE.match(line)
    if m is None:
        return None
    if m["printf"] is not None:
        fmt = re.match(r'\s*"((?:[^"\\]|\\.)*)"\s*(?:,(.*))?$', m["printf"])
        if fmt is None or "%" in _INT_CONVERSION.sub("", fmt.group(1)).replace("%%", ""):
            return None
        values = _split_params(fmt.group(2) or "")
        return (values[0].strip() if values else "") if len(values) == len(_INT_CONVERSION.findall(fmt.group(1))) <= 1 else None
    terms = m["cout"].split("<<") if m["cout"] is not None else _split_params(m["java"].replace("+", ","))
    values = [t.strip() for t in terms if t.strip() and not t.strip().startswith(("\"", "'"))
              and t.strip() not in ("endl", "std::endl")]
    return values[0] if len(values) == 1 else "" if not values else None


def _collected(language: str, body: str) -> str | None:
    """``body`` with its one value print, inside a loop, replaced by adding the value to ``__out`` (declared first,
    returned last and at each ``return``), its label prints dropped; None unless it prints one value that way."""
    lines, pushes, depth = [], 0, 0
    for line in body.splitlines():
        shown = _shown(line)
        if shown == "":
            continue  # a label: "Prime numbers between 1 and 100:"
        if shown is not None:
            if depth == 0 or not re.fullmatch(r"[\w\[\]().+\-*/% ]+", shown):
                return None  # printed once, not in a loop, or not a number's expression
            add = f"__out.push_back((long long)({shown}));" if language == "cpp" else f"__out.add((long)({shown}));"
            line, pushes = re.sub(r"\S.*$", add, line), pushes + 1
        depth += line.count("{") - line.count("}")
        lines.append(line)
    if pushes != 1:
        return None
    out = "__out" if language == "cpp" else "__out.stream().mapToLong(Long::longValue).toArray()"
    text = re.sub(r"\breturn(?:\s+0)?\s*;", f"return {out};", "\n".join(lines))
    head = "std::vector<long long> __out;" if language == "cpp" else "java.util.ArrayList<Long> __out = new java.util.ArrayList<>();"
    return f"\n    {head}\n{text}\n    return {out};\n"


_VOID = re.compile(r"^([ \t]*(?:(?:public|private|protected|static|final|inline)\s+)*)void(\s+(?!main\b)\w+\s*\([^()]*\)\s*\{)",
                   re.M)


def returning_prints(language: str, code: str) -> str:
    """``code`` (C++ or Java) with each ``void`` function that prints its answer one number at a time in a loop
    ("a C++ program to find all prime numbers up to n": ``void sieve(int n)`` printing each prime) returning the
    numbers instead, as Python's ``code.interfaces.printing_functions`` reads one through what it prints."""
    for m in reversed(list(_VOID.finditer(code))):
        end = _body_end(code, m.end() - 1)
        collected = _collected(language, code[m.end() : end - 1])
        if collected is not None:
            code = f"{code[: m.start()]}{m[1]}{_RETURNS[language]}{m[2]}{collected}}}{code[end:]}"
    return code


def lift_print_loop(language: str, code: str, main: re.Match[str]) -> Lifted | None:
    """A ``main`` that reads nothing and prints its answer one number at a time in a loop whose bound is a literal
    ("all the prime numbers between 1 and 100": ``for (i = 2; i <= 100; i++) ... printf("%d ", i)``), as a function
    of the bound returning the numbers; C is read as C++. Twice: the bound as written, and shifted by one ("up to
    100" or "below 101": ``<=`` for ``<``, as Python's ``range(1, 11)`` is tried both ways)."""
    end = _body_end(code, main.end() - 1)
    body = code[main.end() : end - 1]
    first = _BOUND.search(body)
    if re.search(r"\b(?:scanf|getchar|fgets|cin|Scanner|readLine)\b", body) or not first or int(first[3] or first[7]) < 2:
        return None
    target = "cpp" if language in ("c", "cpp") else "java"
    owner = next((c.group(1) for c in reversed(list(_JAVA_CLASS.finditer(code))) if c.start() < main.start()), "") \
        if target == "java" else ""
    head, op, tail = (first[1], first[2], first[4]) if first[1] is not None else (first[5], first[6], first[8])
    prefix = "public static " if target == "java" else ""
    functions, lifted = [], []
    for name, compare in ((LIFTED_MAIN, op), (LIFTED_SHIFTED, {"<": "<=", "<=": "<"}[op])):
        collected = _collected(target, f"{body[: first.start()]}{head}{compare} n{tail}{body[first.end() :]}")
        if collected is None:
            return None
        lifted.append(f"{prefix}{_RETURNS[target]} {name}(int n) {{{collected}}}")
        functions.append((name, ["int"], _RETURNS[target], owner))
    return target, code[: main.start()] + "\n\n".join(lifted) + code[end:], functions

