"""Structured outputs: ask for JSON matching a pydantic schema, validate, and re-ask with the error.

How a request asks for JSON depends on the *structured mode* (``LLMConfig.response_format``, negotiated by
the client when ``auto``; see ``llm.negotiate``):

- ``json_schema`` / ``json_object``: the endpoint constrains decoding (``ChatRequest.response_format``) and
  the schema is also described in the prompt;
- ``none``: the JSON schema in the prompt only (in-process models);
- ``example``: an example JSON object built from the schema in the prompt, never the raw schema. Small
  models asked with a raw schema often echo it back instead of answering; a model that did so is re-asked
  in this mode, so it never sees the raw schema again.

``ChatRequest.json_schema`` holds the schema either way (part of the cache key). Parsing is lenient about
wrapping — a fenced ```json block or prose around one JSON object, raw newlines inside strings — and strict
about content: the object must validate against the schema.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from alchemistcoder.llm.types import ChatRequest

MODES = ("json_schema", "json_object", "none", "example")
# Modes in which the endpoint is asked to constrain decoding (the value goes into ChatRequest.response_format).
CONSTRAINED = ("json_schema", "json_object")

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.DOTALL)


def example_value(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A placeholder instance of ``schema`` (``"..."`` for strings, 0 for numbers, one element per list)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_value(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example_value(options[0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: example_value(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_value(schema.get("items", {}), defs)]
    if kind in ("integer", "number"):
        return int(schema.get("minimum", 0))
    if kind == "boolean":
        return True
    return "..."


def schema_instruction(schema_json: dict[str, Any], mode: str = "none") -> str:
    """The text appended to a request so the model answers in JSON (an example object in ``example`` mode)."""
    if mode == "example":
        shape = json.dumps(example_value(schema_json), ensure_ascii=False)
        return f"\n\nAnswer with one JSON object only, no other text, in this form (fill in the values):\n{shape}"
    return (
        "\n\nAnswer with one JSON object only, no other text, that matches this JSON schema:\n"
        + json.dumps(schema_json, separators=(",", ":"))
    )


def with_schema(request: ChatRequest, schema_json: dict[str, Any], mode: str = "none", *, show: bool = True) -> ChatRequest:
    """A copy of ``request`` that asks for JSON matching ``schema_json`` in structured ``mode``.

    ``show=False`` leaves the text alone (the caller's chat already shows the answer's form, e.g. with a worked
    example); the schema still travels in ``json_schema`` and, in a constrained mode, constrains decoding.
    """
    fields: dict[str, Any] = {"json_schema": schema_json, "response_format": mode if mode in CONSTRAINED else None}
    if not show:
        return dataclasses.replace(request, **fields)
    note = schema_instruction(schema_json, mode)
    if request.prompt is not None:
        return dataclasses.replace(request, prompt=request.prompt + note, **fields)
    messages = [dict(m) for m in request.messages or []]
    for m in reversed(messages):
        if m.get("role") == "user":
            m["content"] = (m.get("content") or "") + note
            break
    else:
        messages.append({"role": "user", "content": note.strip()})
    return dataclasses.replace(request, messages=messages, **fields)


def reask_request(request: ChatRequest, answer: str, problem: str) -> ChatRequest:
    """``request`` continued with the invalid ``answer`` and a request to fix ``problem``."""
    fix = f"That answer is not valid: {problem}\nReply again with only the corrected JSON object."
    if request.prompt is not None:
        return dataclasses.replace(request, prompt=f"{request.prompt}\n{answer}\n\n{fix}\n")
    messages = [
        *(request.messages or []),
        {"role": "assistant", "content": answer},
        {"role": "user", "content": fix},
    ]
    return dataclasses.replace(request, messages=messages)


def echoes_schema(text: str) -> bool:
    """Whether an answer is (a copy of) a JSON schema rather than an instance of one."""
    try:
        data = _first_object(text)
    except ValueError:
        return '"properties"' in text and '"type"' in text
    return isinstance(data, dict) and isinstance(data.get("properties"), dict) and ("type" in data or "title" in data)


def _candidates(text: str) -> list[str]:
    out = [m.group(1) for m in _FENCE.finditer(text)]
    stripped = text.strip()
    out.append(stripped)
    start, end = stripped.find("{"), stripped.rfind("}")
    if 0 <= start < end:
        out.append(stripped[start : end + 1])
    return out


def _loads(candidate: str) -> Any:
    try:
        return json.loads(candidate)
    except json.JSONDecodeError as exc:
        if "control character" not in exc.msg:
            raise
    # a raw newline or tab inside a string (models writing code into a JSON field do this): JSON forbids it,
    # but the meaning is plain, so accept it
    return json.loads(candidate, strict=False)


def _first_object(text: str) -> Any:
    for candidate in _candidates(text):
        try:
            return _loads(candidate)
        except json.JSONDecodeError:
            continue
    raise ValueError("no JSON object found")


def parse_structured(text: str, schema: type[BaseModel]) -> BaseModel:
    """The object in ``text`` validated against ``schema``; ValueError with a short reason otherwise."""
    problem = "no JSON object found"
    for candidate in _candidates(text):
        try:
            data = _loads(candidate)
        except json.JSONDecodeError as exc:
            problem = f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            continue
        try:
            return schema.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors()
            shown = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in errors[:3]
            )
            problem = f"does not match the schema: {shown}"
    raise ValueError(problem)
