"""Score samples against a benchmark in the sandbox, with EvalPlus's semantics and output format.

* ``humaneval+`` / ``mbpp+``: EvalPlus 0.3.1 differential testing on base and plus inputs (see
  ``_py_runner.py``); ``base_status`` and ``plus_status`` are EvalPlus's ``pass`` / ``fail`` / ``timeout``.
* ``humaneval`` / ``mbpp`` / ``mbpp-sanitized``: the upstream test program (HumanEval's ``check``, MBPP's
  asserts); ``base_status`` only.
* ``humaneval-x-<lang>``: CodeGeeX's test programs, compiled and run in the sandbox.
* ``ds1000``: upstream DS-1000's test program per answer (``ds1000.py``); ``base_status`` only.

Python tasks run one sandbox per task (and batch of samples): the runner computes the reference outputs once
and forks a child per sample, so a task costs one interpreter start however many samples it has (the sandbox
harness, ``alchemistcoder.sandbox.harness``). Tasks run in parallel, as many as the process's sandbox budget
(``sandbox_workers``). Every sample also gets an error class (the paper's error analysis).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alchemistcoder.benchmarks import BenchmarkTask
from alchemistcoder.evaluate.errors import PYTHON_EXCEPTION_CLASS
from alchemistcoder.sandbox import sandbox_workers
from alchemistcoder.sandbox.harness import run_harness

log = logging.getLogger(__name__)

RUNNER = Path(__file__).with_name("_py_runner.py")
# EvalPlus code the runner imports; shipped beside it (the sandbox sees no package)
VENDORED = Path(__file__).with_name("_evalplus_vendored.py")
# EvalPlus's MBPP+ input deserialization; decontamination's probe ships it too (one way to load the inputs)
EVALPLUS_INPUTS = Path(__file__).with_name("_evalplus_inputs.py")
PASS, FAIL, TIMEOUT = "pass", "fail", "timeout"

@dataclass
class ScoreOptions:
    """Knobs of the scorer; the defaults are EvalPlus 0.3.1's."""

    min_time_limit: float = 1.0
    gt_time_limit_factor: float = 4.0
    timeout_per_task: float = 60.0
    # EvalPlus caps each sample's address space at min(4 GiB, physical memory)
    memory_bytes: int = 4 << 30
    script_timeout_s: float = 5.0
    base_only: bool = False
    workers: int | None = None
    samples_per_job: int = 25
    evalplus_quirks: bool = True
    humaneval_x_timeout_s: float = 5.0
    # DS-1000: upstream's 120 s per test program; address space for TensorFlow/PyTorch imports
    ds1000_timeout_s: float = 120.0
    ds1000_memory_mb: int = 8192


@dataclass
class SampleResult:
    """The verdict on one sample (EvalPlus's per-sample record plus our error class)."""

    task_id: str
    index: int
    solution: str
    base_status: str
    plus_status: str | None = None
    base_fail_tests: list[Any] = field(default_factory=list)
    plus_fail_tests: list[Any] = field(default_factory=list)
    error_class: str = "passed"
    error: str = ""

    @property
    def passed_base(self) -> bool:
        return self.base_status == PASS

    @property
    def passed_plus(self) -> bool:
        return self.base_status == PASS and self.plus_status == PASS

    def to_evalplus(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "solution": self.solution,
            "base_status": self.base_status,
            "plus_status": self.plus_status,
            "base_fail_tests": self.base_fail_tests,
            "plus_fail_tests": self.plus_fail_tests,
            "error_class": self.error_class,
            "error": self.error,
        }


def is_plus(benchmark: str) -> bool:
    return benchmark in ("humaneval+", "mbpp+")


def solution_of(task: BenchmarkTask, sample: dict[str, Any]) -> tuple[str, bool]:
    """(code, is_completion): EvalPlus's rule -- ``solution`` as is, else ``prompt + completion``."""
    if isinstance(sample.get("solution"), str):
        return sample["solution"], False
    completion = sample.get("completion")
    if not isinstance(completion, str):
        raise ValueError(f"sample for {task.task_id} has neither a 'solution' nor a 'completion' string")
    if task.benchmark.startswith("humaneval-x-"):
        return completion, True
    if task.benchmark == "ds1000":
        return completion, False  # a DS-1000 answer is the code that replaces [insert], whichever field
    if task.benchmark in ("mbpp", "mbpp-sanitized"):
        return completion, False  # an MBPP prompt is prose, not code to continue
    return task.prompt + completion, False


