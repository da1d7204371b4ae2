"""The curate stage: quality filters, dedup, the stage contract and the CLI verbs, on real parts."""

from __future__ import annotations

import gzip
import json
import random
from typing import Any

import numpy as np
import orjson
import pytest
from typer.testing import CliRunner

from alchemistcoder.cli import app
from alchemistcoder.curate.config import CurateConfig, DedupConfig, FilterConfig, JudgeConfig
from alchemistcoder.curate.dedup import (
    MinHasher,
    dedup_samples,
    exact_jaccard,
    near_duplicate_pairs,
    shingle_samples,
)
from alchemistcoder.curate.filters import compile_source, curate_filters_batch
from alchemistcoder.curate.judge import JudgeVerdict, record_verdict, run_judge, select_for_judging
from alchemistcoder.curate.stage import run_curate
from alchemistcoder.llm.budget import Usage
from alchemistcoder.llm.config import ModelReferenceError
from alchemistcoder.llm.types import Completion
from alchemistcoder.records import Sample, make_messages
from alchemistcoder.stage import StageContext


def sample(i: str, instruction: str, response: str, source: str = "s", **meta) -> Sample:
    return Sample(i, source, make_messages(instruction, response), meta=meta)


GOOD_PY = "Here you go:\n```python\ndef add(a, b):\n    return a + b\n```"


# -- filters ---------------------------------------------------------------------------------------------
def test_filters_reject_with_reason_codes_and_categories():
    samples = [
        sample("short", "Add two numbers.", "a+b"),
        sample("nocode", "What is a list?", "A list is an ordered collection of items that can be changed."),
        sample("badpy", "Add numbers.", "```python\ndef add(a, b)\n    return a + b\n```"),
        sample("badcpp", "Add numbers in C++.", "```cpp\nint add(int a, int b) { return a + b\n```"),
        sample("good", "Add two numbers in Python.", GOOD_PY),
    ]
    curate_filters_batch(samples, FilterConfig(failing_tests=False))
    got = {s.id: (s.rejection.reason, s.rejection.params["category"]) if s.rejected else None for s in samples}
    assert got == {
        "short": ("short_response", "A"),
        "nocode": ("no_code", "A"),
        "badpy": ("uncompilable", "B"),
        "badcpp": ("uncompilable", "B"),
        "good": None,
    }
    bad = samples[2].rejection
    assert bad.op == "quality_filter" and bad.stage == "curate" and "SyntaxError" in bad.params["error"]
    good = samples[4]
    assert good.trace[-1].verdict == "keep" and good.trace[-1].params["checks"] == ["short_response", "no_code", "uncompilable"]
    assert good.meta["code"]["language"] == "python" and good.meta["code"]["functions"] == ["add"]


def test_filter_thresholds_and_switches_come_from_config():
    s = [sample("a", "x", "print(1)  # twenty+ chars")]
    curate_filters_batch(s, FilterConfig(min_response_chars=200, failing_tests=False))
    assert s[0].rejection.reason == "short_response" and s[0].rejection.params["min_chars"] == 200
    s = [sample("b", "x", "Plain words without any code at all in this answer.")]
    curate_filters_batch(s, FilterConfig(no_code=False, failing_tests=False))
    assert not s[0].rejected


def test_already_rejected_samples_pass_untouched():
    s = sample("r", "x", "a")
    s.reject("ingest", "bad_record")
    curate_filters_batch([s], FilterConfig())
    assert len(s.trace) == 1 and s.rejection.reason == "bad_record"


def test_failing_tests_run_in_the_sandbox():
    tests = ["assert add(1, 2) == 3", "assert add(-1, 1) == 0"]
    right = sample("right", "Add.", "def add(a, b):\n    return a + b\n", tests=tests)
    wrong = sample("wrong", "Add.", "def add(a, b):\n    return a - b\n", tests=tests)
    curate_filters_batch([right, wrong], FilterConfig())
    assert not right.rejected and "failing_tests" in right.trace[-1].params["checks"]
    assert wrong.rejection.reason == "failing_tests"
    assert wrong.rejection.params["status"] == "error" and "AssertionError" in wrong.rejection.params["stderr"]


