"""Host side of the sandbox: stage a job, start the launcher in fresh namespaces, collect the outcome.

A job is a list of steps (compile, run) that share one private working directory. The host writes the spec
into a root-only staging directory, starts ``_launcher.py`` under ``unshare`` in its own process group and
waits with a wall-clock backstop; the launcher enforces the per-step limits. Outputs go to files (not pipes)
so a job that prints without end fills at most ``RLIMIT_FSIZE`` and the host reads only the first bytes.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LAUNCHER = Path(__file__).with_name("_launcher.py")
WORKDIR = "/tmp/box"
# The unprivileged account jobs run as when the host is root.
NOBODY_UID = 65534
NOBODY_GID = 65534
# PATH inside the sandbox; the caller's environment never reaches the job.
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass
class Step:
    """One command of a job; limits apply to the command and everything it starts."""

    argv: list[str]
    timeout_s: float = 10.0
    memory_mb: int | None = 1024
    cpu_s: float | None = None
    nproc: int = 256
    fsize_mb: int = 64
    stdin: bool = False
    name: str = "run"


@dataclass
class StepOutcome:
    """What one step did, as the launcher saw it."""

    name: str
    exit_code: int | None
    signal: int | None
    timed_out: bool
    duration_s: float
    stdout: str
    stderr: str
    truncated: bool = False
    cpu_s: float = 0.0
    maxrss_kb: int = 0


@dataclass
class Isolation:
    """How jobs are isolated on this machine (probed once per process)."""

    prefix: list[str]
    drop_uid: bool
    namespaces: bool
    notes: list[str] = field(default_factory=list)


def _traversable_by_others(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & stat.S_IXOTH)


TMPFS_COVERS = ("/tmp", "/var/tmp", "/dev/shm")


def _under(path: str | os.PathLike[str], roots: tuple[str, ...]) -> bool:
    real = os.path.realpath(path)
    return any(real == r or real.startswith(r + "/") for r in roots)


def exposure(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """For a toolchain directory the unprivileged user cannot reach: (directory to cover, path to bind back)."""
    p = Path(os.path.realpath(path))
    for parent in [*reversed(p.parents), p]:
        if str(parent) != "/" and not _traversable_by_others(parent):
            return str(parent), str(p)
    return None


@functools.lru_cache(maxsize=1)
def isolation() -> Isolation:
    """Pick the strongest isolation this machine allows and verify that its network namespace is empty."""
    unshare = shutil.which("unshare")
    base = ["--net", "--pid", "--mount", "--fork", "--kill-child"]
    candidates: list[tuple[list[str], bool]] = []
    if unshare:
        if os.geteuid() == 0:
            candidates.append(([unshare, *base, "--"], True))
        candidates.append(([unshare, "--map-root-user", *base, "--"], False))
    notes = []
    for prefix, drop in candidates:
        try:
            probe = subprocess.run(
                [*prefix, "/bin/cat", "/proc/net/dev"], capture_output=True, text=True, timeout=20, env={}
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            notes.append(f"{prefix[1:3]}: {exc}")
            continue
        interfaces = [line.split(":")[0].strip() for line in probe.stdout.splitlines()[2:]]
        if probe.returncode == 0 and interfaces == ["lo"]:
            return Isolation(prefix, drop, True, notes)
        notes.append(
            f"{' '.join(prefix[1:-1])}: rc={probe.returncode} interfaces={interfaces} {probe.stderr[:200]}"
        )
    log.warning(
        "sandbox: no network/PID/mount namespaces available (%s); jobs run with rlimits and a private "
        "directory only",
        "; ".join(notes) or "unshare not found",
    )
    # still drop to nobody when root: without namespaces that is most of what is left
    return Isolation([], os.geteuid() == 0, False, notes)


def _read_capped(path: Path, cap: int) -> tuple[str, bool]:
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except FileNotFoundError:
        return "", False
    return data[:cap].decode("utf-8", errors="replace"), len(data) > cap


def _base_env(home: str) -> dict[str, str]:
    return {"PATH": SANDBOX_PATH, "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TMPDIR": "/tmp"}


def execute(
    steps: list[Step],
    *,
    files: dict[str, str] | None = None,
    stdin: str = "",
    env: dict[str, str] | None = None,
    expose: list[str] | None = None,
    writable: list[tuple[str, str]] | None = None,
    output_cap: int = 1 << 20,
    disk_mb: int = 512,
) -> tuple[list[StepOutcome], str | None]:
    """Run ``steps`` in one fresh sandbox; returns the outcome of each step that ran and a setup error, if any.

    ``files`` are written (relative to the working directory) before the first step; ``env`` adds variables
    to the minimal environment; ``expose`` lists toolchain directories to bind read-only when the
    unprivileged user could not reach them; ``writable`` binds (host, inside) cache directories read-write.
    """
    iso = isolation()
    covers: dict[str, int] = {}
    binds: list[str] = []
    for path in expose or []:
        hit = exposure(path)
        if hit:
            covers.setdefault(hit[0], 1)
            binds.append(hit[1])
        elif _under(path, TMPFS_COVERS):
            # a checkout (and its venv) under /tmp would vanish beneath the job's private /tmp: bind it back
            binds.append(os.path.realpath(path))
    workdir = WORKDIR if iso.namespaces else None
    stage = Path(tempfile.mkdtemp(prefix="alchemist-sbx-"))
    try:
        if workdir is None:
            workdir = str(stage / "box")
            os.chmod(stage, 0o711)  # nobody must reach box/, not list the stage
        spec = {
            "steps": [
                {
                    "argv": s.argv,
                    "timeout_s": s.timeout_s,
                    "memory_mb": s.memory_mb,
                    "cpu_s": s.cpu_s or (int(s.timeout_s) + 1),
                    "nproc": s.nproc,
                    "fsize_mb": s.fsize_mb,
                    "stdin": s.stdin,
                    "name": s.name,
                }
                for s in steps
            ],
            "files": files or {},
            "env": {**_base_env(workdir), **(env or {})},
            "workdir": workdir,
            "uid": NOBODY_UID if iso.drop_uid else None,
            "gid": NOBODY_GID if iso.drop_uid else None,
            "isolate_fs": iso.namespaces,
            "covers": [["/tmp", disk_mb], ["/var/tmp", 16], ["/dev/shm", 16]]  # = TMPFS_COVERS
            + [[c, size] for c, size in covers.items()],
            "expose": binds,
            "writable": [list(w) for w in writable or []],
        }
        (stage / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        (stage / "stdin").write_text(stdin, encoding="utf-8")
        cmd = [*iso.prefix, sys.executable, "-I", "-S", str(LAUNCHER), str(stage)]
        backstop = sum(s.timeout_s for s in steps) + 10.0 + 2.0 * len(steps)
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={"PATH": SANDBOX_PATH, "LANG": "C.UTF-8"},
        )
        try:
            out, err = proc.communicate(timeout=backstop)
        except subprocess.TimeoutExpired:
            # the launcher itself hung: kill the group; --kill-child takes the namespace down with it
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        report = _parse_report(out, err, proc.returncode)
        outcomes = []
        for i, (step, raw) in enumerate(zip(steps, report.get("steps", []), strict=False)):
            stdout, t1 = _read_capped(stage / f"{i}.out", output_cap)
            stderr, t2 = _read_capped(stage / f"{i}.err", output_cap)
            outcomes.append(
                StepOutcome(
                    name=step.name,
                    exit_code=raw["exit_code"],
                    signal=raw["signal"],
                    timed_out=raw["timed_out"],
                    duration_s=raw["duration_s"],
                    stdout=stdout,
                    stderr=stderr,
                    truncated=t1 or t2,
                    cpu_s=raw.get("cpu_s", 0.0),
                    maxrss_kb=raw.get("maxrss_kb", 0),
                )
            )
        return outcomes, report.get("setup_error")
    finally:
        _remove_stage(stage)


def _parse_report(out: bytes, err: bytes, returncode: int | None) -> dict[str, Any]:
    for line in reversed(out.decode("utf-8", errors="replace").splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    return {
        "setup_error": f"launcher exited with {returncode}: {err.decode('utf-8', errors='replace')[-500:]}"
    }


def _remove_stage(stage: Path) -> None:
    for attempt in range(3):
        try:
            shutil.rmtree(stage)
            return
        except OSError:
            time.sleep(0.05 * (attempt + 1))
    shutil.rmtree(stage, ignore_errors=True)
