"""Execution evidence for C++, Java, JavaScript, Go, Rust, C, C#, Ruby and PHP samples: the benchmark's Python tests
as typed calls.

A third of the paraphrases that execution missed had no Python: "Implement a Java method to check whether a
given string is a palindrome" with a Java answer. Their functions can run on the same tests: each test's
arguments (EvalPlus inputs, or the literal arguments of MBPP's ``assert f(...) == ...``) become literals of the
parameter types the function declares (``const std::vector<std::string>&``, ``List<Integer>``, ``int[]``, Go's
``[]string``, Rust's ``&[i32]`` or ``Vec<String>``, C's ``int *arr, int n`` given the array and its length; in
JavaScript, Ruby and PHP the values themselves; C#'s ``int[]``, ``List<long>``), a generated ``main`` calls the
function on each and prints the answer as JSON, and the host compares it with the expected answer as the Python
probe does (``_same.py``). An answer the
declared return type cannot express (Python's ``None`` from a C++ ``std::string`` function) leaves its test
out, as an input the reference rejects does. The program, compiler included, runs in the sandbox only.

A C# sample's methods are those of its classes (a bare method, CodeAlpaca's usual answer, goes into a class
of its own, the statements beside it dropped), called by reflection; a Ruby sample's are its top-level ``def``s, a
PHP sample's its functions and static methods (``php.py``).

Only simple signatures count (numbers, booleans, characters, strings, and lists or arrays of them, nested);
a function whose parameters or answer are anything else is not tried, and a program that does not compile
proves nothing. This is written by hand rather than with tree-sitter: the regular expressions below are the
whole parser it needs, and they keep the package free of a grammar per language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.code import extract_code_blocks
from alchemistcoder.code.braces import body_end as _body_end
from alchemistcoder.code.braces import split_params as _split_params
from alchemistcoder.decontam.signals._foreign_source import (
    _drop_helpers,
    _loop_spans,
    _main_loops,
    _strip_cpp_main,
)
from alchemistcoder.decontam.signals._lift_main import _JAVA_CLASS, lift_main, returning_prints
from alchemistcoder.decontam.signals._same import odd_spacing, same, spacing_only
from alchemistcoder.decontam.signals.batches import BATCH, run_calls
from alchemistcoder.decontam.signals.csharp_ruby import (
    _param_type,
    cs_holds_none,
    cs_kind,
    cs_methods,
    cs_normalized,
    cs_program,
    rb_functions,
    rb_program,
)
from alchemistcoder.decontam.signals.harness_parts import go_runtime, rust_runtime
from alchemistcoder.decontam.signals.javascript import js_program
from alchemistcoder.decontam.signals.php import php_functions, php_like, php_program
from alchemistcoder.decontam.signals.programs import (
    CALL_LIMIT_MS,
    ONE_PER_PROGRAM,
    PROGRAMS,
    Call,
    _late,
    _tag,
    holds_none,
    type_kind,
    value_fits,
)
from alchemistcoder.decontam.signals.python import ExecVerdict, Function, SampleCode

LANGUAGES = ("cpp", "java", "javascript", "go", "rust", "c", "csharp", "ruby", "php")
_KEYWORDS = frozenset({"if", "for", "while", "switch", "return", "catch", "else", "do", "main", "sizeof", "new"})
_CPP_SIGNATURE = re.compile(
    r"^[ \t]*(?:(?:static|inline|constexpr|virtual)\s+)*((?:const\s+)?(?:(?:unsigned|signed|long|short)\s+)*[\w:]+"
    r"(?:\s*<[\w:<>,\s*&]*>)?[\s*&]*?)\s*"
    r"\b(\w+)\s*\(([^()]*)\)\s*(?:const\s*)?(?:noexcept\s*)?\{", re.M)
_JAVA_SIGNATURE = re.compile(
    r"^[ \t]*((?:(?:public|private|protected|static|final|synchronized)\s+)*)([\w.]+(?:\s*<[\w<>,.?\s]*>)?(?:\s*\[\s*\])*)"
    r"\s+(\w+)\s*\(([^()]*)\)\s*(?:throws\s+[\w.,\s]+)?\{", re.M)
_GO_SIGNATURE = re.compile(r"^func\s+(\w+)\s*\(([^()]*)\)\s*([^{()]*?)\s*\{", re.M)  # no receiver, one answer
_RUST_SIGNATURE = re.compile(
    r"^[ \t]*(?:pub(?:\([\w:]+\))?\s+)?(?:const\s+)?fn\s+(\w+)\s*(?:<\s*'\w+(?:\s*,\s*'\w+)*\s*>)?\s*\(([^()]*)\)\s*"
    r"(?:->\s*([^{]+?))?\s*\{", re.M)
_RUST_IMPL = re.compile(r"^[ \t]*impl\s+(\w+)\s*\{", re.M)
_C_SIGNATURE = re.compile(
    r"^[ \t]*(?:(?:static|inline|extern)\s+)*((?:const\s+)?(?:(?:unsigned|signed|long|short)\s+)*\w+[\s*]*?)\s*"
    r"\b(\w+)\s*\(([^()]*)\)\s*\{", re.M)
# C passes an array with its length: the parameter after a pointer, named like a length, is filled in
_C_LENGTH = re.compile(r"^(?:n|len|length|size|sz|count|num|cnt|arr_?size|array_?size|arr_?len|\w*(?:len|size|length|count))$",
                       re.IGNORECASE)
_JS_SIGNATURE = re.compile(
    r"^[ \t]*(?:async\s+)?function\s*\*?\s*(\w+)\s*\(([^()]*)\)|"
    r"^[ \t]*(?:const|let|var)\s+(\w+)\s*=\s*(?:async\s+)?(?:function\s*\w*\s*\(([^()]*)\)|\(([^()]*)\)\s*=>|(\w+)\s*=>)",
    re.M)


# The harness programs by language: programs.py's (a Go or Rust one followed by harness_parts.py's runtime), C#'s
# and Ruby's (csharp_ruby.py), PHP's (php.py) and JavaScript's (javascript.py), given each call's tag and the call
# limit; a Ruby or PHP program holds one sample (no compile to share; a class one sample defines would be reopened,
# a PHP function redeclared).
_PROGRAMS = {**PROGRAMS,
             "go": lambda codes, calls, nonce, seconds: PROGRAMS["go"](codes, calls, nonce, seconds) + go_runtime(CALL_LIMIT_MS),
             "rust": lambda codes, calls, nonce, seconds: PROGRAMS["rust"](codes, calls, nonce, seconds) + rust_runtime(CALL_LIMIT_MS),
             "csharp": lambda codes, calls, nonce, seconds: cs_program(codes, calls, *_tags(nonce, calls), CALL_LIMIT_MS),
             "ruby": lambda codes, calls, nonce, seconds: rb_program(codes, calls, *_tags(nonce, calls), seconds, CALL_LIMIT_MS),
             "php": lambda codes, calls, nonce, seconds: php_program(codes, calls, *_tags(nonce, calls), seconds, CALL_LIMIT_MS),
             "javascript": lambda codes, calls, nonce, seconds: js_program(codes, calls, *_tags(nonce, calls), seconds, CALL_LIMIT_MS, nonce)}
_ONE_PER_PROGRAM = ONE_PER_PROGRAM | {"ruby", "php"}


def _tags(nonce: str, calls: list[Call]) -> tuple[dict[int, str], dict[int, str]]:
    """Each call's answer line's start and its whole line when it runs out of time (``programs._tag``, ``_late``)."""
    return {n: _tag(nonce, n) for n, *_rest in calls}, {n: _late(nonce, n) for n, *_rest in calls}


def harness_answers(codes: dict[int, ForeignCode], calls_of: dict[int, list[Call]], timeout_s: float,
                    workers: int | None = None, batch: int = BATCH,
                    group: Callable[[int], Hashable] | None = None, late: set[int] | None = None,
                    lost: set[int] | None = None) -> dict[int, Any]:
    """Every sample's calls in its language's harness programs, in the sandbox (``batches.run_calls``): the
    answers by call number; a call that threw, crashed or ran out of time has none (``late`` receives those out
    of time, ``lost`` the samples a run of which the sandbox stopped)."""
    return run_calls(codes, calls_of, timeout_s, workers, _PROGRAMS, _ONE_PER_PROGRAM, batch=batch, group=group,
                     late=late, lost=lost)


def _kind(declared: str, language: str) -> tuple[str, ...] | None:
    """``programs.type_kind``, C# types included."""
    return cs_kind(declared) if language == "csharp" else type_kind(declared, language)


