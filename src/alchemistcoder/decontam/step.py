"""The one decontamination step curation calls: the n-gram signals, then the meaning-level pass.

:func:`decontaminate_samples` rejects, in place, samples that overlap a benchmark. The n-gram signals
(``retrieval/ngram.py``) find copies; the samples they leave go, when ``embedding`` is on, to the meaning-level
pass (:class:`SemanticIndex`): the nearest problems in meaning (``retrieval/embedding.py``), the sample's code
run on their tests (``signals/python.py``, ``signals/foreign.py``, verdicts kept in ``stores.VerdictStore``),
the statements' key facts (``signals/facts.py``) and the optional judge (``signals/judge.py``), decided by the
one verdict policy (``policy.py``). :class:`DecontamIndex` holds both indexes for a process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections import Counter
from functools import lru_cache
from typing import Any

import numpy as np

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.policy import (
    answer_candidates,
    decide,
    evidence,
    exec_floor,
    foreign_candidates,
    foreign_tries,
    retrieval_floor,
    tries,
)
from alchemistcoder.decontam.problems import BenchProblem, load_problems
from alchemistcoder.decontam.retrieval.embedding import MAX_INSTRUCTION_CHARS, Candidate, EmbeddingIndex
from alchemistcoder.decontam.retrieval.ngram import BenchEntry, NgramIndex, load_entries
from alchemistcoder.decontam.retrieval.parts import Part, split_parts
from alchemistcoder.decontam.signals.answers import (
    ANSWER_FUNCTION,
    answer_code,
    answer_inputs,
    answer_problem,
)
from alchemistcoder.decontam.signals.facts import FactsGate, KeyFacts, key_facts
from alchemistcoder.decontam.signals.foreign import ForeignCode, foreign_code, verify_foreign
from alchemistcoder.decontam.signals.judge import ask_judge
from alchemistcoder.decontam.signals.python import (
    ExecVerdict,
    SampleCode,
    fitting,
    reference_cases,
    sample_code,
    verify,
)
from alchemistcoder.decontam.stores import EXEC_VERSION, DecisionStore, VerdictStore, source_digest
from alchemistcoder.records import Sample

OP = "decontaminate"
REASON = "contaminated"



class SemanticIndex:
    """The meaning-level pass over benchmark problems: retrieves candidates, runs the signals (verdicts kept in
    the :class:`VerdictStore`) and applies the verdict policy."""

    def __init__(self, problems: list[BenchProblem], cfg: DecontamConfig, embedder: Any = None) -> None:
        self.problems = problems
        self.cfg = cfg
        self.retrieval = EmbeddingIndex([p.statements for p in problems], cfg.embedding_model, embedder,
                                        backend=cfg.embedding_backend)
        self.facts: list[list[KeyFacts]] = [[key_facts(s) for s in p.statements] for p in problems]
        self.facts_gate = FactsGate(self.facts, cfg.statement_words)
        self.verdicts = VerdictStore()
        self._cases: dict[str, list[tuple[list[Any], Any]]] = {}  # test cases by problem, for foreign.py
        # the reference solutions' answers by problem, marshalled by the probe (signals/python.py reference_outputs)
        self._expected: dict[str, str | None] = {}
        self._digests: dict[str, str] = {}  # by problem key, for the verdict store (_tests_digest)
        self._run_key: str | None = None  # what every stored decision depends on but the pair (decide_stored)
        # seconds spent embedding and in the sandbox, and samples run there (decontaminate_samples reports them)
        self.stats: Counter[str] = Counter()
        # the units (of the last ``_decide_units``) and pairs (of the last ``decide_with_vetoes``) decided without a
        # verdict the sandbox lost: their decisions are not stored (``decide_stored``)
        self.unsettled_units: set[int] = set()
        self.unsettled: set[int] = set()

    @property
    def embedder(self) -> Any:
        """The sentence-transformers model, loaded on first use."""
        return self.retrieval.embedder

    def statement_embeddings(self) -> np.ndarray:
        """The problems' statements' embeddings (computed once per process)."""
        return self.retrieval.statement_embeddings()

    def candidates(self, instructions: list[str]) -> list[list[Candidate]]:
        """Each instruction's nearest problems (``max(top_k, exec_top_k)`` at most), nearest first, then those its
        words retrieve (``exec_lexical_k``, :meth:`FactsGate.covering`)."""
        cfg = self.cfg
        extra = [self.facts_gate.covering(i, cfg.exec_lexical_share, cfg.exec_lexical_k) for i in instructions] \
            if cfg.exec_lexical_k else None
        return self.retrieval.candidates(instructions, retrieval_floor(cfg), max(cfg.top_k, cfg.exec_top_k), extra)

    def needs_retrieval(self, pairs: list[tuple[str, str]]) -> tuple[list[int], dict[int, SampleCode | None]]:
        """The pairs that any signal could convict, whatever their cosines (those are embedded and retrieved; the
        others are kept without embedding their instruction), and the Python code of those whose code was read.

        Exact, not an estimate: without Python functions to run and without C++/Java/JavaScript/Go/Rust/C code,
        only the statement signal can convict (the judge when one is set: then every pair is retrieved), and it
        needs the instruction to keep the key facts of some statement (``FactsGate``). On the shared samples
        this leaves 5,424 of 15,148 instructions unembedded (docs/decontam_cost.md)."""
        live: list[int] = []
        codes: dict[int, SampleCode | None] = {}
        for k, (instruction, response) in enumerate(pairs):
            # the cheapest test first: the key facts (about 0.1 ms), then parsing the code (about 0.5 ms)
            if self.cfg.judge_model or self.facts_gate.any_agree(instruction[:MAX_INSTRUCTION_CHARS]):
                live.append(k)
                continue
            codes[k] = code = sample_code(response)
            if (code is not None and code.functions) or foreign_code(response) is not None \
                    or self._answer_inputs(instruction, response) is not None:
                live.append(k)
        return live, codes

    @staticmethod
    def _answer_inputs(instruction: str, response: str) -> tuple[Any, list[Any]] | None:
        """A bare answer and the instruction's literal inputs (``signals/answers.py``), or None."""
        return answer_inputs(instruction[:MAX_INSTRUCTION_CHARS], response)

    # -- verification ----------------------------------------------------------------------------------
    def _verify_answers(self, pairs: list[tuple[str, str]], cands: list[list[Candidate]],
                        verdicts: list[dict[str, ExecVerdict]], code_of: Any) -> None:
        """Execution for bare answers (no code: the response is the answer to the instruction's own example):
        each near candidate's reference runs on the instruction's inputs and must give the answer; its
        verdict joins ``verdicts`` under the problem's key (``signals/answers.py``)."""
        cfg = self.cfg
        runs = []
        for k, ((instruction, response), cs) in enumerate(zip(pairs, cands, strict=True)):
            found = self._answer_inputs(instruction, response) if cs else None
            if found is None or code_of(k) is not None or foreign_code(response) is not None:
                continue
            value, inputs = found
            near = answer_candidates(cfg, cs, self.problems, len(inputs))
            if near:
                todo = [(answer_problem(self.problems[c.problem], inputs), [ANSWER_FUNCTION]) for c in near]
                runs.append((k, answer_code(value, len(inputs)), todo))
        found_verdicts: list[dict[str, ExecVerdict]] = [{} for _ in pairs]
        self._stored_run(runs, found_verdicts, lambda code: "\n\x1f".join(code.statements),
                         lambda todo, lost: verify(todo, cfg.exec_timeout_s, cfg.exec_call_limit_s,
                                                   workers=cfg.exec_workers or None, expected=self._expected, lost=lost))
        for k, by_key in enumerate(found_verdicts):
            for key, v in by_key.items():
                real = key.split("/", 1)[1]  # answer_problem's key names the problem after its first "/"
                verdicts[k][real] = dataclasses.replace(v, problem=real)
        self.stats["exec_answer_samples"] += len(runs)

    def _verify_foreign(self, pairs: list[tuple[str, str]], cands: list[list[Candidate]],
                        verdicts: list[dict[str, ExecVerdict]]) -> None:
        """Execution for the samples whose Python proved nothing and that have C++, Java or JavaScript
        (``signals/foreign.py``): their verdicts join ``verdicts``."""
        cfg = self.cfg
        runs = []
        for k, ((_i, response), cs) in enumerate(zip(pairs, cands, strict=True)):
            near = foreign_candidates(cfg, cs)
            if any(v.leak for v in verdicts[k].values()) or not near:
                continue
            code = foreign_code(response)
            if code is None:
                continue
            shape = code.as_sample_code()
            todo, unfit = [], 0
            for c in near:
                p = self.problems[c.problem]
                if p.mode in ("inputs", "asserts") and (names := foreign_tries(cfg, c, p, shape, unfit)):
                    todo.append((p, names))
                unfit += not fitting(shape, p)
            if todo:
                runs.append((k, code, todo))

        def run(todo: list[tuple[ForeignCode, list[tuple[BenchProblem, list[str]]]]],
                lost: set[int]) -> list[dict[str, ExecVerdict]]:
            missing = list({p.key: p for _c, problem_names in todo for p, _n in problem_names if p.key not in self._cases}.values())
            self._cases.update(reference_cases(missing, cfg.exec_call_limit_s, workers=cfg.exec_workers or None))
            return verify_foreign([(code, [(p.key, names, self._cases.get(p.key, [])) for p, names in problem_names])
                                   for code, problem_names in todo], cfg.exec_timeout_s, workers=cfg.exec_workers or None,
                                  originals={p.key: p.inputs[: p.base] for _c, pn in todo for p, _n in pn},
                                  near_share=cfg.exec_near_share, lost=lost)

        started = time.perf_counter()
        self._stored_run(runs, verdicts, lambda code: f"{code.language}\x1f{code.source}", run)
        self.stats["exec_foreign_s"] += time.perf_counter() - started  # part of exec_s (bench/decontam_cost.py)
        self.stats["exec_foreign_samples"] += len(runs)

    def _tests_digest(self, p: BenchProblem) -> str:
        """A problem's key and tests as one digest (part of a verdict's key: other benchmark files with the same
        task ids, or more plus inputs, are other tests)."""
        if p.key not in self._digests:
            spec = json.dumps(p.test_spec(), sort_keys=True, default=repr)
            self._digests[p.key] = f"{p.key}:{hashlib.sha256(spec.encode()).hexdigest()[:16]}"
        return self._digests[p.key]

    def _stored_run(self, runs: list[tuple[int, Any, list[tuple[BenchProblem, list[str]]]]],
                    verdicts: list[dict[str, ExecVerdict]], source: Any, run: Any) -> None:
        """Run ``runs`` (sample, code, tries) through ``run``, the tries whose verdict is stored excepted; the
        new verdicts are stored (by ``source(code)``, the problem, the functions and the execution settings).
        ``run(todo, lost)`` fills ``lost`` with the positions in ``todo`` whose job was cut short; their samples
        join :attr:`unsettled_units`."""
        cfg = self.cfg
        settings = f"{EXEC_VERSION}/{cfg.exec_timeout_s}/{cfg.exec_call_limit_s}/{cfg.exec_near_share}"
        keys = {}
        for k, code, todo in runs:
            text = source(code)
            for p, names in todo:
                raw = f"{settings}\x1f{text}\x1f{self._tests_digest(p)}\x1f{','.join(names)}"
                keys[(k, p.key)] = hashlib.sha256(raw.encode()).digest()[:16]
        found = self.verdicts.get(list(keys.values()))
        left_over = []
        for k, code, todo in runs:
            for p, _names in todo:
                if keys[(k, p.key)] in found:
                    verdicts[k][p.key] = ExecVerdict(**found[keys[(k, p.key)]])
            left = [(p, names) for p, names in todo if keys[(k, p.key)] not in found]
            if left:
                left_over.append((k, code, left))
        self.stats["exec_cached"] += len(found)
        if not left_over:
            return
        new = {}
        lost: set[int] = set()
        results = run([(code, left) for _k, code, left in left_over], lost)
        self.unsettled_units.update(left_over[at][0] for at in lost)
        for (k, _code, left), result in zip(left_over, results, strict=True):
            for p, _names in left:
                if p.key in result:
                    verdicts[k][p.key] = result[p.key]
                    new[keys[(k, p.key)]] = dataclasses.asdict(result[p.key])
        self.verdicts.put(new)

    def decide(self, pairs: list[tuple[str, str]], ctx: Any = None) -> list[dict[str, Any] | None]:
        """The meaning-level hit of each (instruction, response) pair as rejection params (``policy.evidence``),
        or None; ``ctx`` (a StageContext) opens the judge model when ``judge_model`` is set."""
        return self.decide_with_vetoes(pairs, ctx)[0]

    def decide_stored(self, pairs: list[tuple[str, str]], ctx: Any = None) -> tuple[list[dict[str, Any] | None],
                                                                                    list[dict[str, Any] | None]]:
        """:meth:`decide_with_vetoes` through the stored decisions of past runs: a warm run over the same samples
        decides nothing again (the gate, reading code, retrieval and the policy took 12 s of a warm curate run over
        the shared samples, twice the n-gram signals' time; docs/decontam_cost.md). A decision's key holds the pair,
        the package's source, the config and the problems' statements and tests; decisions are kept beside the
        verdict store (a fresh one means fresh decisions). With a judge every pair is decided (the LLM layer caches
        its answers). Stored or not, a decision is what its JSON text reads, so a cold and a warm run agree."""
        if self.cfg.judge_model:
            return self.decide_with_vetoes(pairs, ctx)
        if self._run_key is None:
            spec = {"source": source_digest(), "exec": EXEC_VERSION, "config": self.cfg.model_dump(exclude={"exec_workers"}),
                    "problems": [[p.key, p.statements, self._tests_digest(p)] for p in self.problems]}
            self._run_key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=repr).encode()).hexdigest()
        store = DecisionStore(self.verdicts.path.with_name(DecisionStore.FILE))
        keys = [hashlib.sha256(f"{self._run_key}\x1f{i}\x1f{r}".encode()).digest()[:16] for i, r in pairs]
        found = store.get(list(dict.fromkeys(keys)))
        self.stats["decisions_cached"] += sum(key in found for key in keys)
        todo = [k for k, key in enumerate(keys) if key not in found]
        if todo:
            hits, vetoes = self.decide_with_vetoes([pairs[k] for k in todo], ctx)
            texts = [json.dumps({"hit": h, "veto": v}) for h, v in zip(hits, vetoes, strict=True)]
            new = {keys[k]: text for k, text in zip(todo, texts, strict=True)}
            # a decision made without a verdict the sandbox lost (a job cut short under load) is used, not stored:
            # the next run decides that sample again
            store.put({keys[k]: text for at, (k, text) in enumerate(zip(todo, texts, strict=True)) if at not in self.unsettled})
            self.stats["decisions_unsettled"] += len(self.unsettled)
            found.update(new)
        decided = [json.loads(found[key]) for key in keys]
        return [d["hit"] for d in decided], [d["veto"] for d in decided]

    def decide_with_vetoes(self, pairs: list[tuple[str, str]], ctx: Any = None) -> tuple[list[dict[str, Any] | None],
                                                                                        list[dict[str, Any] | None]]:
        """:meth:`decide`'s hits, and per pair the statement veto that kept a passing candidate from convicting
        a sample that is kept (``policy.decide``; None where there is none or the sample is a hit).

        A multi-part instruction (``retrieval/parts.py``) is retrieved and verified whole, as any other, and
        each of its parts on its own with the code that answers it; a hit of the whole comes first, else the
        first part's hit, which names the part in the evidence (``part``). A single-task instruction is one
        unit, decided exactly as before."""
        units: list[tuple[int, Part | None]] = [(k, None) for k in range(len(pairs))]
        for k, (instruction, response) in enumerate(pairs):
            for part in split_parts(instruction, response):
                units.append((k, part))
                if part.uncertain:  # its section may be another's: all the response's functions as well
                    units.append((k, dataclasses.replace(part, response=response, own=False, uncertain=False)))
        unit_pairs = [pairs[k] if part is None else (part.instruction, part.response) for k, part in units]
        if len(units) > len(pairs):
            self.stats["parts"] += len(units) - len(pairs)
        hits, asks, cands, verdicts, unit_vetoes = self._decide_units(unit_pairs)
        self.unsettled = {units[u][0] for u in self.unsettled_units}
        out: list[dict[str, Any] | None] = [None] * len(pairs)
        ask: dict[int, tuple[int, Candidate]] = {}
        for u, (k, part) in enumerate(units):
            if part is not None and out[k] is not None and "part" not in out[k] \
                    and (hits[u] or {}).get("task_id") == out[k]["task_id"]:
                out[k] = {**hits[u], "part": part.to_params()}  # the whole's hit, found in this part
            if out[k] is not None:
                continue
            if hits[u] is not None:
                out[k] = hits[u] if part is None else {**hits[u], "part": part.to_params()}
                ask.pop(k, None)
            elif asks[u] is not None and k not in ask:
                ask[k] = (u, asks[u])
        for k, params in enumerate(out):
            if params is not None and "part" not in params and len(units) > len(pairs):
                # a whole's hit that no part's retrieval confirms: the part nearest to the problem
                near = [(c.cosine, units[u][1]) for u, (j, part) in enumerate(units) if j == k and part is not None
                        for c in cands[u] if self.problems[c.problem].key == params["task_id"]]
                if near:
                    out[k] = {**params, "part": max(near, key=lambda x: x[0])[1].to_params()}
        if ask and ctx is not None:
            todo = list(ask.values())
            answers = ask_judge([(unit_pairs[u][0], self.problems[c.problem].statements[0]) for u, c in todo], cfg=self.cfg,
                                ctx=ctx)
            for (u, c), answer in zip(todo, answers, strict=True):
                if answer is not None and answer["same"]:
                    k, part = units[u]
                    params = evidence(self.cfg, self.problems, c, "judge", None, cands[u], verdicts[u], judge=answer)
                    out[k] = params if part is None else {**params, "part": part.to_params()}
        vetoes: list[dict[str, Any] | None] = [None] * len(pairs)
        for u, (k, part) in enumerate(units):
            if out[k] is None and vetoes[k] is None and unit_vetoes[u] is not None:
                vetoes[k] = unit_vetoes[u] if part is None else {**unit_vetoes[u], "part": part.to_params()}
        return out, vetoes

    def _decide_units(self, pairs: list[tuple[str, str]]) -> tuple[list[dict[str, Any] | None], list[Candidate | None],
                                                                   list[list[Candidate]], list[dict[str, ExecVerdict]],
                                                                   list[dict[str, Any] | None]]:
        """Per (instruction, response) pair: the hit's rejection params or None, the candidate to ask the judge
        about or None, the candidates, the execution verdicts and the statement veto of a kept pair or None."""
        cfg = self.cfg
        started = time.perf_counter()
        live, codes = self.needs_retrieval(pairs)
        self.stats["gate_s"] += time.perf_counter() - started
        self.stats["retrieval_skipped"] += len(pairs) - len(live)
        started = time.perf_counter()
        cands: list[list[Candidate]] = [[] for _ in pairs]
        for k, cs in zip(live, self.candidates([pairs[k][0] for k in live]), strict=True):
            cands[k] = cs
        self.stats["embed_s"] += time.perf_counter() - started
        started = time.perf_counter()
        floor = exec_floor(cfg)
        read: dict[int, SampleCode | None] = dict(codes)  # each pair's Python code, read once when first needed

        def code_of(k: int) -> SampleCode | None:
            if k not in read:
                read[k] = sample_code(pairs[k][1])
            return read[k]

        runs = []
        for k, cs in enumerate(cands):
            code = code_of(k) if any(c.cosine >= floor or c.lexical for c in cs) else None
            todo = [(self.problems[c.problem], names) for c in cs
                    if code and (names := tries(cfg, c, self.problems[c.problem], code))]
            if todo:
                runs.append((k, code, todo))
        verdicts: list[dict[str, ExecVerdict]] = [{} for _ in pairs]
        self.unsettled_units = set()
        self._stored_run(runs, verdicts, lambda code: "\n\x1f".join(code.statements),
                         lambda todo, lost: verify(todo, cfg.exec_timeout_s, cfg.exec_call_limit_s,
                                                   workers=cfg.exec_workers or None, expected=self._expected,
                                                   near_share=cfg.exec_near_share, lost=lost))
        self._verify_foreign(pairs, cands, verdicts)
        self._verify_answers(pairs, cands, verdicts, code_of)
        self.stats["exec_s"] += time.perf_counter() - started
        self.stats["exec_samples"] += len(runs)
        hits: list[dict[str, Any] | None] = [None] * len(pairs)
        asks: list[Candidate | None] = [None] * len(pairs)
        vetoes: list[dict[str, Any] | None] = [None] * len(pairs)
        for k, ((instruction, _r), cs) in enumerate(zip(pairs, cands, strict=True)):
            # no code the sandbox can run (prose, pseudo-code, C#): the statement is the only evidence (looked
            # at only where it matters, whatever thresholds execution ran at)
            low = min(cfg.statement_unrun_threshold, cfg.statement_threshold)
            runnable = not any(low <= c.stated < cfg.statement_threshold for c in cs[: cfg.top_k]) \
                or code_of(k) is not None or foreign_code(pairs[k][1]) is not None
            hits[k], asks[k], vetoes[k] = decide(cfg, self.problems, self.facts, instruction[:MAX_INSTRUCTION_CHARS], cs,
                                                 verdicts[k], runnable=runnable)
        return hits, asks, cands, verdicts, vetoes


