"""Re-create the candidate pool that the fresh contamination test set (``fresh.jsonl``) was reviewed from.

The fresh set is a *test* set for decontamination (issue 24, item 7): it is never tuned on and its misses are
never read while designing. Its candidates were mined **without the system's own retrieval** (no MiniLM
embeddings, no execution signal, no n-gram index of ``curate/decontam``), so the set is not biased toward what
the current code already finds:

1. every record of the shared instruction files (CodeAlpaca-2k, new CodeAlpaca, Evol-CodeAlpaca rounds 0-2,
   CoNaLa train; read through the project's source adapters), one copy per distinct instruction; records whose
   instruction is also the instruction of a row of ``paraphrases.jsonl`` (that row or a copy of it in another
   file) are left out;
2. each instruction is compared with every benchmark problem statement of the default decontamination
   benchmarks (HumanEval/HumanEval+/HumanEval-X: the docstring without its examples; MBPP/MBPP-sanitized/MBPP+:
   the task text) by a plain TF-IDF cosine over stemmed content words (keyword overlap), and the functions the
   response defines are compared with the benchmark entry points (names equal once case and underscores are
   dropped);
3. strata: ``high`` (best cosine >= 0.60), ``mid`` (0.40-0.60), ``name`` (an entry-point name match, lower
   cosine), ``rest`` (everything else); a seeded draw (``random.Random(SEED)``) takes ``DRAW`` rows of each;
4. ``near_copy``: every other candidate (cosine >= 0.5) whose normalised instruction is within a
   ``difflib`` ratio of 0.8 of one of its two nearest problem statements, or contains one (the copies).

Every drawn row was then read by hand beside its nearest benchmark problems and labelled (``fresh.jsonl``);
rows the reviewer could not decide were left out. Multi-part rows join a reviewed positive with 1-3 reviewed
clean rows (also seeded, see ``multipart_rows``). Run ``python tests/data/contamination/draw_fresh.py`` to
print the pool sizes and the drawn candidates (file, index, stratum, best cosine, nearest problems).
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 24
DRAW = {"high": 220, "mid": 90, "name": 50, "rest": 40}
SOURCES = [
    ("codealpaca/code_alpaca_2k.json", "alpaca"),
    ("codealpaca/new_codealpaca.json", "alpaca"),
    ("evol-codealpaca/converted_alpaca_2k.json", "evol"),
    ("evol-codealpaca/evol-codealpaca-2k-1.json", "evol"),
    ("evol-codealpaca/evol-codealpaca-2k-2.json", "evol"),
    ("conala/conala-train.json", "conala"),
]
BENCHMARKS = ("humaneval", "humaneval+", "mbpp", "mbpp-sanitized", "mbpp+", "humaneval-x-python")
_STOP = set(re.findall(r"\S+", """a an the of to in on for and or is are be by with from that this it its as at into than then
which what when where who whom how all any each given write function program code python using use return returns
s 1 2 3 n x list lists string strings number numbers input output value values find get create make implement
method print script can you your should will please following below"""))
_GENERIC = {"main", "solve", "solution", "func", "function", "test", "helper", "f", "foo", "init", "__init__",
            "run", "check", "calculate", "compute", "process", "get", "count", "sum", "add", "find"}


def shared_data() -> Path:
    import os

    env = os.environ.get("ALCHEMIST_SHARED_DATA")
    return Path(env) if env else HERE.parents[3] / "shared" / "data"


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _words(text: str) -> list[str]:
    out = []
    for w in re.findall(r"[a-z]+", text.lower()):
        if w in _STOP or len(w) < 2:
            continue
        for suf in ("ing", "es", "s"):
            if w.endswith(suf) and len(w) - len(suf) >= 3:
                w = w[: -len(suf)]
                break
        out.append(w)
    return out


def _docstring(prompt: str) -> str:
    m = re.search(r'("""|\'\'\')(.*?)\1', prompt, re.S)
    text = m.group(2) if m else prompt
    kept = []
    for ln in text.splitlines():
        if ln.strip().startswith(">>>") or re.match(r"\s*(For example|Example|Examples|for example)\b", ln):
            break
        kept.append(ln.strip())
    return " ".join(x for x in kept if x)


def problems() -> dict[str, dict]:
    """Benchmark problem statements and entry points by task id (HumanEval/N, Mbpp/N)."""
    sys.path.insert(0, str(HERE.parents[2] / "src"))
    from alchemistcoder.benchmarks import load_benchmark

    out: dict[str, dict] = {}
    for name in BENCHMARKS:
        for t in load_benchmark(name):
            tid = t.task_id
            if tid.startswith("Python/"):
                tid = "HumanEval/" + tid.split("/")[1]
            if tid in out:
                continue
            if name.startswith("mbpp"):
                text = re.sub(r"^['\"]{3}|['\"]{3}$", "", t.prompt.strip()).strip().split("\nassert")[0]
            else:
                text = _docstring(t.prompt)
            out[tid] = {"text": text, "entry_point": t.entry_point}
    return out


