"""HumanEval-X test programs, assembled as CodeGeeX's ``evaluate_humaneval_x.py`` does, and their sandbox jobs.

Offline substitutions, because the upstream harness downloads dependencies:

* Go tests import ``github.com/stretchr/testify/assert``; a small local module with the same import path
  provides ``assert.New(t)`` and ``Equal`` (testify's ``ObjectsAreEqual`` semantics: ``reflect.DeepEqual``,
  ``bytes.Equal`` for ``[]byte``), wired in with a ``replace`` directive.
* JavaScript/162 requires the npm package ``js-md5``; a one-line module over node's ``crypto`` stands in.
* Rust declarations ``use rand::Rng; use regex::Regex; use md5;`` for a Cargo project with those crates; we
  compile with ``rustc --test`` and link the crates that ``scripts/setup.sh`` builds from Debian's sources
  (``alchemistcoder.sandbox.rust_crates``): regex 1.7.1, md5 0.7.0, and for ``rand`` rand 0.4's API over
  rand 0.8.5, since CodeGeeX pins ``rand = "0.4"`` and Rust/50's test calls ``gen_range(low, high)``.
  Without the built crates the ``use`` lines are dropped (with a warning), and the six tasks whose solution
  or test calls a crate (Rust/32, 38, 50, 53: ``rand``; Rust/91: ``regex``; Rust/162: ``md5``) fail.
"""

from __future__ import annotations

import re
from pathlib import Path

from alchemistcoder.benchmarks import BenchmarkTask
from alchemistcoder.sandbox import (
    COMPILE_MEMORY_MB,
    COMPILE_TIMEOUT_S,
    GO_CACHE_INSIDE,
    ExecResult,
    Step,
    execute,
    find_rust_crates,
    go_cache_dir,
    go_env,
    plan,
    result_from_outcomes,
    rust_crate_flags,
    rust_toolchain,
    warn_rust_crates_missing,
    which,
)

IMPORT_HELPER = {
    "python": [
        "import math",
        "import re",
        "import sys",
        "import copy",
        "import datetime",
        "import itertools",
        "import collections",
        "import heapq",
        "import statistics",
        "import functools",
        "import hashlib",
        "import numpy",
        "import numpy as np",
        "import string",
        "from typing import *",
        "from collections import *",
    ],
    "go": ["math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand", "crypto/md5"],
    "cpp": [
        "#include<stdlib.h>",
        "#include<algorithm>",
        "#include<math.h>",
        "#include<stdio.h>",
        "#include<vector>",
        "#include<string>",
        "#include<climits>",
        "#include<cstring>",
        "#include<iostream>",
    ],
}

# the crates' ``use`` lines, dropped when the crates are not built (find_rust_crates() is None)
RUST_UNAVAILABLE_CRATES = re.compile(r"^\s*use\s+(?:rand|regex|md5)\b[^;]*;\s*$", re.M)

TESTIFY_SHIM = """package assert

import (
\t"bytes"
\t"fmt"
\t"reflect"
\t"testing"
)

// Assertions is the subset of testify's assert API that HumanEval-X tests use.
type Assertions struct{ t *testing.T }

func New(t *testing.T) *Assertions { return &Assertions{t} }

func ObjectsAreEqual(expected, actual interface{}) bool {
\tif expected == nil || actual == nil {
\t\treturn expected == actual
\t}
\texp, ok := expected.([]byte)
\tif !ok {
\t\treturn reflect.DeepEqual(expected, actual)
\t}
\tact, ok := actual.([]byte)
\tif !ok {
\t\treturn false
\t}
\tif exp == nil || act == nil {
\t\treturn exp == nil && act == nil
\t}
\treturn bytes.Equal(exp, act)
}

func (a *Assertions) Equal(expected, actual interface{}, msgAndArgs ...interface{}) bool {
\ta.t.Helper()
\tif !ObjectsAreEqual(expected, actual) {
\t\ta.t.Errorf("Not equal: expected %#v (%T), actual %#v (%T) %s", expected, expected, actual, actual, fmt.Sprint(msgAndArgs...))
\t\treturn false
\t}
\treturn true
}

func Equal(t *testing.T, expected, actual interface{}, msgAndArgs ...interface{}) bool {
\tt.Helper()
\treturn New(t).Equal(expected, actual, msgAndArgs...)
}
"""

