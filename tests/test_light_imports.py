"""Light work stays light: loading a config and building the CLI's help import no model, numpy, rapidfuzz or
sandbox code (each is checked in a fresh interpreter, since this test process has imported everything)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "configs" / "quickstart.yaml"

# Module prefixes that light work must not import: the model runtimes, the numeric, columnar and
# fuzzy-matching libraries, tree-sitter's parsers and the sandbox. (``alchemistcoder.benchmarks`` is light:
# the eval section's validator reads its benchmark names, no benchmark data.)
HEAVY = ("torch", "transformers", "numpy", "rapidfuzz", "sentence_transformers", "datasets", "pyarrow", "vllm",
         "tree_sitter", "alchemistcoder.sandbox")


def _modules_after(code: str) -> list[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_loading_a_config_imports_nothing_heavy() -> None:
    modules = _modules_after(f"from alchemistcoder.config import load_config\nload_config({str(QUICKSTART)!r})")
    assert "alchemistcoder.config" in modules
    assert _heavy(modules) == []


def test_the_cli_help_imports_nothing_heavy() -> None:
    code = (
        "import typer.main\n"
        "from alchemistcoder.cli import app\n"
        "command = typer.main.get_command(app)\n"
        "for args in (['--help'], ['run', '--help'], ['curate', '--help']):\n"
        "    try:\n"
        "        command.main(args, prog_name='alchemist', standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    modules = _modules_after(code)
    assert "alchemistcoder.cli" in modules
    assert _heavy(modules) == []
