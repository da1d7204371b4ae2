"""Decontamination's on-disk stores, under the user cache root (``alchemistcoder.cache``, kind ``decontam``):
embeddings by text (``embeddings.sqlite``), execution verdicts (``verdicts.sqlite``) and whole decisions of the
meaning-level pass (``decisions.sqlite``, beside the verdicts they were made from), each in a file of its own.

Both are shared by the processes and the runs of a machine, so a second curate run over the same sources embeds,
compiles and runs nothing again. Keys are made by their users (the embedding retrieval and the meaning-level
pass) and hold everything a value depends on. Both are best effort: a store that cannot be opened (read-only
home) is skipped, and a locked or full disk only costs recomputation later.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from alchemistcoder.cache import cache_dir

# Part of a verdict's key in the VerdictStore (``step.SemanticIndex``): bump it when how a sample's code is run or
# judged changes (the probe, the harnesses, ``lift_snippet``, the adapters); the history says what each bump changed.
EXEC_VERSION = "exec-26"  # 6: MBPP+'s set-equality oracle, a rebound literal input, class methods, bare answers;
# 7: the joined adapter, a call's number as a snippet's only input, prose concluding with a list
# (issue 24's second recall round); 8: a Java run no longer dies of glibc's malloc arenas (a sample that crashed
# the JVM alone answers now) and a Java sample compiles with its own imports only (issue 24, item 6); 9: a Java
# call's limit is its thread's CPU time, not the wall clock (verdicts flipped with the machine's load); 10: Java
# methods outside a class run without the statements beside them, a foreign function whose types express all the
# benchmark's own tests is judged on them (issue 24's third recall round); 11: a C++/Java ``main`` that reads
# nothing is lifted as a function of the one array literal it declares; 12: C# and Ruby samples run (issue 24,
# item 5); 13: a foreign call that crashed or threw no longer takes the sample's calls for other problems with it,
# C++/Java int holds 32 bits, a C++ ``int arr[]`` parameter gets an array (with its length when one follows);
# 14: a JavaScript script is lifted as a function of the literals it binds (issue 24's third recall round);
# 15-17: a slow right answer convicts (``ExecVerdict.slow``: every one of the benchmark's own inputs passed, then
# one ran out of time; not a helper's), and an input the benchmark answers None may be answered "nothing" another
# way (``ExecVerdict.excused``: '', -1, an exception; 15 and 16 were steps of the same change); 18: a foreign
# function is not tried on a test whose integer answer its declared return type cannot hold; 19: Python, C++, C and
# JavaScript calls are limited by their CPU time, the wall clock a backstop (verdicts flipped with the load); 20: a
# near pass (``ExecVerdict.near``: all the benchmark's own inputs, a few added ones answered otherwise); 21: a print
# loop lifted as the list it prints, lists compared in any order where the benchmark names none
# (``ExecVerdict.unordered``), a block read up to a line that is not Python, iterator answers compared as lists,
# foreign calls out of time marked (the slow rule for C++/C/Java/JavaScript/Go/Rust), Go and Rust calls limited by
# CPU time (issue 24's sixth round); 22: added inputs answered otherwise only in whitespace (``split(' ')``) do not
# count against a near pass, an exception on empty arguments is excused, a procedure that changes its list in place is
# read through it (Python's in-place adapter; C++, C, Java and JavaScript procedures), MBPP/140 compared as a set without
# repeats, math.isclose assertions as cases (issue 24's seventh round); 23: a foreign function is not tried on a
# test whose answer is a fraction and its declared return type an integer (issue 24's eighth round); 24: PHP samples
# run, a Python function that prints its answer is read through what it prints, an example call's fixed arguments
# make a function of its inputs, a loop that only prints a function's values no longer makes it a helper (the
# eighth round); 25: a lambda bound to a name is a function, a standard module used and never imported is imported,
# a bare built-in call and a lambda key's index lifted, adapters for a function named as the entry point, a C/C++/Java
# program or function printing numbers in a loop read as returning them, a loop printing a function on each input no
# longer makes it a helper in C-family code (issue 24's ninth round); 26: a C++ or C call is limited to its own second of CPU
# time (ITIMER_PROF), not the sample's five (issue 24's cost work)


class _Store:
    """One SQLite table of (key BLOB, value) in its own file, opened on first use."""

    FILE = ""
    TABLE = ""
    COLUMN = ""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or cache_dir("decontam") / self.FILE
        self._db: sqlite3.Connection | None = None
        self._failed = False

    def _open(self) -> sqlite3.Connection | None:
        if self._db is None and not self._failed:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=60)
                self._db.execute(f"CREATE TABLE IF NOT EXISTS {self.TABLE} (key BLOB PRIMARY KEY, {self.COLUMN} NOT NULL)")
            except (OSError, sqlite3.Error):
                self._failed = True
        return self._db

    def _get(self, keys: list[bytes]) -> list[tuple[bytes, Any]]:
        db, out = self._open(), []
        for start in range(0, len(keys) if db else 0, 500):
            chunk = keys[start : start + 500]
            out += db.execute(f"SELECT key, {self.COLUMN.split()[0]} FROM {self.TABLE} "
                              f"WHERE key IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        return out

    def _put(self, rows: list[tuple[bytes, Any]], verb: str) -> None:
        db = self._open()
        if db is not None:
            try:
                with db:
                    db.executemany(f"{verb} INTO {self.TABLE} VALUES (?, ?)", rows)
            except sqlite3.Error:
                pass


class EmbeddingStore(_Store):
    """Embeddings by text key, float16. Every embedding goes through float16, also on the run that computes it,
    so a run that finds them stored decides exactly as a cold one."""

    FILE, TABLE, COLUMN = "embeddings.sqlite", "emb", "vec BLOB"

    def get(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        """The stored vectors of ``keys`` (those found)."""
        return {k: np.frombuffer(v, dtype=np.float16) for k, v in self._get(keys)}

    def put(self, items: dict[bytes, np.ndarray]) -> None:
        """Store float16 vectors."""
        self._put([(k, v.tobytes()) for k, v in items.items()], "INSERT OR IGNORE")


class VerdictStore(_Store):
    """Execution verdicts (``signals.python.ExecVerdict`` fields as JSON) by a key of the sample's code, the
    problem's tests, the functions tried and the execution settings."""

    FILE, TABLE, COLUMN = "verdicts.sqlite", "verdict", "body TEXT"

    def get(self, keys: list[bytes]) -> dict[bytes, dict[str, Any]]:
        """The stored verdicts of ``keys`` (those found)."""
        return {k: json.loads(body) for k, body in self._get(keys)}

    def put(self, items: dict[bytes, dict[str, Any]]) -> None:
        """Store verdicts."""
        self._put([(k, json.dumps(v)) for k, v in items.items()], "INSERT OR REPLACE")


class DecisionStore(_Store):
    """Whole decisions of the meaning-level pass (a pair's rejection params and statement veto, as JSON) by a key
    of the (instruction, response) pair and everything else the decision depends on (``SemanticIndex.decide_stored``)."""

    FILE, TABLE, COLUMN = "decisions.sqlite", "decision", "body TEXT"

    def get(self, keys: list[bytes]) -> dict[bytes, str]:
        """The stored decisions of ``keys`` (those found), as their JSON text."""
        return dict(self._get(keys))

    def put(self, items: dict[bytes, str]) -> None:
        """Store decisions given as JSON text."""
        self._put(list(items.items()), "INSERT OR REPLACE")


@lru_cache(maxsize=1)
def source_digest() -> str:
    """A digest of the ``alchemistcoder`` package's Python source. Part of a stored decision's key: any change to
    a rule, a harness or a loader recomputes every decision, with no version to remember to bump."""
    import alchemistcoder

    root = Path(alchemistcoder.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()
