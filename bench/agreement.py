"""Agreement with EvalPlus 0.3.1: score the same samples with this harness and with EvalPlus, compare verdicts.

    .venv/bin/python bench/agreement.py --craft            # (re)write tests/data/eval/crafted_*.jsonl
    .venv/bin/python bench/agreement.py --generate-wide /tmp/wide   # (re)write tiny_wide_*.jsonl (~40 min, CPU)
    .venv/bin/python bench/agreement.py --evalplus-python .venv-evalplus/bin/python \
        --record tests/data/eval/evalplus-0.3.1-verdicts.json   # run EvalPlus, store its verdicts
    .venv/bin/python bench/agreement.py                    # compare ours with the stored EvalPlus verdicts

EvalPlus runs offline on a subset file of the benchmark (``HUMANEVAL_OVERRIDE_PATH`` / ``MBPP_OVERRIDE_PATH``,
plain .jsonl holding only the tasks that have samples, because EvalPlus requires every task to have one) with
a private cache directory. Its verdicts are stored per sample file so the test suite can check agreement without
EvalPlus installed. The last line: ``agreement samples=<n> equal=<m> share=<m/n>``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

from _evalplus import evalplus_eval

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "eval"
# Sample files per benchmark. crafted_*: hostile and borderline samples; tiny_*: SmolLM2-135M-Instruct, chat
# prompts, temperature 0.8, a few tasks with several samples (the test suite checks these two);
# tiny_wide_*: the same model and settings, one sample for each HumanEval+ task and every third MBPP+ task
# (``--generate-wide``; bench only, its scoring takes minutes).
SETS = {
    "humaneval+": ["crafted_humanevalplus.jsonl", "tiny_humanevalplus.jsonl", "tiny_wide_humanevalplus.jsonl"],
    "mbpp+": ["crafted_mbppplus.jsonl", "tiny_mbppplus.jsonl", "tiny_wide_mbppplus.jsonl"],
}


def crafted_samples(benchmark: str) -> list[dict[str, str]]:
    """Hostile and borderline samples: loops, memory bombs, exits, monkey-patching, near floats, bad imports."""
    from alchemistcoder.benchmarks import load_benchmark

    tasks = {t.task_id: t for t in load_benchmark(benchmark)}
    rows: list[dict[str, str]] = []

    def add(task_id: str, kind: str, code: str) -> None:
        rows.append({"task_id": task_id, "kind": kind, "solution": code})

    def canonical(task_id: str) -> str:
        t = tasks[task_id]
        return t.prompt + t.canonical_solution

    def body(task_id: str, text: str) -> str:
        t = tasks[task_id]
        args = "*args"
        return f"def {t.entry_point}({args}):\n" + "".join(f"    {line}\n" for line in text.splitlines())

    if benchmark == "humaneval+":
        ids = ["HumanEval/0", "HumanEval/2", "HumanEval/4", "HumanEval/13", "HumanEval/39"]
        for tid in ids:
            add(tid, "canonical", canonical(tid))
        add("HumanEval/32", "canonical_find_zero", canonical("HumanEval/32"))
        add("HumanEval/0", "infinite_loop_in_body", body("HumanEval/0", "while True:\n    pass"))
        add(
            "HumanEval/39",
            "infinite_loop_at_module_level",
            canonical("HumanEval/39") + "\nwhile True:\n    pass\n",
        )
        add("HumanEval/13", "memory_bomb_in_body", body("HumanEval/13", "x = bytearray(1 << 40)\nreturn 1"))
        add(
            "HumanEval/13",
            "memory_bomb_growing",
            body("HumanEval/13", "x = []\nwhile True:\n    x.append(' ' * (1 << 28))"),
        )
        add(
            "HumanEval/39", "memory_bomb_at_module_level", "x = ' ' * (1 << 40)\n" + canonical("HumanEval/39")
        )
        add("HumanEval/0", "sys_exit_in_body", "import sys\n" + body("HumanEval/0", "sys.exit(0)"))
        add(
            "HumanEval/0",
            "sys_exit_at_module_level",
            canonical("HumanEval/0") + "\nimport sys\nsys.exit(0)\n",
        )
        add("HumanEval/13", "os_exit_in_body", "import os\n" + body("HumanEval/13", "os._exit(0)"))
        add("HumanEval/13", "exit_builtin", body("HumanEval/13", "exit(0)"))
        add(
            "HumanEval/0",
            "always_equal_object",
            "class _Yes:\n    def __eq__(self, other):\n        return True\n"
            + body("HumanEval/0", "return _Yes()"),
        )
        add(
            "HumanEval/2",
            "monkeypatch_numpy_allclose",
            "import numpy\nnumpy.allclose = lambda *a, **k: True\n" + body("HumanEval/2", "return 0.5"),
        )
        add(
            "HumanEval/13",
            "monkeypatch_builtins_isinstance",
            "import builtins\nbuiltins.isinstance = lambda *a: True\n" + canonical("HumanEval/13"),
        )
        add("HumanEval/2", "float_close_1e-9", body("HumanEval/2", "return args[0] % 1.0 + 1e-9"))
        add("HumanEval/2", "float_off_1e-4", body("HumanEval/2", "return args[0] % 1.0 + 1e-4"))
        add(
            "HumanEval/4",
            "float_close_1e-8",
            canonical("HumanEval/4").replace("return sum(", "return 1e-8 + sum("),
        )
        add("HumanEval/4", "float_as_int", body("HumanEval/4", "return 0"))
        add(
            "HumanEval/0",
            "unavailable_import",
            "import torch_this_does_not_exist\n" + canonical("HumanEval/0"),
        )
        add("HumanEval/0", "syntax_error", body("HumanEval/0", "return (("))
        add("HumanEval/0", "name_error", body("HumanEval/0", "return undefined_thing"))
        add("HumanEval/13", "type_error", "def greatest_common_divisor(a):\n    return a\n")
        add("HumanEval/13", "wrong_answer", body("HumanEval/13", "return 1"))
        add("HumanEval/13", "empty", "")
        add(
            "HumanEval/0",
            "print_flood",
            body("HumanEval/0", "for _ in range(1000):\n    print('noise' * 100)\nreturn False"),
        )
        add(
            "HumanEval/0",
            "main_guard_loop",
            canonical("HumanEval/0") + "\nif __name__ == '__main__':\n    while True:\n        pass\n",
        )
        add("HumanEval/13", "open_file", body("HumanEval/13", "return len(open('/etc/hostname').read())"))
        add(
            "HumanEval/13",
            "infinite_recursion",
            body("HumanEval/13", f"return {tasks['HumanEval/13'].entry_point}(*args)"),
        )
    else:
        ids = ["Mbpp/2", "Mbpp/3", "Mbpp/82", "Mbpp/793", "Mbpp/455"]
        for tid in ids:
            add(tid, "canonical", canonical(tid))
        add("Mbpp/3", "infinite_loop_in_body", body("Mbpp/3", "while True:\n    pass"))
        add("Mbpp/793", "infinite_loop_at_module_level", canonical("Mbpp/793") + "\nwhile True:\n    pass\n")
        add("Mbpp/3", "memory_bomb_in_body", body("Mbpp/3", "x = bytearray(1 << 40)\nreturn 1"))
        add("Mbpp/3", "sys_exit_in_body", "import sys\n" + body("Mbpp/3", "sys.exit(0)"))
        add("Mbpp/793", "os_exit_at_module_level", "import os\nos._exit(0)\n")
        add(
            "Mbpp/2",
            "set_order_differs",
            "def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b), reverse=True))\n",
        )
        add(
            "Mbpp/2",
            "list_instead_of_tuple",
            "def similar_elements(a, b):\n    return list(set(a) & set(b))\n",
        )
        add(
            "Mbpp/82",
            "float_close_1e-7",
            "import math\ndef volume_sphere(r):\n    return 4 / 3 * math.pi * r ** 3 + 1e-7\n",
        )
        add(
            "Mbpp/82",
            "float_off_1e-2",
            "import math\ndef volume_sphere(r):\n    return 4 / 3 * math.pi * r ** 3 + 1e-2\n",
        )
        add("Mbpp/82", "pi_approx", "def volume_sphere(r):\n    return 4 / 3 * 3.14159 * r ** 3\n")
        add("Mbpp/455", "unavailable_import", "import not_a_module_xyz\n" + canonical("Mbpp/455"))
        add(
            "Mbpp/455",
            "monkeypatch_builtins",
            "import builtins\nbuiltins.int = str\n" + canonical("Mbpp/455"),
        )
        add("Mbpp/3", "name_error", "def is_not_prime(n):\n    return math.sqrt(n) > 1\n")
        add("Mbpp/3", "wrong_answer", "def is_not_prime(n):\n    return n % 2 == 0\n")
        add("Mbpp/793", "syntax_error", "def last(arr, x)\n    return 0\n")
    return rows


def write_crafted() -> None:
    for benchmark, (crafted, _) in SETS.items():
        path = DATA / crafted
        rows = crafted_samples(benchmark)
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        print(f"wrote {len(rows)} samples to {path}")


def load_file(name: str) -> list[dict[str, str]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_rows(benchmark: str) -> list[tuple[str, list[dict[str, str]]]]:
    """(file name, its samples) for each sample file of ``benchmark`` that exists."""
    return [(name, load_file(name)) for name in SETS[benchmark] if (DATA / name).exists()]


def generate_wide(out: Path) -> None:
    """One tiny-model sample (chat prompt, temperature 0.8, 256 tokens) per HumanEval+ task and per third MBPP+
    task, through the same generation path as ``alchemist evaluate``; written to tiny_wide_*.jsonl."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.evaluate.config import EvalConfig
    from alchemistcoder.evaluate.generation import generate_samples
    from alchemistcoder.llm import LLMClient
    from alchemistcoder.llm.config import LLMConfig

    client = LLMClient.from_config(LLMConfig(backend="embedded"), cache_dir=out / "cache", stage="eval")
    for benchmark, tasks, name in (
        ("humaneval+", load_benchmark("humaneval+"), "tiny_wide_humanevalplus.jsonl"),
        ("mbpp+", load_benchmark("mbpp+")[::3], "tiny_wide_mbppplus.jsonl"),
    ):
        cfg = EvalConfig(benchmarks=[benchmark], prompt_style="chat", temperature=0.8, max_tokens=256)
        start = time.perf_counter()
        samples = generate_samples(tasks, cfg, client, out / benchmark, batch_size=16)
        rows = [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines() if line.strip()]
        keep = [{"task_id": r["task_id"], "solution": r["solution"]} for r in rows]
        (DATA / name).write_text("".join(json.dumps(r) + "\n" for r in keep), encoding="utf-8")
        print(f"wrote {len(keep)} samples to {DATA / name} in {time.perf_counter() - start:.0f}s")


