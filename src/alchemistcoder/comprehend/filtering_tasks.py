"""Data-filtering tasks: multiple-choice questions made from recorded rejections and from kept samples.

The options are the paper's four categories plus "no problem". The answer of a question is the category of
the reason code that the curation (or the LLM judge) recorded when it rejected the sample, with the recorded
evidence; a kept sample's answer is "no problem". Rejections for other reasons (duplicates, benchmark
contamination, failed evolutions) are not quality categories and make no question.
"""

from __future__ import annotations

from alchemistcoder.comprehend import templates as T
from alchemistcoder.comprehend.task_sample import new_task_sample
from alchemistcoder.curate.reasons import REASONS, category_of, check_phrase
from alchemistcoder.records import Sample, TraceEvent
from alchemistcoder.seeding import unit_hash
from alchemistcoder.text import clip

TASK = "filtering"

NO_PROBLEM = "E"
OPTION_LABELS = dict(T.FILTER_OPTIONS)

# Parameter names under which checks record human-readable evidence, most telling first.
_EVIDENCE_KEYS = ("rationale", "explanation", "error", "message", "detail", "stderr", "evidence", "status")


def question_options() -> str:
    """The options block shown in every question."""
    return "\n".join(f"{letter}. {label}" for letter, label in T.FILTER_OPTIONS)


def _execution_evidence(event: TraceEvent) -> str | None:
    """The verify stage's evidence: the crash (exception, message, line), the response's own example that the
    code contradicts, or the first failing test and its error."""
    failing = event.params.get("failing")
    if isinstance(failing, list) and failing and isinstance(failing[0], dict):
        example = failing[0].get("example")
        if isinstance(example, dict) and example.get("call"):  # the response's own example (failing_own_examples)
            got = example.get("got")
            gives = f"the code gives {got}" if got and not str(got).startswith("!") else "the code does not give it"
            return f"Its own example says `{example['call']}` gives {example.get('claimed')}, but {gives}."
        kind, message = ([*list(failing[0].get("error") or []), "", ""])[:2]
        error = f"{kind}: {message}".rstrip(": ") if kind else "the assertion is false"
        return f"It fails the test `{failing[0].get('test', '')}`: {error}."
    error = event.params.get("error")
    if isinstance(error, dict) and error.get("type"):
        where = f" at line {error['line']}" if error.get("line") else ""
        message = f": {error['message']}" if error.get("message") else ""
        return f"Run as written, it raises {error['type']}{message}{where}."
    return None


def evidence(event: TraceEvent, max_chars: int = 300) -> str | None:
    """The first readable piece of evidence a rejecting event recorded, if any."""
    executed = _execution_evidence(event)
    if executed:
        return clip(executed, max_chars)
    for key in _EVIDENCE_KEYS:
        value = event.params.get(key)
        if isinstance(value, str) and value.strip():
            return clip(value.strip(), max_chars)
    return None


def is_question_source(sample: Sample) -> bool:
    """Plain code-generation samples can become questions (not other comprehension tasks)."""
    return sample.task == "codegen"


def problem_samples(samples: list[Sample]) -> list[Sample]:
    """Rejected samples whose recorded reason maps to one of the categories A-D."""
    out = []
    for s in samples:
        r = s.rejection
        if r is not None and category_of(r.reason) is not None and is_question_source(s) and s.instruction.strip():
            out.append(s)
    return out


def passed_checks(sample: Sample) -> list[str]:
    """The checks a sample's trace records as passed (``keep`` events: their ``params["checks"]`` or their op)."""
    out: list[str] = []
    for e in sample.trace:
        if e.verdict == "keep":
            checks = e.params.get("checks")
            names = [str(c) for c in checks] if isinstance(checks, list) and checks else [e.op]
            out.extend(n for n in names if n not in out)
    return out


def kept_samples(samples: list[Sample]) -> list[Sample]:
    """Kept samples with an instruction, a response and at least one passed check in their trace (answer: no
    problem). Samples no check has looked at (e.g. fresh evolutions) make no "no problem" question."""
    return [s for s in samples if not s.rejected and is_question_source(s) and s.instruction.strip()
            and s.response.strip() and passed_checks(s)]