# JavaScript/162 requires the npm package js-md5 (``md5(text) -> hex digest``); node's crypto does the same.
JS_MD5_SHIM = "module.exports = (s) => require('crypto').createHash('md5').update(s).digest('hex');\n"

GO_MOD = """module humanevalx

go 1.18

require github.com/stretchr/testify v1.8.4

replace github.com/stretchr/testify => ./_testify
"""


def python_completion_body(code: str) -> str:
    """The indented body a Python completion adds to the prompt: its lines up to the first top-level one
    (CodeGeeX's cut, so that a completion's trailing tests or prints do not run)."""
    kept = []
    for line in code.split("\n"):
        if line.strip() and line[0] not in (" ", "\t"):
            break
        kept.append(line)
    return "\n".join(kept)


def test_program(task: BenchmarkTask, code: str, *, is_completion: bool) -> str:
    """The program that tests ``code``: a completion of ``task.prompt`` or, when not ``is_completion``, a
    full solution that replaces the prompt."""
    lang = task.benchmark.removeprefix("humaneval-x-")
    prompt, test = task.prompt, task.test
    if lang == "python":
        head = IMPORT_HELPER["python"]
        body = prompt + python_completion_body(code) if is_completion else code
        return "\n".join(head) + "\n" + body + "\n" + test + "\n"
    if lang == "cpp":
        body = prompt + code if is_completion else code
        setup = "".join(s + "\n" for s in IMPORT_HELPER["cpp"] if s not in body)
        return setup + "\n" + body + "\n" + test
    if lang == "java" and not is_completion:
        # the test file's public class is Main; a model's "public class Solution" would be a second one
        code = re.sub(r"\bpublic\s+(final\s+)?class\s+Solution\b", "class Solution", code)
    if lang in ("java", "js"):
        return (prompt + code if is_completion else code) + "\n" + test
    if lang == "go":
        body = prompt.replace(task.extra.get("import", ""), "") + code if is_completion else code
        setup = task.extra["test_setup"]
        if not is_completion:
            # a full solution brings its own package clause and imports; keep only what the test setup lacks
            body = re.sub(r"^\s*package\s+\w+\s*\n", "", body)
            body = re.sub(
                r"^\s*import\s*\((?:.|\n)*?\)\s*\n|^\s*import\s+\"[^\"]+\"\s*\n", "", body, flags=re.M
            )
        # CodeGeeX tests `name + "." in code`, which also matches "operand." (Go/160) or words in comments
        # ("... unique strings." in Go/158) and adds an unused import, a compile error in Go; matching whole
        # identifiers outside comments fixes that
        code_only = re.sub(r"//[^\n]*", "", body)
        others = [
            f'"{pkg}"'
            for pkg in IMPORT_HELPER["go"]
            if pkg not in setup and re.search(rf"\b{pkg.split('/')[-1]}\.", code_only)
        ]
        imports = ("import (\n" + "    ".join(p + "\n" for p in others) + ")\n") if others else ""
        return setup + "\n" + imports + body + "\n" + test
    if lang == "rust":
        main = "\nfn main(){ \n } \n"
        declaration = task.extra.get("declaration", "")
        body = declaration + prompt + code if is_completion else code
        return _without_missing_crates(main + body + test)
    raise ValueError(f"not a HumanEval-X benchmark: {task.benchmark}")


def _without_missing_crates(rust_source: str) -> str:
    if find_rust_crates() is not None:
        return rust_source
    warn_rust_crates_missing()
    return RUST_UNAVAILABLE_CRATES.sub("", rust_source)