def run_evalplus(
    python: str, benchmark: str, rows: list[dict[str, str]], workdir: Path
) -> list[dict[str, str]]:
    """Verdicts of EvalPlus 0.3.1 on ``rows`` (same order), run offline on a subset of the benchmark file."""
    from alchemistcoder.benchmarks import default_benchmark_path

    dataset = "humaneval" if benchmark == "humaneval+" else "mbpp"
    wanted = {r["task_id"] for r in rows}
    with gzip.open(default_benchmark_path(benchmark), "rt", encoding="utf-8") as fh:
        subset = [line for line in fh if json.loads(line)["task_id"] in wanted]
    workdir.mkdir(parents=True, exist_ok=True)
    data_file = workdir / f"{dataset}-subset.jsonl"
    data_file.write_text("".join(subset), encoding="utf-8")
    samples = workdir / f"{dataset}-samples.jsonl"
    samples.write_text(
        "".join(json.dumps({"task_id": r["task_id"], "solution": r["solution"]}) + "\n" for r in rows)
    )
    results = evalplus_eval(python, dataset, data_file, samples, workdir / "cache", timeout=3600)
    seen: dict[str, int] = {}
    out = []
    for r in rows:
        i = seen.get(r["task_id"], 0)
        seen[r["task_id"]] = i + 1
        rec = results[r["task_id"]][i]
        out.append(
            {"task_id": r["task_id"], "base_status": rec["base_status"], "plus_status": rec["plus_status"]}
        )
    return out


