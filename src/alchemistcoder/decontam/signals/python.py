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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemistcoder.code import extract_code_blocks
from alchemistcoder.code.facts import DEFINING_STATEMENTS, helper_calls
from alchemistcoder.code.interfaces import call_shapes, printing_functions
from alchemistcoder.code.lift import class_methods, lift_snippet, missing_imports
from alchemistcoder.code.parse import parse_python

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


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> tuple[int, float]:
    a = node.args
    positional = len(a.posonlyargs) + len(a.args)
    required = positional - len(a.defaults)
    if any(d is None for d in a.kw_defaults):
        return 0, -1  # a required keyword-only argument: no positional call fits
    return required, float("inf") if a.vararg else positional


SNIPPET_PREFIX = "_snippet_"
# Answer adapters (issue 24's recall round, E1 of docs/decontam_tune_misses.md): a function whose answer is the
# benchmark's in another shape ("the index of the smallest element" for MBPP/62's smallest, "the longest string
# with its length as a tuple" for HumanEval/12's string) runs through a wrapper that reads the benchmark's answer
# out of its own. ``policy.tries`` runs them on the nearest candidates only: a shape is cheap to match by chance.
ADAPTER_PREFIX = "_adapt_"
INPLACE_PREFIX = f"{ADAPTER_PREFIX}inplace_"
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
    # a procedure that changes its list argument in place and returns nothing, where the benchmark returns the
    # list ("implement bubble sort" for MBPP/635's sort)
    "inplace": "r = {f}(*a)\n    assert r is None and type(a[0]) is list\n    return a[0]",
    # a list of digits or characters where their text is expected ("decimal 8 as a list of its binary values"
    # for MBPP/99's "1000")
    "joined": "r = {f}(*a)\n    assert type(r) is list and r and all(type(x) in (int, str) and len(str(x)) == 1 "
              "for x in r)\n    return ''.join(map(str, r))",
}


# a function that prints its answer, read through what it prints (``code.interfaces.printing_functions``): another
# interface, so tried as the adapters are
PRINTED_PREFIX = f"{ADAPTER_PREFIX}printed_"


def is_adapter(name: str) -> bool:
    """Whether ``name`` is an answer adapter that reads another answer out of the function's. Not the in-place one:
    it reads the same answer where the procedure leaves it (a no-op passes only a problem that answers its input),
    so it is tried wherever the function is."""
    return name.startswith(ADAPTER_PREFIX) and not name.startswith(INPLACE_PREFIX)


def adapted_function(name: str) -> str:
    """The sample function an adapter named ``name`` reads (``_adapt_found_at_binary_search``: binary_search)."""
    rest = name[len(ADAPTER_PREFIX):]
    kind = max((k for k in (*_ADAPTERS, "printed", "lengths") if rest.startswith(k + "_")), key=len, default="")
    return rest[len(kind) + 1:] if kind else rest


def _parsed(code: str) -> tuple[ast.Module, str] | None:
    """A Python block's module and text; for a block that does not parse, those of its lines before the first
    that breaks it, when they define a function or class (a CodeAlpaca answer that ends in ``// Output: [...]``)."""
    tree = parse_python(code)
    if tree is not None:
        return tree, code
    try:
        compile(code, "<block>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as e:
        line = e.lineno or 0
    except (ValueError, RecursionError, MemoryError):
        return None
    head = "\n".join(code.splitlines()[: max(0, line - 1)])
    tree = parse_python(head) if head.strip() else None
    if tree is None or not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in tree.body):
        return None
    return tree, head


