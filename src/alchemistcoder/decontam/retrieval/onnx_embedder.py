"""The sentence-transformers embedding model run by onnxruntime instead of torch (issue 24, item 6).

Embedding the instructions is the floor of a cold decontamination run's cost on a CPU. The same
all-MiniLM-L6-v2 weights, exported once to ONNX and run by onnxruntime with the pooling done in numpy, give
unit vectors within about 2e-7 of torch's (no top-3 candidate and no cosine threshold moves), but on two cores
they ran at 0.85-1.18x torch's speed at the same batches (``bench/embedding_cost.py``, docs/decontam_cost.md), so it
is an option (``decontam.embedding_backend: onnx``), not the default.

The export happens once per model directory, into the user cache (``cache_dir("models")``), under a file
lock and written atomically, so concurrent processes and an interrupted export never leave a half-written
model behind. Only the sentence-transformers layout this project ships is supported (a BERT-like
``Transformer`` module, mean ``Pooling``, optional ``Normalize``); :func:`onnx_supported` says whether a
directory has it, and the torch backend serves any other.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from alchemistcoder.cache import cache_dir
from alchemistcoder.sandbox.budget import cores

# Part of the exported file's name: bump it when the export changes (its inputs, opset, attention kernel).
EXPORT_VERSION = "1"
OPSET = 17
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def onnxruntime_available() -> bool:
    """Whether onnxruntime can be imported here."""
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None


def _modules(model_dir: Path) -> list[str]:
    path = model_dir / "modules.json"
    return [m.get("type", "") for m in json.loads(path.read_text())] if path.is_file() else []


def onnx_supported(model_dir: str | Path) -> bool:
    """Whether ``model_dir`` is a sentence-transformers model this backend reproduces: a transformer, mean
    pooling over the attention mask, then (or not) L2 normalisation."""
    model_dir = Path(model_dir)
    modules = _modules(model_dir)
    if modules[:2] != [_TRANSFORMER, _POOLING] or any(m != _NORMALIZE for m in modules[2:]):
        return False
    pooling = model_dir / "1_Pooling" / "config.json"
    if not pooling.is_file():
        return False
    modes = {k for k, v in json.loads(pooling.read_text()).items() if k.startswith("pooling_mode") and v}
    return modes == {"pooling_mode_mean_tokens"}


def _weights_signature(model_dir: Path) -> str:
    """What identifies the weights without hashing ~90 MB on every load: path, size and mtime of each file
    the export reads."""
    parts = [str(model_dir.resolve()), EXPORT_VERSION]
    for name in sorted(os.listdir(model_dir)):
        path = model_dir / name
        if path.is_file() and (name.endswith((".safetensors", ".bin")) or name == "config.json"):
            st = path.stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def onnx_model_path(model_dir: str | Path) -> Path:
    """Where the ONNX export of ``model_dir`` lives in the user cache (whether or not it exists yet)."""
    model_dir = Path(model_dir)
    return cache_dir("models") / "onnx" / f"{model_dir.name}-{_weights_signature(model_dir)}" / "model.onnx"


def export_onnx(model_dir: str | Path) -> Path:
    """The ONNX file of ``model_dir``'s transformer (last hidden state, dynamic batch and sequence axes),
    exported on first use; safe to call from many processes at once (one exports, the others wait and reuse)."""
    target = onnx_model_path(model_dir)
    if target.is_file():
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if target.is_file():
            return target
        fd, tmp = tempfile.mkstemp(prefix="model.", suffix=".onnx.tmp", dir=target.parent)
        os.close(fd)
        try:
            _export(Path(model_dir), Path(tmp))
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return target


def _export(model_dir: Path, out: Path) -> None:
    """Trace the transformer into ``out`` as a single file (weights inside: the model is ~90 MB)."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        # Eager attention traces into plain MatMul/Softmax that onnxruntime runs for any mask; the SDPA path
        # bakes Python-side checks of the mask into the trace.
        bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()
    finally:
        hf_logging.set_verbosity(verbosity)

    class _Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    example = tuple(torch.ones(2, 8, dtype=torch.long) for _ in _INPUTS)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*_INPUTS, "last_hidden_state")}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's warnings about Python-side checks that eager mode has none of
        torch.onnx.export(_Hidden(bert), example, str(out), input_names=list(_INPUTS),
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=OPSET, dynamo=False)


class OnnxEmbedder:
    """A sentence-transformers model (transformer, mean pooling, normalisation) on onnxruntime's CPU provider,
    with the part of ``SentenceTransformer``'s surface that :func:`~.embedding.encode` uses."""

    backend = "onnx"

    def __init__(self, model_dir: str | Path, threads: int | None = None, onnx_path: str | Path | None = None) -> None:
        """Load (exporting on first use) the model of the sentence-transformers directory ``model_dir``;
        ``onnx_path``: another ONNX file of the same transformer instead (a quantised one, for a bench)."""
        import onnxruntime as ort
        from transformers import AutoTokenizer

        model_dir = Path(model_dir)
        if not onnx_supported(model_dir):
            raise ValueError(f"{model_dir}: not a transformer + mean pooling sentence-transformers model")
        config_path = model_dir / "sentence_bert_config.json"
        config = json.loads(config_path.read_text()) if config_path.is_file() else {}
        self.max_seq_length: int = int(config.get("max_seq_length") or 512)
        self.do_lower_case = bool(config.get("do_lower_case", False))
        self.normalize = _NORMALIZE in _modules(model_dir)
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        self.path = Path(onnx_path) if onnx_path else export_onnx(model_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or cores()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle threads sleep instead of spinning, as torch's do under the CLI (OMP_WAIT_POLICY=PASSIVE): on a
        # shared machine spinning threads take cores from the sandbox and the other processes.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str], batch_size: int = 32, normalize_embeddings: bool = False,
               convert_to_numpy: bool = True) -> np.ndarray:
        """Embeddings of ``texts`` (float32, one row each), each cut at ``max_seq_length`` word pieces, as
        ``SentenceTransformer.encode`` gives them; unit length when the model normalises or
        ``normalize_embeddings`` asks. Always numpy (``convert_to_numpy`` is accepted for the same surface)."""
        del convert_to_numpy
        out: list[np.ndarray] = []
        for start in range(0, len(texts), max(1, batch_size)):
            # sentence-transformers strips each text (and lower-cases when the model says so) before tokenizing
            batch = [t.strip() for t in texts[start : start + batch_size]]
            if self.do_lower_case:
                batch = [t.lower() for t in batch]
            enc = self.tokenizer(batch, padding=True, truncation="longest_first", max_length=self.max_seq_length,
                                 return_tensors="np")
            feeds = {name: np.asarray(enc[name], dtype=np.int64) for name in _INPUTS if name in self._inputs}
            if "token_type_ids" in self._inputs and "token_type_ids" not in enc:
                feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
            hidden = self.session.run(None, feeds)[0]
            mask = np.asarray(enc["attention_mask"], dtype=np.float32)[:, :, None]
            emb = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            if self.normalize or normalize_embeddings:
                emb = emb / np.clip(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12, None)
            out.append(emb.astype(np.float32))
        return np.concatenate(out) if out else np.zeros((0, 0), dtype=np.float32)
