"""The comprehension tasks as views over hand-made traces (no model): evolution and filtering tasks."""

from __future__ import annotations

from pathlib import Path

import pytest

from alchemistcoder.comprehend.config import ComprehendConfig
from alchemistcoder.comprehend.evolution_tasks import added_units, evolution_pairs, make_evolution_tasks
from alchemistcoder.comprehend.filtering_tasks import (
    make_filtering_tasks,
    no_problem_question,
    problem_question,
)
from alchemistcoder.comprehend.stage import run_comprehend, trace_tasks
from alchemistcoder.curate.reasons import REASONS
from alchemistcoder.evolve import eliminate
from alchemistcoder.evolve.methods import METHODS
from alchemistcoder.evolve.stage import EVOLVE_OP
from alchemistcoder.records import Sample, make_messages
from alchemistcoder.stage import StageContext

ORIGINAL = "Write a function that reverses a string."
EVOLVED = (
    "Write a function that reverses a string. Do not use slicing or reversed(). "
    "The function must also reverse each word's letters in place while keeping word order."
)


def evolved_sample(sid: str, method: str = "add_constraints", reason: str | None = None) -> Sample:
    s = Sample(id=sid, source="evol-instruct", messages=make_messages(EVOLVED, "def rev(s): ..."))
    s.record(EVOLVE_OP, "create", params={"parents": ["p-" + sid], "method": method, "round": 1},
             before=ORIGINAL, after=EVOLVED, model="tiny")
    if reason:
        s.reject(EVOLVE_OP, reason)
    return s


def codegen(sid: str, response: str = "```python\nprint(1)\n```", reason: str | None = None, **params) -> Sample:
    s = Sample(id=sid, source="src", messages=make_messages(f"Instruction {sid}: print one.", response))
    if reason:
        s.reject("quality", reason, params=params)
    else:
        s.record("quality", "keep", params={"checks": ["short_response", "no_code", "uncompilable"]})
    return s


def test_evolution_pairs_come_from_create_events_and_skip_eliminated_instructions():
    kept = evolved_sample("e1")
    bad_response = evolved_sample("e2", reason=eliminate.RESPONSE_REFUSAL)  # instruction is still a good evolution
    unchanged = evolved_sample("e3", reason=eliminate.UNCHANGED)
    plain = codegen("c1")
    pairs = evolution_pairs([kept, bad_response, unchanged, plain])
    assert [p.sample_id for p in pairs] == ["e1", "e2"]
    assert pairs[0].parent_id == "p-e1" and pairs[0].method == "add_constraints" and pairs[0].model == "tiny"


def test_evolve_and_explain_tasks_are_grounded_in_the_trace():
    [pair] = evolution_pairs([evolved_sample("e1", method="higher_complexity")])
    tasks = make_evolution_tasks([pair], ["evolve", "explain"], seed=0)
    assert [t.meta["variant"] for t in tasks] == ["evolve", "explain"]
    evolve, explain = tasks
    assert all(t.task == "evolution" and not t.rejected for t in tasks)
    assert ORIGINAL in evolve.instruction and METHODS["higher_complexity"].directive in evolve.instruction
    assert evolve.response == EVOLVED
    assert ORIGINAL in explain.instruction and EVOLVED in explain.instruction
    # the answer names the recorded method, its rationale, and the sentences the evolution added
    assert METHODS["higher_complexity"].rationale in explain.response
    assert "Do not use slicing or reversed()." in explain.response
    assert "from 7 to" in explain.response
    create = explain.trace[0]
    assert create.verdict == "create" and create.params["parents"] == ["e1", "p-e1"]
    assert len({t.id for t in tasks}) == 2


def test_added_units_finds_new_sentences_only():
    assert added_units("A b. C d.", "A b. New one. C d.") == ["New one."]
    assert added_units("same.", "same.") == []


# the paper's categories: A short response, B uncompilable code, C unclear code, D disorganized code
# the paper's reasons, and the verify stage's two execution reasons (category B: the code does not work)
PAPER_CATEGORIES = {"short_response": "A", "no_code": "A", "uncompilable": "B", "failing_tests": "B",
                    "code_crashes": "B", "failing_model_tests": "B", "failing_own_examples": "B", "unclear_code": "C",
                    "disorganized_code": "D"}


def test_the_reason_registry_is_the_papers_categories():
    assert {code: r.category for code, r in REASONS.items()} == PAPER_CATEGORIES


@pytest.mark.parametrize(("reason", "letter"), sorted(PAPER_CATEGORIES.items()))
def test_filtering_answer_is_the_category_of_the_recorded_reason(reason, letter):
    s = codegen("r", reason=reason, error="SyntaxError: invalid syntax (line 2)")
    q = problem_question(s)
    assert q.task == "filtering" and q.meta["answer"] == letter and q.meta["reason"] == reason
    assert q.response.startswith(f"{letter}. ")
    assert "Evidence: SyntaxError: invalid syntax (line 2)" in q.response
    for option in ("A. Short Responses", "B. Uncompilable code", "C. Unclear code", "D. Disorganized code", "E. No problem"):
        assert option in q.instruction
    assert s.instruction in q.instruction


