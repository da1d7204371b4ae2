"""Deciding with tests that may be wrong: the two policies, one function each.

A model's test can be wrong where the response is right (a small model's expected values often are), so a
failed test alone is weak evidence. ``pass_share`` trusts the tests: the response passes when it passes at
least ``min_pass_share`` of the valid ones. ``agreement`` is CodeT's dual agreement (Chen et al., 2022): the
model also writes independent solutions; candidates (the response and the solutions) are grouped by the set
of valid tests they pass, a group scores (members) x (tests passed), and the best group's tests are the
consensus. The response passes when it passes every consensus test; it fails only when at least
``min_agreeing`` independent solutions form that consensus, none behaves like the response, and it passes less
than ``min_consensus_share`` of the consensus tests (a relaxed threshold: "Verification Limits Code LLM
Training" finds that demanding every test throws away useful data); otherwise the evidence is not enough
either way (undecided, kept unverified).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.verify.testing import CandidateRun


@dataclass(slots=True)
class Decision:
    """``verdict``: pass, fail or undecided; ``failing``: the test indices the response is held to and fails
    (the first is shown to the repairer); ``evidence``: what the trace records."""

    verdict: str
    failing: list[int] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    probe: int | None = None  # a probe the response answers differently from the settled solutions


def pass_share(response: CandidateRun, valid: list[int], min_share: float) -> Decision:
    """The response passes when it passes at least ``min_share`` of the valid tests."""
    if not valid:
        return Decision("undecided", evidence={"why": "no valid tests"})
    passed = [i for i in valid if i in response.passed]
    share = len(passed) / len(valid)
    evidence = {"passed": len(passed), "valid": len(valid), "share": round(share, 3)}
    if share >= min_share:
        return Decision("pass", evidence=evidence)
    return Decision("fail", [i for i in valid if i not in response.passed], evidence)


def agreement(response: CandidateRun, solutions: list[CandidateRun], valid: list[int], min_agreeing: int,
              min_consensus_share: float = 1.0) -> Decision:
    """CodeT dual agreement of the response and the independent solutions on the valid tests."""
    if not valid:
        return Decision("undecided", evidence={"why": "no valid tests"})
    valid_set = frozenset(valid)
    mine = response.passed & valid_set if response.usable else frozenset()
    others = [s.passed & valid_set for s in solutions if s.usable]
    groups: dict[frozenset[int], int] = {}
    for passed in others:
        groups[passed] = groups.get(passed, 0) + 1
    # the response is a member of its own group too: an answer is evidence for its tests
    scored = {p: (n + (p == mine)) * len(p) for p, n in groups.items()}
    scored.setdefault(mine, len(mine))
    best = max(scored, key=lambda p: (scored[p], len(p), sorted(p)))
    evidence: dict[str, Any] = {
        "solutions": len(others),
        "groups": sorted(([sorted(p), n] for p, n in groups.items()), key=lambda g: -g[1]),
        "consensus": sorted(best),
        "score": scored[best],
        "response_passed": sorted(mine),
    }
    if not best:
        evidence["why"] = "no test is passed by any candidate"
        return Decision("undecided", evidence=evidence)
    failing = sorted(best - mine)
    share = 1 - len(failing) / len(best)
    evidence["consensus_share"] = round(share, 3)
    if share >= min_consensus_share:
        return Decision("pass", evidence=evidence)
    agreeing = groups.get(best, 0)
    alike = groups.get(mine, 0)
    evidence["agreeing"], evidence["alike"] = agreeing, alike
    if agreeing >= min_agreeing and alike == 0:
        return Decision("fail", failing, evidence)
    evidence["why"] = "too few independent solutions agree against the response"
    return Decision("undecided", failing, evidence)


def differential(response: CandidateRun, solutions: list[CandidateRun], min_agreeing: int) -> dict[str, Any]:
    """Differential evidence on the probes (the tests' calls and nearby inputs): a probe is *settled* when at
    least ``min_agreeing`` independent solutions give the same answer and more than half of the solutions that
    answer give it; the response disagrees where its answer differs from the settled one and no solution answers
    as it does. Expected values written by the model play no part, so its arithmetic slips cannot convict a
    right response."""
    usable = [s for s in solutions if s.usable]
    settled, disagree = 0, []
    for i, mine in enumerate(response.answers if response.usable else []):
        answers = [s.answers[i] for s in usable if i < len(s.answers)
                   and not s.answers[i].startswith(("!Timeout", "!Dropped"))]
        if not answers:
            continue
        top = max(set(answers), key=lambda a: (answers.count(a), a))
        count = answers.count(top)
        if count < min_agreeing or 2 * count <= len(answers):
            continue
        settled += 1
        if mine != top and mine not in answers:
            disagree.append(i)
    return {"settled": settled, "disagree": disagree}


def with_differential(decision: Decision, response: CandidateRun, solutions: list[CandidateRun], min_agreeing: int,
                      max_disagreement: float, min_settled: int) -> Decision:
    """The agreement decision with the differential evidence added: a response that answers more than
    ``max_disagreement`` of at least ``min_settled`` settled probes differently from the solutions fails.
    Agreeing on the probes does not verify a response the tests left undecided (on the tune split that let
    mutants whose changed branch no probe reaches through): it stays unverified."""
    diff = differential(response, solutions, min_agreeing)
    settled, disagree = diff["settled"], diff["disagree"]
    decision.evidence["differential"] = {"settled": settled, "disagree": len(disagree)}
    if settled < min_settled:
        return decision
    if len(disagree) / settled > max_disagreement and decision.verdict != "fail":
        return Decision("fail", [], {**decision.evidence, "why": "answers differ from the independent solutions"},
                        probe=disagree[0])
    return decision