class DecontamIndex(NgramIndex):
    """The n-gram indexes over benchmark ``entries`` and the meaning-level pass (:meth:`semantic`) over
    ``problems`` (default: loaded from ``cfg`` on first use); one per process serves every batch."""

    def __init__(self, entries: list[BenchEntry], cfg: DecontamConfig, problems: list[BenchProblem] | None = None) -> None:
        super().__init__(entries, cfg)
        self._problems = problems
        self._semantic: SemanticIndex | None = None

    def semantic(self) -> SemanticIndex:
        """The meaning-level pass (built on first use: it loads the problems' tests and the embedder lazily)."""
        if self._semantic is None:
            problems = self._problems if self._problems is not None else load_problems(self.cfg)
            self._semantic = SemanticIndex(problems, self.cfg)
        return self._semantic


@lru_cache(maxsize=2)
def _index_for(cfg_json: str) -> DecontamIndex:
    cfg = DecontamConfig.model_validate_json(cfg_json)
    return DecontamIndex(load_entries(cfg), cfg)


def shared_index(cfg: DecontamConfig) -> DecontamIndex:
    """The index for ``cfg``, built once per process (an executor worker keeps it for every shard it runs)."""
    return _index_for(cfg.model_dump_json())


def _name_parts(index: NgramIndex, flagged: list[tuple[Sample, dict[str, Any]]]) -> None:
    """For n-gram hits of multi-part instructions, the part that holds the match, in the evidence (``part``).

    The n-gram signals measure containment (the share of a problem's n-grams found in the sample), which the
    other parts of a sample cannot lower: each part is scored on its own only to name it, and the decision
    stays the whole sample's."""
    units = [(params, part) for sample, params in flagged for part in split_parts(sample.instruction, sample.response)]
    if not units:
        return
    for (params, part), matches in zip(units, index.score_batch([(p.instruction, p.response) for _, p in units]),
                                       strict=True):
        if "part" not in params and any(m.task_id == params["task_id"] for m in matches):
            params["part"] = part.to_params()


