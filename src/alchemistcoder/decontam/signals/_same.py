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
