"""Python's slow rule for C++, C, Java, JavaScript, Go, Rust, C# and Ruby samples: a call that runs out of its time limit is
marked so by its harness (``{"call": n, "timeout": true}``), and a function that answered every one of the
benchmark's own inputs and ten in all right, none wrong, before its first call out of time passes, slow (a recursive
Fibonacci on HumanEval/55). A crash or a wrong answer stays a failure. Go and Rust calls are limited by their CPU
time, the wall clock a backstop for one that waits."""

from __future__ import annotations

import time

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import problems_from_tasks
from alchemistcoder.decontam.signals.foreign import (
    foreign_code,
    harness_answers,
    verify_foreign,
)
from alchemistcoder.decontam.signals.python import reference_cases

# A recursive Fibonacci in each language: right, exponential (fib(60) never ends in time).
FIB = {
    "cpp": "```cpp\nlong long fib(int n) {\n  BODY\n  return n < 2 ? n : fib(n - 1) + fib(n - 2);\n}\n```",
    "c": "```c\n#include <stdlib.h>\nlong long fib(int n) {\n  BODY\n  return n < 2 ? n : fib(n - 1) + fib(n - 2);\n}\n```",
    "java": "```java\npublic class Solution {\n  public static long fib(int n) {\n    BODY\n    return n < 2 ? n : fib(n - 1) + "
            "fib(n - 2);\n  }\n}\n```",
    "javascript": "```javascript\nfunction fib(n) {\n  BODY\n  return n < 2 ? n : fib(n - 1) + fib(n - 2);\n}\n```",
    "go": "```go\npackage main\n\nfunc fib(n int) int {\n\tBODY\n\tif n < 2 {\n\t\treturn n\n\t}\n\treturn fib(n-1) + fib(n-2)\n}\n```",
    "rust": "```rust\nfn fib(n: i64) -> i64 {\n  BODY\n  if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\n}\n```",
    "csharp": "```csharp\npublic class Solution {\n  public static long fib(int n) {\n    BODY\n    return n < 2 ? n : fib(n - 1) + "
              "fib(n - 2);\n  }\n}\n```",
    "ruby": "```ruby\ndef fib(n)\n  BODY\n  n < 2 ? n : fib(n - 1) + fib(n - 2)\nend\n```",
}
# fib(5) answered wrong (and so each larger one; the function still runs out of time later), or a crash where the right one runs out of time
WRONG = {"cpp": "if (n == 5) return 0;", "c": "if (n == 5) return 0;", "java": "if (n == 5) return 0;",
         "javascript": "if (n === 5) return 0;", "go": "if n == 5 {\n\t\treturn 0\n\t}", "rust": "if n == 5 { return 0; }",
         "csharp": "if (n == 5) return 0;", "ruby": "return 0 if n == 5"}
CRASH = {"cpp": "if (n > 50) abort();", "c": "if (n > 50) abort();", "java": "if (n > 50) throw new RuntimeException();",
         "javascript": "if (n > 50) throw new Error('no');", "go": "if n > 50 {\n\t\tpanic(\"no\")\n\t}",
         "rust": "if n > 50 { panic!(\"no\"); }", "csharp": "if (n > 50) throw new Exception(\"no\");",
         "ruby": "raise 'no' if n > 50"}


def _fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_a_slow_recursive_fibonacci_passes_humaneval_55_in_every_language(shared_data):
    """HumanEval/55 (the n-th Fibonacci number): a recursive ``fib`` answers the benchmark's own inputs and the
    small added ones, then runs out of time on a large one. As in Python, that is a slow pass, in each language."""
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    tasks = [t for t in load_benchmark("humaneval+") if t.task_id == "HumanEval/55"]
    (problem,) = problems_from_tasks(tasks, cfg.exec_plus_inputs)
    cases = reference_cases([problem], cfg.exec_call_limit_s)[problem.key]
    # Ruby's recursion is too slow for ten of them within the call limit (7 answered): the small problem below has it
    languages = [language for language in FIB if language != "ruby"]
    pairs = [(foreign_code(FIB[language].replace("BODY", "")), [(problem.key, ["fib"], cases)]) for language in languages]
    out = verify_foreign(pairs, cfg.exec_timeout_s, originals={problem.key: problem.inputs[: problem.base]})
    for language, verdicts in zip(languages, out, strict=True):
        v = verdicts[problem.key]
        assert v.slow and v.leak and v.language == language, (language, v)
        assert 10 <= v.passed < v.total, (language, v)
        assert v.to_params()["slow"] is True


