"""Model-written tests for C++, Java, JavaScript, Go, Rust, C, C#, Ruby and PHP responses.

The model writes the tests as Python asserts over literal values (``assert gcd(12, 18) == 6``), from the
instruction and the function's signature in its own language, and its independent solutions in Python, so the
consensus is found exactly as for a Python response. The response's function is run on each test's arguments
by decontamination's typed harnesses (``decontam.signals.foreign``: the literals written in the declared
parameter types, one program per language, compiled and run in the sandbox), and its answer compared with the
test's. A test whose values the declared types cannot hold is not run for the response (no evidence either
way). Only simple signatures count (numbers, booleans, characters, strings and arrays or lists of them).

A call that throws or crashes gives no answer; the calls after it run again without it
(``decontam.signals.foreign.harness_answers``), so one bad input fails its own test only. With
``verify.foreign_probes`` the response also answers the probes, and a probe it gives no answer to is no evidence
(:data:`testing.NO_ANSWER`), not another answer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from alchemistcoder.verify.testing import NO_ANSWER, CandidateRun

LANGUAGES = ("cpp", "java", "javascript", "go", "rust", "c", "csharp", "ruby", "php")


@dataclass(slots=True)
class ForeignInterface:
    """What the tests of a foreign response may call: its code (``decontam.signals.foreign.ForeignCode``) and,
    per function, the Python signature the model is asked to write tests and solutions for."""

    code: Any
    signatures: dict[str, str]

    def prompt(self) -> str:
        """The interface as the prompts show it: a Python signature with the original one beside it."""
        return "\n".join(f"def {name}({sig}):  # in {self.code.language}: {_declared(self.code, name)}"
                         for name, sig in self.signatures.items())


def _declared(code: Any, name: str) -> str:
    fn = next(f for f in code.functions if f.name == name)
    params = ", ".join(p or "x" for p in fn.params)
    return f"{fn.returns or ''} {name}({params})".strip()


def foreign_interface(response: str, language: str) -> ForeignInterface | None:
    """The callable functions of a response's code in ``language`` (one of :data:`LANGUAGES`), or None."""
    from alchemistcoder.decontam.signals.foreign import foreign_code

    code = foreign_code(response)
    if code is None or code.language != language or not code.functions:
        return None
    signatures = {f.name: ", ".join(f"arg{i + 1}" for i in range(len(f.params))) for f in code.functions}
    return ForeignInterface(code, signatures)


