"""The onnxruntime backend of the decontamination embedding: the packaged all-MiniLM-L6-v2 exported to ONNX
gives torch's vectors, is exported once, and torch stays the fallback (issue 24, item 6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import load_problems
from alchemistcoder.decontam.retrieval import onnx_embedder
from alchemistcoder.decontam.retrieval.embedding import (
    MAX_INSTRUCTION_CHARS,
    EmbeddingIndex,
    default_embedding_model_dir,
    embedder_backend,
    encode,
    intent,
    load_embedder,
    resolve_backend,
)
from alchemistcoder.decontam.retrieval.onnx_embedder import OnnxEmbedder, onnx_model_path, onnx_supported
from alchemistcoder.decontam.stores import EmbeddingStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A user cache of this module's own, so the first load really exports."""
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ALCHEMIST_CACHE", str(root))
        yield root


@pytest.fixture(scope="module")
def onnx(cache):
    return load_embedder(None, "onnx")


@pytest.fixture(scope="module")
def torch_embedder():
    return load_embedder(None, "torch")


@pytest.fixture(scope="module")
def statements():
    """The intents of the packaged HumanEval+ and MBPP+ problems' statements."""
    problems = load_problems(DecontamConfig(benchmarks=["humaneval+", "mbpp+"]))
    return [intent(s[:MAX_INSTRUCTION_CHARS]) for p in problems for s in p.statements]


def test_onnx_gives_torchs_vectors_on_benchmark_statements(onnx, torch_embedder, statements):
    assert isinstance(onnx, OnnxEmbedder) and embedder_backend(onnx) == "onnx"
    assert embedder_backend(torch_embedder) == "torch"
    assert len(statements) > 500
    ours, theirs = encode(onnx, statements), encode(torch_embedder, statements)
    assert ours.shape == theirs.shape == (len(statements), 384)
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=0)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # the whole statements too (up to the model's 256 word pieces, not the intents' 64)
    long = sorted(statements, key=len)[-40:]
    np.testing.assert_allclose(encode(onnx, long, max_tokens=256), encode(torch_embedder, long, max_tokens=256),
                               atol=1e-5, rtol=0)


def test_the_export_is_cached_and_not_redone(onnx, cache, monkeypatch):
    path = onnx_model_path(default_embedding_model_dir())
    assert onnx.path == path and path.is_file() and cache in path.parents
    assert not list(path.parent.glob("*.tmp"))  # written by rename, nothing left behind
    stamp = path.stat().st_mtime_ns

    def export_again(model_dir: Path, out: Path) -> None:
        raise AssertionError("exported a second time")

    monkeypatch.setattr(onnx_embedder, "_export", export_again)
    again = load_embedder(None, "onnx")
    assert isinstance(again, OnnxEmbedder) and again.path == path and path.stat().st_mtime_ns == stamp
    text = ["Return the median of a list of numbers."]
    np.testing.assert_array_equal(again.encode(text, normalize_embeddings=True), onnx.encode(text, normalize_embeddings=True))


def test_backends_keep_their_own_store_entries_and_find_the_same_candidates(onnx, torch_embedder, tmp_path):
    problems = load_problems(DecontamConfig(benchmarks=["humaneval"]))
    groups = [p.statements for p in problems]
    store = EmbeddingStore(tmp_path / "emb.sqlite")
    asks = ["Given a list of integers, calculate the median of the list.",
            "Write a Java method that checks whether a string reads the same backwards.",
            "Sort the words of a sentence by length."]
    by_backend = {}
    for backend, embedder in (("onnx", onnx), ("torch", torch_embedder)):
        index = EmbeddingIndex(groups, None, embedder, store=store, backend=backend)
        assert index.backend == backend
        by_backend[backend] = index.candidates(asks, floor=0.3, k=3)
    # a torch entry is not answered from onnx's (the float16 the store keeps differs in the last bit)
    stored = store._open().execute("SELECT COUNT(*) FROM emb").fetchone()[0]
    # (the index's statements: each as written, and some also without their identifier subject)
    assert stored == 2 * len(dict.fromkeys(intent(t) for t in [*asks, *index.statements]))
    for ours, theirs in zip(by_backend["onnx"], by_backend["torch"], strict=True):
        assert [c.problem for c in ours] == [c.problem for c in theirs]
        assert np.allclose([c.cosine for c in ours], [c.cosine for c in theirs], atol=2e-3)
    assert problems[by_backend["onnx"][0][0].problem].key == "HumanEval/47"


def test_torch_backend_still_works(torch_embedder):
    assert resolve_backend("torch") == "torch" and DecontamConfig().embedding_backend == "torch"
    assert type(load_embedder(None)).__name__ == "SentenceTransformer"  # the default
    assert type(torch_embedder).__name__ == "SentenceTransformer"
    emb = encode(torch_embedder, ["Return the median of a list.", "Reverse a string."])
    assert emb.shape == (2, 384) and np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)


def test_without_onnxruntime_the_onnx_backend_falls_back_to_torch(monkeypatch, tmp_path):
    monkeypatch.setattr(onnx_embedder, "onnxruntime_available", lambda: False)
    assert resolve_backend("onnx") == "torch"
    cfg = DecontamConfig(embedding_backend="onnx")
    index = EmbeddingIndex([["Return the median of a list."]], cfg.embedding_model, store=EmbeddingStore(tmp_path / "e.sqlite"),
                           backend=cfg.embedding_backend)
    assert index.backend == "torch"
    assert type(index.embedder).__name__ == "SentenceTransformer"
    assert index.embed(["Return the median of a list."]).shape == (1, 384)


def test_a_model_dir_without_mean_pooling_is_left_to_torch(tmp_path):
    model = Path(default_embedding_model_dir())
    assert onnx_supported(model)
    other = tmp_path / "cls"
    (other / "1_Pooling").mkdir(parents=True)
    (other / "modules.json").write_text((model / "modules.json").read_text())
    (other / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}')
    assert not onnx_supported(other)
