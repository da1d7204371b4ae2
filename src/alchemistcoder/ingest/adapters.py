"""Source adapters: one function per record format, turning a raw record into chat messages.

An adapter takes the record and the field names to read (the format's defaults, renamed by
``SourceConfig.fields``) and returns ``(messages, meta)``, or raises :class:`BadRecord` with a stable reason
code (``missing_field``, ``wrong_type``, ``bad_value``). Adapters do no cleaning: an empty response is kept
(curation decides what is too short); they only adapt the shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Messages = list[dict[str, str]]
Adapter = Callable[[Any, dict[str, str]], tuple[Messages, dict[str, Any]]]


class BadRecord(Exception):
    """A record that cannot become a Sample; ``reason`` is a stable snake_case code."""

    def __init__(self, reason: str, problem: str) -> None:
        super().__init__(problem)
        self.reason = reason
        self.problem = problem


DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "alpaca": {"instruction": "instruction", "input": "input", "output": "output"},
    "evol": {"instruction": "instruction", "output": "output"},
    "sharegpt": {"conversations": "conversations", "from": "from", "value": "value"},
    "messages": {"messages": "messages"},
    "conala": {"intent": "intent", "rewritten_intent": "rewritten_intent", "snippet": "snippet"},
    "mbpp": {"text": "text", "code": "code", "test_list": "test_list", "task_id": "task_id"},
    "fields": {"instruction": "instruction", "response": "response", "input": "input", "system": "system"},
}

SHAREGPT_ROLES = {
    "human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "chatgpt": "assistant",
    "bard": "assistant", "bing": "assistant", "model": "assistant", "bot": "assistant", "system": "system",
}
CHAT_ROLES = frozenset(("system", "user", "assistant"))


def _need_object(rec: Any) -> dict[str, Any]:
    if not isinstance(rec, dict):
        raise BadRecord("wrong_type", f"record is a JSON {type(rec).__name__}, expected an object")
    return rec


def _text(rec: dict[str, Any], key: str) -> str:
    """A required string field."""
    value = rec.get(key)
    if isinstance(value, str):
        return value
    if value is None:
        if key not in rec:
            raise BadRecord("missing_field", f"missing field {key!r}")
        raise BadRecord("wrong_type", f"field {key!r} is null, expected a string")
    raise BadRecord("wrong_type", f"field {key!r} is a {type(value).__name__}, expected a string")


def _optional_text(rec: dict[str, Any], key: str) -> str:
    value = rec.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRecord("wrong_type", f"field {key!r} is a {type(value).__name__}, expected a string")
    return value


def _pair(instruction: str, response: str) -> Messages:
    return [{"role": "user", "content": instruction}, {"role": "assistant", "content": response}]


def alpaca(rec: Any, f: dict[str, str]) -> tuple[Messages, dict[str, Any]]:
    """``instruction`` + optional ``input`` (joined by a newline, as evol-codealpaca's conversion does) → ``output``."""
    rec = _need_object(rec)
    instruction = _text(rec, f["instruction"])
    extra = _optional_text(rec, f["input"])
    if extra:
        instruction = f"{instruction}\n{extra}"
    return _pair(instruction, _text(rec, f["output"])), {}


def evol(rec: Any, f: dict[str, str]) -> tuple[Messages, dict[str, Any]]:
    """``instruction`` → ``output``."""
    rec = _need_object(rec)
    return _pair(_text(rec, f["instruction"]), _text(rec, f["output"])), {}


def conala(rec: Any, f: dict[str, str]) -> tuple[Messages, dict[str, Any]]:
    """The rewritten intent (or the raw intent when it is null) → the snippet; the raw intent stays in meta."""
    rec = _need_object(rec)
    intent = _text(rec, f["intent"])
    rewritten = _optional_text(rec, f["rewritten_intent"])
    meta: dict[str, Any] = {"intent": intent}
    if "question_id" in rec:
        meta["question_id"] = rec["question_id"]
    return _pair(rewritten or intent, _text(rec, f["snippet"])), meta


def mbpp(rec: Any, f: dict[str, str]) -> tuple[Messages, dict[str, Any]]:
    """``text`` → ``code`` (CRLF normalized to LF); the tests and task id go to meta."""
    rec = _need_object(rec)
    task_id = rec.get(f["task_id"])
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise BadRecord("missing_field" if task_id is None else "wrong_type", f"field {f['task_id']!r} must be an integer")
    tests = rec.get(f["test_list"])
    if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
        raise BadRecord("missing_field" if tests is None else "wrong_type",
                        f"field {f['test_list']!r} must be a list of strings")
    code = _text(rec, f["code"]).replace("\r\n", "\n")
    meta: dict[str, Any] = {"task_id": task_id, "tests": tests}
    setup = rec.get("test_setup_code")
    if setup:
        meta["test_setup_code"] = setup
    challenge = rec.get("challenge_test_list")
    if challenge:
        meta["challenge_tests"] = challenge
    return _pair(_text(rec, f["text"]), code), meta


def _chat(turns: Any, key: str, role_key: str, content_key: str, roles: dict[str, str] | None) -> Messages:
    if not isinstance(turns, list):
        raise BadRecord("missing_field" if turns is None else "wrong_type", f"field {key!r} must be a list of turns")
    messages: Messages = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict):
            raise BadRecord("wrong_type", f"{key}[{i}] is a {type(turn).__name__}, expected an object")
        role, content = turn.get(role_key), turn.get(content_key)
        if not isinstance(role, str):
            raise BadRecord("missing_field", f"{key}[{i}] has no string {role_key!r}")
        mapped = roles.get(role.lower()) if roles is not None else (role if role in CHAT_ROLES else None)
        if mapped is None:
            raise BadRecord("bad_value", f"{key}[{i}]: unknown role {role!r}")
        if not isinstance(content, str):
            raise BadRecord("missing_field" if content is None else "wrong_type",
                            f"{key}[{i}] has no string {content_key!r}")
        messages.append({"role": mapped, "content": content})
    roles_seen = {m["role"] for m in messages}
    if "user" not in roles_seen or "assistant" not in roles_seen:
        raise BadRecord("bad_value", f"{key} needs at least one user and one assistant turn")
    return messages


