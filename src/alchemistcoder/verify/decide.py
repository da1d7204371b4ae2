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

import ast
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.verify.testing import NO_ANSWER, CandidateRun


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
    agreeing = groups.get(best, 0)
    if share >= min_consensus_share and not agreeing and not any(p >= best for p in others):
        # the response's own tests won as the consensus with no independent solution passing them: nothing
        # but the response vouches for those tests
        evidence["why"] = "no independent solution passes the tests the response passes"
        return Decision("undecided", evidence=evidence)
    if share >= min_consensus_share:
        return Decision("pass", evidence=evidence)
    alike = groups.get(mine, 0)
    evidence["agreeing"], evidence["alike"] = agreeing, alike
    if agreeing >= min_agreeing and alike == 0:
        return Decision("fail", failing, evidence)
    evidence["why"] = "too few independent solutions agree against the response"
    return Decision("undecided", failing, evidence)


def shape(answer: str) -> str:
    """The kind of value a canonical answer holds (``_tests_runner._canon``): ``num`` (int and float alike),
    ``bool``, ``str``, ``none``, ``list[<element kinds>]``, ``dict``, ``set``, ``!<exception>`` or the type
    name the runner wrote for anything else."""
    if answer.startswith("!"):
        return answer
    try:
        value = ast.literal_eval(answer)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return "list" if answer.startswith("[") else "dict" if answer.startswith("{") else answer
    return _shape_of(value, 0)


def _shape_of(value: object, depth: int) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "num"
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        if depth:
            return "list"
        return "list[" + ",".join(sorted({_shape_of(v, depth + 1) for v in value})) + "]"
    return type(value).__name__


def _compatible(a: str, b: str) -> bool:
    """Shapes that could hold the same answer: equal, or lists one of which is empty."""
    return a == b or (a.startswith("list") and b.startswith("list") and "list[]" in (a, b))


def differential(response: CandidateRun, solutions: list[CandidateRun], min_agreeing: int) -> dict[str, Any]:
    """Differential evidence on the probes (the tests' calls and nearby inputs): a probe is *settled* when at
    least ``min_agreeing`` independent solutions give the same answer and more than half of the solutions that
    answer give it; the response disagrees where its answer differs from the settled one and no solution answers
    as it does. Expected values written by the model play no part, so its arithmetic slips cannot convict a
    right response.

    Two kinds of difference say that the response has another interface, not another behaviour, and are
    counted apart: a ``TypeError`` where the solutions answer (an input of a type the response does not take:
    a list where it takes tuples) is left out of the settled probes (``out_of_domain``), and an answer of
    another kind (``'YES'`` where the solutions say ``True``, a dict of counts where they give a count) is
    ``other_kind``. A foreign response's probe with no answer (:data:`testing.NO_ANSWER`) is left out too.
    Solutions that agree on an exception where the response answers are no evidence against it (two of three
    solutions of "count the unique lists" put lists in a set): such a probe is not settled."""
    usable = [s for s in solutions if s.usable]
    settled, disagree, out_of_domain, other_kind = 0, [], 0, 0
    theirs: dict[str, set[str]] = {}  # the settled answers beside each answer of the response
    for i, mine in enumerate(response.answers if response.usable else []):
        answers = [s.answers[i] for s in usable if i < len(s.answers)
                   and not s.answers[i].startswith(("!Timeout", "!Dropped"))]
        if not answers:
            continue
        top = max(set(answers), key=lambda a: (answers.count(a), a))
        count = answers.count(top)
        if count < min_agreeing or 2 * count <= len(answers):
            continue
        if mine == NO_ANSWER or (mine == "!TypeError" and not top.startswith("!")):
            out_of_domain += 1
            continue
        if top.startswith("!") and not mine.startswith("!"):
            continue  # solutions agreeing to crash where the response answers say nothing against the answer
        settled += 1
        if not mine.startswith("!"):
            theirs.setdefault(mine, set()).add(top)
        if mine != top and mine not in answers:
            disagree.append(i)
            if not mine.startswith("!") and not top.startswith("!") and not _compatible(shape(mine), shape(top)):
                other_kind += 1
    # another interface maps each of its answers to one of theirs ('YES' wherever they say True); an answer
    # of the response beside two different settled answers is a difference of behaviour, whatever the kinds
    inconsistent = sum(len(tops) - 1 for tops in theirs.values())
    return {"settled": settled, "disagree": disagree, "out_of_domain": out_of_domain, "other_kind": other_kind,
            "inconsistent": inconsistent}


def with_differential(decision: Decision, response: CandidateRun, solutions: list[CandidateRun], min_agreeing: int,
                      max_disagreement: float, min_settled: int, verified_max_disagreement: float = 1.0) -> Decision:
    """The agreement decision with the differential evidence added: a response that answers more than
    ``max_disagreement`` of at least ``min_settled`` settled probes differently from the solutions fails.
    Agreeing on the probes does not verify a response the tests left undecided (on the tune split that let
    mutants whose changed branch no probe reaches through): it stays unverified. A response whose differences
    are mostly answers of another kind (at least ``min_settled`` of them, and half of its differences) is not
    failed, by the tests or the probes: the instruction left the interface open and the model chose another
    one (on the tune split: MBPP references that answer ``'YES'``/``'NO'``, a dict of counts, a tuple of two
    values); it stays unverified. A response that passes the consensus tests but answers more than
    ``verified_max_disagreement`` of the settled probes differently is not verified either: the tests missed
    what the probes saw."""
    diff = differential(response, solutions, min_agreeing)
    settled, disagree = diff["settled"], diff["disagree"]
    decision.evidence["differential"] = {"settled": settled, "disagree": len(disagree),
                                         "out_of_domain": diff["out_of_domain"], "other_kind": diff["other_kind"],
                                         "inconsistent": diff["inconsistent"]}
    if diff["other_kind"] >= min_settled and 2 * diff["other_kind"] >= len(disagree) and not diff["inconsistent"]:
        if decision.verdict == "fail":
            return Decision("undecided", decision.failing, {**decision.evidence,
                                                            "why": "answers of another kind than the independent "
                                                                   "solutions': another interface"})
        return decision
    if settled < min_settled:
        return decision
    if len(disagree) / settled > max_disagreement and decision.verdict != "fail":
        return Decision("fail", [], {**decision.evidence, "why": "answers differ from the independent solutions"},
                        probe=disagree[0])
    if decision.verdict == "pass" and len(disagree) / settled > verified_max_disagreement:
        return Decision("undecided", [], {**decision.evidence, "why": "passes the consensus tests but answers some "
                                                                      "probes differently from the solutions"})
    return decision
