"""Rules that eliminate failed evolutions, each with a stable reason code.

WizardLM drops an evolution when it adds nothing to the original, when the model refused or could not answer,
or when the output copies words of the evolving prompt. These are the same ideas as plain, deterministic
checks (no second model call), so an elimination can always be explained by the rule that fired.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from alchemistcoder.evolve.methods import PROMPT_FRAGMENTS

# Reason codes (stable: reports and the comprehension tasks read them).
LLM_ERROR = "evol_llm_error"  # the model call failed for good
EMPTY = "evol_empty"  # nothing left after cutting out the rewritten task
UNCHANGED = "evol_unchanged"  # (nearly) the same text as the original
TOO_SHORT = "evol_too_short"  # much shorter than the original or than a minimum
REFUSAL = "evol_refusal"  # "I'm sorry, I can't ..."
PROMPT_COPY = "evol_prompt_copy"  # copied words of the evolving prompt
ANSWERED = "evol_answered"  # the model solved the task (code, hardly any prose; or a rewrite plus a full solution)
NO_GAIN = "evol_no_gain"  # reworded, but adds (almost) no new words: nothing was made harder
RESPONSE_ERROR = "evol_response_error"  # the response call failed for good
RESPONSE_REFUSAL = "evol_response_refusal"  # the response refuses the evolved task
RESPONSE_TOO_SHORT = "evol_response_too_short"  # the response is (nearly) empty

INSTRUCTION_REASONS: frozenset[str] = frozenset(
    {LLM_ERROR, EMPTY, UNCHANGED, TOO_SHORT, REFUSAL, PROMPT_COPY, ANSWERED, NO_GAIN}
)
RESPONSE_REASONS: frozenset[str] = frozenset({RESPONSE_ERROR, RESPONSE_REFUSAL, RESPONSE_TOO_SHORT})

_REFUSAL = re.compile(
    r"\b(?:i\s*(?:'m|am)\s+(?:sorry|afraid|unable|not able)|sorry,|i\s+(?:cannot|can't|can not|won't)\s+"
    r"(?:help|assist|do|provide|complete|fulfil|fulfill|comply|rewrite|answer)|as an ai\b|as a language model)",
    re.IGNORECASE,
)


# Openers of an answer rather than of a task ("Here's a possible solution:", "Sure! ...", "To solve this ...").
_ANSWER_OPENER = re.compile(
    r"^\s*(?:here'?s\b|here is\b|sure\b|certainly\b|to solve\b|the solution\b|solution:|the answer\b|answer:)",
    re.IGNORECASE,
)


# Lines that introduce or follow a solution inside a rewrite ("Solution:", "Here's the code", "Example usage").
_SOLUTION_CUE = re.compile(
    r"^\s*(?:[#*>]+\s*)?(?:solution|answer|explanation|example usage|usage|output|sample output|here'?s\b|here is\b"
    r"|this (?:code|program|function|solution|implementation)\b|the (?:code|program|function) (?:above|below)\b)",
    re.IGNORECASE | re.MULTILINE,
)
# A definition at the start of a line: what makes a code block a program rather than a fragment.
# Prose that explains a program it shows ("This script reads ..."), not a requirement on one ("This program
# should ...").
_SCRIPT_TALK = re.compile(r"\bthis (?:script|program|code)\s+(?!should|must|needs?|has to|will need)\w+", re.IGNORECASE)

_DEFINES = re.compile(
    r"^\s*(?:async\s+)?(?:def|class|function|func|fn|public|private|static|void|int|#include|package|impl)\b"
    r"|^\s*const\s+\w+\s*=\s*\(",
    re.MULTILINE,
)


def includes_solution(original: str, evolved: str, method: str | None = None, min_lines: int = 8) -> bool:
    """Whether a rewritten task carries a full solution: a code block of at least ``min_lines`` lines that
    defines something or is a whole script (a shebang line, or prose that explains what "this script" does),
    is not (nearly) code the original already had, and — for the ``erroneous_code`` method, whose rewrite shows
    code on purpose — comes with a line that presents it as a solution."""
    from alchemistcoder.code import extract_code_blocks

    original_code = [" ".join(b.code.split()) for b in extract_code_blocks(original)]
    for block in extract_code_blocks(evolved):
        lines = [line for line in block.code.splitlines() if line.strip()]
        # Qwen2.5-Coder-0.5B answered a Bash task with a whole script that defines nothing ("This script reads a
        # number from the command line argument, ..."); input data or expected output has neither mark
        script = block.code.lstrip().startswith("#!") or _SCRIPT_TALK.search(evolved.replace(block.code, "\n"))
        if len(lines) < min_lines or not (_DEFINES.search(block.code) or script):
            continue
        flat = " ".join(block.code.split())
        if any(fuzz.ratio(flat, known) >= 80 for known in original_code):
            continue  # the original's own code, kept (or lightly edited) in the rewrite
        if method != "erroneous_code" or _SOLUTION_CUE.search(evolved.replace(block.code, "\n")):
            return True
    return False


def is_refusal(text: str, max_words: int = 80) -> bool:
    """A short answer that apologizes or declines (long answers that say "sorry" once are still answers)."""
    return bool(_REFUSAL.search(text)) and len(text.split()) <= max_words


def prose_words(text: str) -> int:
    """Words of ``text`` outside its code (fenced blocks and runs of code-looking lines)."""
    from alchemistcoder.code import extract_code_blocks

    rest = text
    for block in extract_code_blocks(text):
        rest = rest.replace(block.code, " ")
    return sum(1 for w in rest.split() if not w.startswith(("```", "~~~")))


# Words that add no requirement by themselves (an evolution that only adds these reworded the task).
_FILLER = frozenset({
    "a", "an", "and", "are", "as", "be", "by", "can", "code", "for", "from", "function", "given", "in", "into",
    "is", "it", "its", "of", "on", "or", "program", "should", "that", "the", "this", "to", "which", "will", "with",
    "write",
})
_WORD = re.compile(r"[a-z0-9_]+")


def _word_stems(text: str) -> set[str]:
    # crude stemming, so "capitalizes" does not count as new next to "capitalize"
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _WORD.findall(text.lower())} - _FILLER


def new_words(original: str, evolved: str) -> int:
    """How many distinct words (crudely stemmed, filler words left out) ``evolved`` has that ``original`` lacks."""
    return len(_word_stems(evolved) - _word_stems(original))


def _normalized(text: str) -> str:
    return " ".join(text.lower().split())


def instruction_elimination(
    original: str,
    evolved: str,
    *,
    min_words: int = 5,
    min_length_ratio: float = 0.5,
    max_similarity: float = 97.0,
    min_new_words: int = 2,
    method: str | None = None,
) -> str | None:
    """The reason code that eliminates an evolved instruction, or None when it is a real evolution.

    ``min_length_ratio``: the evolved text must keep at least this share of the original's words (evolving
    makes a task harder, which rarely makes it much shorter). ``max_similarity``: rapidfuzz ratio (0-100)
    of the normalized texts at or above which the evolution counts as unchanged. ``min_new_words``: an
    evolution must add at least this many new words (WizardLM's "no information gain" rule): a rewording
    that adds nothing is ``evol_no_gain``. ``method`` (the evolution method) matters for ``evol_answered``: a
    rewrite that carries a full solution is an answer, except that ``erroneous_code`` shows code on purpose.
    """
    if not evolved.strip():
        return EMPTY
    norm_evolved = _normalized(evolved)
    if any(fragment in norm_evolved for fragment in PROMPT_FRAGMENTS):
        return PROMPT_COPY
    if is_refusal(evolved):
        return REFUSAL
    n_words, n_original = len(evolved.split()), len(original.split())
    if n_words < min_words or n_words < min_length_ratio * n_original:
        return TOO_SHORT
    if prose_words(evolved) < max(min_words, 1) or _ANSWER_OPENER.match(evolved) or includes_solution(original, evolved, method):
        return ANSWERED
    if fuzz.ratio(_normalized(original), norm_evolved) >= max_similarity:
        return UNCHANGED
    if new_words(original, evolved) < min_new_words:
        return NO_GAIN
    return None


def response_elimination(response: str, *, min_chars: int = 20) -> str | None:
    """The reason code that eliminates the response to an evolved instruction, or None when it is usable."""
    if len(response.strip()) < min_chars:
        return RESPONSE_TOO_SHORT
    if is_refusal(response):
        return RESPONSE_REFUSAL
    return None
