"""A labelled set for the verify stage's foreign path: HumanEval-X problems in C++, Java and JavaScript, right and wrong.

    .venv/bin/python bench/_verify_set_x.py [--languages cpp,java,js] [--split tune|test|all] [--limit N]
        [--seed 0] [--show 1]

Built at run time from ``../shared/data/humaneval-x/humaneval_{cpp,java,js}.jsonl.gz`` (nothing from it is
copied into the repository). For each problem of a language:

- the **correct** response is the problem's whole function, the ``declaration`` (includes / imports, the
  class for Java, the signature) followed by the ``canonical_solution``, as a typical dataset response (a
  ```cpp / ```java / ```javascript block, after one sentence for some problems); C++ responses get the
  standard headers their code names and the declaration does not include, so the function compiles alone. A
  problem whose correct response does not pass its HumanEval-X ``test`` program in the sandbox is left out;
- the **wrong** responses are up to ``wrong_per_problem`` single-edit text mutants of the canonical solution
  (a small token-level mutator, strings and comments left alone, seeded order): comparison operators swapped
  (``<`` ↔ ``<=``, ``<`` ↔ ``>``, ``==`` ↔ ``!=``), arithmetic operators swapped (``+`` ↔ ``-``, ``*`` ↔ ``/``,
  ``%`` → ``/``, ``++`` ↔ ``--``, ``+=`` ↔ ``-=``), integer constants moved by one, ``&&`` ↔ ``||``,
  ``true`` ↔ ``false``, ``min`` ↔ ``max``, a ``!`` dropped. Each mutant is labelled by compiling and running
  the problem's HumanEval-X ``test`` program around it **in the project's sandbox** (the evaluate stage's
  ``humaneval_x.test_program`` / ``run_test_program`` / ``passed``); one is kept only when it compiles and
  runs but fails the test (an assertion, ``kind="wrong_answer"``, preferred to an exception,
  ``kind="runtime_error"``); mutants that do not compile, time out or pass are dropped. At most
  ``MAX_CANDIDATES`` are screened per problem, different mutation kinds first, and every kept response is run
  a second time to confirm its label.

The instruction is the problem's natural-language description (the prompt's comment or Javadoc, cleaned of its
comment markers: the docstring examples stay, as in the prompt) and "Write it in C++ as `<signature>`." The
HumanEval-X tests only label; the stage never sees them. Problems are split into ``tune`` and ``test`` by
``_verify_set.split_of`` of their task number (so a problem is on the same side in every language), and
``limit`` draws that many problems per language with ``_verify_set.select_problems``'s seeded generator.
Labelled problems are cached per problem under ``$ALCHEMIST_CACHE/verify_set_x``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _verify_set import REPO, SHARED, SPLITS, Item, select_problems, split_of

HUMANEVAL_X = SHARED / "humaneval-x"
LANGUAGES = ("cpp", "java", "js")
FENCE = {"cpp": "cpp", "java": "java", "js": "javascript"}  # also the verify stage's language names
NAMES = {"cpp": "C++", "java": "Java", "js": "JavaScript"}
BUILD_VERSION = "vsetx-2"
SOURCE = "humaneval-x-verify-set"
MAX_CANDIDATES = 12  # mutants screened per problem (seeded order, kinds interleaved)
CHUNK = 4  # mutants screened per problem per round (a problem stops once it has enough wrong ones)
TEST_TIMEOUT_S = 3.0  # per test program run (the references run in well under a second)
LEADS = (
    "",
    "Here is a {name} function that does this:\n\n",
    "",
    "You can solve this with the following {name} code:\n\n",
    "",
    "The following code solves the task:\n\n",
)
# standard headers a C++ response names without the declaration including them (the test program adds them)
_CPP_HEADERS = (
    (r"\bvector\s*<", "#include<vector>"),
    (r"\bstring\b", "#include<string>"),
    (r"\b(?:sort|reverse|min|max|max_element|min_element|find|count|swap|unique)\s*\(", "#include<algorithm>"),
    (r"\b(?:INT_MAX|INT_MIN|LONG_MAX|LONG_MIN|LLONG_MAX|LLONG_MIN)\b", "#include<climits>"),
    (r"\b(?:strlen|memset|strcmp|strcpy)\s*\(", "#include<cstring>"),
    (r"\b(?:cout|cin|endl)\b", "#include<iostream>"),
    (r"\b(?:abs|fabs|sqrt|pow|floor|ceil|round|log|exp|sin|cos)\s*\(", "#include<math.h>"),
)


# -- problems ------------------------------------------------------------------------------------------
def load_problems(language: str, path: Path | None = None) -> list[dict[str, Any]]:
    """The HumanEval-X problems of ``language`` as rows with an integer ``task_id`` (the task number) and the
    evaluate stage's ``task`` (a BenchmarkTask), in task order."""
    from alchemistcoder.benchmarks import load_benchmark

    tasks = load_benchmark(f"humaneval-x-{language}", path or HUMANEVAL_X / f"humaneval_{language}.jsonl.gz")
    rows = [{"task_id": int(t.task_id.rsplit("/", 1)[1]), "language": language, "task": t} for t in tasks]
    return sorted(rows, key=lambda r: r["task_id"])


