"""Execution evidence for decontamination: does a sample's code pass a benchmark problem's own tests?

A sample whose instruction is near a benchmark problem in meaning, and whose code passes that problem's tests
(HumanEval+/MBPP+ base and plus inputs against the reference solution's outputs, or MBPP's assertions),
is a leak of the problem whatever its wording: strong, model-free evidence. Only the sandbox runs the code
(the sandbox harness, ``alchemistcoder.sandbox.harness``; a job holds a batch of samples, each run in a forked
child).

The sample's Python is reduced to its top-level imports, definitions and assignments (a script part that
reads ``input()`` or prints would only get in the way). Its functions are tried under the problem's entry
point when their names differ, each top-level function whose positional arity fits. A function that the
sample itself uses as a helper (called from another of its functions, or inside a loop or comprehension of
its script) answers a different question: a generic ``is_prime`` inside "sum of all primes
below 1000" passes HumanEval/31's tests but is not a leak of it, so its pass is recorded, not flagged.
"""

from __future__ import annotations

import ast
import builtins
import copy
import itertools
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemistcoder.code import extract_code_blocks
from alchemistcoder.code.facts import DEFINING_STATEMENTS, helper_calls

if TYPE_CHECKING:
    from alchemistcoder.decontam.problems import BenchProblem

PROBE = Path(__file__).with_name("_probe.py")
# how answers compare, shipped beside the probe (and used on the host by foreign.py)
SAME = Path(__file__).with_name("_same.py")
_KEPT = DEFINING_STATEMENTS


@dataclass(slots=True)
class Function:
    """A top-level function of a sample: name, positional arity bounds, and whether the sample uses it as a helper."""

    name: str
    min_args: int
    max_args: float  # inf with *args
    helper: bool

    def fits(self, arity: int | None) -> bool:
        """Whether the function can be called with ``arity`` positional arguments."""
        return arity is not None and self.min_args <= arity <= self.max_args


@dataclass(slots=True)
class SampleCode:
    """What of a sample's Python can run: its top-level statements as source, and its functions."""

    statements: list[str]
    functions: list[Function] = field(default_factory=list)


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[int, float]:
    a = node.args
    positional = len(a.posonlyargs) + len(a.args)
    required = positional - len(a.defaults)
    if any(d is None for d in a.kw_defaults):
        return 0, -1  # a required keyword-only argument: no positional call fits
    return required, float("inf") if a.vararg else positional


_BUILTINS = frozenset(dir(builtins))
# Names a snippet uses as if imported (CoNaLa's ``sorted(L, key=itemgetter(2))``): imported, not parameters.
_FROM_IMPORTS = {"itemgetter": "operator", "attrgetter": "operator", "methodcaller": "operator",
                 "Counter": "collections", "defaultdict": "collections", "OrderedDict": "collections",
                 "deque": "collections", "reduce": "functools", "permutations": "itertools",
                 "combinations": "itertools", "chain": "itertools", "groupby": "itertools", "product": "itertools",
                 "sqrt": "math", "pi": "math", "floor": "math", "ceil": "math", "factorial": "math", "gcd": "math"}
