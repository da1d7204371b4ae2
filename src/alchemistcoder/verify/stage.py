"""The verify stage: every response runs; model-written tests check what it defines; failures are repaired
from the error or rejected; every step is in the trace.

1. **Execution, model-free.** The response's program runs as written in the sandbox with no stdin
   (``execute.py``); its class (runs, crashes, needs_input, ...) is a ``verify_execute`` event, and the
   classes in ``verify.reject`` reject the sample (``code_crashes``). The response's own examples (doctests,
   printed calls with their claimed output; ``examples.py``) run as tests, and a response that contradicts
   them is rejected (``failing_own_examples``); no model is needed for either. With a model whose tests may
   reject, the contradiction is first offered for repair (``repair.py``): a fix that passes the examples is
   kept only when the model's tests then verify it.
2. **Tests.** A Python response that defines functions or classes (or a C++/Java/JavaScript/Go/Rust/C/C#/Ruby/PHP one that
   defines a function with a simple signature, ``foreign_tests.py``; its tests only mark) is tested: with the tests it came with
   (MBPP-style ``meta["tests"]``), else with ``n_tests`` asserts the model writes from the instruction and
   the interface (``testing.py``). Tests are checked statically, then in the sandbox (deterministic, in
   time, not failing for their own fault); the invalid ones are counted and dropped.
3. **Decision** by ``verify.policy`` (``decide.py``): pass -> verified; fail -> repair; undecided -> kept,
   unverified.
4. **Repair.** The model sees the failing test and its error and returns fixed code (re-run on every test;
   a fix replaces the response, ``modify`` event with before/after) or names the test wrong (the test is
   dropped and the decision taken again), up to ``max_repairs`` times. What still fails is rejected
   (``failing_model_tests``) when the model's tests may reject (``tests_can_reject``), else kept unverified.

The kept sample carries its tests in ``meta["tests"]`` (with ``meta["tests_provenance"]``) and a summary in
``meta["verify"]``; the comprehension stage turns rejections into filtering questions and repairs into
``repair`` tasks.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from alchemistcoder.records import Sample
from alchemistcoder.seeding import int_seed, unit_hash
from alchemistcoder.stage import StageContext
from alchemistcoder.text import clip
from alchemistcoder.verify import decide as D
from alchemistcoder.verify import foreign_tests as FT
from alchemistcoder.verify import repair as R
from alchemistcoder.verify import testing as T
from alchemistcoder.verify.case import Case
from alchemistcoder.verify.config import VerifyConfig
from alchemistcoder.verify.examples import Example, own_examples
from alchemistcoder.verify.execute import Execution, execute_programs
from alchemistcoder.verify.program import Program, definitions_only, parse_python, response_program

EXECUTE_OP = "verify_execute"
EXAMPLES_OP = "verify_examples"
TESTS_OP = "verify_tests"
DECIDE_OP = "verify_decide"
REPAIR_OP = "verify_repair"
CRASH_REASON = "code_crashes"
FAILING_REASON = "failing_model_tests"
EXAMPLES_REASON = "failing_own_examples"
STATUSES = ("verified", "repaired", "unverified", "rejected")


def reject_reason(klass: str) -> str:
    """The reject reason of an execution class listed in ``verify.reject``."""
    return CRASH_REASON if klass == "crashes" else f"code_{klass}"


def is_candidate(sample: Sample) -> bool:
    """Kept code-generation samples with a response are verified; everything else passes through."""
    return sample.task == "codegen" and not sample.rejected and bool(sample.response.strip())


def _check_examples(items: list[tuple[Sample, Program, str, list[Example]]], cfg: VerifyConfig,
                    stage: str) -> list[tuple[Sample, dict[str, Any], list[Example]]]:
    """Run each response's own examples (``examples.py``) on its definitions. Under ``own_examples: record`` a
    contradiction is only recorded; under ``reject`` the responses that contradict a valid example are returned
    (with the trace's params and their valid examples) for the caller to reject or repair. The calls also run
    as probes, so the evidence says what the code gives instead of what is claimed."""
    contradicted: list[tuple[Sample, dict[str, Any], list[Example]]] = []
    chosen: list[tuple[Sample, str, list[Example]]] = []
    for sample, program, definitions, examples in items:
        kept = set(T.parse_tests("\n".join(e.test for e in examples), program, len(examples)).tests)
        chosen.append((sample, definitions, [e for e in examples if e.test in kept]))
    chosen = [c for c in chosen if c[2]]
    runs = T.run_tests([([definitions], [e.test for e in examples], [e.call for e in examples])
                        for _s, definitions, examples in chosen], cfg)
    for (sample, _definitions, examples), (run,) in zip(chosen, runs, strict=True):
        valid, dropped = T.valid_tests([run], len(examples))
        failing = [i for i in valid if run.outcomes[i] != "pass"]
        params: dict[str, Any] = {"examples": len(examples), "valid": len(valid), "dropped": dict(sorted(dropped.items()))}
        sample.meta["verify"]["examples"] = {"valid": len(valid), "passed": len(valid) - len(failing)}
        if failing:
            params["failing"] = [{"test": examples[i].test, "error": list(run.errors[i]),
                                  "example": {"call": examples[i].call, "claimed": examples[i].claimed,
                                              "got": run.answers[i] if i < len(run.answers) else None}}
                                 for i in failing[:3]]
            if cfg.own_examples == "reject":
                contradicted.append((sample, params, [examples[i] for i in valid]))
                continue
            sample.record(EXAMPLES_OP, "info", params=params, stage=stage)
        elif valid:
            sample.record(EXAMPLES_OP, "keep", params={**params, "checks": [EXAMPLES_REASON]}, stage=stage)
    return contradicted


def _reject_for_examples(sample: Sample, params: dict[str, Any], stage: str) -> None:
    sample.reject(EXAMPLES_OP, EXAMPLES_REASON, params=params, stage=stage)
    sample.meta["verify"]["status"] = "rejected"


def _decide(case: Case, cfg: VerifyConfig) -> D.Decision:
    assert case.response_run is not None
    if case.provenance == "source" or cfg.policy == "pass_share":
        share = 1.0 if case.provenance == "source" else cfg.min_pass_share
        return D.pass_share(case.response_run, case.valid, share)
    # a foreign response has no differential evidence by default (``foreign_probes``) to catch what a relaxed
    # consensus share lets through: it is verified only by every consensus test
    decision = D.agreement(case.response_run, case.solution_runs, case.valid, cfg.min_agreeing,
                           1.0 if case.foreign else cfg.min_consensus_share)
    if case.foreign and decision.verdict == "pass" and len(decision.evidence["consensus"]) < cfg.foreign_min_consensus:
        # nothing else checks a foreign response: one consensus test (``carRaceCollision(0) == 0``) verified
        # mutants on the HumanEval-X tune split (docs/verify.md)
        return D.Decision("undecided", [], {**decision.evidence, "why": "too few consensus tests for a response "
                                                                           "with no probes in its language"})
    if not case.probes:
        return decision
    if case.foreign:
        FT.drop_unholdable(case.response_run, case.solution_runs, case.foreign, case.probes)
    return D.with_differential(decision, case.response_run, case.solution_runs, cfg.min_agreeing,
                               cfg.max_disagreement, cfg.min_settled, cfg.verified_max_disagreement)


def _run_cases(cases: list[Case], cfg: VerifyConfig, with_solutions: bool) -> None:
    """Run every case's tests on its response (and, the first time, its solutions); find the valid tests."""
    batches = []
    for c in cases:
        own = [] if c.foreign else [c.definitions]
        candidates = own + ([_definitions_of(s) for s in c.solutions] if with_solutions else [])
        if with_solutions and cfg.policy == "agreement" and c.provenance == "model" and (
                not c.foreign or cfg.foreign_probes):
            c.probes = T.probes_of(c.tests, _test_target(c), cfg.n_probes)
        batches.append((candidates, c.tests, c.probes))
    foreign = iter(FT.run_foreign_tests([(c.foreign, c.tests, c.probes) for c in cases if c.foreign], cfg.timeout_s,
                                        cfg.workers or None) if any(c.foreign for c in cases) else [])
    for case, runs in zip(cases, T.run_tests(batches, cfg), strict=True):
        ran: set[int] | None = None
        if case.foreign:
            response_run, ran = next(foreign)
            runs = [response_run, *runs]
        case.response_run = runs[0]
        if with_solutions:
            case.solution_runs = runs[1:]
            case.first_outcomes = list(runs[0].outcomes)
        if case.provenance == "source":
            case.valid = list(range(len(case.tests)))
        else:
            case.valid, dropped = T.valid_tests([case.response_run, *case.solution_runs], len(case.tests))
            if ran is not None:  # a test the declared types cannot hold says nothing of the response
                dropped["types_cannot_hold"] = sum(1 for i in case.valid if i not in ran)
                case.valid = [i for i in case.valid if i in ran]
            case.dropped.update({k: v for k, v in dropped.items() if v})
        case.decision = _decide(case, cfg)
        if with_solutions:
            case.first_evidence = {"verdict": case.decision.verdict, **case.decision.evidence}


def _definitions_of(code: str) -> str:
    tree = parse_python(code)
    return definitions_only(tree) if tree is not None else code


def _task_key(case: Case) -> str:
    """What tests and independent solutions depend on: two responses to the same task with the same interface
    get the same requests (the same tests judge both, and the request cache answers the second)."""
    return f"{case.sample.instruction}\x00{case.interface}"


def _test_target(case: Case) -> Program:
    """What the tests are checked against: the program, or for a foreign response a Python stand-in with its
    functions' names and arities."""
    if case.foreign is None:
        return case.program
    stub = "\n".join(f"def {name}({sig}):\n    pass" for name, sig in case.foreign.signatures.items())
    return Program("python", stub, functions=list(case.foreign.signatures))


def _write_tests(cases: list[Case], cfg: VerifyConfig, client: Any, seed: int, stage: str) -> None:
    requests = [T.chat_request(T.TESTS_PROMPT.format(n=cfg.n_tests, instruction=clip(c.sample.instruction, T.PROMPT_CHARS),
                                               interface=c.interface),
                         cfg.tests_max_tokens, cfg.temperature, int_seed(seed, "verify-tests", _task_key(c)), stage)
                for c in cases]
    for case, completion in zip(cases, client.generate(requests), strict=True):
        case.count(completion)
        if not completion.ok:
            case.dropped["llm_error"] += 1
            continue
        parsed = T.parse_tests(completion.text, _test_target(case), cfg.n_tests)
        case.tests, case.written = parsed.tests, len(parsed.tests) + sum(parsed.dropped.values())
        case.dropped.update(parsed.dropped)


def _write_solutions(cases: list[Case], cfg: VerifyConfig, client: Any, seed: int, stage: str,
                     ks: range | None = None) -> None:
    """Ask for the independent solutions numbered ``ks`` (default: the first ``n_solutions``) of every case; a
    solution's request depends on its number, so asking for more later extends the same set."""
    requests, owners = [], []
    for c in cases:
        prompt = T.SOLUTION_PROMPT.format(instruction=clip(c.sample.instruction, T.PROMPT_CHARS), interface=c.interface)
        for k in ks if ks is not None else range(cfg.n_solutions):
            requests.append(T.chat_request(prompt, cfg.solution_max_tokens, cfg.solution_temperature,
                                     int_seed(seed, "verify-solution", _task_key(c), k), stage, nonce=f"solution-{k}"))
            owners.append(c)
    for case, completion in zip(owners, client.generate(requests), strict=True):
        case.count(completion)
        if completion.ok:
            case.solutions.append(T.answer_code(completion.text))


def _confirm_rejections(cases: list[Case], parse_drops: dict[int, Counter], cfg: VerifyConfig, client: Any,
                        seed: int, stage: str) -> None:
    """A sequential test: a response the first solutions do not verify is decided again with
    ``confirm_solutions`` more. Rejecting is the costly error (good data lost), and a small model's first few
    solutions often share one reading of a task that leaves it open; a verified response costs nothing more
    (measured on the labelled set, docs/verify.md "Fifth round")."""
    doubtful = [c for c in cases if c.provenance == "model" and not c.foreign and c.decision is not None
                and c.decision.verdict != "pass"]
    if not doubtful:
        return
    first = cfg.n_solutions
    _write_solutions(doubtful, cfg, client, seed, stage, range(first, first + cfg.confirm_solutions))
    for c in doubtful:
        c.dropped = Counter(parse_drops[id(c)])  # the validity drops are counted again over all candidates
    _run_cases(doubtful, cfg, with_solutions=True)
    for c in doubtful:
        assert c.decision is not None
        confirmed = {"solutions_before": first, "verdict": c.decision.verdict}
        if c.decision.verdict == "pass":
            # "verified" keeps meaning the first round agreed (on the tune split two mutants passed only later)
            c.decision = D.Decision("undecided", [], {**c.decision.evidence,
                                                      "why": "passes only with the solutions asked to confirm"})
        c.decision.evidence["confirmed"] = confirmed
        c.first_evidence = {"verdict": c.decision.verdict, **c.decision.evidence}


def _repair_round(cases: list[Case], cfg: VerifyConfig, client: Any, seed: int, stage: str, attempt: int) -> None:
    """One repair attempt for every failing case: a fix is tested on every test, a 'test is wrong' drops the test."""
    requests = []
    for c in cases:
        assert c.decision is not None and c.response_run is not None
        test, error = R.failing_test(c)
        prompt = T.REPAIR_PROMPT.format(instruction=clip(c.sample.instruction, 1500), code=clip(c.definitions, T.PROMPT_CHARS),
                                        test=test, error=error)
        requests.append(T.chat_request(prompt, cfg.repair_max_tokens, cfg.temperature,
                                 int_seed(seed, "verify-repair", c.sample.id, attempt), stage))
    fixed: list[Case] = []
    for case, completion in zip(cases, client.generate(requests), strict=True):
        case.count(completion)
        assert case.decision is not None
        test, error = R.failing_test(case)
        entry: dict[str, Any] = {"attempt": attempt, "test": test, "error": error}
        fix = R.read_answer(completion, entry)
        if entry["outcome"] == "test_wrong":
            if not cfg.trust_test_wrong:
                entry["dropped"] = False  # recorded, not acted on: the solutions' consensus outweighs the claim
            elif case.decision.failing:
                case.valid = [i for i in case.valid if i != case.decision.failing[0]]
            elif case.decision.probe is not None:  # the solutions' answer is named wrong: the probe goes
                case.probes = [p if i != case.decision.probe else "" for i, p in enumerate(case.probes)]
                for run in (case.response_run, *case.solution_runs):
                    if run is not None and case.decision.probe < len(run.answers):
                        run.answers[case.decision.probe] = "!Dropped"
            case.decision = _decide(case, cfg)
        elif fix:
            case.fixed_code, case.definitions = fix
            fixed.append(case)
        case.repairs.append(entry)
    if fixed:
        before = {id(c): c.valid for c in fixed}
        _run_cases(fixed, cfg, with_solutions=False)
        for c in fixed:  # tests keep the validity they had: a fix must not make a dropped test count again
            c.valid = before[id(c)]
            c.decision = _decide(c, cfg)
            c.repairs[-1]["passed"] = c.decision.verdict == "pass"


def _can_reject(cfg: VerifyConfig, embedded: bool) -> bool:
    return cfg.tests_can_reject == "always" or (cfg.tests_can_reject == "auto" and not embedded)


def _finish(case: Case, cfg: VerifyConfig, can_reject: bool, stage: str) -> str:
    """Record the decision (and any repair) on the sample; returns its status."""
    s, d = case.sample, case.decision
    assert d is not None and case.response_run is not None
    tests_params = {"provenance": case.provenance, "written": case.written, "valid": case.valid,
                    "dropped": dict(sorted(case.dropped.items())), "tests": case.tests,
                    "outcomes": case.first_outcomes, "solutions": len(case.solutions)}
    if case.response_run.load_error:
        tests_params["load_error"] = case.response_run.load_error
    s.record(TESTS_OP, "info", params=tests_params, model=case.model, stage=stage)
    repaired = case.fixed_code is not None and d.verdict == "pass"
    for r in case.repairs[:-1] if repaired else case.repairs:
        s.record(REPAIR_OP, "info", params=r, model=case.model, stage=stage)
    if repaired:
        before = s.response
        after = R.replace_code(before, case.program, case.fixed_code or "")
        s.messages = [dict(m) for m in s.messages]
        for m in reversed(s.messages):
            if m.get("role") == "assistant":
                m["content"] = after
                break
        s.record(REPAIR_OP, "modify", params=case.repairs[-1], before=before, after=after, model=case.model,
                 stage=stage)
    params = {"policy": "source_tests" if case.provenance == "source" else cfg.policy, **d.evidence}
    if any(r["attempt"] for r in case.repairs):  # a fix of an own example came before the first decision
        params["before_repair"] = case.first_evidence
    if d.failing:
        params["failing"] = [{"test": case.tests[i], "error": list(case.response_run.errors[i])}
                             for i in d.failing[:3]]
    elif d.probe is not None:  # failed on the differential evidence: the probe, as the assert shown to a repairer
        test, error = R.failing_test(case)
        params["failing"] = [{"test": test, "error": ["AnswerDiffers", error]}]
    if d.verdict == "pass":
        checks = ["failing_tests" if case.provenance == "source" else FAILING_REASON]
        s.record(DECIDE_OP, "keep", params={**params, "checks": checks}, stage=stage)
        status = "repaired" if repaired else "verified"
    elif case.must_verify:  # a fix made to match the response's own example, not confirmed by the tests
        s.reject(EXAMPLES_OP, EXAMPLES_REASON, params={**params, "verdict": d.verdict,
                                                       "why": "the fix for its own example is not verified"},
                 stage=stage)
        status = "rejected"
    elif (d.verdict == "fail" or case.first_evidence.get("verdict") == "fail") and (
            can_reject or case.provenance == "source"):
        # a fix that is not verified does not clear the response it was to fix
        # the sample's own tests (MBPP's) failing is curate's reason; the model's tests have their own
        s.reject(DECIDE_OP, "failing_tests" if case.provenance == "source" else FAILING_REASON, params=params,
                 stage=stage)
        status = "rejected"
    else:
        s.record(DECIDE_OP, "info", params={**params, "verdict": d.verdict}, stage=stage)
        status = "unverified"
    if status in ("verified", "repaired") and case.provenance == "model":
        passing = [case.tests[i] for i in case.valid if i in case.response_run.passed]
        s.meta["tests"] = passing
        s.meta["tests_provenance"] = {"by": "model", "model": case.model, "stage": stage, "policy": cfg.policy,
                                      "language": case.program.language}
    return status


def verify_samples(samples: list[Sample], cfg: VerifyConfig, client: Any | None, *, seed: int = 0,
                   stage: str = "verify", embedded: bool = False) -> list[Sample]:
    """Verify every candidate sample in place (see the module docstring); returns ``samples`` (same order).

    ``client`` is None for a model-free run (execution only); ``embedded`` says the client is the embedded
    default model, whose tests may not reject under ``tests_can_reject: auto``."""
    todo = [s for s in samples if is_candidate(s)]
    programs = [response_program(s.response, cfg.languages) for s in todo]
    executions = execute_programs(programs, cfg) if cfg.execute else [Execution("runs", p.language) for p in programs]
    cases: list[Case] = []
    example_cases: list[tuple[Sample, Program, str, list[Example]]] = []
    for sample, program, execution in zip(todo, programs, executions, strict=True):
        summary: dict[str, Any] = {"execution": execution.klass, "language": program.language}
        if execution.error:
            summary["error"] = execution.error
        sample.meta["verify"] = summary
        if cfg.execute:
            if execution.klass in cfg.reject:
                sample.reject(EXECUTE_OP, reject_reason(execution.klass), params=execution.to_params(), stage=stage)
                summary["status"] = "rejected"
                continue
            if execution.klass == "runs":  # a passed check, phrased by its reason (curate/reasons.py)
                sample.record(EXECUTE_OP, "keep", params={**execution.to_params(), "checks": [CRASH_REASON]},
                              stage=stage)
            else:
                sample.record(EXECUTE_OP, "info", params=execution.to_params(), stage=stage)
        summary["status"] = "unverified"
        if program.language in FT.LANGUAGES and program.language in cfg.languages:
            # tested with the model's Python asserts through the typed harnesses; they only mark (see _finish)
            if client is not None and cfg.tests is not False and cfg.policy == "agreement" and (
                    iface := FT.foreign_interface(sample.response, program.language)):
                cases.append(Case(sample, program, "", iface.prompt(), foreign=iface))
            continue
        tree = parse_python(program.source) if program.language == "python" else None
        if tree is None or not (program.functions or program.classes):
            continue
        if cfg.own_examples != "off" and (examples := own_examples(sample.response, program)):
            example_cases.append((sample, program, definitions_only(tree), examples))
        source_tests = [t for t in sample.meta.get("tests") or [] if isinstance(t, str)]
        want_model = client is not None and cfg.tests is not False
        if not source_tests and not want_model:
            continue
        case = Case(sample, program, definitions_only(tree), T.interface(program, tree))
        if source_tests:
            case.tests, case.provenance, case.written = source_tests, "source", len(source_tests)
        cases.append(case)
    can_reject = _can_reject(cfg, embedded)
    if example_cases:
        # a response that contradicts its own example may be repaired when the model's tests could confirm the fix
        repairable = {id(c.sample): c for c in cases if c.provenance == "model"} \
            if client is not None and can_reject and cfg.max_repairs else {}
        pending = []
        for sample, params, examples in _check_examples(example_cases, cfg, stage):
            if id(sample) not in repairable:
                _reject_for_examples(sample, params, stage)
                continue
            pending.append((repairable[id(sample)], params, examples))
        if pending:
            R.repair_examples(pending, cfg, client, seed, stage)
        for case, params, _examples in pending:
            if case.must_verify:  # fixed: the contradiction stays in the trace, the tests decide
                case.sample.record(EXAMPLES_OP, "info", params=params, stage=stage)
            else:
                for r in case.repairs:
                    case.sample.record(REPAIR_OP, "info", params=r, model=case.model, stage=stage)
                _reject_for_examples(case.sample, params, stage)
        cases = [c for c in cases if not c.sample.rejected]
    if cfg.max_samples is not None:
        model_cases = sorted((c for c in cases if c.provenance == "model"),
                             key=lambda c: unit_hash(seed, "verify-select", c.sample.id))
        keep = {id(c) for c in model_cases[: cfg.max_samples]}
        cases = [c for c in cases if c.provenance == "source" or id(c) in keep]
    model_cases = [c for c in cases if c.provenance == "model"]
    if model_cases:
        _write_tests(model_cases, cfg, client, seed, stage)
        if cfg.policy == "agreement":
            _write_solutions([c for c in model_cases if c.tests], cfg, client, seed, stage)
    for case in cases:
        if not case.tests:  # the model wrote nothing usable: say so, and keep the sample unverified
            case.sample.record(TESTS_OP, "info", params={"provenance": case.provenance, "written": case.written,
                                                         "valid": 0, "dropped": dict(sorted(case.dropped.items()))},
                               model=case.model, stage=stage)
            case.sample.meta["verify"].update(tests={"written": case.written, "valid": 0, "passed": 0},
                                              tokens=case.tokens)
    cases = [c for c in cases if c.tests]
    if cases:
        parse_drops = {id(c): Counter(c.dropped) for c in cases}
        _run_cases(cases, cfg, with_solutions=True)
        if client is not None and can_reject and cfg.policy == "agreement" and cfg.confirm_solutions:
            _confirm_rejections(cases, parse_drops, cfg, client, seed, stage)
    # tests that may not reject may not rewrite either: a weak model's fix passing its own wrong tests would
    # replace a good response
    for attempt in range(1, (cfg.max_repairs if can_reject else 0) + 1):
        failing = [c for c in cases if c.decision and c.decision.verdict == "fail" and not c.foreign
                   and not c.must_verify and client is not None and c.response_run is not None and c.response_run.usable]
        if not failing:
            break
        _repair_round(failing, cfg, client, seed, stage, attempt)
    for case in cases:
        # a foreign response's tests only mark: its run skips a function's later calls once one threw
        # (decontam's Java harness), and no repair is asked in its language
        status = _finish(case, cfg, can_reject and not case.foreign, stage)
        summary = case.sample.meta["verify"]
        summary.update(status=status, tests={"written": case.written, "valid": len(case.valid),
                                             "passed": len(case.response_run.passed & set(case.valid))
                                             if case.response_run else 0},
                       policy=case.provenance if case.provenance == "source" else cfg.policy, tokens=case.tokens)
        if case.repairs:
            summary["repairs"] = len(case.repairs)
    return samples


def _outcome(summary: dict[str, Any]) -> str:
    """The report's column for a verified sample: its status, or how it ran when no test decided."""
    status = summary.get("status", "unverified")
    if status != "unverified":
        return status
    return {"runs": "runs", "crashes": "crashes"}.get(summary["execution"], "unverifiable")


def verify_stats(samples: list[Sample]) -> dict[str, Any]:
    """Counts for the manifest (sums, so shards add up): execution classes, statuses, crash types, valid tests
    of the verified samples, tokens, and the outcome per source (runs, crashes, verified, repaired, rejected,
    unverifiable)."""
    summaries = [(s.source, s.meta["verify"]) for s in samples if isinstance(s.meta.get("verify"), dict)]
    verified = [v for _, v in summaries if v.get("status") in ("verified", "repaired")]
    by_source: dict[str, Counter] = {}
    for source, v in summaries:
        by_source.setdefault(source, Counter())[_outcome(v)] += 1
    return {
        "samples": len(summaries),
        "execution": dict(sorted(Counter(v["execution"] for _, v in summaries).items())),
        "status": dict(sorted(Counter(v.get("status", "unverified") for _, v in summaries).items())),
        "crash_types": dict(sorted(Counter(v["error"].get("type", "?") for _, v in summaries
                                           if v["execution"] == "crashes" and v.get("error")).items())),
        "verified": len(verified),
        "verified_tests": sum(v["tests"]["valid"] for v in verified),
        "tokens": sum(v.get("tokens", 0) for _, v in summaries),
        "by_source": {src: dict(sorted(c.items())) for src, c in sorted(by_source.items())},
    }


def run_verify(samples: list[Sample], cfg: VerifyConfig, ctx: StageContext) -> list[Sample]:
    """The verify stage over one shard (see the module docstring)."""
    if not cfg.enabled:
        return samples
    stage = ctx.stage or "verify"
    embedded = ctx.resolve_model(cfg.model).backend == "embedded"
    tests = cfg.tests if cfg.tests is not None else not embedded
    if tests and any(is_candidate(s) for s in samples):
        with ctx.llm(cfg.model) as client:
            verify_samples(samples, cfg, client, seed=ctx.seed, stage=stage, embedded=embedded)
    else:
        verify_samples(samples, cfg, None, seed=ctx.seed, stage=stage)
    ctx.stats["verify"] = verify_stats(samples)
    ctx.progress(len(samples))
    return samples
