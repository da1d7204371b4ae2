"""The quality-reject reasons: one registry for the filters, the judge and the data-filtering tasks.

Each reason code that curation records for a quality problem belongs to one of the paper's four categories
(A short response, B uncompilable code, C unclear code, D disorganized code). The same entry says why a
sample falls in its category (the data-filtering task's answer) and how the check reads when a sample
passed it (a "no problem" answer). Rejections for other reasons (duplicates, benchmark contamination,
failed evolutions) are not quality categories and have no entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """One quality-reject reason code."""

    code: str
    category: str  # the paper's letter: A, B, C or D
    explanation: str  # why a sample with this reason falls in its category
    # how the check reads when a sample passed it; None for the judge's reasons, whose pass is recorded as
    # one check (JUDGE_CHECK) for both
    check: str | None


CATEGORIES: dict[str, str] = {
    "A": "Short Responses",
    "B": "Uncompilable code",
    "C": "Unclear code",
    "D": "Disorganized code",
}

REASONS: dict[str, Reason] = {
    r.code: r
    for r in (
        Reason("short_response", "A", "The response is too short to answer the instruction usefully.",
               "the response is long enough"),
        Reason("no_code", "A", "The instruction asks for code, but the response contains no code.",
               "the response contains code"),
        Reason("uncompilable", "B", "The code in the response does not compile or parse.", "the code compiles"),
        Reason("failing_tests", "B", "The code in the response runs but fails the tests that come with the task.",
               "the code passes its tests"),
        Reason("code_crashes", "B", "The code in the response crashes when it runs as written.",
               "the code runs as written"),
        Reason("failing_model_tests", "B", "The code in the response fails tests that independent solutions agree on.",
               "the code passes the tests written for it"),
        Reason("failing_own_examples", "B", "The code in the response does not give the results that the response "
               "itself shows for its examples.", "the code gives the results its examples show"),
        Reason("unclear_code", "C", "The code is hard to understand: it is not explained and its intent is unclear.",
               None),
        Reason("disorganized_code", "D", "The response does not follow the format that the instruction asks for.",
               None),
    )
}

# The LLM judge's checks (categories C and D) are recorded together under one name.
JUDGE_CHECK = "judge"
JUDGE_CHECK_PHRASE = "a reviewer found the code clear and in the requested format"


def category_of(code: str | None) -> str | None:
    """The category letter of a reason code, or None when it is not a quality reason."""
    reason = REASONS.get(code or "")
    return reason.category if reason else None


def check_phrase(check: str) -> str:
    """How a passed check reads in prose (unknown checks by their name)."""
    if check == JUDGE_CHECK:
        return JUDGE_CHECK_PHRASE
    reason = REASONS.get(check)
    return reason.check if reason is not None and reason.check else check.replace("_", " ")