# Methods that change their object in place and return None: a snippet ending in ``L.sort(key=...)`` answers L.
_IN_PLACE = frozenset({"sort", "reverse", "append", "extend", "insert", "remove", "update", "clear"})
SNIPPET_PREFIX = "_snippet_"
# Answer adapters (issue 24's recall round, E1 of docs/decontam_tune_misses.md): a function whose answer is the
# benchmark's in another shape ("the index of the smallest element" for MBPP/62's smallest, "the longest string
# with its length as a tuple" for HumanEval/12's string) runs through a wrapper that reads the benchmark's answer
# out of its own. ``policy.tries`` runs them on the nearest candidates only: a shape is cheap to match by chance.
ADAPTER_PREFIX = "_adapt_"
_ADAPTERS = {
    # an index (or indices) where the element is expected: looked up in the first argument
    "index": "r = {f}(*a)\n    assert type(r) is int or type(r) is list and all(type(i) is int for i in r)\n"
             "    return [a[0][i] for i in r] if type(r) is list else a[0][r]",
    # the value inside a returned pair, with something more after it ("the longest string with its length"). Not
    # its last value: "the longest word with its length" is a near miss of MBPP/90's length in the labelled set
    "first": "r = {f}(*a)\n    assert isinstance(r, tuple) and len(r) == 2\n    return r[0]",
    # an index or -1 where a found-flag is expected, or the benchmark's (found, index)
    "found": "r = {f}(*a)\n    assert type(r) is int\n    return r != -1",
    "found_at": "r = {f}(*a)\n    assert type(r) is int\n    return (r != -1, r)",
}


def _names(nodes: list[ast.stmt], ctx: type) -> list[str]:
    """Names read (``ast.Load``) or bound (``ast.Store``) in ``nodes``, in source order."""
    found = [n for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)]
    return list(dict.fromkeys(n.id for n in sorted(found, key=lambda n: (n.lineno, n.col_offset))))


