"""Reading and writing Samples: JSONL / JSONL.gz / Parquet round trips, atomic writes, HF datasets."""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap

import pytest

from alchemistcoder.io import (
    DataError,
    atomic_open,
    from_hf_dataset,
    read_jsonl,
    read_samples,
    to_hf_dataset,
    write_jsonl,
    write_samples,
)
from alchemistcoder.records import Sample, make_messages


def _samples() -> list[Sample]:
    out = []
    for i in range(5):
        s = Sample(id=f"id{i}", source="demo", messages=make_messages(f"task {i} ü", f"print({i})"),
                   meta={"origin": {"index": i}, "tests": [f"assert {i} == {i}"], "score": i / 2})
        s.record("ingest", params={"format": "alpaca"}, stage="ingest")
        if i % 2:
            s.reject("filter", "no_code", before="a", after=None)
        out.append(s)
    # a multi-turn chat with a system message, no meta and no trace
    chat = [{"role": "system", "content": "terse"}, {"role": "user", "content": "q"},
            {"role": "assistant", "content": "a"}, {"role": "user", "content": "more"},
            {"role": "assistant", "content": ""}]
    out.append(Sample(id="chat", source="other", messages=chat, task="review"))
    return out


@pytest.mark.parametrize("name", ["s.jsonl", "s.jsonl.gz", "s.parquet"])
def test_round_trip(tmp_path, name):
    samples = _samples()
    assert write_samples(tmp_path / name, samples) == 6
    assert list(read_samples(tmp_path / name)) == samples


def test_gz_is_really_gzip(tmp_path):
    write_samples(tmp_path / "s.jsonl.gz", _samples())
    with gzip.open(tmp_path / "s.jsonl.gz", "rt", encoding="utf-8") as fh:
        assert len(fh.readlines()) == 6


def test_unknown_output_format(tmp_path):
    with pytest.raises(DataError, match="unknown output format"):
        write_samples(tmp_path / "s.csv", _samples())


def test_hf_datasets_round_trip(tmp_path):
    samples = _samples()
    ds = to_hf_dataset(samples)
    assert len(ds) == 6 and ds[0]["messages"][0]["role"] == "user"
    assert from_hf_dataset(ds) == samples
    ds.save_to_disk(str(tmp_path / "ds"))
    import datasets

    assert from_hf_dataset(datasets.load_from_disk(str(tmp_path / "ds"))) == samples


def test_failed_write_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "rows.jsonl"
    write_jsonl(target, [{"a": 1}])

    def rows():
        yield {"a": 2}
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_jsonl(target, rows())
    assert list(read_jsonl(target)) == [{"a": 1}]
    assert [p.name for p in tmp_path.iterdir()] == ["rows.jsonl"]


def test_killed_writer_never_leaves_a_half_file(tmp_path):
    """A writer killed with SIGKILL mid-write: the target is absent or complete, never half written."""
    target = tmp_path / "big.jsonl.gz"
    child = textwrap.dedent(f"""
        import sys, time
        from alchemistcoder.io import write_jsonl
        def rows():
            for i in range(10_000):
                if i == 100:
                    print("writing", flush=True)
                    time.sleep(60)
                yield {{"i": i, "pad": "x" * 100}}
        write_jsonl({str(target)!r}, rows())
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        proc.kill()
    finally:
        proc.wait(timeout=30)
    assert not target.exists()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert all(name.startswith(".big.jsonl.gz.") and name.endswith(".tmp") for name in leftovers)


def test_written_files_have_normal_permissions(tmp_path):
    with atomic_open(tmp_path / "f.txt") as fh:
        fh.write(b"x")
    assert (tmp_path / "f.txt").stat().st_mode & 0o044 == 0o044  # group/other readable (umask 022)


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2\n', encoding="utf-8")
    with pytest.raises(DataError) as info:
        list(read_jsonl(path))
    assert info.value.line == 3 and str(path) in str(info.value) and "malformed JSON" in str(info.value)


def test_read_samples_rejects_rows_that_are_not_samples(tmp_path):
    path = tmp_path / "x.jsonl"
    write_jsonl(path, [{"id": "a", "source": "s", "messages": []}, {"instruction": "no id"}])
    with pytest.raises(DataError, match=r"x\.jsonl:2: not a Sample record"):
        list(read_samples(path))
