"""Evaluation: pass@k, sanitizer, prompts, scoring of real benchmark tasks in the sandbox, the CLI."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from alchemistcoder.benchmarks import load_benchmark
from alchemistcoder.cli import app
from alchemistcoder.evaluate import evaluate_samples
from alchemistcoder.evaluate.generation import read_samples_file
from alchemistcoder.evaluate.passk import pass_at_k, pass_at_ks
from alchemistcoder.evaluate.prompts import build_prompt, extract_begin_done, to_sample
from alchemistcoder.evaluate.sanitize import code_extract, sanitize
from alchemistcoder.evaluate.scoring import ScoreOptions, score
from alchemistcoder.io import DataError


def test_pass_at_k_is_the_unbiased_estimator():
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 2) == pytest.approx(1 - math.comb(3, 2) / math.comb(5, 2))
    assert pass_at_k(10, 9, 2) == 1.0 and pass_at_k(3, 0, 1) == 0.0
    with pytest.raises(ValueError):
        pass_at_k(1, 1, 10)
    # EvalPlus's rule: pass@k only when every task has at least k samples
    assert set(pass_at_ks([10, 10], [1, 10])) == {"pass@1", "pass@10"}
    assert pass_at_ks([10, 10], [1, 10])["pass@1"] == pytest.approx(0.55)


def test_sanitizer_keeps_the_entry_point_and_what_it_needs():
    raw = (
        "Sure! Here is the code:\n```python\nimport math\n\ndef helper(x):\n    return math.sqrt(x)\n\n"
        "def unused():\n    return 1\n\ndef root(x):\n    return helper(x)\n\nprint(root(4))\nassert root(4) == 2\n"
        "if __name__ == '__main__':\n    root(9)\n```\nHope this helps."
    )
    assert sanitize(raw, entry_point="root") == (
        "import math\ndef helper(x):\n    return math.sqrt(x)\ndef root(x):\n    return helper(x)"
    )
    # EvalPlus considers runs of two or more lines only
    assert code_extract("Here it is:\nx = 1\ny = 2\nz = (\nmore text") == "x = 1\ny = 2"
    assert sanitize("no code at all", entry_point="f") == "no code at all"  # EvalPlus falls back to line one
    cpp = sanitize(
        "```cpp\nint add(int a,int b){return a+b;}\n```\nexplanation", language="cpp", entry_point="add"
    )
    assert cpp == "int add(int a,int b){return a+b;}\n"


def test_prompt_styles(shared_data):
    he = load_benchmark("humaneval+")[0]
    mb = load_benchmark("mbpp+")[0]
    base = build_prompt(he, "base")
    assert base.prompt == he.prompt and "\ndef " in base.stop
    oc = build_prompt(he, "opencompass")
    assert oc.messages[-1]["content"].startswith("Below is an instruction that describes a task.")
    assert he.prompt in oc.messages[-1]["content"]
    few = build_prompt(mb, "opencompass").messages[-1]["content"]
    assert few.count("Answer:\n[BEGIN]") == 3 and few.count("[DONE] \n") == 3  # three shots, then the task
    assert "is_not_prime" in few and "heap_queue_largest" in few and few.endswith("Answer:\n")
    chat = build_prompt(he, "chat", system_prompt="be brief")
    assert [m["role"] for m in chat.messages] == ["system", "user"] and "```python" in chat.messages[1][
        "content"
    ]
    answer = "[BEGIN]\n 'def similar_elements(a, b):\r\n  return tuple(set(a) & set(b))' \n[DONE] trailing"
    code = extract_begin_done(answer)
    assert code == "def similar_elements(a, b):\n  return tuple(set(a) & set(b))"
    assert to_sample(mb, "opencompass", answer)["solution"].startswith("def similar_elements")
    rust = load_benchmark("humaneval-x-rust")[0]
    assert build_prompt(rust, "base").prompt.rstrip().endswith("*/")


def _canonical(task):
    return {"task_id": task.task_id, "solution": task.prompt + task.canonical_solution}


def test_canonical_solutions_pass_on_plus_benchmarks(shared_data):
    he = load_benchmark("humaneval+")[:6]
    mb = load_benchmark("mbpp+")[:6]
    for tasks in (he, mb):
        results = score(tasks, [_canonical(t) for t in tasks])
        assert [(r.base_status, r.plus_status) for r in results] == [("pass", "pass")] * len(tasks)


def test_original_humaneval_and_mbpp_tests_including_the_broken_mbpp_367(shared_data):
    he = load_benchmark("humaneval")[:4]
    results = score(
        he, [_canonical(t) for t in he] + [{"task_id": he[0].task_id, "completion": "    return 42\n"}]
    )
    assert [r.base_status for r in results] == ["pass"] * 4 + ["fail"]
    assert results[-1].plus_status is None and results[-1].error_class == "wrong_answer"
    mbpp = {t.task_id: t for t in load_benchmark("mbpp")}
    picked = [mbpp[i] for i in ("Mbpp/11", "Mbpp/12", "Mbpp/367")]
    results = score(picked, [{"task_id": t.task_id, "solution": t.canonical_solution} for t in picked])
    # task 367's tests use trees built by its test_setup_code, which MBPP harnesses (OpenCompass, bigcode) do
    # not run: its reference solution fails upstream, and here too
    assert [r.base_status for r in results] == ["pass", "pass", "fail"]


@pytest.mark.parametrize("language", ["cpp", "go", "java", "js", "python", "rust"])
def test_humaneval_x_canonical_solutions_pass_and_a_wrong_one_fails(shared_data, language):
    tasks = load_benchmark(f"humaneval-x-{language}")[:2]
    samples = [{"task_id": t.task_id, "completion": t.canonical_solution} for t in tasks]
    wrong_body = {
        "cpp": "    return false;\n}\n",
        "go": "    return false\n}\n",
        "java": "        return false;\n    }\n}\n",
        "js": "  return false;\n}\n",
        "python": "    return False\n",
        "rust": "    return false;\n}\n",
    }[language]
    samples.append({"task_id": tasks[0].task_id, "completion": wrong_body})
    results = score(tasks, samples)
    assert [r.base_status for r in results] == ["pass", "pass", "fail"], [r.error for r in results]
    assert results[2].error_class in ("wrong_answer", "runtime_error")


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("benchmark,stem", [("humaneval+", "humanevalplus"), ("mbpp+", "mbppplus")])
def test_verdicts_agree_with_evalplus_0_3_1(shared_data, benchmark, stem):
    """Crafted hostile samples and tiny-model samples, against EvalPlus 0.3.1's recorded verdicts
    (bench/agreement.py re-records them with EvalPlus installed)."""
    from pathlib import Path

    data = Path(__file__).parent / "data" / "eval"
    recorded = json.loads((data / "evalplus-0.3.1-verdicts.json").read_text())  # per sample file
    files = [f"crafted_{stem}.jsonl", f"tiny_{stem}.jsonl"]
    rows = [row for name in files for row in _rows(data / name)]
    reference = [v for name in files for v in recorded[name]]
    assert len(reference) == len(rows)
    results = score(load_benchmark(benchmark), rows)
    ours = [(r.base_status, r.plus_status) for r in results]
    theirs = [(v["base_status"], v["plus_status"]) for v in reference]
    disagreements = [(row.get("kind"), a, b) for row, a, b in zip(rows, ours, theirs, strict=True) if a != b]
    assert disagreements == []
    kinds = {row.get("kind"): r for row, r in zip(rows, results, strict=True)}
    if benchmark == "humaneval+":
        assert kinds["infinite_loop_in_body"].error_class == "timeout"
        assert kinds["memory_bomb_in_body"].error_class == "oom"
        assert kinds["syntax_error"].error_class == "syntax_error"
        assert kinds["name_error"].error_class == "name_error"
        assert kinds["unavailable_import"].error_class == "import_error"
        assert kinds["empty"].error_class == "no_code"


@pytest.mark.slow
def test_tiny_model_samples_agree_with_evalplus_on_at_least_995_per_mille(shared_data):
    """Issue 7's criterion on the wide tiny-model set (SmolLM2-135M-Instruct, chat prompts, temperature 0.8: one
    sample per HumanEval+ task and per third MBPP+ task, bench/agreement.py --generate-wide): at least 99.5% of
    verdicts equal EvalPlus 0.3.1's recorded ones. Wall-clock limits make a near-limit sample load-dependent in
    both harnesses, so this asserts the share rather than exact equality."""
    from pathlib import Path

    data = Path(__file__).parent / "data" / "eval"
    recorded = json.loads((data / "evalplus-0.3.1-verdicts.json").read_text())
    total, differ = 0, []
    for benchmark, stem in (("humaneval+", "humanevalplus"), ("mbpp+", "mbppplus")):
        name = f"tiny_wide_{stem}.jsonl"
        rows = _rows(data / name)
        assert len(rows) == len(recorded[name]) > 100
        results = score(load_benchmark(benchmark), rows)
        for r, v in zip(results, recorded[name], strict=True):
            total += 1
            if (r.base_status, r.plus_status) != (v["base_status"], v["plus_status"]):
                differ.append((r.task_id, (r.base_status, r.plus_status), v))
    assert 1 - len(differ) / total >= 0.995, differ


def test_evaluation_contains_hostile_samples_and_goes_on(shared_data, monkeypatch, tmp_path):
    monkeypatch.setenv("ALCHEMIST_TEST_SECRET", "s3cr3t")
    task = load_benchmark("humaneval+")[13]  # greatest_common_divisor
    canonical = task.prompt + task.canonical_solution
    hostile = {
        "network": "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)\n" + canonical,
        "write_outside": f"import io\nio.open('{tmp_path}/escaped', 'w').write('x')\n" + canonical,
        "env_secret": "import os\nassert 'ALCHEMIST_TEST_SECRET' not in os.environ\n" + canonical,
        "kill_parent": "import ctypes, os\nctypes.CDLL(None).kill(os.getppid(), 9)\n" + canonical,
        "fork_bomb": "import ctypes\nlibc = ctypes.CDLL(None)\nwhile True:\n    libc.fork()\n",
        "disk_fill": "import io\nwith io.open('/tmp/fill', 'wb') as fh:\n    while True:\n        fh.write(b'x' * (1 << 24))\n",
    }
    rows = [{"task_id": task.task_id, "solution": code} for code in hostile.values()]
    rows.append({"task_id": task.task_id, "solution": canonical})
    # base inputs only: a module-level loop costs EvalPlus's whole-task limit, min(60, sum of limits) + 2 s
    summary = evaluate_samples(
        "humaneval+", rows, tmp_path / "out", limit=14, options=ScoreOptions(base_only=True)
    )
    results = json.loads((tmp_path / "out" / "eval_results.json").read_text())["eval"][task.task_id]
    verdicts = dict(zip(hostile, results, strict=False))
    assert verdicts["network"]["base_status"] == "fail"
    assert not (tmp_path / "escaped").exists()
    assert verdicts["env_secret"]["base_status"] == "pass"  # the assert inside held: no secret in its env
    assert verdicts["kill_parent"]["error_class"] == "harness_killed"
    assert verdicts["fork_bomb"]["base_status"] in ("fail", "timeout")
    assert results[-1]["base_status"] == "pass"  # and the evaluation went on
    assert summary["samples"] == len(rows)


def test_cli_evaluate_writes_evalplus_results_in_samples_order(shared_data, tmp_path):
    tasks = load_benchmark("mbpp+")[:2]
    subset = tmp_path / "mbppplus-2.jsonl"
    import gzip

    from alchemistcoder.benchmarks import default_benchmark_path

    with gzip.open(default_benchmark_path("mbpp+"), "rt") as fh:
        subset.write_text("".join(line for line, _ in zip(fh, range(2), strict=False)))
    samples = tmp_path / "samples.jsonl"
    rows = [
        {"task_id": tasks[1].task_id, "solution": tasks[1].prompt + tasks[1].canonical_solution},
        {"task_id": tasks[0].task_id, "completion": "\ndef similar_elements(a, b):\n    return ()\n"},
        {"task_id": tasks[0].task_id, "solution": tasks[0].prompt + tasks[0].canonical_solution},
    ]
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        [
            "score",
            "--benchmark",
            "mbpp+",
            "--samples",
            str(samples),
            "--out",
            str(out),
            "--data",
            str(subset),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "pass@1=" in res.output
    doc = json.loads((out / "eval_results.json").read_text())
    assert set(doc) >= {"date", "hash", "eval"}
    first = doc["eval"][tasks[0].task_id]
    assert [(r["base_status"], r["plus_status"]) for r in first] == [("fail", "fail"), ("pass", "pass")]
    assert first[0]["base_fail_tests"] and first[0]["error_class"] == "wrong_answer"
    assert doc["eval"][tasks[1].task_id][0]["base_status"] == "pass"
    assert doc["pass_at_k"]["plus"]["pass@1"] == pytest.approx(0.75)

    samples.write_text('{"task_id": "Mbpp/2", "solution": "x"}\n{"task_id": "Mbpp/2"}\n')
    res = CliRunner().invoke(
        app, ["score", "--benchmark", "mbpp+", "--samples", str(samples), "--out", str(out)]
    )
    assert res.exit_code == 2 and "samples.jsonl:2" in res.output
    with pytest.raises(DataError, match=r":2: malformed JSON"):
        samples.write_text(
            '{"task_id": "Mbpp/2", "solution": "x"}\n{oops}\n{"task_id": "Mbpp/2", "solution": "y"}\n'
        )
        read_samples_file(samples)


def test_cli_eval_rejects_unknown_config_keys_with_file_and_line(tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("evaluate:\n  benchmarks: [humaneval+]\n  limitt: 3\n")
    res = CliRunner().invoke(app, ["evaluate", str(config)])
    assert res.exit_code == 2
    assert "run.yaml:3: evaluate.limitt: unknown key 'limitt'" in res.output
    config.write_text("eval:\n  benchmarks: [humaneval+]\n  limitt: 3\n")  # the old section name, line kept
    res = CliRunner().invoke(app, ["eval", str(config)])  # the old verb
    assert res.exit_code == 2 and "run.yaml:3: evaluate.limitt: unknown key 'limitt'" in res.output
    config.write_text("evaluate:\n  benchmarks: [humaneval++]\n")
    res = CliRunner().invoke(app, ["evaluate", str(config)])
    assert res.exit_code == 2 and "unknown benchmark" in res.output


def test_chat_answers_get_the_prompts_imports_back(shared_data, tmp_path):
    """A chat answer that drops the prompt's `from typing import List` is scored on its code, not a NameError."""
    task = load_benchmark("humaneval")[7]  # filter_by_substring(strings: List[str], substring: str)
    answer = (
        "```python\ndef filter_by_substring(strings: List[str], substring: str) -> List[str]:\n"
        "    return [s for s in strings if substring in s]\n```\nThis keeps the matching strings."
    )
    row = to_sample(task, "chat", answer)
    assert row["solution"].startswith("from typing import List\n")
    wrong = to_sample(task, "chat", answer.replace("substring in s", "substring not in s"))
    already = to_sample(task, "chat", "```python\nfrom typing import List\n" + answer.split("\n", 1)[1])
    assert already["solution"].count("from typing import List") == 1
    summary = evaluate_samples("humaneval", [row, wrong], tmp_path)
    assert summary["error_classes"] == {"passed": 1, "wrong_answer": 1}


