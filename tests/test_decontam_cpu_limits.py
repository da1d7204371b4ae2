"""What a sample's code answers in decontamination does not depend on how loaded the machine is (issue 24: a run
beside the test suite lost convictions that a run alone made): every call is limited by the CPU time it takes,
with the wall clock only a backstop for code that waits. So a call that waits without computing, past what its
CPU limit would allow in wall time, still answers, and one that computes forever is still stopped."""

from __future__ import annotations

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import problems_from_tasks
from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign
from alchemistcoder.decontam.signals.python import sample_code, verify

# the first call waits 1 s (twice the 0.5 s call limit, within its 2 s wall-clock backstop), then every call answers
PY_LATE = ("import time\n_first = [True]\n\ndef add(x, y):\n    if _first:\n        _first.pop()\n"
           "        time.sleep(1.0)\n    return x + y\n")


def _humaneval_53():
    from alchemistcoder.benchmarks import load_benchmark

    tasks = [t for t in load_benchmark("humaneval+") if t.task_id == "HumanEval/53"]
    (problem,) = problems_from_tasks(tasks, DecontamConfig().exec_plus_inputs)
    return problem


def test_a_python_call_that_waits_still_answers_and_one_that_waits_forever_is_stopped(shared_data):
    """HumanEval/53 (add two numbers): an ``add`` whose first call sleeps 1 s passes every test (a 0.5 s wall-clock
    limit failed it there); one that sleeps 100 s is stopped by the backstop and is no leak."""
    cfg = DecontamConfig()
    problem = _humaneval_53()
    forever = PY_LATE.replace("time.sleep(1.0)", "time.sleep(100)")
    late, stuck = verify([(sample_code(f"```python\n{code}```"), [(problem, ["add"])]) for code in (PY_LATE, forever)],
                         cfg.exec_timeout_s, cfg.exec_call_limit_s)
    assert late[problem.key].leak and late[problem.key].passed == late[problem.key].total
    assert not stuck[problem.key].leak and stuck[problem.key].passed == 0


def _passed(responses: list[str], cases: dict[str, list], timeout_s: float) -> list[int]:
    pairs = []
    for response in responses:
        code = foreign_code(response)
        name = code.functions[0].name
        pairs.append((code, [(f"T/{name}", [name], cases[name])]))
    out = verify_foreign(pairs, timeout_s)
    return [v[f"T/{p[0].functions[0].name}"].passed for v, p in zip(out, pairs, strict=True)]


def test_cpp_and_c_samples_are_limited_by_their_cpu_time_not_the_wall_clock(sandbox_languages):
    """With a 1 s limit: a C++ sample and a C function that sleep 1.5 s before answering still answer (an alarm
    of 1 s ended them), one that computes forever is stopped and the batch's next sample answers after it."""
    cpp = ["```cpp\n#include <unistd.h>\nint late(int x) { usleep(1500000); return x + 1; }\n```",
           "```cpp\nint spin(int x) { long long s = 0; while (x > 0) s += x; return (int) s; }\n```",
           "```cpp\nint twice(int x) { return 2 * x; }\n```"]
    c = ["```c\n#include <unistd.h>\nint later(int x) { usleep(1500000); return x + 2; }\n```",
         "```c\nint spun(int x) { long long s = 0; while (x > 0) s += x; return (int) s; }\n```"]
    cases = {"late": [([1], 2)], "spin": [([1], 1)], "twice": [([3], 6)], "later": [([1], 3)], "spun": [([1], 1)]}
    assert _passed(cpp + c, cases, 1.0) == [1, 0, 1, 1, 0]
    assert sandbox_languages.count("cpp") == 1  # one program: the spinning sample took only itself down


def test_a_javascript_call_is_limited_by_its_cpu_time_not_the_wall_clock(sandbox_languages):
    """A JavaScript call that blocks 1.5 s without computing (``Atomics.wait``) still answers under the 1 s call
    limit; one that computes forever is stopped, its function's other calls skipped."""
    js = ["```javascript\nfunction late(x) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500); "
          "return x + 1; }\n```",
          "```javascript\nfunction spin(x) { let s = 0; while (x > 0) s += x; return s; }\n```",
          "```javascript\nfunction twice(x) { return 2 * x; }\n```"]
    cases = {"late": [([1], 2)], "spin": [([1], 1), ([2], 2)], "twice": [([3], 6)]}
    assert _passed(js, cases, 5.0) == [1, 0, 1]


def test_a_javascript_functions_calls_run_on_past_a_chunk_and_a_cpp_call_has_a_second_of_its_own(sandbox_languages):
    """A JavaScript function's consecutive calls run in one ``runInContext`` that starts no new call after
    ``JS_CHUNK_MS`` of wall time: the calls after it run in the next, and each answers. A C++ call that computes
    past its own second of CPU time is marked out of time there (not at the sample's five seconds), and the sample's
    later calls run again without it."""
    from alchemistcoder.decontam.signals.foreign import harness_answers
    from alchemistcoder.decontam.signals.javascript import JS_CHUNK_MS

    slow = foreign_code("```javascript\nfunction slow(x) { const t = Date.now(); while (Date.now() - t < "
                        f"{JS_CHUNK_MS // 2}) {{}} return 3 * x; }}\n```")
    assert _passed([f"```javascript\n{slow.source}\n```"], {"slow": [([i], 3 * i) for i in range(6)]}, 5.0) == [6]
    # spin(2) computes for 2 s of CPU time, then answers: within the sample's five seconds, past the call's one
    cpp = foreign_code("```cpp\n#include <ctime>\nint spin(int x) { std::clock_t t = std::clock(); "
                       "while (x == 2 && std::clock() - t < 2 * CLOCKS_PER_SEC) {} return x + 1; }\n```")
    (fn,) = cpp.functions
    late: set[int] = set()
    answers = harness_answers({0: cpp}, {0: [(0, 0, fn, [1]), (1, 0, fn, [2]), (2, 0, fn, [3])]}, 5.0, late=late)
    assert answers == {0: 2, 2: 4} and late == {1}
