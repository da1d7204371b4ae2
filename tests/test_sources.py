"""Source adapters (one per format) and source path resolution."""

from __future__ import annotations

import pytest

from alchemistcoder.ingest import adapters
from alchemistcoder.ingest.adapters import BadRecord, field_names
from alchemistcoder.ingest.paths import expand_vars, resolve_source_path
from alchemistcoder.io import DataError


def _adapt(fmt: str, rec, **rename):
    return adapters.ADAPTERS[fmt](rec, field_names(fmt, rename))


def test_alpaca_joins_input_with_a_newline():
    msgs, meta = _adapt("alpaca", {"instruction": "Sum the list.", "input": "[1, 2]", "output": "sum(xs)"})
    assert msgs == [{"role": "user", "content": "Sum the list.\n[1, 2]"}, {"role": "assistant", "content": "sum(xs)"}]
    assert meta == {}
    msgs, _ = _adapt("alpaca", {"instruction": "Say hi.", "output": "print('hi')"})  # input is optional
    assert msgs[0]["content"] == "Say hi."


def test_alpaca_field_rename():
    msgs, _ = _adapt("alpaca", {"instruction": "q", "input": "", "response": "a"}, output="response")
    assert msgs[1]["content"] == "a"
    with pytest.raises(ValueError, match="has no field"):
        field_names("alpaca", {"answer": "x"})


def test_evol():
    msgs, _ = _adapt("evol", {"instruction": "q", "output": "a"})
    assert [m["role"] for m in msgs] == ["user", "assistant"]


def test_conala_prefers_rewritten_intent_and_keeps_the_raw_one():
    rec = {"intent": "raw?", "rewritten_intent": "clean", "snippet": "x[::-1]", "question_id": 7}
    msgs, meta = _adapt("conala", rec)
    assert msgs[0]["content"] == "clean" and meta == {"intent": "raw?", "question_id": 7}
    msgs, _ = _adapt("conala", {**rec, "rewritten_intent": None})
    assert msgs[0]["content"] == "raw?"


def test_mbpp_keeps_tests_and_normalizes_newlines():
    rec = {"text": "Add.", "code": "def add(a, b):\r\n\treturn a + b", "task_id": 600,
           "test_list": ["assert add(1, 2) == 3"], "test_setup_code": "", "challenge_test_list": []}
    msgs, meta = _adapt("mbpp", rec)
    assert msgs[1]["content"] == "def add(a, b):\n\treturn a + b"
    assert meta == {"task_id": 600, "tests": ["assert add(1, 2) == 3"]}
    with pytest.raises(BadRecord) as info:
        _adapt("mbpp", {**rec, "test_list": "assert x"})
    assert info.value.reason == "wrong_type"


def test_sharegpt_maps_roles_and_keeps_turns():
    rec = {"conversations": [{"from": "system", "value": "s"}, {"from": "human", "value": "q1"},
                             {"from": "gpt", "value": "a1"}, {"from": "human", "value": "q2"},
                             {"from": "gpt", "value": "a2"}]}
    msgs, _ = _adapt("sharegpt", rec)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant"]
    with pytest.raises(BadRecord, match="unknown role 'robot'") as info:
        _adapt("sharegpt", {"conversations": [{"from": "robot", "value": "x"}]})
    assert info.value.reason == "bad_value"
    with pytest.raises(BadRecord, match="at least one user and one assistant"):
        _adapt("sharegpt", {"conversations": [{"from": "human", "value": "q"}]})


def test_messages_format():
    rec = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    msgs, _ = _adapt("messages", rec)
    assert msgs == rec["messages"]
    with pytest.raises(BadRecord, match=r"messages\[1\] has no string 'content'"):
        _adapt("messages", {"messages": [{"role": "user", "content": "q"}, {"role": "assistant"}]})


def test_generic_fields_mapping():
    rec = {"question": "q", "answer": "a", "ctx": "extra", "persona": "be kind"}
    msgs, _ = _adapt("fields", rec, instruction="question", response="answer", input="ctx", system="persona")
    assert msgs == [{"role": "system", "content": "be kind"}, {"role": "user", "content": "q\nextra"},
                    {"role": "assistant", "content": "a"}]


@pytest.mark.parametrize(
    ("rec", "reason", "problem"),
    [
        ({"instruction": "q"}, "missing_field", "missing field 'output'"),
        ({"instruction": "q", "output": 3}, "wrong_type", "field 'output' is a int, expected a string"),
        ({"instruction": None, "output": "a"}, "wrong_type", "field 'instruction' is null"),
        (["q", "a"], "wrong_type", "record is a JSON list, expected an object"),
    ],
)
def test_bad_records_have_reason_codes(rec, reason, problem):
    with pytest.raises(BadRecord) as info:
        _adapt("evol", rec)
    assert info.value.reason == reason and problem in info.value.problem


def test_expand_vars(monkeypatch):
    monkeypatch.setenv("DATA_ROOT", "/data")
    monkeypatch.delenv("NOT_SET_HERE", raising=False)
    assert expand_vars("${DATA_ROOT}/x.json") == "/data/x.json"
    assert expand_vars("${NOT_SET_HERE:-../shared}/x.json") == "../shared/x.json"
    with pytest.raises(DataError, match="NOT_SET_HERE is not set"):
        expand_vars("${NOT_SET_HERE}/x.json")


def test_resolve_relative_to_config_dir_then_cwd(tmp_path, monkeypatch):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "a.jsonl").write_text("{}\n")
    (tmp_path / "b.jsonl").write_text("{}\n")
    monkeypatch.chdir(tmp_path)
    assert resolve_source_path("a.jsonl", tmp_path / "cfg").local == (tmp_path / "cfg" / "a.jsonl").resolve()
    assert resolve_source_path("b.jsonl", tmp_path / "cfg").local == (tmp_path / "b.jsonl").resolve()
    with pytest.raises(DataError, match="file not found"):
        resolve_source_path("c.jsonl", tmp_path / "cfg")


def test_resolve_package_file_and_hub_name():
    where = resolve_source_path("pkg://alchemistcoder/demo/terse.jsonl")
    assert where.local is not None and where.local.is_file()
    with pytest.raises(DataError, match=r"no file 'demo/missing\.jsonl' in package 'alchemistcoder'"):
        resolve_source_path("pkg://alchemistcoder/demo/missing.jsonl")
    where = resolve_source_path("someone/code-instructions")
    assert where.hub == "someone/code-instructions" and where.local is None
