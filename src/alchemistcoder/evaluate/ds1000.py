"""DS-1000 scoring, as upstream's ``test_ds1000.py`` (xlangai/DS-1000, the 2024 release) does it.

An answer is the code that replaces ``[insert]`` in the problem's ``exec_context``. Upstream cleans it with
:func:`postprocess`, builds the test program with :func:`build_test_program` (the problem's ``code_context``, the
answer as a string, ``test_execution(code)`` and, when the context defines it, ``test_string(code)``), and
runs it with ``exec(program, {})`` in a fresh process with a 120 s limit: the answer passes when the program
finishes without raising anything (``SystemExit`` included) in time.

Here the program runs only in the sandbox (one fresh sandbox per answer, in parallel across cores). A small
wrapper in the sandbox does upstream's ``exec(program, {})`` in the working directory and reports, on a line
tagged with a per-run nonce, whether the program finished or which exception it raised; an answer that ends
the process itself (``os._exit``, a crash) never reports and fails, as upstream's result list stays empty.
"""

from __future__ import annotations

import ast
import json
import logging
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alchemistcoder.benchmarks import BenchmarkTask
from alchemistcoder.evaluate.errors import PYTHON_EXCEPTION_CLASS
from alchemistcoder.sandbox import Step, execute, python_executable
from alchemistcoder.sandbox.harness import new_nonce, parse_tagged

log = logging.getLogger(__name__)

# Upstream's per-program limit (test_ds1000.py: check_correctness(..., timeout=120)).
DEFAULT_TIMEOUT_S = 120.0
# Address-space limit: TensorFlow and PyTorch reserve several GiB of address space when imported.
DEFAULT_MEMORY_MB = 8192

# DS-1000's ``metadata.library`` values and the module each needs.
LIBRARY_MODULES = {
    "Numpy": "numpy",
    "Pandas": "pandas",
    "Scipy": "scipy",
    "Sklearn": "sklearn",
    "Matplotlib": "matplotlib",
    "Tensorflow": "tensorflow",
    "Pytorch": "torch",
}

# The test's process environment: upstream disables TensorFlow's logging and GPUs; one BLAS/OpenMP thread
# keeps parallel sandboxes from multiplying threads (results do not depend on it).
_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "CUDA_VISIBLE_DEVICES": "-1",
    "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

# Runs in the sandbox: upstream's unsafe_execute, then one report line tagged with the nonce read from stdin.
RUNNER = Path(__file__).with_name("_ds1000_runner.py")


@dataclass
class Verdict:
    """What one DS-1000 test program did: passed, the error class (errors.ERROR_CLASSES) and a message."""

    passed: bool
    timed_out: bool
    error_class: str
    error: str


def postprocess(code: str) -> str:
    """Upstream's ``postprocess``: cut at ``</code>``, drop ```` ```python ````, cut at the next fence and at
    ``\\nEND SOLUTION``, drop ``<code>``."""
    code = code.split("</code>")[0]
    code = code.replace("```python", "")
    code = code.split("```")[0]
    code = code.split("\nEND SOLUTION")[0]
    code = code.replace("<code>", "")
    return code


def build_test_program(code_context: str, answer: str) -> str:
    """Upstream's test program for one answer."""
    return (
        code_context
        + "\n"
        + f"code = {answer!r}\n"
        + "test_execution(code)\n"
        + ("test_string(code)\n" if "test_string(" in code_context else "\n")
    )


def run_answer(task: BenchmarkTask, answer: str, *, timeout_s: float, memory_mb: int) -> Verdict:
    """Run ``answer`` (already post-processed) against ``task`` in a fresh sandbox."""
    exe, dirs = python_executable()
    nonce = new_nonce()
    step = Step(argv=[exe, "-u", "main.py"], timeout_s=timeout_s + 1.0, memory_mb=memory_mb, stdin=True)
    outcomes, setup_error = execute(
        [step],
        files={"main.py": RUNNER.read_text(encoding="utf-8"), "test_program.py": build_test_program(task.test, answer)},
        stdin=nonce + "\n",
        env=_ENV,
        expose=list(dirs),
    )
    if not outcomes:
        return Verdict(False, False, "harness_killed", f"sandbox: {setup_error}")
    outcome = outcomes[0]
    record = _report(outcome.stdout, nonce)
    if outcome.timed_out:
        return Verdict(False, True, "timeout", f"timed out after {timeout_s:g}s")
    if record is not None and record["status"] == "pass":
        return Verdict(True, False, "passed", "")
    if not answer.strip():
        return Verdict(False, False, "no_code", "empty answer")
    if record is None:
        tail = outcome.stderr.strip()[-500:]
        if outcome.signal == 9 or "MemoryError" in tail:
            return Verdict(False, False, "oom", tail or "killed (memory limit)")
        how = f"signal {outcome.signal}" if outcome.signal else f"exit code {outcome.exit_code}"
        return Verdict(False, False, "runtime_error", f"the program ended before the test finished ({how})")
    return Verdict(False, False, classify(record), f"{record['type']}: {record['message']}".strip(": "))


