"""The sandbox side of the harness (``alchemistcoder.sandbox.harness``): imported by a runner as ``import _box``.

The host ships this file beside the runner and a ``job.json``; a runner reads its job with :func:`load_job`,
reports each result with :func:`emit` (one JSON line tagged with the job's nonce, which the host's
``parse_tagged`` reads back; everything else on stdout is ignored), bounds a call with :func:`limited`, swallows
a sample's output with :func:`quiet` and runs a sample where it cannot touch the runner with :func:`in_child`.

Plain standard library only (the sandbox sees no package). The functions that reporting and the child's
hand-back rely on are captured when this module is imported, before any sample code runs: a sample may replace
``os.write``, ``json.dumps``, ``sys.stdout`` or builtins, and the runner's reports must not change with them.
Reports go to a private duplicate of the real stdout, so they reach the host from a child whose stdout is
/dev/null, and a sample's ``print`` never lands among them.
"""

import contextlib
import fcntl
import io
import json
import marshal
import mmap
import os
import resource
import select
import signal
import sys
import time

# captured before any sample code runs (see the module docstring)
_write = os.write
_exit = os._exit
_dumps = json.dumps
_marshal_dumps = marshal.dumps
_marshal_loads = marshal.loads
_setitimer = signal.setitimer
_signal = signal.signal
_StringIO = io.StringIO
_nonce = ""


def _private_stdout():
    """A duplicate of the real stdout at the highest descriptor allowed (not inherited across exec): it outlives
    a child's fds 0-2 going to /dev/null, and sample code that opens or closes a small number as a file
    descriptor (``open(3)`` in a function tried on the input 3) does not hit it."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    top = min(soft, 4096) if soft > 0 else 4096
    try:
        return fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, top - 1)
    except OSError:
        return os.dup(1)


_REPORT_FD = _private_stdout()


def load_job():
    """The job the host wrote (``job.json``, with the ``nonce`` the harness added); reports are tagged with it."""
    global _nonce
    with open("job.json", encoding="utf-8") as fh:
        job = json.load(fh)
    _nonce = job["nonce"]
    sys.stdout.flush()  # nothing buffered may be inherited by a fork()ed child and written twice
    return job


def emit(record):
    """Report one result: a JSON line tagged with the job's nonce, written at once (the host knows what was
    done if the runner is killed later). Values JSON cannot hold are written as their ``str``."""
    data = (_nonce + " " + _dumps(record, default=str) + "\n").encode("utf-8")
    while data:
        data = data[_write(_REPORT_FD, data) :]


class Timeout(BaseException):
    """A call ran past its limit (BaseException: a sample's ``except Exception`` does not swallow it)."""


def _alarm(_signum, _frame):
    raise Timeout()


def limited(fn, seconds, cpu=False):
    """``fn()`` ended by :class:`Timeout` after ``seconds`` of wall time (``setitimer``; the handler is set
    again on each call, so a sample that replaced it is not trusted). ``cpu``: after ``seconds`` of the
    process's CPU time instead, with four times as much wall time for a call that waits: what a call answers
    then does not depend on how loaded the machine is (evaluation keeps EvalPlus's wall clock)."""
    _signal(signal.SIGALRM, _alarm)
    if cpu:
        _signal(signal.SIGPROF, _alarm)
        _setitimer(signal.ITIMER_PROF, seconds)
    _setitimer(signal.ITIMER_REAL, 4 * seconds if cpu else seconds)
    try:
        return fn()
    finally:
        _setitimer(signal.ITIMER_REAL, 0)
        if cpu:
            _setitimer(signal.ITIMER_PROF, 0)


class quiet:
    """Swallow what the code inside writes to stdout and stderr, and give it an empty stdin (``input()``
    raises EOFError); a context manager with no generator behind it, so nothing a sample patches reaches it."""

    def __enter__(self):
        self._saved = sys.stdout, sys.stderr, sys.stdin
        sys.stdout = sys.stderr = _StringIO()
        sys.stdin = _StringIO()
        return self

    def __exit__(self, *exc):
        sys.stdout, sys.stderr, sys.stdin = self._saved
        return False


class Marks:
    """Per-step marks a child leaves in shared memory (``mark(True)`` per passed input, ``mark(False)`` at a
    failure), readable by the parent after the child is gone: progress survives a kill and costs the parent no
    wake-up per step (EvalPlus keeps its progress the same way)."""

    def __init__(self, n):
        self.n = n
        self._position = 0
        self._memory = mmap.mmap(-1, n + 1)

    def mark(self, ok):
        if self._position < self.n:
            self._memory[self._position] = ord("1") if ok else ord("0")
            self._position += 1

    def read(self):
        """The marks left, up to the first step not marked; the memory is released."""
        marks = self._memory[: self.n]
        self._memory.close()
        out = []
        for mark in marks:
            if mark == 0:
                break
            out.append(mark == ord("1"))
        return out


def in_child(target, timeout_s=None):
    """Run ``target()`` in a forked child and return how it went: ``("ok", value)`` with what it returned,
    ``("timeout", None)`` when it ran past ``timeout_s`` seconds of wall time (its process group is killed; None
    waits for it), ``("crashed", info)`` when it ended without handing a value back (``info``: exit code or
    signal).

    The child runs in its own process group with stdin, stdout and stderr on /dev/null (:func:`emit` still
    reports). Its value comes back through a pipe with ``marshal`` (plain data: None, booleans, numbers,
    strings, lists, tuples, dicts), which a sample cannot break by patching builtins as it can ``json``.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.setpgid(0, 0)
            data = _marshal_dumps(target())
            while data:
                data = data[_write(write_fd, data) :]
        finally:
            _exit(0)
    os.close(write_fd)
    data = bytearray()
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    killed = False
    os.set_blocking(read_fd, False)
    poller = select.poll()
    poller.register(read_fd, select.POLLIN | select.POLLHUP)
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            killed = True
            break
        if not poller.poll(None if left is None else left * 1000):
            continue
        try:
            chunk = os.read(read_fd, 65536)
        except BlockingIOError:
            continue
        if not chunk:
            break
        data.extend(chunk)
    if killed:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _pid, status = os.waitpid(pid, 0)
    os.close(read_fd)
    if killed:
        return "timeout", None
    if data:
        try:
            return "ok", _marshal_loads(bytes(data))
        except (EOFError, ValueError, TypeError):
            pass
    if os.WIFSIGNALED(status):
        return "crashed", {"signal": os.WTERMSIG(status)}
    return "crashed", {"exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}
