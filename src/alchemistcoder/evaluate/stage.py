"""The evaluate stage: the trained checkpoint (or ``evaluate.model`` when nothing was trained) on the benchmarks, and,
with ``evaluate.baseline``, the base model it was trained from, on the same prompts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alchemistcoder.evaluate.config import EvalConfig
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.stage import StageContext


def evaluate_section(cfg: Any) -> EvalConfig:
    """The config evaluation reads (the stage and the verbs): ``evaluate``, with ``seed: null`` replaced by the run's
    seed, and the baseline model taken from ``train.model`` when ``evaluate.baseline`` is on and
    ``evaluate.baseline_model`` is not set (so a changed base model reruns evaluation)."""
    update: dict[str, Any] = {}
    if cfg.evaluate.seed is None:
        update["seed"] = cfg.run.seed
    if cfg.evaluate.baseline and cfg.evaluate.baseline_model is None:
        update["baseline_model"] = cfg.train.model
    return cfg.evaluate.model_copy(update=update) if update else cfg.evaluate


def baseline_llm(cfg: EvalConfig, ctx: StageContext) -> LLMConfig:
    """The LLM config of ``evaluate.baseline_model``: a name under ``models:``, the embedded model, or a checkpoint."""
    ref = cfg.baseline_model or "embedded"
    if ref in ctx.models:
        return ctx.resolve_model(ref)
    if ref == "embedded":
        return LLMConfig(backend="embedded", max_tokens=cfg.max_tokens)
    return LLMConfig(backend="transformers", model=ref, max_tokens=cfg.max_tokens)


def run_evaluate_stage(checkpoint: Path | None, cfg: EvalConfig, ctx: StageContext) -> dict[str, Any]:
    """Generate and score; results go to ``evaluate.out`` or the stage directory.

    The baseline's results live under the run's cache (``<run>/cache/eval-baseline/<model identity>``), which
    a retrain does not clear, so it is generated once per base model and run.
    """
    from alchemistcoder.evaluate import run_eval
    from alchemistcoder.evaluate.generation import identity_key, model_identity

    if checkpoint is not None:
        llm = LLMConfig(backend="transformers", model=str(checkpoint), max_tokens=cfg.max_tokens)
    elif cfg.model is not None:
        llm = ctx.resolve_model(cfg.model)
    else:
        llm = LLMConfig(max_tokens=cfg.max_tokens)
    out = Path(cfg.out) if cfg.out else ctx.stage_dir
    assert out is not None
    # the cache lives with the results: a new checkpoint clears the stage directory, and with it the answers
    summaries = run_eval(cfg, llm, out, cache_dir=out / "cache")
    result: dict[str, Any] = {"model": llm.model, "dir": str(out), "results": summaries}
    if cfg.baseline and checkpoint is not None:
        base = baseline_llm(cfg, ctx)
        base_dir = ctx.cache_dir / "eval-baseline" / identity_key(model_identity(base))
        result["baseline"] = {
            "model": cfg.baseline_model or base.model,
            "dir": str(base_dir),
            "results": run_eval(cfg, base, base_dir, cache_dir=base_dir / "cache"),
        }
    return result