def run_test_program(
    task: BenchmarkTask, program: str, *, timeout_s: float = 5.0, memory_mb: int = 1024
) -> ExecResult:
    """Compile and run one HumanEval-X test program in the sandbox."""
    lang = task.benchmark.removeprefix("humaneval-x-")
    if lang == "go":
        go = which("go")
        steps = [
            Step(
                [go, "test", "-c", "-o", "main.test", "."],
                COMPILE_TIMEOUT_S,
                COMPILE_MEMORY_MB,
                nproc=512,
                name="compile",
            ),
            Step(["./main.test", f"-test.timeout={int(timeout_s) + 1}s"], timeout_s, memory_mb, name="run"),
        ]
        files = {
            "go.mod": GO_MOD,
            "main_test.go": program,
            "_testify/go.mod": "module github.com/stretchr/testify\n\ngo 1.18\n",
            "_testify/assert/assertions.go": TESTIFY_SHIM,
        }
        outcomes, err = execute(
            steps,
            files=files,
            env=go_env(),
            expose=[str(Path(go).parents[1])],
            writable=[(str(go_cache_dir()), GO_CACHE_INSIDE)],
        )
        return result_from_outcomes(outcomes, err)
    if lang == "rust":
        rustc, sysroot = rust_toolchain()
        # CodeGeeX's Cargo project has rand 0.4, whose two-bound gen_range the tests call
        crate_flags, crate_dirs = rust_crate_flags(rand_api="0.4")
        compile_cmd = [rustc, "--test", "--edition", "2021", "-A", "warnings", *crate_flags, "-o", "prog"]
        steps = [
            Step(
                [*compile_cmd, "main.rs"],
                COMPILE_TIMEOUT_S,
                COMPILE_MEMORY_MB,
                name="compile",
            ),
            Step(["./prog", "--test-threads=1"], timeout_s, memory_mb, name="run"),
        ]
        outcomes, err = execute(steps, files={"main.rs": program}, expose=[sysroot, *crate_dirs])
        return result_from_outcomes(outcomes, err)
    language = {"cpp": "cpp", "java": "java", "js": "javascript", "python": "python"}[lang]
    files = {"node_modules/js-md5/index.js": JS_MD5_SHIM} if lang == "js" else None
    job = plan(language, program, timeout_s=timeout_s, memory_mb=memory_mb, files=files)
    outcomes, err = execute(job.steps, files=job.files, env=job.env, expose=job.expose, writable=job.writable)
    return result_from_outcomes(outcomes, err)


def passed(task: BenchmarkTask, result: ExecResult) -> bool:
    """CodeGeeX's verdict: exit status 0 -- and, for JavaScript (``console.assert`` only prints), no output."""
    if result.status != "ok":
        return False
    if task.benchmark == "humaneval-x-js":
        return not result.stdout and not result.stderr
    return True


def full_solution(task: BenchmarkTask, code: str) -> dict[str, str]:
    """The samples.jsonl record for code from a chat answer: a ``solution`` when it defines the entry point
    (with the prompt's imports / ``use`` lines it may have left out), else a ``completion`` of the prompt."""
    defines = re.search(rf"\b{re.escape(task.entry_point)}\s*[(=<]", code) if task.entry_point else None
    if not defines:
        return {"task_id": task.task_id, "completion": code}
    lang = task.benchmark.removeprefix("humaneval-x-")
    header = ""
    if lang == "java":
        header = "".join(
            line + "\n"
            for line in task.prompt.splitlines()
            if line.startswith("import ") and line not in code
        )
    elif lang == "rust":
        uses = _without_missing_crates(task.extra.get("declaration", ""))
        header = "".join(
            line + "\n" for line in uses.splitlines() if line.startswith("use ") and line not in code
        )
    return {"task_id": task.task_id, "solution": header + code}
