"""Benchmark loading from the real files in ../shared/data."""

from __future__ import annotations

import gzip
import hashlib
import json
import re

import pytest

from alchemistcoder.benchmarks import (
    BENCHMARKS,
    BenchmarkNotFound,
    canonical_name,
    default_benchmark_path,
    load_benchmark,
)
from alchemistcoder.io import DataError

EXPECTED_COUNTS = {
    "humaneval": 164,
    "humaneval+": 164,
    "mbpp": 500,
    "mbpp-sanitized": 257,
    "mbpp+": 378,
    **{f"humaneval-x-{lang}": 164 for lang in ("cpp", "go", "java", "js", "python", "rust")},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_every_benchmark_loads_with_its_upstream_count(shared_data, name):
    tasks = load_benchmark(name)
    assert len(tasks) == EXPECTED_COUNTS[name]
    assert len({t.task_id for t in tasks}) == len(tasks)
    assert all(t.entry_point and t.prompt and t.canonical_solution for t in tasks)
    assert all(t.benchmark == name for t in tasks)


def test_mbpp_is_the_test_split_11_to_510(shared_data):
    ids = [int(t.task_id.split("/")[1]) for t in load_benchmark("mbpp")]
    assert ids == list(range(11, 511))


def test_plus_fields_are_kept_in_extra(shared_data):
    task = next(t for t in load_benchmark("mbpp+") if t.task_id == "Mbpp/2")
    assert task.entry_point == "similar_elements"
    assert task.extra["base_input"][0] == [[3, 4, 5, 6], [5, 7, 4, 10]]
    assert len(task.extra["plus_input"]) > 10
    assert "atol" in task.extra and "contract" in task.extra
    he = load_benchmark("humaneval+")[0]
    assert he.extra["atol"] == 0 and len(he.extra["plus_input"]) > 100


def test_humaneval_x_languages_and_fields(shared_data):
    js = load_benchmark("humaneval-x-javascript")
    assert js[0].language == "javascript" and js[0].entry_point == "hasCloseElements"
    go = load_benchmark("humaneval-x-go")[0]
    assert go.language == "go" and "test_setup" in go.extra and go.entry_point == "HasCloseElements"
    # every C++ task names a function, also CPP/38, whose declaration ends inside encode_cyclic's loop
    cpp = {t.task_id: t.entry_point for t in load_benchmark("humaneval-x-cpp")}
    assert cpp["CPP/38"] == "decode_cyclic" and cpp["CPP/0"] == "has_close_elements"
    assert not {"for", "if", "while", ""} & set(cpp.values())


def test_explicit_path_overrides_default(tmp_path, shared_data):
    with gzip.open(default_benchmark_path("humaneval"), "rt") as fh:
        rows = [json.loads(line) for line in fh][:3]
    p = tmp_path / "he3.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert [t.task_id for t in load_benchmark("humaneval", p)] == [
        "HumanEval/0",
        "HumanEval/1",
        "HumanEval/2",
    ]


def test_bad_record_names_file_and_record(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"task_id": "HumanEval/0", "prompt": "x"}\n')
    with pytest.raises(DataError, match=r"bad\.jsonl:1: record 1 is not a humaneval task"):
        load_benchmark("humaneval", p)
    p.write_text('{"task_id": \n')
    with pytest.raises(DataError, match=r"bad\.jsonl:1: malformed JSON"):
        load_benchmark("humaneval", p)


def test_missing_data_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ALCHEMIST_SHARED_DATA", str(tmp_path))
    with pytest.raises(BenchmarkNotFound, match="ALCHEMIST_SHARED_DATA"):
        default_benchmark_path("mbpp+")
    with pytest.raises(BenchmarkNotFound, match="no default file"):
        load_benchmark("ds1000")
    with pytest.raises(ValueError, match="unknown benchmark"):
        canonical_name("nope")
    assert canonical_name("HumanEvalPlus") == "humaneval+" and "ds1000" in BENCHMARKS


def test_ds1000_from_a_user_file(tmp_path):
    p = tmp_path / "ds1000.jsonl"
    row = {
        "prompt": "import numpy as np\na = np.arange(3)\nresult = ... # put solution in this variable\n",
        "reference_code": "result = a.sum()\n",
        "code_context": "def test_execution(solution):\n    pass\n",
        "metadata": {"problem_id": 7, "library": "Numpy"},
    }
    p.write_text(json.dumps(row) + "\n")
    [task] = load_benchmark("ds1000", p)
    assert task.task_id == "DS1000/7" and task.extra["library"] == "Numpy"


def _notice_hashes() -> dict[str, str]:
    from alchemistcoder.benchmarks import PACKAGED_DATA

    text = (PACKAGED_DATA / "NOTICE.md").read_text()
    return {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.MULTILINE)}


def test_packaged_benchmarks_match_their_notice_and_the_shared_files(shared_data):
    """Every shipped file is listed in the NOTICE with its sha256, and is the same file as in shared/data."""
    from alchemistcoder.benchmarks import _DEFAULT_FILES, PACKAGED_DATA

    hashes = _notice_hashes()
    assert set(hashes) == set(_DEFAULT_FILES.values())  # every default benchmark file ships, nothing else
    for name, digest in hashes.items():
        shipped = (PACKAGED_DATA / name).read_bytes()
        assert hashlib.sha256(shipped).hexdigest() == digest, name
        assert (shared_data / name).read_bytes() == shipped, name


def test_without_the_environment_variable_the_packaged_copy_is_used(monkeypatch):
    from alchemistcoder.benchmarks import PACKAGED_DATA

    monkeypatch.delenv("ALCHEMIST_SHARED_DATA", raising=False)
    assert default_benchmark_path("mbpp+").is_relative_to(PACKAGED_DATA)
    assert len(load_benchmark("humaneval+")) == 164 and len(load_benchmark("mbpp+")) == 378
