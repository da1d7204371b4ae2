"""The model writer: the Alchemist model reads an instruction, its response and the grounded facts, and writes
an AlchemistPrompt as structured output through the LLM layer.

The meta-prompt is our own (the paper's is not public). It shows the model the facts it may state, so a
weak model needs to phrase, not to analyse, and one published example of the expected shape. A prompt that
fails validation is re-asked with the reason, at a higher temperature, a bounded number of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from alchemistcoder.alchemy.grounding import Grounding, describe_missing
from alchemistcoder.llm.types import ChatRequest, Completion

WRITER_NAME = "model"


class AlchemistPromptOutput(BaseModel):
    # No docstring or field description on purpose: they go into the JSON schema shown to the model, and a
    # small model echoes them instead of answering.
    model_config = ConfigDict(title="Answer")

    prompt: str


SYSTEM_PROMPT = """\
You improve programming instructions. You are given an instruction, the response that answers it, and facts \
that are true of the response but that the instruction does not say. Write a short prompt to put BEFORE the \
instruction so that the instruction asks for what the response actually delivers.

Rules:
- One or two sentences, at most {max_words} words.
- Only state the listed facts (language, concept, library, output format, tests, explanation).
- No code, no function or variable names, no part of the solution or its results.
- Do not repeat or rephrase the instruction.
- Answer with JSON only: {{"prompt": "..."}}"""

# One worked example as a previous turn: small models copy the shape of an earlier answer far more reliably
# than they follow a description of it. It is the paper's published Bellman-Ford example.
_EXAMPLE_USER = """\
Instruction:
Find the shortest distances from a source vertex to all other vertices in a weighted graph.

Response:
```python
def shortest(n, edges, src):
    dist = [float("inf")] * n
    dist[src] = 0
    for _ in range(n - 1):
        for u, v, w in edges:
            dist[v] = min(dist[v], dist[u] + w)
    return dist
```

Facts the instruction does not state:
- the code is written in Python
- the solution uses the concept of Dynamic Programming

Answer:"""
_EXAMPLE_ANSWER = (
    '{"prompt": "Please generate Python code for the following task and attempt to use the concept of Dynamic Programming."}'
)

_REASON_HINTS = {
    "empty": "it was empty or too short",
    "too_long": "it was too long; use one or two short sentences",
    "contains_code": "it contained code; use plain words only",
    "wrong_language": "it named the wrong programming language",
    "restates_instruction": "it repeated the instruction; add only the new facts",
    "leaks_solution": "it gave away part of the solution",
    "unsupported_concept": "it mentioned a concept that is not in the facts",
    "invalid_output": "it was not valid JSON with a 'prompt' field",
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "\n[...]"


def build_messages(
    instruction: str, response: str, grounding: Grounding, *, max_words: int, max_instruction_chars: int, max_response_chars: int
) -> list[dict[str, str]]:
    """The chat that asks the Alchemist model for one prompt."""
    facts = describe_missing(grounding) or ["(none beyond what the instruction says)"]
    user = (
        f"Instruction:\n{_cut(instruction, max_instruction_chars)}\n\n"
        f"Response:\n{_cut(response, max_response_chars)}\n\n"
        "Facts the instruction does not state:\n" + "\n".join(f"- {line}" for line in facts) + "\n\nAnswer:"
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(max_words=max_words)},
        {"role": "user", "content": _EXAMPLE_USER},
        {"role": "assistant", "content": _EXAMPLE_ANSWER},
        {"role": "user", "content": user},
    ]


def retry_messages(messages: list[dict[str, str]], previous: str, reason: str) -> list[dict[str, str]]:
    """The chat of a re-ask: the rejected answer and why it was rejected."""
    hint = _REASON_HINTS.get(reason, reason.replace("_", " "))
    return [
        *messages,
        {"role": "assistant", "content": previous or "{}"},
        {"role": "user", "content": f"That prompt was rejected because {hint}. Write a better one. Answer:"},
    ]


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


def structured_mode(mode: str, backend: str | None) -> str:
    """The structured-output mode to use: ``auto`` is ``example`` for the embedded tiny model, else ``schema``."""
    if mode != "auto":
        return mode
    return "example" if backend == "embedded" else "schema"


def generate_prompts(client: Any, requests: Sequence[ChatRequest], mode: str = "schema") -> list[Completion]:
    """One structured completion per request (errors come back on the Completion, not as exceptions).

    ``schema``: the LLM layer's ``generate_structured`` (the JSON schema goes into the prompt and, for
    endpoints that support it, into constrained decoding). ``example``: plain generation that follows the
    worked JSON example of the chat, parsed and validated against the same schema by the LLM layer's parser;
    the 135M embedded model echoes a schema shown to it but copies an example answer well. Our own re-asks
    (with the validation reason) replace the layer's re-ask, so ``max_reasks`` is 0.
    """
    if mode == "schema":
        return client.generate_structured(list(requests), AlchemistPromptOutput, max_reasks=0)
    from alchemistcoder.llm.structured import parse_structured

    completions = client.generate(list(requests))
    for c in completions:
        if c.error is None:
            try:
                c.parsed = parse_structured(c.text, AlchemistPromptOutput)
            except ValueError as exc:
                c.extra["structured_error"] = str(exc)
    return completions
