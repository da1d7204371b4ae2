"""The one sandbox harness: a Python runner on a job in the sandbox, its nonce-tagged reports, ``_box``'s helpers,
the one parallelism budget, and the tagged protocol read in one module only."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from alchemistcoder.sandbox import budget
from alchemistcoder.sandbox.harness import BOX, parse_tagged, run_harness, run_harness_many

SRC = Path(__file__).resolve().parents[1] / "src" / "alchemistcoder"

# A runner whose "sample" tries every way to forge a record: printing a tagged-looking line, writing to fd 1,
# patching json.dumps and os.write (which the runner's reports must not go through), and ending the child early.
FORGING_RUNNER = '''
import json, os, sys
import _box

job = _box.load_job()
print("not a report")
_box.emit({"n": 1})

def sample():
    print("0000000000000000 " + json.dumps({"forged": True}))
    os.write(1, b"deadbeefdeadbeef {\\"forged\\": true}\\n")
    json.dumps = lambda *a, **k: '{"forged": true}'
    os.write = lambda fd, data: len(data)
    _box.emit({"n": 2})  # a genuine report from the child, through the captured functions
    return {"value": [1, 2.5, "three", None, True]}

print(_box.in_child(sample, 10), file=sys.stderr)
json.dumps = lambda *a, **k: '{"forged": true}'  # patched in the runner too: emit captured the real one
_box.emit({"n": 3, "how": str(_box.in_child(lambda: os._exit(3), 10))})
_box.emit({"n": 4, "how": str(_box.in_child(lambda: __import__("time").sleep(30), 0.5))})
'''


def _runner(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "runner.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_run_harness_returns_only_genuine_records_in_order(tmp_path):
    run = run_harness(_runner(tmp_path, FORGING_RUNNER), {"x": 1}, timeout_s=30)
    assert run.result.status == "ok", run.result.stderr
    assert [r["n"] for r in run.records] == [1, 2, 3, 4]
    assert not any(r.get("forged") for r in run.records)
    assert run.records[2]["how"] == "('crashed', {'exit_code': 3})"
    assert run.records[3]["how"] == "('timeout', None)"
    assert "('ok', {'value': [1, 2.5, 'three', None, True]})" in run.result.stderr


def test_job_files_and_nonce_reach_the_runner(tmp_path):
    runner = _runner(tmp_path, """
        import _box, helper
        job = _box.load_job()
        _box.emit({"x": job["x"], "helper": helper.VALUE, "has_nonce": len(job["nonce"]) == 16})
    """)
    runs = run_harness_many([(runner, {"x": i}, {"timeout_s": 30, "files": {"helper.py": f"VALUE = {i * 10}"}})
                             for i in range(3)], workers=2)
    assert [r.records for r in runs] == [[{"x": i, "helper": i * 10, "has_nonce": True}] for i in range(3)]


def test_parse_tagged_ignores_other_lines_cut_lines_and_non_objects():
    out = 'abc {"a": 1}\nxyz {"b": 2}\nabc [1, 2]\nabc {"c": \nabc {"d": 4}\nabc{"e": 5}'
    assert parse_tagged(out, "abc") == [{"a": 1}, {"d": 4}]


def _box_here(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` with ``_box`` importable, in a plain subprocess (the helpers need no sandbox)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=BOX.parent, capture_output=True,
                          text=True, timeout=60)


def test_box_limited_and_quiet():
    proc = _box_here("""
        import time, _box
        try:
            _box.limited(lambda: time.sleep(5), 0.2)
        except _box.Timeout:
            print("timeout")
        with _box.quiet():
            print("swallowed")
            try:
                input()
            except EOFError:
                pass
        print(_box.limited(lambda: 7, 1))
    """)
    assert proc.stdout.split() == ["timeout", "7"], proc.stderr


def test_box_in_child_reports_signals_and_keeps_marks():
    proc = _box_here("""
        import os, signal, _box
        marks = _box.Marks(3)
        def target():
            marks.mark(True)
            marks.mark(False)
            os.kill(os.getpid(), signal.SIGKILL)
        print(_box.in_child(target, 10), marks.read())
        print(_box.in_child(lambda: {1, 2}, 10))  # not plain data: the child hands nothing back
    """)
    lines = proc.stdout.splitlines()
    assert lines[0] == "('crashed', {'signal': 9}) [True, False]", proc.stderr
    assert lines[1].startswith("('ok', {1, 2})") or lines[1].startswith("('crashed'")


def test_sandbox_budget(monkeypatch):
    monkeypatch.delenv(budget.ENV, raising=False)
    assert budget.sandbox_workers() == budget.cores()
    monkeypatch.setenv(budget.ENV, "3")
    assert budget.sandbox_workers() == 3
    assert budget.worker_share(4, explicit=2) == 2
    assert budget.worker_share(budget.cores() * 2) == 1
    assert budget.worker_share(1) == budget.cores()


def test_local_executor_workers_get_their_share(monkeypatch):
    from alchemistcoder.pipeline.executors import LocalExecutor

    monkeypatch.delenv(budget.ENV, raising=False)
    executor = LocalExecutor(2, sandbox_workers=5)
    try:
        results = dict(executor.run_tasks(budget.sandbox_workers, [(0, ()), (1, ())]))
    finally:
        executor.close()
    assert results == {0: 5, 1: 5}
    assert budget.ENV not in __import__("os").environ  # the driver's own budget is untouched


# How a tagged line is recognised when read back: only sandbox/harness.py may do it.
_PARSES_TAGS = re.compile(r'startswith\((nonce|prefix|tag)|partition\(" "\)|\[len\((nonce|prefix)|split\(" ", 1\)'
                          r"|== ?nonce")


def test_the_tagged_protocol_is_parsed_in_one_module():
    offenders = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                       if p.name != "harness.py" and _PARSES_TAGS.search(p.read_text(encoding="utf-8")))
    assert offenders == []
    assert _PARSES_TAGS.search((SRC / "sandbox" / "harness.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("runner", ["evaluate/_py_runner.py", "decontam/signals/_probe.py"])
def test_runners_use_the_box(runner):
    text = (SRC / runner).read_text(encoding="utf-8")
    assert "import _box" in text
    assert not re.search(r"os\.fork\(|\.setitimer\(|open\(\"job\.json|os\.write\(1", text)


def test_an_explicit_run_budget_is_the_drivers_too(monkeypatch):
    from alchemistcoder.config import RunSettings
    from alchemistcoder.pipeline.executors import make_executor

    monkeypatch.setenv(budget.ENV, "1")  # restored after the test, whatever make_executor sets
    make_executor(RunSettings(executor="inprocess", sandbox_workers=3))
    assert budget.sandbox_workers() == 3
