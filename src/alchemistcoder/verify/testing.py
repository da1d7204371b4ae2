"""Model-written tests: the prompts (tests, independent solutions, repairs), reading the answers, checking
tests before use, and running tests against candidate programs in the sandbox.

The model sees the instruction and the interface (signatures and docstrings of what the response defines),
never the response's body (tests derived from the code would pass whatever the code does) and never a
benchmark's tests. A test is kept only when it is one ``assert`` that calls something the response defines,
does no I/O, uses no randomness or clock, and (in the sandbox) gives the same outcome twice and ends in time.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alchemistcoder.code import extract_code_blocks
from alchemistcoder.llm.types import ChatRequest
from alchemistcoder.verify.config import VerifyConfig
from alchemistcoder.verify.program import Program, parse_python

RUNNER = Path(__file__).with_name("_tests_runner.py")
# Names a test may not touch: I/O, processes, the clock, randomness, introspection.
_FORBIDDEN = frozenset({
    "open", "input", "print", "exec", "eval", "compile", "__import__", "globals", "locals", "breakpoint", "exit",
    "quit", "os", "sys", "subprocess", "socket", "shutil", "pathlib", "requests", "urllib", "time", "random",
    "datetime", "threading", "multiprocessing", "asyncio", "tempfile", "io",
})
PROMPT_CHARS = 2500  # characters of instruction or code in a prompt

SYSTEM = "You are a careful Python engineer who writes precise unit tests and correct code."

TESTS_PROMPT = """Write {n} Python assert statements that check a correct solution of the task below.

Task:
{instruction}

The solution defines:
{interface}

Rules: call only what the solution defines, exactly as declared; one assert per line, comparing a call's result
with the exact expected value; simple literal inputs, including edge cases; no print, input, files or randomness.
Answer with the asserts only, in one ```python block."""

SOLUTION_PROMPT = """Solve the task below in Python.

Task:
{instruction}

Your code must define:
{interface}

Answer with the complete code only, in one ```python block, with no tests and no example usage."""

REPAIR_PROMPT = """The code below was written for this task:
{instruction}

```python
{code}
```

It fails this test:
```python
{test}
```
{error}

