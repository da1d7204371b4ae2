"""Retrieval of copies: the benchmark tasks whose text, code or tests a training sample overlaps.

Contamination takes many forms (a verbatim problem, a reworded one, the canonical solution with renamed
variables or under an unrelated instruction, leaked test assertions, a problem inside a longer task), so a
sample is compared with every benchmark task on four signals, as in the paper:

- **text**: the share of the task's problem-statement word n-grams found in the sample (containment, so a
  problem embedded in a longer task still scores 1.0);
- **code**: the share of the task's solution n-grams, over identifier-agnostic tokens (renaming variables
  or changing literals does not hide a solution), found in the sample's code;
- **verbatim_code**: the same over tokens as written (names and literals kept), which is specific enough
  for short solutions whose structure alone is generic;
- **entry_point** (optional, off by default; name + words): the sample defines a function with the task's distinctive name
  (``digit_distance_nums``) and uses most of the problem's content words: catches a benchmark problem whose
  statement and solution were rewritten (EvalPlus rewrote many MBPP prompts and solutions);
- **tests**: how many of the task's assertions (names abstracted, literals kept) appear in the sample.

Lookups go through inverted indexes of n-gram hashes, vectorized with numpy per batch, so the cost is
proportional to the samples, not samples x tasks. Every removal records the task, the deciding signal, its
score and the overlapping span.

Samples that no n-gram signal flags then go to the meaning-level pass (``step.py``, when ``embedding`` is on):
the same problem in other words (``embedding.py``), verified by execution, key facts or a judge (``signals/``).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from alchemistcoder.code import (
    canonical_language,
    code_tokens,
    extract_code_blocks,
    lex,
    word_tokens,
)
from alchemistcoder.code.facts import helper_calls
from alchemistcoder.code.parse import parse_python
from alchemistcoder.code.similarity import hash_ngrams_batch, longest_common_run
from alchemistcoder.decontam.config import DecontamConfig

# Language families of the code index: a sample block is compared with tasks of its family.
_FAMILY = {"python": "python", "c": "cpp", "cpp": "cpp", "java": "java", "javascript": "javascript",
           "typescript": "javascript", "go": "go", "rust": "rust"}
_STOPWORDS = frozenset(word_tokens(
    "a an the of to in on for and or is are be by with from that this it as at given write python function program "
    "find return returns which whether using use into all each its their than then if"
))
_DEFINED = re.compile(r"\b(?:def|function|func|fn)\s+(\w+)|\b(?:const|let|var)\s+(\w+)\s*=\s*(?:function|\()|"
                      r"^[ \t]*(?:[\w<>\[\]*&:]+\s+)+(\w+)\s*\([^;{]*\)\s*\{", re.MULTILINE)


def _distinctive_name(name: str) -> bool:
    """A function name specific enough to identify a task: long, and compound (snake_case or camelCase)."""
    return len(name) >= 8 and ("_" in name.strip("_") or re.search(r"[a-z][A-Z]", name) is not None)


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in word_tokens(text) if w not in _STOPWORDS and not w.isdigit())


_ASSERT_LINE = re.compile(r"^\s*assert\b.*$|\bassert\s*\(.*$", re.MULTILINE)


@dataclass(slots=True)
class BenchEntry:
    """What decontamination needs from one benchmark task."""

    benchmark: str
    task_id: str
    language: str  # code family
    text: str  # problem statement as the model sees it
    code: str  # a full reference program
    asserts: list[str] = field(default_factory=list)
    entry_point: str = ""


@dataclass(slots=True)
class Match:
    """The evidence that a sample overlaps a benchmark task."""

    benchmark: str
    task_id: str
    signal: str  # text | code | verbatim_code | entry_point | tests | text+code
    score: float
    span: str
    scores: dict[str, float]

    def to_params(self) -> dict[str, Any]:
        return {"benchmark": self.benchmark, "task_id": self.task_id, "signal": self.signal,
                "score": round(self.score, 4), "span": self.span, "scores": self.scores}


def _is_docstring(token: str) -> bool:
    return token.lstrip("rbuRBU").startswith(('"""', "'''"))


