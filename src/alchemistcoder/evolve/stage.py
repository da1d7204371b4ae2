"""The evolve stage: Evol-Instruct over a seeded selection of kept samples.

Each round asks the model to rewrite every current parent with one method, eliminates failed rewrites by
the rules in :mod:`alchemistcoder.evolve.eliminate`, and asks the model to answer the survivors; the
survivors with a usable answer are the parents of the next round. Every evolved instruction becomes a new
Sample whose trace starts with a ``create`` event holding the parent id, method, round, the instruction
before and after, and the model: the instruction-evolution comprehension task is a view over exactly these
events. Eliminated evolutions are not dropped: they stay as rejected samples with their reason code.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from alchemistcoder.evolve import eliminate
from alchemistcoder.evolve.config import EvolveConfig
from alchemistcoder.evolve.methods import evolve_messages, extract_evolved, response_messages
from alchemistcoder.llm.types import ChatRequest
from alchemistcoder.records import Sample, make_messages
from alchemistcoder.seeding import int_seed, seeded_choice, unit_hash
from alchemistcoder.stage import StageContext

EVOLVE_OP = "evolve"
RESPONSE_OP = "evolve_response"
# Keys of the parent's meta that describe the parent's own answer and must not travel to an evolved task.
_ANSWER_META = ("tests", "test_list", "test_setup_code", "challenge_tests", "code", "language", "entry_point")


def is_seed_candidate(sample: Sample) -> bool:
    """Kept, plain code-generation samples with an instruction can seed an evolution."""
    return sample.task == "codegen" and not sample.rejected and bool(sample.instruction.strip())


def select_seeds(samples: list[Sample], cfg: EvolveConfig, seed: int) -> list[Sample]:
    """The seeds: each candidate is chosen when its seeded hash is below ``cfg.fraction`` (shard-independent);
    ``cfg.max_samples`` then keeps the lowest hashes."""
    scored = [(unit_hash(seed, "evolve-seed", s.id), s) for s in samples if is_seed_candidate(s)]
    chosen = [(h, s) for h, s in scored if h < cfg.fraction]
    if cfg.max_samples is not None:
        chosen = sorted(chosen, key=lambda hs: hs[0])[: cfg.max_samples]
        chosen_ids = {s.id for _, s in chosen}
        return [s for s in samples if s.id in chosen_ids]  # input order, for readable output
    return [s for _, s in chosen]


def evolved_id(parent_id: str, round_no: int, method: str) -> str:
    """Stable id of the evolution of ``parent_id`` in ``round_no`` by ``method``."""
    return hashlib.sha256(f"evolve\x00{parent_id}\x00{round_no}\x00{method}".encode()).hexdigest()[:16]


def _child(parent: Sample, cfg: EvolveConfig, round_no: int, method: str, evolved: str, raw: str, model: str | None,
           stage: str) -> Sample:
    meta = {k: v for k, v in parent.meta.items() if k not in _ANSWER_META and k != "evol"}
    root = (parent.meta.get("evol") or {}).get("root", parent.id)
    meta["evol"] = {"parent": parent.id, "root": root, "round": round_no, "method": method, "parent_source": parent.source}
    child = Sample(id=evolved_id(parent.id, round_no, method), source=cfg.source, messages=[{"role": "user", "content": evolved}],
                   task="codegen", meta=meta)
    params: dict[str, Any] = {"parents": [parent.id], "method": method, "round": round_no}
    if raw.strip() != evolved:
        params["raw"] = raw  # what the model said before the rewritten task was cut out of it
    child.record(EVOLVE_OP, "create", params=params, before=parent.instruction, after=evolved, model=model, stage=stage)
    return child


def evolve_round(parents: list[Sample], cfg: EvolveConfig, client: Any, seed: int, round_no: int,
                 stage: str = "evolve") -> list[Sample]:
    """Evolve every parent once; return the new samples (eliminated ones carry a reject event)."""
    methods = [seeded_choice(cfg.methods, cfg.weights(), seed, "evolve-method", p.id, round_no) for p in parents]
    requests = [
        ChatRequest(messages=evolve_messages(p.instruction, m), max_tokens=cfg.evolve_max_tokens,
                    temperature=cfg.temperature, seed=int_seed(seed, "evolve", p.id, round_no), tag=stage)
        for p, m in zip(parents, methods, strict=True)
    ]
    children = []
    for parent, method, completion in zip(parents, methods, client.generate(requests), strict=True):
        evolved = extract_evolved(completion.text) if completion.ok else ""
        child = _child(parent, cfg, round_no, method, evolved, completion.text or "", completion.model or None, stage)
        if not completion.ok:
            child.reject(EVOLVE_OP, eliminate.LLM_ERROR, params={"error": completion.error}, stage=stage)
        else:
            reason = eliminate.instruction_elimination(
                parent.instruction, evolved, min_words=cfg.min_words, min_length_ratio=cfg.min_length_ratio,
                max_similarity=cfg.max_similarity, min_new_words=cfg.min_new_words, method=method,
            )
            if reason:
                child.reject(EVOLVE_OP, reason, params={"method": method, "round": round_no}, stage=stage)
        children.append(child)
    return children


def answer_evolved(children: list[Sample], cfg: EvolveConfig, client: Any, seed: int, stage: str = "evolve") -> None:
    """Ask the model to answer the kept evolved instructions; record each answer, eliminate unusable ones."""
    todo = [c for c in children if not c.rejected]
    requests = [
        ChatRequest(messages=response_messages(c.instruction), max_tokens=cfg.response_max_tokens,
                    temperature=cfg.response_temperature, seed=int_seed(seed, "evolve-response", c.id), tag=stage)
        for c in todo
    ]
    for child, completion in zip(todo, client.generate(requests), strict=True):
        if not completion.ok:
            child.reject(RESPONSE_OP, eliminate.RESPONSE_ERROR, params={"error": completion.error}, stage=stage)
            continue
        response = completion.text
        child.messages = make_messages(child.instruction, response)
        child.record(RESPONSE_OP, "modify", before=None, after=response, model=completion.model or None, stage=stage,
                     params={"finish_reason": completion.finish_reason})
        reason = eliminate.response_elimination(response, min_chars=cfg.min_response_chars)
        if reason:
            child.reject(RESPONSE_OP, reason, stage=stage)


def evolve_samples(samples: list[Sample], cfg: EvolveConfig, client: Any, seed: int = 0,
                   stage: str = "evolve") -> list[Sample]:
    """Run every round over the seeds chosen from ``samples``; return all evolved samples (kept and rejected)."""
    parents = select_seeds(samples, cfg, seed)
    created: list[Sample] = []
    for round_no in range(1, cfg.rounds + 1):
        if not parents:
            break
        children = evolve_round(parents, cfg, client, seed, round_no, stage)
        if cfg.generate_responses:
            answer_evolved(children, cfg, client, seed, stage)
        created.extend(children)
        parents = [c for c in children if not c.rejected]
    return created


def evolve_stats(created: list[Sample]) -> dict[str, Any]:
    """Counts for the manifest: evolved, kept, eliminated by reason, by method."""
    reasons = Counter(s.rejection.reason for s in created if s.rejection is not None)
    methods = Counter(s.meta["evol"]["method"] for s in created)
    n = len(created)
    return {
        "evolved": n,
        "kept": n - sum(reasons.values()),
        "eliminated": dict(sorted(reasons.items())),
        "eliminated_share": (sum(reasons.values()) / n) if n else 0.0,
        "methods": dict(sorted(methods.items())),
    }


def run_evolve(samples: list[Sample], cfg: EvolveConfig, ctx: StageContext) -> list[Sample]:
    """The evolve stage: every input sample, then the evolved ones (see the module docstring)."""
    if not cfg.enabled:
        return samples
    with ctx.llm(cfg.model) as client:
        created = evolve_samples(samples, cfg, client, seed=ctx.seed, stage=ctx.stage)
    ctx.stats["evolve"] = evolve_stats(created)
    ctx.progress(len(samples))
    return [*samples, *created]