def _comment_text(prompt: str) -> str:
    """The prompt's comments (``/* ... */``, ``/** ... */``, ``//`` lines) without their markers, dedented."""
    parts = []
    for m in re.finditer(r"/\*+(.*?)\*/|^[ \t]*//(.*)$", prompt, re.S | re.M):
        text = m.group(1) if m.group(1) is not None else m.group(2)
        lines = [re.sub(r"^[ \t]*\*(?!\*)[ \t]?", "", line) for line in text.split("\n")]
        parts.append("\n".join(lines))
    lines = "\n".join(parts).split("\n")
    head = []
    if lines and lines[0].strip():  # text on the comment's opening line: the rest is dedented alone
        head = [lines.pop(0).strip()]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(head + [line[cut:].rstrip() for line in lines])


def signature(task: Any) -> str:
    """The function's declared signature: the declaration's last line that names the entry point, without the
    opening brace (``int gcd(int a, int b)``, ``public int gcd(int a, int b)``, ``const gcd = (a, b) =>``)."""
    lines = [line.strip() for line in task.extra["declaration"].splitlines()
             if re.search(rf"\b{re.escape(task.entry_point)}\b", line)]
    return lines[-1].rstrip("{").strip() if lines else task.entry_point


def instruction(row: dict[str, Any]) -> str:
    task, language = row["task"], row["language"]
    return f"{_comment_text(task.prompt)}\n\nWrite it in {NAMES[language]} as `{signature(task)}`."


def full_code(row: dict[str, Any], body: str) -> str:
    """The declaration and a body: a whole function (C++: with the headers it names that are not included)."""
    declaration = row["task"].extra["declaration"].lstrip("\n")
    code = declaration + body
    if row["language"] == "cpp":
        missing = [h for pattern, h in _CPP_HEADERS if re.search(pattern, code) and h not in code]
        code = "".join(h + "\n" for h in missing) + code
    return code.rstrip() + "\n"


def present(code: str, row: dict[str, Any]) -> str:
    """The response as a dataset would hold it: one sentence for some problems, then a fenced block."""
    lead = LEADS[int(hashlib.sha256(f"lead:{row['language']}:{row['task_id']}".encode()).hexdigest(), 16) % len(LEADS)]
    return f"{lead.format(name=NAMES[row['language']])}```{FENCE[row['language']]}\n{code.rstrip()}\n```"


# -- mutants: single edits of the canonical solution's tokens --------------------------------------------
_TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)
  | (?P<number>\d[\w.]*)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>===|!==|<<=|>>=|==|!=|<=|>=|&&|\|\||\+\+|--|\+=|-=|\*=|/=|%=|<<|>>|->|=>|::|[-+*/%<>!=&|^~?:;,.(){}\[\]])
