"""Conditional perplexity discrepancy (CPD), the paper's measure of how well an instruction fits its response.

For a response r and an instruction i, with a scoring model: CPD(i) = PPL(r | i) - PPL(r). The more the
instruction tells the model about the response, the lower PPL(r | i) and the more negative the CPD. An
AlchemistPrompt p should lower it further: CPD(p + i) < CPD(i). We report both distributions and the *gain*
CPD(i) - CPD(p + i) per sample (positive when the prompt helps).

PPL(r) is the perplexity of the response tokens after the scoring model's chat prefix with an empty user
turn, PPL(r | i) the same with the instruction as the user turn: only the context differs, so the
difference isolates what the instruction contributes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from alchemistcoder.harmonize.apply import APPLY_OP
from alchemistcoder.records import Sample


@dataclass
class CPDPair:
    """One response with its instruction without and (optionally) with its AlchemistPrompt."""

    id: str
    response: str
    instruction: str
    alchemist_instruction: str | None = None
    writer: str | None = None


@dataclass
class CPDResult:
    """Perplexities and discrepancies of one pair."""

    id: str
    writer: str | None
    ppl_response: float
    ppl_given_instruction: float
    ppl_given_alchemist: float | None
    cpd_without: float
    cpd_with: float | None

    @property
    def gain(self) -> float | None:
        return None if self.cpd_with is None else self.cpd_without - self.cpd_with


def pairs_from_samples(samples: Sequence[Sample]) -> list[CPDPair]:
    """Pairs from harmonize output: every sample with an ``alchemist_apply`` event gives (before, after)."""
    pairs = []
    for s in samples:
        if s.rejected:
            continue
        event = next((e for e in reversed(s.trace) if e.op == APPLY_OP and e.verdict in {"create", "modify"}), None)
        if event is None:
            continue
        pairs.append(CPDPair(s.id, s.response, str(event.before), str(event.after), event.params.get("writer")))
    return pairs


class Scorer:
    """A causal LM that scores the response tokens of (context, response) pairs."""

    def __init__(self, model_path: str | Path | None = None, *, device: str = "cpu", max_context_tokens: int = 512,
                 max_response_tokens: int = 256, batch_size: int = 8) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if model_path is None:
            from alchemistcoder.llm.embedded import embedded_model_path

            model_path = embedded_model_path()
        self.model_path = str(model_path)
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        self.model = AutoModelForCausalLM.from_pretrained(self.model_path, dtype=torch.float32).to(device).eval()
        self.device = device
        self.max_context_tokens = max_context_tokens
        self.max_response_tokens = max_response_tokens
        self.batch_size = batch_size

    def _prefix(self, context: str) -> list[int]:
        tok = self.tokenizer
        if tok.chat_template:
            text = tok.apply_chat_template([{"role": "user", "content": context}], tokenize=False, add_generation_prompt=True)
            ids = tok(text, add_special_tokens=False)["input_ids"]
        else:
            ids = tok(context + "\n", add_special_tokens=True)["input_ids"]
        # Keep the end of a long context: the chat markup before the response must stay.
        return ids[-self.max_context_tokens :]

    def response_nll(self, contexts: Sequence[str], responses: Sequence[str]) -> list[float]:
        """Mean negative log-likelihood per response token, for each (context, response)."""
        import torch

        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id or 0
        out: list[float] = []
        for start in range(0, len(responses), self.batch_size):
            rows = []
            for context, response in zip(contexts[start : start + self.batch_size], responses[start : start + self.batch_size], strict=True):
                prefix = self._prefix(context)
                target = self.tokenizer(response, add_special_tokens=False)["input_ids"][: self.max_response_tokens] or [pad]
                rows.append((prefix, target))
            width = max(len(p) + len(t) for p, t in rows)
            ids = torch.full((len(rows), width), pad, dtype=torch.long)
            labels = torch.full((len(rows), width), -100, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for i, (p, t) in enumerate(rows):
                seq = p + t
                ids[i, : len(seq)] = torch.tensor(seq)
                labels[i, len(p) : len(seq)] = torch.tensor(t)
                mask[i, : len(seq)] = 1
            with torch.inference_mode():
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits.float()
            shift_logits, shift_labels = logits[:, :-1], labels[:, 1:].to(self.device)
            nll = torch.nn.functional.cross_entropy(
                shift_logits.reshape(-1, shift_logits.size(-1)), shift_labels.reshape(-1), ignore_index=-100, reduction="none"
            ).view(shift_labels.shape)
            counts = (shift_labels != -100).sum(dim=1).clamp(min=1)
            out.extend((nll.sum(dim=1) / counts).tolist())
        return out


def score_pairs(pairs: Sequence[CPDPair], scorer: Scorer) -> list[CPDResult]:
    """PPL(r), PPL(r | i) and, where present, PPL(r | p + i) for each pair, and the discrepancies."""
    responses = [p.response for p in pairs]
    base = scorer.response_nll([""] * len(pairs), responses)
    given = scorer.response_nll([p.instruction for p in pairs], responses)
    with_idx = [i for i, p in enumerate(pairs) if p.alchemist_instruction is not None]
    given_alc = dict(zip(
        with_idx,
        scorer.response_nll([pairs[i].alchemist_instruction or "" for i in with_idx], [responses[i] for i in with_idx]),
        strict=True,
    ))
    results = []
    for i, p in enumerate(pairs):
        ppl_r, ppl_i = math.exp(base[i]), math.exp(given[i])
        ppl_p = math.exp(given_alc[i]) if i in given_alc else None
        results.append(CPDResult(
            id=p.id, writer=p.writer, ppl_response=ppl_r, ppl_given_instruction=ppl_i, ppl_given_alchemist=ppl_p,
            cpd_without=ppl_i - ppl_r, cpd_with=None if ppl_p is None else ppl_p - ppl_r,
        ))
    return results


def summarize(results: Sequence[CPDResult]) -> dict[str, Any]:
    """Means and shares over the results (the figures the bench and the report quote)."""
    gains = [r.gain for r in results if r.gain is not None]

    def mean(xs: Sequence[float]) -> float | None:
        return sum(xs) / len(xs) if xs else None

    by_writer: dict[str, list[float]] = {}
    for r in results:
        if r.gain is not None:
            by_writer.setdefault(r.writer or "unknown", []).append(r.gain)
    return {
        "n": len(results),
        "mean_cpd_without": mean([r.cpd_without for r in results]),
        "mean_cpd_with": mean([r.cpd_with for r in results if r.cpd_with is not None]),
        "mean_gain": mean(gains),
        "share_improved": (sum(g > 0 for g in gains) / len(gains)) if gains else None,
        "mean_gain_by_writer": {w: mean(g) for w, g in sorted(by_writer.items())},
    }


def plot_distributions(results: Sequence[CPDResult], path: str | Path, title: str = "Conditional perplexity discrepancy") -> Path:
    """A PNG with the two CPD distributions (without / with AlchemistPrompt) and their means."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    without = [r.cpd_without for r in results]
    with_ = [r.cpd_with for r in results if r.cpd_with is not None]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    values = without + with_
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    bins = [lo + (hi - lo) * k / 30 for k in range(31)] if hi > lo else 10
    ax.hist(without, bins=bins, alpha=0.55, label=f"instruction (n={len(without)})", color="tab:blue")
    if with_:
        ax.hist(with_, bins=bins, alpha=0.55, label=f"AlchemistPrompt + instruction (n={len(with_)})", color="tab:orange")
    for xs, color in ((without, "tab:blue"), (with_, "tab:orange")):
        if xs:
            ax.axvline(sum(xs) / len(xs), color=color, linestyle="--", linewidth=1)
    ax.set_xlabel("PPL(response | instruction) - PPL(response)")
    ax.set_ylabel("samples")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def analyze_cpd(samples: Sequence[Sample], out_dir: str | Path, *, model_path: str | Path | None = None,
                limit: int | None = None, **scorer_kwargs: Any) -> dict[str, Any]:
    """Score the AlchemistPrompt pairs in ``samples``; write ``cpd.json`` and ``cpd.png`` under ``out_dir``."""
    from alchemistcoder.io import atomic_path

    pairs = pairs_from_samples(samples)[: limit or None]
    if not pairs:
        raise ValueError("no sample carries an AlchemistPrompt (an 'alchemist_apply' event); run harmonize first")
    scorer = Scorer(model_path, **scorer_kwargs)
    results = score_pairs(pairs, scorer)
    summary = {"model": scorer.model_path, **summarize(results)}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    import orjson

    payload = {**summary, "samples": [{**asdict(r), "gain": r.gain} for r in results]}
    with atomic_path(out / "cpd.json") as tmp:
        Path(tmp).write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    plot_distributions(results, out / "cpd.png")
    return summary
