"""The labelled set that bench/verify.py measures the verify stage on: MBPP problems 511-809, right and wrong.

    .venv/bin/python bench/_verify_set.py [--split tune|test|all] [--limit N] [--seed 0] [--show 3]

Built at run time from ``../shared/data/mbpp/mbpp.jsonl`` (nothing from it is copied into the repository).
For each problem with human tests:

- the **correct** response is the reference ``code`` as a typical dataset response (a ```python block, after
  one sentence for some problems); a problem whose reference does not pass all its human tests in the
  sandbox is left out;
- the **wrong** responses are mutants of the reference, made on its syntax tree and written back as minimal
  edits of its text (so they look like the reference): comparison and arithmetic operators swapped,
  off-by-one constants, range bounds, indices and slice bounds, swapped return branches and conditional
  expressions, negated or dropped conditions, min/max and True/False swapped. Each mutant is labelled by
  running the human tests **in the project's sandbox**; one is kept only when it passes at least one and not
  all of them (``kind="partial"``), or, for a problem with no such mutant, when it fails all of them while its
  definitions still run without an error (``kind="fails_all"``). At most ``wrong_per_problem`` are kept,
  different mutation kinds first, and each kept one is re-run alone to confirm its label.

The instruction is MBPP's ``text`` alone: the human tests only label, the tool under test never sees them
(they are not in the Samples' meta either). Problems are split by a hash of their task id into ``tune``
(about a third) and ``test``; ``limit`` draws that many problems of a split with a seeded generator.
Labelled problems are cached per problem under ``$ALCHEMIST_CACHE/verify_set`` (keyed by
the builder's version, the record and the options).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import itertools
import json
import os
import random
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ALCHEMIST_SHARED_DATA", REPO.parent / "shared" / "data"))
MBPP = SHARED / "mbpp" / "mbpp.jsonl"
FIRST, LAST = 511, 809
BUILD_VERSION = "vset-2"  # 2: labelled by the verify stage's test runner
SOURCE = "mbpp-verify-set"
SPLITS = ("tune", "test")
MAX_CANDIDATES = 40  # mutants screened per problem (seeded order)
TEST_TIMEOUT_S = 1.0  # per human test inside the harness
LEADS = (
    "",
    "Here is a Python function that does this:\n\n",
    "",
    "You can solve this with the following function:\n\n",
    "",
    "The following code solves the task:\n\n",
)


# -- problems and the split ---------------------------------------------------------------------------
def load_problems(path: Path | None = None) -> list[dict[str, Any]]:
    """MBPP records with task ids 511-809 that carry human tests, in task-id order."""
    path = Path(path or MBPP)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if FIRST <= int(r["task_id"]) <= LAST and r.get("test_list")]
    return sorted(rows, key=lambda r: int(r["task_id"]))


def split_of(task_id: int) -> str:
    """``tune`` for about a third of the task ids, ``test`` for the rest (a hash, stable across runs)."""
    digest = hashlib.sha256(f"verify-set:{task_id}".encode()).digest()
    return "tune" if int.from_bytes(digest[:8], "big") % 3 == 0 else "test"


def select_problems(problems: list[dict[str, Any]], split: str, limit: int | None = None,
                    seed: int = 0) -> list[dict[str, Any]]:
    """The problems of ``split`` (``all``: both), ``limit`` of them drawn with ``seed``, in task-id order."""
    chosen = [p for p in problems if split == "all" or split_of(int(p["task_id"])) == split]
    if limit is not None and limit < len(chosen):
        chosen = sorted(random.Random(f"{seed}:{split}").sample(chosen, limit), key=lambda r: int(r["task_id"]))
    return chosen


# -- mutants: edits of the reference's text at positions from its syntax tree -------------------------
_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
        ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}
_CMP_SWAPS = {"<": ("<=", ">"), "<=": ("<", ">="), ">": (">=", "<"), ">=": (">", "<="), "==": ("!=",),
              "!=": ("==",), "in": ("not in",), "not in": ("in",), "is": ("is not",), "is not": ("is",)}
_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
        ast.Pow: "**", ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|"}
_BIN_SWAPS = {"+": ("-",), "-": ("+",), "*": ("//",), "/": ("*",), "//": ("/", "%"), "%": ("//",), "**": ("*",), "^": ("&",),
              "&": ("|",), "|": ("&",)}
_METHOD_SWAPS = {"upper": "lower", "lower": "upper", "startswith": "endswith", "endswith": "startswith",
                 "lstrip": "rstrip", "rstrip": "lstrip", "isupper": "islower", "islower": "isupper",
                 "isdigit": "isalpha", "isalpha": "isdigit", "find": "rfind", "rfind": "find", "split": "rsplit"}
_AUG_SWAPS = {"+=": "-=", "-=": "+=", "*=": "//=", "//=": "*="}


class _Text:
    """The source with (line, byte column) → character offset."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.lines = code.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def at(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.at(node.lineno, node.col_offset), self.at(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def seg(self, node: ast.AST) -> str:
        a, b = self.span(node)
        return self.code[a:b]


