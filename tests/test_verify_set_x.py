"""bench/_verify_set_x.py: the HumanEval-X labelled set of the verify stage's foreign path, on real problems.

Builds the set for two problems per language (no model) with the real sandbox and compilers and checks the
labels by running HumanEval-X's test programs again: the correct response passes, each wrong one fails; the
instruction carries the description and the signature, never the test program."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import _verify_set_x as xset  # noqa: E402
from alchemistcoder.code import extract_code_blocks  # noqa: E402
from alchemistcoder.sandbox import which  # noqa: E402

TASKS = [13, 35]  # greatest common divisor, maximum element

pytestmark = pytest.mark.skipif(
    not all((xset.HUMANEVAL_X / f"humaneval_{lang}.jsonl.gz").exists() for lang in xset.LANGUAGES)
    or not all(which(tool) for tool in ("g++", "javac", "node")),
    reason="needs ../shared/data/humaneval-x and g++, javac, node")


def test_mutants_edit_one_token_outside_strings_and_templates() -> None:
    code = 'vector<int> out={};\nif (a<b && s=="<") return max(a+1, b);\n'
    got = {c for _d, c in xset.mutants(code, "cpp")}
    assert 'vector<int> out={};\nif (a<=b && s=="<") return max(a+1, b);\n' in got
    assert 'vector<int> out={};\nif (a<b || s=="<") return min(a+1, b);\n' not in got  # one edit only
    assert 'vector<int> out={};\nif (a<b && s=="<") return min(a+1, b);\n' in got
    assert 'vector<int> out={};\nif (a<b && s=="<") return max(a+2, b);\n' in got
    assert not any(c.startswith("vector<=") or c.startswith("vector>") for c in got)  # template brackets kept
    assert not any('s=="<=")' in c or 's==">")' in c for c in got)  # strings kept


def test_labels_of_real_problems_hold_in_the_sandbox(tmp_path) -> None:
    items, summary = xset.build_set(task_ids=TASKS, cache_dir=tmp_path, workers=2)
    for language in xset.LANGUAGES:
        counts = summary["languages"][language]
        assert counts["problems"] == len(TASKS) and not counts["excluded"], counts
        assert counts["correct"] == len(TASKS) and counts["wrong"] >= len(TASKS), counts
    rows = {(r["language"], r["task_id"]): r for lang in xset.LANGUAGES for r in xset.load_problems(lang)
            if r["task_id"] in TASKS}
    # every response as the stage sees it: one fenced block of the language holding the whole function
    jobs = []
    for item in items:
        row = rows[(item.language, item.task_id)]
        blocks = extract_code_blocks(item.response)
        assert len(blocks) == 1 and blocks[0].language == xset.FENCE[item.language]
        assert blocks[0].code.strip() == item.code.strip()
        assert row["task"].entry_point in item.code
        jobs.append((row, item.code))
        # the instruction: the description and the signature, nothing of the test program
        assert item.instruction.endswith(f"as `{xset.signature(row['task'])}`.")
        assert "assert" not in item.instruction.lower() and "*/" not in item.instruction
        test_lines = [line.strip() for line in row["task"].test.splitlines() if len(line.strip()) > 12]
        assert not any(line in item.instruction for line in test_lines)
        sample = xset.to_sample(item)
        assert sample.meta == {"language": xset.FENCE[item.language]} and "tests" not in sample.meta
        if item.label == "wrong":
            assert item.mutation and item.code != xset.full_code(row, row["task"].canonical_solution)
    outcomes = xset.run_tests(jobs, workers=2)
    for item, outcome in zip(items, outcomes, strict=True):
        if item.label == "correct":
            assert outcome == "pass", item.id
        else:
            assert outcome in ("wrong_answer", "runtime_error"), (item.id, outcome)
    # a second build reads the cache
    again, _ = xset.build_set(task_ids=TASKS, cache_dir=tmp_path)
    assert [i.id for i in again] == [i.id for i in items]
