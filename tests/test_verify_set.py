"""The labelled set of bench/verify.py (bench/_verify_set.py) on a few real MBPP problems, in the sandbox."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from alchemistcoder.sandbox import run_many

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def vset(shared_data: Path):
    spec = importlib.util.spec_from_file_location("_verify_set", REPO / "bench" / "_verify_set.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["_verify_set"] = module
    spec.loader.exec_module(module)
    module.MBPP = shared_data / "mbpp" / "mbpp.jsonl"
    return module


@pytest.fixture(scope="module")
def built(vset, tmp_path_factory):
    items, summary = vset.build_set("tune", 5, seed=0, cache_dir=tmp_path_factory.mktemp("vset"))
    return items, summary


def test_labels_hold_when_each_response_runs_as_one_program(vset, built) -> None:
    items, summary = built
    assert summary["problems"] == 5 and summary["correct"] + len(summary["excluded"]) >= 5
    assert summary["wrong"] >= 3
    # a plain program: the response's code, then the human tests, as MBPP's own harness runs them
    results = run_many([{"language": "python", "source": f"{i.setup}\n{i.code}\n\n" + "\n".join(i.tests),
                         "timeout_s": 20} for i in items])
    for item, res in zip(items, results, strict=True):
        assert item.tests and item.human_total == len(item.tests)
        if item.label == "correct":
            assert res.ok, (item.id, res.stderr[-500:])
            assert item.human_passed == item.human_total
        else:
            assert not res.ok, item.id
            assert item.human_passed < item.human_total
            assert (item.kind == "partial") == (item.human_passed > 0)
            assert item.code != next(i.code for i in items if i.task_id == item.task_id and i.label == "correct")


def test_the_tool_sees_no_human_test(vset, built) -> None:
    items, _ = built
    for item in items:
        sample = vset.to_sample(item)
        assert sample.instruction == item.instruction
        assert "assert" not in sample.instruction and "tests" not in sample.meta
        assert sample.response.count("```python") == 1 and item.code.strip() in sample.response


def test_split_is_stable_and_limit_is_seeded(vset) -> None:
    problems = vset.load_problems()
    assert {int(p["task_id"]) for p in problems} <= set(range(511, 810))
    splits = [vset.split_of(int(p["task_id"])) for p in problems]
    assert splits == [vset.split_of(int(p["task_id"])) for p in problems]
    assert 0.25 < splits.count("tune") / len(splits) < 0.4
    a = vset.select_problems(problems, "test", 7, seed=1)
    assert a == vset.select_problems(problems, "test", 7, seed=1)
    assert {p["task_id"] for p in a} != {p["task_id"] for p in vset.select_problems(problems, "test", 7, seed=2)}
    assert all(vset.split_of(int(p["task_id"])) == "test" for p in a)


def test_mutants_are_small_edits_of_the_text(vset) -> None:
    code = "def f(xs, n):\n\tout = 0\n\tfor i in range(n):\n\t\tif xs[i] > 0 and i % 2 == 0:\n\t\t\tout += xs[i]\n\treturn out"
    kinds = {}
    for desc, mutated in vset.mutants(code):
        kinds.setdefault(desc["kind"], mutated)
        changed = [a for a, b in zip(code.splitlines(), mutated.splitlines(), strict=True) if a != b]
        assert len(changed) == 1  # one line changed, the rest (tabs included) as written
    assert {"compare", "arith", "constant", "range", "index", "drop_condition", "negate_condition"} <= set(kinds)
    assert "for i in range(n + 1):" in kinds["range"]
