"""The harmonize stage: ground, select, write, validate, apply.

``run_harmonize(samples, cfg, ctx)`` returns every input sample (rejected ones untouched) and, in ``add``
mode, the customized copies right after their parents. Every decision is in the trace of the selected
sample: an ``alchemist_grounding`` event with the facts handed to the writer, one ``alchemist_prompt`` event
per written candidate (verdict ``keep`` for the accepted one; ``info`` with the reason code for a rejected
candidate, since a rejected *prompt* does not reject the *sample*; a model candidate names the checklist it
was given and the facts it states), with ``cpd_gate`` one ``alchemist_cpd`` event per accepted candidate
(``harmonize.gate``), and the ``alchemist_apply`` event.

Selection is stratified per source over the whole data set, so on shards the stage is four steps
(:func:`harmonize_steps`): ``candidates`` (each kept sample's seeded rank; the grounding of those near the
head of their source, looked at speculatively) per shard; ``pick`` (the selection, or the further candidates
it still needs to look at) on the driver; ``look`` (those candidates' groundings; shards with none to look
at are not read) per shard; ``select`` on the driver; ``write`` (grounding, writers, validation, CPD gate,
apply) per shard. :func:`run_harmonize` runs the same steps over one list.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from alchemistcoder.harmonize.apply import apply_prompt, prepend
from alchemistcoder.harmonize.config import HarmonizeConfig
from alchemistcoder.harmonize.gate import GATED_OUT, gate_prompts, record_decision
from alchemistcoder.harmonize.grounding import Grounding, checklist, ground
from alchemistcoder.harmonize.select import RANK_SPAN, Candidate, pick, selection_key
from alchemistcoder.harmonize.template_writer import WRITER_NAME as TEMPLATE_WRITER
from alchemistcoder.harmonize.template_writer import template_prompt
from alchemistcoder.harmonize.validate import Verdict, clean_prompt, stated_facts, validate_prompt
from alchemistcoder.harmonize.write import WRITER_NAME as MODEL_WRITER
from alchemistcoder.harmonize.write import (
    build_messages,
    completion_prompt,
    generate_prompts,
    make_request,
    structured_mode,
)
from alchemistcoder.llm.backends import kept_per_process
from alchemistcoder.pipeline.steps import run_steps_inline
from alchemistcoder.records import Sample
from alchemistcoder.stage import MapStep, ReduceStep, StageContext, merge_stats

GROUNDING_OP = "alchemist_grounding"
PROMPT_OP = "alchemist_prompt"


@dataclass
class Accepted:
    """The prompt chosen for one sample and where it came from."""

    prompt: str
    writer: str
    model: str | None


@dataclass
class HarmonizeStats:
    """Counts for the manifest and the bench."""

    selected: int = 0
    model_attempts: int = 0
    model_valid: int = 0
    by_writer: Counter[str] = field(default_factory=Counter)
    candidate_rejects: Counter[str] = field(default_factory=Counter)
    without_prompt: int = 0
    created: int = 0
    modified: int = 0
    structured: str | None = None
    cpd_scored: int = 0
    cpd_gated_out: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "selected": self.selected,
            "model_attempts": self.model_attempts,
            "model_valid": self.model_valid,
            "by_writer": dict(self.by_writer),
            "candidate_rejects": dict(self.candidate_rejects),
            "without_prompt": self.without_prompt,
            "created": self.created,
            "modified": self.modified,
            "structured": self.structured,
            "cpd_scored": self.cpd_scored,
            "cpd_gated_out": self.cpd_gated_out,
            "seconds": round(self.seconds, 3),
        }


def valid_rate(stats: dict[str, Any]) -> float:
    """Share of model-written prompts that passed validation, from the stage's stats (0 when the model wrote
    none); a rate is not stored, since shard stats add up."""
    return stats.get("model_valid", 0) / stats["model_attempts"] if stats.get("model_attempts") else 0.0


def _check(prompt: str, sample: Sample, grounding: Grounding, cfg: HarmonizeConfig) -> Verdict:
    return validate_prompt(
        prompt,
        sample.instruction,
        sample.response,
        grounding,
        max_words=cfg.max_words,
        max_sentences=cfg.max_sentences,
        max_similarity=cfg.max_similarity,
        max_copied_words=cfg.max_copied_words,
        max_own_words=cfg.max_own_words,
    )


def _record(
    sample: Sample, verdict: Verdict, prompt: str | None, writer: str, model: str | None, attempt: int, stage: str,
    **extra: Any,
) -> None:
    params: dict[str, Any] = {"writer": writer, "attempt": attempt, "prompt": prompt, **extra}
    if verdict.detail:
        params["detail"] = verdict.detail
    sample.record(
        PROMPT_OP, "keep" if verdict.ok else "info", reason=verdict.reason, params=params, model=model, stage=stage
    )


def write_with_model(
    chosen: list[tuple[Sample, Grounding]], cfg: HarmonizeConfig, client: Any, model_name: str, seed: int, stage: str,
    stats: HarmonizeStats,
) -> dict[str, Accepted]:
    """Model-written prompts for ``chosen``: a sample whose candidate was rejected is asked again, with its rejected
    candidates and their reasons, up to ``max_attempts`` in all."""
    accepted: dict[str, Accepted] = {}
    rejected: dict[str, list[tuple[str, str]]] = {s.id: [] for s, _ in chosen}
    mode = structured_mode(cfg.structured, client)
    stats.structured = mode
    pending = list(chosen)
    for attempt in range(cfg.max_attempts):
        if not pending:
            break
        requests = [
            make_request(
                build_messages(g, max_words=cfg.max_words, max_facts=cfg.max_facts, rejected=rejected[s.id]),
                max_tokens=cfg.max_tokens, seed=seed, attempt=attempt,
                temperature=cfg.temperature if attempt == 0 else cfg.retry_temperature,
            )
            for s, g in pending
        ]
        completions = generate_prompts(client, requests, mode)
        still: list[tuple[Sample, Grounding]] = []
        for (sample, grounding), completion in zip(pending, completions, strict=True):
            stats.model_attempts += 1
            model = completion.model or model_name
            text, problem = completion_prompt(completion)
            raw = None
            if text is None:
                problem_detail = completion.error or completion.extra.get("structured_error") or "no structured answer"
                verdict = Verdict(False, problem, str(problem_detail)[:200])
                prompt = None
                # What the model said instead, so a reader of the trace can see why it failed.
                raw = (completion.text or str(completion.extra.get("raw_text", "")))[:300]
            else:
                prompt = clean_prompt(text)
                verdict = _check(prompt, sample, grounding, cfg)
            asked = checklist(grounding, cfg.max_facts)
            extra: dict[str, Any] = {"raw": raw} if raw is not None else {
                "checklist": asked, "states": stated_facts(prompt or "", grounding, asked)}
            _record(sample, verdict, prompt, MODEL_WRITER, model, attempt, stage, structured=mode, **extra)
            if verdict.ok and prompt is not None:
                stats.model_valid += 1
                accepted[sample.id] = Accepted(prompt, MODEL_WRITER, model)
            else:
                stats.candidate_rejects[verdict.reason or "invalid"] += 1
                previous = prompt if prompt is not None else " ".join((completion.text or "").split())[:200]
                rejected[sample.id].append((previous, verdict.reason or "invalid_output"))
                still.append((sample, grounding))
        pending = still
    return accepted


def write_with_template(sample: Sample, grounding: Grounding, cfg: HarmonizeConfig, stage: str, stats: HarmonizeStats) -> Accepted | None:
    """The template writer's prompt for one sample, validated like any other."""
    prompt = template_prompt(grounding)
    verdict = _check(prompt, sample, grounding, cfg) if prompt else Verdict(False, "empty", "no missing facts")
    _record(sample, verdict, prompt, TEMPLATE_WRITER, None, 0, stage)
    if not verdict.ok or prompt is None:
        stats.candidate_rejects[f"template_{verdict.reason}"] += 1
        return None
    return Accepted(prompt, TEMPLATE_WRITER, None)


