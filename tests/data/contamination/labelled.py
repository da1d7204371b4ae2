"""The labelled contamination set: positives derived from the real benchmark files, hard negatives by hand.

Nothing from the benchmarks is stored in the repository: :func:`build_labelled_set` reads the benchmark files
(``../shared/data`` or ``$ALCHEMIST_SHARED_DATA``) and applies deterministic transformations, seeded by
``seed``, to produce one positive per kind and chosen task:

- ``verbatim``: the problem as the benchmark states it, with its reference solution;
- ``reworded``: the problem statement rewritten by synonym rules with the examples dropped, and the solution
  with identifiers renamed;
- ``renamed``: "complete this code" with every identifier of the prompt and solution renamed;
- ``unrelated_instruction``: the reference solution (docstring removed) under an instruction about
  something else;
- ``leaked_tests``: an instruction that quotes the benchmark's assertions, with a stub answer;
- ``embedded``: the problem inside a longer, unrelated task, its solution among other code.

Negatives (``negatives.jsonl``, written by hand) are same-topic, different-problem tasks: the hard cases
for a detector. Nine of the 81 turned out to be benchmark problems in other words ("minimum of three
numbers" is MBPP/227, "nth Catalan number" MBPP/583): they carry the ``task_id`` and count as positives
(kind ``hand_paraphrase``). Run ``python tests/data/contamination/labelled.py OUT.jsonl`` to write the set out.

``paraphrases.jsonl`` (:func:`load_paraphrases`) is the second part: real samples of the shared CodeAlpaca,
Evol-CodeAlpaca and CoNaLa files, by file and record index (the records themselves are read from the shared
data, not stored here), each reviewed by hand: ``label`` 1 is a benchmark problem in other words (``task_id``
names it), 0 a near miss (same topic, asks for something else; ``task_id`` names the problem it resembles,
``note`` says how it differs). ``split`` (tune or test) follows a hash of ``task_id``, so no benchmark
problem is on both sides.

``fresh.jsonl`` (:func:`load_fresh`, issue 24) is an untouched *test* set drawn afterwards, without the system's
own retrieval (``draw_fresh.py`` re-creates its candidate pool) and reviewed by hand; none of its rows is a row
of ``paraphrases.jsonl``. It is never tuned on and its misses are not read while designing: only aggregate
figures are printed for it (``bench/decontam.py --set fresh``). ``fresh_tune.jsonl`` (:func:`load_fresh_tune`) is
its tune half: a second, smaller draw from the same pool (``draw_tune.py``) without the test set's records,
reviewed by the same rules, whose misses may be read (``bench/decontam.py --set fresh-tune --show-misses``).
``fresh_tune2.jsonl`` (:func:`load_fresh_tune2`) is a second tune draw without the records of both earlier sets,
measured once before it is designed on (``--set fresh-tune2``).
"""

from __future__ import annotations

import ast
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("verbatim", "reworded", "renamed", "unrelated_instruction", "leaked_tests", "embedded")

