"""In-process Hugging Face transformers backend: batched generation on CPU or GPU.

Prompts are rendered with the tokenizer's chat template and left-padded, so a batch of different lengths
generates together. Requests are grouped by sampling parameters (one ``generate`` call takes one set);
within a group they are sorted by length to waste little padding. Greedy decoding is deterministic; sampling
is seeded per group from the requests' ``seed``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.llm.backends import kept_per_process
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.llm.types import ChatRequest, Completion


@kept_per_process
def load_model(model_path: str, device: str, dtype_name: str, threads: int) -> tuple[Any, Any]:
    """(tokenizer, model) of ``model_path`` (the embedded model when empty), ready to generate.

    Kept for the process (``kept_per_process``): loading once per worker instead of once per shard saves
    seconds per shard.
    """
    # Busy-waiting OpenMP threads are very slow on shared or oversubscribed CPUs (takes effect only if torch is
    # not imported yet).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    path = model_path
    if not path:
        from alchemistcoder.llm.embedded import embedded_model_path

        path = str(embedded_model_path())
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if threads and device == "cpu":
        torch.set_num_threads(threads)
    dtype: Any = "auto"
    if dtype_name != "auto":
        dtype = getattr(torch, dtype_name)
    elif device == "cpu":
        dtype = torch.float32  # half precision is slow (or unsupported) on most CPUs
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Loading weights" bar per load clutters logs and servers
    try:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    model.to(device)
    model.eval()
    return tokenizer, model


@dataclass
class TransformersBackend:
    """A causal LM loaded lazily from ``model_path`` (hub id or local checkpoint directory)."""

    model_path: str
    name: str
    dtype: str = "auto"
    device: str = "auto"
    batch_size: int = 8
    threads: int = 0
    identity: str = ""
    batched: bool = True
    _model: Any = field(default=None, repr=False)
    _tokenizer: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_config(cls, config: LLMConfig) -> TransformersBackend:
        """The embedded model (``backend='embedded'``) or ``config.model`` loaded with transformers."""
        if config.backend == "embedded":
            from alchemistcoder.llm.embedded import EMBEDDED_MODEL_NAME, checkpoint_dir

            # The path is resolved (and the model converted) on first use, not here: cached runs never load it.
            return cls(
                model_path="",
                name=EMBEDDED_MODEL_NAME,
                dtype=config.dtype,
                device=config.device,
                batch_size=config.batch_size,
                threads=config.threads,
                identity=f"embedded:{checkpoint_dir().name}",
            )
        return cls(
            model_path=config.model,
            name=config.model,
            dtype=config.dtype,
            device=config.device,
            batch_size=config.batch_size,
            threads=config.threads,
            identity=f"transformers:{config.model}",
        )

    # -- loading -------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Load tokenizer and model once (thread-safe); the process keeps the last one loaded (below)."""
        with self._lock:
            if self._model is None:
                self._tokenizer, self._model = load_model(self.model_path, self.device, self.dtype, self.threads)

    @property
    def tokenizer(self) -> Any:
        self.load()
        return self._tokenizer

    def render(self, request: ChatRequest) -> str:
        """The exact text the model sees: the chat template applied to messages, or the raw prompt."""
        tok = self.tokenizer
        if request.prompt is not None:
            return request.prompt
        if tok.chat_template:
            return tok.apply_chat_template(request.messages, tokenize=False, add_generation_prompt=True)
        # A base model without a template: a plain transcript ending where the assistant speaks.
        lines = [f"{m['role']}: {m['content']}" for m in request.messages or []]
        return "\n".join([*lines, "assistant:"])

    # -- generation ----------------------------------------------------------------------------------------

    def generate_batch(self, requests: list[ChatRequest]) -> list[Completion]:
        """Generate for every request (grouped by sampling parameters, ``batch_size`` at a time)."""
        self.load()
        out: list[Completion | None] = [None] * len(requests)
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, r in enumerate(requests):
            sampling = r.temperature > 0
            # A seeded sampled request runs alone, so its answer does not depend on what it was batched
            # with (one generate() call draws every row from one random stream).
            alone = i if sampling and r.seed is not None else None
            key = (
                sampling,
                r.temperature if sampling else 0.0,
                r.top_p if sampling else 1.0,
                r.seed if sampling else None,
                tuple(r.stop or ()),
                r.prompt is not None,  # raw prompts and chats tokenize differently (special tokens)
                alone,
            )
            groups.setdefault(key, []).append(i)
        for indices in groups.values():
            texts = {i: self.render(requests[i]) for i in indices}
            ordered = sorted(indices, key=lambda i: len(texts[i]))
            for start in range(0, len(ordered), self.batch_size):
                chunk = ordered[start : start + self.batch_size]
                for i, completion in zip(
                    chunk,
                    self._generate_chunk([requests[i] for i in chunk], [texts[i] for i in chunk]),
                    strict=True,
                ):
                    out[i] = completion
        return [c for c in out if c is not None]

    def _generate_chunk(self, requests: list[ChatRequest], texts: list[str]) -> list[Completion]:
        import torch

        tok, model = self._tokenizer, self._model
        first = requests[0]
        # Chat templates already contain the special tokens; raw prompts get the tokenizer's usual ones.
        add_special = first.prompt is not None
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=add_special).to(model.device)
        max_new = max(r.max_tokens for r in requests)
        kwargs: dict[str, Any] = {
            "max_new_tokens": max_new,
            "pad_token_id": tok.pad_token_id,
            "do_sample": first.temperature > 0,
        }
        if first.temperature > 0:
            kwargs.update(temperature=first.temperature, top_p=first.top_p)
            if first.seed is not None:
                torch.manual_seed(first.seed)
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        if first.stop:
            kwargs.update(stop_strings=list(first.stop), tokenizer=tok)
        with torch.inference_mode():
            generated = model.generate(**enc, **kwargs)
        new_tokens = generated[:, enc["input_ids"].shape[1] :].tolist()
        prompt_lens = enc["attention_mask"].sum(dim=1).tolist()
        eos_ids = _eos_ids(model, tok)
        results = []
        for r, ids, n_prompt in zip(requests, new_tokens, prompt_lens, strict=True):
            ids = ids[: r.max_tokens]
            finish = "length"
            for pos, t in enumerate(ids):
                if t in eos_ids:
                    ids, finish = ids[: pos + 1], "stop"
                    break
            text = tok.decode(ids, skip_special_tokens=True)
            if r.stop:
                cut = _cut_at_stop(text, r.stop)
                if cut is not None:
                    text, finish = cut, "stop"
            results.append(
                Completion(
                    text=text,
                    model=self.name,
                    prompt_tokens=int(n_prompt),
                    completion_tokens=len(ids),
                    finish_reason=finish,
                )
            )
        return results

    def close(self) -> None:
        self._model = None
        self._tokenizer = None


def _eos_ids(model: Any, tok: Any) -> set[int]:
    ids: set[int] = set()
    eos = getattr(model.generation_config, "eos_token_id", None)
    if isinstance(eos, int):
        ids.add(eos)
    elif eos:
        ids.update(eos)
    if tok.eos_token_id is not None:
        ids.add(tok.eos_token_id)
    return ids


def _cut_at_stop(text: str, stop: list[str]) -> str | None:
    """``text`` up to (not including) the earliest stop string, or None when none occurs."""
    hits = [text.find(s) for s in stop if s and s in text]
    return text[: min(hits)] if hits else None
