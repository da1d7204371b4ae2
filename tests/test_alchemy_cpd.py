"""Conditional perplexity discrepancy with the real embedded model: the scorer, and `alchemist analyze cpd`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alchemistcoder.cli import app
from alchemistcoder.harmonize import HarmonizeConfig, run_harmonize
from alchemistcoder.harmonize.cpd import CPDPair, Scorer, score_pairs, summarize
from alchemistcoder.io import write_samples
from alchemistcoder.records import Sample, content_id, make_messages
from alchemistcoder.stage import StageContext

pytestmark = pytest.mark.slow

RESPONSE = "def add(a, b):\n    return a + b\n\nprint(add(2, 3))"


def test_a_fitting_instruction_lowers_response_perplexity() -> None:
    scorer = Scorer(max_response_tokens=64, batch_size=4)
    pairs = [
        CPDPair("fit", RESPONSE, "Write a Python function add(a, b) that returns the sum of two numbers and print add(2, 3).",
                "Please generate Python code for the following task.\nWrite a Python function add(a, b) that returns the sum."),
        CPDPair("unrelated", RESPONSE, "Describe the history of the Roman Empire in three paragraphs.", None),
    ]
    fit, unrelated = score_pairs(pairs, scorer)
    assert fit.ppl_response == pytest.approx(unrelated.ppl_response, rel=1e-4)  # same response, same empty context
    assert fit.ppl_given_instruction < unrelated.ppl_given_instruction
    assert fit.cpd_without < unrelated.cpd_without  # a fitting instruction makes the response more likely
    assert fit.cpd_with is not None and fit.gain == pytest.approx(fit.cpd_without - fit.cpd_with)
    assert unrelated.cpd_with is None and unrelated.gain is None
    summary = summarize([fit, unrelated])
    assert summary["n"] == 2 and summary["mean_gain"] == pytest.approx(fit.gain)


def test_cli_analyze_cpd(tmp_path: Path, shared_data: Path) -> None:
    rows = json.loads((shared_data / "codealpaca" / "code_alpaca_2k.json").read_text())[:60]
    samples = []
    for i, r in enumerate(rows):
        m = make_messages(r["instruction"], r["output"])
        samples.append(Sample(content_id("codealpaca", m, str(i)), "codealpaca", m))
    out = run_harmonize(samples, HarmonizeConfig(writer="template", fraction=0.1), StageContext(run_dir=tmp_path, stage="harmonize"))
    inp = tmp_path / "harmonized.jsonl"
    write_samples(inp, out)
    result = CliRunner().invoke(
        app, ["analyze", "cpd", str(inp), "--out", str(tmp_path / "cpd"), "--limit", "2", "--max-response-tokens", "48"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "cpd" / "cpd.json").read_text())
    assert report["n"] == 2 and len(report["samples"]) == 2
    for row in report["samples"]:
        assert row["writer"] == "template"
        assert row["ppl_response"] > 1 and row["ppl_given_instruction"] > 1 and row["ppl_given_alchemist"] > 1
        assert row["cpd_with"] == pytest.approx(row["ppl_given_alchemist"] - row["ppl_response"])
    assert report["mean_gain"] == pytest.approx(sum(r["gain"] for r in report["samples"]) / 2)
    assert (tmp_path / "cpd" / "cpd.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # input without AlchemistPrompts: a clear error, not an empty report
    plain = tmp_path / "plain.jsonl"
    write_samples(plain, samples[:3])
    bad = CliRunner().invoke(app, ["analyze", "cpd", str(plain), "--out", str(tmp_path / "cpd2")])
    assert bad.exit_code == 2 and "no sample carries an AlchemistPrompt" in bad.output


def test_cpd_gate_keeps_only_prompts_that_lower_the_responses_perplexity(tmp_path: Path) -> None:
    from alchemistcoder.harmonize.gate import CPD_OP, GATED_OUT

    responses = [
        "```python\ndef gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n\nprint(gcd(48, 18))\n```",
        "```python\nclass Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, x):\n"
        "        self.items.append(x)\n\ns = Stack()\ns.push(1)\nprint(s.items)\n```",
        "```javascript\nfunction fact(n) {\n  return n <= 1 ? 1 : n * fact(n - 1);\n}\nconsole.log(fact(5));\n```",
    ]
    instructions = ["Compute the greatest common divisor of two numbers.", "Make a stack that can push items.",
                    "Compute the factorial of a number."]
    samples = []
    for i, (instruction, response) in enumerate(zip(instructions, responses, strict=True)):
        messages = make_messages(instruction, response)
        samples.append(Sample(content_id("s", messages, str(i)), "s", messages))
    ctx = StageContext(run_dir=tmp_path, stage="harmonize", seed=0)
    out = run_harmonize(samples, HarmonizeConfig(writer="template", fraction=1.0, cpd_gate=True, cpd_max_response_tokens=64), ctx)
    stats = ctx.stats["harmonize"]
    assert stats["cpd_scored"] == 3 and stats["selected"] == 3
    created = {s.id.removesuffix("-alchemist") for s in out if s.task == "alchemist"}
    assert len(created) == 3 - stats["cpd_gated_out"]
    for s in samples:
        [event] = [e for e in s.trace if e.op == CPD_OP]
        lowered = event.params["ppl_with"] < event.params["ppl_without"]
        assert (event.verdict, event.reason) == (("keep", None) if lowered else ("info", GATED_OUT))
        assert (s.id in created) == lowered
        if not lowered:
            assert stats["candidate_rejects"][f"template_{GATED_OUT}"] >= 1
