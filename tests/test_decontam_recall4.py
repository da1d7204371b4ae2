"""Issue 24's fourth recall round, from unconvicted shared samples near a benchmark problem: a slow right answer
(a recursive Fibonacci), "no answer" given another way than the benchmark's None (the longest of no strings as
``''``), and a snippet whose input is named like a standard module (CoNaLa's ``sum(map(ord, string))``)."""

from __future__ import annotations

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import problems_from_tasks
from alchemistcoder.decontam.retrieval.embedding import load_embedder
from alchemistcoder.decontam.signals.python import ExecVerdict, sample_code, verify
from alchemistcoder.decontam.step import DecontamIndex, SemanticIndex, decontaminate_samples
from alchemistcoder.decontam.stores import VerdictStore
from alchemistcoder.records import Sample, make_messages

RECURSIVE_FIB = ("def fibonacci(n):\n    if n <= 1:\n        return n\n"
                 "    return fibonacci(n - 1) + fibonacci(n - 2)\n")
LONGEST = ("def find_longest_string(strings):\n    longest = ''\n    for s in strings:\n"
           "        if len(s) > len(longest):\n            longest = s\n    return longest\n")


def _problems(task_ids: set[str]) -> list:
    from alchemistcoder.benchmarks import load_benchmark

    tasks = [t for name in ("humaneval", "humaneval+", "mbpp", "mbpp+") for t in load_benchmark(name)
             if t.task_id in task_ids]
    return problems_from_tasks(tasks, DecontamConfig().exec_plus_inputs)


def _verdict(code: str, problem, name: str) -> ExecVerdict:
    cfg = DecontamConfig()
    [found] = verify([(sample_code(f"```python\n{code}```"), [(problem, [name])])], cfg.exec_timeout_s,
                     cfg.exec_call_limit_s, near_share=cfg.exec_near_share)
    return found[problem.key]


def test_a_slow_right_answer_convicts_and_a_wrong_one_does_not(shared_data):
    """A recursive Fibonacci answers HumanEval/55's own inputs and runs out of time on fib(63): slow, not wrong.
    Counted from 1 (``fib(1) == fib(2) == 1`` but ``fib(0) == 1``) it answers an input wrong first: no leak."""
    (problem,) = _problems({"HumanEval/55"})
    slow = _verdict(RECURSIVE_FIB, problem, "fibonacci")
    assert slow.slow and slow.leak and problem.base <= slow.passed < slow.total
    assert slow.to_params()["slow"] is True
    off_by_one = _verdict(RECURSIVE_FIB.replace("return n\n", "return 1\n"), problem, "fibonacci")
    assert not off_by_one.slow and not off_by_one.leak
    # a slow helper of another function (the sum of the first n Fibonacci numbers) is no leak, as a passing one
    helper = _verdict(RECURSIVE_FIB + "\ndef fib_sum(n):\n    return sum(fibonacci(i) for i in range(n))\n", problem,
                      "fibonacci")
    assert helper.slow and helper.helper_only and not helper.leak


def test_no_answer_given_another_way_is_excused_only_where_the_benchmark_answers_none(shared_data):
    """HumanEval/12 answers None for no strings; a longest string that answers ``''`` there (or raises) solves the
    same problem. A function that answers ``''`` elsewhere too (the shortest string) is still wrong."""
    (problem,) = _problems({"HumanEval/12"})
    empty = _verdict(LONGEST, problem, "find_longest_string")
    assert empty.leak and 1 <= empty.excused <= 3 and empty.to_params()["tests_excused"] == empty.excused
    raising = _verdict("def longest(xs):\n    return max(xs, key=len)\n", problem, "longest")
    assert raising.leak and raising.excused == empty.excused
    shortest = _verdict(LONGEST.replace("len(s) > len(longest)", "len(s) < len(longest) or not longest"), problem,
                        "find_longest_string")
    assert not shortest.leak


def test_a_snippets_input_named_like_a_standard_module_is_an_input():
    """CoNaLa's ``sum(map(ord, string))`` for "sum of ascii values of all characters in a string `string`": the
    name is passed around, never read for an attribute or called, so it is the snippet's input; a module read for
    its attributes (``string.ascii_letters``) stays a module."""
    code = sample_code("sum(map(ord, string))")
    assert code is not None and code.statements[0] == "def _snippet_0(string):\n    return sum(map(ord, string))"
    module = sample_code("string.ascii_letters[:n]")
    assert module is not None and "import string" in module.statements[0] and "(n)" in module.statements[0]


def test_a_recursive_fibonacci_is_found_through_the_whole_step(shared_data, monkeypatch, tmp_path):
    """The shared sample "Write a recursive function in Python to compute the nth Fibonacci number" is removed as
    HumanEval/55 with ``slow`` in its evidence."""
    cfg = DecontamConfig()
    problems = _problems({"HumanEval/55", "HumanEval/39", "HumanEval/130"})
    index = DecontamIndex([], cfg, problems=problems)
    index._semantic = SemanticIndex(problems, cfg, embedder=load_embedder(None))
    monkeypatch.setattr(index.semantic(), "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # nothing cached
    s = Sample("p", "s", make_messages("Write a recursive function in Python to compute the nth Fibonacci number.",
                                       f"```python\n{RECURSIVE_FIB}\nprint(fibonacci(10))\n```"))
    decontaminate_samples([s], cfg, index)
    p = s.rejection.params
    assert (p["task_id"], p["signal"], p["scores"]["slow"]) == ("HumanEval/55", "execution", True)


JAVA_FIB = ("```java\npublic class Fib {\n    public static int fibonacci(int n) {\n        if (n <= 0) {\n            return 0;\n"
            "        }\n        int a = 0, b = 1;\n        for (int i = 1; i < n; i++) {\n            int c = a + b;\n"
            "            a = b;\n            b = c;\n        }\n        return b;\n    }\n}\n```")


def test_a_test_whose_answer_the_declared_return_type_cannot_hold_says_nothing(shared_data):
    """HumanEval/55 asks for ``fib(63)`` and beyond; a Java ``int`` cannot hold them (it wraps). Those tests are left
    out as tests whose arguments the types cannot take are, so the iterative ``int`` Fibonacci passes the rest; the
    same function off by one still fails, and a ``long`` one is tried on the big ones too."""
    from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign
    from alchemistcoder.decontam.signals.python import reference_cases

    (problem,) = _problems({"HumanEval/55"})
    cases = reference_cases([problem], DecontamConfig().exec_call_limit_s)[problem.key]
    big = [want for _args, want in cases if isinstance(want, int) and want >= 2**31]
    assert big and len(big) * 2 < len(cases)
    right, wrong, wide = (foreign_code(JAVA_FIB), foreign_code(JAVA_FIB.replace("return 0;", "return 1;")),
                          foreign_code(JAVA_FIB.replace("int fibonacci", "long fibonacci").replace("int a", "long a")
                                       .replace("int c", "long c")))
    out = verify_foreign([(code, [(problem.key, ["fibonacci"], cases)]) for code in (right, wrong, wide)], 5.0)
    got = [out[k][problem.key] for k in range(3)]
    assert got[0].leak and not got[1].leak and got[2].leak
    assert got[2].total - got[0].total == len(big)  # (both leave out fib(False) and fib(True): an int takes no bool)

