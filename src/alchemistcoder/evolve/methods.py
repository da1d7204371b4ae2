"""The Evol-Instruct methods and the prompt that asks a model to apply one.

WizardCoder evolves a coding instruction by asking a model to make it "a bit harder" through one of a few
methods. The method list follows that recipe; the wording of the methods and of the prompt is our own. Each
method also carries a one-line ``rationale`` (why the rewritten task is harder), which the
instruction-evolution comprehension task reuses so that its answers are grounded in the method recorded in
the trace rather than made up afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class EvolMethod:
    """One way of making a programming task harder."""

    name: str
    # What the evolving model is told to do.
    directive: str
    # Why a task rewritten this way is harder (used in comprehension answers).
    rationale: str


METHODS: dict[str, EvolMethod] = {
    m.name: m
    for m in (
        EvolMethod(
            "add_constraints",
            "Add one or two new constraints or requirements to the task, about ten to twenty extra words in all.",
            "the solution must now satisfy extra requirements that the original task did not ask for",
        ),
        EvolMethod(
            "rarer_requirement",
            "Swap a common, well-known requirement of the task for a less common and more specific one.",
            "a familiar requirement is replaced by an unusual one, so a memorized standard solution no longer fits",
        ),
        EvolMethod(
            "more_reasoning",
            "If the task can be solved in a few obvious steps, rewrite it so that it needs several more steps of reasoning.",
            "the task now needs more intermediate steps of reasoning before the code can be written",
        ),
        EvolMethod(
            "erroneous_code",
            "Include a short piece of plausible but wrong code as a reference, to mislead; the task must still ask for a correct solution.",
            "the task shows misleading, buggy code that the solver has to recognize as wrong and must not copy",
        ),
        EvolMethod(
            "higher_complexity",
            "Require a stricter time or space complexity bound for the solution (do not make it unreasonable).",
            "a naive solution is no longer enough: the code has to meet a tighter time or space bound",
        ),
    )
}

DEFAULT_METHODS: tuple[str, ...] = tuple(METHODS)

# Our evolving prompt. A weak model follows examples far better than instructions: the chat shows two
# finished evolutions (a user turn with the method and the task, an assistant turn with the harder task only)
# before the real request, so a 135M model answers with a rewritten task instead of solving it (measured in
# bench/comprehend.py; see docs/comprehend.md). The markers stay recognized: a model that still echoes them,
# or labels its answer, is cut by extract_evolved.
TASK_MARKER = "[Original task]"
REWRITE_MARKER = "[Harder task]"

EVOLVE_SYSTEM = (
    "You rewrite programming tasks to make them harder. You answer with the rewritten task only: "
    "you never solve the task and never write its solution."
)

EVOLVE_REQUEST = "Make this programming task harder. Do not solve it.\nMethod: {directive}\nTask: {instruction}"


@dataclass(frozen=True)
class EvolExample:
    """A finished evolution shown to the model before the real request."""

    method: str
    original: str
    evolved: str


EVOLVE_EXAMPLES: tuple[EvolExample, ...] = (
    EvolExample(
        "add_constraints",
        "Write a function that adds two numbers.",
        "Write a function that adds two non-negative integers given as strings of decimal digits, without "
        "converting them to int, and returns the sum as a string.",
    ),
    EvolExample(
        "higher_complexity",
        "Write a Python program that finds duplicate values in a list.",
        "Write a Python program that finds every value occurring more than once in a list of n integers in "
        "O(n) time, and returns them in the order of their first appearance.",
    ),
)

# Fragments of the evolving prompt; an output that contains any of them copied the prompt instead of
# rewriting the task (WizardLM's elimination rule 4, in our wording): markers and labels, the request's
# wording, the start of every directive, and the distinctive parts of the example evolutions. (The older
# prompt's phrases stay: an answer cached or produced with it is judged the same way.)
PROMPT_FRAGMENTS: tuple[str, ...] = (
    TASK_MARKER.lower(),
    REWRITE_MARKER.lower(),
    "rewrite the programming task below",
    "make this programming task harder",
    "do not solve it",
    "method to use:",
    "keep the task self-contained",
    "original task",
    "rewritten task",
    "harder task",
    "example of the answer format",
    "given as strings of decimal digits",
    "in the order of their first appearance",
    *(" ".join(m.directive.lower().split()[:8]) for m in METHODS.values()),
)


def evolve_messages(instruction: str, method: str) -> list[dict[str, str]]:
    """The chat that asks a model to evolve ``instruction`` with the named method (few-shot: the example
    evolutions as earlier turns, then the request)."""
    if method not in METHODS:
        raise ValueError(f"unknown evolution method {method!r} (known: {', '.join(METHODS)})")
    messages = [{"role": "system", "content": EVOLVE_SYSTEM}]
    for ex in EVOLVE_EXAMPLES:
        messages.append({"role": "user", "content": EVOLVE_REQUEST.format(directive=METHODS[ex.method].directive,
                                                                          instruction=ex.original)})
        messages.append({"role": "assistant", "content": ex.evolved})
    messages.append({"role": "user", "content": EVOLVE_REQUEST.format(directive=METHODS[method].directive,
                                                                      instruction=instruction.strip())})
    return messages


RESPONSE_SYSTEM = "You are a careful programmer. Answer the task with correct, well-explained code."


def response_messages(instruction: str) -> list[dict[str, str]]:
    """The chat that asks a model to answer an evolved instruction."""
    return [{"role": "system", "content": RESPONSE_SYSTEM}, {"role": "user", "content": instruction.strip()}]


# Labels models like to put before their answer ("Rewritten task:", "**Harder Task**", "#Rewritten Test#").
_LEADING_LABEL = re.compile(
    r"^\s*(?:[#*\[]+\s*)?(?:the\s+)?(?:rewritten|harder|new|evolved|updated|modified)\s+"
    r"(?:programming\s+)?(?:task|question|test|prompt|instruction|problem)\s*(?:[#*\]]+)?\s*:?\s*(?:[#*\]]+)?\s*\n?",
    re.IGNORECASE,
)
# The request's own label ("Task: ..."), which a model may repeat before its answer.
_TASK_LABEL = re.compile(r"^\s*(?:[#*]+\s*)?task\s*(?:[#*]+\s*)?:\s*(?:[#*]+)?\s*", re.IGNORECASE)


def extract_evolved(text: str) -> str:
    """Cut the rewritten task out of a model's answer.

    Takes what follows the last ``[Harder task]`` marker when the model echoed it, then strips a leading label
    such as "Rewritten task:" and surrounding whitespace. Whatever remains is judged by the elimination rules.
    """
    out = text or ""
    idx = out.lower().rfind(REWRITE_MARKER.lower())
    if idx >= 0:
        out = out[idx + len(REWRITE_MARKER) :]
    out = out.strip()
    for _ in range(2):  # "**Rewritten task:**\n#Harder task#" — at most two stacked labels
        stripped = _TASK_LABEL.sub("", _LEADING_LABEL.sub("", out, count=1), count=1).strip()
        if stripped == out:
            break
        out = stripped
    return out