_SYNONYMS = [
    (r"\bWrite a (python )?function to\b", "Implement a routine that will"),
    (r"\bWrite a (python )?function that\b", "Implement a routine which"),
    (r"\bfunction\b", "routine"),
    (r"\bfind\b", "determine"),
    (r"\bgiven\b", "provided"),
    (r"\breturn\b", "give back"),
    (r"\bReturn\b", "Give back"),
    (r"\blist\b", "sequence"),
    (r"\bnumbers\b", "values"),
    (r"\bnumber\b", "value"),
    (r"\bstring\b", "text"),
    (r"\bcheck\b", "verify"),
    (r"\bwhether\b", "if"),
    (r"\bcount\b", "tally"),
    (r"\belements\b", "items"),
    (r"\belement\b", "item"),
    (r"\bcharacters\b", "symbols"),
    (r"\bcalculate\b", "compute"),
    (r"\bgiven\b", "supplied"),
    (r"\bremove\b", "drop"),
    (r"\bthe\b", "that"),
]
_UNRELATED = [
    "Here is a helper from our billing service. Please add type hints and keep the behaviour identical.",
    "Refactor this utility so it is easier to read; do not change what it does.",
    "My teammate wrote this for the inventory dashboard. Can you explain it line by line?",
    "Please review this snippet from our data pipeline and point out any style problems.",
    "Convert the following helper into a form that passes our linter, keeping its logic.",
    "Add a docstring to this function from the analytics package.",
]
_INTROS = [
    "I am building a small command-line toolkit for my team's reporting workflow. It reads CSV exports, "
    "cleans them up and prints a summary. Most of it is done, but I still need one piece of logic.",
    "We are migrating a legacy service to Python and splitting it into small, testable helpers. The "
    "configuration loader and the logging setup already exist. The next helper to port is described below.",
    "For a programming club exercise sheet, I need reference solutions with tests. The sheet covers loops, "
    "strings and lists; this is one of its tasks.",
]
_OUTROS = [
    "After that, wire it into the main() entry point and print the result for a few sample inputs.",
    "Please also add a short explanation of the approach and its time complexity.",
    "Keep the code compatible with Python 3.8 and avoid third-party packages.",
]
_FILLER_CODE = (
    "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
    "def load_rows(path):\n    with open(path) as fh:\n        return [line.rstrip('\\n').split(',') for line in fh]\n\n\n"
)
_FILLER_MAIN = "\n\ndef main():\n    logger.info('starting')\n    rows = load_rows('data.csv')\n    print(len(rows))\n"
_NEW_NAMES = ["alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma", "theta", "zeta", "lam", "rho", "tau",
              "phi", "chi", "psi", "eta", "mu", "nu", "xi", "iota"]


def _shared_data() -> Path:
    import os

    env = os.environ.get("ALCHEMIST_SHARED_DATA")
    return Path(env) if env else HERE.parents[3] / "shared" / "data"


def reword(text: str) -> str:
    """Rule-based rewording: drop doctest examples, swap words for synonyms, reorder the sentences."""
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith(">>>")]
    kept, skip = [], False
    for ln in lines:
        if re.match(r"\s*(For example|Example|Examples)\b", ln):
            skip = True
        if not skip:
            kept.append(ln.strip())
    out = " ".join(x for x in kept if x)
    for pattern, repl in _SYNONYMS:
        out = re.sub(pattern, repl, out)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", out) if s]
    if len(sentences) > 1:
        sentences = sentences[1:] + sentences[:1]
    return " ".join(sentences)


def python_rename(code: str) -> str:
    """Rename every function, argument and assigned variable of Python code (builtins and attributes kept)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif isinstance(node, ast.arg):
            names.append(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
    mapping: dict[str, str] = {}
    for name in names:
        if name not in mapping and name not in ("self", "_"):
            mapping[name] = f"{_NEW_NAMES[len(mapping) % len(_NEW_NAMES)]}{len(mapping)}"
    if not mapping:
        return code
    pattern = re.compile(r"(?<![.\w])(" + "|".join(map(re.escape, sorted(mapping, key=len, reverse=True))) + r")\b")
    return pattern.sub(lambda m: mapping[m.group(1)], code)


_DECL = re.compile(r"\b(?:int|long|float|double|bool|boolean|string|String|char|auto|let|var|const|mut|func)\s+(?:mut\s+)?([a-z_]\w*)")
_PARAM = re.compile(r"[(,]\s*(?:const\s+)?(?:[\w:<>\[\]&*]+\s+)*?[&*]?([a-z_]\w*)\s*(?::\s*[\w&<>\[\]]+)?\s*(?=[,)])")


def generic_rename(code: str, entry_point: str) -> str:
    """Rename the entry point, parameters and declared locals of C-like code by regular expressions."""
    names = [entry_point] if entry_point else []
    names += _DECL.findall(code) + _PARAM.findall(code)
    keep = {"main", "std", "string", "vector", "size", "len", "self", "i32", "i64", "usize"}
    mapping: dict[str, str] = {}
    for name in names:
        if name and name not in mapping and name not in keep and len(name) > 1:
            mapping[name] = f"{_NEW_NAMES[len(mapping) % len(_NEW_NAMES)]}{len(mapping)}"
    if not mapping:
        return code
    pattern = re.compile(r"(?<![.\w])(" + "|".join(map(re.escape, sorted(mapping, key=len, reverse=True))) + r")\b")
    return pattern.sub(lambda m: mapping[m.group(1)], code)


def _docstring_text(prompt: str) -> str:
    m = re.search(r'("""|\'\'\')(.*?)\1', prompt, re.S)
    return m.group(2).strip() if m else prompt.strip()


