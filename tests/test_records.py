"""The Sample record: stable ids, trace, serialization."""

from __future__ import annotations

from alchemistcoder.records import Sample, TraceEvent, content_id, make_messages


def test_content_id_is_stable_and_depends_on_source_content_and_salt():
    msgs = make_messages("Reverse a string.", "s[::-1]")
    first = content_id("alpaca", msgs)
    assert first == content_id("alpaca", [dict(m) for m in msgs])  # same content, new objects
    assert len(first) == 16 and int(first, 16) >= 0
    assert content_id("evol", msgs) != first
    assert content_id("alpaca", make_messages("Reverse a string.", "s[::-2]")) != first
    assert content_id("alpaca", msgs, salt="1") != first
    assert content_id("alpaca", msgs, salt="1") != content_id("alpaca", msgs, salt="2")


def test_content_id_values_are_pinned():
    """Ids must never change between versions: re-ingesting old data must give the same ids."""
    assert content_id("alpaca", make_messages("Reverse a string.", "s[::-1]", system="sé")) == "e47f085bcc2014ab"
    assert content_id("alpaca", make_messages("Reverse a string.", "s[::-1]"), salt="2") == "70068d7d5be7b06c"


def test_content_id_separates_roles_and_turn_boundaries():
    a = [{"role": "user", "content": "ab"}, {"role": "assistant", "content": "c"}]
    b = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "bc"}]
    c = [{"role": "assistant", "content": "ab"}, {"role": "user", "content": "c"}]
    assert len({content_id("s", a), content_id("s", b), content_id("s", c)}) == 3


def test_views_reject_and_round_trip():
    s = Sample(id="x", source="src", messages=make_messages("do it", "done", system="be brief"))
    assert s.messages[0] == {"role": "system", "content": "be brief"}
    assert (s.instruction, s.response) == ("do it", "done")
    assert not s.rejected
    s.record("lang", params={"language": "python"})
    s.reject("short_response", "too_short", params={"min_chars": 10}, stage="curate")
    assert s.rejected and s.rejection.reason == "too_short"
    back = Sample.from_dict(s.to_dict())
    assert back == s
    assert back.trace[1] == TraceEvent("short_response", "reject", "too_short", {"min_chars": 10}, stage="curate")


def test_copy_is_deep():
    s = Sample(id="x", source="src", messages=make_messages("q", "a"), meta={"tests": ["assert f()"]})
    c = s.copy()
    c.messages[0]["content"] = "changed"
    c.meta["tests"].append("assert g()")
    assert s.instruction == "q" and s.meta["tests"] == ["assert f()"]


def test_instruction_and_response_of_empty_chat():
    s = Sample(id="x", source="src", messages=[])
    assert s.instruction == "" and s.response == ""
