"""In-process vLLM backend for GPU machines (optional: ``pip install 'alchemistcoder[vllm]'``).

vLLM schedules its own continuous batching, so the whole chunk goes to one ``LLM.chat`` / ``LLM.generate``
call with one ``SamplingParams`` per request. Imported only when ``backend: vllm`` is chosen.
"""

from __future__ import annotations

from typing import Any

from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.llm.types import ChatRequest, Completion


class VLLMBackend:
    """A vLLM ``LLM`` engine over ``config.model`` (hub id or local checkpoint)."""

    batched = True

    def __init__(self, config: LLMConfig) -> None:
        try:
            import vllm
        except ImportError as exc:
            raise RuntimeError(
                "LLM backend 'vllm' needs the vllm package, which is not installed. On a GPU machine: "
                "pip install 'alchemistcoder[vllm]'. Or use backend 'openai' against a vLLM server, "
                "or 'transformers'."
            ) from exc
        self._vllm = vllm
        self.config = config
        model = config.model
        if config.model in ("smollm2-135m-instruct", "embedded"):
            from alchemistcoder.llm.embedded import embedded_model_path

            model = str(embedded_model_path())
        self.name = config.model
        self.identity = f"vllm:{config.model}"
        # vLLM batches internally; hand it large chunks.
        self.batch_size = max(config.batch_size, 256)
        self._llm: Any = None
        self._model_path = model

    def _engine(self) -> Any:
        if self._llm is None:
            dtype = "auto" if self.config.dtype == "auto" else self.config.dtype
            self._llm = self._vllm.LLM(model=self._model_path, dtype=dtype)
        return self._llm

    def _params(self, r: ChatRequest) -> Any:
        return self._vllm.SamplingParams(
            max_tokens=r.max_tokens, temperature=r.temperature, top_p=r.top_p, stop=r.stop, seed=r.seed
        )

    def generate_batch(self, requests: list[ChatRequest]) -> list[Completion]:
        """Generate every request in one engine call per kind (chat / raw prompt)."""
        llm = self._engine()
        out: list[Completion | None] = [None] * len(requests)
        chats = [i for i, r in enumerate(requests) if r.messages is not None]
        prompts = [i for i, r in enumerate(requests) if r.messages is None]
        if chats:
            results = llm.chat(
                [requests[i].messages for i in chats], [self._params(requests[i]) for i in chats], use_tqdm=False
            )
            for i, res in zip(chats, results, strict=True):
                out[i] = self._completion(res)
        if prompts:
            results = llm.generate(
                [requests[i].prompt for i in prompts], [self._params(requests[i]) for i in prompts], use_tqdm=False
            )
            for i, res in zip(prompts, results, strict=True):
                out[i] = self._completion(res)
        return [c for c in out if c is not None]

    def _completion(self, res: Any) -> Completion:
        o = res.outputs[0]
        return Completion(
            text=o.text,
            model=self.name,
            prompt_tokens=len(res.prompt_token_ids or []),
            completion_tokens=len(o.token_ids),
            finish_reason=o.finish_reason or "stop",
        )

    def close(self) -> None:
        self._llm = None
