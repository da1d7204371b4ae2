"""The HTML report of a run (``<run>/report.html``).

Names are imported lazily: ``alchemistcoder.config`` imports ``report.config`` through this package.
"""

from __future__ import annotations

from alchemistcoder.lazy import lazy_getattr

__all__ = ["render_report", "write_report"]


__getattr__ = lazy_getattr(__name__, dict.fromkeys(__all__, "alchemistcoder.report.build"))
