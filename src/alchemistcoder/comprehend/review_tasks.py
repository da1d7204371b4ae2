"""Code-review tasks: an LLM reviews a response; the review is kept only when its refined code runs.

The reviewing model returns a review (correctness 0-10, clarity 0-10, suggestions, refined code), either as
plain-text sections after a filled-in example (``review.format: sections``, which a tiny model can follow) or
as JSON validated against :class:`CodeReview` (``json``, for capable endpoints); both give a CodeReview.
The refined code is executed in the sandbox, with the sample's context (the response's imports, definitions
and setup lines that the refined code uses; ``comprehend.review_context``) — it must run cleanly, and pass
the reviewed sample's tests when it has some. A review that copies the example review (its code or, where
the example was shown, its scores) teaches nothing and is rejected as ``review_example_copy``. A review that
fails (no parsable review, no refined code, an example copy, refined code that fails) is not lost: it
becomes a rejected review sample with its reason, so the stage's counts always add up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from alchemistcoder.comprehend import templates as T
from alchemistcoder.comprehend.config import ReviewTaskConfig
from alchemistcoder.comprehend.task_sample import new_task_sample
from alchemistcoder.llm.types import ChatRequest
from alchemistcoder.records import Sample
from alchemistcoder.seeding import unit_hash
from alchemistcoder.text import clip

TASK = "review"
CHECK_OP = "review_check"

# Reason codes of dropped reviews.
LLM_ERROR = "review_llm_error"  # no parsable review (JSON: not even after re-asks; sections: a score missing)
NO_REFINED_CODE = "review_no_refined_code"  # the review has no refined code
REFINED_FAILED = "review_refined_failed"  # the refined code does not run, or fails the sample's tests
EXAMPLE_COPY = "review_example_copy"  # the prompt's example review copied: its code, or its scores


class CodeReview(BaseModel):
    """A review of an answer to a programming task: two scores, suggestions, and the refined code."""

    correctness: int = Field(ge=0, le=10, description="How correct the response is, 0 (wrong) to 10 (fully correct).")
    clarity: int = Field(ge=0, le=10, description="How clear the response is, 0 (unreadable) to 10 (very clear).")
    suggestions: list[str] = Field(default_factory=list, description="Concrete improvements.")
    refined_code: str = Field(description="The improved, complete, runnable code.")


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of running a refined program in the sandbox."""

    passed: bool
    status: str
    with_tests: bool
    detail: str = ""


# Languages the sandbox can run.
RUNNABLE = frozenset({"python", "cpp", "c", "java", "javascript", "go", "rust"})


def response_code(sample: Sample) -> tuple[str, str] | None:
    """(language, code) of the main code block of the response, or None when it has no runnable code."""
    from alchemistcoder.code import canonical_language, detect_language, main_code

    block = main_code(sample.response)
    if block is None or not block.code.strip():
        return None
    language = block.language if block.language in RUNNABLE else None
    language = language or canonical_language(sample.meta.get("language")) or detect_language(block.code)
    return (language, block.code) if language in RUNNABLE else None


def review_keys(samples: list[Sample], cfg: ReviewTaskConfig, seed: int) -> list[tuple[float, str]]:
    """(seeded rank, id) of the kept codegen samples ranked below ``cfg.fraction`` that can be reviewed: they
    have code (and tests, with ``cfg.require_tests``)."""
    out = []
    for s in samples:
        if s.task != "codegen" or s.rejected:
            continue
        h = unit_hash(seed, TASK, "pick", s.id)
        if h < cfg.fraction and response_code(s) is not None and (sample_tests(s) or not cfg.require_tests):
            out.append((h, s.id))
    return out


def choose_reviews(keys: list[tuple[float, str]], cfg: ReviewTaskConfig) -> list[str]:
    """The ids to review, in seeded order, capped by ``cfg.max_samples``."""
    return [i for _h, i in sorted(keys)][: cfg.max_samples]


def review_candidates(samples: list[Sample], cfg: ReviewTaskConfig, seed: int) -> list[Sample]:
    """Kept codegen samples with code (and tests, with ``cfg.require_tests``), chosen by seeded hash below
    ``cfg.fraction``; capped by ``cfg.max_samples``; in seeded order."""
    by_id = {s.id: s for s in samples}
    return [by_id[i] for i in choose_reviews(review_keys(samples, cfg, seed), cfg)]