def _holds_none(language: str, returns: str | None) -> bool:
    """``programs.holds_none``, C#, Ruby and PHP included (a Ruby or PHP function can answer nil or null)."""
    return cs_holds_none(returns) if language == "csharp" else language in ("ruby", "php") or holds_none(language, returns)


@dataclass(slots=True)
class ForeignFunction:
    """A function of a sample: its name, parameter types (None in JavaScript, Ruby, PHP), answer type, and for Java
    and C# the class that holds it and whether it is static (PHP: ``php.php_functions``'s owner)."""

    name: str
    params: list[str | None]
    returns: str | None
    owner: str = ""
    static: bool = True
    sized: frozenset[int] = frozenset()  # C, C++: the arrays followed by their length (given with it)
    # C, C++, Java, PHP (``&$arr``): returns nothing and changes its first argument, an array or list, whose value
    # after the call is the answer (``returns`` is that argument's type): "sort an array by insertion sort" as ``void sort(int[])``
    inplace: bool = False


@dataclass(slots=True)
class ForeignCode:
    """A sample's code in one of :data:`LANGUAGES` and its callable functions."""

    language: str
    source: str
    functions: list[ForeignFunction]

    def as_sample_code(self) -> SampleCode:
        """The functions as :class:`SampleCode` sees them (name and arity), for choosing what to try."""
        return SampleCode([], [Function(f.name, len(f.params), len(f.params), helper=False) for f in self.functions])