def _strip_docstring(code: str) -> str:
    return re.sub(r'\n\s*("""|\'\'\')(.*?)\1', "", code, count=1, flags=re.S)


def _fence(language: str, code: str) -> str:
    return f"```{language}\n{code.strip()}\n```"


def _hx_comment_text(prompt: str) -> str:
    m = re.search(r"/\*(.*?)\*/", prompt, re.S)
    if m:
        return m.group(1).strip()
    return "\n".join(ln.lstrip("/ ").strip() for ln in prompt.splitlines() if ln.strip().startswith("//"))


def _task_view(task) -> dict:
    """Problem text, full solution, its language, the solution without docstring, and the asserts."""
    b = task.benchmark
    if b.startswith("humaneval-x"):
        lang = task.language
        decl = task.extra.get("declaration") or ""
        solution = (decl if lang == "rust" else task.prompt) + task.canonical_solution
        text = _hx_comment_text(task.prompt) if lang != "python" else _docstring_text(task.prompt)
        bare = (decl + task.canonical_solution) if decl else solution
        asserts = [m.group().strip() for m in re.finditer(r"assert\s*\(.*$", task.test, re.M)]
    elif b == "humaneval":
        lang = "python"
        solution = task.prompt + task.canonical_solution
        text = _docstring_text(task.prompt)
        bare = _strip_docstring(solution)
        asserts = [ln.strip().replace("candidate", task.entry_point) for ln in task.test.splitlines()
                   if ln.strip().startswith("assert")]
    else:  # mbpp
        lang = "python"
        solution = task.canonical_solution
        text = task.prompt
        bare = solution
        asserts = list(task.extra.get("test_list") or [])
    return {"language": lang, "solution": solution, "text": text, "bare": bare, "asserts": asserts,
            "prompt": task.prompt}


def _rename(lang: str, code: str, entry_point: str) -> str:
    return python_rename(code) if lang == "python" else generic_rename(code, entry_point)


def make_positive(kind: str, task, rng: random.Random) -> dict:
    """One positive of ``kind`` from a benchmark task."""
    v = _task_view(task)
    lang = v["language"]
    if kind == "verbatim":
        if task.benchmark == "mbpp":
            inst, resp = v["text"], _fence("python", v["solution"])
        else:
            inst = "Complete the following function.\n" + _fence(lang, v["prompt"] if lang != "rust" else
                                                                   task.extra.get("declaration", "") + "\n" + task.prompt)
            resp = _fence(lang, v["solution"])
    elif kind == "reworded":
        inst = reword(v["text"])
        if lang != "python":
            inst = f"In {lang}, " + inst[:1].lower() + inst[1:]
        resp = "Here is one way to do it:\n" + _fence(lang, _rename(lang, v["bare"], task.entry_point))
    elif kind == "renamed":
        prompt = v["prompt"] if task.benchmark != "mbpp" else v["solution"].split("\n")[0]
        inst = "Finish the implementation below.\n" + _fence(lang, _rename(lang, prompt, task.entry_point))
        resp = _fence(lang, _rename(lang, v["solution"], task.entry_point))
    elif kind == "unrelated_instruction":
        inst = rng.choice(_UNRELATED) + "\n\n" + _fence(lang, v["bare"])
        resp = "Sure. The behaviour stays the same:\n" + _fence(lang, v["bare"])
    elif kind == "leaked_tests":
        asserts = v["asserts"][:5]
        inst = ("Write a function that makes the following tests pass.\n" + _fence(lang, "\n".join(asserts)))
        stub = f"def {task.entry_point}(*args):\n    ..." if lang == "python" else f"// {task.entry_point}: TODO"
        resp = "Here is a starting point:\n" + _fence(lang, stub)
    elif kind == "embedded":
        inst = rng.choice(_INTROS) + "\n\n" + v["text"] + "\n\n" + rng.choice(_OUTROS)
        # Python gets unrelated helpers around the solution; other languages embed the text only
        code = _FILLER_CODE + v["solution"].strip() + _FILLER_MAIN if lang == "python" else v["solution"]
        resp = "Below is the complete module.\n" + _fence(lang, code) + "\nThe helper is called from main()."
    else:
        raise ValueError(kind)
    return {"instruction": inst, "response": resp}


