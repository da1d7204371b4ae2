"""The harmonize stage without a model: grounding, selection, template writer, validation, apply, the stage
and its CLI verb, on hand-made samples and on the shared instruction sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alchemistcoder.cli import app
from alchemistcoder.config import ConfigError, RunConfig, validate_dict
from alchemistcoder.harmonize import HarmonizeConfig, ground, run_harmonize, template_prompt, validate_prompt
from alchemistcoder.harmonize.apply import APPLY_OP, apply_prompt, child_id
from alchemistcoder.harmonize.harmonize import GROUNDING_OP, PROMPT_OP, harmonize_steps
from alchemistcoder.harmonize.select import select
from alchemistcoder.harmonize.validate import clean_prompt, count_sentences
from alchemistcoder.io import read_samples, write_samples
from alchemistcoder.records import Sample, content_id, make_messages
from alchemistcoder.stage import StageContext
from shard_runs import run_on_shards

BELLMAN_FORD_INSTRUCTION = "Find the shortest distances from a source vertex to all vertices in a weighted graph."
BELLMAN_FORD_RESPONSE = '''```python
def shortest_paths(n, edges, src):
    dist = [float("inf")] * n
    dist[src] = 0
    for _ in range(n - 1):
        for u, v, w in edges:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
    return dist
```

This is the Bellman-Ford algorithm, a dynamic programming method: after k rounds every distance is optimal
among paths of at most k edges.'''

GCD_INSTRUCTION = "Compute the greatest common divisor of two numbers."
GCD_RESPONSE = """```python
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a

print(gcd(48, 18))
```