""", re.S | re.X)
_CMP_SWAPS = {"<": ("<=", ">"), "<=": ("<", ">="), ">": (">=", "<"), ">=": (">", "<="), "==": ("!=",), "!=": ("==",),
              "===": ("!==",), "!==": ("===",)}
_BIN_SWAPS = {"+": ("-",), "-": ("+",), "*": ("/",), "/": ("*",), "%": ("/",)}
_WORD_SWAPS = {"true": "false", "false": "true", "min": "max", "max": "min", "&&": "||", "||": "&&",
               "++": "--", "--": "++", "+=": "-=", "-=": "+=", "*=": "/=", "/=": "*="}
_KEYWORDS = {"return", "case", "else", "do", "throw", "new", "typeof", "in", "of", "yield", "await"}
# names that open a template / generic argument list (C++ and Java): their angle brackets are not comparisons
_TEMPLATES = re.compile(r"^(?:[A-Z]\w*|vector|map|set|pair|tuple|unordered_map|unordered_set|multiset|multimap|"
                        r"priority_queue|queue|stack|deque|list|array|greater|less|function|static_cast|"
                        r"make_pair|numeric_limits)$")


def _tokens(code: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, text) of each token; strings and comments are tokens too, so nothing inside them is edited."""
    return [(m.start(), m.end(), m.lastgroup or "", m.group()) for m in _TOKEN.finditer(code)]


def _angle_brackets(tokens: list[tuple[int, int, str, str]], language: str) -> set[int]:
    """Start offsets of the ``<``/``>`` tokens that delimit template or generic arguments."""
    if language == "js":
        return set()
    out: set[int] = set()
    for k, (_a, _b, _kind, text) in enumerate(tokens):
        if text != "<" or k == 0 or tokens[k - 1][2] != "name" or not _TEMPLATES.match(tokens[k - 1][3]):
            continue
        depth, inside = 0, []
        for a, _b2, kind2, text2 in tokens[k:]:
            if text2 in ("<", ">", ">>"):
                inside.append(a)
                depth += {"<": 1, ">": -1, ">>": -2}[text2]
                if depth <= 0:
                    out.update(inside)
                    break
            elif text2 in (";", "(", ")", "{", "}", "&&", "||", "=") or kind2 in ("string", "number"):
                break
    return out


def mutants(code: str, language: str) -> list[tuple[dict[str, Any], str]]:
    """Every single-edit mutant of ``code`` as (description, code), in source order, without duplicates."""
    tokens = _tokens(code)
    angles = _angle_brackets(tokens, language)
    edits: list[tuple[dict[str, Any], tuple[int, int, str]]] = []
    prev: tuple[int, int, str, str] | None = None
    for k, (a, b, kind, text) in enumerate(tokens):
        if kind in ("comment", "string"):
            prev = tokens[k]
            continue
        line = code.count("\n", 0, a) + 1
        after = tokens[k + 1][3] if k + 1 < len(tokens) else ""
        operand_before = prev is not None and (prev[2] in ("number", "string") or prev[3] in (")", "]")
                                               or (prev[2] == "name" and prev[3] not in _KEYWORDS))
        if text in _CMP_SWAPS and a not in angles:
            for new in _CMP_SWAPS[text]:
                edits.append(({"kind": "compare", "line": line, "old": text, "new": new}, (a, b, new)))
        elif text in _BIN_SWAPS and operand_before and after != "=":
            for new in _BIN_SWAPS[text]:
                edits.append(({"kind": "arith", "line": line, "old": text, "new": new}, (a, b, new)))
        elif text in ("++", "--", "+=", "-=", "*=", "/="):
            edits.append(({"kind": "arith", "line": line, "old": text, "new": _WORD_SWAPS[text]}, (a, b, _WORD_SWAPS[text])))
        elif text in ("&&", "||"):
            edits.append(({"kind": "logic", "line": line, "old": text, "new": _WORD_SWAPS[text]}, (a, b, _WORD_SWAPS[text])))
        elif text in ("true", "false"):
            edits.append(({"kind": "bool", "line": line, "old": text}, (a, b, _WORD_SWAPS[text])))
        elif text in ("min", "max") and after == "(":
            edits.append(({"kind": "minmax", "line": line, "old": text}, (a, b, _WORD_SWAPS[text])))
        elif kind == "number" and text.isdigit() and not (prev and prev[3] == "."):
            value = int(text)
            for new in (value + 1, value - 1):
                if new >= 0:
                    edits.append(({"kind": "constant", "line": line, "old": value, "new": new}, (a, b, str(new))))
        elif text == "!" and after not in ("=", "=="):
            edits.append(({"kind": "drop_not", "line": line}, (a, b, "")))
        prev = tokens[k]
    seen: set[str] = {code}
    out: list[tuple[dict[str, Any], str]] = []
    for desc, (a, b, new) in edits:
        mutated = code[:a] + new + code[b:]
        if mutated not in seen:
            seen.add(mutated)
            out.append((desc, mutated))
    return out