def test_compile_source_adds_an_entry_point_only_when_missing():
    assert compile_source("cpp", "int f() { return 1; }").endswith("int main() { return 0; }\n")
    assert compile_source("cpp", "int main() { return 0; }") == "int main() { return 0; }"
    assert compile_source("go", "func f() {}").startswith("package main\n")


# -- dedup -----------------------------------------------------------------------------------------------
def test_minhash_estimates_jaccard():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**63, 400, dtype=np.int64).astype(np.uint64)
    other = np.concatenate([base[:300], rng.integers(0, 2**63, 100, dtype=np.int64).astype(np.uint64)])
    from alchemistcoder.curate.dedup import Shingles

    sh = Shingles(np.concatenate([base, other]), np.array([0, 400, 800]))
    sig = MinHasher(256, 1).signatures(sh)
    estimate = float((sig[0] == sig[1]).mean())
    truth = exact_jaccard(np.unique(base), np.unique(other))
    assert abs(estimate - truth) < 0.08, (estimate, truth)


def test_exact_and_near_duplicates_record_what_they_duplicate():
    long_code = "\n".join(f"    total += values[{i}] * {i}" for i in range(40))
    resp = f"```python\ndef weighted(values):\n    total = 0\n{long_code}\n    return total\n```"
    samples = [
        sample("b-orig", "Compute a weighted sum of the values list.", resp, source="low"),
        sample("a-copy", "Compute a weighted  sum of the values list.\n", resp + "\n", source="low"),
        sample("c-near", "Compute a weighted sum of the values list.", resp.replace("values[39] * 39", "values[39] * 3"),
               source="high"),
        sample("d-other", "Reverse a string.", "```python\ndef rev(s):\n    return s[::-1]\n```", source="low"),
    ]
    counts = dedup_samples(samples, DedupConfig(source_priority=["high"]))
    by_id = {s.id: s for s in samples}
    assert counts == {"exact_duplicate": 1, "near_duplicate": 1}
    # the exact pair: smaller id kept; the near cluster: the 'high' source wins over the lower id
    assert by_id["b-orig"].rejection.reason == "exact_duplicate"
    assert by_id["b-orig"].rejection.params["duplicate_of"] == "a-copy"
    assert by_id["a-copy"].rejection.reason == "near_duplicate"
    assert by_id["a-copy"].rejection.params["duplicate_of"] == "c-near"
    assert by_id["a-copy"].rejection.params["jaccard"] >= 0.8
    assert not by_id["c-near"].rejected and not by_id["d-other"].rejected


def _shared_pairs(shared_data, n):
    rows = json.loads((shared_data / "evol-codealpaca" / "evol-codealpaca-2k-1.json").read_text())[:n]
    return [(r["instruction"], r["output"]) for r in rows]


def test_near_duplicate_pairs_match_brute_force_on_real_data(shared_data):
    pairs = _shared_pairs(shared_data, 400)
    # plant near copies: a word changed in the instruction of every tenth sample
    planted = [(inst.replace(" a ", " one ", 1), resp) for inst, resp in pairs[::10]]
    allpairs = pairs + planted
    cfg = DedupConfig(threshold=0.7)
    sh = shingle_samples(allpairs, cfg.shingle_size)
    found = {(i, j) for i, j, _ in near_duplicate_pairs(sh, cfg)}
    sets = [sh.set_of(i) for i in range(len(sh))]
    truth = {(i, j) for i in range(len(sets)) for j in range(i + 1, len(sets)) if exact_jaccard(sets[i], sets[j]) >= 0.7}
    assert len(truth) >= 30
    assert found <= truth  # verified exactly: no false pairs
    assert len(found & truth) / len(truth) >= 0.95


