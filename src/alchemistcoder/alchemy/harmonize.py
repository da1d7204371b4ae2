"""The harmonize stage: ground, select, write, validate, apply.

``run_harmonize(samples, cfg, ctx)`` returns every input sample (rejected ones untouched) and, in ``add``
mode, the customized copies right after their parents. Every decision is in the trace of the selected
sample: an ``alchemist_grounding`` event with the facts handed to the writer, one ``alchemist_prompt`` event
per written candidate (verdict ``keep`` for the accepted one; ``info`` with the reason code for a rejected
candidate, since a rejected *prompt* does not reject the *sample*), and the ``alchemist_apply`` event.

Selection is stratified per source over the whole list the stage receives, so the executor must hand it the
whole dataset (or one source per call), not arbitrary shards.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.alchemy.apply import apply_prompt
from alchemistcoder.alchemy.config import HarmonizeConfig
from alchemistcoder.alchemy.grounding import Grounding, ground
from alchemistcoder.alchemy.select import select
from alchemistcoder.alchemy.template_writer import WRITER_NAME as TEMPLATE_WRITER
from alchemistcoder.alchemy.template_writer import template_prompt
from alchemistcoder.alchemy.validate import Verdict, clean_prompt, validate_prompt
from alchemistcoder.alchemy.write import WRITER_NAME as MODEL_WRITER
from alchemistcoder.alchemy.write import (
    build_messages,
    completion_prompt,
    generate_prompts,
    make_request,
    retry_messages,
    structured_mode,
)
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext

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
    seconds: float = 0.0

    @property
    def valid_rate(self) -> float:
        """Share of model-written prompts that passed validation (0 when the model wrote none)."""
        return self.model_valid / self.model_attempts if self.model_attempts else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "selected": self.selected,
            "model_attempts": self.model_attempts,
            "model_valid": self.model_valid,
            "valid_rate": round(self.valid_rate, 4),
            "by_writer": dict(self.by_writer),
            "candidate_rejects": dict(self.candidate_rejects),
            "without_prompt": self.without_prompt,
            "created": self.created,
            "modified": self.modified,
            "seconds": round(self.seconds, 3),
        }


def _check(prompt: str, sample: Sample, grounding: Grounding, cfg: HarmonizeConfig) -> Verdict:
    return validate_prompt(
        prompt,
        sample.instruction,
        sample.response,
        grounding,
        max_words=cfg.max_words,
        max_sentences=cfg.max_sentences,
        max_similarity=cfg.max_similarity,
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
    """Model-written prompts for ``chosen``: each rejected attempt is re-asked with its reason, up to ``max_attempts``."""
    accepted: dict[str, Accepted] = {}
    chats = {
        s.id: build_messages(
            s.instruction, s.response, g, max_words=cfg.max_words,
            max_instruction_chars=cfg.max_instruction_chars, max_response_chars=cfg.max_response_chars,
        )
        for s, g in chosen
    }
    backend = getattr(getattr(client, "config", None), "backend", None)
    mode = structured_mode(cfg.structured, backend)
    pending = list(chosen)
    for attempt in range(cfg.max_attempts):
        if not pending:
            break
        requests = [
            make_request(
                chats[s.id], max_tokens=cfg.max_tokens, seed=seed, attempt=attempt,
                temperature=cfg.temperature if attempt == 0 else cfg.retry_temperature,
            )
            for s, _ in pending
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
            _record(sample, verdict, prompt, MODEL_WRITER, model, attempt, stage, structured=mode,
                    **({"raw": raw} if raw is not None else {}))
            if verdict.ok and prompt is not None:
                stats.model_valid += 1
                accepted[sample.id] = Accepted(prompt, MODEL_WRITER, model)
            else:
                stats.candidate_rejects[verdict.reason or "invalid"] += 1
                previous = completion.text or (text or "")
                chats[sample.id] = retry_messages(chats[sample.id], previous, verdict.reason or "invalid_output")
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


def run_harmonize(samples: list[Sample], cfg: HarmonizeConfig, ctx: StageContext) -> list[Sample]:
    """The harmonize stage (see the module docstring)."""
    if not cfg.enabled:
        return samples
    t0 = time.perf_counter()
    stage = ctx.stage or "harmonize"
    stats = HarmonizeStats()
    groundings: dict[str, Grounding] = {}
    tasks = set(cfg.tasks)

    def eligible(s: Sample) -> bool:
        if s.task not in tasks or not s.instruction.strip() or not s.response.strip():
            return False
        if s.id not in groundings:
            groundings[s.id] = ground(s.instruction, s.response)
        return len(groundings[s.id].missing) >= cfg.min_missing

    chosen_samples = select(
        samples, cfg.fraction, ctx.seed, eligible,
        priority=(lambda s: len(groundings[s.id].missing)) if cfg.prioritize_missing else None,
    )
    chosen = [(s, groundings[s.id]) for s in chosen_samples]
    stats.selected = len(chosen)
    for s, g in chosen:
        s.record(GROUNDING_OP, "info", params=g.to_dict(), stage=stage)

    accepted: dict[str, Accepted] = {}
    # the model writes when one is configured (or handed over through ctx.client); the template fills in
    with_model = cfg.writer == "model" and (cfg.model is not None or ctx.client is not None)
    if chosen and with_model:
        with ctx.llm(cfg.model) as client:
            model_name = getattr(getattr(client, "config", None), "model", None) or "model"
            accepted = write_with_model(chosen, cfg, client, model_name, ctx.seed, stage, stats)
    use_template = cfg.writer == "template" or not with_model or cfg.fallback == "template"
    for s, g in chosen:
        if s.id in accepted or not use_template:
            continue
        a = write_with_template(s, g, cfg, stage, stats)
        if a is not None:
            accepted[s.id] = a

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
    ctx.stats["harmonize"] = stats.to_dict()
    ctx.progress(len(samples))
    return out