def _go_params(text: str) -> list[str]:
    """Go's parameter types, grouped names expanded: ``a, b int, s string`` -> ``[int, int, string]``."""
    pieces = [p.strip() for p in _split_params(text)]
    types: list[str] = []
    pending = 0
    for piece in pieces:
        parts = piece.split(None, 1)
        if len(parts) == 1:
            pending += 1  # a name whose type comes with a later one
            continue
        types += [parts[1].strip()] * (pending + 1)
        pending = 0
    return types if not pending else []


def _go_functions(code: str) -> list[ForeignFunction]:
    out = []
    for m in _GO_SIGNATURE.finditer(code):
        name, returns = m.group(1), m.group(3).strip()
        params = _go_params(m.group(2))
        if name != "main" and returns and (params or not m.group(2).strip()):
            out.append(ForeignFunction(name, list(params), returns))
    return out


def _rust_functions(code: str) -> list[ForeignFunction]:
    impls = [(i.start(), i.end() - 1, i.group(1)) for i in _RUST_IMPL.finditer(code)]
    out = []
    for m in _RUST_SIGNATURE.finditer(code):
        name, returns = m.group(1), (m.group(3) or "").strip()
        params = _split_params(m.group(2))
        if name == "main" or not returns or any(p.lstrip("&mut ").startswith("self") for p in params):
            continue
        owner = ""
        depth = code.count("{", 0, m.start()) - code.count("}", 0, m.start())
        if depth:  # inside an ``impl Solution { ... }`` block: called as ``Solution::name``
            around = [n for start, brace, n in impls if start < m.start() < _body_end(code, brace)]
            if depth != 1 or not around:
                continue
            owner = around[-1]
        out.append(ForeignFunction(name, [p.split(":", 1)[1].strip() if ":" in p else "?" for p in params], returns, owner))
    return out


def _c_functions(code: str) -> list[ForeignFunction]:
    out = []
    for m in _C_SIGNATURE.finditer(code):
        returns, name = m.group(1).strip(), m.group(2)
        if name in _KEYWORDS or returns in ("return", "else") or returns.startswith("struct"):
            continue
        if (fn := _c_family_function(name, m.group(3), returns, "c")) is not None:
            out.append(fn)
    return out