CRATE_TASKS = ["Rust/32", "Rust/38", "Rust/50", "Rust/53", "Rust/91", "Rust/162"]


def test_humaneval_x_rust_tasks_that_use_crates_pass(shared_data):
    """rand (Rust/32, 38, 50, 53), regex (Rust/91) and md5 (Rust/162), linked from the crates setup builds."""
    from alchemistcoder.evaluate.humaneval_x import full_solution
    from alchemistcoder.sandbox import rust_crates

    rust_crates.require()  # fails, naming scripts/setup.sh, when the crates are not built
    tasks = [t for t in load_benchmark("humaneval-x-rust") if t.task_id in CRATE_TASKS]
    assert [t.task_id for t in tasks] == CRATE_TASKS
    samples = [{"task_id": t.task_id, "completion": t.canonical_solution} for t in tasks]
    # a chat answer without the `use` lines: full_solution puts the declaration's back, crates included
    md5_task = tasks[-1]
    decl = md5_task.extra["declaration"]
    answer = "".join(line + "\n" for line in decl.splitlines() if not line.startswith("use "))
    samples.append(full_solution(md5_task, answer + md5_task.canonical_solution))
    assert "use md5;" in samples[-1]["solution"]
    results = score(tasks, samples)
    assert [r.base_status for r in results] == ["pass"] * 7, [r.error for r in results]