def refined_code_of(review: CodeReview) -> str:
    """The refined code without the fences a model may have put around it."""
    from alchemistcoder.code import main_code

    text = review.refined_code or ""
    if "```" in text:
        block = main_code(text)
        text = block.code if block is not None else ""
    # keep the first line's indentation (it may matter), drop blank lines around the code
    return text.strip("\n").rstrip() if text.strip() else ""


def sample_tests(sample: Sample) -> str:
    """The sample's test code (MBPP-style list of asserts or a test script), or "" when it has none."""
    tests = sample.meta.get("tests")
    if isinstance(tests, list):
        tests = "\n".join(str(t) for t in tests)
    if not isinstance(tests, str) or not tests.strip():
        return ""
    setup = sample.meta.get("test_setup_code") or ""
    return f"{setup}\n{tests}" if isinstance(setup, str) and setup.strip() else tests


# Compiled languages: without tests, the refined code must compile (a run that fails afterwards, e.g. for want
# of input, still counts); interpreted ones have no separate compile step and must run cleanly.
COMPILED = frozenset({"c", "cpp", "java", "go", "rust"})


def check_source(language: str, code: str, tests: str) -> str:
    """The program the sandbox runs for refined code: with the tests appended, or (compiled languages without
    tests) with a stub entry point when the code has none, as curation's compiler check does."""
    if tests:
        return f"{code}\n\n{tests}\n"
    if language in COMPILED:
        from alchemistcoder.curate.filters import compile_source

        return compile_source(language, code)
    return code


def passes(language: str, status: str, with_tests: bool) -> bool:
    """Whether a sandbox status passes the check (see :data:`COMPILED`)."""
    if with_tests or language not in COMPILED:
        return status == "ok"
    return status in ("ok", "error")


def check_refined(language: str, code: str, tests: str, timeout_s: float = 10.0, memory_mb: int = 1024) -> CodeCheck:
    """Run refined code in the sandbox: with the sample's tests it must pass them; without, it must compile
    (compiled languages) or run cleanly (Python, JavaScript)."""
    from alchemistcoder.sandbox import run_program

    result = run_program(language, check_source(language, code, tests), timeout_s=timeout_s, memory_mb=memory_mb)
    detail = (result.compile_output or result.stderr or "")[-500:]
    return CodeCheck(passes(language, result.status, bool(tests)), result.status, bool(tests), detail)


def review_prompt_messages(sample: Sample, max_chars: int, review_format: str = "json") -> list[dict[str, str]]:
    """The chat that asks the reviewing model for a review of ``sample``: JSON for the schema (``json``), or
    plain-text sections after one filled-in example review as earlier turns (``sections``)."""
    instruction, response = clip(sample.instruction, max_chars), clip(sample.response, max_chars)
    if review_format == "sections":
        return [
            {"role": "system", "content": T.REVIEW_SECTIONS_SYSTEM},
            {"role": "user", "content": T.REVIEW_SECTIONS_REQUEST.format(instruction=T.REVIEW_EXAMPLE_TASK,
                                                                         response=T.REVIEW_EXAMPLE_RESPONSE)},
            {"role": "assistant", "content": T.REVIEW_EXAMPLE_ANSWER},
            {"role": "user", "content": T.REVIEW_SECTIONS_REQUEST.format(instruction=instruction, response=response)},
        ]
    prompt = T.REVIEW_REQUEST.format(instruction=instruction, response=response)
    return [{"role": "system", "content": T.REVIEW_SYSTEM}, {"role": "user", "content": prompt}]


# "Correctness: 7/10", "**Clarity:** 8", "- correctness = 7 / 10": the label at the start of a line, then the score.
_SCORE = r"^[ \t>*#_-]*{label}[ \t*_]*[:=][ \t*_]*(\d{{1,3}})(?:[ \t]*/[ \t]*10)?(?![\d.])"
_CORRECTNESS = re.compile(_SCORE.format(label="correctness"), re.IGNORECASE | re.MULTILINE)
_CLARITY = re.compile(_SCORE.format(label="clarity"), re.IGNORECASE | re.MULTILINE)
_SUGGESTIONS = re.compile(
    r"^[ \t>*#_-]*suggestions[ \t*_]*:?[ \t*_]*(.*?)(?=^[ \t>*#_-]*refined[ \t]+code|^[ \t]*(?:```|~~~)|\Z)",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_REFINED_LABEL = re.compile(r"^[ \t>*#_-]*refined[ \t]+code", re.IGNORECASE | re.MULTILINE)
# A *closed* fenced block: an answer cut off inside its code (max_tokens) has no complete refined code.
_FENCED = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)\n?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*")