def _c_family_function(name: str, params: str, returns: str, language: str) -> ForeignFunction | None:
    """A C or C++ function from its signature's parts: a ``void`` one only when it changes its array argument
    (:func:`_changed_argument`), read through that argument."""
    types, sized = _with_lengths(_split_params(params), language)
    if "void" not in returns.split():
        return ForeignFunction(name, types, returns, sized=sized)
    changed = _changed_argument(types, language)
    return None if changed is None else ForeignFunction(name, types, changed, sized=sized, inplace=True)


def _changed_argument(params: list[str | None], language: str) -> str | None:
    """The type of a function's first parameter when it is an array or list it can change (not ``const``): a
    function that returns nothing is then read through it (``ForeignFunction.inplace``); None otherwise."""
    first = (params or [None])[0]
    if first is None or re.search(r"\bconst\b", first):
        return None
    kind = type_kind(first, language)
    if not kind or kind[0] != "list" or (language == "cpp" and not re.search(r"&|\[\s*\]|\*", first)):
        return None  # a C++ vector taken by value: its caller never sees the change
    return first


def _with_lengths(raw: list[str], language: str) -> tuple[list[str | None], frozenset[int]]:
    """Declared parameter types, an array or pointer followed by a parameter named like its length read as one
    parameter (the test gives the array; the harness passes its length too): the indices of those. In C++ such
    an array is written ``T[]`` (``int* arr, int n`` as ``int[]``), so the C++ types read it as a list."""
    params: list[str | None] = []
    sized = set()
    i = 0
    while i < len(raw):
        declared = _param_type(raw[i])
        kind = type_kind(declared, "c")
        if kind and kind[0] == "list" and i + 1 < len(raw):
            following = raw[i + 1].split("=")[0].strip().split()
            if following and _C_LENGTH.match(following[-1].lstrip("*")) and type_kind(_param_type(raw[i + 1]), "c") in \
                    (("i32",), ("int",), ("uint",)):
                sized.add(len(params))
                params.append(re.sub(r"\s*(?:\*|\[\s*\])$", "[]", declared) if language == "cpp" else declared)
                i += 2
                continue
        params.append(declared)
        i += 1
    return params, frozenset(sized)


def _unfenced(response: str) -> list[tuple[str, str]]:
    """A response that is only a C-family function or JavaScript function, unfenced and without the includes or
    keywords language detection reads (CodeAlpaca's bare ``int gcd(int a, int b) { ... }``), as one block:
    C-like code is compiled as C++ (a superset for such functions)."""
    text = response.strip()
    if not text.endswith("}") or re.search(r"^\s*(?:def|class)\s", text, re.M):
        return []
    if re.match(r"(?:async\s+)?function\s+\w+\s*\(|(?:const|let|var)\s+\w+\s*=", text):
        return [("javascript", text)]
    if _CPP_SIGNATURE.match(text):
        return [("cpp", text)]
    return []


# A program with only ``main`` (L2 of docs/decontam_tune_misses.md): the values it reads become parameters and
# the value it prints last its answer. C++ ``cin >> a >> b;`` and Java ``T x = sc.nextInt();`` are read.
def foreign_code(response: str) -> ForeignCode | None:
    """The first C++, Java, JavaScript, Go, Rust or C block of a response that defines a function, else the first
    such C#, Ruby or PHP block, or None. (C#, Ruby and PHP came later, issue 24 item 5: a response with a block of
    the other languages is read as before, whatever its C#, Ruby or PHP blocks.)"""
    blocks = [(b.language, b.code) for b in extract_code_blocks(response)]
    if not any(language in _FIRST or language == "python" for language, _c in blocks):
        blocks += _unfenced(response)
    blocks = [("php" if php_like(language, code) else language, code) for language, code in blocks]  # bare PHP functions
    return _first_code(blocks, _FIRST) or _first_code(blocks, ("csharp", "ruby", "php"))


_FIRST = ("cpp", "java", "javascript", "go", "rust", "c")