If the code is wrong, answer with the complete fixed code in one ```python block. If the test is wrong (its
expected value does not follow from the task), answer only: TEST_WRONG, and one sentence why."""


EXAMPLE_REPAIR_PROMPT = """The code below was written for this task:
{instruction}

```python
{code}
```

The response that holds it shows this example, and the code does not give what the example says:
```python
{test}
```
{error}

Answer with the complete code, corrected so that it does what the task asks, in one ```python block. If the
code already does what the task asks (the example is what is wrong), return it unchanged."""


def chat_request(prompt: str, max_tokens: int, temperature: float, seed: int, stage: str,
                 nonce: str | None = None) -> ChatRequest:
    """A request of the verify stage: its system prompt and one user prompt."""
    return ChatRequest(messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
                       max_tokens=max_tokens, temperature=temperature, seed=seed, nonce=nonce, tag=stage)


def interface(program: Program, tree: ast.Module | None = None) -> str:
    """The signatures of what a program defines, each with the first lines of its docstring."""
    tree = tree or parse_python(program.source)
    lines: list[str] = []
    for node in tree.body if tree else []:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in program.functions:
            lines.append(f"def {node.name}({ast.unparse(node.args)}):")
        elif isinstance(node, ast.ClassDef) and node.name in program.classes:
            lines.append(f"class {node.name}:")
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                        not item.name.startswith("_") or item.name == "__init__"):
                    lines.append(f"    def {item.name}({ast.unparse(item.args)}): ...")
            continue
        else:
            continue
        doc = ast.get_docstring(node)
        if doc:
            lines.append('    """' + "\n    ".join(doc.strip().splitlines()[:6]) + '"""')
    return "\n".join(lines)


def answer_code(text: str) -> str:
    """The Python an answer carries: its python blocks joined (the whole text when it has no block)."""
    blocks = [b.code for b in extract_code_blocks(text) if b.language in ("python", "text")]
    return "\n\n".join(blocks) if blocks else text


def _names(node: ast.AST) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name):
            out.add(n.value.id)
    return out


@dataclass(slots=True)
class ParsedTests:
    """The tests read from an answer: valid ones as source, and the dropped ones with why."""

    tests: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, why: str) -> None:
        self.dropped[why] = self.dropped.get(why, 0) + 1


def arities(program: Program) -> dict[str, tuple[int, float]]:
    """Positional arity bounds of each top-level function (a call outside them cannot be right)."""
    tree = parse_python(program.source)
    out: dict[str, tuple[int, float]] = {}
    for node in tree.body if tree else []:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in program.functions:
            a = node.args
            positional = len(a.posonlyargs) + len(a.args)
            out[node.name] = (positional - len(a.defaults), float("inf") if a.vararg else positional)
    return out


def _wrong_arity(stmt: ast.stmt, bounds: dict[str, tuple[int, float]]) -> bool:
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in bounds:
            if any(isinstance(a, ast.Starred) for a in node.args) or node.keywords:
                continue  # keyword or unpacked arguments: not counted here
            low, high = bounds[node.func.id]
            if not low <= len(node.args) <= high:
                return True
    return False


def parse_tests(text: str, program: Program, limit: int) -> ParsedTests:
    """The asserts of a tests answer that pass the static checks (at most ``limit``, duplicates dropped)."""
    out = ParsedTests()
    callable_names = set(program.functions) | set(program.classes)
    bounds = arities(program)
    code = answer_code(text)
    tree = parse_python(code)
    statements: list[ast.stmt]
    if tree is not None:
        statements = list(tree.body)
    else:  # one bad line must not lose the rest: read line by line
        statements = []
        for line in code.splitlines():
            t = parse_python(line.strip())
            if t is not None:
                statements.extend(t.body)
            elif line.strip().startswith("assert"):
                out.drop("syntax")
    seen: set[str] = set()
    for stmt in statements:
        if not isinstance(stmt, ast.Assert):
            if not isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Expr)):
                out.drop("not_assert")
            continue
        names = _names(stmt)
        if not names & callable_names:
            out.drop("calls_nothing_defined")
            continue
        if names & _FORBIDDEN:
            out.drop("io_or_nondeterministic")
            continue
        if _wrong_arity(stmt, bounds):
            out.drop("wrong_arity")
            continue
        source = ast.unparse(stmt)
        if source in seen:
            out.drop("duplicate")
            continue
        seen.add(source)
        if len(out.tests) >= limit:
            out.drop("over_limit")
            continue
        out.tests.append(source)
    return out


# A probe answer of a response run outside Python that gave none (it threw, crashed or ran out of time, or its
# declared types cannot take the arguments): no evidence either way, unlike another answer.
NO_ANSWER = "!NoAnswer"


@dataclass(slots=True)
class CandidateRun:
    """One candidate program against the tests: ``load_error`` when its definitions did not run, else one
    outcome per test (pass, fail, error, timeout, flaky) with the first error's type and message."""

    status: str  # ok, timeout, crashed (the child), missing (no report)
    load_error: list[str] | None = None
    outcomes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # one per probe (see probes_of)

    @property
    def passed(self) -> frozenset[int]:
        return frozenset(i for i, o in enumerate(self.outcomes) if o == "pass")

    @property
    def usable(self) -> bool:
        return self.status == "ok" and self.load_error is None


def _candidate_run(record: dict[str, Any] | None, n_tests: int) -> CandidateRun:
    if record is None:
        return CandidateRun("missing", outcomes=["error"] * n_tests, errors=[("", "")] * n_tests)
    if record.get("status") != "ok":
        return CandidateRun(record.get("status", "crashed"), outcomes=["error"] * n_tests,
                            errors=[("", "")] * n_tests)
    if record.get("load_error"):
        return CandidateRun("ok", load_error=list(record["load_error"]), outcomes=["error"] * n_tests,
                            errors=[tuple(record["load_error"])] * n_tests)
    outcomes, errors = [], []
    for rounds, kind, message in record["tests"]:
        outcomes.append(rounds[0] if len(set(rounds)) == 1 else "flaky")
        errors.append((kind, message))
    return CandidateRun("ok", outcomes=outcomes, errors=errors, answers=list(record.get("probes") or []))


