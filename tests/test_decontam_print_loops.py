"""Issue 24's sixth recall round: a script that prints one value a turn of a loop ("print the primes up to 100",
with the ``is_prime`` it defines) is lifted as a function of the loop's bound that returns what it prints, and
runs on the benchmark's tests (HumanEval/96's primes below n)."""

from __future__ import annotations

import ast

import pytest

from alchemistcoder.code.lift import lift_snippet
from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import problems_from_tasks
from alchemistcoder.decontam.retrieval.embedding import load_embedder
from alchemistcoder.decontam.signals.python import sample_code
from alchemistcoder.decontam.step import DecontamIndex, SemanticIndex, decontaminate_samples
from alchemistcoder.records import Sample, make_messages

IS_PRIME = ("def is_prime(num):\n    if num <= 1:\n        return False\n    for i in range(2, int(num**0.5) + 1):\n"
            "        if num % i == 0:\n            return False\n    return True\n")
# the shape of two rows of the second tune draw (a while loop and a for loop; their texts are not copied here)
WHILE_PRIMES = ("Using a while loop, write code to print the prime numbers between 1 and 100, one a line.",
                f"```python\n{IS_PRIME}\nnum = 1\nwhile num <= 100:\n    if is_prime(num):\n        print(num)\n"
                "    num += 1\n```")
FOR_PRIMES = ("Create a for loop in Python that prints all the prime numbers from 0 to 100.",
              f"```python\n{IS_PRIME}\nfor num in range(0, 101):\n    if is_prime(num):\n        print(f'{{num}} is prime')\n```")


def _lifted(code: str) -> list[str]:
    return [source for source, _arity in lift_snippet(ast.parse(code))]


def test_a_print_loop_is_lifted_as_the_list_it_prints_of_its_bound():
    """The loop's bound is the input, "up to" or "below" it (``<= n`` or ``<= n - 1``; ``range(0, n)`` or
    ``range(0, n + 1)``); the defined function is called, not made a parameter; the one printed value (an
    f-string's) is collected."""
    code = WHILE_PRIMES[1].strip("`").removeprefix("python\n")
    assert _lifted(code) == [
        "(arg0):\n    num = 1\n    shown_ = []\n    while num <= arg0:\n        if is_prime(num):\n"
        "            shown_.append(num)\n        num += 1\n    return shown_",
        "(arg0):\n    num = 1\n    shown_ = []\n    while num <= arg0 + -1:\n        if is_prime(num):\n"
        "            shown_.append(num)\n        num += 1\n    return shown_"]
    code = FOR_PRIMES[1].strip("`").removeprefix("python\n")
    assert [s.splitlines()[2] for s in _lifted(code)] == ["    for num in range(0, arg0):", "    for num in range(0, arg0 + 1):"]
    assert "shown_.append(num)" in _lifted(code)[0]


def test_loops_that_are_no_one_answer_are_not_lifted():
    """Two values printed a turn (a table), a loop that prompts for its input (an I/O driver around the function),
    and a script beside functions that ends in one print (the functions are tried themselves) stay as they were."""
    assert _lifted("for i in range(1, 11):\n    print(i)\n    print(i * i)") == []
    assert _lifted(f"{IS_PRIME}\nwhile True:\n    n = int(input())\n    print(is_prime(n))") == []
    assert _lifted(f"{IS_PRIME}\nprint(is_prime(17))") == []
    assert _lifted("for i in range(5):\n    print('*' * i, end='')") == []  # drawn on one line: no list
    # the script's function is still the sample's own, and a helper of the loop (it answers a part of it)
    functions = {f.name: f.helper for f in sample_code(WHILE_PRIMES[1]).functions}
    assert functions["is_prime"] is True and functions["_snippet_0"] is False


@pytest.fixture(scope="module")
def primes_index(shared_data) -> tuple[DecontamConfig, DecontamIndex]:
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    tasks = [t for name in ("humaneval", "humaneval+") for t in load_benchmark(name)
             if t.task_id in {"HumanEval/96", "HumanEval/31"}]
    problems = problems_from_tasks(tasks, cfg.exec_plus_inputs)
    index = DecontamIndex([], cfg, problems=problems)
    index._semantic = SemanticIndex(problems, cfg, embedder=load_embedder(None))
    return cfg, index


@pytest.mark.parametrize("row", [WHILE_PRIMES, FOR_PRIMES], ids=["while", "for"])
def test_a_print_loop_of_the_primes_is_humaneval_96(primes_index, row):
    """Both loops pass HumanEval/96's tests (primes below n) in the sandbox, through the lifted function (its
    ``is_prime`` is a helper and convicts nothing on HumanEval/31); before, neither sample was convicted."""
    cfg, index = primes_index
    sample = Sample("p", "s", make_messages(*row))
    decontaminate_samples([sample], cfg, index)
    assert sample.rejected
    params = sample.rejection.params
    assert (params["task_id"], params["signal"]) == ("HumanEval/96", "execution")
    assert params["scores"]["function"].startswith("_snippet_")
    assert params["scores"]["tests_passed"] == params["scores"]["tests_total"]
