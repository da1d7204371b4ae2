"""Model-written tests for C++, Java, JavaScript, Go, Rust and C responses.

The model writes the tests as Python asserts over literal values (``assert gcd(12, 18) == 6``), from the
instruction and the function's signature in its own language, and its independent solutions in Python, so the
consensus is found exactly as for a Python response. The response's function is run on each test's arguments
by decontamination's typed harnesses (``decontam.signals.foreign``: the literals written in the declared
parameter types, one program per language, compiled and run in the sandbox), and its answer compared with the
test's. A test whose values the declared types cannot hold is not run for the response (no evidence either
way). Only simple signatures count (numbers, booleans, characters, strings and arrays or lists of them).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from alchemistcoder.verify.testing import CandidateRun

LANGUAGES = ("cpp", "java", "javascript", "go", "rust", "c")


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
    call, want = cmp.left, cmp.comparators[0]
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in names
            and not call.keywords):
        return None
    try:
        return call.func.id, [ast.literal_eval(a) for a in call.args], ast.literal_eval(want)
    except (ValueError, SyntaxError, TypeError):
        return None


def run_foreign_tests(items: list[tuple[ForeignInterface, list[str]]], timeout_s: float,
                      workers: int | None = None) -> list[tuple[CandidateRun, set[int]]]:
    """Each response's function on each of its tests, in the sandbox: per item, the response's run (an outcome
    per test: pass, or fail for a wrong answer, an error or no answer) and the indices of the tests it could
    be run on (the others hold values its declared types cannot)."""
    from alchemistcoder.decontam.signals.foreign import verify_foreign

    pairs = []
    for iface, tests in items:
        cases = [_case(t, set(iface.signatures)) for t in tests]
        pairs.append((iface.code, [(str(i), [c[0]], [(c[1], c[2])]) for i, c in enumerate(cases) if c]))
    verdicts = verify_foreign(pairs, timeout_s, workers=workers)
    out = []
    for (_iface, tests), found in zip(items, verdicts, strict=True):
        ran = {int(key) for key in found}
        outcomes = ["pass" if str(i) in found and found[str(i)].leak else "fail" for i in range(len(tests))]
        run = CandidateRun("ok", outcomes=outcomes, errors=[("", "")] * len(tests))
        out.append((run, ran))
    return out
