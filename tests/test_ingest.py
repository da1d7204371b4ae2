"""Ingest: bad input (raise / quarantine), stable ids, provenance, MBPP split, CLI, and the shared data counts."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from alchemistcoder.config import load_config
from alchemistcoder.ingest.config import IngestConfig, SourceConfig
from alchemistcoder.ingest.ingest import ingest_source, ingest_sources
from alchemistcoder.io import DataError, read_jsonl, read_samples
from alchemistcoder.records import Sample

REPO = Path(__file__).resolve().parents[1]
RAISE = IngestConfig()
QUARANTINE = IngestConfig(on_error="quarantine")


def _jsonl(path: Path, rows: list) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def _src(path: Path, fmt: str = "evol", **kw) -> SourceConfig:
    return SourceConfig(name=kw.pop("name", "s"), path=str(path), format=fmt, **kw)


GOOD = [{"instruction": f"task {i}", "output": f"print({i})"} for i in range(4)]


# -- bad input: one test per case, both modes -------------------------------------------------------------


def test_malformed_json_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": \n{"instruction": "e", "output": "f"}\n')
    with pytest.raises(DataError) as info:
        ingest_source(_src(path), RAISE)
    assert info.value.path == str(path) and info.value.line == 2 and "malformed JSON" in str(info.value)
    assert f"{path}:2: record 1: malformed JSON" in str(info.value)
    samples, rejects, counts = ingest_source(_src(path), QUARANTINE)
    assert [s.instruction for s in samples] == ["a", "e"]
    assert rejects == [{"source": "s", "file": str(path), "line": 2, "index": 1, "reason": "malformed_json",
                        "problem": rejects[0]["problem"], "raw": '{"instruction": "c", "output": '}]
    assert (counts.read, counts.kept, counts.rejected) == (3, 2, 1)


def test_missing_required_field_names_line_and_field(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", [GOOD[0], {"instruction": "no answer"}, GOOD[1]])
    with pytest.raises(DataError, match=r"d\.jsonl:2: record 1: missing field 'output'"):
        ingest_source(_src(path), RAISE)
    samples, rejects, counts = ingest_source(_src(path), QUARANTINE)
    assert len(samples) == 2 and rejects[0]["reason"] == "missing_field"
    assert json.loads(rejects[0]["raw"]) == {"instruction": "no answer"}
    assert counts.read == counts.kept + counts.rejected == 3


def test_wrong_type_in_a_json_array_names_record_and_line(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([GOOD[0], {"instruction": "x", "output": ["not", "text"]}, GOOD[1]], indent=2))
    with pytest.raises(DataError) as info:
        ingest_source(_src(path), RAISE)
    # the second record starts on line 6 of the indented file
    assert info.value.line == 6 and "record 1: field 'output' is a list, expected a string" in str(info.value)
    _, rejects, counts = ingest_source(_src(path), QUARANTINE)
    assert rejects[0]["line"] == 6 and rejects[0]["index"] == 1 and rejects[0]["reason"] == "wrong_type"
    assert (counts.kept, counts.rejected) == (2, 1)


def test_non_utf8_jsonl_rejects_only_the_bad_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(orjson.dumps(GOOD[0]) + b'\n{"instruction": "caf\xe9", "output": "x"}\n' + orjson.dumps(GOOD[1]) + b"\n")
    with pytest.raises(DataError, match=r"d\.jsonl:2: line is not UTF-8 text"):
        ingest_source(_src(path), RAISE)
    samples, rejects, counts = ingest_source(_src(path), QUARANTINE)
    assert [s.instruction for s in samples] == ["task 0", "task 1"]
    assert rejects[0]["reason"] == "not_utf8" and rejects[0]["line"] == 2 and "caf" in rejects[0]["raw"]
    assert counts.read == 3


def test_non_utf8_json_array_is_a_file_level_error(tmp_path):
    path = tmp_path / "d.json"
    path.write_bytes(b'[\n{"instruction": "ok", "output": "x"},\n{"instruction": "\xff", "output": "y"}\n]')
    with pytest.raises(DataError, match=r"d\.json:3: file is not UTF-8 text"):
        ingest_source(_src(path), RAISE)
    samples, rejects, counts = ingest_source(_src(path), QUARANTINE)
    assert samples == [] and rejects[0]["reason"] == "not_utf8" and counts.rejected == 1


@pytest.mark.parametrize(("name", "content"), [("e.jsonl", b""), ("e.jsonl", b"\n  \n"), ("e.json", b"[]"),
                                               ("e.json", b""), ("e.jsonl.gz", gzip.compress(b""))])
def test_empty_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=r"empty (file|JSON array): no records"):
        ingest_source(_src(path), RAISE)
    samples, rejects, counts = ingest_source(_src(path), QUARANTINE)
    assert samples == [] and rejects[0]["reason"] == "empty_file" and counts.rejected == 1


def test_byte_order_mark_and_crlf_line_endings_are_fine(tmp_path):
    rows = b"\r\n".join(orjson.dumps(r) for r in GOOD) + b"\r\n\r\n"
    (tmp_path / "d.jsonl").write_bytes(b"\xef\xbb\xbf" + rows)
    (tmp_path / "d.json").write_bytes(b"\xef\xbb\xbf" + orjson.dumps(GOOD))
    for name in ("d.jsonl", "d.json"):
        samples, _, counts = ingest_source(_src(tmp_path / name), RAISE)
        assert [s.response for s in samples] == [r["output"] for r in GOOD] and counts.read == 4


def test_unreadable_json_array_names_the_line(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "c" "output": "d"}\n]')
    with pytest.raises(DataError) as info:
        ingest_source(_src(path), RAISE)
    assert info.value.line == 3 and "malformed JSON" in str(info.value)


def test_top_level_object_is_wrong_type(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"data": [1, 2]}')  # a .json file starting with "{" is read as JSON lines: one record
    with pytest.raises(DataError, match="missing field 'instruction'"):
        ingest_source(_src(path), RAISE)


def test_unknown_format_and_file_type(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", GOOD)
    bad = SourceConfig.model_construct(name="s", path=str(path), format="xml", fields={}, limit=None)
    with pytest.raises(DataError, match="unknown format 'xml'"):
        ingest_source(bad, RAISE)
    csv = tmp_path / "d.csv"
    csv.write_text("instruction,output\n")
    with pytest.raises(DataError, match=r"d\.csv: unsupported file type"):
        ingest_source(_src(csv), RAISE)
    with pytest.raises(DataError, match="format 'evol' has no field"):
        ingest_source(_src(path, fields={"answer": "x"}), RAISE)


def test_missing_file_and_offline_hub(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        ingest_source(_src(tmp_path / "nope.jsonl"), RAISE)
    with pytest.raises(DataError, match="hub is unreachable"):
        ingest_source(_src("nobody-here/no-such-dataset"), RAISE)


# -- ids, provenance, formats ---------------------------------------------------------------------------------


def test_ids_are_stable_and_exact_copies_get_salted_ids(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", [GOOD[0], GOOD[1], GOOD[0], GOOD[0]])
    first, _, _ = ingest_source(_src(path), RAISE)
    again, _, _ = ingest_source(_src(path), RAISE)
    assert [s.id for s in first] == [s.id for s in again]
    assert len({s.id for s in first}) == 4
    assert [e.params.get("copy") for s in first for e in s.trace] == [None, None, 1, 2]
    renamed, _, _ = ingest_source(_src(path, name="other"), RAISE)
    assert not {s.id for s in renamed} & {s.id for s in first}


def test_provenance_and_trace(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", [{"instruction": "q", "output": "a", "uid": 9}])
    (s,), _, _ = ingest_source(_src(path, language="go", meta_fields=["uid"], system="sys", task="review"), RAISE)
    assert s.meta == {"origin": {"file": str(path.resolve()), "index": 0, "line": 1}, "language_hint": "go", "uid": 9}
    assert s.messages[0] == {"role": "system", "content": "sys"} and s.task == "review"
    assert s.trace[0].op == "ingest" and s.trace[0].params == {"format": "evol"} and s.trace[0].stage == "ingest"


def test_parquet_gzip_and_saved_dataset_inputs(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(GOOD), tmp_path / "d.parquet")
    (tmp_path / "d.jsonl.gz").write_bytes(gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in GOOD)))
    import datasets

    datasets.Dataset.from_list(GOOD).save_to_disk(str(tmp_path / "saved"))
    for name in ("d.parquet", "d.jsonl.gz", "saved"):
        got, _, counts = ingest_source(_src(tmp_path / name, limit=3), RAISE)
        assert [s.instruction for s in got] == ["task 0", "task 1", "task 2"], name
        assert counts.kept == 3


def test_mbpp_excludes_fewshot_and_test_ids(tmp_path):
    rows = [{"text": f"t{i}", "code": "pass", "task_id": i, "test_list": [f"assert {i}"]} for i in (1, 10, 11, 510, 511, 974)]
    path = _jsonl(tmp_path / "mbpp.jsonl", rows)
    samples, _, counts = ingest_source(_src(path, "mbpp"), RAISE)
    assert [s.meta["task_id"] for s in samples] == [511, 974]
    assert samples[0].meta["tests"] == ["assert 511"]
    assert counts.to_dict() == {"read": 6, "kept": 2, "rejected": 0, "excluded": 4,
                                "reasons": {"mbpp_fewshot": 2, "mbpp_test_split": 2}}


def test_source_names_must_be_unique(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", GOOD)
    with pytest.raises(DataError, match="source names must be unique"):
        ingest_sources([_src(path), _src(path)])


def test_demo_corpus_ingests_with_its_defects():
    from alchemistcoder.demo import demo_defects, demo_sources

    result = ingest_sources(demo_sources())
    counts = {name: c.kept for name, c in result.counts.items()}
    assert counts == {"demo-terse": 42, "demo-tutor": 40, "demo-snippets": 40, "demo-polyglot": 35}
    by_source: dict[str, list[Sample]] = {}
    for s in result.samples:
        by_source.setdefault(s.source, []).append(s)
    for defect in demo_defects():
        sample = by_source[defect.source][defect.index]
        if defect.defect == "exact_duplicate":
            assert defect.of is not None
            original = by_source[defect.source][defect.of]
            assert sample.messages == original.messages and sample.id != original.id
        if defect.defect == "benchmark_leak":
            assert defect.task == "HumanEval/0" and "has_close_elements" in sample.response
    assert by_source["demo-snippets"][0].meta["tags"] == ["list"]


# -- CLI and the real shared data ------------------------------------------------------------------------------

SHARED_COUNTS = {
    # SOURCES.md record counts; MBPP: 974 minus test split 11-510 (500) minus few-shot ids 1-10 (10) = 464
    "codealpaca-2k": 2017, "new-codealpaca": 4535, "evol-codealpaca-r0": 2017, "evol-codealpaca-r1": 1966,
    "evol-codealpaca-r2": 1953, "conala": 2378, "mbpp": 464,
}


def test_cli_ingest_shared_data_gives_the_exact_counts(shared_data, tmp_path):
    env = {"ALCHEMIST_SHARED_DATA": str(shared_data), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "alchemistcoder.cli", "ingest", str(REPO / "configs" / "shared.yaml"),
         "--out", str(tmp_path)], capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "ingest" / "manifest.json").read_text())
    assert {k: v["kept"] for k, v in manifest["counts"].items()} == SHARED_COUNTS
    assert manifest["counts"]["mbpp"]["reasons"] == {"mbpp_fewshot": 10, "mbpp_test_split": 500}
    assert manifest["balanced"] and manifest["totals"]["rejected"] == 0
    samples = list(read_samples(tmp_path / "ingest" / "samples.jsonl.gz"))
    assert len(samples) == sum(SHARED_COUNTS.values()) == 15330
    assert len({s.id for s in samples}) == len(samples)
    mbpp_ids = {s.meta["task_id"] for s in samples if s.source == "mbpp"}
    assert min(mbpp_ids) == 511 and max(mbpp_ids) == 974
    assert list(read_jsonl(tmp_path / "ingest" / "rejects.jsonl")) == []
    assert "(total)" in proc.stdout and "15330" in proc.stdout


def test_shared_config_resolves_relative_to_its_directory(shared_data, monkeypatch, tmp_path):
    if shared_data.resolve() != (REPO.parent / "shared" / "data").resolve():
        pytest.fail("this test checks the default ../../shared/data layout; unset ALCHEMIST_SHARED_DATA")
    monkeypatch.delenv("ALCHEMIST_SHARED_DATA", raising=False)
    monkeypatch.chdir(tmp_path)  # not the repo: paths must resolve against configs/
    cfg = load_config(REPO / "configs" / "shared.yaml", ["sources.6.limit=600"])
    _, _, counts = ingest_source(cfg.sources[6], cfg.ingest)
    assert counts.read == 600 and counts.kept == 90  # task ids 511..600


def test_cli_quarantine_writes_rejects_and_balances(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"instruction": "a", "output": "b"}\nnot json\n{"instruction": "c"}\n')
    cfg = tmp_path / "run.yaml"
    cfg.write_text("sources:\n  - {name: s, path: d.jsonl, format: evol}\n")
    out = tmp_path / "run"
    fail = subprocess.run([sys.executable, "-m", "alchemistcoder.cli", "ingest", str(cfg), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert fail.returncode == 1 and f"{data}:2: record 1: malformed JSON" in fail.stderr
    ok = subprocess.run([sys.executable, "-m", "alchemistcoder.cli", "ingest", str(cfg), "--out", str(out),
                         "--set", "ingest.on_error=quarantine", "--set", "ingest.output=parquet"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    rejects = list(read_jsonl(out / "ingest" / "rejects.jsonl"))
    assert [(r["line"], r["reason"]) for r in rejects] == [(2, "malformed_json"), (3, "missing_field")]
    assert rejects[0]["raw"] == "not json"
    assert len(list(read_samples(out / "ingest" / "samples.parquet"))) == 1
    manifest = json.loads((out / "ingest" / "manifest.json").read_text())
    assert manifest["totals"] | {"reasons": None} == {"read": 3, "kept": 1, "rejected": 2, "excluded": 0, "reasons": None}
    assert manifest["balanced"]


def test_cli_config_error_exit_code(tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("sources:\n  - {name: s, path: d.jsonl, format: evol, colour: red}\n")
    proc = subprocess.run([sys.executable, "-m", "alchemistcoder.cli", "ingest", str(cfg)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "run.yaml:2: sources.0.colour: unknown key 'colour'" in proc.stderr


def test_demo_yaml_and_demo_sources_agree():
    from alchemistcoder.demo import demo_sources

    from_yaml = [s.model_dump() for s in load_config(REPO / "configs" / "demo.yaml").sources]
    assert from_yaml == [s.model_dump() for s in demo_sources()]


def test_planted_defect_labels_change_no_demo_sample(tmp_path):
    """The demo records carry their planted defect under ``planted``, which no adapter reads: ingesting the files
    without the labels gives the same Samples (ids, messages, meta, trace), so the labels change no decision."""
    from alchemistcoder.demo import demo_defects, demo_sources
    from alchemistcoder.ingest.paths import resolve_source_path

    unlabelled = []
    for source in demo_sources():
        packaged = resolve_source_path(source.path).local
        assert packaged is not None
        copy = tmp_path / packaged.name
        if packaged.name.endswith(".jsonl"):  # one record per line, so the line numbers in provenance agree
            _jsonl(copy, [{k: v for k, v in orjson.loads(line).items() if k != "planted"}
                          for line in packaged.read_bytes().splitlines()])
        else:
            records = orjson.loads(packaged.read_bytes())
            copy.write_bytes(orjson.dumps([{k: v for k, v in r.items() if k != "planted"} for r in records]))
        unlabelled.append(source.model_copy(update={"path": str(copy)}))

    def samples(sources: list[SourceConfig]) -> list[dict]:
        rows = [s.to_dict() for s in ingest_sources(sources).samples]
        for row in rows:
            del row["meta"]["origin"]["file"]  # the package's file and the copy's
        return rows

    labelled = samples(demo_sources())
    assert len(demo_defects()) == 15 and len(labelled) == 157
    assert samples(unlabelled) == labelled
    assert not any("planted" in row["meta"] for row in labelled)