def block_tokens(family: str, code: str) -> tuple[list[str], list[tuple[int, int]], list[str]]:
    """From one lexer pass: the structure tokens (identifier-agnostic, without docstrings: a docstring is prose,
    not structure, and is often cut), their spans in ``code``, and the verbatim tokens (names and literals as
    written, without comments and docstrings)."""
    tokens, spans, texts = lex(family, code)
    # only a string literal can be a docstring (an ``obj.STR`` attribute is "STR" too: its text is no docstring)
    strings = [k for k, token in enumerate(tokens) if token == "STR"]
    drop_structure = {k for k in strings if _is_docstring(code[spans[k][0] : spans[k][0] + 4])}
    drop_verbatim = {k for k in strings if _is_docstring(texts[k])}
    if drop_structure:
        tokens = [t for k, t in enumerate(tokens) if k not in drop_structure]
        spans = [sp for k, sp in enumerate(spans) if k not in drop_structure]
    if drop_verbatim:
        texts = [t for k, t in enumerate(texts) if k not in drop_verbatim]
    return tokens, spans, texts


def structure_tokens(family: str, code: str) -> list[str]:
    """Identifier-agnostic tokens without docstrings (see :func:`block_tokens`)."""
    return block_tokens(family, code)[0]


def _without_helpers(code: str) -> str:
    """A Python block without the top-level functions it uses as helpers (the execution signal's rule,
    :func:`alchemistcoder.code.facts.helper_calls`: called from another of its functions, or in a loop of its
    script); the block as it is when it does not parse."""
    tree = parse_python(code)
    if tree is None:
        return code
    helpers = helper_calls(tree)
    lines = code.splitlines()
    drop = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in helpers:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            drop.update(range(first - 1, node.end_lineno or node.lineno))
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


# -- benchmark entries ------------------------------------------------------------------------------------
def _strip_quotes(text: str) -> str:
    return text.strip().strip("'\"").strip()


def entries_from_tasks(tasks: Sequence[Any]) -> list[BenchEntry]:
    """Turn :class:`alchemistcoder.benchmarks.BenchmarkTask` records into decontamination entries."""
    out = []
    for t in tasks:
        bench = t.benchmark
        extra = t.extra or {}
        language = _FAMILY.get(canonical_language(t.language) or "python", "python")
        if bench.startswith("humaneval-x"):
            declaration = extra.get("declaration") or ""
            code = (t.prompt if bench != "humaneval-x-rust" else declaration) + t.canonical_solution
            text = t.prompt
        elif bench.startswith("humaneval"):
            code = t.prompt + t.canonical_solution
            text = t.prompt
        elif bench == "mbpp+":
            code, text = t.canonical_solution, _strip_quotes(t.prompt)
        else:  # mbpp, mbpp-sanitized, ds1000
            code, text = t.canonical_solution, t.prompt
        asserts = list(extra.get("test_list") or []) or [m.group().strip() for m in _ASSERT_LINE.finditer(t.test or "")]
        out.append(BenchEntry(bench, t.task_id, language, text, code, asserts, t.entry_point or ""))
    return out


def load_entries(cfg: DecontamConfig) -> list[BenchEntry]:
    """Load every configured benchmark (explicit ``paths`` first, else the default location)."""
    from alchemistcoder.benchmarks import load_benchmark

    entries: list[BenchEntry] = []
    for name in cfg.benchmarks:
        entries.extend(entries_from_tasks(load_benchmark(name, cfg.paths.get(name))))
    for name, path in cfg.paths.items():
        if name not in cfg.benchmarks:
            entries.extend(entries_from_tasks(load_benchmark(name, path)))
    return entries


# -- the index --------------------------------------------------------------------------------------------
def _assert_key(language: str, line: str) -> tuple[str, int]:
    """An assertion's tokens as written (spacing ignored), and its token count.

    Names are kept: with them abstracted, short assertions such as ``assert f(2) == 1`` collide across
    unrelated tasks. HumanEval's ``candidate`` is replaced by the task's entry point when indexing.
    """
    tokens = code_tokens(language, line)
    return " ".join(tokens), len(tokens)