def gate(accepted: dict[str, Accepted], by_id: dict[str, Sample], cfg: HarmonizeConfig, scorer: Any, stage: str,
         stats: HarmonizeStats) -> dict[str, Accepted]:
    """The accepted prompts that lower their response's conditional perplexity (``harmonize.gate``)."""
    ids = list(accepted)
    items = [(by_id[i], prepend(accepted[i].prompt, by_id[i].instruction, cfg.separator)) for i in ids]
    kept: dict[str, Accepted] = {}
    for i, decision in zip(ids, gate_prompts(scorer, items), strict=True):
        record_decision(by_id[i], decision, accepted[i].writer, stage)
        stats.cpd_scored += 1
        if decision.keep:
            kept[i] = accepted[i]
        else:
            stats.cpd_gated_out += 1
            stats.candidate_rejects[f"{accepted[i].writer}_{GATED_OUT}"] += 1
    return kept


# -- selection as keys -> reduce -------------------------------------------------------------------------


def _looked_at(c: Candidate, s: Sample, cfg: HarmonizeConfig) -> Candidate:
    """``c`` with whether its sample is eligible (its grounding misses enough facts) and how many it misses."""
    if s.task not in cfg.tasks or not s.instruction.strip() or not s.response.strip():
        return replace(c, eligible=False)
    missing = len(ground(s.instruction, s.response).missing)
    return replace(c, eligible=missing >= cfg.min_missing, priority=missing)


