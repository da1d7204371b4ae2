"""Code copied from EvalPlus 0.3.1 (https://github.com/evalplus/evalplus, Apache License 2.0,
Copyright (c) the EvalPlus team), so that our sandboxed runner reproduces its verdicts exactly.

What comes from where (each section below names its file):

- ``evalplus/eval/_special_oracle.py``: the MBPP+ special oracles (output-not-None and set-equality tasks,
  ``_surface_Area``, ``_digit_distance_nums``) and HumanEval+'s ``_poly``;
- (``evalplus/data/mbpp.py``'s ``mbpp_deserialize_inputs`` is in ``_evalplus_inputs.py``, which decontamination
  ships too, without numpy);
- ``evalplus/eval/utils.py``: ``TimeoutException``, ``WriteOnlyStringIO``, ``redirect_stdin``, ``swallow_io``,
  ``time_limit``, ``reliability_guard``; and ``is_floats`` from ``evalplus/eval/__init__.py``.

Changes: formatting, docstrings, and nothing that alters behaviour. This file is shipped into the sandbox
beside ``_py_runner.py`` and imported there as a plain module (no package imports).
"""

import contextlib
import faulthandler
import io
import math
import os
import platform
import signal
import sys

import numpy as np

# -- EvalPlus 0.3.1 special oracles (evalplus/eval/_special_oracle.py) --------------------------------------
MBPP_OUTPUT_NOT_NONE_TASKS = ["check_str", "text_match_three", "text_starta_endb"]
MBPP_OUTPUT_SET_EQ_TASKS = [
    "similar_elements",
    "find_char_long",
    "common_in_nested_lists",
    "extract_singly",
    "larg_nnum",
    "intersection_array",
    "find_dissimilar",
    "Diff",
]


def _surface_Area(base_edge, height):
    slant_height = math.sqrt((base_edge / 2) ** 2 + height**2)
    base_area = base_edge**2
    lateral_area = 4 * (base_edge * slant_height) / 2
    return round(base_area + lateral_area)


def _digit_distance_nums(num1, num2):
    s1, s2 = str(num1), str(num2)
    width = max(len(s1), len(s2))
    s1, s2 = s1.zfill(width), s2.zfill(width)
    return sum(abs(int(a) - int(b)) for a, b in zip(s1, s2, strict=False))


def _poly(xs, x):
    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])


# -- EvalPlus 0.3.1 execution helpers (evalplus/eval/utils.py) ---------------------------------------------
class TimeoutException(Exception):
    pass


class WriteOnlyStringIO(io.StringIO):
    def read(self, *args, **kwargs):
        raise OSError

    def readline(self, *args, **kwargs):
        raise OSError

    def readlines(self, *args, **kwargs):
        raise OSError

    def readable(self, *args, **kwargs):
        return False


class redirect_stdin(contextlib._RedirectStream):  # type: ignore[misc,name-defined]
    _stream = "stdin"


@contextlib.contextmanager
def swallow_io():
    stream = WriteOnlyStringIO()
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream), redirect_stdin(stream):
        yield


@contextlib.contextmanager
def time_limit(seconds):
    def handler(signum, frame):
        raise TimeoutException("Timed out!")

    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.signal(signal.SIGALRM, handler)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def reliability_guard(maximum_memory_bytes):
    """EvalPlus's guard: limits plus disabling destructive functions (the sandbox is the real boundary)."""
    import resource

    if maximum_memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (maximum_memory_bytes, maximum_memory_bytes))
        resource.setrlimit(resource.RLIMIT_DATA, (maximum_memory_bytes, maximum_memory_bytes))
        if platform.uname().system != "Darwin":
            _soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
            limit = (
                maximum_memory_bytes if hard == resource.RLIM_INFINITY else min(hard, maximum_memory_bytes)
            )
            resource.setrlimit(resource.RLIMIT_STACK, (limit, limit))
    faulthandler.disable()
    import builtins

    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in [
        "kill",
        "system",
        "putenv",
        "remove",
        "removedirs",
        "rmdir",
        "fchdir",
        "setuid",
        "fork",
        "forkpty",
        "killpg",
        "rename",
        "renames",
        "truncate",
        "replace",
        "unlink",
        "fchmod",
        "fchown",
        "chmod",
        "chown",
        "chroot",
        "lchflags",
        "lchmod",
        "lchown",
        "getcwd",
        "chdir",
    ]:
        setattr(os, name, None)
    builtins.open = None
    import shutil

    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    import subprocess

    subprocess.Popen = None
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


def is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    if isinstance(x, np.ndarray):
        return x.dtype == np.float64 or x.dtype == np.float32
    return False