@dataclass
class _GramIndex:
    """Inverted index from n-gram hash to entries; ``sizes[e]`` is entry e's number of distinct grams."""

    keys: np.ndarray  # sorted unique gram hashes
    postings: list[list[int]]  # entries per key
    sizes: np.ndarray

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]], n: int, seed: int) -> _GramIndex:
        hashes, offsets = hash_ngrams_batch(token_lists, n, seed)
        owners = np.repeat(np.arange(len(token_lists)), np.diff(offsets))
        pairs = np.unique(np.stack([hashes, owners.astype(np.uint64)], axis=1), axis=0)
        keys, first = np.unique(pairs[:, 0], return_index=True)
        bounds = [*first.tolist(), len(pairs)]
        owner_col = pairs[:, 1].astype(np.int64).tolist()
        postings = [owner_col[bounds[i] : bounds[i + 1]] for i in range(len(keys))]
        sizes = np.bincount(pairs[:, 1].astype(np.int64), minlength=len(token_lists))
        return cls(keys, postings, sizes)

    def containment(self, hashes: np.ndarray, offsets: np.ndarray) -> list[Counter]:
        """For each document of a CSR batch: Counter(entry -> distinct grams of the entry found in it)."""
        out: list[Counter] = [Counter() for _ in range(len(offsets) - 1)]
        if not len(self.keys) or not len(hashes):
            return out
        pos = np.searchsorted(self.keys, hashes)
        pos[pos >= len(self.keys)] = 0
        hit = self.keys[pos] == hashes
        owners = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
        # distinct (document, key) hits only
        doc_key = np.unique(np.stack([owners[hit], pos[hit]], axis=1), axis=0)
        for doc, key in doc_key.tolist():
            out[doc].update(self.postings[key])
        return out