def candidate_keys(samples: list[Sample], cfg: HarmonizeConfig, ctx: StageContext) -> list[Candidate]:
    """Map (keys only): every kept sample's candidate. Those ranked in the head of their source (twice the
    fraction, plus 1%) are looked at now, so that the usual selection needs no second pass over the shards;
    every one when the selection ranks by missing facts."""
    head = RANK_SPAN if cfg.prioritize_missing else int(min(1.0, 2 * cfg.fraction + 0.01) * RANK_SPAN)
    out = []
    for s in samples:
        if not s.rejected:
            c = Candidate(s.source, s.id, selection_key(ctx.seed, s.id))
            out.append(_looked_at(c, s, cfg) if c.rank < head else c)
    return out


def pick_step(keys: list[list[Candidate]], cfg: HarmonizeConfig, ctx: StageContext) -> list[dict[str, Any]]:
    """Reduce: the selection over every shard's candidates; per shard its candidates and the ids whose
    eligibility is still needed (all of them at once, so the next pick is final)."""
    result = pick([c for shard in keys for c in shard], cfg.fraction, cfg.prioritize_missing)
    merge_stats(ctx.stats, {"harmonize_selection": {
        "looked_ahead": sum(c.eligible is not None for shard in keys for c in shard),
        "looked_again": len(result.needed)}})
    return [{"candidates": shard, "look": sorted(c.id for c in shard if c.id in result.needed)} for shard in keys]


def nothing_to_look_at(decisions: dict[str, Any]) -> bool:
    """``look`` skips a shard none of whose candidates the pick still needs."""
    return not decisions["pick"]["look"]


def look_keys(samples: list[Sample], cfg: HarmonizeConfig, ctx: StageContext) -> list[Candidate]:
    """Map (keys only): the candidates the pick asked about, looked at."""
    wanted = set(ctx.decisions["pick"]["look"])
    return [_looked_at(Candidate(s.source, s.id, selection_key(ctx.seed, s.id)), s, cfg)
            for s in samples if s.id in wanted]


def select_step(keys: list[list[Candidate] | None], cfg: HarmonizeConfig, ctx: StageContext) -> list[list[str]]:
    """Reduce: the final selection; per shard the ids it customizes."""
    first = ctx.decisions["pick"]
    looked = {c.id: c for shard in keys if shard for c in shard}
    candidates = [looked.get(c.id, c) for d in first for c in d["candidates"]]
    result = pick(candidates, cfg.fraction, cfg.prioritize_missing)
    if not result.done:  # pick asked for every unknown candidate it could meet
        raise RuntimeError(f"harmonize selection undecided after looking at every candidate: {len(result.needed)} left")
    return [sorted(c.id for c in d["candidates"] if c.id in result.chosen) for d in first]


