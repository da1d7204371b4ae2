"""The sandbox: run untrusted programs (model outputs, dataset responses) in isolation.

Each job gets its own network namespace (no interface but a down loopback), PID namespace (killing the job
kills everything it started), mount namespace with a private tmpfs working directory, rlimits (address
space, CPU time, processes, file size, no core files), an unprivileged uid when the host is root, an empty
environment, and a wall-clock timeout. ``run_program`` runs one program; ``run_many`` runs many in parallel,
as many at a time as the process's budget (``sandbox_workers``, :mod:`alchemistcoder.sandbox.budget`).
``alchemistcoder.sandbox.harness`` runs Python runners on jobs and reads their nonce-tagged reports.
See ``docs/evaluate.md`` for the threat model and its limits.
"""

from __future__ import annotations

import signal
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from alchemistcoder.sandbox.budget import sandbox_workers, set_sandbox_workers, worker_share
from alchemistcoder.sandbox.core import Isolation, Step, StepOutcome, execute, isolation
from alchemistcoder.sandbox.languages import (
    COMPILE_MEMORY_MB,
    COMPILE_TIMEOUT_S,
    GO_CACHE_INSIDE,
    LANGUAGES,
    go_cache_dir,
    go_env,
    normalize_language,
    plan,
    python_executable,
    rust_crate_flags,
)
from alchemistcoder.sandbox.rust_crates import find as find_rust_crates
from alchemistcoder.sandbox.rust_crates import warn_missing as warn_rust_crates_missing
from alchemistcoder.sandbox.toolchains import ToolchainMissing, rust_toolchain, which

# Exit status: ok, error (non-zero exit or crash), compile_error, timeout, oom, killed (a resource limit other
# than time or memory ended it, e.g. the file-size limit, or the sandbox could not start it).
STATUSES = ("ok", "error", "compile_error", "timeout", "oom", "killed")

_OOM_MARKERS = (
    "MemoryError",
    "std::bad_alloc",
    "java.lang.OutOfMemoryError",
    "JavaScript heap out of memory",
    "Fatal process out of memory",
    "runtime: out of memory",
    "memory allocation of",
    "Cannot allocate memory",
    "failed to allocate",
)


@dataclass
class ExecResult:
    """The outcome of one program: status (see STATUSES), exit code (negative: killed by that signal),
    captured output (capped), wall time of the run step, and the compiler's output when it failed."""

    status: str
    returncode: int | None
    stdout: str
    stderr: str
    duration_s: float
    compile_output: str = ""
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Job:
    """Arguments of one :func:`run_program` call, for :func:`run_many`."""

    language: str
    source: str
    stdin: str = ""
    timeout_s: float = 10.0
    memory_mb: int = 1024
    files: dict[str, str] | None = None
    argv: list[str] | None = None


def classify(outcome: StepOutcome) -> str:
    """Status of a finished run step."""
    if outcome.timed_out or outcome.signal in (signal.SIGXCPU,):
        return "timeout"
    if outcome.exit_code == 0:
        return "ok"
    if any(marker in outcome.stderr for marker in _OOM_MARKERS):
        return "oom"
    if outcome.signal in (signal.SIGKILL, signal.SIGXFSZ):
        return "killed"
    return "error"


def result_from_outcomes(outcomes: list[StepOutcome], setup_error: str | None) -> ExecResult:
    """Fold the steps of one job into an ExecResult."""
    if setup_error and not outcomes:
        return ExecResult("killed", None, "", f"sandbox: {setup_error}", 0.0)
    compile_steps = [o for o in outcomes if o.name == "compile"]
    for o in compile_steps:
        if o.exit_code != 0:
            text = (o.stdout + o.stderr).strip()
            if o.timed_out:
                text = f"compilation timed out after {o.duration_s:.1f}s\n{text}"
            return ExecResult(
                "compile_error", _code(o), "", text, 0.0, compile_output=text, truncated=o.truncated
            )
    runs = [o for o in outcomes if o.name != "compile"]
    if not runs:
        return ExecResult("killed", None, "", f"sandbox: {setup_error or 'the program did not start'}", 0.0)
    o = runs[-1]
    compile_text = "\n".join((c.stdout + c.stderr).strip() for c in compile_steps).strip()
    return ExecResult(classify(o), _code(o), o.stdout, o.stderr, o.duration_s, compile_text, o.truncated)


def _code(o: StepOutcome) -> int | None:
    return -o.signal if o.signal is not None else o.exit_code


def run_program(
    language: str,
    source: str,
    *,
    stdin: str = "",
    timeout_s: float = 10.0,
    memory_mb: int = 1024,
    files: dict[str, str] | None = None,
    argv: list[str] | None = None,
    output_cap: int = 1 << 20,
) -> ExecResult:
    """Compile (when the language needs it) and run ``source`` in a fresh sandbox.

    ``timeout_s`` and ``memory_mb`` bound the run step (compilers get their own, larger bounds); ``files``
    are extra files written beside the source; ``argv`` are arguments to the program; ``output_cap`` is how
    many bytes of each output stream are read back.
    """
    try:
        job = plan(language, source, timeout_s=timeout_s, memory_mb=memory_mb, files=files, argv=argv)
    except ToolchainMissing as exc:
        return ExecResult("killed", None, "", f"sandbox: {exc}", 0.0)
    outcomes, setup_error = execute(
        job.steps, files=job.files, stdin=stdin, env=job.env, expose=job.expose, writable=job.writable,
        output_cap=output_cap,
    )
    return result_from_outcomes(outcomes, setup_error)


def default_workers() -> int:
    """Deprecated: the process's sandbox budget (:func:`sandbox_workers`)."""
    return sandbox_workers()


def run_many(jobs: Iterable[Job | dict[str, Any]], workers: int | None = None) -> list[ExecResult]:
    """Run many programs in parallel (``workers`` at a time, default the process's budget,
    :func:`sandbox_workers`); results in job order."""
    items = [j if isinstance(j, Job) else Job(**j) for j in jobs]

    def one(job: Job) -> ExecResult:
        return run_program(
            job.language,
            job.source,
            stdin=job.stdin,
            timeout_s=job.timeout_s,
            memory_mb=job.memory_mb,
            files=job.files,
            argv=job.argv,
        )

    with ThreadPoolExecutor(max_workers=workers or sandbox_workers()) as pool:
        return list(pool.map(one, items))


# The public API: run_program / run_many for whole programs (the harness module for Python runners); Step, execute and the toolchain helpers for
# callers (evaluation) that build multi-step jobs of their own.
__all__ = [
    "COMPILE_MEMORY_MB",
    "COMPILE_TIMEOUT_S",
    "GO_CACHE_INSIDE",
    "LANGUAGES",
    "STATUSES",
    "ExecResult",
    "Isolation",
    "Job",
    "Step",
    "ToolchainMissing",
    "default_workers",
    "execute",
    "find_rust_crates",
    "go_cache_dir",
    "go_env",
    "isolation",
    "normalize_language",
    "plan",
    "python_executable",
    "result_from_outcomes",
    "run_many",
    "run_program",
    "rust_crate_flags",
    "rust_toolchain",
    "sandbox_workers",
    "set_sandbox_workers",
    "warn_rust_crates_missing",
    "which",
    "worker_share",
]