def _question(sample: Sample, letter: str, explanation: str, cfg_max_chars: int, seed: int, stage: str,
              reason: str | None) -> Sample:
    pick = unit_hash(seed, TASK, sample.id)
    tpl = T.FILTER_PROMPTS[int(pick * len(T.FILTER_PROMPTS))]
    prompt = tpl.format(
        instruction=clip(sample.instruction, cfg_max_chars),
        response=clip(sample.response, cfg_max_chars) or "(empty)",
        options=question_options(),
    )
    answer = T.FILTER_ANSWER.format(letter=letter, label=OPTION_LABELS[letter], explanation=explanation)
    variant = "problem" if reason else "no_problem"
    return new_task_sample(TASK, variant, [sample.id], prompt, answer, stage=stage,
                           meta={"answer": letter, "reason": reason}, params={"answer": letter, "reason": reason})


def problem_question(sample: Sample, max_chars: int = 3000, seed: int = 0, stage: str = "comprehend") -> Sample:
    """The question for a rejected sample; its answer is the category of the recorded reason."""
    rejection = sample.rejection
    reason = REASONS.get(rejection.reason or "") if rejection is not None else None
    if rejection is None or reason is None:
        raise ValueError(f"sample {sample.id} has no rejection that maps to a filtering category")
    letter = reason.category
    explanation = reason.explanation
    detail = evidence(rejection)
    if detail:
        explanation += f"\nEvidence: {detail}"
    return _question(sample, letter, explanation, max_chars, seed, stage, rejection.reason)


def no_problem_question(sample: Sample, max_chars: int = 3000, seed: int = 0, stage: str = "comprehend") -> Sample:
    """The question for a kept sample; its answer is "no problem"."""
    checks = [check_phrase(c) for c in passed_checks(sample)]
    explanation = T.NO_PROBLEM_EXPLANATION.format(checks="; ".join(checks) or "none recorded")
    return _question(sample, NO_PROBLEM, explanation, max_chars, seed, stage, None)


# one candidate question: ("problem" | "kept", its seeded rank, the sample id)
FilterKey = tuple[str, float, str]


def filtering_keys(samples: list[Sample], seed: int = 0) -> list[FilterKey]:
    """The questions ``samples`` could make, as compact keys (what :func:`choose_filtering` decides over)."""
    keys = [("problem", unit_hash(seed, TASK, "pick", s.id), s.id) for s in problem_samples(samples)]
    keys += [("kept", unit_hash(seed, TASK, "pick", s.id), s.id) for s in kept_samples(samples)]
    return keys


def choose_filtering(keys: list[FilterKey], max_samples: int | None = None, no_problem_share: float = 0.2,
                     ) -> tuple[list[str], list[str]]:
    """The ids that become questions, each list in seeded order: (problems, kept samples for "no problem")."""
    problems = [i for _k, _h, i in sorted(k for k in keys if k[0] == "problem")]
    kept = [i for _k, _h, i in sorted(k for k in keys if k[0] == "kept")]
    n_problem = len(problems)
    if max_samples is not None:
        n_problem = min(n_problem, round(max_samples * (1 - no_problem_share)))
    n_kept = min(len(kept), round(n_problem * no_problem_share / (1 - no_problem_share)))
    if max_samples is not None:
        n_kept = min(n_kept, max_samples - n_problem)
    return problems[:n_problem], kept[:n_kept]


def filtering_questions(samples: list[Sample], problems: list[str], kept: list[str], max_chars: int = 3000,
                        seed: int = 0, stage: str = "comprehend") -> list[Sample]:
    """The questions for the chosen ids found in ``samples`` (problems first, each in the given order)."""
    by_id = {s.id: s for s in samples}
    out = [problem_question(by_id[i], max_chars, seed, stage) for i in problems if i in by_id]
    out += [no_problem_question(by_id[i], max_chars, seed, stage) for i in kept if i in by_id]
    return out


def make_filtering_tasks(samples: list[Sample], max_samples: int | None = None, no_problem_share: float = 0.2,
                         max_chars: int = 3000, seed: int = 0, stage: str = "comprehend") -> list[Sample]:
    """Questions from the rejections in ``samples`` and, for ``no_problem_share`` of them, from kept samples.

    Which samples are used is decided by seeded hashes, so the choice does not depend on input order.
    """
    problems, kept = choose_filtering(filtering_keys(samples, seed), max_samples, no_problem_share)
    return filtering_questions(samples, problems, kept, max_chars, seed, stage)
