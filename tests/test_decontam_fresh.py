"""Integrity of the fresh contamination test set (issue 24): references, labels, kinds; no decontamination is run.

The fresh set is a test set that stays untouched for design: this test only checks the file, never which rows
any detector flags.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "data" / "contamination"
sys.path.insert(0, str(HERE))

from labelled import FRESH_KINDS, MULTIPART_INTRO, _shared_data, load_fresh  # noqa: E402

TASK_PREFIXES = ("HumanEval/", "Mbpp/", "CPP/", "Go/", "Java/", "JavaScript/", "Python/", "Rust/")


def _refs(line: dict) -> list[tuple[str, int]]:
    return [(p["file"], p["index"]) for p in line.get("parts", [line])]


@pytest.fixture(scope="module")
def lines() -> list[dict]:
    return [json.loads(x) for x in (HERE / "fresh.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


def test_labels_kinds_and_tasks(lines: list[dict]) -> None:
    assert len(lines) >= 300
    for line in lines:
        assert line["label"] in (0, 1)
        assert line["kind"] in FRESH_KINDS
        assert (line["label"] == 1) == (line["kind"] in ("paraphrase", "interface", "multipart", "copy"))
        assert isinstance(line["note"], str) and line["note"].strip()
        if line["kind"] == "clean":
            assert not line["task_id"]
        else:
            assert line["task_id"].startswith(TASK_PREFIXES), line
        if line["kind"] == "multipart":
            assert 2 <= len(line["parts"]) <= 4
        else:
            assert "parts" not in line
    kinds = [x["kind"] for x in lines]
    assert sum(x["label"] for x in lines) >= 100
    assert kinds.count("paraphrase") + kinds.count("interface") >= 60
    assert kinds.count("hard_negative") >= 150


def test_single_rows_are_distinct_and_not_in_paraphrases(lines: list[dict]) -> None:
    singles = [_refs(x)[0] for x in lines if "parts" not in x]
    assert len(singles) == len(set(singles))
    used = {(r["file"], r["index"]) for r in map(json.loads, (HERE / "paraphrases.jsonl").open(encoding="utf-8"))}
    for line in lines:
        assert not set(_refs(line)) & used, line


def test_multipart_parts_are_reviewed_rows(lines: list[dict]) -> None:
    reviewed = {_refs(x)[0]: x for x in lines if "parts" not in x}
    for line in lines:
        if line["kind"] != "multipart":
            continue
        parts = [reviewed[ref] for ref in _refs(line)]
        positives = [p for p in parts if p["label"] == 1]
        assert len(positives) == 1 and positives[0]["task_id"] == line["task_id"]
        assert all(p["kind"] == "clean" for p in parts if p["label"] == 0)


@pytest.mark.skipif(not _shared_data().is_dir(), reason="the shared data directory is not here")
def test_every_reference_resolves(lines: list[dict]) -> None:
    rows = load_fresh()
    assert len(rows) == len(lines)
    for row, line in zip(rows, lines, strict=True):
        assert row["instruction"].strip() and row["response"].strip()
        assert (row["label"], row["kind"], row["task_id"], row["split"]) == (
            line["label"], line["kind"], line["task_id"], "fresh")
        if line["kind"] == "multipart":
            assert row["instruction"].startswith(MULTIPART_INTRO)
            assert f"\n{len(line['parts'])}. " in row["instruction"]


# The fresh set's tune half (fresh_tune.jsonl, draw_tune.py): same format, disjoint from the test set.


@pytest.fixture(scope="module")
def tune_lines() -> list[dict]:
    return [json.loads(x) for x in (HERE / "fresh_tune.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


def test_tune_set_format(tune_lines: list[dict]) -> None:
    assert len(tune_lines) >= 150
    reviewed = {_refs(x)[0]: x for x in tune_lines if "parts" not in x}
    assert len(reviewed) == sum("parts" not in x for x in tune_lines)
    for line in tune_lines:
        assert line["kind"] in FRESH_KINDS and line["label"] == int(line["kind"] in ("paraphrase", "interface",
                                                                                    "multipart", "copy"))
        assert isinstance(line["note"], str) and line["note"].strip()
        assert (line["task_id"] is None) == (line["kind"] == "clean")
        if line["kind"] == "multipart":
            parts = [reviewed[ref] for ref in _refs(line)]
            assert 2 <= len(parts) <= 4 and [p["task_id"] for p in parts if p["label"]] == [line["task_id"]]
            assert all(p["kind"] == "clean" for p in parts if not p["label"])
    assert sum(x["kind"] == "multipart" for x in tune_lines) >= 10


def test_tune_set_is_disjoint_from_the_test_set(lines: list[dict], tune_lines: list[dict]) -> None:
    test_refs = {ref for line in lines for ref in _refs(line)}
    used = {(r["file"], r["index"]) for r in map(json.loads, (HERE / "paraphrases.jsonl").open(encoding="utf-8"))}
    for line in tune_lines:
        assert not set(_refs(line)) & (test_refs | used), line


@pytest.mark.skipif(not _shared_data().is_dir(), reason="the shared data directory is not here")
def test_tune_set_loads_without_test_instructions(tune_lines: list[dict]) -> None:
    from labelled import load_fresh_tune

    rows = load_fresh_tune()
    assert len(rows) == len(tune_lines) and {r["split"] for r in rows} == {"fresh_tune"}
    assert all(r["instruction"].strip() and r["response"].strip() for r in rows)
    test_text = {" ".join(r["instruction"].lower().split()) for r in load_fresh() if r["kind"] != "multipart"}
    for row, line in zip(rows, tune_lines, strict=True):
        if "parts" not in line:
            assert " ".join(row["instruction"].lower().split()) not in test_text, row["id"]


# The second tune draw (fresh_tune2.jsonl, draw_tune.py --second): no record of the test set or of the first tune set.


@pytest.fixture(scope="module")
def tune2_lines() -> list[dict]:
    return [json.loads(x) for x in (HERE / "fresh_tune2.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


def _check_later_draw(later: list[dict], earlier_lines: list[dict]) -> None:
    """A later tune draw shares no record with the earlier sets (a shared record would carry their labels' design
    history into the new measure), its labels are consistent, and its multi-part rows join one reviewed positive
    with reviewed clean rows."""
    earlier = {ref for line in earlier_lines for ref in _refs(line)}
    used = {(r["file"], r["index"]) for r in map(json.loads, (HERE / "paraphrases.jsonl").open(encoding="utf-8"))}
    singles = [_refs(x)[0] for x in later if "parts" not in x]
    assert len(singles) == len(set(singles))
    for line in later:
        assert not set(_refs(line)) & (earlier | used), line
        assert line["kind"] in FRESH_KINDS and line["label"] == int(line["kind"] in ("paraphrase", "interface",
                                                                                    "multipart", "copy"))
        assert (line["task_id"] is None) == (line["kind"] == "clean") and line["note"].strip()
    reviewed = {_refs(x)[0]: x for x in later if "parts" not in x}
    for line in later:
        if line["kind"] == "multipart":
            parts = [reviewed[ref] for ref in _refs(line)]
            assert 2 <= len(parts) <= 4 and [p["task_id"] for p in parts if p["label"]] == [line["task_id"]]
            assert all(p["kind"] == "clean" for p in parts if not p["label"])


def test_tune2_is_disjoint_from_the_test_set_and_the_first_tune_set(
        lines: list[dict], tune_lines: list[dict], tune2_lines: list[dict]) -> None:
    _check_later_draw(tune2_lines, lines + tune_lines)


# The third tune draw (fresh_tune3.jsonl, draw_tune.py --third): no record of the test set or of either earlier tune set.


@pytest.fixture(scope="module")
def tune3_lines() -> list[dict]:
    return [json.loads(x) for x in (HERE / "fresh_tune3.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


def test_tune3_is_disjoint_from_the_earlier_sets(lines: list[dict], tune_lines: list[dict], tune2_lines: list[dict],
                                                 tune3_lines: list[dict]) -> None:
    _check_later_draw(tune3_lines, lines + tune_lines + tune2_lines)


# The fourth tune draw (fresh_tune4.jsonl, draw_tune.py --fourth): no record of the test set or of the three earlier
# tune sets.


def test_tune4_is_disjoint_from_the_earlier_sets(lines: list[dict], tune_lines: list[dict], tune2_lines: list[dict],
                                                 tune3_lines: list[dict]) -> None:
    tune4 = [json.loads(x) for x in (HERE / "fresh_tune4.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    _check_later_draw(tune4, lines + tune_lines + tune2_lines + tune3_lines)


@pytest.mark.skipif(not _shared_data().is_dir(), reason="the shared data directory is not here")
@pytest.mark.parametrize(("name", "kinds"), [
    # one hard negative of MBPP/65 relabelled a paraphrase of MBPP/614 in the seventh round (its note says so)
    ("fresh_tune2", {"paraphrase": 50, "interface": 18, "multipart": 10, "hard_negative": 54, "clean": 23}),
    ("fresh_tune3", {"paraphrase": 40, "interface": 26, "multipart": 10, "hard_negative": 61, "clean": 21}),
    ("fresh_tune4", {"paraphrase": 32, "interface": 35, "copy": 2, "multipart": 10, "hard_negative": 54, "clean": 26}),
])
def test_later_draws_load(name: str, kinds: dict[str, int]) -> None:
    from collections import Counter

    import labelled

    lines = [x for x in (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = getattr(labelled, f"load_{name}")()
    assert len(rows) == len(lines) == sum(kinds.values()) and {r["split"] for r in rows} == {name}
    assert all(r["instruction"].strip() and r["response"].strip() for r in rows)
    assert Counter(r["kind"] for r in rows) == kinds