def _edit(code: str, edits: list[tuple[int, int, str]]) -> str:
    for a, b, text in sorted(edits, reverse=True):
        code = code[:a] + text + code[b:]
    return code


def _op_between(text: _Text, left: ast.AST, right: ast.AST, old: str, new: str) -> tuple[int, int, str] | None:
    """The edit that turns operator ``old`` between two operands into ``new`` (None when it is not found)."""
    a, b = text.span(left)[1], text.span(right)[0]
    between = text.code[a:b]  # only the operator, blanks, brackets (and rarely a comment) lie between them
    pattern = r"\b" + old.replace(" ", r"[ \t]+") + r"\b" if old[0].isalpha() else re.escape(old)
    m = re.search(pattern, between)
    if not m:
        return None
    return a + m.start(), a + m.end(), new


def mutants(code: str) -> list[tuple[dict[str, Any], str]]:
    """Every single-edit mutant of ``code`` as (description, code), in source order, without duplicates or
    mutants that leave the syntax tree unchanged."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    text = _Text(code)
    out: list[tuple[dict[str, Any], list[tuple[int, int, str]]]] = []

    def add(kind: str, node: ast.AST, edits: list[tuple[int, int, str]] | None, **detail: Any) -> None:
        if edits and all(e is not None for e in edits):
            out.append(({"kind": kind, "line": getattr(node, "lineno", 0), **detail}, edits))

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for i, op in enumerate(node.ops):
                old = _CMP[type(op)]
                for new in _CMP_SWAPS[old]:
                    add("compare", node, [_op_between(text, operands[i], operands[i + 1], old, new)], old=old, new=new)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            old = _BIN[type(node.op)]
            for new in _BIN_SWAPS[old]:
                add("arith", node, [_op_between(text, node.left, node.right, old, new)], old=old, new=new)
        elif isinstance(node, ast.AugAssign):
            seg_a, seg_b = text.span(node.target)[1], text.span(node.value)[0]
            between = text.code[seg_a:seg_b]
            for old, new in _AUG_SWAPS.items():
                k = between.find(old)
                if k >= 0 and (old != "*=" or "//=" not in between):
                    add("arith", node, [(seg_a + k, seg_a + k + len(old), new)], old=old, new=new)
                    break
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            a, b = text.span(node)
            if text.code[a:b].isdigit():
                for delta in (1, -1):
                    if node.value + delta >= 0:
                        add("constant", node, [(a, b, str(node.value + delta))], old=node.value, new=node.value + delta)
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            a, b = text.span(node)
            add("bool", node, [(a, b, str(not node.value))], old=node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in ("min", "max"):
                a, b = text.span(node.func)
                add("minmax", node, [(a, b, "max" if name == "min" else "min")], old=name)
            if name == "sorted" and node.args and not any(kw.arg == "reverse" for kw in node.keywords):
                end = text.span(node)[1] - 1
                add("order", node, [(end, end, ", reverse=True")])
            if name == "range" and node.args:
                stop = node.args[0] if len(node.args) == 1 else node.args[1]
                if not isinstance(stop, ast.Constant):
                    a, b = text.span(stop)
                    for delta in ("+ 1", "- 1"):
                        add("range", node, [(a, b, f"{text.code[a:b]} {delta}")], bound=delta)
                if len(node.args) >= 2 and not isinstance(node.args[0], ast.Constant):
                    a, b = text.span(node.args[0])
                    add("range", node, [(a, b, f"{text.code[a:b]} + 1")], bound="start + 1")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in _METHOD_SWAPS:
                a, b = text.span(node.func)
                k = text.code.rfind(name, a, b)
                add("method", node, [(k, k + len(name), _METHOD_SWAPS[name])], old=name)
            if name == "sort" and not any(kw.arg == "reverse" for kw in node.keywords):
                end = text.span(node)[1] - 1
                sep = ", " if node.args or node.keywords else ""
                add("order", node, [(end, end, f"{sep}reverse=True")])
        elif isinstance(node, ast.Subscript):
            index = node.slice
            parts = [index] if not isinstance(index, ast.Slice) else [p for p in (index.lower, index.upper) if p]
            for part in parts:
                if isinstance(part, ast.Constant | ast.UnaryOp) or not hasattr(part, "lineno"):
                    continue  # constants are mutated as constants
                if isinstance(part, ast.Name | ast.BinOp | ast.Call | ast.Attribute):
                    a, b = text.span(part)
                    add("index", node, [(a, b, f"{text.code[a:b]} + 1")], index=text.code[a:b])
        elif isinstance(node, ast.IfExp):
            (a1, b1), (a2, b2) = text.span(node.body), text.span(node.orelse)
            add("swap_branches", node, [(a1, b1, text.code[a2:b2]), (a2, b2, text.code[a1:b1])])
        elif isinstance(node, ast.If):
            a, b = text.span(node.test)
            add("negate_condition", node, [(a, b, f"not ({text.code[a:b]})")])
            ret_then = node.body[-1] if node.body and isinstance(node.body[-1], ast.Return) else None
            ret_else = node.orelse[-1] if node.orelse and isinstance(node.orelse[-1], ast.Return) else None
            if ret_then and ret_else and ret_then.value and ret_else.value:
                (a1, b1), (a2, b2) = text.span(ret_then.value), text.span(ret_else.value)
                add("swap_returns", node, [(a1, b1, text.code[a2:b2]), (a2, b2, text.code[a1:b1])])
        elif isinstance(node, ast.BoolOp) and len(node.values) >= 2:
            a, b = text.span(node)
            for i, value in enumerate(node.values):
                kept = [v for j, v in enumerate(node.values) if j != i]
                joiner = " and " if isinstance(node.op, ast.And) else " or "
                add("drop_condition", node, [(a, b, joiner.join(text.seg(v) if not isinstance(v, ast.BoolOp)
                                                                else f"({text.seg(v)})" for v in kept))],
                    dropped=text.seg(value)[:60])
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            a, b = text.span(node)
            inner = node.operand
            add("drop_not", node, [(a, b, text.seg(inner) if not isinstance(inner, ast.BoolOp | ast.Compare)
                                   else f"({text.seg(inner)})")])
    # swapped returns of `if c: return A` followed by `return B`
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for first, second in itertools.pairwise(body):
            if isinstance(first, ast.If) and not first.orelse and isinstance(second, ast.Return) and second.value \
                    and first.body and isinstance(first.body[-1], ast.Return) and first.body[-1].value:
                (a1, b1), (a2, b2) = text.span(first.body[-1].value), text.span(second.value)
                add("swap_returns", first, [(a1, b1, text.code[a2:b2]), (a2, b2, text.code[a1:b1])])

    base = ast.dump(tree)
    seen: set[str] = set()
    result: list[tuple[dict[str, Any], str]] = []
    for desc, edits in sorted(out, key=lambda item: (min(e[0] for e in item[1]), json.dumps(item[0], sort_keys=True))):
        mutated = _edit(code, edits)
        try:
            dump = ast.dump(ast.parse(mutated))
        except SyntaxError:
            continue
        if dump == base or dump in seen:
            continue
        seen.add(dump)
        result.append((desc, mutated))
    return result


# -- running the human tests in the sandbox -----------------------------------------------------------
def _runner() -> Path:
    """The verify stage's sandbox-side test runner: the labels come from the same harness (``_box.py``, the
    tagged protocol) that runs the model's tests, not from a second one."""
    import alchemistcoder.verify

    return Path(alchemistcoder.verify.__file__).with_name("_tests_runner.py")


