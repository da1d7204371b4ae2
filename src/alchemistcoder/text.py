"""Small text helpers shared by the stages that put sample text into prompts."""

from __future__ import annotations


def clip(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` characters, marking the cut."""
    text = text or ""
    return text if len(text) <= max_chars else text[:max_chars].rstrip() + "\n[...]"
