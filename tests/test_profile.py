"""Source profiles: the measured style differences between sources."""

from __future__ import annotations

import json
import subprocess
import sys

from alchemistcoder.ingest.config import SourceConfig
from alchemistcoder.ingest.ingest import ingest_sources
from alchemistcoder.ingest.profile import profile_samples
from alchemistcoder.io import write_samples
from alchemistcoder.records import Sample, make_messages


def _demo_profile() -> dict:
    from alchemistcoder.demo import demo_sources

    return profile_samples(ingest_sources(demo_sources()).samples)["sources"]


def test_profile_of_handmade_samples():
    samples = [
        Sample(id="1", source="a", messages=make_messages("Add two numbers.", "def add(a, b):\n    return a + b")),
        Sample(id="2", source="a", messages=make_messages("Why?", "Because it is shorter.")),
        Sample(id="3", source="b", messages=make_messages(
            "Print squares.",
            'Loop and print:\n\n```python\ndef show(n):\n    """Print squares."""\n    for i in range(n):\n'
            '        print(i * i)  # square\n\nassert True\n```\n\nOutput:\n```\n0\n1\n```')),
    ]
    samples.append(samples[0].copy())
    samples[-1].reject("filter", "dup")
    prof = profile_samples(samples)
    a, b = prof["sources"]["a"], prof["sources"]["b"]
    assert a["samples"] == 2 and prof["all"]["samples"] == 3  # the rejected copy is not profiled
    assert a["code_share"] == 0.5 and a["fenced_code_share"] == 0.0 and a["languages"] == {"python": 1.0}
    assert a["response_chars"]["p90"] == len("def add(a, b):\n    return a + b")
    assert b["fenced_code_share"] == 1.0 and b["docstring_share"] == 1.0 and b["comment_share"] == 1.0
    assert b["tests_share"] == 1.0 and b["prints_share"] == 1.0 and b["shows_output_share"] == 1.0
    assert b["prose_to_code"] > 0 and a["instruction_chars"]["mean"] == (16 + 4) / 2


def test_demo_sources_differ_in_style():
    p = _demo_profile()
    terse, tutor, snippets, poly = (p[k] for k in ("demo-terse", "demo-tutor", "demo-snippets", "demo-polyglot"))
    assert tutor["fenced_code_share"] == 1.0 and terse["fenced_code_share"] == 0.0
    assert tutor["response_chars"]["p50"] > 4 * terse["response_chars"]["p50"] > 4 * snippets["response_chars"]["p50"]
    assert tutor["prose_to_code"] > terse["prose_to_code"]
    assert tutor["shows_output_share"] > 0.3 and terse["shows_output_share"] == 0.0
    assert tutor["tests_share"] > terse["tests_share"]
    assert set(poly["languages"]) >= {"javascript", "go", "cpp"} and "python" not in poly["languages"]
    assert set(terse["languages"]) == {"python"}


def test_profile_cli_on_a_samples_file_and_on_a_config(shared_data, tmp_path):
    sources = [SourceConfig(name=n, path=str(shared_data / p), format=f, limit=150) for n, p, f in [
        ("codealpaca-2k", "codealpaca/code_alpaca_2k.json", "alpaca"),
        ("evol-r2", "evol-codealpaca/evol-codealpaca-2k-2.json", "evol"),
        ("conala", "conala/conala-train.json", "conala"),
    ]]
    samples_file = tmp_path / "samples.jsonl.gz"
    write_samples(samples_file, ingest_sources(sources).samples)
    proc = subprocess.run([sys.executable, "-m", "alchemistcoder.cli", "profile", str(samples_file)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    prof = json.loads((tmp_path / "profile.json").read_text())
    evol, alpaca, conala = (prof["sources"][k] for k in ("evol-r2", "codealpaca-2k", "conala"))
    # evolved answers are longer and fenced; CoNaLa answers are one-line bare Python
    assert evol["response_chars"]["p50"] > 3 * alpaca["response_chars"]["p50"] > 3 * conala["response_chars"]["p50"]
    assert evol["fenced_code_share"] > 0.3 and conala["fenced_code_share"] == 0.0
    assert max(conala["languages"], key=conala["languages"].get) == "python"
    assert "Source profiles" in proc.stdout and "evol-r2" in proc.stdout

    cfg = tmp_path / "demo.yaml"
    cfg.write_text("sources:\n  - {name: t, path: pkg://alchemistcoder/demo/terse.jsonl, format: alpaca}\n")
    out = tmp_path / "p.json"
    proc = subprocess.run([sys.executable, "-m", "alchemistcoder.cli", "profile", str(cfg), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["sources"]["t"]["samples"] == 42