def records() -> list[dict]:
    """One row per distinct instruction of the shared files, paraphrases.jsonl rows (and their copies) left out."""
    sys.path.insert(0, str(HERE.parents[2] / "src"))
    from alchemistcoder.ingest.adapters import ADAPTERS, field_names

    root = shared_data()
    used = {(r["file"], r["index"]) for r in map(json.loads, (HERE / "paraphrases.jsonl").open(encoding="utf-8"))}
    rows, used_text = [], set()
    for file, fmt in SOURCES:
        for i, rec in enumerate(json.loads((root / file).read_text(encoding="utf-8"))):
            messages, _ = ADAPTERS[fmt](rec, field_names(fmt, {}))
            row = {"file": file, "format": fmt, "index": i, "instruction": messages[0]["content"],
                   "response": messages[1]["content"]}
            if (file, i) in used:
                used_text.add(_norm(row["instruction"]))
            rows.append(row)
    seen, out = set(), []
    for row in rows:
        key = _norm(row["instruction"])
        if key in used_text or key in seen:
            continue
        seen.add(key)
        out.append(row)
    return out


def _defined_names(code: str) -> set[str]:
    names = set(re.findall(r"\bdef\s+(\w+)", code)) | set(re.findall(r"\bfunction\s+(\w+)", code))
    names |= set(re.findall(r"\b(?:public|private|static|int|bool|boolean|void|string|String|double|float|long|auto|"
                            r"vector<\w+>|List<\w+>)\s+(\w+)\s*\(", code))
    return {n.lower().replace("_", "") for n in names if n.lower() not in _GENERIC and n != "main"}


def pool() -> list[dict]:
    """Every candidate with its stratum, best cosine and nearest problems."""
    probs = problems()
    rows = records()
    docs = {tid: Counter(_words(p["text"])) for tid, p in probs.items()}
    rdocs = [Counter(_words(r["instruction"])) for r in rows]
    df: Counter = Counter()
    for d in list(docs.values()) + rdocs:
        df.update(d.keys())
    n_docs = len(docs) + len(rdocs)

    def vec(c: Counter) -> dict[str, float]:
        v = {w: (1 + math.log(k)) * math.log(n_docs / df[w]) for w, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    pvec = {tid: vec(c) for tid, c in docs.items()}
    inverted: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for tid, v in pvec.items():
        for w, x in v.items():
            inverted[w].append((tid, x))
    by_name: dict[str, set[str]] = defaultdict(set)
    for tid, p in probs.items():
        if p["entry_point"]:
            by_name[p["entry_point"].lower().replace("_", "")].add(tid)
    out = []
    for row, c in zip(rows, rdocs, strict=True):
        scores: Counter = Counter()
        for w, x in vec(c).items():
            for tid, y in inverted.get(w, ()):
                scores[tid] += x * y
        near = scores.most_common(4)
        name_hits = sorted({tid for n in _defined_names(row["response"]) for tid in by_name.get(n, ())})
        best = near[0][1] if near else 0.0
        stratum = "high" if best >= 0.60 else "mid" if best >= 0.40 else "name" if name_hits else "rest"
        out.append({**{k: row[k] for k in ("file", "format", "index")}, "stratum": stratum, "cosine": round(best, 3),
                    "near": [t for t, _ in near], "name_hits": name_hits})
    return out


def draw(seed: int = SEED) -> list[dict]:
    """The seeded draw of ``DRAW`` candidates per stratum (the order the reviewer read them in)."""
    rng = random.Random(seed)
    strata: dict[str, list[dict]] = defaultdict(list)
    for cand in pool():
        strata[cand["stratum"]].append(cand)
    out = []
    for name, k in DRAW.items():
        group = strata[name]
        out += rng.sample(group, min(k, len(group)))
    return out + near_copies(out)


def near_copies(drawn: list[dict]) -> list[dict]:
    """Candidates outside ``drawn`` whose instruction is (nearly) a benchmark statement, word for word."""
    import difflib

    from alchemistcoder.ingest.adapters import ADAPTERS, field_names

    probs = problems()
    taken = {(c["file"], c["index"]) for c in drawn}
    root, files, out = shared_data(), {}, []

    def norm(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9]+", text.lower()))

    for cand in pool():
        if cand["cosine"] < 0.5 or (cand["file"], cand["index"]) in taken:
            continue
        if cand["file"] not in files:
            files[cand["file"]] = json.loads((root / cand["file"]).read_text(encoding="utf-8"))
        messages, _ = ADAPTERS[cand["format"]](files[cand["file"]][cand["index"]], field_names(cand["format"], {}))
        inst = norm(messages[0]["content"])
        for tid in cand["near"][:2]:
            text = norm(probs[tid]["text"])
            if difflib.SequenceMatcher(None, inst, text).ratio() > 0.8 or (len(text) > 30 and text in inst):
                out.append({**cand, "stratum": "near_copy"})
                break
    return out


def multipart_rows(positives: list[dict], clean: list[dict], n: int, seed: int = SEED) -> list[list[dict]]:
    """``n`` multi-part requests: each a reviewed positive joined with 1-3 reviewed clean rows, the positive at a
    seeded position (lists of references; the loader joins their instructions and responses)."""
    rng = random.Random(seed + 1)
    out = []
    for pos in rng.sample(positives, min(n, len(positives))):
        parts = rng.sample(clean, rng.randint(1, 3))
        parts.insert(rng.randint(0, len(parts)), pos)
        out.append(parts)
    return out


if __name__ == "__main__":
    cands = pool()
    print("pool:", dict(Counter(c["stratum"] for c in cands)), "distinct instructions", len(cands))
    for c in draw():
        print(json.dumps(c))