def _pool(data_dir: Path) -> list:
    sys.path.insert(0, str(HERE.parents[2] / "src"))
    from alchemistcoder.benchmarks import load_benchmark

    paths = {
        "humaneval": data_dir / "humaneval" / "HumanEval.jsonl.gz",
        "mbpp": data_dir / "mbpp" / "mbpp.jsonl",
        **{f"humaneval-x-{x}": data_dir / "humaneval-x" / f"humaneval_{x}.jsonl.gz" for x in ("cpp", "java", "js", "go", "rust")},
    }
    return {name: load_benchmark(name, path) for name, path in paths.items()}


def build_labelled_set(data_dir: str | Path | None = None, seed: int = 0, per_kind: int = 40) -> list[dict]:
    """The labelled set: ``per_kind`` positives of each kind (deterministic for a seed) plus the negatives.

    Each row: ``id``, ``kind``, ``label`` (1 contaminated, 0 clean), ``benchmark``, ``task_id`` (positives),
    ``instruction``, ``response``.
    """
    pools = _pool(Path(data_dir) if data_dir else _shared_data())
    rng = random.Random(seed)
    rows = []
    # Python benchmarks carry most kinds; HumanEval-X languages join the code-based kinds.
    python_tasks = pools["humaneval"] + pools["mbpp"]
    other_tasks = [t for name, tasks in pools.items() if name.startswith("humaneval-x") for t in tasks]
    for kind in KINDS:
        pool = python_tasks + other_tasks if kind in ("verbatim", "renamed", "unrelated_instruction", "reworded") else python_tasks
        for k, task in enumerate(rng.sample(pool, per_kind)):
            row = make_positive(kind, task, rng)
            rows.append({"id": f"pos-{kind}-{k}", "kind": kind, "label": 1, "benchmark": task.benchmark,
                         "task_id": task.task_id, **row})
    with open(HERE / "negatives.jsonl", encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            rec = json.loads(line)
            # a record with a task_id was written as a negative but states that benchmark problem (the
            # execution signal found it: its code passes the problem's tests); it counts as a positive
            leak = rec.get("task_id")
            rows.append({"id": f"neg-{k}", "kind": "hand_paraphrase" if leak else "hard_negative", "label": int(bool(leak)),
                         "benchmark": None, "task_id": leak, "instruction": rec["instruction"], "response": rec["response"]})
    return rows


def load_paraphrases(data_dir: str | Path | None = None, split: str | None = None) -> list[dict]:
    """The reviewed real samples of ``paraphrases.jsonl`` (``split``: tune, test or None for both).

    Each row: ``id``, ``kind`` (paraphrase or near_miss), ``label``, ``task_id``, ``split``, ``note``,
    ``instruction``, ``response``, read through the project's own source adapters.
    """
    sys.path.insert(0, str(HERE.parents[2] / "src"))
    from alchemistcoder.ingest.adapters import ADAPTERS, field_names

    root = Path(data_dir) if data_dir else _shared_data()
    files: dict[str, list] = {}
    rows = []
    with open(HERE / "paraphrases.jsonl", encoding="utf-8") as fh:
        for line in fh:
            ref = json.loads(line)
            if split is not None and ref["split"] != split:
                continue
            if ref["file"] not in files:
                files[ref["file"]] = json.loads((root / ref["file"]).read_text(encoding="utf-8"))
            messages, _meta = ADAPTERS[ref["format"]](files[ref["file"]][ref["index"]], field_names(ref["format"], {}))
            rows.append({"id": f"{ref['file']}#{ref['index']}", "kind": "paraphrase" if ref["label"] else "near_miss",
                         "label": ref["label"], "benchmark": None, "task_id": ref["task_id"], "split": ref["split"],
                         "note": ref["note"], "instruction": messages[0]["content"], "response": messages[1]["content"]})
    return rows


FRESH_KINDS = ("paraphrase", "interface", "multipart", "copy", "hard_negative", "clean")
MULTIPART_INTRO = "Please complete all of the following tasks:"


def load_fresh(data_dir: str | Path | None = None) -> list[dict]:
    """The reviewed fresh test set of ``fresh.jsonl`` (issue 24): a TEST set, never tuned on.

    Each line references shared records by ``file``, ``format`` and ``index`` (nothing is copied) with ``label``,
    ``kind`` (one of :data:`FRESH_KINDS`), ``task_id`` and ``note``. A ``multipart`` line has ``parts``, a list of
    such references, one of which is a benchmark problem: their instructions are joined as "Please complete all
    of the following tasks: 1. ... 2. ..." and their responses the same way. Rows have the shape of
    :func:`load_paraphrases` (``split`` is ``fresh``).
    """
    return _load_reviewed("fresh.jsonl", "fresh", data_dir)


def load_fresh_tune(data_dir: str | Path | None = None) -> list[dict]:
    """The fresh *tune* set of ``fresh_tune.jsonl``: a second draw from the fresh set's candidate pool (``draw_tune.py``,
    seed 2024) without any record the test set used, reviewed by the same rules. Its misses may be read while
    designing. The same format and row shape as :func:`load_fresh` (``split`` is ``fresh_tune``)."""
    return _load_reviewed("fresh_tune.jsonl", "fresh_tune", data_dir)


def load_fresh_tune2(data_dir: str | Path | None = None) -> list[dict]:
    """The second fresh tune set of ``fresh_tune2.jsonl`` (``draw_tune.py --second``, seed 2025): the first tune set
    was designed on until it saturated, so this draw from the same pool leaves out every record of the test set and
    of the first tune set. Same review, format and row shape as :func:`load_fresh` (``split`` is ``fresh_tune2``)."""
    return _load_reviewed("fresh_tune2.jsonl", "fresh_tune2", data_dir)


def load_fresh_tune3(data_dir: str | Path | None = None) -> list[dict]:
    """The third fresh tune set of ``fresh_tune3.jsonl`` (``draw_tune.py --third``, seed 2026): none of the test set's
    records, nor of either earlier tune set. Same review, format and row shape as :func:`load_fresh` (``split`` is
    ``fresh_tune3``)."""
    return _load_reviewed("fresh_tune3.jsonl", "fresh_tune3", data_dir)


def load_fresh_tune4(data_dir: str | Path | None = None) -> list[dict]:
    """The fourth fresh tune set of ``fresh_tune4.jsonl`` (``draw_tune.py --fourth``, seed 2027): none of the test
    set's records, nor of the three earlier tune sets. Same review, format and row shape as :func:`load_fresh`
    (``split`` is ``fresh_tune4``)."""
    return _load_reviewed("fresh_tune4.jsonl", "fresh_tune4", data_dir)


def _load_reviewed(name: str, split: str, data_dir: str | Path | None) -> list[dict]:
    """The rows of a reviewed file in the fresh set's format (``fresh.jsonl``, ``fresh_tune.jsonl``,
    ``fresh_tune2.jsonl``, ``fresh_tune3.jsonl``)."""
    sys.path.insert(0, str(HERE.parents[2] / "src"))
    from alchemistcoder.ingest.adapters import ADAPTERS, field_names

    root = Path(data_dir) if data_dir else _shared_data()
    files: dict[str, list] = {}

    def pair(ref: dict) -> tuple[str, str]:
        if ref["file"] not in files:
            files[ref["file"]] = json.loads((root / ref["file"]).read_text(encoding="utf-8"))
        messages, _meta = ADAPTERS[ref["format"]](files[ref["file"]][ref["index"]], field_names(ref["format"], {}))
        return messages[0]["content"], messages[1]["content"]

    rows = []
    with open(HERE / name, encoding="utf-8") as fh:
        for line in fh:
            ref = json.loads(line)
            if "parts" in ref:
                instruction, response = join_parts([pair(p) for p in ref["parts"]])
                rid = "+".join(f"{p['file']}#{p['index']}" for p in ref["parts"])
            else:
                instruction, response = pair(ref)
                rid = f"{ref['file']}#{ref['index']}"
            rows.append({"id": rid, "kind": ref["kind"], "label": ref["label"], "benchmark": None,
                         "task_id": ref["task_id"], "split": split, "note": ref["note"],
                         "instruction": instruction, "response": response})
    return rows


def join_parts(pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """(instruction, response) pairs joined as one multi-part request, as :func:`load_fresh` joins its
    ``multipart`` rows: "Please complete all of the following tasks: 1. ... 2. ...", the responses numbered the
    same way."""
    instruction = MULTIPART_INTRO + "\n" + "\n".join(f"{k}. {i}" for k, (i, _) in enumerate(pairs, 1))
    response = "\n\n".join(f"{k}. {r}" for k, (_, r) in enumerate(pairs, 1))
    return instruction, response


def build_multipart(data_dir: str | Path | None = None, split: str = "tune", seed: int = 24,
                    negatives: int = 60) -> list[dict]:
    """Multi-part requests made of the paraphrase set's ``split`` (per-part retrieval of issue 24 was designed
    on ``tune``): each positive joined with 1-3 clean rows (the split's near misses and the hand-written
    negatives without a task) at a seeded position, ``multipart``, label 1; and ``negatives`` requests of 2-4
    clean rows only, ``multipart_clean``, label 0. The format is the fresh set's (:func:`join_parts`)."""
    rows = load_paraphrases(data_dir, split=split)
    fillers = [(r["instruction"], r["response"]) for r in rows if r["label"] == 0]
    with open(HERE / "negatives.jsonl", encoding="utf-8") as fh:
        fillers += [(rec["instruction"], rec["response"]) for rec in map(json.loads, fh) if not rec.get("task_id")]
    rng = random.Random(seed)
    out = []
    for k, row in enumerate(r for r in rows if r["label"] == 1):
        parts = rng.sample(fillers, rng.choice((1, 1, 2, 2, 3)))
        position = rng.randrange(len(parts) + 1)
        parts.insert(position, (row["instruction"], row["response"]))
        instruction, response = join_parts(parts)
        out.append({"id": f"mp-{k}", "kind": "multipart", "label": 1, "task_id": row["task_id"], "split": split,
                    "part": position + 1, "single": row, "instruction": instruction, "response": response})
    for k in range(negatives):
        instruction, response = join_parts(rng.sample(fillers, rng.choice((2, 3, 4))))
        out.append({"id": f"mp-clean-{k}", "kind": "multipart_clean", "label": 0, "task_id": None, "split": split,
                    "instruction": instruction, "response": response})
    return out


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "-"
    data = build_labelled_set(seed=int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    text = "\n".join(json.dumps(r) for r in data) + "\n"
    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")
