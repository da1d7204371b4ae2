"""The one verdict policy of decontamination by meaning: what is run on which candidate, which evidence convicts,
and what the rejection records.

Candidates are the problems nearest to an instruction in meaning (``retrieval/embedding.py``); a candidate
becomes a hit only with evidence beyond the cosine (a cosine alone flags "sum of the even numbers of a list" as
MBPP/270, "sum of even numbers at even positions"), strongest first:

- **execution** (cosine >= ``exec_threshold``, or ``exec_strong_threshold`` for a problem with many tests): the
  sample's code passes the problem's own tests in the sandbox (``signals/python.py``, ``signals/foreign.py``);
  a function that passes but fails any test is a different problem, unless it passed every one of the
  benchmark's own inputs and answered only a few added ones otherwise (a near pass, among the ``top_k``);
- **statement** (cosine >= ``statement_threshold``, among the ``top_k`` nearest): the instruction keeps the
  statement's key facts (``signals/facts.py``); for samples without runnable code, and for paraphrases whose
  interface differs from the benchmark's (their code fails its tests);
- **judge** (optional, ``judge_model``; cosine >= ``judge_threshold``, where neither decides): a model asked
  whether the instruction states the same problem (``signals/judge.py``).

A **statement veto** (``signals/facts.py``, :func:`statement_veto`) stands between a passing run or kept key
facts and a conviction: when the sample's statement adds a constraint on the input/output contract that the
benchmark's does not state, or drops one it states ("the smallest *positive* element" against MBPP/62's
smallest number, "the length of a list" against HumanEval/23's string), the tests could not tell the two apart
and that candidate does not convict; the next one may. What was vetoed is recorded (``veto``) on the hit, or
on the kept sample's trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from alchemistcoder.decontam.signals._lift_main import LIFTED_NAMES
from alchemistcoder.decontam.signals.facts import (
    KeyFacts,
    facts_agree,
    key_facts,
    names_agree,
    names_order,
    same_name,
    statement_veto,
)
from alchemistcoder.decontam.signals.python import adapted_function, fitting, is_adapter

if TYPE_CHECKING:
    from alchemistcoder.decontam.config import DecontamConfig
    from alchemistcoder.decontam.problems import BenchProblem
    from alchemistcoder.decontam.retrieval.embedding import Candidate
    from alchemistcoder.decontam.signals.python import ExecVerdict, SampleCode


def exec_floor(cfg: DecontamConfig) -> float:
    """The lowest cosine at which a sample's code is run at all."""
    return min(cfg.exec_threshold, cfg.exec_strong_threshold, cfg.exec_named_threshold)


def retrieval_floor(cfg: DecontamConfig) -> float:
    """The lowest cosine at which a problem is a candidate for any signal."""
    return min(exec_floor(cfg), cfg.statement_threshold, cfg.statement_unrun_threshold,
               cfg.judge_threshold if cfg.judge_model else 1.0)


