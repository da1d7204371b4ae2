"""One user cache root for models, sandbox builds and decontamination's store, and `alchemist cache`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from alchemistcoder.cache import KINDS, cache_dir, cache_root


def test_every_kind_lives_under_alchemist_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ALCHEMIST_CACHE", str(tmp_path / "big-disk"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ALCHEMIST_SANDBOX_CACHE", raising=False)
    from alchemistcoder.decontam.stores import EmbeddingStore
    from alchemistcoder.llm.embedded import checkpoint_dir
    from alchemistcoder.sandbox.toolchains import sandbox_cache_dir

    root = tmp_path / "big-disk"
    assert cache_root() == root
    assert {kind: cache_dir(kind) for kind in KINDS} == {kind: root / kind for kind in KINDS}
    assert EmbeddingStore().path == root / "decontam" / "embeddings.sqlite"
    assert sandbox_cache_dir() == root / "sandbox"
    assert checkpoint_dir().parent == root / "models"


def test_without_alchemist_cache_the_root_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ALCHEMIST_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == tmp_path / "alchemistcoder"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "alchemistcoder"
    with pytest.raises(ValueError, match="unknown cache kind"):
        cache_dir("nonsense")


def test_the_cache_verb_lists_sizes_and_clears_one_kind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from alchemistcoder.cli import app

    monkeypatch.setenv("ALCHEMIST_CACHE", str(tmp_path))
    monkeypatch.delenv("ALCHEMIST_SANDBOX_CACHE", raising=False)
    (tmp_path / "decontam").mkdir()
    (tmp_path / "decontam" / "embeddings.sqlite").write_bytes(b"x" * 2048)
    (tmp_path / "verify_set").mkdir()  # something this version does not know is listed, not hidden
    result = CliRunner().invoke(app, ["cache"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert set(lines) == {*KINDS, "verify_set"}
    assert "2.0 KB" in lines["decontam"] and str(tmp_path / "decontam") in lines["decontam"]
    result = CliRunner().invoke(app, ["cache", "--clear", "decontam"])
    assert result.exit_code == 0 and not (tmp_path / "decontam").exists()
    assert CliRunner().invoke(app, ["cache", "--clear", "nonsense"]).exit_code == 2
