"""Runs inside the sandbox for decontamination's execution signal (``alchemistcoder.decontam.signals.python``).

The host runs this file with the sandbox harness (``alchemistcoder.sandbox.harness``): ``_box.py`` (the job,
reports, time limits, swallowed output, forked children), ``_same.py`` (how answers compare; the host
compares C++, Java and JavaScript answers with it too) and EvalPlus's ``_evalplus_inputs.py`` (MBPP+ inputs
as evaluation calls with them) are shipped beside it. A job with ``expected_only`` reports the reference
solutions' answers instead (``foreign.py``); a job with ``ship_expected`` reports them marshalled, per task
(``{"task", "expected"}``: base64 of ``marshal`` of ``[input index, answer, seconds]`` triples, or None when an
answer is no plain data), and a sample job that carries them (``expected``: by task) uses them instead of running
the reference again: each task's reference then runs once per run, not once per job (issue 24, item 6).
The job holds benchmark tasks and samples: each sample's top-level statements (imports, definitions,
assignments; its script part is dropped by the host) and which of its functions to try on which task.
Expected outputs are computed once per task; each sample then runs in a forked child (ended after
``sample_timeout_s`` of CPU time), so what one sample does to the interpreter cannot touch the next. For each task:

* ``inputs`` mode (HumanEval+, MBPP+): the expected outputs come from the task's reference solution; each
  named function of the sample runs on the same inputs (deep copies), stopping at its first wrong answer;
* ``asserts`` mode (MBPP): each assertion runs with the task's entry point bound to the sample's function;
* ``check`` mode (HumanEval without EvalPlus): the task's ``check(candidate)`` runs on the function.

Every call has a limit of CPU time (``_box.limited``, and the reference's time is its CPU time: a loaded machine
once turned right answers into timeouts), every child a CPU-time limit; the sample's output is swallowed.
A function that fails the first input is tried again with its arguments as text (numbers as digits, a list of
words as a sentence: a paraphrase often takes them so), and answers match when a number comes back as its
digits (in MBPP's assertions too, through a wrapper of the answer). One record per task is reported as soon
as it is known (``_box.emit``): ``{"sample", "task", "passing" (functions that passed every test), "best",
"passed", "total", "adapted" (a function that passed with its arguments as text), "slow" (the best function
passed every one of the benchmark's own inputs and ten in all, and the first input it did not pass ran out of
time), "excused" (by passing function: inputs the benchmark answers None that it answered its own way), "near"
(by function that passed every one of the benchmark's own inputs: how many of the added ones it answered
otherwise, when at most the job's ``near_share`` of all, whitespace aside), "spacing" (of those, how many differ
only in whitespace), "unordered" (passing functions that passed only with
lists of answers compared in any order, on a task whose statement names no order: ``order_free``)}``. The
sandbox's wall clock bounds the job.
"""

import base64
import contextlib
import copy
import itertools
import json
import marshal
import os
import resource
import sys
import time

import _box  # the sandbox harness's helpers, shipped beside this file (alchemistcoder.sandbox.harness)
from _evalplus_inputs import mbpp_deserialize_inputs  # EvalPlus's, shipped from alchemistcoder/evaluate
from _same import (  # shipped beside this file too
    odd_spacing,
    reorders,
    same,
    same_items,
    same_set,
    same_set_once,
    sorted_answer,
    spacing_only,
)

# captured before any sample code runs: a sample may replace module attributes
_dumps = json.dumps
_deepcopy = copy.deepcopy
_islice = itertools.islice
_MAX_ITEMS = 1_000_000  # items an iterator answer may yield (no benchmark answer is near it)
_RAISED = object()  # the answer of a call that raised
_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))


def _materialized(got):
    """An iterator answer (``map``, ``filter``, ``zip``, a generator, an ``itertools`` object) or a dict view as
    the list it yields: Python 2's ``map`` and ``d.keys()`` were lists, and CoNaLa's one-liners often still read
    so (``map(lambda x: x[0], G)``). At most ``_MAX_ITEMS``: an endless generator (``itertools.cycle``) raises at
    once, where listing it until its time ran out filled memory and, on a loaded machine, lost the sample's job."""
    if isinstance(got, _VIEWS) or (hasattr(type(got), "__next__") and hasattr(type(got), "__iter__")
                                   and not hasattr(got, "read")):
        items = list(_islice(got, _MAX_ITEMS + 1))
        if len(items) > _MAX_ITEMS:
            raise OverflowError("an iterator answer longer than any benchmark's")
        return items
    return got


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