def test_dedup_is_deterministic_under_shuffling(shared_data):
    pairs = _shared_pairs(shared_data, 150)
    pairs = pairs + pairs[:20]
    def run(order):
        samples = [sample(f"id{k:04d}", *pairs[k]) for k in order]
        dedup_samples(samples, DedupConfig())
        return {s.id: s.rejection.params.get("duplicate_of") if s.rejected else None for s in samples}
    order = list(range(len(pairs)))
    first = run(order)
    random.Random(3).shuffle(order)
    assert run(order) == first
    assert sum(v is not None for v in first.values()) >= 20


# -- the stage and the CLI -------------------------------------------------------------------------------
def _real_samples(shared_data):
    from alchemistcoder.ingest.config import SourceConfig
    from alchemistcoder.ingest.ingest import ingest_sources

    d = shared_data
    sources = [
        SourceConfig(name="codealpaca-2k", path=str(d / "codealpaca" / "code_alpaca_2k.json"), format="alpaca", limit=250),
        SourceConfig(name="evol-r0", path=str(d / "evol-codealpaca" / "converted_alpaca_2k.json"), format="evol", limit=250),
        SourceConfig(name="mbpp", path=str(d / "mbpp" / "mbpp.jsonl"), format="mbpp", language="python", limit=60,
                     mbpp_exclude=[]),  # keep the test split: tasks 11..60 are benchmark problems
    ]
    return ingest_sources(sources).samples


def test_run_curate_keeps_every_record_and_reports(shared_data, tmp_path):
    samples = _real_samples(shared_data)
    n = len(samples)
    cfg = CurateConfig(filters=FilterConfig(failing_tests=False))
    ctx = StageContext(run_dir=tmp_path, stage="curate")
    out = run_curate(samples, cfg, ctx)
    kept = [s for s in out if not s.rejected]
    rejected = [s for s in out if s.rejected]
    assert len(out) == n == len(kept) + len(rejected)
    reasons = ctx.stats["curate_rejects_by_reason"]
    # codealpaca-2k and its Evol copy overlap exactly; MBPP 11..510 are benchmark problems
    assert reasons["exact_duplicate"] >= 100
    assert reasons["contaminated"] >= 45
    assert {"no_code", "short_response"} <= set(reasons)
    leak = next(s for s in rejected if s.rejection.reason == "contaminated")
    assert {"benchmark", "task_id", "signal", "score", "span"} <= set(leak.rejection.params)
    assert all(s.rejection.stage == "curate" for s in rejected)