def sample_code(response: str) -> SampleCode | None:
    """The runnable part of a response's Python code blocks (those that parse, or their leading lines that do:
    :func:`_parsed`), or None when there is none."""
    statements: list[str] = []
    functions: dict[str, Function] = {}
    trees = []
    for block in extract_code_blocks(response):
        if block.language != "python":
            continue
        parsed = _parsed(block.code)
        if parsed is None:
            continue
        tree, code = parsed
        trees.append(tree)
        for signature, arity in lift_snippet(tree):
            name = f"{SNIPPET_PREFIX}{len(functions)}"
            statements.append(f"def {name}{signature}")
            functions[name] = Function(name, arity, arity, helper=False)
        # a module the code reads and never imports (``math.sqrt`` with no ``import math``): the response forgot
        # the line, and without it every call fails the same way
        statements += missing_imports(tree)
        for node in tree.body:
            if isinstance(node, _KEPT):
                statements.append(ast.get_source_segment(code, node) or "")
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                low, high = _signature(node)
                functions[node.name] = Function(node.name, low, high, helper=False)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                # ``add = lambda x, y: x + y``: "implement a lambda function to ..." answers with one
                low, high = _signature(node.value)
                functions[node.targets[0].id] = Function(node.targets[0].id, low, high, helper=False)
        printing = printing_functions(tree, PRINTED_PREFIX)
        for name, source, low, high in [*class_methods(tree), *printing]:
            statements.append(source)
            functions[name] = Function(name, low, high, helper=False)
        callable_as = {node.name: node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        callable_as.update({name[len(PRINTED_PREFIX):]: name for name, *_ in printing})
        for name, source, arity in call_shapes(tree, callable_as):
            statements.append(source)
            functions[name] = Function(name, arity, arity, helper=False)
    if not statements:
        return None
    for tree in trees:
        for name in helper_calls(tree):
            if name in functions:
                functions[name].helper = True
    for f in [f for f in functions.values() if not f.helper and f.min_args >= 1 and not is_adapter(f.name)][:3]:
        for kind, body in _ADAPTERS.items():
            name = f"{ADAPTER_PREFIX}{kind}_{f.name}"
            statements.append(f"def {name}(*a):\n    {body.format(f=f.name)}")
            functions[name] = Function(name, f.min_args, f.max_args, helper=False)
        if f.min_args == f.max_args:
            # a C-style interface: the benchmark passes a sequence's length after the sequences (MBPP/187's
            # ``longest_common_subsequence(X, Y, m, n)`` for "the length of the longest common subsequence of two strings")
            name, k = f"{ADAPTER_PREFIX}lengths_{f.name}", f.min_args
            statements.append(f"def {name}(*a):\n    assert all(a[{k} + i] == len(a[i]) for i in range(len(a) - {k}))\n"
                              f"    return {f.name}(*a[:{k}])")
            functions[name] = Function(name, k + 1, 2 * k, helper=False)
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
    # Python, inputs mode: the first test not passed ran out of time, after every one of the benchmark's own
    # inputs and ten in all passed (``_probe.py``): a slow right answer (a recursive Fibonacci), no wrong one
    slow: bool = False
    # tests the benchmark answers None, answered "nothing" another way ('' , -1, an exception), or with empty
    # arguments, answered by an exception
    excused: int = 0
    # every one of the benchmark's own inputs passed and only this many of its added ones (at most
    # ``exec_near_share`` of all, those of ``spacing`` aside) were answered otherwise (``passed`` counts the
    # others): a near pass
    near: int = 0
    spacing: int = 0  # of the ``near`` tests, answered otherwise only in the whitespace of an input with odd spacing
    # it passed with lists of answers compared in any order (``same_items``; the task's statement names no order)
    unordered: bool = False

    @property
    def leak(self) -> bool:
        """Every test passed (or, slow, every one answered in time; or, near, all but a few added ones) by a
        function that is not a mere helper."""
        return self.total > 0 and (self.passed == self.total or self.slow or self.near > 0) and not self.helper_only

    def to_params(self) -> dict[str, Any]:
        return {"function": self.function, "tests_passed": self.passed, "tests_total": self.total,
                **({"helper_only": True} if self.helper_only else {}), **({"adapted": True} if self.adapted else {}),
                **({"language": self.language} if self.language != "python" else {}),
                **({"slow": True} if self.slow else {}), **({"tests_excused": self.excused} if self.excused else {}),
                **({"tests_differing": self.near} if self.near else {}),
                **({"tests_spacing": self.spacing} if self.spacing else {}),
                **({"any_order": True} if self.unordered else {})}


def fitting(code: SampleCode, problem: BenchProblem) -> list[str]:
    """The sample's functions that can be called like the problem's entry point (none when it has no tests)."""
    return [f.name for f in code.functions if f.fits(problem.arity)] if problem.mode else []


def verify(pairs: list[tuple[SampleCode, list[tuple[BenchProblem, list[str]]]]], sample_timeout_s: float,
           call_limit_s: float, batch: int = 128, workers: int | None = None,
           expected: dict[str, str | None] | None = None, near_share: float = 0.0,
           lost: set[int] | None = None) -> list[dict[str, ExecVerdict]]:
    """Run each sample's code against the tests of its candidate problems in the sandbox.

    ``pairs``: per sample, its code and the problems to try with the names of the functions to try on each
    (:func:`fitting` or a subset). Samples go ``batch`` to a sandbox job (one forked child each, inside the
    sandbox); jobs run ``workers`` at a time. Returns, per pair, the verdicts by problem key (a problem is absent
    when it got no function, or the sample's child died before reporting it).

    The reference solutions' answers are computed once per problem (:func:`reference_outputs`) and shipped in
    every job that needs them: computing them again in each job was 60% of the sandbox's time, as a problem
    near many samples is in many jobs. ``expected`` (by problem key) keeps them across calls. So a larger job costs
    nothing more, and ``batch`` is 128 (it was 32): a sandbox's start costs about 0.2 s. ``near_share``: the
    share of a problem's inputs a function that passed all the benchmark's own ones may answer otherwise and
    still be a (near) pass (``ExecVerdict.near``; 0: none). ``lost``, when given, receives the pairs whose job
    the sandbox cut short (out of its wall clock, memory or killed) before they reported every try: their missing
    verdicts say nothing about the sample, and a later run may get them.
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
        job = {"limit_s": call_limit_s, "sample_timeout_s": sample_timeout_s, "near_share": near_share,
               "tasks": [by_key[key].test_spec() for key in keys],
               "samples": [{"id": k, "statements": code.statements, "tries": tries} for k, code, tries in chunk],
               "expected": {key: shipped[key] for key in keys if shipped.get(key)}}
        # the job's wall clock: every reference and every sample at its limit, plus the sandbox's start
        wall = 10 + sample_timeout_s * len(chunk) + call_limit_s * sum(len(by_key[key].inputs) for key in keys)
        calls.append(probe_call(job, wall))
    helpers = {k: {f.name for f in code.functions if f.helper} for k, code, _tries in runnable}
    for start, run in zip(range(0, len(runnable), batch), run_harness_many(calls, workers=workers), strict=True):
        if not run.result.ok and lost is not None:
            reported = {(rec.get("sample"), rec.get("task")) for rec in run.records}
            lost.update(k for k, _code, tries in runnable[start : start + batch]
                        if any((k, t["task"]) not in reported for t in tries))
        for rec in run.records:
            k, passing = rec["sample"], rec["passing"]
            main = [n for n in passing if n not in helpers[k]]
            function = (main or passing or [rec["best"]])[0]
            slow = not passing and bool(rec.get("slow"))
            near = {} if passing or slow else {n: d for n, d in (rec.get("near") or {}).items()
                                               if n not in helpers[k] and not n.startswith(ADAPTER_PREFIX)}
            if near:  # the main function (not a helper) that answered fewest added inputs otherwise
                function = min(near, key=lambda n: (near[n], n))
            passed = rec["total"] - near[function] if near else rec["total"] if passing else rec["passed"]
            out[k][rec["task"]] = ExecVerdict(rec["task"], function, passed, rec["total"], near=near.get(function, 0),
                                              helper_only=(bool(passing) and not main)
                                              or (slow and function in helpers[k]),
                                              adapted=rec.get("adapted") == function, slow=slow,
                                              excused=(rec.get("excused") or {}).get(function, 0),
                                              unordered=function in (rec.get("unordered") or ()),
                                              spacing=(rec.get("spacing") or {}).get(function, 0) if near else 0)
    return out


# Characters of one test's arguments and answer as JSON: longer ones are left out of the harness programs.
MAX_CASE_CHARS = 1000


def reference_cases(problems: list[BenchProblem], limit_s: float,
                    workers: int | None = None) -> dict[str, list[tuple[list[Any], Any]]]:
    """(arguments, answer) cases of each problem, for the harnesses of other languages (``foreign.py``): MBPP's
    literal assertions as they are; for EvalPlus inputs, the reference solution's answers, computed in the
    sandbox (``_probe.py`` with ``expected_only``)."""
    from alchemistcoder.sandbox.harness import run_harness_many

    out = {p.key: list(p.cases) for p in problems if p.mode == "asserts"}
    todo = [p for p in problems if p.mode == "inputs"]
    calls = []
    for start in range(0, len(todo), 20):  # 20 problems a job: the sandbox keeps 1 MiB of a program's output
        chunk = todo[start : start + 20]
        job = {"limit_s": limit_s, "expected_only": True, "max_case_chars": MAX_CASE_CHARS,
               "tasks": [p.test_spec() for p in chunk]}
        calls.append(probe_call(job, 10 + 10 * limit_s * sum(len(p.inputs) for p in chunk)))
    for run in run_harness_many(calls, workers=workers):
        for rec in run.records:  # a problem whose line was cut short gets no cases
            out[rec["task"]] = [(args, want) for args, want in rec["cases"]]
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