def _call(codes: list[str], tests: list[str], setup: str) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    job = {"candidates": [f"{setup}\n{c}" if setup else c for c in codes], "tests": tests,
           "test_timeout_s": TEST_TIMEOUT_S, "repeat": 1}
    budget = 5.0 + len(codes) * (len(tests) + 2) * TEST_TIMEOUT_S
    return _runner(), job, {"timeout_s": min(budget, 120.0), "memory_mb": 1024}


def _result(record: dict[str, Any]) -> dict[str, Any] | None:
    """A runner record as ``{"import": "ok"|<error>, "tests": ["pass"|"fail"|"timeout"|"error:<type>"]}``;
    None when the candidate's child was lost (timed out or crashed as a whole)."""
    if record.get("status") != "ok":
        return None
    if record.get("load_error"):
        kind = record["load_error"][0]
        return {"import": "timeout" if kind == "Timeout" else kind, "tests": []}
    tests = [outcomes[0] if outcomes[0] != "error" else f"error:{kind}" for outcomes, kind, _m in record["tests"]]
    return {"import": "ok", "tests": tests}


def _sandbox_failed(run: Any) -> bool:
    """The sandbox could not start the program (e.g. EAGAIN when the sandbox user's process limit is reached
    by other jobs on the machine): not an outcome of the code."""
    return "sandbox: " in run.result.stderr[:300] and not run.records