def tries(cfg: DecontamConfig, c: Candidate, p: BenchProblem, code: SampleCode, strong_top_k: int | None = None,
          unfit_nearer: int = 0) -> list[str]:
    """The sample's functions to run on a candidate's tests (none: not near enough).

    Among the ``top_k`` nearest: at ``exec_threshold``, or the lower ``exec_strong_threshold`` for a problem
    with many tests ("accepts a string and reverses the words in it" reads 0.51 against MBPP/604's
    statement; passing its 53 tests is the evidence); a problem with many tests also to ``exec_strong_top_k``
    (MBPP's three assertions are passed by near misses there). Further down, to ``exec_top_k``: a problem with
    many tests, at ``exec_named_threshold``, tried only on the functions named like its entry point. The answer
    adapters (``signals/python.py``, ``_adapt_*``) only on the ``exec_adapter_top_k`` nearest at
    ``exec_adapter_threshold`` (:func:`~alchemistcoder.decontam.signals.python.is_adapter`: the in-place one goes
    with its function), and among the ``top_k`` at ``exec_threshold`` for a function with the entry point's name. A problem its words retrieve too (``Candidate.lexical``, also one among the nearest): with
    many tests, whatever its cosine and rank. ``strong_top_k``: ``exec_strong_top_k`` by default (:func:`foreign_tries` passes its own).
    ``unfit_nearer``: nearer candidates none of the sample's functions can be called on; they do not count against
    ``strong_top_k``.
    """
    strong = c.cosine >= cfg.exec_strong_threshold and p.tests >= cfg.exec_strong_tests
    near = c.rank < cfg.exec_adapter_top_k and c.cosine >= cfg.exec_adapter_threshold
    deep = cfg.exec_strong_top_k if strong_top_k is None else strong_top_k
    if (c.rank < cfg.top_k and (strong or c.cosine >= cfg.exec_threshold)) or (c.rank - unfit_nearer < deep and strong):
        # further from the nearest, an adapter is tried for a function named as the entry point is (a
        # ``binary_search`` that answers the index, MBPP/492's found-flag at cosine 0.60)
        return [name for name in fitting(code, p) if near or not is_adapter(name)
                or (c.rank < cfg.top_k and c.cosine >= cfg.exec_threshold and same_name(adapted_function(name), p.entry_point))]
    if c.lexical:  # retrieved by its words: many tests, all of them passed, are the evidence
        return [name for name in fitting(code, p) if not is_adapter(name)] if p.tests >= cfg.exec_strong_tests else []
    if c.rank < cfg.exec_top_k and c.cosine >= cfg.exec_named_threshold and p.tests >= cfg.exec_strong_tests:
        return [name for name in fitting(code, p) if names_agree(name, p.entry_point) and not is_adapter(name)]
    return []


def foreign_candidates(cfg: DecontamConfig, cands: list[Candidate]) -> list[Candidate]:
    """The candidates a C++, Java, JavaScript, Go, Rust or C sample is run on (whose Python proved nothing): the
    ``top_k`` (or ``exec_strong_top_k``) nearest at ``exec_foreign_threshold``, and, as for Python further down to
    ``exec_top_k``, any candidate at ``exec_named_threshold``, where :func:`foreign_tries` keeps a problem with
    many tests and the functions named like it (a JavaScript ``findLargestNumber`` has three "largest of ..."
    problems nearer than HumanEval/35's ``max_element``)."""
    return [c for c in cands[: cfg.exec_top_k] if c.cosine >= min(cfg.exec_foreign_threshold, exec_floor(cfg))]


def foreign_tries(cfg: DecontamConfig, c: Candidate, p: BenchProblem, code: SampleCode,
                  unfit_nearer: int = 0) -> list[str]:
    """The foreign sample's functions to run on a candidate's tests: :func:`tries` (with many tests down to
    ``exec_foreign_top_k``), and below
    ``exec_foreign_threshold`` only the functions named like the problem's entry point.

    The rule a deep candidate already had (rank ``exec_top_k``, named like it, many tests), now at every rank: a
    near candidate below the foreign threshold was held to a stricter bar than a far one (a C ``power`` had
    MBPP/93's ``power`` at rank 4, cosine 0.552, and was not tried; at rank 5 it would have been). The name is
    the evidence that stands in for the cosine, as it does for Python's deep candidates; the tests decide. A lifted
    ``main`` (``signals/_lift_main.py``), which has no name, is tried as a Python function would be.

    ``exec_foreign_top_k`` counts the nearer problems the sample's functions can be called on (``unfit_nearer``:
    those they cannot): it bounds the programs' work, which a problem no function fits adds nothing to. A Java
    ``sumOfTwo(int, int)`` had HumanEval/53's ``add(x, y)`` at rank 7, and at rank 8 once HumanEval/60's one-argument
    ``sum_to_n`` came nearer."""
    names = tries(cfg, c, p, code, strong_top_k=cfg.exec_foreign_top_k, unfit_nearer=unfit_nearer)
    if c.cosine < cfg.exec_foreign_threshold:
        # a program's ``main`` lifted as a function has no name of its own to agree or not: as Python's functions
        names = [name for name in names if names_agree(name, p.entry_point) or name in LIFTED_NAMES]
    return names