def classify_python(info: dict[str, Any] | None, solution: str, status: str) -> str:
    """Error class of a failed Python sample from the runner's exception info."""
    if not solution.strip():
        return "no_code"
    if status == TIMEOUT:
        return "timeout" if not info or info.get("type") in ("Timeout", None) else "runtime_error"
    if not info:
        return "runtime_error"
    kind = info.get("type", "")
    if kind in PYTHON_EXCEPTION_CLASS:
        return PYTHON_EXCEPTION_CLASS[kind]
    if kind == "AssertionError":
        if info.get("where") == "compare":
            return "wrong_answer"
        if info.get("where") == "run":
            line = info.get("line")
            # an assert in the test part of the program (after the solution) is a wrong answer
            return "wrong_answer" if line is None or line > solution.count("\n") + 1 else "assertion_error"
        return "assertion_error"
    if kind == "Incomplete":
        return "wrong_answer"
    return "runtime_error"


def _python_job(task: BenchmarkTask, items: list[tuple[int, str]], opts: ScoreOptions) -> dict[str, Any]:
    dataset = "humaneval" if task.benchmark.startswith("humaneval") else "mbpp"
    job: dict[str, Any] = {
        "task_id": task.task_id,
        "dataset": dataset,
        "entry_point": task.entry_point,
        "memory_bytes": opts.memory_bytes,
        "evalplus_quirks": opts.evalplus_quirks,
        "script_timeout_s": opts.script_timeout_s,
    }
    if is_plus(task.benchmark):
        job.update(
            mode="plus",
            reference=task.prompt + task.canonical_solution,
            base_input=task.extra["base_input"],
            plus_input=task.extra["plus_input"],
            atol=task.extra.get("atol", 0) or 0,
            base_only=opts.base_only,
            min_time_limit=opts.min_time_limit,
            gt_time_limit_factor=opts.gt_time_limit_factor,
            timeout_per_task=opts.timeout_per_task,
            solutions=items,
        )
    else:
        job.update(mode="script", programs=[(i, _test_program(task, code)) for i, code in items])
    return job


def _test_program(task: BenchmarkTask, code: str) -> str:
    if task.benchmark == "humaneval":
        return code + "\n" + task.test + "\n" + f"check({task.entry_point})"
    if task.benchmark in ("mbpp", "mbpp-sanitized"):
        return code + "\n" + task.test
    from alchemistcoder.evaluate.humaneval_x import test_program

    return test_program(task, code, is_completion=False)


def _run_python_batch(jobs: list[dict[str, Any]], n_samples: int, opts: ScoreOptions) -> list[dict[str, Any]]:
    """Run the runner over several task jobs in one sandbox (the sandbox harness); returns the records it
    reported."""
    per_sample = 2 * (opts.timeout_per_task + 2) if jobs[0]["mode"] == "plus" else opts.script_timeout_s + 2
    run = run_harness(
        RUNNER,
        {"tasks": jobs},
        timeout_s=30.0 + 5.0 * len(jobs) + per_sample * n_samples,
        memory_mb=(opts.memory_bytes >> 20) + 1024,
        files={p.name: p.read_text(encoding="utf-8") for p in (VENDORED, EVALPLUS_INPUTS)},
        output_cap=32 << 20,
    )
    if run.result.status == "killed" and run.result.returncode is None:
        log.warning("sandbox setup failed: %s", run.result.stderr)
    elif run.result.returncode != 0:
        log.debug("runner ended with %s: %s", run.result.returncode, run.result.stderr[-2000:])
    return run.records


Unit = tuple[BenchmarkTask, list[tuple[int, str]]]


