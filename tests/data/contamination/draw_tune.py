"""Re-create the draw of the fresh *tune* set (``fresh_tune.jsonl``): the fresh test set's distribution, other rows.

``fresh.jsonl`` is an untouched test set whose misses are never read. To improve decontamination honestly, this
second seeded draw takes a smaller sample from the **same candidate pool** (:func:`draw_fresh.pool`: the same
sources, the same TF-IDF strata, no part of the system's own retrieval), with every record that the test set
used left out: the rows of ``fresh.jsonl`` and the members of its multi-part rows, every candidate of the seed-24
draw (also those the reviewer left out as undecidable), and, as in the fresh pool, ``paraphrases.jsonl``'s rows
and their copies. The strata keep the fresh draw's proportions at half its size (``DRAW``), plus the
``near_copy`` candidates that neither draw holds. Its misses may be read while designing: it is the tune half.

Every drawn row was read by hand beside its nearest benchmark problems with the fresh set's review rules
(docs/curate.md, "Fresh test set"); multi-part rows are built by :func:`draw_fresh.multipart_rows` with this
draw's seed (``--multipart`` prints them again from the file's single lines). ``python
tests/data/contamination/draw_tune.py`` prints the pool sizes and the drawn candidates.

``fresh_tune2.jsonl`` is a *second* tune draw (:func:`draw_second`, seed 2025, ``--second``): the first tune set was
designed on until it saturated (recall 0.76 there, 0.54 on the test set), so a new sample of the same pool, with
the test set's records, every record of ``fresh_tune.jsonl`` and every candidate of the seed-2024 draw left out,
measures the detector once on rows nobody designed on before it is itself tuned on. Reviewed by the same rules;
its multi-part rows are built with its own seed (``--second --multipart``).

``fresh_tune3.jsonl`` is a *third* (:func:`draw_third`, seed 2026, ``--third``), drawn in issue 24's seventh round after
two rounds designed on the second: every record of the test set and of both earlier tune sets left out, reviewed by
the same rules (three reviewers of 50 rows each, their labels read and four changed by the round's author: two
undecidable rows left out, a printed count labelled a hard negative, an empty list labelled clean), measured at the
earlier rounds' commits before anything was designed on it, its multi-part rows built with its own seed
(``--third --multipart``).

``fresh_tune4.jsonl`` is a *fourth* (:func:`draw_fourth`, seed 2027, ``--fourth``), drawn in issue 24's ninth round
because the rounds designed on the third draw moved the test set by about a third of what they moved the draw: every
record of the test set and of the three earlier tune sets left out, reviewed by the same rules, measured at the
eighth round's last commit (``162348c``) before anything was designed on it, its multi-part rows built with its own
seed (``--fourth --multipart``).
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import draw_fresh  # noqa: E402

SEED = 2024
DRAW = {"high": 110, "mid": 45, "name": 25, "rest": 20}


def test_set_records() -> set[tuple[str, int]]:
    """(file, index) of every record the fresh test set used: its rows, multi-part members, the seed-24 draw."""
    used = set()
    with open(HERE / "fresh.jsonl", encoding="utf-8") as fh:
        for line in map(json.loads, fh):
            used |= {(p["file"], p["index"]) for p in line.get("parts", [line])}
    used |= {(c["file"], c["index"]) for c in draw_fresh.draw(draw_fresh.SEED)}
    return used


def draw(seed: int = SEED, sizes: dict[str, int] = DRAW, used: set[tuple[str, int]] | None = None) -> list[dict]:
    """The seeded tune draw: ``sizes`` candidates per stratum from the pool without ``used`` (default: the test
    set's records), plus the ``near_copy`` candidates outside ``used``."""
    used = test_set_records() if used is None else used
    rng = random.Random(seed)
    strata: dict[str, list[dict]] = defaultdict(list)
    for cand in draw_fresh.pool():
        if (cand["file"], cand["index"]) not in used:
            strata[cand["stratum"]].append(cand)
    out = []
    for name, k in sizes.items():
        out += rng.sample(strata[name], min(k, len(strata[name])))
    copies = [c for c in draw_fresh.near_copies(out) if (c["file"], c["index"]) not in used]
    return out + copies


SECOND_SEED = 2025
# a smaller draw than the first tune set's, the high and name strata (where the positives are) kept large
SECOND_DRAW = {"high": 80, "mid": 35, "name": 25, "rest": 10}


def tune_records() -> set[tuple[str, int]]:
    """(file, index) of every record the first tune set used: the rows and multi-part members of
    ``fresh_tune.jsonl`` and every candidate of the seed-2024 draw (also those left out as undecidable)."""
    return _records("fresh_tune.jsonl", draw(SEED))


def _records(name: str, drawn: list[dict]) -> set[tuple[str, int]]:
    """(file, index) of the rows and multi-part members of the reviewed file ``name`` and of its ``drawn`` candidates."""
    used = set()
    with open(HERE / name, encoding="utf-8") as fh:
        for line in map(json.loads, fh):
            used |= {(p["file"], p["index"]) for p in line.get("parts", [line])}
    return used | {(c["file"], c["index"]) for c in drawn}


def draw_second(seed: int = SECOND_SEED) -> list[dict]:
    """The second tune draw (``fresh_tune2.jsonl``): ``SECOND_DRAW`` per stratum from the pool without the test
    set's records and without the first tune set's, so that neither earlier set shares a record with it."""
    return draw(seed, SECOND_DRAW, test_set_records() | tune_records())


THIRD_SEED = 2026


def second_records() -> set[tuple[str, int]]:
    """(file, index) of every record the second tune set used: its rows and multi-part members, and every
    candidate of the seed-2025 draw."""
    return _records("fresh_tune2.jsonl", draw_second())


def draw_third(seed: int = THIRD_SEED) -> list[dict]:
    """The third tune draw (``fresh_tune3.jsonl``): ``SECOND_DRAW`` per stratum from the pool without the test
    set's records and those of both earlier tune sets. The second was designed on for two rounds (0.571 -> 0.714)
    while the test set moved less (0.559 -> 0.596): this draw measures those rounds on rows nobody designed on."""
    return draw(seed, SECOND_DRAW, test_set_records() | tune_records() | second_records())


FOURTH_SEED = 2027


def third_records() -> set[tuple[str, int]]:
    """(file, index) of every record the third tune set used: its rows and multi-part members, and every
    candidate of the seed-2026 draw."""
    return _records("fresh_tune3.jsonl", draw_third())


def draw_fourth(seed: int = FOURTH_SEED) -> list[dict]:
    """The fourth tune draw (``fresh_tune4.jsonl``): ``SECOND_DRAW`` per stratum from the pool without the test
    set's records and those of the three earlier tune sets, measured before any round was designed on it."""
    return draw(seed, SECOND_DRAW, test_set_records() | tune_records() | second_records() | third_records())


MULTIPART = 15


def multipart_lines(reviewed: list[dict], n: int = MULTIPART, seed: int = SEED) -> list[dict]:
    """The multi-part lines of ``fresh_tune.jsonl`` from its reviewed single lines (in file order): the fresh
    set's construction (:func:`draw_fresh.multipart_rows`, a paraphrase or interface row joined with 1-3 clean
    rows) with the tune seed, and its note ("part k of n: " + the positive's note)."""
    ref = ("file", "format", "index")
    positives = [x for x in reviewed if x["kind"] in ("paraphrase", "interface")]
    clean = [x for x in reviewed if x["kind"] == "clean"]
    out = []
    for parts in draw_fresh.multipart_rows(positives, clean, n, seed=seed):
        k, pos = next((k, x) for k, x in enumerate(parts, 1) if x["label"] == 1)
        out.append({"parts": [{key: x[key] for key in ref} for x in parts], "label": 1, "kind": "multipart",
                    "task_id": pos["task_id"], "note": f"part {k} of {len(parts)}: {pos['note']}"})
    return out


MULTIPART2 = 10


if __name__ == "__main__":
    second, third, fourth = ("--" + k in sys.argv[1:] for k in ("second", "third", "fourth"))
    if "--multipart" in sys.argv[1:]:
        # the multi-part lines, re-derived from the reviewed single lines of the tune file
        name, n, seed = ("fresh_tune4.jsonl", MULTIPART2, FOURTH_SEED) if fourth else \
            ("fresh_tune3.jsonl", MULTIPART2, THIRD_SEED) if third else \
            ("fresh_tune2.jsonl", MULTIPART2, SECOND_SEED) if second else ("fresh_tune.jsonl", MULTIPART, SEED)
        with open(HERE / name, encoding="utf-8") as fh:
            single = [x for x in map(json.loads, fh) if "parts" not in x]
        for line in multipart_lines(single, n, seed):
            print(json.dumps(line))
        raise SystemExit
    later = second or third or fourth
    used = test_set_records() | (tune_records() if later else set()) | (second_records() if third or fourth else set()) \
        | (third_records() if fourth else set())
    cands = [c for c in draw_fresh.pool() if (c["file"], c["index"]) not in used]
    print("pool without the earlier sets:" if later else "pool without the test set:",
          dict(Counter(c["stratum"] for c in cands)), "records left out", len(used))
    for c in draw_fourth() if fourth else draw_third() if third else draw_second() if second else draw():
        print(json.dumps(c))