def answer_candidates(cfg: DecontamConfig, cands: list[Candidate], problems: list[BenchProblem],
                      arity: int) -> list[Candidate]:
    """The candidates whose reference solution is run on a bare answer's inputs (``signals/answers.py``): as far
    down as a problem with many tests is tried (``exec_strong_top_k`` at ``exec_strong_threshold``: "what is the
    maximum element in the given array" has three "maximum ..." problems nearer than HumanEval/35), with
    EvalPlus inputs (a reference to run) and the arity of the instruction's inputs."""
    return [c for c in cands[: cfg.exec_strong_top_k] if c.cosine >= cfg.exec_strong_threshold
            and problems[c.problem].mode == "inputs" and problems[c.problem].arity == arity]


def best_facts(statements: list[KeyFacts], instruction: str, min_words: float) -> tuple[bool, dict[str, Any]]:
    """Whether the instruction keeps the key facts of one of the problem's statements (the best one)."""
    mine = key_facts(instruction)
    best: tuple[bool, dict[str, Any]] = (False, {})
    for facts in statements:
        ok, detail = facts_agree(facts, mine, min_words)
        if ok or not best[1] or detail["shared_words"] > best[1]["shared_words"]:
            best = (ok, detail)
        if ok:
            break
    return best


class Decision(NamedTuple):
    """One sample's verdict: the hit's rejection params (or None), the candidate only a judge could decide (or
    None), and the statement veto that kept a passing candidate from convicting (or None)."""

    hit: dict[str, Any] | None
    ask: Candidate | None
    veto: dict[str, Any] | None


def _veto(cfg: DecontamConfig, problems: list[BenchProblem], c: Candidate, signal: str, verdict: ExecVerdict | None,
          instruction: str) -> dict[str, Any] | None:
    """The statement veto of a candidate that would convict (``signal``), as recorded: the problem, the
    evidence it would have convicted on, and the constraints the statements disagree on; None when the
    statements agree (or ``cfg.statement_veto`` is off)."""
    if not cfg.statement_veto:
        return None
    p = problems[c.problem]
    reasons = statement_veto(p.statements, instruction, p.nested_input, p.string_input)
    if reasons is None:
        return None
    veto: dict[str, Any] = {"benchmark": p.benchmarks[0], "task_id": p.key, "signal": signal,
                            "cosine": round(c.cosine, 4)}
    if verdict is not None:
        veto.update(tests_passed=verdict.passed, tests_total=verdict.total)
    return {**veto, **reasons}


