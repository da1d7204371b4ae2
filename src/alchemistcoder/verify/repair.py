"""Asking the model to repair a failing response, and putting a fix in place: the failing test shown (a test,
an assert of what the independent solutions answer, or the response's own example) and the response's code
replaced by the fix. The stage (``stage.py``) runs the fixes and decides."""

from __future__ import annotations

import ast
from typing import Any

from alchemistcoder.seeding import int_seed
from alchemistcoder.text import clip
from alchemistcoder.verify import testing as T
from alchemistcoder.verify.case import Case
from alchemistcoder.verify.config import VerifyConfig
from alchemistcoder.verify.examples import Example
from alchemistcoder.verify.program import Program, definitions_only, parse_python


def failing_test(case: Case) -> tuple[str, str]:
    """The test shown to the repairer and its error: the first failing test, or, when the response failed on
    the differential evidence, an assert of what the independent solutions answer."""
    d, run = case.decision, case.response_run
    assert d is not None and run is not None
    if d.failing:
        kind, message = run.errors[d.failing[0]]
        return case.tests[d.failing[0]], (f"Error: {kind}: {message}".rstrip(": ") if kind else "The assertion is false.")
    i = d.probe or 0
    theirs = next((s.answers[i] for s in case.solution_runs if s.usable and i < len(s.answers)), "?")
    return f"assert {case.probes[i]} == {theirs}", f"The code returns {run.answers[i]}; correct solutions return {theirs}."


def read_answer(completion: Any, entry: dict[str, Any]) -> tuple[str, str] | None:
    """Record in ``entry`` what a repair answer is (``llm_error``, ``test_wrong`` with its why, ``unusable`` or
    ``fix``); for a fix, its code and the definitions of it that the tests run."""
    if not completion.ok:
        entry["outcome"] = "llm_error"
        return None
    if T.says_test_wrong(completion.text):
        entry["outcome"], entry["why"] = "test_wrong", clip(completion.text.strip(), 300)
        return None
    code = T.answer_code(completion.text)
    tree = parse_python(code) if code.strip() else None
    if tree is None:
        entry["outcome"] = "unusable"
        return None
    entry["outcome"] = "fix"
    return code, definitions_only(tree)


def replace_code(response: str, program: Program, fixed: str) -> str:
    """The response with its program replaced by the fixed code (in its fence when it has one)."""
    if program.source and program.source in response:
        return response.replace(program.source, fixed.strip("\n"), 1)
    return f"{response.rstrip()}\n\nCorrected code:\n```python\n{fixed.strip()}\n```\n"


def repair_examples(pending: list[tuple[Case, dict[str, Any], list[Example]]], cfg: VerifyConfig, client: Any,
                     seed: int, stage: str) -> None:
    """One repair for each response that contradicts its own example: the model sees the example as a failing
    test and may fix the code or name the claim wrong. A fix that passes every valid example goes on to the
    model's tests and is kept only when they verify it (``Case.must_verify``): a code bent to match a wrong claim
    then fails the independent solutions. Anything else is for the caller to reject (``failing_own_examples``):
    a response whose claim is wrong still teaches it. Each answer is an entry of ``case.repairs``."""
    requests, shown = [], []
    for case, params, _examples in pending:
        first = params["failing"][0]
        claim = first["example"]
        # the example as a plain assert (or print) the model can read, not the tolerant form that was run
        try:
            test = f"assert {claim['call']} == {ast.literal_eval(claim['claimed'])!r}"
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
            test = f"print({claim['call']})  # the response says this prints: {claim['claimed']}"
        error = f"The code returns {claim['got']}; the example says {claim['claimed']}."
        shown.append((test, error))
        prompt = T.EXAMPLE_REPAIR_PROMPT.format(instruction=clip(case.sample.instruction, 1500),
                                        code=clip(case.definitions, T.PROMPT_CHARS), test=test, error=error)
        requests.append(T.chat_request(prompt, cfg.repair_max_tokens, cfg.temperature,
                                 int_seed(seed, "verify-repair-example", case.sample.id), stage))
    fixes: list[tuple[Case, str, str, list[Example], dict[str, Any]]] = []
    for (case, _params, examples), (test, error), completion in zip(pending, shown, client.generate(requests),
                                                                     strict=True):
        case.count(completion)
        entry: dict[str, Any] = {"attempt": 0, "test": test, "error": error, "from": "own_examples"}
        if fix := read_answer(completion, entry):
            code, definitions = fix
            fixes.append((case, definitions, code, examples, entry))
        case.repairs.append(entry)
    runs = T.run_tests([([definitions], [e.test for e in examples], [e.call for e in examples])
                        for _c, definitions, _code, examples, _e in fixes], cfg) if fixes else []
    for (case, definitions, code, examples, entry), (run,) in zip(fixes, runs, strict=True):
        valid, _dropped = T.valid_tests([run], len(examples))
        entry["passed_examples"] = len(valid) == len(examples) and all(run.outcomes[i] == "pass" for i in valid)
        if entry["passed_examples"]:
            case.definitions, case.fixed_code, case.must_verify = definitions, code, True