Output:
```
6
```"""


def sample(instruction: str, response: str, source: str = "s", salt: str = "") -> Sample:
    messages = make_messages(instruction, response)
    return Sample(content_id(source, messages, salt), source, messages)


def shared_samples(shared_data: Path, n: int = 400) -> list[Sample]:
    out = []
    for rel, name, key in (
        ("evol-codealpaca/evol-codealpaca-2k-1.json", "evol", "output"),
        ("codealpaca/code_alpaca_2k.json", "codealpaca", "output"),
    ):
        rows = json.loads((shared_data / rel).read_text())[:n]
        for i, r in enumerate(rows):
            instruction = r["instruction"] + (("\n" + r["input"]) if r.get("input") else "")
            out.append(sample(instruction, r[key], name, str(i)))
    return out


# -- grounding and the template writer ---------------------------------------------------------------------

def test_grounding_of_the_papers_examples() -> None:
    g = ground(BELLMAN_FORD_INSTRUCTION, BELLMAN_FORD_RESPONSE)
    assert g.facts.language == "python"
    assert "dynamic_programming" in g.facts.concepts
    assert {"language", "concept:dynamic_programming"} <= set(g.missing)
    assert "Please generate Python code for the following task and attempt to use the concept of Dynamic Programming" in template_prompt(g)

    g = ground(GCD_INSTRUCTION, GCD_RESPONSE)
    assert g.facts.prints_output and g.facts.shows_output
    assert template_prompt(g) == (
        "Please generate Python code for the following task, including the expected output after the code execution."
    )


def test_facts_the_instruction_states_are_not_missing() -> None:
    g = ground("Write a recursive Python function for the factorial and print the output.",
               "```python\ndef fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\nprint(fact(5))\n```")
    assert g.facts.concepts == ["recursion"]
    assert g.missing == []
    assert template_prompt(g) is None


# -- validation --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("prompt", "reason"),
    [
        ("Please generate Python code for the following task and attempt to use the concept of Dynamic Programming.", None),
        ("Python.", "empty"),
        ("Please write Java code for the following task using dynamic programming.", "wrong_language"),
        ("Use `dist[v] = dist[u] + w` to relax each edge.", "contains_code"),
        ("Please relax the edges with dist[u] + w < dist[v] in Python.", "contains_code"),
        ("Please implement shortest_paths in Python with dynamic programming.", "leaks_solution"),
        ("Please generate Python code for this task and attempt to use the concept of Recursion.", "unsupported_concept"),
        ("Find the shortest distances from a source vertex to all vertices in a weighted graph.", "restates_instruction"),
        ("Please generate Python code. Use dynamic programming. Keep it short. Explain it.", "too_long"),
        (" ".join(["Please"] * 60) + ".", "too_long"),
        ("The Alchemist model returns a JSON object with a JSON schema.", "off_topic"),
        ("Please be careful and thorough with this one.", "off_topic"),
    ],
)
def test_validate_prompt(prompt: str, reason: str | None) -> None:
    g = ground(BELLMAN_FORD_INSTRUCTION, BELLMAN_FORD_RESPONSE)
    verdict = validate_prompt(clean_prompt(prompt), BELLMAN_FORD_INSTRUCTION, BELLMAN_FORD_RESPONSE, g)
    assert verdict.reason == reason, verdict
    assert verdict.ok == (reason is None)


SUM_INSTRUCTION = (
    "Create a C++ program to compute the sum of two numbers, but you are not allowed to use the + operator to perform "
    "the addition. Additionally, you are not allowed to use any arithmetic operators (+, -, *, /) or any bitwise "
    "operators (&, |, ^, <<, >>) to perform the addition."
)
SUM_RESPONSE = """```cpp
#include <iostream>
int add(int a, int b) {
    if (b == 0) return a;
    return add(a ^ b, (a & b) << 1);
}
int main() {
    std::cout << add(3, 4) << std::endl;
}
```
The function calls itself until there is no carry left; each call combines the bits without a carry and shifts the
carry one place to the left, so the sum is built without the + operator, in as many calls as the carry needs."""


@pytest.mark.parametrize(
    ("prompt", "reason"),
    [
        # a long instruction restated: the task's own words, not a similarity ratio, give it away
        ("Write a C++ program to compute the sum of two numbers without using the + operator and explain the code.",
         "restates_instruction"),
        # the facts, phrased by a model: fine
        ("Write a C++ program that uses recursion to print the result and explain the code.", None),
        # a task of its own (a small model retelling its worked example)
        ("Please write the code to find the shortest distances from a source vertex in a weighted graph using recursion.",
         "describes_task"),
        # states only what the instruction already says (C++), none of the missing facts
        ("Please generate C++ code for the following task.", "no_missing_fact"),
        # asks for what the response does not have (it has no tests)
        ("Write a C++ program that uses recursion, with test cases.", "unsupported_fact"),
    ],
)
def test_validate_prompt_requires_a_missing_fact_and_no_task(prompt: str, reason: str | None) -> None:
    g = ground(SUM_INSTRUCTION, SUM_RESPONSE)
    assert {"concept:recursion", "prints_output", "explanation"} <= set(g.missing) and "language" not in g.missing
    verdict = validate_prompt(prompt, SUM_INSTRUCTION, SUM_RESPONSE, g)
    assert verdict.reason == reason, verdict


def test_a_prose_answer_about_a_language_may_be_told_in_that_language() -> None:
    instruction = "What is the difference between an abstract class and an interface in Java?"
    response = ("In Java, an abstract class can hold state and implemented methods, and a class extends only one of "
                "them; an interface declares behaviour that many unrelated classes can implement, and a class may "
                "implement several interfaces. Use an abstract class to share code, an interface to share a contract.")
    g = ground(instruction, response)
    assert g.facts.language is None and g.facts.prose_languages == ["java"] and g.missing == ["explanation"]
    assert validate_prompt("Please explain the answer in Java terms.", instruction, response, g).ok
    verdict = validate_prompt("Please explain the answer in Python terms.", instruction, response, g)
    assert verdict.reason == "wrong_language"


def test_stated_facts_and_checklist() -> None:
    from alchemistcoder.harmonize.grounding import checklist
    from alchemistcoder.harmonize.validate import stated_facts

    g = ground(SUM_INSTRUCTION, SUM_RESPONSE)
    assert checklist(g, 2) == ["concept:recursion", "prints_output"]  # the most telling first
    assert stated_facts("Use recursion and explain it.", g) == ["concept:recursion", "explanation"]
    assert stated_facts("Use recursion and explain it.", g, ["prints_output"]) == []


def test_clean_prompt_and_sentences() -> None:
    assert clean_prompt('  Prompt: "Please use Python."  ') == "Please use Python."
    assert count_sentences("Use Python, e.g. version 3.11. Print the result.") == 2
    assert count_sentences("Use Python") == 1


def test_template_prompts_pass_validation_on_shared_data(shared_data: Path) -> None:
    """The model-free writer states only grounded facts, so its prompts should almost always validate."""
    samples = shared_samples(shared_data, 300)
    ok = total = 0
    for s in samples:
        g = ground(s.instruction, s.response)
        p = template_prompt(g)
        if p is None:
            continue
        total += 1
        ok += validate_prompt(p, s.instruction, s.response, g).ok
    assert total >= 200
    assert ok / total >= 0.95, (ok, total)


# -- selection -----------------------------------------------------------------------------------------------

def test_selection_is_stratified_deterministic_and_order_free() -> None:
    samples = [sample(f"task {i}", f"answer {i}", "big" if i < 400 else "small", str(i)) for i in range(440)]
    picked = select(samples, 0.05, seed=3, eligible=lambda s: True)
    by_source = {src: sum(s.source == src for s in picked) for src in ("big", "small")}
    assert by_source == {"big": 20, "small": 2}
    again = select(list(reversed(samples)), 0.05, seed=3, eligible=lambda s: True)
    assert {s.id for s in again} == {s.id for s in picked}
    other_seed = select(samples, 0.05, seed=4, eligible=lambda s: True)
    assert {s.id for s in other_seed} != {s.id for s in picked}
    # a sample picked at 5% is also picked at 10%
    wider = select(samples, 0.10, seed=3, eligible=lambda s: True)
    assert {s.id for s in picked} <= {s.id for s in wider}


def test_selection_priority_and_rejected_samples() -> None:
    samples = [sample(f"task {i}", f"answer {i}", "s", str(i)) for i in range(100)]
    samples[7].reject("quality", "short_response")
    priority = {s.id: (5 if i in (3, 50, 90) else 0) for i, s in enumerate(samples)}
    picked = select(samples, 0.03, seed=0, eligible=lambda s: True, priority=lambda s: priority[s.id])
    # 99 kept samples -> quota 3, taken by the three with the highest priority
    assert [s.id for s in picked] == [samples[3].id, samples[50].id, samples[90].id]
    assert all(not s.rejected for s in select(samples, 1.0, seed=0, eligible=lambda s: True))


# -- apply ---------------------------------------------------------------------------------------------------

def test_apply_add_and_replace() -> None:
    parent = sample(GCD_INSTRUCTION, GCD_RESPONSE)
    child = apply_prompt(parent, "Please use Python.", mode="add", writer="template", model=None)
    assert child is not None and child.id == child_id(parent.id) and child.task == "alchemist"
    assert child.instruction == "Please use Python.\n" + GCD_INSTRUCTION
    assert child.response == parent.response == GCD_RESPONSE
    assert parent.instruction == GCD_INSTRUCTION
    event = child.trace[-1]
    assert (event.op, event.verdict, event.params["parents"], event.params["writer"]) == (APPLY_OP, "create", [parent.id], "template")
    assert (event.before, event.after) == (GCD_INSTRUCTION, child.instruction)

    assert apply_prompt(parent, "Please use Python.", mode="replace", writer="model", model="m") is None
    assert parent.instruction == "Please use Python.\n" + GCD_INSTRUCTION
    event = parent.trace[-1]
    assert (event.verdict, event.before, event.model) == ("modify", GCD_INSTRUCTION, "m")


# -- the stage ------------------------------------------------------------------------------------------------

def test_stage_with_template_writer_on_shared_data(tmp_path: Path, shared_data: Path) -> None:
    samples = shared_samples(shared_data, 400)
    samples[0].reject("quality", "no_code")
    rejected_before = samples[0].to_dict()
    n_in = len(samples)
    ctx = StageContext(run_dir=tmp_path, stage="harmonize", seed=11)
    cfg = HarmonizeConfig(writer="template", fraction=0.05)
    out = run_harmonize(samples, cfg, ctx)

    created = [s for s in out if s.task == "alchemist"]
    stats = ctx.stats["harmonize"]
    assert len(out) == n_in + len(created)  # nothing dropped; every input returned
    assert out[0].to_dict() == rejected_before  # rejected samples pass through untouched
    assert stats["selected"] == 40  # 5% of each source's 400 (one rejected: round(0.05*399)=20)
    assert stats["by_writer"] == {"template": len(created)}
    assert len(created) + stats["without_prompt"] == stats["selected"]
    assert len(created) >= 35
    ids = [s.id for s in out]
    assert len(set(ids)) == len(ids)
    for child in created:
        parent = out[ids.index(child.id) - 1]  # the copy comes right after its parent
        assert child.id == child_id(parent.id)
        assert child.instruction.endswith(parent.instruction) and child.response == parent.response
        ops = [e.op for e in child.trace]
        assert ops[-3:] == [GROUNDING_OP, PROMPT_OP, APPLY_OP]
        assert child.trace[-1].params["writer"] == "template"
        assert child.trace[-2].verdict == "keep"
        assert not child.rejected and not parent.rejected
    # same seed, same choice
    again = run_harmonize(shared_samples(shared_data, 400), cfg, StageContext(run_dir=tmp_path, stage="harmonize", seed=11))
    assert [s.id for s in again if s.task == "alchemist"] == [s.id for s in created]


def test_replace_mode_and_disabled(tmp_path: Path) -> None:
    samples = [sample(GCD_INSTRUCTION, GCD_RESPONSE, salt=str(i)) for i in range(20)]
    ctx = StageContext(run_dir=tmp_path, stage="harmonize")
    out = run_harmonize(samples, HarmonizeConfig(writer="template", fraction=0.1, mode="replace"), ctx)
    assert len(out) == 20
    changed = [s for s in out if s.task == "alchemist"]
    assert len(changed) == 2
    assert all(s.instruction.startswith("Please generate Python code") and s.trace[-1].verdict == "modify" for s in changed)
    untouched = [sample(GCD_INSTRUCTION, GCD_RESPONSE, salt=str(i)) for i in range(5)]
    assert run_harmonize(untouched, HarmonizeConfig(enabled=False, fraction=1.0), ctx) == untouched
    assert all(not s.trace for s in untouched)


def test_config_is_strict() -> None:
    cfg = validate_dict({"harmonize": {"fraction": 0.1, "mode": "replace", "model": None}}, RunConfig)
    assert cfg.harmonize.fraction == 0.1 and cfg.harmonize.model is None
    with pytest.raises(ConfigError, match=r"harmonize\.fractoin"):
        validate_dict({"harmonize": {"fractoin": 0.1}}, RunConfig)
    with pytest.raises(ConfigError, match=r"harmonize\.mode"):
        validate_dict({"harmonize": {"mode": "append"}}, RunConfig)


def test_cli_harmonize(tmp_path: Path, shared_data: Path) -> None:
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_samples(inp, shared_samples(shared_data, 100))
    result = CliRunner().invoke(
        app, ["harmonize", str(inp), "--out", str(out), "--set", "harmonize.writer=template", "--set", "harmonize.fraction=0.1",
              "--run-dir", str(tmp_path / "run")],
    )
    assert result.exit_code == 0, result.output
    rows = list(read_samples(out))
    assert len(rows) == 200 + sum(s.task == "alchemist" for s in rows)
    assert sum(s.task == "alchemist" for s in rows) >= 15

    bad = CliRunner().invoke(app, ["harmonize", str(inp), "--out", str(out), "--set", "harmonize.nope=1"])
    assert bad.exit_code == 2 and "harmonize.nope" in bad.output


# -- the stage on shards -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("codegen_share", [1.0, 0.05])
def test_harmonize_on_shards_decides_as_over_one_list(shared_data: Path, tmp_path: Path, codegen_share: float) -> None:
    """The selection is a reduce over every shard's candidates: the same samples get the same prompts as over
    one list. With few eligible samples the speculative look at the head of each source is not enough, and the
    ``look`` step reads the shards that hold the candidates the pick still needs."""
    samples = shared_samples(shared_data, 300)
    for i, s in enumerate(samples):
        if i % 100 >= codegen_share * 100:
            s.task = "explain"  # not a task that may receive a prompt
    cfg = HarmonizeConfig(writer="template", fraction=0.05)
    inline = run_harmonize([s.copy() for s in samples], cfg, StageContext(run_dir=tmp_path, stage="harmonize", seed=5))
    kept, rejected, steps = run_on_shards("harmonize", harmonize_steps(cfg), samples, cfg, tmp_path, seed=5)
    sharded = kept + rejected
    assert {s.id: s.to_dict() for s in sharded} == {s.id: s.to_dict() for s in inline}
    created = [s for s in inline if s.task == "alchemist"]
    assert len(created) >= (25 if codegen_share == 1.0 else 15)
    assert list(steps) == ["candidates", "pick", "look", "select", "write"]
    assert steps["look"]["shards"] == 10
    if codegen_share == 1.0:
        assert steps["look"]["skipped"] == 10  # the head was enough: no shard read twice
    else:
        assert steps["look"]["skipped"] < 10
