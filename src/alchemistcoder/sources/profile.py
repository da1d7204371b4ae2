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
from typing import Any

from alchemistcoder.records import Sample

_TOKEN = re.compile(r"\w+|[^\w\s]")
_DOCSTRING = re.compile(r'^\s*[rRbBuU]?("""|\'\'\')', re.MULTILINE)
_JSDOC = re.compile(r"/\*\*")
_COMMENT = re.compile(r"(^|\s)(#(?!include|define|pragma|if|endif|!)|//|/\*|--\s)", re.MULTILINE)


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


def profile_one(samples: list[Sample]) -> dict[str, Any]:
    """The style statistics of one group of samples (normally one source)."""
    from alchemistcoder.code import extract_code_blocks
    from alchemistcoder.code.concepts import includes_tests, prints_output, shows_expected_output

    n = len(samples)
    instruction_chars, response_chars, response_tokens = [], [], []
    fenced = with_code = docstrings = comments = tests = prints = shows = 0
    code_chars = prose_chars = 0
    languages: Counter[str] = Counter()
    for s in samples:
        instruction, response = s.instruction, s.response
        instruction_chars.append(len(instruction))
        response_chars.append(len(response))
        response_tokens.append(len(_TOKEN.findall(response)))
        blocks = extract_code_blocks(response)
        if not blocks:
            prose_chars += len(response)
            continue
        with_code += 1
        fenced += any(b.fenced for b in blocks)
        code = "\n".join(b.code for b in blocks)
        size = sum(len(b.code) for b in blocks)
        code_chars += size
        prose_chars += max(0, len(response) - size)
        main = max(blocks, key=lambda b: len(b.code))
        languages[main.language] += 1
        docstrings += bool(_DOCSTRING.search(code) or _JSDOC.search(code))
        comments += bool(_COMMENT.search(code))
        tests += includes_tests(code)
        prints += prints_output(code)
        shows += shows_expected_output(response)
    return {
        "samples": n,
        "instruction_chars": _dist(instruction_chars),
        "response_chars": _dist(response_chars),
        "response_tokens": _dist(response_tokens),
        "code_share": _share(with_code, n),
        "fenced_code_share": _share(fenced, n),
        "prose_to_code": round(prose_chars / code_chars, 3) if code_chars else None,
        "languages": {k: _share(v, with_code) for k, v in languages.most_common()},
        "docstring_share": _share(docstrings, with_code),
        "comment_share": _share(comments, with_code),
        "tests_share": _share(tests, with_code),
        "prints_share": _share(prints, with_code),
        "shows_output_share": _share(shows, n),
    }


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