def _call(node: ast.expr, names: set[str]) -> tuple[str, list[Any]] | None:
    """``f(<literals>)`` as (f, arguments); None for any other expression."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
            and not node.keywords):
        return None
    try:
        return node.func.id, [ast.literal_eval(a) for a in node.args]
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _case(test: str, names: set[str]) -> tuple[str, list[Any], Any] | None:
    """``assert f(<literals>) == <literal>`` as (f, arguments, expected); None for any other form."""
    try:
        stmt = ast.parse(test).body[0]
    except (SyntaxError, IndexError, ValueError):
        return None
    if not isinstance(stmt, ast.Assert) or not isinstance(stmt.test, ast.Compare):
        return None
    cmp = stmt.test
    if len(cmp.ops) != 1 or not isinstance(cmp.ops[0], ast.Eq):
        return None
    call = _call(cmp.left, names)
    if call is None:
        return None
    try:
        return call[0], call[1], ast.literal_eval(cmp.comparators[0])
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _probe_call(probe: str, names: set[str]) -> tuple[str, list[Any]] | None:
    try:
        node = ast.parse(probe, mode="eval").body
    except (SyntaxError, ValueError):
        return None
    return _call(node, names)


def canon(value: Any, depth: int = 0) -> str:
    """A JSON answer of a harness program as ``_tests_runner._canon`` writes a Python answer (that module runs
    in the sandbox and imports its helper from there, so it cannot be imported here): the same text for the
    same value, so the response's answers compare with the Python solutions' on the probes."""
    if depth > 6:
        return "..."
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return repr(int(value))
        return repr(round(value, 6))
    if isinstance(value, list):
        return "[" + ",".join(canon(v, depth + 1) for v in value[:100]) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{canon(k, depth + 1)}:{canon(v, depth + 1)}" for k, v in
                                     list(value.items())[:100])) + "}"
    return repr(value)[:300]


def _calls_of(items: list[tuple[ForeignInterface, list[str], list[str]]]) -> tuple[dict[int, list[Any]], list[Any]]:
    """Every test and probe a response's declared types can take, as harness calls by item, and per call
    number what it is: (item, ``test`` or ``probe``, its index, the expected answer)."""
    from alchemistcoder.decontam.signals.foreign import _callable
    from alchemistcoder.decontam.signals.foreign import _holds_none as holds_none

    calls_of: dict[int, list[Any]] = {}
    index: list[tuple[int, str, int, Any]] = []
    for k, (iface, tests, probes) in enumerate(items):
        code, names = iface.code, set(iface.signatures)
        by_name = {f.name: f for f in code.functions}
        wanted = [("test", i, _case(t, names)) for i, t in enumerate(tests)]
        wanted += [("probe", j, (*c, None) if (c := _probe_call(p, names)) else None) for j, p in enumerate(probes)]
        for kind, i, case in wanted:
            if case is None:
                continue
            fn = by_name[case[0]]
            # a test whose answer the declared type cannot give (Python's None from a C++ int) says nothing
            if not _callable(code, fn, case[1]) or (kind == "test" and case[2] is None
                                                     and not holds_none(code.language, fn.returns)):
                continue
            calls_of.setdefault(k, []).append((len(index), k, fn, list(case[1])))
            index.append((k, kind, i, case[2]))
    return calls_of, index


def run_foreign_tests(items: list[tuple[ForeignInterface, list[str], list[str]]], timeout_s: float,
                      workers: int | None = None) -> list[tuple[CandidateRun, set[int]]]:
    """Each response's function on each of its tests and probes, in the sandbox. ``items``: (interface, tests,
    probes: call expressions, ``testing.probes_of``). Per item, the response's run (an outcome per test: pass,
    or fail for a wrong answer, an error or no answer; an answer per probe, :data:`NO_ANSWER` where its types
    cannot take the arguments or it gave none) and the indices of the tests it could be run on (the others
    hold values its declared types cannot)."""
    from alchemistcoder.decontam.signals.foreign import _agrees, harness_answers

    calls_of, index = _calls_of(items)
    answers = harness_answers({k: items[k][0].code for k in calls_of}, calls_of, timeout_s, workers)
    outcomes = [["fail"] * len(tests) for _iface, tests, _probes in items]
    probe_answers = [[NO_ANSWER] * len(probes) for _iface, _tests, probes in items]
    ran: list[set[int]] = [set() for _ in items]
    for n, (k, kind, i, want) in enumerate(index):
        if kind == "test":
            ran[k].add(i)
            if n in answers and _agrees(answers[n], want):
                outcomes[k][i] = "pass"
        elif n in answers:
            probe_answers[k][i] = canon(answers[n])
    return [(CandidateRun("ok", outcomes=outcomes[k], errors=[("", "")] * len(outcomes[k]),
                          answers=probe_answers[k]), ran[k]) for k in range(len(items))]


def drop_unholdable(run: CandidateRun, solutions: list[CandidateRun], iface: ForeignInterface,
                    probes: list[str]) -> None:
    """A probe the solutions answer ``None`` and the response's declared type cannot (a C++ ``int``) says
    nothing of the response: its answer becomes :data:`NO_ANSWER`."""
    from alchemistcoder.decontam.signals.foreign import _holds_none as holds_none

    by_name = {f.name: f for f in iface.code.functions}
    for i, probe in enumerate(probes):
        theirs = [s.answers[i] for s in solutions if s.usable and i < len(s.answers)]
        call = _probe_call(probe, set(iface.signatures))
        if call and theirs.count("None") * 2 > len(theirs) and not holds_none(
                iface.code.language, by_name[call[0]].returns) and i < len(run.answers):
            run.answers[i] = NO_ANSWER