def _first_code(blocks: list[tuple[str, str]], languages: tuple[str, ...]) -> ForeignCode | None:
    """The first of ``blocks`` in one of ``languages`` that defines a function (or a ``main`` to lift)."""
    for language, code in blocks:
        if language not in languages:
            continue
        loops, original = _main_loops(code), code
        functions: list[ForeignFunction] = []
        if language == "cpp":
            code = returning_prints("cpp", _strip_cpp_main(code))
            for m in _CPP_SIGNATURE.finditer(code):
                returns, name = m.group(1).strip(), m.group(2)
                if name not in _KEYWORDS and returns not in ("return", "else", "new") \
                        and (fn := _c_family_function(name, m.group(3), returns, "cpp")) is not None:
                    functions.append(fn)
        elif language == "csharp":
            code = cs_normalized(code)
            found, bodies = cs_methods(code)
            functions = [ForeignFunction(*method) for method in found]
            main = bodies.get("main")
            loops = "\n".join(code[a:b] for a, b in _loop_spans(code, *main)) if main else ""
            # a method another one names is a helper, called or passed as a method group (``xs.Count(IsEven)``)
            functions = [f for f in _drop_helpers(code, functions, bodies, loops)
                         if not any(name not in (f.name, "main") and re.search(rf"\b{re.escape(f.name)}\b", code[a:b])
                                    for name, (a, b) in bodies.items())]
            if functions:
                return ForeignCode(language, code, functions)
            continue
        elif language in ("ruby", "php"):  # untyped: the tests' values as they are
            found = php_functions(code) if language == "php" else [(*f, "", False) for f in rb_functions(code)]
            functions = [ForeignFunction(name, [None] * arity, None, owner, inplace=inplace) for name, arity, owner, inplace in found]
            if functions:
                return ForeignCode(language, code, functions)
            continue
        elif language == "go":
            functions = _go_functions(code)
        elif language == "rust":
            functions = _rust_functions(code)
        elif language == "c":
            code = _strip_cpp_main(code)
            functions = _c_functions(code)
        elif language == "java":
            code = returning_prints("java", code)
            classes = [(c.start(), c.group(1)) for c in _JAVA_CLASS.finditer(code)]
            for m in _JAVA_SIGNATURE.finditer(code):
                modifiers, returns, name = m.group(1), m.group(2).strip(), m.group(3)
                if name in _KEYWORDS or returns in ("return", "new", "else") or returns.startswith("class"):
                    continue
                owner = next((n for start, n in reversed(classes) if start < m.start()), "")
                params = [_param_type(p) for p in _split_params(m.group(4))]
                changed = returns if returns != "void" else None if name == "main" else _changed_argument(params, "java")
                if changed is not None:
                    functions.append(ForeignFunction(name, params, changed, owner, "static" in modifiers.split(),
                                                     inplace=returns == "void"))
        else:
            for m in _JS_SIGNATURE.finditer(code):
                name = m.group(1) or m.group(3)
                params = next((g for g in (m.group(2), m.group(4), m.group(5), m.group(6)) if g is not None), "")
                if name not in _KEYWORDS:
                    functions.append(ForeignFunction(name, [None] * len(_split_params(params)), None))
        signature = {"cpp": _CPP_SIGNATURE, "java": _JAVA_SIGNATURE, "javascript": _JS_SIGNATURE, "go": _GO_SIGNATURE,
                     "rust": _RUST_SIGNATURE, "c": _C_SIGNATURE}[language]
        bodies = {}
        for m in signature.finditer(code):
            name = {"cpp": m.group(2), "java": m.group(3), "c": m.group(2)}.get(language) or m.group(1) or m.group(3)
            brace = re.compile(r"\s*(?:=>\s*)?\{").match(code, m.end() - (language != "javascript"))
            if brace:
                bodies[name] = (brace.end() - 1, _body_end(code, brace.end() - 1))
        main = re.search(r"\bmain\s*\([^)]*\)[^{;]*\{", code)
        if main:
            bodies["main"] = (main.end() - 1, _body_end(code, main.end() - 1))
        functions = _drop_helpers(code, functions, bodies, loops)
        if functions:
            return ForeignCode(language, code, functions)
        lifted = lift_main(language, original)
        if lifted is not None:
            return ForeignCode(lifted[0], lifted[1], [ForeignFunction(*f, static=True) for f in lifted[2]])
    return None