def _run_retrying(calls: list[Any], workers: int | None, attempts: int = 4) -> list[Any]:
    """``run_harness_many``, re-running jobs the sandbox failed to start (a short pause between tries)."""
    import time

    from alchemistcoder.sandbox.harness import run_harness_many

    runs = run_harness_many(calls, workers=workers)
    for attempt in range(1, attempts):
        again = [k for k, r in enumerate(runs) if _sandbox_failed(r)]
        if not again:
            break
        time.sleep(0.5 * attempt)
        for k, r in zip(again, run_harness_many([calls[k] for k in again], workers=1), strict=True):
            runs[k] = r
    return runs


def _parse(run: Any, n: int) -> list[dict | None]:
    got: list[dict | None] = [None] * n
    for record in run.records:
        index = record.get("candidate")
        if isinstance(index, int) and 0 <= index < n:
            got[index] = _result(record)
    return got


def run_human_tests(batches: list[tuple[list[str], list[str], str]], workers: int | None = None) -> list[list[dict | None]]:
    """For each (codes, tests, setup): per code, ``{"import": "ok"|<error>, "tests": ["pass"|"fail"|...]}``
    (None when the sandbox lost it: a crash of the whole program). Every code runs in the sandbox; a batch
    that dies part-way has its unfinished codes re-run one per program."""
    runs = _run_retrying([_call(*b) for b in batches], workers)
    out: list[list[dict | None]] = []
    retry: list[tuple[int, int]] = []
    for bi, (run, (codes, _t, _s)) in enumerate(zip(runs, batches, strict=True)):
        got = _parse(run, len(codes))
        if len(codes) > 1:
            retry += [(bi, ci) for ci, r in enumerate(got) if r is None]
        out.append(got)
    if retry:
        singles = _run_retrying([_call([batches[bi][0][ci]], batches[bi][1], batches[bi][2]) for bi, ci in retry],
                                workers)
        for (bi, ci), run in zip(retry, singles, strict=True):
            out[bi][ci] = _parse(run, 1)[0]
    return out


def passed(result: dict | None) -> int:
    return 0 if not result else sum(1 for t in result["tests"] if t == "pass")


# -- the set ------------------------------------------------------------------------------------------
@dataclass
class Item:
    """One labelled response. ``tests`` are the human tests: for labelling only, never shown to the tool."""

    id: str
    task_id: int
    split: str
    label: str  # correct | wrong
    kind: str  # reference | partial | fails_all
    instruction: str
    response: str
    code: str
    tests: list[str]
    setup: str = ""
    mutation: dict[str, Any] | None = None
    human_passed: int = 0
    human_total: int = 0
    human_results: list[str] = field(default_factory=list)


def present(code: str, task_id: int) -> str:
    """The response as a dataset would hold it: one sentence for some problems, then a python block."""
    lead = LEADS[int(hashlib.sha256(f"lead:{task_id}".encode()).hexdigest(), 16) % len(LEADS)]
    return f"{lead}```python\n{code.rstrip()}\n```"


