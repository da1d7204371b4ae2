"""The `alchemist` command: a thin layer over the Python API.

Each area keeps its verbs in its own ``commands.py`` with a ``register(app)`` function, so the CLI stays a
list and importing it stays cheap (heavy libraries are imported inside the commands).
"""

from __future__ import annotations

import importlib
import os

import typer

# Busy-waiting OpenMP threads starve other processes on small shared machines; must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

app = typer.Typer(
    name="alchemist",
    help="AlchemistCoder: multi-source code instruction data, harmonized, trained and evaluated.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_AREAS = (
    "alchemistcoder.ingest.commands",
    "alchemistcoder.curate.commands",
    "alchemistcoder.decontam.commands",
    "alchemistcoder.llm.commands",
    "alchemistcoder.harmonize.commands",
    "alchemistcoder.evolve.commands",
    "alchemistcoder.verify.commands",
    "alchemistcoder.comprehend.commands",
    "alchemistcoder.train.commands",
    "alchemistcoder.evaluate.commands",
    "alchemistcoder.report.commands",
    "alchemistcoder.cache",
    "alchemistcoder.pipeline.commands",
)

for _module in _AREAS:
    importlib.import_module(_module).register(app)


@app.callback()
def _main() -> None:
    """AlchemistCoder: build, harmonize, train on and evaluate multi-source code instruction data."""


if __name__ == "__main__":
    app()
