"""The model writer: facts first, the model phrases. Grounding has computed what the instruction leaves unsaid;
the Alchemist model gets those missing facts as a short checklist (and the answer's language), and writes one
or two sentences that state them, as structured output through the LLM layer.

The meta-prompt is our own (the paper's is not public), with two worked examples (the first is the paper's
published one). The model sees neither the task nor the response: it needs to phrase, not to analyse, and it
can neither restate nor leak what it has not seen (measured with Qwen2.5-Coder-1.5B: shown the task, it
restated it in most first answers; see docs/alchemy.md). A prompt that fails validation is asked again with
the rejected answers and their reasons, at a higher temperature, a bounded number of times.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from alchemistcoder.harmonize.grounding import LANGUAGE_NAMES, Grounding, checklist, describe_missing
from alchemistcoder.llm.types import ChatRequest, Completion

WRITER_NAME = "model"


class AlchemistPromptOutput(BaseModel):
    # No docstring or field description on purpose: they go into the JSON schema shown to the model, and a
    # small model echoes them instead of answering.
    model_config = ConfigDict(title="Answer")

    prompt: str


SYSTEM_PROMPT = """\
You write a short prompt that is put BEFORE a programming task. The prompt tells the solver what the answer \
should be like: the facts in the checklist, and nothing else. You do not see the task and you never describe \
it: you call it "the following task".

Rules:
- One or two sentences, at most {max_words} words.
- State every fact of the checklist, in plain words.
- Name no programming language other than the one given.
- No code, no names.
- Answer with JSON only: {{"prompt": "..."}}"""

# Worked examples as previous turns: small models copy the shape of an earlier answer far more reliably than
# they follow a description of it. The first is the paper's published Bellman-Ford example. (language of the
# answer or None, checklist, answer)
_EXAMPLES = (
    ("Python", ["write the code in Python", "use the concept of Dynamic Programming"],
     "Please generate Python code for the following task and attempt to use the concept of Dynamic Programming."),
    ("JavaScript", ["use the concept of Hash Tables", "include test cases", "explain the code"],
     "Solve the following task in JavaScript with a hash table, include test cases, and explain the code."),
)

_REASON_HINTS = {
    "empty": "it was empty or too short",
    "too_long": "it was too long",
    "contains_code": "it contained code",
    "wrong_language": "it named another programming language",
    "restates_instruction": "it described the task",
    "describes_task": "it described a task",
    "leaks_solution": "it gave away part of the solution",
    "unsupported_concept": "it named a concept that is not in the checklist",
    "unsupported_fact": "it asked for something that is not in the checklist",
    "off_topic": "it did not state the checklist",
    "no_missing_fact": "it did not state the checklist",
    "invalid_output": "it was not JSON with a 'prompt' field",
}


def _request_text(language: str | None, facts: list[str], rejected: Sequence[tuple[str, str]] = (),
                  prose: bool = False) -> str:
    if prose:  # a prose answer: "in Java" is fine, "Java code" is not
        lines = [f"The answer is prose about {language}, without code." if language else "The answer is prose, without code."]
    else:
        lines = [f"Language of the answer: {language}"] if language else []
    lines += ["Checklist:", *(f"- {line}" for line in facts)]
    if rejected:
        lines += ["", "Rejected answers (write a different one):"]
        lines += [f'- "{prompt}" ({_REASON_HINTS.get(reason, reason.replace("_", " "))})' for prompt, reason in rejected]
    return "\n".join(lines) + "\n\nAnswer:"


def build_messages(
    grounding: Grounding, *, max_words: int, max_facts: int = 3, rejected: Sequence[tuple[str, str]] = ()
) -> list[dict[str, str]]:
    """The chat that asks the Alchemist model for one prompt: the answer's language and the checklist of missing
    facts (:func:`~alchemistcoder.harmonize.grounding.checklist`) that the prompt must state, after the worked
    examples. Neither the task nor the response is shown: the facts are computed from them already, the model
    only phrases them, and what it does not see it can neither restate nor leak. A re-ask is the same chat with
    the ``rejected`` (prompt, reason) pairs listed, one turn rather than a growing conversation, which a small
    model would lose its way in."""
    facts = describe_missing(grounding, checklist(grounding, max_facts))
    f = grounding.facts
    language = f.language_name or next((LANGUAGE_NAMES[x] for x in f.prose_languages if x in LANGUAGE_NAMES), None)
    messages = [{"role": "system", "content": SYSTEM_PROMPT.format(max_words=max_words)}]
    for example_language, example_facts, answer in _EXAMPLES:
        messages.append({"role": "user", "content": _request_text(example_language, example_facts)})
        messages.append({"role": "assistant", "content": json.dumps({"prompt": answer})})
    messages.append({"role": "user", "content": _request_text(language, facts, rejected, prose=f.language is None)})
    return messages


def make_request(
    messages: list[dict[str, str]], *, max_tokens: int, temperature: float, seed: int, attempt: int
) -> ChatRequest:
    """One generation request of the writer (attempt numbers keep re-asks out of each other's cache entries)."""
    return ChatRequest(
        messages=messages,
        max_tokens=max_tokens,
        temperature=temperature,
        seed=seed + attempt,
        nonce=f"alchemist-attempt-{attempt}" if attempt else None,
        tag="harmonize",
    )


def completion_prompt(completion: Completion) -> tuple[str | None, str | None]:
    """The prompt text of a completion, or (None, reason) when the model gave no usable structured answer."""
    if completion.error is not None or completion.parsed is None:
        return None, "invalid_output"
    parsed: Any = completion.parsed
    text = parsed.prompt if isinstance(parsed, AlchemistPromptOutput) else getattr(parsed, "prompt", None)
    if not isinstance(text, str):
        return None, "invalid_output"
    return text, None


def structured_mode(mode: str, client: Any) -> str:
    """How the writer asks ``client`` for its JSON answer: ``schema``, ``json_object`` or ``example``.

    ``auto`` asks the LLM layer what the endpoint supports (negotiated once per run): ``json_schema`` gives
    ``schema``; ``json_object`` gives the worked-example chat with decoding constrained to JSON; anything else
    (in-process models, endpoints without constrained decoding) the worked-example chat alone.
    """
    if mode != "auto":
        return mode
    if getattr(getattr(client, "config", None), "backend", None) in ("embedded", "transformers", "vllm"):
        return "example"  # in-process: nothing to negotiate, and the tiny default model echoes a shown schema
    negotiated = client.structured_mode()
    return {"json_schema": "schema", "json_object": "json_object"}.get(negotiated, "example")


def generate_prompts(client: Any, requests: Sequence[ChatRequest], mode: str = "schema") -> list[Completion]:
    """One structured completion per request (errors come back on the Completion, not as exceptions).

    ``schema``: the LLM layer's ``generate_structured`` (the JSON schema goes into the prompt and into
    constrained decoding). ``json_object``: the chat's worked examples show the form; the endpoint constrains
    decoding to JSON. ``example``: plain generation that follows the worked examples, parsed and validated
    against the same schema by the LLM layer's parser. Our own re-asks (with the validation reason) replace
    the layer's re-ask, so ``max_reasks`` is 0.
    """
    if mode in ("schema", "json_object"):
        return client.generate_structured(list(requests), AlchemistPromptOutput, max_reasks=0, show_schema=mode == "schema")
    from alchemistcoder.llm.structured import parse_structured

    completions = client.generate(list(requests))
    for c in completions:
        if c.error is None:
            try:
                c.parsed = parse_structured(c.text, AlchemistPromptOutput)
            except ValueError as exc:
                c.extra["structured_error"] = str(exc)
    return completions