# -- writing, per shard ----------------------------------------------------------------------------------


@kept_per_process
def _scorer(model: str | None, max_response_tokens: int) -> Any:
    """The CPD gate's scoring model, loaded once per process (a worker keeps it for every shard it runs; the
    run loop releases it after the stage)."""
    from alchemistcoder.harmonize.cpd import Scorer

    return Scorer(model, max_response_tokens=max_response_tokens)


def write_shard(samples: list[Sample], cfg: HarmonizeConfig, ctx: StageContext) -> list[Sample]:
    """Map: ground, write, validate, gate and apply the prompts of the shard's selected samples; returns every
    sample, each customized copy (``add`` mode) right after its parent."""
    t0 = time.perf_counter()
    stage = ctx.stage
    stats = HarmonizeStats()
    wanted = set(ctx.decisions["select"])
    chosen = [(s, ground(s.instruction, s.response)) for s in samples if s.id in wanted]
    stats.selected = len(chosen)
    for s, g in chosen:
        s.record(GROUNDING_OP, "info", params=g.to_dict(), stage=stage)

    accepted: dict[str, Accepted] = {}
    by_id = {s.id: s for s, _ in chosen}
    scorer = _scorer(cfg.cpd_model, cfg.cpd_max_response_tokens) if cfg.cpd_gate and chosen else None
    # the model writes when one is configured (or handed over through ctx.client); the template fills in
    with_model = cfg.writer == "model" and (cfg.model is not None or ctx.client is not None)
    if chosen and with_model:
        with ctx.llm(cfg.model) as client:
            model_name = getattr(getattr(client, "config", None), "model", None) or "model"
            accepted = write_with_model(chosen, cfg, client, model_name, ctx.seed, stage, stats)
        if scorer is not None:
            accepted = gate(accepted, by_id, cfg, scorer, stage, stats)
    use_template = cfg.writer == "template" or not with_model or cfg.fallback == "template"
    from_template: dict[str, Accepted] = {}
    for s, g in chosen:
        if s.id in accepted or not use_template:
            continue
        a = write_with_template(s, g, cfg, stage, stats)
        if a is not None:
            from_template[s.id] = a
    if scorer is not None:
        from_template = gate(from_template, by_id, cfg, scorer, stage, stats)
    accepted.update(from_template)

    children: dict[str, Sample] = {}
    for s, _ in chosen:
        a = accepted.get(s.id)
        if a is None:
            stats.without_prompt += 1
            s.record(PROMPT_OP, "info", reason="no_valid_prompt", params={"writer": None}, stage=stage)
            continue
        stats.by_writer[a.writer] += 1
        child = apply_prompt(s, a.prompt, mode=cfg.mode, writer=a.writer, model=a.model, separator=cfg.separator, stage=stage)
        if child is not None:
            children[s.id] = child
            stats.created += 1
        else:
            stats.modified += 1

    out: list[Sample] = []
    for s in samples:
        out.append(s)
        if s.id in children:
            out.append(children.pop(s.id))
    stats.seconds = time.perf_counter() - t0
    merge_stats(ctx.stats, {"harmonize": stats.to_dict()})
    ctx.progress(len(samples))
    return out


def harmonize_steps(cfg: HarmonizeConfig) -> list[MapStep | ReduceStep]:
    """The stage's steps (see the module docstring)."""
    return [
        MapStep("candidates", keys=candidate_keys),
        ReduceStep("pick", pick_step),
        MapStep("look", keys=look_keys, skip_if=nothing_to_look_at),
        ReduceStep("select", select_step),
        MapStep("write", write_shard),
    ]


def run_harmonize(samples: list[Sample], cfg: HarmonizeConfig, ctx: StageContext) -> list[Sample]:
    """The harmonize stage over one list (see the module docstring): every input sample, the customized copies
    right after their parents; counts in ``ctx.stats["harmonize"]``."""
    if not cfg.enabled:
        return samples
    return run_steps_inline(harmonize_steps(cfg), samples, cfg, ctx)
