"""Instruction-evolution tasks: a view over the evolve stage's ``create`` events.

Each kept evolution (original instruction, method, evolved instruction) gives up to two tasks: *evolve*
(original + method -> evolved) and *explain* (both -> what changed and why it is harder). The explanation is
assembled from the trace alone — the recorded method and the text that the evolution added — so it can be
checked against the record rather than trusted.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from alchemistcoder.comprehend import templates as T
from alchemistcoder.comprehend.task_sample import new_task_sample
from alchemistcoder.evolve.eliminate import INSTRUCTION_REASONS
from alchemistcoder.evolve.methods import METHODS
from alchemistcoder.evolve.stage import EVOLVE_OP
from alchemistcoder.records import Sample
from alchemistcoder.seeding import unit_hash
from alchemistcoder.text import clip

TASK = "evolution"


@dataclass(frozen=True)
class EvolutionPair:
    """One recorded evolution step."""

    sample_id: str  # the evolved sample
    parent_id: str
    method: str
    original: str
    evolved: str
    model: str | None


def evolution_pairs(samples: list[Sample]) -> list[EvolutionPair]:
    """Every evolution recorded in the traces whose evolved instruction was not eliminated."""
    pairs = []
    for s in samples:
        rejection = s.rejection
        if rejection is not None and rejection.reason in INSTRUCTION_REASONS:
            continue
        for e in s.trace:
            if e.op != EVOLVE_OP or e.verdict != "create":
                continue
            method = e.params.get("method")
            parents = e.params.get("parents") or []
            if method not in METHODS or not parents or not isinstance(e.before, str) or not isinstance(e.after, str):
                continue
            if e.before.strip() and e.after.strip():
                pairs.append(EvolutionPair(s.id, parents[0], method, e.before, e.after, e.model))
    return pairs


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _units(text: str) -> list[str]:
    return [u.strip() for u in _SENTENCE.split(text) if u and u.strip()]


def added_units(original: str, evolved: str, limit: int = 4) -> list[str]:
    """Sentences or lines of ``evolved`` that are new or changed with respect to ``original``."""
    a, b = _units(original), _units(evolved)
    out: list[str] = []
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag in ("insert", "replace"):
            out.extend(b[j1:j2])
    return out[:limit]


def describe_changes(pair: EvolutionPair) -> str:
    """What the evolution changed, from the texts themselves."""
    n0, n1 = len(pair.original.split()), len(pair.evolved.split())
    added = added_units(pair.original, pair.evolved)
    lines = [f"The task went from {n0} to {n1} words."]
    if "```" in pair.evolved and "```" not in pair.original:
        lines.append("It now includes a piece of code for the solver to examine.")
    if added:
        lines.append("New or changed parts:")
        lines.extend(f"- {clip(u, 300)}" for u in added)
    return "\n".join(lines)


def make_evolution_tasks(pairs: list[EvolutionPair], variants: list[str], seed: int = 0,
                         stage: str = "comprehend") -> list[Sample]:
    """The task samples for ``pairs`` (one per pair and variant)."""
    out = []
    for p in pairs:
        method = METHODS[p.method]
        for variant in variants:
            pick = unit_hash(seed, TASK, variant, p.sample_id)
            if variant == "evolve":
                tpl = T.EVOLVE_TASK_PROMPTS[int(pick * len(T.EVOLVE_TASK_PROMPTS))]
                prompt = tpl.format(directive=method.directive, original=p.original.strip())
                answer = p.evolved.strip()
            elif variant == "explain":
                tpl = T.EXPLAIN_TASK_PROMPTS[int(pick * len(T.EXPLAIN_TASK_PROMPTS))]
                prompt = tpl.format(original=p.original.strip(), evolved=p.evolved.strip())
                answer = T.EXPLAIN_ANSWER.format(
                    label=T.METHOD_LABELS.get(p.method, p.method),
                    directive_lower=method.directive[0].lower() + method.directive[1:],
                    changes=describe_changes(p),
                    rationale=method.rationale,
                )
            else:
                raise ValueError(f"unknown evolution-task variant {variant!r} (known: evolve, explain)")
            out.append(new_task_sample(TASK, variant, [p.sample_id, p.parent_id], prompt, answer, stage=stage,
                                       meta={"method": p.method}, params={"method": p.method, "evolution_model": p.model}))
    return out