def ours(benchmark: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.evaluate.scoring import score

    tasks = load_benchmark(benchmark)
    results = score(tasks, rows)
    return [
        {
            "task_id": r.task_id,
            "base_status": r.base_status,
            "plus_status": r.plus_status,
            "error_class": r.error_class,
        }
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--craft", action="store_true", help="write the crafted sample files")
    parser.add_argument("--evalplus-python", help="python of a venv with evalplus==0.3.1")
    parser.add_argument("--record", type=Path, help="store EvalPlus's verdicts in this file")
    parser.add_argument("--verdicts", type=Path, default=DATA / "evalplus-0.3.1-verdicts.json")
    parser.add_argument(
        "--generate-wide", type=Path, metavar="WORKDIR", help="(re)generate tiny_wide_*.jsonl, caching in WORKDIR"
    )
    args = parser.parse_args()
    if args.craft:
        write_crafted()
        return
    if args.generate_wide:
        generate_wide(args.generate_wide)
        return
    if args.evalplus_python:
        recorded = {}
        with tempfile.TemporaryDirectory() as tmp:
            for benchmark in SETS:
                files = load_rows(benchmark)
                rows = [r for _, file_rows in files for r in file_rows]
                start = time.perf_counter()
                verdicts = run_evalplus(args.evalplus_python, benchmark, rows, Path(tmp) / benchmark)
                print(f"evalplus {benchmark}: {len(rows)} samples in {time.perf_counter() - start:.1f}s")
                for name, file_rows in files:  # one EvalPlus run per benchmark, verdicts kept per file
                    recorded[name], verdicts = verdicts[: len(file_rows)], verdicts[len(file_rows) :]
        target = args.record or args.verdicts
        target.write_text(json.dumps(recorded, indent=1), encoding="utf-8")
        print(f"recorded EvalPlus verdicts in {target}")
        args.verdicts = target
    reference = json.loads(args.verdicts.read_text(encoding="utf-8"))
    total = equal = 0
    for benchmark in SETS:
        files = load_rows(benchmark)
        rows = [r for _, file_rows in files for r in file_rows]
        start = time.perf_counter()
        mine = ours(benchmark, rows)
        elapsed = time.perf_counter() - start
        for name, file_rows in files:
            theirs = reference.get(name)
            assert theirs is not None and len(theirs) == len(file_rows), (
                f"{name}: stored verdicts do not match the sample file; re-record with --evalplus-python"
            )
            mine_here, mine = mine[: len(file_rows)], mine[len(file_rows) :]
            same_here = 0
            for row, a, b in zip(file_rows, mine_here, theirs, strict=True):
                same = (a["base_status"], a["plus_status"]) == (b["base_status"], b["plus_status"])
                same_here += same
                if not same:
                    print(f"DIFF {name} {row['task_id']} {row.get('kind', 'model')}: ours {a} evalplus {b}")
            print(f"{name}: {same_here}/{len(file_rows)} equal")
            total += len(file_rows)
            equal += same_here
        print(f"{benchmark}: ours scored {len(rows)} samples in {elapsed:.1f}s")
    print(f"agreement samples={total} equal={equal} share={equal / max(1, total):.4f}")


if __name__ == "__main__":
    sys.exit(main())
