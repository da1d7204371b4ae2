"""Source profiles: measured style statistics per source.

AlchemistCoder starts from the observation that sources answer in conflicting styles (bare code vs long
explanations, fenced vs not, with or without tests). A profile puts numbers on that, per source: length
distributions, how much of a response is code, which languages, docstrings and comments, tests and printed
output. Code is found and named by :mod:`alchemistcoder.code` (the same module curation uses).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.records import Sample

_TOKEN = re.compile(r"\w+|[^\w\s]")


_SHORT = {"python": "py", "javascript": "js", "typescript": "ts", "cpp": "c++", "csharp": "c#"}


def _dist(values: list[int]) -> dict[str, float]:
    """Mean and the 10th/50th/90th percentiles (nearest rank) of a list of counts."""
    if not values:
        return {"mean": 0.0, "p10": 0.0, "p50": 0.0, "p90": 0.0}
    ordered = sorted(values)
    n = len(ordered)

    def pct(q: float) -> float:
        return float(ordered[min(n - 1, int(q * n))])

    return {"mean": round(sum(ordered) / n, 1), "p10": pct(0.1), "p50": pct(0.5), "p90": pct(0.9)}


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


@dataclass
class ProfileCounts:
    """The figures a profile is made from, mergeable: counts add up and the length lists concatenate, so a
    profile can be counted per shard (in parallel) and merged (the report does so)."""

    samples: int = 0
    instruction_chars: list[int] = field(default_factory=list)
    response_chars: list[int] = field(default_factory=list)
    response_tokens: list[int] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # with_code, fenced, docstrings, ..., code/prose chars
    languages: Counter[str] = field(default_factory=Counter)

    def add(self, s: Sample) -> None:
        """Count one sample (its code facts from ``meta["code"]`` when curation recorded them)."""
        instruction, response = s.instruction, s.response
        self.samples += 1
        self.instruction_chars.append(len(instruction))
        self.response_chars.append(len(response))
        self.response_tokens.append(len(_TOKEN.findall(response)))
        style = _style(s)
        c = self.counts
        if style is None:
            c["prose_chars"] += len(response)
            return
        c["with_code"] += 1
        c["fenced"] += style["fenced_any"]
        c["code_chars"] += style["code_chars"]
        c["prose_chars"] += max(0, len(response) - style["code_chars"])
        self.languages[style["language"]] += 1
        for key in ("docstring", "comments", "tests", "prints", "shows_output"):
            c[key] += style[key]

    def merge(self, other: ProfileCounts) -> ProfileCounts:
        """Add ``other``'s figures to these (languages first seen here keep their place)."""
        self.samples += other.samples
        self.instruction_chars += other.instruction_chars
        self.response_chars += other.response_chars
        self.response_tokens += other.response_tokens
        self.counts.update(other.counts)
        self.languages.update(other.languages)
        return self

    def summary(self) -> dict[str, Any]:
        """The profile: length distributions and shares (see :func:`profile_samples`)."""
        n, c = self.samples, self.counts
        with_code = c["with_code"]
        return {
            "samples": n,
            "instruction_chars": _dist(self.instruction_chars),
            "response_chars": _dist(self.response_chars),
            "response_tokens": _dist(self.response_tokens),
            "code_share": _share(with_code, n),
            "fenced_code_share": _share(c["fenced"], n),
            "prose_to_code": round(c["prose_chars"] / c["code_chars"], 3) if c["code_chars"] else None,
            "languages": {k: _share(v, with_code) for k, v in self.languages.most_common()},
            "docstring_share": _share(c["docstring"], with_code),
            "comment_share": _share(c["comments"], with_code),
            "tests_share": _share(c["tests"], with_code),
            "prints_share": _share(c["prints"], with_code),
            "shows_output_share": _share(c["shows_output"], n),
        }


def _style(s: Sample) -> dict[str, Any] | None:
    """The response's style facts (None without code): recorded by curation in ``meta["code"]``, else
    extracted here."""
    from alchemistcoder.code import extract_code_blocks
    from alchemistcoder.code.facts import response_style

    recorded = s.meta.get("code")
    if isinstance(recorded, dict) and (recorded.get("blocks") == 0 or "code_chars" in recorded):
        return recorded if recorded.get("blocks") else None
    blocks = extract_code_blocks(s.response)
    return response_style(s.response, blocks) if blocks else None


def profile_counts(samples: Iterable[Sample]) -> dict[str, ProfileCounts]:
    """The profile figures of ``samples`` by source (every sample counts, rejected ones too)."""
    groups: dict[str, ProfileCounts] = defaultdict(ProfileCounts)
    for s in samples:
        groups[s.source].add(s)
    return dict(groups)


def profile_one(samples: list[Sample]) -> dict[str, Any]:
    """The style statistics of one group of samples (normally one source)."""
    counts = ProfileCounts()
    for s in samples:
        counts.add(s)
    return counts.summary()


def profile_samples(samples: Iterable[Sample], include_rejected: bool = False) -> dict[str, Any]:
    """Profiles per source, plus ``"(all)"``: ``{"sources": {name: stats}, "all": stats}``.

    Share fields (``*_share``, ``languages``) other than ``code_share``, ``fenced_code_share`` and
    ``shows_output_share`` are shares of the samples that contain code.
    """
    groups: dict[str, list[Sample]] = defaultdict(list)
    everything: list[Sample] = []
    for s in samples:
        if s.rejected and not include_rejected:
            continue
        groups[s.source].append(s)
        everything.append(s)
    return {
        "sources": {name: profile_one(group) for name, group in groups.items()},
        "all": profile_one(everything),
    }


def profile_table(profile: dict[str, Any]) -> Any:
    """A rich Table comparing the sources of a profile side by side."""
    from rich.table import Table

    table = Table(title="Source profiles (response style; docstr..prints: share of responses with code)")
    table.add_column("source", no_wrap=True)
    table.add_column("n", justify="right")
    table.add_column("resp chars p10/50/90", justify="right", no_wrap=True)
    for col in ("resp tok mean", "instr chars p50", "code", "fenced", "prose:code"):
        table.add_column(col, justify="right")
    table.add_column("languages % (top 3)", no_wrap=True)
    for col in ("docstr", "comments", "tests", "prints", "shows output"):
        table.add_column(col, justify="right")
    rows = [*profile["sources"].items(), ("(all)", profile["all"])]
    for name, p in rows:
        rc = p["response_chars"]
        langs = " ".join(f"{_SHORT.get(k, k)} {v * 100:.0f}" for k, v in list(p["languages"].items())[:3])
        ratio = p["prose_to_code"]
        table.add_row(
            name, str(p["samples"]), f"{rc['p10']:.0f}/{rc['p50']:.0f}/{rc['p90']:.0f}",
            f"{p['response_tokens']['mean']:.0f}", f"{p['instruction_chars']['p50']:.0f}",
            f"{p['code_share']:.0%}", f"{p['fenced_code_share']:.0%}", "-" if ratio is None else f"{ratio:.2f}",
            langs, f"{p['docstring_share']:.0%}", f"{p['comment_share']:.0%}", f"{p['tests_share']:.0%}",
            f"{p['prints_share']:.0%}", f"{p['shows_output_share']:.0%}",
        )
    return table