class _LiteralInputs(ast.NodeTransformer):
    """Replaces container literals that a call works on (an argument, or the object of a method call other
    than ``' '.join``), and non-empty strings given to a call (CoNaLa's ``list('Word to Split')``), by parameters
    ``arg0``, ``arg1``..."""

    def __init__(self, limit: int) -> None:
        self.limit, self.params = limit, []

    def _take(self, node: ast.expr) -> ast.expr:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and len(self.params) < self.limit:
            try:
                ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return node
            self.params.append(f"arg{len(self.params)}")
            return ast.copy_location(ast.Name(self.params[-1], ast.Load()), node)
        return node

    def _take_text(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value and len(self.params) < self.limit:
            self.params.append(f"arg{len(self.params)}")
            return ast.copy_location(ast.Name(self.params[-1], ast.Load()), node)
        return self._take(node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        node.args = [self._take_text(a) for a in node.args]
        if isinstance(node.func, ast.Attribute):
            node.func.value = self._take(node.func.value)
        self.generic_visit(node)
        return node


_VALUE_METHODS = frozenset(dir(str)) | frozenset(dir(list)) | frozenset(dir(dict)) | frozenset(dir(set))


def _used_as_value(name: str, nodes: list[ast.stmt]) -> bool:
    """Whether a name that is also a standard module's (``string``) is a value: every attribute the snippet
    uses on it is a method of a string, list, dict or set (CoNaLa's ``string.replace('1', '')`` for "from string
    `string`"), none a module's (``string.ascii_letters``)."""
    used = {n.attr for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name}
    return bool(used) and used <= _VALUE_METHODS


def _reads_input(value: ast.expr) -> bool:
    """Whether an expression reads the program's input (``input()``, ``int(input())``, ``input().split()``,
    ``sys.argv[1]``): the name it is bound to is the script's input, as a literal example is."""
    for n in ast.walk(value):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "input":
            return True
        if isinstance(n, ast.Attribute) and n.attr == "argv" and isinstance(n.value, ast.Name) and n.value.id == "sys":
            return True
    return False


def _printed(call: ast.Call) -> ast.expr | None:
    """What a ``print`` call shows: its one argument that is not a constant string (``print("Sum:", total)``),
    the one value an f-string formats (``print(f"The sum is {total}")``); None when there is no single one."""
    args = [a for a in call.args if not (isinstance(a, ast.Constant) and isinstance(a.value, str))]
    if len(args) != 1 or any(k.arg not in ("sep", "end") for k in call.keywords):
        return None
    answer = args[0]
    if isinstance(answer, ast.JoinedStr):
        values = [v.value for v in answer.values if isinstance(v, ast.FormattedValue)]
        return values[0] if len(values) == 1 else None
    return answer


def _read_before_bound(rest: list[ast.stmt], examples: dict[str, ast.stmt]) -> list[str]:
    """Names an assignment reads before anything binds them and then rebinds (CoNaLa's ``sentence =
    ''.join(sentence.split())`` for "remove all whitespaces in a string `sentence`"): inputs, changed in place."""
    bound: set[str] = set(examples)
    out: list[str] = []
    for n in rest:
        if isinstance(n, ast.Assign):
            targets = {t.id for t in n.targets if isinstance(t, ast.Name)}
            out += [name for name in _names([ast.Expr(n.value)], ast.Load) if name in targets and name not in bound]
        bound |= set(_names([n], ast.Store))
    return list(dict.fromkeys(out))


def _literal_inputs(rest: list[ast.stmt], answer: ast.expr, limit: int) -> tuple[list[ast.stmt], ast.expr, list[str]]:
    """A snippet without free names, its container literals made parameters (:class:`_LiteralInputs`)."""
    swap = _LiteralInputs(limit)
    module = swap.visit(ast.Module([*copy.deepcopy(rest), ast.Expr(copy.deepcopy(answer))], []))
    return module.body[:-1], module.body[-1].value, swap.params


def lift_snippet(tree: ast.Module, max_params: int = 3) -> list[tuple[str, int]]:
    """Functions made of a snippet that defines none (CoNaLa's ``sentence.replace(' ', '')`` for "remove all
    whitespace in a string `sentence`", CodeAlpaca's ``my_list = [1, 3, 5]`` then ``print(sum(my_list))``), as
    (source, arity) pairs, one per order of the parameters.

    The parameters are the names the snippet reads but never binds, those it binds to a literal (its example
    input) or to the program's input (``s = input()``, ``sys.argv[1]``), and those an assignment reads before
    rebinding them (``sentence = ''.join(sentence.split())``); names used as if imported (``itemgetter``) are
    imported. The answer is its last expression (a ``print`` unwrapped: its one value that is not a constant
    string, or the one value of an f-string), the name its last statement assigns, or the object a last in-place
    method call changes. Each integer given to a call (``itemgetter(2)``) is also tried as one more parameter.
    Empty when the snippet does not end that way or has no parameter (or more than ``max_params``).
    """
    body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    if not body or any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in body):
        return []
    imported = {(a.asname or a.name).split(".")[0] for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names}
    examples: dict[str, ast.stmt] = {}
    for n in body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            if not _reads_input(n.value):  # ``s = input()`` binds the script's input, as a literal example does
                try:
                    ast.literal_eval(n.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
            examples.setdefault(n.targets[0].id, n)
    rebound = _names([n for n in body if n not in examples.values()], ast.Store)
    examples = {name: n for name, n in examples.items() if name not in rebound}  # ``count = 0`` is no input
    rest = [n for n in body if n not in examples.values()]
    if not rest:
        return []
    last = rest[-1]
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and isinstance(last.value.func, ast.Name) \
            and last.value.func.id == "print":
        shown = _printed(last.value)
        if shown is None:
            return []
        rest, answer = rest[:-1], shown
    elif isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and isinstance(last.value.func, ast.Attribute) \
            and last.value.func.attr in _IN_PLACE and isinstance(last.value.func.value, ast.Name):
        answer = last.value.func.value
    elif isinstance(last, ast.Expr):
        rest, answer = rest[:-1], last.value
    elif isinstance(last, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and isinstance(
            target := (last.targets[0] if isinstance(last, ast.Assign) else last.target), ast.Name):
        answer = ast.copy_location(ast.Name(target.id, ast.Load()), target)
    else:
        return []
    if not rest and isinstance(answer, ast.Name):
        return []  # ``print(my_list)`` computes nothing
    whole = [*rest, ast.Expr(answer)]
    bound = set(_names(whole, ast.Store)) | {a.arg for n in whole for a in ast.walk(n) if isinstance(a, ast.arg)}
    free = [n for n in _names(whole, ast.Load) if n not in bound and n not in imported and n not in _BUILTINS]
    # a standard module the snippet uses without importing it (CoNaLa's ``operator.itemgetter(2)``), and names
    # used as if imported from one (``itemgetter(2)``)
    modules = [n for n in free if n in sys.stdlib_module_names and n not in examples
               and not _used_as_value(n, [*rest, ast.Expr(answer)])]
    names = [n for n in free if n in _FROM_IMPORTS and n not in examples and n not in modules]
    params = [n for n in free if n not in modules and n not in names]
    params += [n for n in _read_before_bound(rest, examples) if n not in params]
    if not params:  # ``sum([True, True, False])``: the literal the snippet works on is its input
        rest, answer, params = _literal_inputs(rest, answer, max_params)
    if not 1 <= len(params) <= max_params:
        return []
    head = [f"import {m}" for m in modules] + [f"from {_FROM_IMPORTS[n]} import {n}" for n in names]

    def function(params: list[str], rest: list[ast.stmt], answer: ast.expr) -> list[tuple[str, int]]:
        lines = head + [ast.unparse(n) for n in rest] + [f"return {ast.unparse(answer)}"]
        code = "\n".join("    " + line for text in lines for line in text.splitlines())
        return [(f"({', '.join(order)}):\n{code}", len(order)) for order in itertools.permutations(params)]

    out = function(params, rest, answer)
    if len(params) < max_params:
        # the number or text a call is given, as one more parameter: CoNaLa's ``sorted(L, key=itemgetter(2))`` for
        # "sort a list of lists `L` by index 2" is MBPP/381's sort by a given index, ``string.replace('1', '')``
        # for 'Remove string "1" from string `string`' MBPP/377's removal of a given character
        for number in _call_numbers([*rest, ast.Expr(answer)])[:2]:
            swap = _NumberInput(number, f"arg{len(params)}")
            module = swap.visit(ast.Module([*copy.deepcopy(rest), ast.Expr(copy.deepcopy(answer))], []))
            out += function([*params, swap.name], module.body[:-1], module.body[-1].value)
    return out


_PATTERN = re.compile(r"[\\*+?\[\](){}^$|]")


def _call_numbers(nodes: list[ast.stmt]) -> list[int | str]:
    """The integers (other than 0 and 1) and non-empty strings given as arguments of calls, in source order; a
    call given several of a kind fixes them together ("by indices 2, 0, 1": ``itemgetter(2, 0, 1)``), not one
    input."""
    found = []
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, ast.Call):
                for kind in (int, str):
                    same = [a for a in n.args if isinstance(a, ast.Constant) and type(a.value) is kind and a.value != ""]
                    # a pattern is not data: as a parameter, ``re.sub(pattern, '', s)`` removes anything, and passes
                    # MBPP/377's removal of a character
                    found += [a for a in same if len(same) == 1 and a.value not in (0, 1)
                              and not (kind is str and _PATTERN.search(a.value))]
    seen = dict.fromkeys((type(a.value), a.value) for a in sorted(found, key=lambda a: (a.lineno, a.col_offset)))
    return [value for _kind, value in seen]


class _NumberInput(ast.NodeTransformer):
    """Replaces one integer or string given as a call's argument by a parameter."""

    def __init__(self, number: int | str, name: str) -> None:
        self.number, self.name = number, name

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        node.args = [ast.copy_location(ast.Name(self.name, ast.Load()), a)
                     if isinstance(a, ast.Constant) and type(a.value) is type(self.number) and a.value == self.number
                     else a for a in node.args]
        return node


def sample_code(response: str) -> SampleCode | None:
    """The runnable part of a response's Python code blocks (those that parse), or None when there is none."""
    statements: list[str] = []
    functions: dict[str, Function] = {}
    trees = []
    for block in extract_code_blocks(response):
        if block.language != "python":
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes in the data are not our warnings
                tree = ast.parse(block.code)
        except (SyntaxError, ValueError):
            continue
        trees.append(tree)
        for signature, arity in lift_snippet(tree):
            name = f"{SNIPPET_PREFIX}{len(functions)}"
            statements.append(f"def {name}{signature}")
            functions[name] = Function(name, arity, arity, helper=False)
        for node in tree.body:
            if isinstance(node, _KEPT):
                statements.append(ast.get_source_segment(block.code, node) or "")
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                low, high = _signature(node)
                functions[node.name] = Function(node.name, low, high, helper=False)
    if not statements:
        return None
    for tree in trees:
        for name in helper_calls(tree):
            if name in functions:
                functions[name].helper = True
    for f in [f for f in functions.values() if not f.helper and f.min_args >= 1][:3]:
        for kind, body in _ADAPTERS.items():
            name = f"{ADAPTER_PREFIX}{kind}_{f.name}"
            statements.append(f"def {name}(*a):\n    {body.format(f=f.name)}")
            functions[name] = Function(name, f.min_args, f.max_args, helper=False)
    return SampleCode([s for s in statements if s], list(functions.values()))


@dataclass(slots=True)
class ExecVerdict:
    """The outcome of one sample against one problem's tests."""

    problem: str
    function: str | None  # the sample function that passed (or came closest)
    passed: int  # tests passed by that function
    total: int  # tests run (inputs the reference answers, or assertions)
    helper_only: bool = False  # only a helper of the sample passed
    adapted: bool = False  # it passed with its arguments as text (numbers as digits, words as a sentence)
    language: str = "python"  # the sample code's language (foreign.py runs C++, Java, JavaScript)

    @property
    def leak(self) -> bool:
        """Every test passed by a function that is not a mere helper of the sample."""
        return self.total > 0 and self.passed == self.total and not self.helper_only

    def to_params(self) -> dict[str, Any]:
        return {"function": self.function, "tests_passed": self.passed, "tests_total": self.total,
                **({"helper_only": True} if self.helper_only else {}), **({"adapted": True} if self.adapted else {}),
                **({"language": self.language} if self.language != "python" else {})}


def fitting(code: SampleCode, problem: BenchProblem) -> list[str]:
    """The sample's functions that can be called like the problem's entry point (none when it has no tests)."""
    return [f.name for f in code.functions if f.fits(problem.arity)] if problem.mode else []


def verify(pairs: list[tuple[SampleCode, list[tuple[BenchProblem, list[str]]]]], sample_timeout_s: float,
           call_limit_s: float, batch: int = 128, workers: int | None = None,
           expected: dict[str, str | None] | None = None) -> list[dict[str, ExecVerdict]]:
    """Run each sample's code against the tests of its candidate problems in the sandbox.

    ``pairs``: per sample, its code and the problems to try with the names of the functions to try on each
    (:func:`fitting` or a subset). Samples go ``batch`` to a sandbox job (one forked child each, inside the
    sandbox); jobs run ``workers`` at a time. Returns, per pair, the verdicts by problem key (a problem is absent
    when it got no function, or the sample's child died before reporting it).

    The reference solutions' answers are computed once per problem (:func:`reference_outputs`) and shipped in
    every job that needs them: computing them again in each job was 60% of the sandbox's time, as a problem
    near many samples is in many jobs. ``expected`` (by problem key) keeps them across calls. So a larger job costs
    nothing more, and ``batch`` is 128 (it was 32): a sandbox's start costs about 0.2 s.
    """
    from alchemistcoder.sandbox.harness import run_harness_many

    runnable = [(k, code, tries) for k, (code, problems) in enumerate(pairs)
                if (tries := [{"task": p.key, "functions": names} for p, names in problems if names])]
    # samples with the same candidates share a job: each job computes its problems' expected outputs once
    runnable.sort(key=lambda item: [t["task"] for t in item[2]])
    out: list[dict[str, ExecVerdict]] = [{} for _ in pairs]
    if not runnable:
        return out
    by_key = {p.key: p for _code, problems in pairs for p, _names in problems}
    shipped = expected if expected is not None else {}
    todo = sorted({t["task"] for _k, _c, tries in runnable for t in tries if t["task"] not in shipped})
    shipped.update(reference_outputs([by_key[key] for key in todo], call_limit_s, workers=workers))
    calls = []
    for start in range(0, len(runnable), batch):
        chunk = runnable[start : start + batch]
        keys = sorted({t["task"] for _k, _c, tries in chunk for t in tries})
        job = {"limit_s": call_limit_s, "sample_timeout_s": sample_timeout_s,
               "tasks": [by_key[key].test_spec() for key in keys],
               "samples": [{"id": k, "statements": code.statements, "tries": tries} for k, code, tries in chunk],
               "expected": {key: shipped[key] for key in keys if shipped.get(key)}}
        # the job's wall clock: every reference and every sample at its limit, plus the sandbox's start
        wall = 10 + sample_timeout_s * len(chunk) + call_limit_s * sum(len(by_key[key].inputs) for key in keys)
        calls.append(probe_call(job, wall))
    helpers = {k: {f.name for f in code.functions if f.helper} for k, code, _tries in runnable}
    for run in run_harness_many(calls, workers=workers):
        for rec in run.records:
            k, passing = rec["sample"], rec["passing"]
            main = [n for n in passing if n not in helpers[k]]
            function = (main or passing or [rec["best"]])[0]
            out[k][rec["task"]] = ExecVerdict(rec["task"], function, rec["total"] if passing else rec["passed"],
                                              rec["total"], helper_only=bool(passing) and not main,
                                              adapted=rec.get("adapted") == function)
    return out


def probe_call(job: dict[str, Any], timeout_s: float,
               output_cap: int | None = None) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """A :func:`alchemistcoder.sandbox.harness.run_harness_many` call of the probe on ``job``, with the modules it
    imports: how answers compare, and EvalPlus's MBPP+ input deserialization (the one evaluation uses);
    ``output_cap``: bytes of its output read back (default: the harness's)."""
    from alchemistcoder.evaluate.scoring import EVALPLUS_INPUTS

    files = {p.name: p.read_text(encoding="utf-8") for p in (SAME, EVALPLUS_INPUTS)}
    return PROBE, job, {"timeout_s": timeout_s, "files": files, **({"output_cap": output_cap} if output_cap else {})}


# Output read back from a ship job: its records hold every expected output of its problems.
SHIP_OUTPUT_CAP = 64 << 20


def reference_outputs(problems: list[BenchProblem], call_limit_s: float, workers: int | None = None,
                      per_job: int = 40) -> dict[str, str | None]:
    """The reference solutions' answers to the tests of ``problems`` with EvalPlus inputs, as the probe ships
    them to sample jobs (marshalled; None for a problem whose answers are no plain data, or whose job did not
    report it: sample jobs then run its reference themselves, as before). ``per_job`` problems a sandbox job."""
    from alchemistcoder.sandbox.harness import run_harness_many

    problems = [p for p in problems if p.mode == "inputs"]
    calls = []
    for start in range(0, len(problems), per_job):
        chunk = problems[start : start + per_job]
        job = {"limit_s": call_limit_s, "ship_expected": True, "tasks": [p.test_spec() for p in chunk]}
        # every reference call at ten times the call limit, at most: a backstop, each call has its own limit
        calls.append(probe_call(job, 10 + 10 * call_limit_s * sum(len(p.inputs) for p in chunk), SHIP_OUTPUT_CAP))
    out: dict[str, str | None] = {p.key: None for p in problems}
    for run in run_harness_many(calls, workers=workers):
        out.update({rec["task"]: rec.get("expected") for rec in run.records if rec.get("task") in out})
    return out