def _load_sample(statements, limit):
    namespace = {"__name__": "sample"}
    for source in statements:
        try:
            code = compile(source, "<sample>", "exec")
            with _box.quiet():
                _box.limited(lambda c=code: exec(c, namespace), limit, cpu=True)
        except BaseException:  # one failing statement (a missing library) leaves the others usable
            pass
    return namespace


def _expected(task, limit):
    """(arguments, expected output, seconds) triples from the reference solution, which gets ten times
    ``limit`` per input (so that whether an input counts does not depend on the machine's load); an input it
    rejects tells nothing and is left out (the host already left out the heavy ones)."""
    return [(task["inputs"][i], want, seconds) for i, want, seconds in _expected_at(task, limit)]


def _expected_at(task, limit):
    """:func:`_expected` as (input index, expected output, seconds) triples."""
    namespace = {}
    exec(compile(task["reference"], "<reference>", "exec"), namespace)
    reference = namespace[task["entry_point"]]
    triples = []
    for i, args in enumerate(task["inputs"]):
        started = time.process_time()
        try:
            with _box.quiet():
                want = _box.limited(lambda a=args: reference(*_deepcopy(a)), 10 * limit, cpu=True)
        except BaseException:
            continue
        triples.append((i, want, time.process_time() - started))
    return triples


def _shipped(task, text):
    """A task's expected outputs as a ship job reported them (:func:`main`), as :func:`_expected` gives them."""
    return [(task["inputs"][i], want, seconds) for i, want, seconds in marshal.loads(base64.b64decode(text))]


def _nothing(got):
    """An answer that says "no answer" by another convention than None: an empty text or container, 0, -1 or an
    infinity (``''`` for the longest of no strings, ``inf`` for the second smallest of one number)."""
    kind = type(got)
    if kind in (str, list, tuple, dict, set):
        return len(got) == 0
    return kind in (int, float) and got in (0, -1, float("inf"), float("-inf"))


def _answer(fn, args, seconds, limit):
    """``fn``'s answer to ``args`` within ``limit`` or four times the reference's ``seconds`` of CPU time;
    :data:`_RAISED` when it raised; :class:`_box.Timeout` propagates."""
    try:
        with _box.quiet():
            return _box.limited(lambda: _materialized(fn(*_deepcopy(args))), max(limit, 4 * seconds), cpu=True)
    except _box.Timeout:
        raise
    except BaseException:
        return _RAISED