def decide(cfg: DecontamConfig, problems: list[BenchProblem], facts: list[list[KeyFacts]], instruction: str,
           cands: list[Candidate], verdicts: dict[str, ExecVerdict], runnable: bool = True) -> Decision:
    """One sample's :class:`Decision`. ``instruction`` is cut as embedded; ``runnable``: whether the sample has
    code the sandbox can run (without, its statement is judged from ``statement_unrun_threshold``).

    Execution first (the nearest candidate whose tests the sample's code passes), then the key facts; a
    candidate either would convict on is passed over when its statement veto holds (the first such veto is
    kept: on the hit's evidence when another candidate convicts, else as the decision's ``veto``)."""
    vetoed: list[dict[str, Any]] = []
    for c in cands:
        v = verdicts.get(problems[c.problem].key)
        # a near pass is weaker evidence than a pass: only among the ``top_k`` nearest (a palindrome check nearly
        # passes MBPP/285's mostly-False tests at rank 4), unless every answer it differs on differs only in the
        # whitespace of an oddly spaced input (``split(' ')`` for ``split()``: a JavaScript ``reverseWords`` has
        # MBPP/604 at rank 9); and so is a pass in any order: only among the ``top_k``, and only for an instruction
        # that names no order itself ("all permutations of a string without duplicates, sorted" passes MBPP/374's
        # tests in any order)
        if v is not None and v.leak and (not (v.near > v.spacing or v.unordered) or c.rank < cfg.top_k) \
                and not (v.unordered and names_order(instruction)):
            veto = _veto(cfg, problems, c, "execution", v, instruction)
            if veto is None:
                return Decision(_with_veto(evidence(cfg, problems, c, "execution", v, cands, verdicts), vetoed), None,
                                None)
            vetoed.append(veto)
    # the statement signal also where the tests failed: a paraphrase often changes the interface
    # (a binary number as a string, Fibonacci counted from 1), and its key facts still decide
    threshold = cfg.statement_threshold if runnable else min(cfg.statement_threshold, cfg.statement_unrun_threshold)
    for c in cands[: cfg.top_k]:
        if c.stated >= threshold:
            ok, detail = best_facts(facts[c.problem], instruction, cfg.statement_words)
            if ok:
                veto = _veto(cfg, problems, c, "statement", None, instruction)
                if veto is None:
                    return Decision(_with_veto(evidence(cfg, problems, c, "statement", None, cands, verdicts,
                                                        facts=detail), vetoed), None, None)
                vetoed.append(veto)
        if cfg.judge_model and c.stated >= cfg.judge_threshold:
            return Decision(None, c, _first(vetoed))
    return Decision(None, None, _first(vetoed))


def _first(vetoed: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first veto, naming the other vetoed problems (``others``)."""
    if not vetoed:
        return None
    others = [v["task_id"] for v in vetoed[1:] if v["task_id"] != vetoed[0]["task_id"]]
    return {**vetoed[0], **({"others": others} if others else {})}


def _with_veto(params: dict[str, Any], vetoed: list[dict[str, Any]]) -> dict[str, Any]:
    """A hit's params with the vetoes of nearer candidates (``veto``): why they did not convict."""
    first = _first(vetoed)
    return {**params, "veto": first} if first else params


def evidence(cfg: DecontamConfig, problems: list[BenchProblem], c: Candidate, signal: str,
             verdict: ExecVerdict | None, cands: list[Candidate], verdicts: dict[str, ExecVerdict],
             facts: dict[str, Any] | None = None, judge: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rejection params of a hit: ``benchmark``, ``task_id``, ``signal`` (execution, statement or judge),
    ``score`` (the cosine), ``span`` (the problem's statement), ``scores`` (cosine, tests passed/total and the
    function, key facts, judge answer) and ``also`` (the other candidates with their cosine and tests)."""
    p = problems[c.problem]
    scores: dict[str, Any] = {"cosine": round(c.cosine, 4), **({"by_words": True} if c.lexical else {}),
                              **({"whole_cosine": round(c.whole, 4)} if c.whole is not None else {})}
    if verdict is not None:
        scores.update(verdict.to_params())
    if facts is not None:
        scores["facts"] = facts
    if judge is not None:
        scores["judge"] = judge
    also = []
    for other in cands:
        if other is c or (other.rank >= cfg.top_k and problems[other.problem].key not in verdicts):
            continue  # the evidence names the nearest problems and those whose tests ran
        q = problems[other.problem]
        entry: dict[str, Any] = {"benchmark": q.benchmarks[0], "task_id": q.key, "cosine": round(other.cosine, 4)}
        if q.key in verdicts:
            entry.update(verdicts[q.key].to_params())
        also.append(entry)
    params = {"benchmark": p.benchmarks[0], "task_id": p.key, "signal": signal, "score": round(c.cosine, 4),
              "span": p.statements[0][:400], "scores": scores, "benchmarks": list(p.benchmarks)}
    if also:
        params["also"] = also
    return params
