"""CLI verbs of this area; registered on the `alchemist` app by cli.py. Heavy imports stay inside functions."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
