"""One sample under test, as the verify stage works through it (shared by ``stage.py`` and ``repair.py``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.llm.types import Completion
from alchemistcoder.records import Sample
from alchemistcoder.verify import decide as D
from alchemistcoder.verify import foreign_tests as FT
from alchemistcoder.verify import testing as T
from alchemistcoder.verify.program import Program


@dataclass(slots=True)
class Case:
    """One sample under test: its program, tests and candidate runs, as the stage works through it."""

    sample: Sample
    program: Program
    definitions: str
    interface: str
    tests: list[str] = field(default_factory=list)
    provenance: str = "model"
    dropped: Counter = field(default_factory=Counter)
    written: int = 0
    solutions: list[str] = field(default_factory=list)
    response_run: T.CandidateRun | None = None
    solution_runs: list[T.CandidateRun] = field(default_factory=list)
    valid: list[int] = field(default_factory=list)
    decision: D.Decision | None = None
    tokens: int = 0
    repairs: list[dict[str, Any]] = field(default_factory=list)
    model: str | None = None
    fixed_code: str | None = None  # the last fix tried (its definitions are what was tested last)
    first_outcomes: list[str] = field(default_factory=list)  # the response's own, before any repair
    probes: list[str] = field(default_factory=list)  # calls the candidates' answers are compared on
    first_evidence: dict[str, Any] = field(default_factory=dict)
    foreign: FT.ForeignInterface | None = None  # a C++/Java/... response: its function runs in its own language
    must_verify: bool = False  # fixed after contradicting its own example: kept only when the tests verify the fix

    def count(self, completion: Completion) -> None:
        """Add a model answer's tokens (and its model's name) to this case's."""
        self.tokens += completion.prompt_tokens + completion.completion_tokens
        self.model = self.model or completion.model or None