def _cache_key(row: dict[str, Any], wrong_per_problem: int, seed: int) -> str:
    blob = json.dumps([BUILD_VERSION, row, wrong_per_problem, seed, MAX_CANDIDATES, TEST_TIMEOUT_S], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def default_cache_dir() -> Path:
    """``verify_set`` under the user cache root (``$ALCHEMIST_CACHE``; see ``alchemistcoder.cache``)."""
    from alchemistcoder.cache import cache_root

    return cache_root() / "verify_set"


def _candidates(row: dict[str, Any], seed: int) -> list[tuple[dict[str, Any], str]]:
    code = row["code"].replace("\r\n", "\n")
    cands = mutants(code)
    random.Random(f"{seed}:{row['task_id']}").shuffle(cands)
    return cands[:MAX_CANDIDATES]


def _choose(labelled: list[tuple[dict[str, Any], str, dict]], total: int, k: int) -> list[tuple[str, dict, str, dict]]:
    """Up to k kept mutants, different mutation kinds first (their order is already seeded)."""
    partial = [(d, c, r) for d, c, r in labelled if r and r["import"] == "ok" and 0 < passed(r) < total]
    pool, kind = partial, "partial"
    if not partial:
        # none passes some: ones that fail every test while their definitions run (wrong answers first)
        pool = [(d, c, r) for d, c, r in labelled if r and r["import"] == "ok" and passed(r) == 0]
        pool.sort(key=lambda x: sum(1 for t in x[2]["tests"] if t != "fail"))
        kind = "fails_all"
    chosen: list[tuple[str, dict, str, dict]] = []
    kinds: set[str] = set()
    for d, c, r in pool:
        if d["kind"] not in kinds and len(chosen) < k:
            chosen.append((kind, d, c, r))
            kinds.add(d["kind"])
    for d, c, r in pool:
        if len(chosen) >= k:
            break
        if not any(c == x[2] for x in chosen):
            chosen.append((kind, d, c, r))
    return chosen[:k] if kind == "partial" else chosen[:1]


def build_problems(rows: list[dict[str, Any]], *, wrong_per_problem: int = 2, seed: int = 0,
                   cache_dir: Path | None = None, workers: int | None = None) -> dict[int, dict[str, Any]]:
    """Label each problem (cached per problem): ``{task_id: {"excluded": reason | None, "items": [...]}}``."""
    done: dict[int, dict[str, Any]] = {}
    todo: list[dict[str, Any]] = []
    for row in rows:
        path = cache_dir / f"{_cache_key(row, wrong_per_problem, seed)}.json" if cache_dir else None
        if path and path.exists():
            done[int(row["task_id"])] = json.loads(path.read_text())
        else:
            todo.append(row)
    if not todo:
        return done
    # 1. the reference and every candidate mutant, one program per problem
    cands = {int(r["task_id"]): _candidates(r, seed) for r in todo}
    batches = [([r["code"].replace("\r\n", "\n")] + [c for _d, c in cands[int(r["task_id"])]],
                list(r["test_list"]) + list(r.get("challenge_test_list") or []), r.get("test_setup_code") or "")
               for r in todo]
    screened = run_human_tests(batches, workers=workers)
    # 2. the kept ones again, each alone, to confirm their labels
    picks: dict[int, list[tuple[str, dict | None, str, dict | None]]] = {}
    confirm: list[tuple[list[str], list[str], str]] = []
    for row, batch, res in zip(todo, batches, screened, strict=True):
        tid, tests = int(row["task_id"]), batch[1]
        ref = res[0]
        if not ref or ref["import"] != "ok" or passed(ref) != len(tests):
            picks[tid] = [] if ref else [("lost", None, "", None)]
            continue
        labelled = [(d, c, r) for (d, c), r in zip(cands[tid], res[1:], strict=True)]
        picks[tid] = [("reference", None, batch[0][0], ref), *_choose(labelled, len(tests), wrong_per_problem)]
        confirm += [([c], tests, batch[2]) for k, _d, c, _r in picks[tid] if k != "lost"]
    confirmed = iter(run_human_tests(confirm, workers=workers))
    for row, batch in zip(todo, batches, strict=True):
        tid, tests = int(row["task_id"]), batch[1]
        entry: dict[str, Any] = {"excluded": None, "items": []}
        if not picks[tid]:
            entry["excluded"] = "reference_fails"
        elif picks[tid][0][0] == "lost":  # the sandbox lost the reference's run: left out, not cached
            done[tid] = {"excluded": "sandbox_failure", "items": []}
            continue
        lost = False
        for n, (kind, desc, code, first) in enumerate(picks[tid]):
            again = next(confirmed)[0]
            lost = lost or again is None
            if again is None or again["tests"] != first["tests"] or again["import"] != first["import"]:
                if kind == "reference":
                    entry["excluded"] = "reference_unstable"
                continue
            if entry["excluded"]:
                continue
            label = "correct" if kind == "reference" else "wrong"
            entry["items"].append(asdict(Item(
                id=f"mbpp{tid}-{'ref' if label == 'correct' else f'mut{n}'}", task_id=tid, split=split_of(tid),
                label=label, kind=kind, instruction=row["text"], response=present(code, tid), code=code,
                tests=tests, setup=batch[2], mutation=desc, human_passed=passed(again), human_total=len(tests),
                human_results=list(again["tests"]))))
        if entry["excluded"]:
            entry["items"] = []
        done[tid] = entry
        if cache_dir and not lost:
            cache_dir.mkdir(parents=True, exist_ok=True)
            path = cache_dir / f"{_cache_key(row, wrong_per_problem, seed)}.json"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(entry))
            tmp.replace(path)
    return done


