"""The report's building blocks: escaped text, tables, notes, preformatted text, and plots as inline PNGs
(matplotlib with the Agg backend, so ``report.html`` needs no other file and no display)."""

from __future__ import annotations

import base64
import html
import io
from typing import Any


def esc(value: Any) -> str:
    return html.escape(str(value))


def table(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{esc(c)}</td>' if i in numeric else f"<td>{esc(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def pre(text: str, limit: int = 1500) -> str:
    text = text if len(text) <= limit else text[:limit] + "\n…"
    return f"<pre>{esc(text)}</pre>"


def plot_png(draw: Any, width: float = 7.0, height: float = 3.2) -> str:
    """Run ``draw(ax)`` on a fresh figure; return an inline ``<img>`` with the PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=90)
    try:
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img class="plot" alt="plot" src="data:image/png;base64,{data}">'


def barh(counts: dict[str, float], title: str, color: str = "#4c78a8") -> str:
    items = sorted(counts.items(), key=lambda kv: kv[1])

    def draw(ax: Any) -> None:
        ax.barh([k for k, _ in items], [v for _, v in items], color=color)
        ax.set_title(title)
        for i, (_, v) in enumerate(items):
            ax.text(v, i, f" {v:g}", va="center", fontsize=8)

    return plot_png(draw, height=max(1.8, 0.35 * len(items) + 1))