def _run_inputs(fn, triples, atol, limit, adapt=None, compare=same):
    """(inputs passed before the first one not passed, whether that one ran out of time rather than answering
    wrong or raising, how many of the passed ones were excused); each call may take ``limit`` or four times the
    reference's (``adapt`` changes the arguments first; ``compare``: how answers compare, ``same_set`` for a
    ``set_eq`` task). An input the benchmark answers None is excused when the function answers nothing its own
    way (:func:`_nothing`, or an exception), and so is an exception on empty arguments (a palindrome check that
    refuses the empty string): a convention for the degenerate input, not another problem; at most a tenth of
    the inputs, three at most."""
    passed = excused = 0
    excusable = min(3, len(triples) // 10)
    for args, want, seconds in triples:
        if adapt is not None:
            args = adapt(args)
        try:
            got = _answer(fn, args, seconds, limit)  # _RAISED: excused below where the benchmark's is None
        except _box.Timeout:
            return passed, True, excused
        if got is _RAISED or not compare(got, want, atol):
            if excused < excusable and ((want is None and (got is _RAISED or _nothing(got)))
                                        or (got is _RAISED and _empty(args))):
                excused += 1
            else:
                return passed, False, excused
        passed += 1
    return passed, False, excused


def _empty(args):
    """Whether every argument is an empty string, list, tuple or dict (and there is one at least)."""
    return bool(args) and all(isinstance(a, (str, list, tuple, dict)) and len(a) == 0 for a in args)


def _differing(fn, rest, atol, limit, allowance, compare=same):
    """(How many of ``rest`` (the inputs from the first one not passed on) ``fn`` answers otherwise, how many of
    those only in their whitespace), or None when more than ``allowance`` are answered otherwise another way or
    one runs out of time: after every one of the benchmark's own inputs passed, a few of EvalPlus's added edge
    inputs answered by another convention (a palindrome that ignores case and spaces on "Was it a car or a cat I
    saw?") leave the same problem solved, and so do any number that differ only in the whitespace of an input
    with odd spacing (``split(' ')`` against ``split()``, :func:`spacing_only`)."""
    differ = spaced = 0
    for args, want, seconds in rest:
        try:
            got = _answer(fn, args, seconds, limit)
        except _box.Timeout:
            return None
        if got is _RAISED or not compare(got, want, atol):
            differ += 1
            if got is not _RAISED and spacing_only(got, want) and odd_spacing(args):
                spaced += 1
            elif differ - spaced > allowance:
                return None
    return differ, spaced


def _in_any_order(compare):
    """``compare``, or :func:`same_items` where it fails (a task whose statement names no order,
    ``order_free``); the second value lists each answer only the latter accepted (the verdict says so)."""
    reordered = []

    def compare_items(got, want, atol):
        if compare(got, want, atol):
            return True
        if same_items(got, want, atol):
            reordered.append(1)
            return True
        return False

    return compare_items, reordered


def _order_is_the_task(triples):
    """Whether the benchmark answers some input with a reordering of an argument (a sort), or every list of two
    or more it answers is sorted (an order its tests show, stated or not): then its order counts."""
    lists = [want for _args, want, _seconds in triples if isinstance(want, (list, tuple)) and len(want) >= 2]
    return not lists or all(sorted_answer(want) for want in lists) or any(reorders(want, args) for args, want, _s in triples)


class _Answer:
    """A sample's answer inside an assertion, compared as ``same`` compares (``assert f(10) == 1010`` holds for
    "1010"), or ``same_items`` (in any order) when the task allows it; any other use of it fails the assertion."""

    __slots__ = ("compare", "value")
    __hash__ = None

    def __init__(self, value, compare=same):
        self.value, self.compare = value, compare

    def __eq__(self, other):
        return self.compare(self.value, other, 0.0)

    def __ne__(self, other):
        return not self.compare(self.value, other, 0.0)

    def __bool__(self):
        return bool(self.value)


def _adapted(fn, adapt, any_order=False):
    """``fn`` with its arguments changed by ``adapt`` (or not) and its answer wrapped in :class:`_Answer`
    (compared in any order with ``any_order``, unless the answer reorders an argument: a sort)."""
    def call(*args):
        args = adapt(list(args)) if adapt else args
        value = _materialized(fn(*args))
        return _Answer(value, same_items if any_order and not reorders(value, args) else same)

    return call


def _run_asserts(fn, namespace, task, limit):
    scope = dict(namespace)
    scope[task["entry_point"]] = fn
    try:
        with _box.quiet():
            _box.limited(lambda: exec(task.get("setup") or "", scope), limit, cpu=True)
    except BaseException:
        return 0
    passed = 0
    for line in task["asserts"]:
        try:
            with _box.quiet():
                _box.limited(lambda s=line: exec(s, scope), limit, cpu=True)
        except BaseException:
            return passed
        passed += 1
    return passed


def _run_check(fn, task, limit):
    scope = {}
    try:
        exec(compile(task["check"], "<check>", "exec"), scope)
        with _box.quiet():
            _box.limited(lambda: scope["check"](fn), limit * 10, cpu=True)
    except BaseException:
        return 0
    return 1


def _try_sample(sample, tasks, expected, limit, near_share):
    """In a forked child: load one sample's statements and try its functions on each of its tasks."""
    namespace = _load_sample(sample["statements"], limit)
    for attempt in sample["tries"]:
        task = tasks[attempt["task"]]
        record = {"sample": sample["id"], "task": task["id"], "passing": [], "best": None, "passed": 0, "total": 0,
                  "slow": False, "excused": {}, "near": {}, "spacing": {}, "unordered": []}
        if task["mode"] == "inputs":
            triples = expected.get(task["id"])
            if triples is None:
                continue  # the reference solution did not load: the task is untested
            record["total"] = len(triples)
            any_order = task.get("order_free") and not _order_is_the_task(triples)
        else:
            record["total"] = len(task["asserts"]) if task["mode"] == "asserts" else 1
        for name in attempt["functions"]:
            fn = namespace.get(name)
            if not callable(fn) or not record["total"]:
                continue
            slow = False
            if task["mode"] == "inputs":
                compare = (same_set_once if task.get("set_once") else same_set) if task.get("set_eq") else same
                reordered = []
                if any_order:
                    compare, reordered = _in_any_order(compare)
                passed, slow, excused = _run_inputs(fn, triples, task["atol"], limit, compare=compare)
                if passed == 0:
                    passed, _slow, excused = _run_inputs(fn, triples, task["atol"], limit, _as_text, compare)
                    if passed == record["total"]:
                        record["adapted"] = name
                    else:
                        passed = excused = 0
                # a slow answer is no wrong one: every one of the benchmark's own inputs and ten in all passed
                slow = slow and passed >= max(task.get("base", 0), 10)
                allowance = int(near_share * len(triples))
                if not slow and task.get("base") and task["base"] <= passed < len(triples) and allowance and \
                        (differ := _differing(fn, triples[passed:], task["atol"], limit, allowance, compare)):
                    record["near"][name], record["spacing"][name] = differ
                if excused and passed == record["total"]:
                    record["excused"][name] = excused
                if reordered and passed == record["total"]:
                    record["unordered"].append(name)
            elif task["mode"] == "asserts":
                passed = _run_asserts(fn, namespace, task, limit)
                for adapt in (None, _as_text) if passed == 0 else ():
                    if _run_asserts(_adapted(fn, adapt), namespace, task, limit) == record["total"]:
                        passed = record["total"]
                        record["adapted"] = name
                        break
                if passed < record["total"] and task.get("order_free") and \
                        _run_asserts(_adapted(fn, None, any_order=True), namespace, task, limit) == record["total"]:
                    passed = record["total"]
                    record["unordered"].append(name)
            else:
                passed = _run_check(fn, task, limit)
            if passed == record["total"]:
                record["passing"].append(name)
            if record["best"] is None or passed > record["passed"]:
                record["best"], record["passed"], record["slow"] = name, passed, slow
        _box.emit(record)


def _inputs(task):
    """The task's inputs as EvalPlus calls with them (MBPP+'s tuples, sets and complex numbers, as evaluation
    deserializes them)."""
    if task.get("dataset") == "mbpp":
        return mbpp_deserialize_inputs(task["id"], task["inputs"])
    return task["inputs"]


def _sample_child(sample, tasks, expected, limit, seconds, near_share):
    """What one sample's forked child does: a CPU-time limit (SIGXCPU ends a runaway sample), then its tries."""
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    _try_sample(sample, tasks, expected, limit, near_share)


def _fixed_hash_seed():
    """Run again with a fixed hash seed when the seed is random: the expected outputs a ship job reports are
    compared in other sandboxes, and a reference that answers a set of strings as a list answers it in the
    order of its process's seed."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, "-u", *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})


def main():
    _fixed_hash_seed()
    job = _box.load_job()
    limit = job["limit_s"]
    for task in job["tasks"]:
        if task["mode"] == "inputs":
            task["inputs"] = _inputs(task)
    if job.get("expected_only"):
        # the answers of the reference solutions only, for the C++/Java/JavaScript harnesses (foreign.py)
        for task in job["tasks"]:
            cases = []
            with contextlib.suppress(BaseException):
                for args, want, _seconds in _expected(task, limit):
                    with contextlib.suppress(BaseException):
                        # a case JSON cannot hold (a set, a complex number) or that long is no test a harness needs
                        if len(_dumps([args, want])) <= job["max_case_chars"]:
                            cases.append([args, want])
            _box.emit({"task": task["id"], "cases": cases})
        return
    if job.get("ship_expected"):
        # the reference solutions' answers as plain data for later sample jobs (marshal keeps tuples, sets,
        # dicts and floats as they are; None when an answer is anything else: those jobs then run the reference)
        for task in job["tasks"]:
            text = None
            with contextlib.suppress(BaseException):
                text = base64.b64encode(marshal.dumps(_expected_at(task, limit))).decode("ascii")
            _box.emit({"task": task["id"], "expected": text})
        return
    tasks = {t["id"]: t for t in job["tasks"]}
    expected = {}
    shipped = job.get("expected") or {}
    for task in job["tasks"]:
        if task["id"] in shipped:
            with contextlib.suppress(BaseException):
                expected[task["id"]] = _shipped(task, shipped[task["id"]])
                continue
        if task["mode"] == "inputs":
            # a reference that does not load leaves its task untested
            with contextlib.suppress(BaseException):
                expected[task["id"]] = _expected(task, limit)
    seconds = max(1, int(job["sample_timeout_s"]))
    for sample in job["samples"]:
        # one child per sample: what a sample's code does to the interpreter stays with it; the sandbox's
        # wall clock bounds the whole job
        _box.in_child(lambda s=sample: _sample_child(s, tasks, expected, limit, seconds, job.get("near_share", 0)))


if __name__ == "__main__":
    main()
