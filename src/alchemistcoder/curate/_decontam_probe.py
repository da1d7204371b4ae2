"""Runs inside the sandbox for decontamination's execution signal (``alchemistcoder.curate.decontam_exec``).

The host sends this file as the sandbox's program with ``job.json`` beside it (the package imports only its
``_same``, to compare the answers of C++, Java and JavaScript samples the same way). A job with
``expected_only`` prints the reference solutions' answers instead (``decontam_foreign``).
The job holds benchmark tasks and samples: each sample's top-level statements (imports, definitions,
assignments; its script part is dropped by the host) and which of its functions to try on which task.
Expected outputs are computed once per task; each sample then runs in a forked child (ended after
``sample_timeout_s`` of CPU time), so what one sample does to the interpreter cannot touch the next. For each task:

* ``inputs`` mode (HumanEval+, MBPP+): the expected outputs come from the task's reference solution; each
  named function of the sample runs on the same inputs (deep copies), stopping at its first wrong answer;
* ``asserts`` mode (MBPP): each assertion runs with the task's entry point bound to the sample's function;
* ``check`` mode (HumanEval without EvalPlus): the task's ``check(candidate)`` runs on the function.

Every call has a time limit (``setitimer``), every child a CPU-time limit; the sample's output is swallowed.
A function that fails the first input is tried again with its arguments as text (numbers as digits, a list of
words as a sentence: a paraphrase often takes them so), and answers match when a number comes back as its
digits (in MBPP's assertions too, through a wrapper of the answer). One line per task goes to stdout as soon
as it is known, tagged with the job's nonce (the sample cannot forge it): ``{"sample", "task", "passing"
(functions that passed every test), "best", "passed", "total", "adapted" (a function that passed with its
arguments as text)}``. The sandbox's wall clock bounds
the job.
"""

import contextlib
import copy
import io
import json
import math
import os
import resource
import signal
import sys
import time

# captured before any sample code runs: a sample may replace module attributes, builtins and sys.stdout
_write = os.write
_dumps = json.dumps
_deepcopy = copy.deepcopy
_isclose = math.isclose
_isnan = math.isnan
_setitimer = signal.setitimer


class _Timeout(BaseException):
    """A call ran past its limit (BaseException: a sample's ``except Exception`` does not swallow it)."""


def _alarm(_signum, _frame):
    raise _Timeout()


def _limited(fn, seconds):
    _setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        _setitimer(signal.ITIMER_REAL, 0)