def run_tests(batches: list[tuple[list[str], list[str], list[str]]], cfg: VerifyConfig) -> list[list[CandidateRun]]:
    """Run each batch's tests (and probes) against each of its candidates (definitions as source) in the
    sandbox, one sandbox per batch, batches in parallel; one :class:`CandidateRun` per candidate, in order."""
    from alchemistcoder.sandbox.harness import run_harness_many

    calls = []
    for candidates, tests, probes in batches:
        job = {"candidates": candidates, "tests": tests, "probes": probes, "test_timeout_s": cfg.test_timeout_s,
               "repeat": 2}
        budget = len(candidates) * (cfg.test_timeout_s * (2 + 2 * len(tests) + len(probes)) + 3) + 5
        calls.append((RUNNER, job, {"timeout_s": budget, "memory_mb": cfg.memory_mb}))
    runs = run_harness_many(calls, workers=cfg.workers or None)
    out = []
    for (candidates, tests, _probes), run in zip(batches, runs, strict=True):
        by_index = {r.get("candidate"): r for r in run.records}
        out.append([_candidate_run(by_index.get(i), len(tests)) for i in range(len(candidates))])
    return out


def _variants(value: object) -> list[object]:
    """Nearby inputs of a literal argument (EvalPlus-style type-aware mutation): edge cases a mutant of the
    code answers differently from the right code."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, 0, -value, value * 2]
    if isinstance(value, float):
        return [value * 2, -value, 0.0]
    if isinstance(value, str):
        return ["", value[::-1], value + value[:1], value.upper()]
    if isinstance(value, list):
        return [[], value[::-1], value[:-1], value + value[:1]]
    if isinstance(value, tuple):
        return [(), value[::-1], value[:-1]]
    return []


def probes_of(tests: list[str], program: Program, limit: int) -> list[str]:
    """Call expressions to compare candidates on: the tests' calls of the response's functions, then the same
    calls with one literal argument changed to a nearby value (at most ``limit``, in a fixed order)."""
    functions = set(program.functions)
    calls: list[ast.Call] = []
    for test in tests:
        tree = parse_python(test)
        for node in ast.walk(tree) if tree else []:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions \
                    and not node.keywords:
                calls.append(node)
    out: list[str] = []

    def add(call: ast.Call) -> None:
        text = ast.unparse(call)
        if text not in out and len(out) < limit:
            out.append(text)

    for call in calls:
        add(call)
    per_call: list[list[ast.Call]] = []
    for call in calls:
        variants: list[ast.Call] = []
        per_call.append(variants)
        for i, arg in enumerate(call.args):
            try:
                value = ast.literal_eval(arg)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            for new in _variants(value):
                args = list(call.args)
                args[i] = ast.parse(repr(new), mode="eval").body
                variants.append(ast.Call(func=call.func, args=args, keywords=[]))
    # round robin over the calls' variants, so the first calls do not take every slot
    for row in itertools.zip_longest(*per_call):
        for v in row:
            if v is not None:
                add(v)
    return out


_TEST_FAULTS = ("NameError", "ImportError", "ModuleNotFoundError", "SyntaxError")


def valid_tests(runs: list[CandidateRun], n_tests: int) -> tuple[list[int], dict[str, int]]:
    """The tests that are fit to judge with, by what they did on every usable candidate: a test that is not
    deterministic anywhere, times out everywhere, or fails for its own fault (a name nothing defines) on
    every candidate is dropped. Returns the kept indices and the dropped counts by reason."""
    usable = [r for r in runs if r.usable]
    kept, dropped = [], {}
    for i in range(n_tests):
        outcomes = [r.outcomes[i] for r in usable]
        why = None
        if not outcomes:
            why = "no_candidate_ran"
        elif "flaky" in outcomes:
            why = "not_deterministic"
        elif all(o == "timeout" for o in outcomes):
            why = "timeout"
        elif all(o == "error" and r.errors[i][0] in _TEST_FAULTS for o, r in zip(outcomes, usable, strict=True)):
            why = "test_error"
        if why:
            dropped[why] = dropped.get(why, 0) + 1
        else:
            kept.append(i)
    return kept, dropped


_TEST_WRONG = re.compile(r"^\W*TEST[_ ]WRONG\b", re.I | re.M)


def says_test_wrong(text: str) -> bool:
    """Whether a repair answer names the test as wrong instead of fixing the code."""
    return bool(_TEST_WRONG.search(text)) and "```" not in text
