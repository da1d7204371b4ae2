"""The HTML report of a run (``<run>/report.html``).

Names are imported lazily: ``alchemistcoder.config`` imports ``report.config`` through this package.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_report", "write_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from alchemistcoder.report import build

        return getattr(build, name)
    raise AttributeError(f"module 'alchemistcoder.report' has no attribute {name!r}")