def _candidates(row: dict[str, Any], seed: int) -> list[tuple[dict[str, Any], str]]:
    """The mutants in a seeded order that takes the mutation kinds in turn (each kind shuffled)."""
    rng = random.Random(f"{seed}:{row['language']}:{row['task_id']}")
    by_kind: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for desc, code in mutants(row["task"].canonical_solution, row["language"]):
        by_kind.setdefault(desc["kind"], []).append((desc, code))
    kinds = sorted(by_kind)
    rng.shuffle(kinds)
    for kind in kinds:
        rng.shuffle(by_kind[kind])
    out = []
    while any(by_kind.values()):
        for kind in kinds:
            if by_kind[kind]:
                out.append(by_kind[kind].pop(0))
    return out[:MAX_CANDIDATES]


# -- running the HumanEval-X test programs in the sandbox ------------------------------------------------
def run_test(row: dict[str, Any], code: str) -> str:
    """The outcome of the problem's HumanEval-X test program around ``code`` (a whole function): ``pass``,
    ``wrong_answer`` (an assertion failed), ``runtime_error``, ``timeout``, ``oom``, ``compile_error`` or
    ``sandbox`` (the sandbox could not start it)."""
    from alchemistcoder.evaluate.humaneval_x import passed, run_test_program, test_program
    from alchemistcoder.evaluate.scoring import classify_compiled

    task = row["task"]
    result = run_test_program(task, test_program(task, code, is_completion=False), timeout_s=TEST_TIMEOUT_S)
    if passed(task, result):
        return "pass"
    if result.status == "killed" and result.stderr.startswith("sandbox: "):
        return "sandbox"
    return classify_compiled(result.status, result.compile_output or result.stderr + result.stdout)


def run_tests(jobs: list[tuple[dict[str, Any], str]], workers: int | None = None) -> list[str]:
    """``run_test`` of each (row, code), in parallel; a job the sandbox could not start is run again."""
    from alchemistcoder.sandbox.budget import sandbox_workers

    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=workers or sandbox_workers()) as pool:
        out = list(pool.map(lambda job: run_test(*job), jobs))
    for _attempt in range(3):
        again = [k for k, o in enumerate(out) if o == "sandbox"]
        for k in again:
            out[k] = run_test(*jobs[k])
    return out


# -- the set ------------------------------------------------------------------------------------------
@dataclass
class ItemX(Item):
    """One labelled response (``_verify_set.Item`` with its language). ``tests`` holds the HumanEval-X test
    program: for labelling only, never shown to the tool; ``human_results`` its outcome."""

    language: str = ""