def test_no_problem_variant_and_judge_rationale():
    q = no_problem_question(codegen("k"))
    assert q.meta["answer"] == "E" and q.response.startswith("E. No problem")
    assert "the response is long enough; the response contains code; the code compiles." in q.response
    unchecked = Sample(id="u", source="evol-instruct", messages=make_messages("Do X with Y.", "Here: print(1)"))
    # a sample no check has looked at (a fresh evolution) is not offered as "no problem"
    tasks = make_filtering_tasks([codegen("bad", reason="no_code"), unchecked], no_problem_share=0.5)
    assert [t.meta["answer"] for t in tasks] == ["A"]
    judged = codegen("j", reason="unclear_code", rationale="Variables are named a, b, c and nothing is explained.")
    assert "Evidence: Variables are named a, b, c" in problem_question(judged).response


def test_other_rejections_make_no_questions_and_counts_follow_the_share():
    samples = [codegen(f"a{i}", reason="short_response") for i in range(8)]
    samples += [codegen("dup", reason="near_duplicate"), codegen("leak", reason="contaminated")]
    samples += [evolved_sample("ev", reason=eliminate.UNCHANGED)]
    samples += [codegen(f"k{i}") for i in range(10)]
    tasks = make_filtering_tasks(samples, no_problem_share=0.2, seed=1)
    answers = sorted(t.meta["answer"] for t in tasks)
    assert answers == ["A"] * 8 + ["E"] * 2  # 2 = 8 * 0.2 / 0.8
    parents = {t.trace[0].params["parents"][0] for t in tasks}
    assert not parents & {"dup", "leak", "ev"}
    capped = make_filtering_tasks(samples, max_samples=5, no_problem_share=0.2, seed=1)
    assert sorted(t.meta["answer"] for t in capped) == ["A"] * 4 + ["E"]
    # seeded: same choice in any input order
    assert {t.id for t in make_filtering_tasks(samples[::-1], max_samples=5, seed=1)} == {t.id for t in capped}


def test_stage_without_reviews_keeps_every_input_and_adds_tasks(tmp_path: Path):
    samples = [evolved_sample("e1"), codegen("bad", reason="uncompilable"), codegen("k1"), codegen("k2"),
               codegen("k3"), codegen("k4")]
    cfg = ComprehendConfig.model_validate({"review": {"enabled": False}})
    ctx = StageContext(run_dir=tmp_path, stage="comprehend", seed=0)
    out = run_comprehend([s.copy() for s in samples], cfg, ctx)
    assert [s.to_dict() for s in out[: len(samples)]] == [s.to_dict() for s in samples]  # inputs untouched
    new = out[len(samples):]
    assert sorted(s.task for s in new) == ["evolution", "evolution", "filtering"]
    assert ctx.stats["comprehend"]["tasks"] == {"evolution": 2, "filtering": 1, "review": 0, "repair": 0}
    assert [t.id for t in trace_tasks(samples, cfg)] == [t.id for t in new]  # deterministic


def test_mix_quota_comes_from_the_config():
    cfg = ComprehendConfig.model_validate({"ratios": {"evolution": 0.1, "filtering": 0.02, "review": 0.0}})
    assert (cfg.quota("evolution", 1000), cfg.quota("filtering", 1000), cfg.quota("review", 1000)) == (100, 20, 0)


def test_cli_comprehend_writes_inputs_and_tasks(tmp_path: Path):
    import json
    import subprocess
    import sys

    from alchemistcoder.io import read_samples, write_samples

    alchemist = Path(sys.executable).parent / "alchemist"
    kept = [codegen(f"k{i}") for i in range(4)]
    rejects = [evolved_sample("e1"), codegen("bad", reason="short_response")]
    write_samples(tmp_path / "kept.jsonl", kept)
    write_samples(tmp_path / "rejects.jsonl.gz", rejects)
    out = tmp_path / "out"
    r = subprocess.run([str(alchemist), "comprehend", str(tmp_path / "kept.jsonl"), str(tmp_path / "rejects.jsonl.gz"),
                        "--out", str(out), "--set", "comprehend.review.enabled=false"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    result = list(read_samples(out / "samples.jsonl.gz"))
    assert [s.id for s in result[:6]] == [s.id for s in kept + rejects]
    assert sorted(s.task for s in result[6:]) == ["evolution", "evolution", "filtering"]
    assert json.loads((out / "stats.json").read_text())["comprehend"]["tasks"]["filtering"] == 1
    bad = subprocess.run([str(alchemist), "comprehend", str(tmp_path / "kept.jsonl"), "--out", str(out),
                          "--set", "comprehend.filtering.share=0.5"], capture_output=True, text=True)
    assert bad.returncode == 2 and "comprehend.filtering.share: unknown key 'share'" in bad.stderr