def parse_review_sections(text: str) -> tuple[CodeReview | None, str | None]:
    """A :class:`CodeReview` from a plain-text review, or (None, why not).

    Both scores must be present as ``Correctness: n/10`` / ``Clarity: n/10`` lines (``/10`` optional) with
    0 <= n <= 10. Suggestions are the bullet lines under ``Suggestions:`` (may be empty). The refined code is the
    first closed fenced block after the ``Refined code`` label (or anywhere when there is no label); a review
    without one is returned with empty ``refined_code`` (the caller drops it as ``review_no_refined_code``).
    """
    text = text or ""
    scores = {}
    for name, pattern in (("correctness", _CORRECTNESS), ("clarity", _CLARITY)):
        match = pattern.search(text)
        if match is None:
            return None, f"no '{name.capitalize()}: <0-10>/10' line in the review"
        value = int(match.group(1))
        if value > 10:
            return None, f"{name} score {value} is outside 0-10"
        scores[name] = value
    suggestions: list[str] = []
    match = _SUGGESTIONS.search(text)
    if match:
        for line in match.group(1).splitlines():
            item = _BULLET.sub("", line).strip()
            if item and item not in suggestions:  # a weak model repeats itself
                suggestions.append(item)
    label = _REFINED_LABEL.search(text)
    block = _FENCED.search(text, label.end() if label else 0)
    code = block.group(2) if block else ""
    return CodeReview(correctness=scores["correctness"], clarity=scores["clarity"], suggestions=suggestions,
                      refined_code=code), None


def copies_example(code: str) -> bool:
    """Whether refined code is the example review's code (copied from the prompt, not a refinement)."""
    return " ".join(code.split()) == " ".join(T.REVIEW_EXAMPLE_CODE.split())


def copies_example_scores(review: CodeReview) -> bool:
    """Whether a review's scores are the example review's (9/10, 6/10): a weak model copies them whatever the code
    is like, and a review task that teaches those scores teaches the example, not reviewing."""
    example, _ = parse_review_sections(T.REVIEW_EXAMPLE_ANSWER)
    return example is not None and (review.correctness, review.clarity) == (example.correctness, example.clarity)


def program_with_context(sample: Sample, language: str, code: str) -> tuple[str, str]:
    """(the program the sandbox runs for refined ``code``, the context lines put before it): for Python, the
    response's setup that the refined code uses (``comprehend.review_context``); other languages run as written."""
    if language != "python":
        return code, ""
    from alchemistcoder.code import extract_code_blocks
    from alchemistcoder.comprehend.review_context import python_context

    originals = [b.code for b in extract_code_blocks(sample.response) if b.language == "python"]
    context = python_context(code, originals)
    return (f"{context}\n\n{code}" if context else code), context


def review_answer(review: CodeReview, language: str, code: str) -> str:
    """The assistant turn of a review task."""
    suggestions = "\n".join(f"- {s.strip()}" for s in review.suggestions if s and s.strip()) or "- No changes needed."
    return T.REVIEW_ANSWER.format(correctness=review.correctness, clarity=review.clarity, suggestions=suggestions,
                                  language=language, code=code.rstrip())