class NgramIndex:
    """Indexes of benchmark problem text, solution structure and assertions, queried a batch at a time."""

    def __init__(self, entries: Sequence[BenchEntry], cfg: DecontamConfig) -> None:
        self.entries = list(entries)
        self.cfg = cfg
        self.text_tokens = [word_tokens(e.text) for e in self.entries]
        self.text = _GramIndex.build(self.text_tokens, cfg.text_ngram, seed=11)
        self.code: dict[str, tuple[list[int], _GramIndex]] = {}
        self.code_sizes = [0] * len(self.entries)
        lexed = [block_tokens(e.language, e.code) for e in self.entries]
        for family in sorted({e.language for e in self.entries}):
            members = [i for i, e in enumerate(self.entries) if e.language == family]
            tokens = [lexed[i][0] for i in members]
            self.code[family] = (members, _GramIndex.build(tokens, cfg.code_ngram, seed=12))
            for k, i in enumerate(members):
                self.code_sizes[i] = int(self.code[family][1].sizes[k])
        self.text_sizes = [max(int(n), 1) for n in self.text.sizes]
        # fewer code hits than this cannot fire the code signal (slightly below the exact bound: float rounding)
        self.code_floor = [cfg.code_threshold * max(n, 1) * (1 - 1e-9) if n >= cfg.min_code_ngrams else float("inf")
                           for n in self.code_sizes]
        # names and literals kept: a short solution copied verbatim is specific even when its structure is not
        verbatim = [lex[2] for lex in lexed]
        self.verbatim = _GramIndex.build(verbatim, cfg.code_ngram, seed=13)
        self.verbatim_lengths = [len(t) for t in verbatim]
        self.asserts: dict[str, list[int]] = {}
        self.assert_total = np.zeros(len(self.entries), dtype=np.int64)
        for i, e in enumerate(self.entries):
            asserts = [re.sub(r"\bcandidate\b", e.entry_point, a) if e.entry_point else a for a in e.asserts]
            e.asserts = asserts
            keys = {k for k, n in (_assert_key(e.language, a) for a in asserts) if n >= cfg.min_assert_tokens}
            self.assert_total[i] = len(keys)
            for k in keys:
                self.asserts.setdefault(k, []).append(i)
        self.by_name: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            if _distinctive_name(e.entry_point):
                self.by_name.setdefault(e.entry_point, []).append(i)
        self.content_words = [_content_words(e.text) for e in self.entries]

    # -- per-signal scores --------------------------------------------------------------------------
    def _code_blocks(self, instruction: str, response: str) -> list[tuple[str, str]]:
        blocks = extract_code_blocks(instruction) + extract_code_blocks(response)
        return [(_FAMILY.get(b.language, "python"), b.code) for b in blocks]

    def _test_hits(self, text: str) -> Counter:
        hits: Counter = Counter()
        seen = set()
        for m in _ASSERT_LINE.finditer(text):
            line = m.group().strip()
            for family in ("python",) if line.startswith("assert") else ("cpp",):
                key, n = _assert_key(family, line)
                if n >= self.cfg.min_assert_tokens and key not in seen:
                    seen.add(key)
                    hits.update(self.asserts.get(key, ()))
        return hits

    def score_batch(self, pairs: Sequence[tuple[str, str]]) -> list[list[Match]]:
        """The matches of each (instruction, response) pair, best first (empty when the sample is clean)."""
        cfg = self.cfg
        texts = [i + "\n" + r for i, r in pairs]
        text_tokens = [word_tokens(t) for t in texts]
        th, to = hash_ngrams_batch(text_tokens, cfg.text_ngram, seed=11)
        text_hits = self.text.containment(th, to)
        blocks = [self._code_blocks(i, r) for i, r in pairs]
        lexed = [[block_tokens(fam, code) for fam, code in bl] for bl in blocks]
        code_hits: list[Counter] = [Counter() for _ in pairs]
        for family, (members, index) in self.code.items():
            lists, owners = [], []
            for d, bl in enumerate(blocks):
                toks = [t for (fam, _code), lex in zip(bl, lexed[d], strict=True) if fam == family for t in lex[0]]
                if toks:
                    lists.append(toks)
                    owners.append(d)
            if not lists:
                continue
            ch, co = hash_ngrams_batch(lists, cfg.code_ngram, seed=12)
            for d, counter in zip(owners, index.containment(ch, co), strict=True):
                code_hits[d].update({members[k]: v for k, v in counter.items()})
        vh, vo = hash_ngrams_batch([[t for lex in lx for t in lex[2]] for lx in lexed], cfg.code_ngram, seed=13)
        verbatim_hits = self.verbatim.containment(vh, vo)
        name_hits: list[Counter] = []
        for d, bl in enumerate(blocks if cfg.entry_point else [[] for _ in blocks]):
            hits: Counter = Counter()
            words = set(text_tokens[d])
            for _fam, code in bl:
                for m in _DEFINED.finditer(code):
                    for e in self.by_name.get(next(g for g in m.groups() if g), ()):
                        content = self.content_words[e]
                        if content:
                            hits[e] = max(hits[e], len(content & words) / len(content))
            name_hits.append(hits)
        results = []
        for d, (instruction, response) in enumerate(pairs):
            results.append(self._decide(d, instruction, response, text_tokens[d], blocks[d], text_hits[d],
                                        code_hits[d], verbatim_hits[d], name_hits[d], self._test_hits(texts[d])))
        return results

    def _decide(self, d: int, instruction: str, response: str, sample_words: list[str],
                blocks: list[tuple[str, str]], text_hits: Counter, code_hits: Counter, verbatim_hits: Counter,
                name_hits: Counter, test_hits: Counter) -> list[Match]:
        cfg = self.cfg
        # A benchmark found only by shared code n-grams (two dozen per sample, mostly common idioms) can fire
        # only the code signal: the ones clearly short of it are dropped here, the rest decided below.
        code_floor = self.code_floor
        candidates = (set(text_hits) | set(test_hits) | set(verbatim_hits) | set(name_hits)
                      | {e for e, n in code_hits.items() if n >= code_floor[e]})
        matches = []
        for e in candidates:
            text = text_hits.get(e, 0) / self.text_sizes[e]
            code_size = self.code_sizes[e]
            code = code_hits.get(e, 0) / max(code_size, 1)
            tests = test_hits.get(e, 0)
            verbatim = verbatim_hits.get(e, 0) / max(int(self.verbatim.sizes[e]), 1)
            named = name_hits.get(e, 0.0)
            # each signal as a multiple of its threshold; the strongest decides
            fired: list[tuple[float, str, float]] = []
            if text >= cfg.text_threshold:
                fired.append((text / cfg.text_threshold, "text", text))
            if code >= cfg.code_threshold and code_size >= cfg.min_code_ngrams:
                fired.append((code / cfg.code_threshold, "code", code))
            if verbatim >= cfg.code_threshold and self.verbatim_lengths[e] >= cfg.min_verbatim_tokens:
                fired.append((verbatim / cfg.code_threshold, "verbatim_code", verbatim))
            if e in name_hits and named >= cfg.entry_point_words:
                fired.append((named / cfg.entry_point_words, "entry_point", named))
            if text > 0 and code > 0 and text + code >= cfg.combined_threshold:
                fired.append(((text + code) / cfg.combined_threshold, "text+code", text + code))
            need = min(cfg.min_test_matches, int(self.assert_total[e])) if self.assert_total[e] else cfg.min_test_matches
            if tests >= need:
                fired.append((tests / need, "tests", float(tests)))
            if not fired:
                continue  # most candidates share a common n-gram or two: no evidence is built for them
            if {signal for _s, signal, _v in fired} <= {"code", "verbatim_code"} and self._helper_copy(e, blocks):
                continue
            scores = {"text": round(text, 4), "code": round(code, 4), "verbatim_code": round(verbatim, 4),
                      "tests": tests}
            if e in name_hits:
                scores["entry_point"] = round(named, 4)
            strength, signal, score = max(fired)
            matches.append((strength, e, signal, score, scores))
        matches.sort(key=lambda m: (-m[0], m[1]))
        out = []
        for _strength, e, signal, score, scores in matches[:3]:
            entry = self.entries[e]
            out.append(Match(entry.benchmark, entry.task_id, signal, score,
                             self._span(e, signal, sample_words, blocks, instruction + "\n" + response), scores))
        return out

    def _helper_copy(self, e: int, blocks: list[tuple[str, str]]) -> bool:
        """Whether a code-only match of entry ``e`` rests on a function the sample uses as a helper (the execution
        signal's helper rule, ``signals/python.py``): a generic ``is_prime`` that "print the primes up to n and their
        sum" calls from its loop is MBPP/605's reference token for token, yet the sample is another problem. Only for
        a Python reference of one top-level function (a reference with helpers of its own is copied whole with them):
        the sample's Python without its helper functions must still reach the code threshold."""
        entry = self.entries[e]
        if entry.language != "python" or len(re.findall(r"^(?:async\s+)?def\s", entry.code, re.M)) != 1:
            return False
        kept = [code for family, code in blocks if family == "python"]
        reduced = [_without_helpers(code) for code in kept]
        if reduced == kept:
            return False
        lexed = [block_tokens("python", code) for code in reduced]
        members, index = self.code["python"]
        structure = [t for lex in lexed for t in lex[0]]
        verbatim = [t for lex in lexed for t in lex[2]]
        code = verbatim_score = 0.0
        if structure:
            ch, co = hash_ngrams_batch([structure], self.cfg.code_ngram, seed=12)
            found = index.containment(ch, co)[0]
            code = found.get(members.index(e), 0) / max(self.code_sizes[e], 1)
        if verbatim:
            vh, vo = hash_ngrams_batch([verbatim], self.cfg.code_ngram, seed=13)
            verbatim_score = self.verbatim.containment(vh, vo)[0].get(e, 0) / max(int(self.verbatim.sizes[e]), 1)
        return code < self.cfg.code_threshold and verbatim_score < self.cfg.code_threshold

    # -- evidence ---------------------------------------------------------------------------------
    def _span(self, e: int, signal: str, sample_words: list[str], blocks: list[tuple[str, str]], text: str) -> str:
        entry = self.entries[e]
        if signal == "entry_point":
            return f"defines {entry.entry_point}(); problem words: " + " ".join(sorted(self.content_words[e]))[:300]
        if signal == "tests":
            keys = set()
            for a in entry.asserts:
                keys.add(_assert_key(entry.language, a)[0])
            lines = [m.group().strip() for m in _ASSERT_LINE.finditer(text)
                     if _assert_key("python" if m.group().strip().startswith("assert") else "cpp", m.group().strip())[0] in keys]
            return "\n".join(lines)[:400]
        if signal in ("code", "verbatim_code"):
            best = ""
            bench_tokens = structure_tokens(entry.language, entry.code)
            for family, code in blocks:
                if family != entry.language:
                    continue
                tokens, spans, _verbatim = block_tokens(family, code)
                a, _b, size = longest_common_run(tokens, bench_tokens)
                if size and spans[a + size - 1][1] - spans[a][0] > len(best):
                    best = code[spans[a][0] : spans[a + size - 1][1]]
            return best[:400]
        a, _b, size = longest_common_run(sample_words, self.text_tokens[e])
        return " ".join(sample_words[a : a + size])[:400]