def test_humaneval_x_rust_without_built_crates_drops_their_use_lines_and_warns(
    shared_data, monkeypatch, tmp_path, caplog
):
    from alchemistcoder.evaluate.humaneval_x import full_solution, test_program
    from alchemistcoder.sandbox import rust_crates

    task = load_benchmark("humaneval-x-rust")[0]
    rust_crates.require()  # built: the `use` lines stay
    assert "use rand::Rng;" in test_program(task, task.canonical_solution, is_completion=True)
    monkeypatch.setenv("ALCHEMIST_SANDBOX_CACHE", str(tmp_path))  # a cache where nothing is built
    with pytest.raises(rust_crates.RustCratesMissing, match=r"scripts/setup\.sh"):
        rust_crates.require()
    rust_crates.warn_missing.cache_clear()
    program = test_program(task, task.canonical_solution, is_completion=True)
    assert "use rand::Rng;" not in program and "use md5;" not in program
    test_program(task, task.canonical_solution, is_completion=True)
    warnings = [r.getMessage() for r in caplog.records if "Rust crates" in r.getMessage()]
    assert len(warnings) == 1 and "scripts/setup.sh" in warnings[0]  # once per process
    assert "use regex" not in full_solution(task, "fn has_close_elements(){}")["solution"]
    # tasks that need no crate still pass, as before
    result = score([task], [{"task_id": task.task_id, "completion": task.canonical_solution}])[0]
    assert result.base_status == "pass", result.error
