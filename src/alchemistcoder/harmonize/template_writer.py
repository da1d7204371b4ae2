"""The model-free writer: an AlchemistPrompt composed from the grounded facts with fixed templates.

It is the fallback when no model is configured or every model attempt failed validation, and the baseline
the bench compares the model writer against. It states only missing facts, so it never contradicts the
response, and it follows the published examples ("Please generate Python code for the following task and
attempt to use the concept of Dynamic Programming.").
"""

from __future__ import annotations

from alchemistcoder.code.concepts import CONCEPT_BY_KEY
from alchemistcoder.harmonize.grounding import Grounding

WRITER_NAME = "template"
# At most this many concepts/libraries are named: a prompt is a nudge, not a specification.
_MAX_CONCEPTS = 2
_MAX_LIBRARIES = 2


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def template_prompt(grounding: Grounding) -> str | None:
    """The templated AlchemistPrompt for ``grounding``, or None when there is nothing to add."""
    facts, missing = grounding.facts, set(grounding.missing)
    if not missing:
        return None
    lang = facts.language_name
    head = f"Please generate {lang} code for the following task" if lang else "Please solve the following task"
    clauses: list[str] = []
    concepts = [CONCEPT_BY_KEY[m.split(":", 1)[1]].name for m in grounding.missing if m.startswith("concept:")]
    if concepts:
        clauses.append(f"attempt to use the concept of {_join(concepts[:_MAX_CONCEPTS])}")
    libraries = [m.split(":", 1)[1] for m in grounding.missing if m.startswith("library:")]
    if libraries:
        noun = "library" if len(libraries[:_MAX_LIBRARIES]) == 1 else "libraries"
        clauses.append(f"use the {_join(libraries[:_MAX_LIBRARIES])} {noun}")
    extras: list[str] = []
    if "shows_output" in missing:
        extras.append("the expected output after the code execution")
    if "tests" in missing:
        extras.append("test cases")
    if "complexity" in missing:
        extras.append("an analysis of its time complexity")
    if "explanation" in missing:
        extras.append("a short explanation")
    sentence = head
    if clauses:
        sentence += " and " + " and ".join(clauses)
    if extras:
        sentence += ", including " + _join(extras)
    elif "prints_output" in missing:
        sentence += ", printing the result"
    return sentence + "."