def _report(stdout: str, nonce: str) -> dict[str, Any] | None:
    records = parse_tagged(stdout, nonce)
    return records[0] if records else None


def classify(record: dict[str, Any]) -> str:
    """Error class of a failed test program from the wrapper's record."""
    kind = str(record.get("type", ""))
    if kind in PYTHON_EXCEPTION_CLASS:
        return PYTHON_EXCEPTION_CLASS[kind]
    if kind.endswith("MemoryError"):  # numpy's _ArrayMemoryError
        return "oom"
    if kind == "AssertionError":
        # the test's own asserts (test_execution, exec_test, test_string) mean a wrong answer; an assert
        # raised by the answer's code itself is the answer's assertion error
        return "assertion_error" if record.get("in_answer") else "wrong_answer"
    return "runtime_error"


def task_modules(task: BenchmarkTask) -> set[str]:
    """Third-party modules the task's test program imports at its top level (and its library's module)."""
    modules = set()
    library = library_of(task)
    if library in LIBRARY_MODULES:
        modules.add(LIBRARY_MODULES[library])
    try:
        tree = ast.parse(task.test)
    except SyntaxError:
        return modules
    for node in tree.body:
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names}


_FIND_SPECS = r"""
import importlib.util, json, sys
names = json.loads(sys.stdin.read())
print(json.dumps([n for n in names if importlib.util.find_spec(n) is None]))
"""


def missing_modules(tasks: list[BenchmarkTask]) -> dict[str, int]:
    """Modules DS-1000 tasks need that the sandbox's Python cannot import, with how many tasks need each."""
    needed: Counter[str] = Counter()
    for task in tasks:
        needed.update(task_modules(task))
    if not needed:
        return {}
    exe, dirs = python_executable()
    outcomes, err = execute(
        [Step(argv=[exe, "-c", _FIND_SPECS], timeout_s=30.0, memory_mb=None, stdin=True)],
        stdin=json.dumps(sorted(needed)),
        expose=list(dirs),
    )
    if not outcomes or outcomes[0].exit_code != 0:
        log.warning("could not check which DS-1000 libraries the sandbox can import: %s", err or outcomes)
        return {}
    missing = json.loads(outcomes[0].stdout.strip().splitlines()[-1])
    return {name: needed[name] for name in missing}


def warn_missing(tasks: list[BenchmarkTask]) -> dict[str, int]:
    """Log (and return) the libraries of the benchmark that the sandbox's Python lacks."""
    missing = missing_modules(tasks)
    if missing:
        exe, _ = python_executable()
        listed = ", ".join(f"{name} ({n} tasks)" for name, n in sorted(missing.items()))
        log.warning(
            "DS-1000: the sandbox's Python (%s) cannot import %s; those tasks fail with import_error. "
            "Install them into that environment (pip install 'alchemistcoder[ds1000]' covers scipy and "
            "scikit-learn; tensorflow separately) or point ALCHEMIST_SANDBOX_PYTHON at one that has them.",
            exe,
            listed,
        )
    return missing


def library_of(task: BenchmarkTask) -> str:
    """The task's DS-1000 library (``metadata.library``: Numpy, Pandas, ...)."""
    return str(task.extra.get("library") or (task.extra.get("metadata") or {}).get("library", ""))


def by_library(tasks: list[BenchmarkTask], results: list[Any]) -> dict[str, dict[str, Any]]:
    """pass@k per library over the tasks that have samples, as upstream's summary groups its scores."""
    return _grouped(tasks, results, library_of)


def by_perturbation(tasks: list[BenchmarkTask], results: list[Any]) -> dict[str, dict[str, Any]]:
    """pass@k per perturbation type (Origin, Surface, Semantic, Difficult-Rewrite), as upstream reports."""
    return _grouped(
        tasks, results, lambda t: str((t.extra.get("metadata") or {}).get("perturbation_type", ""))
    )


def _grouped(
    tasks: list[BenchmarkTask], results: list[Any], key: Callable[[BenchmarkTask], str]
) -> dict[str, dict[str, Any]]:
    from alchemistcoder.evaluate.passk import pass_at_ks

    group_of = {t.task_id: key(t) for t in tasks}
    per_task: dict[str, list[Any]] = {}
    for r in results:
        per_task.setdefault(r.task_id, []).append(r)
    groups: dict[str, list[list[Any]]] = {}
    for task_id, rs in per_task.items():
        groups.setdefault(group_of.get(task_id, ""), []).append(rs)
    return {
        name: {
            "tasks": len(group),
            **pass_at_ks([len(rs) for rs in group], [sum(r.passed_base for r in rs) for rs in group]),
        }
        for name, group in sorted(groups.items())
    }


__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT_S",
    "LIBRARY_MODULES",
    "Verdict",
    "build_test_program",
    "by_library",
    "by_perturbation",
    "classify",
    "library_of",
    "missing_modules",
    "postprocess",
    "run_answer",
    "task_modules",
    "warn_missing",
]