def _score_python_units(units: list[Unit], opts: ScoreOptions) -> list[SampleResult]:
    """Score several (task, samples) units in one sandbox. A sample that kills the runner is failed
    (``harness_killed``) and everything after it is run again in a fresh sandbox."""
    results: dict[int, SampleResult] = {}
    pending = [(task, list(items)) for task, items in units if items]
    while pending:
        jobs = [_python_job(task, items, opts) for task, items in pending]
        records = _run_python_batch(jobs, sum(len(items) for _, items in pending), opts)
        seen: set[tuple[int, int]] = set()
        broken: dict[int, str] = {}
        for rec in records:
            pos = rec["task"]
            if "reference_error" in rec:
                broken[pos] = rec["reference_error"]
                continue
            task, items = pending[pos]
            code = dict(items)[rec["index"]]
            results[rec["index"]] = _result_from_record(task, rec["index"], code, rec, opts)
            seen.add((pos, rec["index"]))
        next_pending: list[Unit] = []
        culprit_found = False
        for pos, (task, items) in enumerate(pending):
            plus = FAIL if is_plus(task.benchmark) and not opts.base_only else None
            if pos in broken:
                for i, code in items:
                    results[i] = SampleResult(
                        task.task_id, i, code, FAIL, plus, error_class="reference_error", error=broken[pos]
                    )
                continue
            left = [(i, code) for i, code in items if (pos, i) not in seen]
            if left and not culprit_found:
                culprit_found = True
                i, code = left.pop(0)
                results[i] = SampleResult(
                    task.task_id,
                    i,
                    code,
                    FAIL,
                    plus,
                    error_class="harness_killed",
                    error="the sample ended the scoring process",
                )
            if left:
                next_pending.append((task, left))
        pending = next_pending
    return list(results.values())


def _fail_tests(task: BenchmarkTask, phase: str, status: str, progress: int) -> list[Any]:
    if status == PASS or progress == 0:
        return []
    return [task.extra[f"{phase}_input"][progress - 1]]


def _result_from_record(
    task: BenchmarkTask, i: int, code: str, rec: dict[str, Any], opts: ScoreOptions
) -> SampleResult:
    if "base" in rec:
        base = rec["base"]
        plus = rec.get("plus")
        res = SampleResult(
            task.task_id,
            i,
            code,
            base["status"],
            plus["status"] if plus else None,
            _fail_tests(task, "base", base["status"], base["progress"]),
            _fail_tests(task, "plus", plus["status"], plus["progress"]) if plus else [],
        )
        failed = base if base["status"] != PASS else (plus if plus and plus["status"] != PASS else None)
        if failed is not None:
            res.error_class = classify_python(failed.get("error"), code, failed["status"])
            res.error = _error_text(failed.get("error"))
        elif not code.strip():
            res.error_class = "no_code"
        return res
    res = SampleResult(task.task_id, i, code, rec["status"])
    if rec["status"] != PASS:
        res.error_class = classify_python(rec.get("error"), code, rec["status"])
        res.error = _error_text(rec.get("error"))
    return res


def _error_text(info: dict[str, Any] | None) -> str:
    if not info:
        return ""
    return f"{info.get('type', '')}: {info.get('message', '')}".strip(": ")


def _score_humaneval_x(
    task: BenchmarkTask, index: int, code: str, is_completion: bool, opts: ScoreOptions
) -> SampleResult:
    from alchemistcoder.evaluate.humaneval_x import passed, run_test_program, test_program

    if not code.strip():
        return SampleResult(task.task_id, index, code, FAIL, error_class="no_code")
    result = run_test_program(
        task, test_program(task, code, is_completion=is_completion), timeout_s=opts.humaneval_x_timeout_s
    )
    solution = (task.prompt + code) if is_completion else code
    if passed(task, result):
        return SampleResult(task.task_id, index, solution, PASS)
    status = TIMEOUT if result.status == "timeout" else FAIL
    text = result.compile_output or result.stderr or result.stdout
    return SampleResult(
        task.task_id,
        index,
        solution,
        status,
        error_class=classify_compiled(result.status, text),
        error=text[-500:],
    )


