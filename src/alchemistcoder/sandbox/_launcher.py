"""The sandbox's first process inside its namespaces (runs as PID 1, stdlib only, started with ``python -I -S``).

The host starts it with ``unshare --net --pid --mount --fork --kill-child`` (plus ``--map-root-user`` when the
host is not root). It reads the job spec, then builds the job's view of the machine:

* private tmpfs on /tmp (the job's working directory is /tmp/box), /var/tmp and /dev/shm, so the job writes
  nowhere on the host's disks and cannot fill them beyond the tmpfs size;
* directories that the unprivileged user cannot reach (e.g. a Python or Rust toolchain under /root) are
  covered by an empty tmpfs and the needed subdirectories bound back read-only, which also hides the rest;
* each step (compile, run) is forked, limited (rlimits), dropped to the unprivileged uid/gid, and executed
  with an empty environment plus what the spec allows; a step that outlives its wall-clock limit is killed
  together with everything it started (``kill(-1)`` from PID 1 reaches every process in the namespace).

It prints one JSON line with the outcome of each step on its stdout, which only the host reads.
"""

import contextlib
import ctypes
import json
import os
import resource
import select
import signal
import sys
import time

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source, target, fstype, flags, data):
    res = _libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if res != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _prepare_filesystem(spec):
    # open every source first: the tmpfs covers below may hide the paths they live under
    exposed = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in spec.get("expose", [])]
    writable = [
        (inside, os.open(host, os.O_PATH | os.O_DIRECTORY)) for host, inside in spec.get("writable", [])
    ]
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    for cover, size_mb in spec.get("covers", []):
        if os.path.isdir(cover):
            _mount("tmpfs", cover, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=1777")
    for path, fd in exposed:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
        _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, None)
        os.close(fd)
    for inside, fd in writable:
        # shared caches (Go build cache): bound read-write so compiles of the same packages are reused
        os.makedirs(inside, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", inside, None, MS_BIND, None)
        os.close(fd)
    # a /proc of this PID namespace only: the job cannot see (or read anything about) the host's processes
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV, None)


def _write_files(spec, workdir, uid, gid):
    os.makedirs(workdir, mode=0o700, exist_ok=True)
    for rel, content in spec.get("files", {}).items():
        target = os.path.normpath(os.path.join(workdir, rel))
        if not target.startswith(workdir + os.sep):
            raise ValueError(f"file name {rel!r} leaves the working directory")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(content)
    if uid is not None:
        for root, dirs, files in os.walk(workdir):
            for name in dirs + files:
                os.chown(os.path.join(root, name), uid, gid)
        os.chown(workdir, uid, gid)


def _child(step, env, workdir, uid, gid, fds):
    try:
        os.setsid()
        stdin_fd, out_fd, err_fd = fds
        os.dup2(stdin_fd, 0)
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        mb = 1024 * 1024
        limits = [
            (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_FSIZE, step["fsize_mb"] * mb),
            (resource.RLIMIT_CPU, int(step["cpu_s"])),
            (resource.RLIMIT_NOFILE, 1024),
        ]
        if step.get("memory_mb"):
            limits.append((resource.RLIMIT_AS, step["memory_mb"] * mb))
        if uid is not None:
            # NPROC counts every process of the uid; root ignores it, so it only binds after the drop below
            limits.append((resource.RLIMIT_NPROC, step["nproc"]))
        for which, value in limits:
            resource.setrlimit(which, (value, value))
        os.chdir(workdir)
        if uid is not None:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        os.umask(0o022)
        for sig in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_DFL)
        os.execve(step["argv"][0], step["argv"], env)
    except BaseException as exc:  # exec failed: tell the host through stderr and exit with a distinct code
        try:
            os.write(2, f"sandbox: cannot start {step['argv'][0]}: {exc}\n".encode())
        finally:
            os._exit(127)


def _kill_everything_else(step_pid):
    # As PID 1 of the job's namespace, kill(-1) reaches every other process in it and nothing outside. Without
    # namespaces (a machine that forbids them) it would reach all of the user's processes: then only the
    # step's session is killed.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpid() == 1:
            os.kill(-1, signal.SIGKILL)
        else:
            os.killpg(step_pid, signal.SIGKILL)
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.002)


def _run_step(step, env, workdir, uid, gid, fds):
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(step, env, workdir, uid, gid, fds)
    pidfd = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    timed_out = not poller.poll(step["timeout_s"] * 1000)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    duration = time.monotonic() - start
    os.close(pidfd)
    # whatever the step left behind (background children, escaped process groups) dies with it
    _kill_everything_else(pid)
    return {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "timed_out": timed_out,
        "duration_s": duration,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss,
    }


def main():
    stage = sys.argv[1]
    with open(os.path.join(stage, "spec.json"), encoding="utf-8") as fh:
        spec = json.load(fh)
    steps = spec["steps"]
    fds = []
    for i, step in enumerate(steps):
        stdin_path = os.path.join(stage, "stdin") if step.get("stdin") else os.devnull
        fds.append(
            (
                os.open(stdin_path, os.O_RDONLY),
                os.open(os.path.join(stage, f"{i}.out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                os.open(os.path.join(stage, f"{i}.err"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            )
        )
    uid, gid = spec.get("uid"), spec.get("gid")
    workdir = spec["workdir"]
    results = []
    try:
        if spec.get("isolate_fs", True):
            _prepare_filesystem(spec)
        _write_files(spec, workdir, uid, gid)
    except Exception as exc:
        print(json.dumps({"setup_error": f"{type(exc).__name__}: {exc}", "steps": []}), flush=True)
        return
    for step, step_fds in zip(steps, fds, strict=False):
        outcome = _run_step(step, spec["env"], workdir, uid, gid, step_fds)
        results.append(outcome)
        if outcome["exit_code"] != 0 and not step.get("keep_going"):
            break
    print(json.dumps({"steps": results}), flush=True)


if __name__ == "__main__":
    main()