def test_decontaminate_cli_keeps_ids_and_formats(shared_data, tmp_path):
    with gzip.open(shared_data / "humaneval" / "HumanEval.jsonl.gz", "rt") as fh:
        he = json.loads(fh.readline())
    rows = [
        {"id": "leak-1", "instruction": "Complete this:\n" + he["prompt"], "response": he["prompt"] + he["canonical_solution"]},
        {"id": "clean-1", "instruction": "Write a function that returns the longest word in a sentence.",
         "response": "def longest(s):\n    return max(s.split(), key=len)"},
        {"messages": make_messages("What is 2+2?", "4")},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = CliRunner().invoke(app, ["decontaminate", str(src), "--out", str(tmp_path / "out"),
                                      "--benchmark", "humaneval", "--benchmark", "mbpp"])
    assert result.exit_code == 0, result.output
    kept = [orjson.loads(x) for x in (tmp_path / "out" / "kept.jsonl").read_text().splitlines()]
    rejected = [orjson.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rejected] == ["leak-1"]
    assert rejected[0]["rejection"]["params"]["task_id"] == "HumanEval/0"
    assert kept[0]["id"] == "clean-1" and "messages" in kept[1]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["count_in"] == 3 == manifest["kept"] + manifest["rejected"]


def test_decontaminate_cli_names_bad_input(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "x", "instruction": "only"}\n')
    result = CliRunner().invoke(app, ["decontaminate", str(src), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "bad.jsonl:1" in result.output and "instruction" in result.output


def test_curate_cli_on_a_small_config(shared_data, tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text(
        f"run:\n  out: {tmp_path / 'run'}\n"
        f"sources:\n  - name: codealpaca-2k\n    path: {shared_data / 'codealpaca' / 'code_alpaca_2k.json'}\n"
        "    format: alpaca\n    limit: 200\n"
        "curate:\n  filters:\n    failing_tests: false\n  decontam:\n    benchmarks: [humaneval, mbpp]\n"
    )
    result = CliRunner().invoke(app, ["curate", str(cfg)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "run" / "curate" / "manifest.json").read_text())
    assert manifest["balanced"] and manifest["count_in"] == 200
    from alchemistcoder.io import read_samples

    rejected = list(read_samples(tmp_path / "run" / "curate" / "rejects.jsonl.gz"))
    assert len(rejected) == manifest["rejected"] > 0
    assert all(s.rejection is not None for s in rejected)


@pytest.mark.parametrize("bad", ["curate:\n  dedup:\n    treshold: 0.5\n", "curate:\n  dedup:\n    threshold: 1.5\n"])
def test_curate_config_errors_name_the_key(tmp_path, bad):
    from alchemistcoder.config import ConfigError, load_config

    p = tmp_path / "c.yaml"
    p.write_text(bad)
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert "curate.dedup" in str(exc.value)


def test_real_compiler_check_through_the_sandbox():
    """use_compiler: a C++ block the parser accepts but g++ rejects (undeclared name) is uncompilable."""
    parses_but_wrong = "```cpp\nint twice(int x) {\n    return y * 2;\n}\n```"
    fine = "```cpp\n#include <vector>\nint total(const std::vector<int>& v) {\n    int s = 0;\n    for (int x : v) s += x;\n    return s;\n}\n```"
    samples = [sample("wrong", "Double a number in C++.", parses_but_wrong), sample("fine", "Sum a vector in C++.", fine)]
    curate_filters_batch(samples, FilterConfig(use_compiler=True, failing_tests=False))
    assert samples[0].rejection.reason == "uncompilable"
    assert samples[0].rejection.params["checker"] == "compiler" and "y" in samples[0].rejection.params["error"]
    assert not samples[1].rejected and samples[1].trace[-1].verdict == "keep"
    assert [e.verdict for e in samples[0].trace] == ["reject"]


# -- the LLM judge (categories C and D) ----------------------------------------------------------------------
class ScriptedJudge:
    """Stands in for the judge's model: answers each request with the next scripted label (None: a failed
    call) and keeps the requests, so a test sees what the judge asked and with which limits."""

    def __init__(self, labels: list[str | None]) -> None:
        self.labels = list(labels)
        self.requests: list[Any] = []
        self.max_reasks: list[int] = []
        self.usage = Usage()

    def generate_structured(self, requests: list[Any], schema: Any, max_reasks: int) -> list[Completion]:
        self.requests += requests
        self.max_reasks.append(max_reasks)
        self.usage.requests += len(requests)
        out = []
        for _ in requests:
            label = self.labels.pop(0)
            out.append(Completion(model="scripted", error="invalid_structured_output") if label is None else
                       Completion(model="scripted", parsed=schema(label=label, rationale=f"{label} because.")))
        return out


GREET_PY = "Here you go:\n```python\ndef greet(name):\n    return 'Hello, ' + name + '!'\n```"


def judge_samples() -> list[Sample]:
    # not "add two numbers": that is HumanEval/53 in other words, and decontamination rightly removes it
    return [sample(x, f"Task {x}: greet a user by name. " * 40, GREET_PY) for x in "abcd"]


def test_judge_verdicts_are_recorded_like_filters():
    assert JudgeVerdict.model_validate({"label": "Unclear.", "rationale": "x"}).label == "unclear"
    assert JudgeVerdict.model_validate({"label": "D", "rationale": "x"}).reason == "disorganized_code"
    with pytest.raises(ValueError):
        JudgeVerdict.model_validate({"label": "maybe", "rationale": "x"})
    a, b, c, d = judge_samples()
    cfg = JudgeConfig(enabled=True)
    assert record_verdict(a, JudgeVerdict(label="unclear", rationale="Names say nothing."), cfg, model="tiny")
    assert not record_verdict(b, JudgeVerdict(label="ok", rationale="Clear."), cfg, model="tiny")
    only_c = JudgeConfig(enabled=True, categories=["unclear_code"])
    assert not record_verdict(d, JudgeVerdict(label="disorganized", rationale="No function."), only_c)
    assert a.rejection.reason == "unclear_code" and a.rejection.op == "quality_filter" and a.rejection.model == "tiny"
    assert a.rejection.params == {"category": "C", "explanation": "Names say nothing.", "label": "unclear",
                                  "rationale": "Names say nothing."}
    assert not b.rejected and b.trace[-1].verdict == "keep" and b.trace[-1].params == {"checks": ["judge"]}
    assert not d.rejected and d.trace[-1].params == {"checks": ["judge"]}  # category not enabled in the config
    assert select_for_judging([a, b, c, d], JudgeConfig(max_samples=2), seed=0) in ([1, 2], [1, 3], [2, 3])  # a is rejected


def test_run_judge_records_verdicts_and_counts_failures(tmp_path):
    a, b, c, d = samples = judge_samples()
    judge = ScriptedJudge(["unclear", "ok", None, "disorganized"])  # asked in sample order
    ctx = StageContext(run_dir=tmp_path, stage="curate", seed=0, client=judge)
    assert run_judge(samples, JudgeConfig(enabled=True, categories=["unclear_code"]), ctx) == 1
    assert [r.messages[1]["content"].count(f"Task {s.id}:") for s, r in zip(samples, judge.requests, strict=True)] == [40] * 4
    assert a.rejection.reason == "unclear_code" and a.rejection.model == "scripted"
    assert [e.params for e in (b.trace + d.trace)] == [{"checks": ["judge"]}] * 2  # d: category not enabled
    assert not c.rejected and c.trace == []  # a failed call records nothing: a broken judge deletes nothing
    assert ctx.stats["llm_judge"] == {"disorganized_code": 1, "judge_failed": 1, "ok": 1, "unclear_code": 1}
    assert ctx.stats["llm_judge_errors"] == ["invalid_structured_output"]
    assert ctx.stats["llm_judge_usage"]["requests"] == 4


def test_every_judge_knob_changes_what_the_judge_does(tmp_path):
    def run(**knobs: Any) -> ScriptedJudge:
        judge = ScriptedJudge(["ok"] * 4)
        cfg = JudgeConfig(**{"enabled": True, **knobs})
        run_judge(judge_samples(), cfg, StageContext(tmp_path, "curate", client=judge))
        return judge

    default = run()
    assert len(default.requests) == 4 and default.max_reasks == [1]
    assert {r.max_tokens for r in default.requests} == {128} and {r.temperature for r in default.requests} == {0.0}
    assert len(run(max_samples=2).requests) == 2
    assert len(run(fraction=0.0).requests) == 0 and run(enabled=False).requests == []
    assert 0 < len(run(fraction=0.5).requests) < 4
    short = run(max_chars=100).requests[0].messages[1]["content"]
    assert len(short) < len(default.requests[0].messages[1]["content"]) and "[...]" in short
    assert {r.max_tokens for r in run(max_tokens=64).requests} == {64}
    assert run(max_reasks=3).max_reasks == [3]
    with pytest.raises(ModelReferenceError, match="nowhere"):  # the judge opens the model its config names
        run_judge(judge_samples(), JudgeConfig(enabled=True, model="nowhere"), StageContext(tmp_path, "curate"))
    with pytest.raises(ValueError):
        JudgeConfig(categories=["short_response"])  # the judge gives C and D only


def test_curation_runs_the_judge_when_enabled(tmp_path):
    samples = judge_samples()
    judge = ScriptedJudge(["unclear"] * 4)
    ctx = StageContext(run_dir=tmp_path, stage="curate", seed=0, client=judge)
    cfg = CurateConfig(filters=FilterConfig(failing_tests=False), judge=JudgeConfig(enabled=True, max_samples=3))
    run_curate(samples, cfg, ctx)
    assert len(judge.requests) == 3 and ctx.stats["curate_rejects_by_reason"] == {"unclear_code": 3}
    assert "judge_s" in ctx.stats["curate_timings_s"]