def _cache_key(row: dict[str, Any], wrong_per_problem: int, seed: int) -> str:
    task = row["task"]
    blob = json.dumps([BUILD_VERSION, row["language"], task.task_id, task.prompt, task.canonical_solution, task.test,
                       task.extra.get("declaration"), wrong_per_problem, seed, MAX_CANDIDATES, CHUNK, TEST_TIMEOUT_S],
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def default_cache_dir() -> Path:
    """``verify_set_x`` under the user cache root (``$ALCHEMIST_CACHE``; see ``alchemistcoder.cache``)."""
    from alchemistcoder.cache import cache_root

    return cache_root() / "verify_set_x"


def _item(row: dict[str, Any], label: str, kind: str, code: str, outcome: str, n: int,
          mutation: dict[str, Any] | None) -> dict[str, Any]:
    tid, language = row["task_id"], row["language"]
    return asdict(ItemX(
        id=f"hx-{language}{tid}-{'ref' if label == 'correct' else f'mut{n}'}", task_id=tid, split=split_of(tid),
        label=label, kind=kind, instruction=instruction(row), response=present(code, row), code=code,
        tests=[row["task"].test], mutation=mutation, human_passed=int(outcome == "pass"), human_total=1,
        human_results=[outcome], language=language))


def build_problems(rows: list[dict[str, Any]], *, wrong_per_problem: int = 2, seed: int = 0,
                   cache_dir: Path | None = None, workers: int | None = None) -> dict[tuple[str, int], dict[str, Any]]:
    """Label each problem (cached per problem): ``{(language, task number): {"excluded": reason | None,
    "items": [...]}}``."""
    def key(row: dict[str, Any]) -> tuple[str, int]:
        return row["language"], row["task_id"]

    done: dict[tuple[str, int], dict[str, Any]] = {}
    todo: list[dict[str, Any]] = []
    for row in rows:
        if row["task"].entry_point in ("", "for", "if", "while", "switch", "return"):
            # the benchmark loader found no function name (CPP/38's declaration holds a helper and part of the body)
            done[key(row)] = {"excluded": "no_entry_point", "items": []}
            continue
        path = cache_dir / f"{_cache_key(row, wrong_per_problem, seed)}.json" if cache_dir else None
        if path and path.exists():
            done[key(row)] = json.loads(path.read_text())
        else:
            todo.append(row)
    if not todo:
        return done
    refs = {key(r): full_code(r, r["task"].canonical_solution) for r in todo}
    cands = {key(r): [(d, full_code(r, c)) for d, c in _candidates(r, seed)] for r in todo}
    found: dict[tuple[str, int], list[tuple[str, dict[str, Any], str]]] = {key(r): [] for r in todo}
    tried = dict.fromkeys(found, 0)
    # 1. the references and the first mutants; then more mutants for the problems that lack wrong ones
    outcomes = run_tests([(r, refs[key(r)]) for r in todo] + [(r, c) for r in todo for _d, c in cands[key(r)][:CHUNK]],
                         workers)
    ref_outcome = {key(r): o for r, o in zip(todo, outcomes[: len(todo)], strict=True)}
    pending = [(r, d, c) for r in todo for d, c in cands[key(r)][:CHUNK]]
    results = outcomes[len(todo):]
    while True:
        for (r, d, c), o in zip(pending, results, strict=True):
            tried[key(r)] += 1
            if o in ("wrong_answer", "runtime_error"):
                found[key(r)].append((o, d, c))
        more = [r for r in todo if ref_outcome[key(r)] == "pass" and len(found[key(r)]) < wrong_per_problem
                and tried[key(r)] < len(cands[key(r)])]
        if not more:
            break
        pending = [(r, d, c) for r in more for d, c in cands[key(r)][tried[key(r)]: tried[key(r)] + CHUNK]]
        results = run_tests([(r, c) for r, _d, c in pending], workers)
    # 2. the kept ones: wrong answers before exceptions, then different kinds first; each run again to confirm
    picks: dict[tuple[str, int], list[tuple[str, dict[str, Any] | None, str]]] = {}
    for r in todo:
        if ref_outcome[key(r)] != "pass":
            continue
        pool = sorted(found[key(r)], key=lambda x: x[0] != "wrong_answer")
        chosen: list[tuple[str, dict[str, Any], str]] = []
        for o, d, c in pool:
            if len(chosen) < wrong_per_problem and d["kind"] not in {x[1]["kind"] for x in chosen}:
                chosen.append((o, d, c))
        for o, d, c in pool:
            if len(chosen) < wrong_per_problem and all(c != x[2] for x in chosen):
                chosen.append((o, d, c))
        picks[key(r)] = [("pass", None, refs[key(r)]), *chosen]
    confirm = [(r, c) for r in todo for _o, _d, c in picks.get(key(r), [])]
    again = iter(run_tests(confirm, workers))
    for r in todo:
        entry: dict[str, Any] = {"excluded": None, "items": []}
        lost = False
        if ref_outcome[key(r)] == "sandbox":
            done[key(r)] = {"excluded": "sandbox_failure", "items": []}
            continue
        if ref_outcome[key(r)] != "pass":
            entry["excluded"] = f"reference_{ref_outcome[key(r)]}"
        for n, (first, desc, code) in enumerate(picks.get(key(r), [])):
            second = next(again)
            lost = lost or second == "sandbox"
            if second != first and not (first != "pass" and second in ("wrong_answer", "runtime_error")):
                if desc is None:
                    entry["excluded"] = "reference_unstable"
                continue
            label, kind = ("correct", "reference") if desc is None else ("wrong", first)
            entry["items"].append(_item(r, label, kind, code, second, n, desc))
        if entry["excluded"]:
            entry["items"] = []
        done[key(r)] = entry
        if cache_dir and not lost:
            cache_dir.mkdir(parents=True, exist_ok=True)
            path = cache_dir / f"{_cache_key(r, wrong_per_problem, seed)}.json"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(entry))
            tmp.replace(path)
    return done


