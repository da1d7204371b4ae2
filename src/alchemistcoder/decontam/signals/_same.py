"""Whether a sample's answer is the benchmark's: decontamination's one comparison of answers.

Runs inside the sandbox, shipped beside the probe (``_probe.py``), and on the host, where the answers of C++,
Java and JavaScript samples are compared the same way (``foreign.py``). Plain standard library;
the functions it calls are captured at import, before any sample code runs.
"""

import math

_isclose = math.isclose
_isnan = math.isnan


def same(got, want, atol):
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
        return len(got) == len(want) and all(same(g, w, atol) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(same(got[k], want[k], atol) for k in want)
    # a number given back as its digits ("1010" for MBPP/33's 1010) is the same answer
    if (isinstance(want, int) and isinstance(got, str)) or (isinstance(want, str) and isinstance(got, int)):
        return str(got).strip() == str(want).strip()
    try:
        return bool(got == want)
    except BaseException:
        return False


def same_set(got, want, atol):
    """Answers compared as EvalPlus's set-equality oracle compares them (``set(got) == set(want)``, for eight
    MBPP+ tasks whose answers have no order: MBPP/2's common elements), or as :func:`same` does."""
    if same(got, want, atol):
        return True
    try:
        return set(got) == set(want)
    except BaseException:
        return False


def same_set_once(got, want, atol):
    """:func:`same_set`, but not an answer that repeats what the benchmark's lists once, for a task whose statement
    asks for each element once (``set_once``): set equality hides the repeats, and "flatten a list of tuples" would
    pass MBPP/140's "elements that occur singly". (MBPP/2's common elements listed with their repeats are the same
    answer: its statement says nothing of it.)"""
    if not same_set(got, want, atol):
        return False
    try:
        return not len(got) > len(want) == len(set(want))
    except BaseException:
        return False


def same_items(got, want, atol):
    """Lists or tuples of two or more answers that :func:`same` pairs one to one in some order (MBPP/374's
    permutations of a string, in the order of another algorithm), or answers :func:`same` calls equal. For tasks
    whose statement names no order (``BenchProblem.order_free``); the caller checks the answer is not a reordering
    of an argument (a sort). Up to a thousand items (pairs are matched greedily, quadratic)."""
    if same(got, want, atol):
        return True
    if not (isinstance(want, (list, tuple)) and isinstance(got, (list, tuple))) or len(got) != len(want) \
            or not 2 <= len(want) <= 1000:
        return False
    left = list(want)
    for g in got:
        at = next((i for i, w in enumerate(left) if same(g, w, atol)), None)
        if at is None:
            return False
        left.pop(at)
    return True


def reorders(answer, args):
    """Whether ``answer`` (a list or tuple) holds the items of one of ``args`` in another order: the order is
    then the task (a sort, a reversal, a rotation), so :func:`same_items` does not apply."""
    if not isinstance(answer, (list, tuple)):
        return False
    for arg in args:
        items = list(arg.items()) if isinstance(arg, dict) else arg
        if isinstance(items, (list, tuple, str, set, frozenset)) and len(items) == len(answer):
            try:
                if sorted(map(repr, items)) == sorted(map(repr, answer)):
                    return True
            except BaseException:
                return True
    return False


def sorted_answer(answer):
    """Whether a list answer is in ascending or descending order (items that do not compare: no)."""
    try:
        return list(answer) in (sorted(answer), sorted(answer, reverse=True))
    except BaseException:
        return False


def odd_spacing(value):
    """Whether a test's arguments hold a string with a run of whitespace, or whitespace at an end (searched
    through lists and tuples): the inputs on which splitting on one space and splitting on any differ."""
    if isinstance(value, str):
        return " ".join(value.split()) != value
    if isinstance(value, (list, tuple)):
        return any(odd_spacing(v) for v in value[:100])
    return False


def spacing_only(got, want):
    """Two strings that differ only in their whitespace (the same words): on an input with odd spacing
    (:func:`odd_spacing`), the convention of ``split(' ')`` against ``split()`` (MBPP/604's reversed words in
    JavaScript or Java), not another problem."""
    return isinstance(got, str) and isinstance(want, str) and got != want and got.split() == want.split()