def _same(got, want, atol):
    """Equal answers; floats within 0.1% (a sphere's volume with pi as 3.14 is the same problem); lists and
    tuples alike (a leak need not match types)."""
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        if isinstance(want, float) or isinstance(got, float):
            if _isnan(want) and _isnan(got):
                return True
            return _isclose(got, want, rel_tol=1e-3, abs_tol=max(atol, 1e-6))
        return got == want
    if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(got) == len(want) and all(_same(g, w, atol) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(_same(got[k], want[k], atol) for k in want)
    # a number given back as its digits ("1010" for MBPP/33's 1010) is the same answer
    if (isinstance(want, int) and isinstance(got, str)) or (isinstance(want, str) and isinstance(got, int)):
        return str(got).strip() == str(want).strip()
    try:
        return bool(got == want)
    except BaseException:
        return False


def _as_text(args):
    """The arguments as a paraphrase often takes them: numbers as their digits (a binary number as a string,
    MBPP/24), a list of words as one sentence (MBPP/90's longest word)."""
    out = []
    for a in args:
        if isinstance(a, int) and not isinstance(a, bool):
            out.append(str(a))
        elif isinstance(a, list) and a and all(isinstance(w, str) and " " not in w for w in a):
            out.append(" ".join(a))
        else:
            out.append(a)
    return out


def _quiet(fn):
    """Call ``fn`` with stdout and stderr swallowed."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        return fn()
    finally:
        sys.stdout, sys.stderr = out, err


def _load_sample(statements, limit):
    namespace = {"__name__": "sample"}
    for source in statements:
        try:
            code = compile(source, "<sample>", "exec")
            _quiet(lambda c=code: _limited(lambda: exec(c, namespace), limit))
        except BaseException:  # one failing statement (a missing library) leaves the others usable
            pass
    return namespace


def _expected(task, limit):
    """(arguments, expected output, seconds) triples from the reference solution, which gets ten times
    ``limit`` per input (so that whether an input counts does not depend on the machine's load); an input it
    rejects tells nothing and is left out (the host already left out the heavy ones)."""
    namespace = {}
    exec(compile(task["reference"], "<reference>", "exec"), namespace)
    reference = namespace[task["entry_point"]]
    triples = []
    for args in task["inputs"]:
        started = time.monotonic()
        try:
            want = _quiet(lambda a=args: _limited(lambda: reference(*_deepcopy(a)), 10 * limit))
        except BaseException:
            continue
        triples.append((args, want, time.monotonic() - started))
    return triples


def _run_inputs(fn, triples, atol, limit, adapt=None):
    """Inputs passed before the first wrong answer; each call may take ``limit`` or four times the reference's
    (``adapt`` changes the arguments first)."""
    passed = 0
    for args, want, seconds in triples:
        if adapt is not None:
            args = adapt(args)
        try:
            got = _quiet(lambda a=args, t=max(limit, 4 * seconds): _limited(lambda: fn(*_deepcopy(a)), t))
        except BaseException:
            return passed
        if not _same(got, want, atol):
            return passed
        passed += 1
    return passed


class _Answer:
    """A sample's answer inside an assertion, compared as ``_same`` compares (``assert f(10) == 1010`` holds for
    "1010"); any other use of it fails the assertion."""

    __slots__ = ("value",)
    __hash__ = None

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return _same(self.value, other, 0.0)

    def __ne__(self, other):
        return not _same(self.value, other, 0.0)

    def __bool__(self):
        return bool(self.value)


def _adapted(fn, adapt):
    """``fn`` with its arguments changed by ``adapt`` (or not) and its answer wrapped in :class:`_Answer`."""
    return lambda *args: _Answer(fn(*(adapt(list(args)) if adapt else args)))


def _run_asserts(fn, namespace, task, limit):
    scope = dict(namespace)
    scope[task["entry_point"]] = fn
    try:
        _quiet(lambda: _limited(lambda: exec(task.get("setup") or "", scope), limit))
    except BaseException:
        return 0
    passed = 0
    for line in task["asserts"]:
        try:
            _quiet(lambda s=line: _limited(lambda: exec(s, scope), limit))
        except BaseException:
            return passed
        passed += 1
    return passed


def _run_check(fn, task, limit):
    scope = {}
    try:
        exec(compile(task["check"], "<check>", "exec"), scope)
        _quiet(lambda: _limited(lambda: scope["check"](fn), limit * 10))
    except BaseException:
        return 0
    return 1


def _try_sample(sample, tasks, expected, limit, nonce):
    """In a forked child: load one sample's statements and try its functions on each of its tasks."""
    namespace = _load_sample(sample["statements"], limit)
    for attempt in sample["tries"]:
        task = tasks[attempt["task"]]
        record = {"sample": sample["id"], "task": task["id"], "passing": [], "best": None, "passed": 0, "total": 0}
        if task["mode"] == "inputs":
            triples = expected.get(task["id"])
            if triples is None:
                continue  # the reference solution did not load: the task is untested
            record["total"] = len(triples)
        else:
            record["total"] = len(task["asserts"]) if task["mode"] == "asserts" else 1
        for name in attempt["functions"]:
            fn = namespace.get(name)
            if not callable(fn) or not record["total"]:
                continue
            if task["mode"] == "inputs":
                passed = _run_inputs(fn, triples, task["atol"], limit)
                if passed == 0 and _run_inputs(fn, triples, task["atol"], limit, _as_text) == record["total"]:
                    passed = record["total"]
                    record["adapted"] = name
            elif task["mode"] == "asserts":
                passed = _run_asserts(fn, namespace, task, limit)
                for adapt in (None, _as_text) if passed == 0 else ():
                    if _run_asserts(_adapted(fn, adapt), namespace, task, limit) == record["total"]:
                        passed = record["total"]
                        record["adapted"] = name
                        break
            else:
                passed = _run_check(fn, task, limit)
            if passed == record["total"]:
                record["passing"].append(name)
            if record["best"] is None or passed > record["passed"]:
                record["best"], record["passed"] = name, passed
        _write(1, (nonce + " " + _dumps(record) + "\n").encode("utf-8"))


def main():
    with open("job.json", encoding="utf-8") as fh:
        job = json.load(fh)
    nonce, limit = job["nonce"], job["limit_s"]
    signal.signal(signal.SIGALRM, _alarm)
    if job.get("expected_only"):
        # the answers of the reference solutions only, for the C++/Java/JavaScript harnesses (decontam_foreign)
        for task in job["tasks"]:
            cases = []
            with contextlib.suppress(BaseException):
                for args, want, _seconds in _expected(task, limit):
                    with contextlib.suppress(BaseException):
                        case = _dumps([args, want])
                        if len(case) <= job["max_case_chars"]:  # a literal that long is no test a harness needs
                            cases.append(case)
            line = '{"task": ' + _dumps(task["id"]) + ', "cases": [' + ",".join(cases) + "]}"
            _write(1, (nonce + " " + line + "\n").encode("utf-8"))
        return
    tasks = {t["id"]: t for t in job["tasks"]}
    expected = {}
    for task in job["tasks"]:
        if task["mode"] == "inputs":
            # a reference that does not load leaves its task untested
            with contextlib.suppress(BaseException):
                expected[task["id"]] = _expected(task, limit)
    sys.stdout.flush()
    for sample in job["samples"]:
        # one child per sample: what a sample's code does to the interpreter stays with it
        pid = os.fork()
        if pid == 0:
            try:
                seconds = max(1, int(job["sample_timeout_s"]))
                resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))  # SIGXCPU ends a runaway sample
                _try_sample(sample, tasks, expected, limit, nonce)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)

if __name__ == "__main__":
    main()
