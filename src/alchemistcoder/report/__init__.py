"""The HTML report of a run (``<run>/report.html``)."""

from alchemistcoder.report.build import render_report, write_report

__all__ = ["render_report", "write_report"]
