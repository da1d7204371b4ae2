"""Issue 25 (3): the old import paths of renamed packages still work for one release, and warn."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(("old", "new", "sub", "name"), [
    ("alchemistcoder.alchemy", "alchemistcoder.harmonize", "config", "HarmonizeConfig"),
    ("alchemistcoder.sources", "alchemistcoder.ingest", "adapters", "ADAPTERS"),
])
def test_an_old_package_name_is_the_new_package_and_warns(old: str, new: str, sub: str, name: str) -> None:
    code = (
        "import importlib, sys, warnings\n"
        "warnings.simplefilter('error', DeprecationWarning)\n"
        f"try:\n    importlib.import_module({old!r})\nexcept DeprecationWarning as e:\n    print('warned', e)\n"
        "warnings.simplefilter('ignore', DeprecationWarning)\n"
        f"old = importlib.import_module({old + '.' + sub!r})\n"
        f"new = importlib.import_module({new + '.' + sub!r})\n"
        f"assert old is new and getattr(old, {name!r}) is getattr(new, {name!r})\n"
        f"assert importlib.import_module({old!r}) is importlib.import_module({new!r})\n"
        "print('same')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert f"warned {old} is deprecated" in out and new in out and "same" in out


def test_the_old_eval_section_loads_with_a_message_naming_file_and_key(tmp_path, caplog) -> None:
    from alchemistcoder.config import load_config

    path = tmp_path / "run.yaml"
    path.write_text("run:\n  seed: 3\n  stage_functions: {eval: 'my.module:fn'}\neval:\n  benchmarks: [mbpp+]\n"
                    "  limit: 4\n")
    with caplog.at_level("WARNING"):
        cfg = load_config(path, ["eval.n_samples=2"])
    assert cfg.evaluate.benchmarks == ["mbpp+"] and cfg.evaluate.limit == 4 and cfg.evaluate.n_samples == 2
    assert cfg.run.stage_functions == {"evaluate": "my.module:fn"}
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"{path}:4: eval: deprecated: the section is 'evaluate:'") for m in messages)
    assert any(m.startswith(f"{path}:3: run.stage_functions.eval: deprecated") for m in messages)
    # --set with the old name over a file that already says evaluate:, and the new name over an old file
    path.write_text("evaluate:\n  benchmarks: [mbpp+]\n  limit: 4\n")
    assert load_config(path, ["eval.limit=5"]).evaluate.limit == 5
    path.write_text("eval:\n  benchmarks: [mbpp+]\n  limit: 4\n")
    assert load_config(path, ["evaluate.limit=6"]).evaluate.limit == 6
    with pytest.warns(DeprecationWarning, match="RunConfig.eval"):
        assert cfg.eval is cfg.evaluate


def test_the_eval_verb_is_a_deprecated_name_of_evaluate() -> None:
    from typer.testing import CliRunner

    from alchemistcoder.cli import app

    result = CliRunner().invoke(app, ["--help"])
    assert "score" in result.output and "evaluate" in result.output
    result = CliRunner().invoke(app, ["eval", "/nonexistent/run.yaml"])
    assert result.exit_code == 2 and "'alchemist eval' is 'alchemist evaluate' now" in result.output
    result = CliRunner().invoke(app, ["evaluate", "--benchmark", "humaneval", "--samples", "s.jsonl"])
    assert result.exit_code == 2 and "alchemist score --benchmark B --samples F" in result.output