def build_set(split: str = "tune", limit: int | None = None, *, seed: int = 0, wrong_per_problem: int = 2,
              cache_dir: Path | bool | None = True, path: Path | None = None,
              workers: int | None = None) -> tuple[list[Item], dict[str, Any]]:
    """The labelled items of ``split`` (``limit`` problems drawn with ``seed``) and a summary (problems,
    excluded by reason, correct, wrong by kind)."""
    cache = default_cache_dir() if cache_dir is True else (cache_dir or None)
    rows = select_problems(load_problems(path), split, limit, seed)
    entries = build_problems(rows, wrong_per_problem=wrong_per_problem, seed=seed, cache_dir=cache, workers=workers)
    items = [Item(**d) for r in rows for d in entries[int(r["task_id"])]["items"]]
    excluded: dict[str, int] = {}
    for r in rows:
        reason = entries[int(r["task_id"])]["excluded"]
        if reason:
            excluded[reason] = excluded.get(reason, 0) + 1
    no_wrong = sum(1 for r in rows if not entries[int(r["task_id"])]["excluded"]
                   and all(d["label"] == "correct" for d in entries[int(r["task_id"])]["items"]))
    summary = {"split": split, "problems": len(rows), "excluded": excluded, "no_wrong_variant": no_wrong,
               "correct": sum(1 for i in items if i.label == "correct"),
               "wrong": sum(1 for i in items if i.label == "wrong"),
               "wrong_partial": sum(1 for i in items if i.kind == "partial"),
               "wrong_fails_all": sum(1 for i in items if i.kind == "fails_all")}
    return items, summary


def to_sample(item: Item) -> Any:
    """The Sample the tool sees: instruction and response only (no tests, no label)."""
    from alchemistcoder.records import Sample, make_messages

    return Sample(id=item.id, source=SOURCE, messages=make_messages(item.instruction, item.response),
                  meta={"language": "python"})


def check_against_human_tests(pairs: Iterable[tuple[Item, str]], workers: int | None = None) -> list[dict | None]:
    """Run each (item, code) on the item's human tests in the sandbox (a repaired response's code)."""
    pairs = list(pairs)
    res = run_human_tests([([code], item.tests, item.setup) for item, code in pairs], workers=workers)
    return [r[0] for r in res]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=[*SPLITS, "all"], default="tune")
    ap.add_argument("--limit", type=int, default=None, help="problems drawn from the split (seeded)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wrong-per-problem", type=int, default=2)
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--show", type=int, default=0, help="print this many problems' items")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    items, summary = build_set(args.split, args.limit, seed=args.seed, wrong_per_problem=args.wrong_per_problem,
                               cache_dir=not args.no_cache)
    kinds: dict[str, int] = {}
    for i in items:
        if i.mutation:
            kinds[i.mutation["kind"]] = kinds.get(i.mutation["kind"], 0) + 1
    print(json.dumps(summary))
    print(f"mutation kinds of the wrong items: {dict(sorted(kinds.items()))}")
    shown = sorted({i.task_id for i in items})[: args.show]
    for i in items:
        if i.task_id in shown:
            print(f"--- {i.id} {i.label}/{i.kind} {i.human_passed}/{i.human_total} {i.mutation}\n{i.response}")


if __name__ == "__main__":
    main()