def _callable(code: ForeignCode, fn: ForeignFunction, args: list[Any]) -> bool:
    """Whether the function's declared types can take ``args`` (and give an answer the host can read)."""
    if len(args) != len(fn.params):
        return False
    if code.language in ("javascript", "ruby", "php"):
        return True
    if code.language == "rust" and any((t or "").startswith("Option") for t in fn.params):
        return False  # an argument the literals cannot write (Some(...))
    kinds = [_kind(t or "", code.language) for t in fn.params]
    return _kind(fn.returns or "", code.language) is not None and all(
        k is not None and value_fits(v, k) for k, v in zip(kinds, args, strict=True))


def _answer_fits(code: ForeignCode, fn: ForeignFunction, want: Any, fractional: bool) -> bool:
    """False for an integer answer beyond the declared integer return type (HumanEval/55's ``fib(63)`` from a Java
    ``int``), or, from an integer return type, a float answer of a problem some of whose answers are fractions
    (MBPP/93's ``power(4, -2)``, 0.0625, and ``power(-1, -1)``, -1.0, from a C ``long``): a test no function of that
    type can pass says nothing of it, as one whose arguments it cannot take."""
    kind = _kind(fn.returns or "", code.language) if isinstance(want, (int, float)) and not isinstance(want, bool) else None
    if kind is None or kind[0] not in ("int", "i32", "uint"):
        return True
    return not fractional if isinstance(want, float) else value_fits(want, kind)


def _originals_in(usable: list[tuple[list[Any], Any]], originals: list[Any] | None) -> bool:
    """Whether the cases hold every one of the benchmark's own tests (three at least)."""
    return len(originals or ()) >= 3 and all(any(list(args) == list(o) for args, _ in usable) for o in originals)


def _agrees(got: Any, want: Any) -> bool:
    """``same`` of the probe, False where it cannot compare (an integer too large for a float)."""
    try:
        return same(got, want, 0.0)
    except (OverflowError, TypeError, ValueError, RecursionError):
        return False


@dataclass
class _Tally:
    """One function's calls on one problem's cases (``verify_foreign``)."""

    passed: int = 0
    total: int = 0
    own: int = 0  # calls on the benchmark's own tests
    own_failed: int = 0  # of them, not answered right
    wrong: int = 0  # answered, and wrong
    first_late: bool | None = None  # whether the first call without an answer ran out of time (None: all answered)
    own_right: set[int] = field(default_factory=set)  # the benchmark's own tests answered right
    spacing: int = 0  # added tests answered otherwise only in the whitespace of an input with odd spacing