def sharegpt(rec: Any, f: dict[str, str]) -> tuple[Messages, dict[str, Any]]:
    """``conversations: [{from: human|gpt|system, value}]`` → messages (multi-turn kept)."""
    rec = _need_object(rec)
    key = f["conversations"]
    return _chat(rec.get(key), key, f["from"], f["value"], SHAREGPT_ROLES), {}


def messages(rec: Any, f: dict[str, str]) -> tuple[Messages, dict[str, Any]]:
    """OpenAI ``messages: [{role: system|user|assistant, content}]`` (multi-turn kept)."""
    rec = _need_object(rec)
    key = f["messages"]
    return _chat(rec.get(key), key, "role", "content", None), {}


def fields(rec: Any, f: dict[str, str]) -> tuple[Messages, dict[str, Any]]:
    """Generic mapping: ``instruction`` and ``response`` keys are required; ``input`` and ``system`` optional."""
    rec = _need_object(rec)
    instruction = _text(rec, f["instruction"])
    extra = _optional_text(rec, f["input"])
    if extra:
        instruction = f"{instruction}\n{extra}"
    msgs = _pair(instruction, _text(rec, f["response"]))
    system = _optional_text(rec, f["system"])
    if system:
        msgs.insert(0, {"role": "system", "content": system})
    return msgs, {}


ADAPTERS: dict[str, Adapter] = {
    "alpaca": alpaca, "evol": evol, "sharegpt": sharegpt, "messages": messages,
    "conala": conala, "mbpp": mbpp, "fields": fields,
}


def field_names(fmt: str, overrides: dict[str, str]) -> dict[str, str]:
    """The keys the adapter reads: the format's defaults renamed by ``overrides``; unknown names are errors."""
    defaults = DEFAULT_FIELDS[fmt]
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise ValueError(f"format {fmt!r} has no field(s) {unknown}; its fields are {sorted(defaults)}")
    return {**defaults, **overrides}