def build_review_sample(sample: Sample, review: CodeReview | None, model: str | None, error: str | None,
                        check: Callable[[str, str, str], CodeCheck], max_chars: int = 4000, seed: int = 0,
                        stage: str = "comprehend", review_format: str = "json") -> Sample:
    """The review task for ``sample`` from the model's ``review`` (or its ``error``), checked with ``check``.

    ``check(language, program, tests)`` runs the refined code with its context (:func:`program_with_context`);
    the returned sample is rejected with a reason when there is no review, no refined code, the review copies
    the example (its code; with ``review_format='sections'``, where the example is shown, also its scores), or
    the check fails.
    """
    language, _code = response_code(sample) or (sample.meta.get("language") or "", "")
    pick = unit_hash(seed, TASK, "prompt", sample.id)
    tpl = T.REVIEW_TASK_PROMPTS[int(pick * len(T.REVIEW_TASK_PROMPTS))]
    prompt = tpl.format(instruction=clip(sample.instruction, max_chars), response=clip(sample.response, max_chars))
    if review is None:
        task = new_task_sample(TASK, "review", [sample.id], prompt, "", stage=stage, model=model)
        task.reject(CHECK_OP, LLM_ERROR, params={"error": error or "no review"}, stage=stage)
        return task
    code = refined_code_of(review)
    task = new_task_sample(TASK, "review", [sample.id], prompt, review_answer(review, language, code), stage=stage,
                           model=model, meta={"correctness": review.correctness, "clarity": review.clarity,
                                              "language": language})
    if not code:
        task.reject(CHECK_OP, NO_REFINED_CODE, stage=stage)
        return task
    if copies_example(code) or (review_format == "sections" and copies_example_scores(review)):
        copied = "code" if copies_example(code) else "scores"
        task.reject(CHECK_OP, EXAMPLE_COPY, params={"copied": copied}, stage=stage)
        return task
    program, context = program_with_context(sample, language, code)
    result = check(language, program, sample_tests(sample))
    params: dict[str, Any] = {"status": result.status, "with_tests": result.with_tests}
    if context:
        params["context_lines"] = context.count("\n") + 1
    if result.passed:
        task.record(CHECK_OP, "keep", params=params, stage=stage)
    else:
        task.reject(CHECK_OP, REFINED_FAILED, params={**params, "stderr": result.detail}, stage=stage)
    return task


def make_review_tasks(samples: list[Sample], cfg: ReviewTaskConfig, client: Any, seed: int = 0,
                      stage: str = "comprehend") -> list[Sample]:
    """Review a seeded selection of ``samples`` with ``client``; one review sample (kept or rejected) per review."""
    return review_samples(review_candidates(samples, cfg, seed), cfg, client, seed, stage)


def review_samples(chosen: list[Sample], cfg: ReviewTaskConfig, client: Any, seed: int = 0,
                   stage: str = "comprehend") -> list[Sample]:
    """Review each of ``chosen`` with ``client``; one review sample (kept or rejected) per review."""
    if not chosen:
        return []
    requests = [ChatRequest(messages=review_prompt_messages(s, cfg.max_chars, cfg.format), max_tokens=cfg.max_tokens,
                            temperature=0.0, tag=stage) for s in chosen]
    reviews = []
    if cfg.format == "sections":
        for sample, completion in zip(chosen, client.generate(requests), strict=True):
            review, error = parse_review_sections(completion.text) if completion.ok else (None, completion.error)
            reviews.append((sample, review, completion.model or None, error))
    else:
        completions = client.generate_structured(requests, CodeReview, max_reasks=cfg.max_reasks)
        for sample, completion in zip(chosen, completions, strict=True):
            review = completion.parsed if completion.ok and isinstance(completion.parsed, CodeReview) else None
            error = completion.error or (None if review else "the reply did not match the review schema")
            reviews.append((sample, review, completion.model or None, error))
    check = batch_checker(reviews, cfg)
    return [build_review_sample(s, r, m, e, check, cfg.max_chars, seed, stage, cfg.format) for s, r, m, e in reviews]


def batch_checker(reviews: list[tuple[Sample, CodeReview | None, Any, Any]], cfg: ReviewTaskConfig,
                  ) -> Callable[[str, str, str], CodeCheck]:
    """Run every refined program of ``reviews`` in the sandbox at once (in parallel); return a lookup with the
    signature of :func:`check_refined`."""
    from alchemistcoder.sandbox import run_many

    keys = []
    for sample, review, _m, _e in reviews:
        if review is None:
            continue
        language = (response_code(sample) or ("", ""))[0]
        code = refined_code_of(review)
        if code and language and not copies_example(code):
            keys.append((language, program_with_context(sample, language, code)[0], sample_tests(sample)))
    keys = list(dict.fromkeys(keys))
    jobs = [{"language": lang, "source": check_source(lang, code, tests), "timeout_s": cfg.timeout_s,
             "memory_mb": cfg.memory_mb} for lang, code, tests in keys]
    results = dict(zip(keys, run_many(jobs) if jobs else [], strict=True))

    def check(language: str, code: str, tests: str) -> CodeCheck:
        result = results.get((language, code, tests))
        if result is None:  # not prepared above (cannot happen through make_review_tasks); run it now
            return check_refined(language, code, tests, cfg.timeout_s, cfg.memory_mb)
        detail = (result.compile_output or result.stderr or "")[-500:]
        return CodeCheck(passes(language, result.status, bool(tests)), result.status, bool(tests), detail)

    return check