def verify_foreign(pairs: list[tuple[ForeignCode, list[tuple[str, list[str], list[tuple[list[Any], Any]]]]]],
                   timeout_s: float, workers: int | None = None, batch: int = BATCH,
                   originals: dict[str, list[Any]] | None = None, near_share: float = 0.0,
                   lost: set[int] | None = None) -> list[dict[str, ExecVerdict]]:
    """Run each sample's functions on the test cases of its candidate problems in the sandbox.

    ``pairs``: per sample, its code and (problem key, names of the functions to try, (arguments, expected
    answer) cases). A function passes a problem when it answers every case its types can express, and at
    least half of them, or every one of the problem's ``originals`` (the benchmark's own tests' arguments, by
    problem: MBPP+'s three integer areas among 100 float ones for a Java ``int`` area), can be expressed. Samples of a language go ``batch`` to a program (each in a namespace,
    nested class or function of its own); a batch that does not compile runs again without the samples its
    compiler's errors name (``batches.py``), until each sample that compiles has run. Answering all ``originals``
    and all but ``near_share`` of the cases (those answered otherwise only in the whitespace of an input with odd
    spacing aside, ``_same.spacing_only``) is a near pass (``ExecVerdict.near``; a call out of time answers
    nothing: a Java ``isPrime`` looping to n on a large prime). Python's slow rule (``_probe.py``): a function
    that answered all ``originals`` and ten cases in all right, none wrong, and whose first call without an answer
    ran out of time (its harness's marker: a crash writes none) passes, slow (a recursive Fibonacci on
    HumanEval/55). Returns, per pair, the verdicts by problem key; ``lost``, when given, receives the pairs a run of
    which the sandbox stopped before all their calls answered (``batches.run_batches``)."""
    out: list[dict[str, ExecVerdict]] = [{} for _ in pairs]
    # per call: sample, problem, function, expected, which of the benchmark's own tests it is (-1: none), whether
    # its arguments have odd spacing (``_same.odd_spacing``)
    index: list[tuple[int, str, str, Any, int, bool]] = []
    calls_of: dict[int, list[Call]] = {}
    own_tests: dict[str, set[int]] = {}  # by problem: its own tests (the first of equal ones)
    for k, (code, problems) in enumerate(pairs):
        by_name = {f.name: f for f in code.functions}
        for key, names, cases in problems:
            own_args = [list(o) for o in (originals or {}).get(key) or ()]
            own_tests[key] = {own_args.index(o) for o in own_args}
            # its float answers are floats by nature, not by chance
            fractional = any(isinstance(w, float) and not (math.isfinite(w) and w.is_integer()) for _a, w in cases)
            for fn in (by_name[name] for name in names):
                usable = [(args, want) for args, want in cases if _callable(code, fn, args) and _answer_fits(code, fn, want, fractional)
                          and (want is not None or _holds_none(code.language, fn.returns))]
                if not cases or (len(usable) * 2 < len(cases) and not _originals_in(usable, (originals or {}).get(key))):
                    continue  # its types cannot express most of the tests, nor all the benchmark's own: no evidence
                for args, want in usable:
                    calls_of.setdefault(k, []).append((len(index), k, fn, list(args)))
                    index.append((k, key, fn.name, want, own_args.index(list(args)) if list(args) in own_args else -1,
                                  odd_spacing(list(args))))
    # a function that crashed on one problem's input has failed that problem, not the others tried after it
    late: set[int] = set()
    answers = harness_answers({k: pairs[k][0] for k in calls_of}, calls_of, timeout_s, workers, batch,
                              group=lambda n: index[n][1:3], late=late, lost=lost)
    tally: dict[tuple[int, str, str], _Tally] = {}
    for n, (k, key, name, want, which, odd) in enumerate(index):
        t, answered, own = tally.setdefault((k, key, name), _Tally()), n in answers, which >= 0
        agrees = answered and _agrees(answers[n], want)
        t.passed += agrees
        t.total += 1
        t.own += own
        t.own_failed += own and not agrees
        t.wrong += answered and not agrees
        t.spacing += answered and not agrees and not own and odd and spacing_only(answers[n], want)
        if not answered and t.first_late is None:
            t.first_late = n in late
        if own and agrees:
            t.own_right.add(which)
    for (k, key, name), t in tally.items():
        passed, total = t.passed, t.total
        own_all = t.own >= len((originals or {}).get(key) or ()) > 0 and not t.own_failed
        # slow: each of the benchmark's own tests answered right (a repeat of one among the added tests may come after
        # the call out of time), ten in all, none wrong, and the first unanswered call ran out of time
        slow = bool(own_tests.get(key)) and own_tests[key] <= t.own_right and 10 <= passed < total and not t.wrong \
            and t.first_late is True
        # a near pass: a few added tests answered otherwise, and any number only in the whitespace of odd spacing
        near = total - passed if own_all and not slow and near_share and total - passed > 0 \
            and total - passed - t.spacing <= int(near_share * total) else 0
        verdict = ExecVerdict(key, name, passed, total, language=pairs[k][0].language, near=near, slow=slow,
                              spacing=t.spacing if near else 0)
        best = out[k].get(key)
        if best is None or (verdict.leak, verdict.passed) > (best.leak, best.passed):
            out[k][key] = verdict
    return out