def build_set(split: str = "tune", limit: int | None = None, *, languages: tuple[str, ...] | list[str] = LANGUAGES,
              seed: int = 0, wrong_per_problem: int = 2, cache_dir: Path | bool | None = True,
              task_ids: list[int] | None = None, workers: int | None = None) -> tuple[list[ItemX], dict[str, Any]]:
    """The labelled items of ``split`` in each language (``limit`` problems per language drawn with ``seed``,
    or the problems numbered ``task_ids``) and a summary per language (problems, excluded by reason, correct,
    wrong by kind)."""
    cache = default_cache_dir() if cache_dir is True else (cache_dir or None)
    rows: list[dict[str, Any]] = []
    for language in languages:
        problems = load_problems(language)
        if task_ids is not None:
            rows += [p for p in problems if p["task_id"] in set(task_ids)]
        else:
            rows += select_problems(problems, split, limit, seed)
    entries = build_problems(rows, wrong_per_problem=wrong_per_problem, seed=seed, cache_dir=cache, workers=workers)
    items = [ItemX(**d) for r in rows for d in entries[(r["language"], r["task_id"])]["items"]]
    summary: dict[str, Any] = {"split": split if task_ids is None else "chosen", "languages": {}}
    for language in languages:
        mine = [r for r in rows if r["language"] == language]
        excluded: dict[str, int] = {}
        for r in mine:
            reason = entries[(language, r["task_id"])]["excluded"]
            if reason:
                excluded[reason] = excluded.get(reason, 0) + 1
        lang_items = [i for i in items if i.language == language]
        summary["languages"][language] = {
            "problems": len(mine), "excluded": excluded,
            "correct": sum(1 for i in lang_items if i.label == "correct"),
            "wrong": sum(1 for i in lang_items if i.label == "wrong"),
            "wrong_answer": sum(1 for i in lang_items if i.kind == "wrong_answer"),
            "runtime_error": sum(1 for i in lang_items if i.kind == "runtime_error"),
            "no_wrong_variant": sum(1 for r in mine if not entries[(language, r["task_id"])]["excluded"]
                                    and all(d["label"] == "correct" for d in entries[(language, r["task_id"])]["items"]))}
    return items, summary


def to_sample(item: ItemX) -> Any:
    """The Sample the tool sees: instruction and response only (no tests, no label)."""
    from alchemistcoder.records import Sample, make_messages

    return Sample(id=item.id, source=SOURCE, messages=make_messages(item.instruction, item.response),
                  meta={"language": FENCE[item.language]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated: cpp, java, js")
    ap.add_argument("--split", choices=[*SPLITS, "all"], default="tune")
    ap.add_argument("--limit", type=int, default=None, help="problems drawn per language from the split (seeded)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wrong-per-problem", type=int, default=2)
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--show", type=int, default=0, help="print this many problems' items per language")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    languages = [x.strip() for x in args.languages.split(",") if x.strip()]
    items, summary = build_set(args.split, args.limit, languages=languages, seed=args.seed,
                               wrong_per_problem=args.wrong_per_problem, cache_dir=not args.no_cache)
    for language, counts in summary["languages"].items():
        kinds: dict[str, int] = {}
        for i in items:
            if i.language == language and i.mutation:
                kinds[i.mutation["kind"]] = kinds.get(i.mutation["kind"], 0) + 1
        print(f"{language} {summary['split']}: {json.dumps(counts)} mutation kinds {dict(sorted(kinds.items()))}")
    for language in languages:
        shown = sorted({i.task_id for i in items if i.language == language})[: args.show]
        for i in items:
            if i.language == language and i.task_id in shown:
                print(f"--- {i.id} {i.label}/{i.kind} {i.human_results} {i.mutation}\n### instruction\n"
                      f"{i.instruction}\n### response\n{i.response}")


if __name__ == "__main__":
    main()