def test_a_wrong_answer_or_a_crash_is_no_slow_pass(sandbox_languages):
    """On a small problem (fib of 1 to 12, then of 60 and 61; the first three the benchmark's own): the recursive
    ``fib`` passes slow in each language, one that answers fib(5) wrong does not (though it runs out of time
    later too), nor one that crashes or throws on the large input instead of running out of time."""
    cases = [([n], _fib(n)) for n in range(1, 13)] + [([60], _fib(60)), ([61], _fib(61))]
    pairs = [(foreign_code(FIB[language].replace("BODY", body.get(language, ""))), [("T/fib", ["fib"], cases)])
             for language in FIB for body in ({}, WRONG, CRASH)]
    out = verify_foreign(pairs, 2.0, originals={"T/fib": [[1], [2], [3]]})
    got = {(code.language, i % 3): verdicts["T/fib"] for i, ((code, _p), verdicts) in enumerate(zip(pairs, out, strict=True))}
    for (language, which), v in got.items():
        assert v.slow == (which == 0) and v.leak == (which == 0), (language, which, v)
        assert v.passed == (4 if which == 1 else 12), (language, which, v)  # fib(5) = 0: every later one wrong too
    assert sandbox_languages.count("cpp") == 1  # one C++ program: each sample's child stopped only itself


# Go and Rust samples, each with a function that waits 1.5 s and answers (past a 1 s wall clock, within 1 s of CPU),
# one that computes forever, one that waits forever, and one that answers at once.
GO = """```go
package main

import "time"

func late(x int) int {
\ttime.Sleep(1500 * time.Millisecond)
\treturn x + 1
}

func spin(x int) int {
\ts := 0
\tfor x > 0 {
\t\ts += x
\t}
\treturn s
}

func forever(x int) int {
\ttime.Sleep(100 * time.Second)
\treturn x
}

func twice(x int) int {
\treturn 2 * x
}
```"""
RUST = """```rust
fn late(x: i64) -> i64 { std::thread::sleep(std::time::Duration::from_millis(1500)); x + 1 }
fn spin(x: i64) -> i64 { let mut s: i64 = 0; while x > 0 { s = s.wrapping_add(x); } s }
fn forever(x: i64) -> i64 { std::thread::sleep(std::time::Duration::from_secs(100)); x }
fn twice(x: i64) -> i64 { 2 * x }
```"""


def test_go_and_rust_calls_are_limited_by_their_cpu_time_not_the_wall_clock():
    """A Go or Rust call that waits 1.5 s still answers under the 1 s call limit (a 1 s wall clock ended it); one
    that computes forever is stopped by its CPU limit and one that waits forever by the wall-clock backstop (4 s),
    both marked out of time, and the calls after them still answer."""
    for response in (GO, RUST):
        code = foreign_code(response)
        by_name = {f.name: f for f in code.functions}
        calls = [(n, 0, by_name[name], [x]) for n, (name, x) in enumerate([("late", 1), ("spin", 1), ("forever", 1), ("twice", 3)])]
        late: set[int] = set()
        started = time.monotonic()
        answers = harness_answers({0: code}, {0: calls}, 10.0, group=lambda n: "one", late=late)
        assert (answers, late) == ({0: 2, 3: 6}, {1, 2}), code.language
        assert time.monotonic() - started < 18, code.language  # the backstop, not the 100 s sleep
