"""Regular expressions gated by literals they cannot match without.

A pattern that starts with ``\\b`` or ``^\\s*`` gets no literal-prefix search from ``re``: scanning 3,000
characters costs ~4 us, where a substring test (in C) costs ~0.2 us. Most code facts ask about a few words
that most texts lack, so testing the words first skips most scans. The answer is the same, because a
pattern whose required literals are absent cannot match (``tests/test_code.py`` checks gate and pattern agree
over the shared sets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GatedPattern:
    """A compiled pattern and its gate: for each tuple in ``need``, one of its strings occurs in any text the
    pattern matches (lower-case strings for a case-insensitive pattern)."""

    pattern: re.Pattern[str]
    need: tuple[tuple[str, ...], ...]
    ignore_case: bool

    def search(self, text: str, folded: str | None = None) -> bool:
        """Whether the pattern matches ``text``; ``folded`` may pass ``text.lower()`` when already computed."""
        probe = text
        if self.ignore_case:
            if not text.isascii():
                # Unicode case folding matches letters str.lower leaves alone ("ſ" is "s"): the regex decides
                return self.pattern.search(text) is not None
            probe = folded if folded is not None else text.lower()
        # plain loops: generator expressions here cost more than the scans they save
        for group in self.need:
            for literal in group:
                if literal in probe:
                    break
            else:
                return False
        return self.pattern.search(text) is not None


def gated(pattern: str, *need: tuple[str, ...], flags: int = 0) -> GatedPattern:
    """Compile ``pattern`` with its gate (see :class:`GatedPattern`)."""
    if flags & re.I and any(s != s.lower() for group in need for s in group):
        raise ValueError(f"gate of the ignore-case pattern {pattern!r}: its literals must be lower-case")
    return GatedPattern(re.compile(pattern, flags), need, bool(flags & re.I))