def _score_ds1000(task: BenchmarkTask, index: int, code: str, opts: ScoreOptions) -> SampleResult:
    from alchemistcoder.evaluate.ds1000 import postprocess, run_answer

    answer = postprocess(code)
    verdict = run_answer(task, answer, timeout_s=opts.ds1000_timeout_s, memory_mb=opts.ds1000_memory_mb)
    status = PASS if verdict.passed else (TIMEOUT if verdict.timed_out else FAIL)
    return SampleResult(
        task.task_id, index, answer, status, error_class=verdict.error_class, error=verdict.error
    )


_WRONG_ANSWER_MARKERS = ("Assertion", "AssertionError", "assertion", "--- FAIL", "Not equal", "panicked at")


def classify_compiled(status: str, output: str) -> str:
    """Error class of a compiled-language test run."""
    if status == "compile_error":
        return "compile_error"
    if status in ("timeout", "oom"):
        return status
    if any(m in output for m in _WRONG_ANSWER_MARKERS):
        return "wrong_answer"
    return "runtime_error"


def score(
    tasks: list[BenchmarkTask],
    samples: Iterable[dict[str, Any]],
    options: ScoreOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SampleResult]:
    """Score samples (``task_id`` with ``solution`` or ``completion``) and return one result per sample, in
    the order of ``samples``. Samples whose task is not in the benchmark raise ValueError naming the line."""
    opts = options or ScoreOptions()
    by_id = {t.task_id: t for t in tasks}
    prepared: list[tuple[BenchmarkTask, int, str, bool]] = []
    for i, sample in enumerate(samples):
        task_id = normalize_task_id(sample.get("task_id"), tasks[0].benchmark if tasks else "")
        if task_id not in by_id:
            raise ValueError(
                f"sample {i + 1}: task_id {sample.get('task_id')!r} is not in {tasks[0].benchmark if tasks else 'the benchmark'}"
            )
        code, is_completion = solution_of(by_id[task_id], sample)
        prepared.append((by_id[task_id], i, code, is_completion))

    units: list[Callable[[], list[SampleResult]]] = []
    grouped: dict[str, list[tuple[int, str]]] = {}
    for task, i, code, is_completion in prepared:
        if task.benchmark == "ds1000":
            units.append(lambda t=task, i=i, c=code: [_score_ds1000(t, i, c, opts)])
            continue
        if task.benchmark.startswith("humaneval-x-") and task.language != "python":
            units.append(
                lambda t=task, i=i, c=code, comp=is_completion: [_score_humaneval_x(t, i, c, comp, opts)]
            )
            continue
        if task.benchmark == "humaneval-x-python" and is_completion:
            from alchemistcoder.evaluate.humaneval_x import python_completion_body

            code = task.prompt + python_completion_body(code)
        grouped.setdefault(task.task_id, []).append((i, code))
    python_units: list[Unit] = []
    for task_id, items in grouped.items():
        for start in range(0, len(items), opts.samples_per_job):
            python_units.append((by_id[task_id], items[start : start + opts.samples_per_job]))
    workers = opts.workers or sandbox_workers()
    # a few batches per worker: each pays one interpreter start and numpy import, and the load stays balanced
    n_batches = min(len(python_units), workers * 4)
    for b in range(n_batches):
        batch = python_units[b::n_batches]
        units.append(lambda batch=batch: _score_python_units(batch, opts))

    results: dict[int, SampleResult] = {}
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for batch in pool.map(lambda unit: unit(), units):
            for r in batch:
                results[r.index] = r
            done += len(batch)
            if progress:
                progress(done, len(prepared))
    return [results[i] for i in range(len(prepared))]


def normalize_task_id(task_id: Any, benchmark: str) -> str:
    """Accept MBPP ids as 11, "11" or "Mbpp/11", and DS-1000's as 5, "5" or "DS1000/5"."""
    text = str(task_id)
    if benchmark.startswith("mbpp") and text.isdigit():
        return f"Mbpp/{text}"
    if benchmark == "ds1000" and text.isdigit():
        return f"DS1000/{text}"
    return text
