"""Validation of a written AlchemistPrompt against its instruction, its response and the grounded facts.

A prompt enters training data as part of the instruction, so a false or leaking one does harm: it is rejected
when it names a language the response is not written in, contains code, is too long, restates the
instruction, gives away the solution (identifiers or lines of the response's code) or asserts a concept the
response does not use. Each rejection has a stable reason code that goes into the trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from alchemistcoder.alchemy.grounding import Grounding, code_blocks, mentioned_languages
from alchemistcoder.code.concepts import defined_identifiers, mentioned_concepts

REASONS = (
    "empty",
    "too_long",
    "contains_code",
    "wrong_language",
    "restates_instruction",
    "leaks_solution",
    "unsupported_concept",
    "off_topic",
)

_CODE_CUES = re.compile(
    r"```|`[^`\n]+`"
    r"|\b(?:def|function|func|fn|class|public|private|static|void|return|import|#include|using namespace)\s+[\w<]+\s*[(:{<;]"
    r"|^\s*(?:import|from|#include|package|using)\s+[\w.<>\"]+\s*;?\s*$"
    r"|(?<!O)\b[A-Za-z_]\w*\([^()\n]*\)\s*[;:{]"
    r"|\b[A-Za-z_]\w*\.[A-Za-z_]\w*\([^()\n]*\)|\b[A-Za-z_]\w*\[[\w\s+*/-]+\]"
    r"|[;{}]\s*$|==|!=|<=|>=|=>|->|\+=|-=|::|&&|\|\|"
    r"|\bprint\(|\bconsole\.log|\bSystem\.out",
    re.M,
)
# e.g. and i.e. are not sentence ends (nor is a decimal point, which no space follows).
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)[.!?]+(?=\s|$)")
_FACT_WORDS = re.compile(r"\b(?:output|print|test|explain|explanation|complexity|comment|librar(?:y|ies)|module|package)", re.I)
# Talk about the writing task itself rather than about the programming task.
_META_TALK = re.compile(r"\bjson\b|\bschema\b|\balchemist\b|\bprompt\b|\binstruction\b", re.I)
_CAMEL_OR_SNAKE = re.compile(r"^(?=.*[a-z])(?:\w*_\w+|[a-z]+[A-Z]\w*|\w*\d\w*)$")


@dataclass
class Verdict:
    """The outcome of validating one prompt: ``ok``, or the reason code and a human detail."""

    ok: bool
    reason: str | None = None
    detail: str | None = None


def clean_prompt(text: str) -> str:
    """Normalize a written prompt: strip quotes, a leading label, and surrounding whitespace."""
    text = re.sub(r"^\s*(?:alchemist\s*prompt|prompt)\s*:\s*", "", text, flags=re.I)
    text = text.strip().strip("\"'“”").strip()
    return " ".join(text.split())


def count_sentences(text: str) -> int:
    """Sentences in ``text`` (a trailing fragment without punctuation counts as one)."""
    ends = _SENTENCE_END.findall(text)
    tail = _SENTENCE_END.split(text)[-1].strip() if text.strip() else ""
    return len(ends) + (1 if tail else 0)


def _leaked(prompt: str, instruction: str, response: str) -> str | None:
    """An identifier or line of the response's code that the prompt repeats and the instruction does not."""
    words = set(re.findall(r"[A-Za-z_]\w*", prompt))
    instruction_words = set(re.findall(r"[A-Za-z_]\w*", instruction))
    for block in code_blocks(response):
        for name in defined_identifiers(block.code, block.language):
            if len(name) >= 4 and _CAMEL_OR_SNAKE.match(name) and name in words and name not in instruction_words:
                return f"identifier {name!r}"
        for line in block.code.splitlines():
            line = line.strip()
            if len(line.replace(" ", "")) >= 15 and line in prompt and line not in instruction:
                return f"code line {line[:60]!r}"
    return None


def validate_prompt(
    prompt: str,
    instruction: str,
    response: str,
    grounding: Grounding,
    *,
    max_words: int = 45,
    max_sentences: int = 2,
    max_similarity: float = 80.0,
) -> Verdict:
    """Check a cleaned prompt; the first failing rule gives the reason."""
    if len(prompt.split()) < 3:
        return Verdict(False, "empty", f"{len(prompt.split())} words")
    m = _CODE_CUES.search(prompt)
    if m:
        return Verdict(False, "contains_code", repr(m.group(0)[:40]))
    n_words, n_sentences = len(prompt.split()), count_sentences(prompt)
    if n_words > max_words or n_sentences > max_sentences:
        return Verdict(False, "too_long", f"{n_words} words, {n_sentences} sentences")
    facts = grounding.facts
    wrong = [lang for lang in mentioned_languages(prompt) if not facts.allows_language(lang)]
    if wrong:
        return Verdict(False, "wrong_language", f"names {wrong[0]}, response is {facts.language or 'not code'}")
    similarity = max(
        fuzz.token_sort_ratio(prompt.lower(), instruction.lower()),
        # A prompt that is (almost) a piece of the instruction is a restatement too.
        fuzz.partial_ratio(prompt.lower(), instruction.lower()) if len(prompt) >= 40 and len(instruction) >= len(prompt) else 0,
    )
    if similarity >= max_similarity:
        return Verdict(False, "restates_instruction", f"similarity {similarity:.0f}")
    leak = _leaked(prompt, instruction, response)
    if leak:
        return Verdict(False, "leaks_solution", leak)
    meta = _META_TALK.search(prompt)
    if meta:
        return Verdict(False, "off_topic", f"talks about {meta.group(0)!r}")
    names_a_fact = (
        mentioned_languages(prompt)
        or mentioned_concepts(prompt)
        or _FACT_WORDS.search(prompt)
        or any(lib.split(".")[-1].split("::")[-1].lower() in prompt.lower() for lib in facts.libraries)
    )
    if not names_a_fact:
        return Verdict(False, "off_topic", "states none of the response's facts")
    allowed = set(facts.concepts) | set(mentioned_concepts(instruction))
    unsupported = [c for c in mentioned_concepts(prompt) if c not in allowed]
    if unsupported:
        return Verdict(False, "unsupported_concept", unsupported[0])
    return Verdict(True)