def decontaminate_samples(samples: list[Sample], cfg: DecontamConfig, index: DecontamIndex | None = None,
                          batch_size: int = 512, ctx: Any = None) -> int:
    """Reject samples that overlap a benchmark, in place; returns how many were rejected.

    The n-gram signals run first; the samples they leave go to the meaning-level signals when
    ``cfg.embedding`` is on (``ctx``, a StageContext, opens the judge model when ``cfg.judge_model`` is set).
    The rejection's params hold the best match (benchmark, task_id, signal, score, span, all scores) and up
    to two further matches under ``also``. Counts by signal go to ``ctx.stats["decontam_signals"]``; the
    meaning-level pass's seconds (embedding, sandbox) and sandboxed samples to ``ctx.stats["decontam_semantic"]``.
    """
    live = [s for s in samples if not s.rejected]
    if not live:
        return 0
    stage = ctx.stage if ctx is not None else "curate"  # the trace's stage name is the context's
    index = index or DecontamIndex(load_entries(cfg), cfg)
    signals: Counter = Counter()
    unflagged: list[Sample] = []
    for start in range(0, len(live), batch_size):
        batch = live[start : start + batch_size]
        flagged: list[tuple[Sample, dict[str, Any]]] = []
        for sample, matches in zip(batch, index.score_batch([(s.instruction, s.response) for s in batch]), strict=True):
            if not matches:
                unflagged.append(sample)
                continue
            params = matches[0].to_params()
            if len(matches) > 1:
                params["also"] = [{"benchmark": m.benchmark, "task_id": m.task_id, "signal": m.signal,
                                   "score": round(m.score, 4)} for m in matches[1:]]
            flagged.append((sample, params))
        _name_parts(index, flagged)
        for sample, params in flagged:
            sample.reject(OP, REASON, params=params, stage=stage)
            signals[params["signal"]] += 1
    timings: dict[str, float] = {}
    vetoed = 0
    if cfg.embedding and unflagged:
        semantic = index.semantic()
        before = dict(semantic.stats)
        # chunks bound the (samples x statements) similarity matrix
        for start in range(0, len(unflagged), 4096):
            chunk = unflagged[start : start + 4096]
            hits, vetoes = semantic.decide_stored([(s.instruction, s.response) for s in chunk], ctx)
            for sample, params, veto in zip(chunk, hits, vetoes, strict=True):
                if params is not None:
                    sample.reject(OP, REASON, params=params, stage=stage)
                    signals[params["signal"]] += 1
                elif veto is not None:  # the trace says why a sample whose code passed a benchmark's tests is kept
                    sample.record(OP, "keep", params={"veto": veto}, stage=stage)
                    vetoed += 1
        timings = {k: round(v - before.get(k, 0), 4) for k, v in semantic.stats.items()}
        if vetoed:
            timings["vetoed"] = vetoed  # samples kept by a statement veto (issue 24, item 4)
    if ctx is not None:
        from alchemistcoder.stage import merge_stats

        merge_stats(ctx.stats, {"decontam_signals": dict(signals), "decontam_semantic": timings})
    return sum(signals.values())
