"""The eval stage: the trained checkpoint (or ``eval.model`` when nothing was trained) on the benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alchemistcoder.evaluate.config import EvalConfig
from alchemistcoder.stage import StageContext


def run_eval_stage(checkpoint: Path | None, cfg: EvalConfig, ctx: StageContext) -> dict[str, Any]:
    """Generate and score; results go to ``eval.out`` or the stage directory."""
    from alchemistcoder.evaluate import run_eval
    from alchemistcoder.llm.config import LLMConfig

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
    return {"model": llm.model, "dir": str(out), "results": summaries}
