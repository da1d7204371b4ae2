"""Issue 24's eighth recall round: an instruction's framing (a question, a loop or snippet named as the vehicle) is
not embedded, and "a binary search algorithm" keeps the words that name it; a C or Java function with an integer
return type is not judged on the float answers of a problem some of whose answers are fractions (a ``long power``
on MBPP/93's negative exponents); a Python function that prints its answer is read through what it prints."""

from __future__ import annotations

import ast

import pytest

from alchemistcoder.code.interfaces import printing_functions
from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.retrieval.embedding import intent
from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign
from alchemistcoder.decontam.signals.python import (
    PRINTED_PREFIX,
    is_adapter,
    reference_cases,
    sample_code,
    verify,
)

C_POWER = ("```c\n#include <stdio.h>\n\nlong int power(int base, int exponent) {\n    if (exponent == 0)\n        return 1;\n"
           "    return base * power(base, exponent - 1);\n}\n\nint main() {\n    printf(\"%ld\", power(2, 3));\n    return 0;\n}\n```")
# the same function with a wrong base case: right on no exponent above 0
C_POWER_WRONG = C_POWER.replace("return 1;", "return 0;")
PRINT_PRIMES = ("```python\ndef print_primes(n):\n    print(\"Primes below\", n, \":\")\n    for num in range(2, n):\n"
                "        if all(num % i for i in range(2, num)):\n            print(num, end=\" \")\n\nprint_primes(20)\n```")
PRINT_PERMUTATIONS = ("```python\ndef permute(s, answer=''):\n    if not s:\n        print(answer)\n        return\n"
                      "    for i in range(len(s)):\n        permute(s[:i] + s[i + 1:], answer + s[i])\n\npermute('abc')\n```")


@pytest.fixture(scope="module")
def problems(bench_problems):
    return bench_problems("Mbpp/93", "HumanEval/96", "Mbpp/374", "HumanEval/60")


@pytest.mark.parametrize(("instruction", "embedded"), [
    ("Create a for loop in Python to output the cumulative sum of numbers from 1 to 5",
     "the cumulative sum of numbers from 1 to 5"),
    ("Write a C code snippet to find all the prime numbers between 1 and 100.", "find all the prime numbers between 1 and 100."),
    ("How would you write a function in Python to reverse a string?", "reverse a string?"),
    ("How would you implement a binary search algorithm in Python to search for a target value in a sorted array?",
     "binary search algorithm to search for a target value in a sorted array?"),
    ("Implement a bubble sort algorithm", "bubble sort algorithm"),
    ("Write a binary search algorithm in Java.", "binary search algorithm ."),
    ("Write an algorithm to find the median", "find the median"),
    ("Write a function that returns the median", "returns the median"),
])
def test_the_framing_of_an_instruction_is_not_embedded(instruction, embedded):
    assert intent(instruction) == embedded


def test_a_loop_framed_request_is_near_enough_to_its_problem(problems):
    """HumanEval/60's "sums numbers from 1 to n" was under the 0.5 floor of execution for "Create a for loop in Python
    to output the cumulative sum of numbers from 1 to 5" as written; without its framing it is above."""
    from alchemistcoder.decontam.retrieval.embedding import encode, load_embedder

    model = load_embedder(None)
    statement, framed = encode(model, [intent(problems["HumanEval/60"].statements[0]),
                                       intent("Create a for loop in Python to output the cumulative sum of numbers from 1 to 5")])
    (written,) = encode(model, ["Create a for loop to output the cumulative sum of numbers from 1 to 5"])
    floor = DecontamConfig().exec_strong_threshold
    assert float(framed @ statement) >= floor > float(written @ statement)


def test_fractional_answers_are_no_test_of_an_integer_function(problems):
    """MBPP/93's added inputs have negative exponents, answered 0.0625 or -1.0: a C ``long power`` cannot return
    them, so they are not its tests; it passes the rest. The same function with a wrong base case still fails."""
    p, cfg = problems["Mbpp/93"], DecontamConfig()
    cases = reference_cases([p], cfg.exec_call_limit_s)[p.key]
    out = verify_foreign([(foreign_code(src), [(p.key, ["power"], cases)]) for src in (C_POWER, C_POWER_WRONG)],
                         cfg.exec_timeout_s, originals={p.key: p.inputs[: p.base]}, near_share=cfg.exec_near_share)
    right, wrong = out[0][p.key], out[1][p.key]
    negative = sum(1 for args, _want in cases if args[1] < 0)
    assert right.leak and right.passed == right.total and right.total <= len(cases) - negative
    assert not wrong.leak


def test_a_function_that_prints_its_answer_is_read_through_what_it_prints(problems):
    """A loop that prints the primes below n (after a label) answers HumanEval/96's list; a recursive function that
    prints each permutation answers MBPP/374's list of them. Both are adapters: another interface."""
    for key, response, name in (("HumanEval/96", PRINT_PRIMES, "print_primes"), ("Mbpp/374", PRINT_PERMUTATIONS, "permute")):
        p, code = problems[key], sample_code(response)
        adapter = f"{PRINTED_PREFIX}{name}"
        assert is_adapter(adapter) and adapter in [f.name for f in code.functions]
        (verdicts,) = verify([(code, [(p, [name, adapter])])], 10, 0.5, near_share=DecontamConfig().exec_near_share)
        v = verdicts[p.key]
        assert v.leak and v.function == adapter, (key, v)


def _printing(source: str) -> list[str]:
    return [name for name, *_ in printing_functions(ast.parse(source), "_p_")]


def test_which_functions_print_their_answer():
    """One value printed once is the answer (``print("Even")`` in either branch); a table (two values at one place),
    a function that also returns a value, one that reads input, and ``end=""`` joining digits have none."""
    assert _printing("def parity(n):\n    if n % 2 == 0:\n        print('Even')\n    else:\n        print('Odd')\n") == ["_p_parity"]
    assert _printing("def add(a, b):\n    print('The sum is', a + b)\n") == ["_p_add"]
    assert _printing("def table(n):\n    for i in range(n):\n        print(i, i * i)\n") == []
    assert _printing("def f(n):\n    print(n)\n    return n + 1\n") == []
    assert _printing("def f(n):\n    k = int(input())\n    print(n + k)\n") == []
    assert _printing("def digits(n):\n    for d in str(n):\n        print(d, end='')\n") == []
    namespace: dict = {}
    for _name, source, _low, _high in printing_functions(ast.parse("def add(a, b):\n    print('The sum is', a + b)\n"), "_p_"):
        exec(source, namespace)
    assert namespace["_p_add"](2, 3) == 5


def test_a_task_that_lists_more_features_than_tasks_ends_the_task_list():
    """Three tasks, the third listing ten features numbered 1 to 10 at the same indentation: the "4." to "10." that
    follow the third task continue its features. The task list is the three tasks, and the first is answered by
    its own section (the response's "1."), an unfenced C++ function."""
    from alchemistcoder.decontam.retrieval.parts import split_parts

    features = "\n".join(f"{k}. Implement a method that returns the {w} of all elements in the queue."
                         for k, w in enumerate(["count", "maximum", "minimum", "sum", "average", "median", "mode",
                                                "range", "product", "variance"], 1))
    instruction = ("Please complete all of the following tasks:\n1. Create a C++ function that calculates the sum of numbers "
                   "from 1 to n.\n10\n2. replace nan values in a pandas data frame with the average of columns\n"
                   f"3. Please write a Python class that implements a queue with the following features:\n\n{features}\n")
    response = ("1. #include <iostream>\n\nint sum_of_numbers(int n) {\n    return (n * (n + 1)) / 2;\n}\n\n"
                "2. df.apply(lambda x: x.fillna(x.mean()), axis=0)\n\n3. Here is the class:\n\n```python\nclass Queue:\n"
                "    def __init__(self):\n        self.items = []\n```\n")
    parts = split_parts(instruction, response)
    assert [p.number for p in parts] == [1, 2, 3] and parts[2].instruction.count("Implement a method") == 10
    assert parts[0].own and parts[0].response.startswith("#include") and foreign_code(parts[0].response) is not None
    # ten tasks with no list inside them are still more than a task list holds: no split
    many = "Please complete all of the following tasks:\n" + "\n".join(
        f"{k}. Write a function that returns the {k}-th power of a given number." for k in range(1, 11))
    assert split_parts(many, "x") == []


def test_a_loop_that_prints_a_function_on_each_input_does_not_make_it_a_helper():
    """``for i in range(10): print(fibonacci(i))`` shows the function on ten inputs; a loop that sums what it
    answers, or prints only where it holds, uses it in a larger computation (a helper, as before)."""
    from alchemistcoder.code.facts import helper_calls

    shown = "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n\n"
    assert "fibonacci" not in helper_calls(ast.parse(shown + "for i in range(10):\n    print(fibonacci(i))\n"))
    assert "fibonacci" not in helper_calls(ast.parse(shown + "for i in range(10):\n    print(f'F({i}) = {fibonacci(i)}')\n"))
    assert "fibonacci" in helper_calls(ast.parse(shown + "total = 0\nfor i in range(10):\n    total += fibonacci(i)\nprint(total)\n"))
    assert "fibonacci" in helper_calls(ast.parse(shown + "for i in range(10):\n    if fibonacci(i) % 2:\n        print(i)\n"))
    assert "fibonacci" in helper_calls(ast.parse(shown + "for i in range(9):\n    print(sum(fibonacci(j) for j in range(i)))\n"))


BINARY_SEARCH = ("```python\ndef binary_search(arr, low, high, x):\n    if high >= low:\n        mid = (high + low) // 2\n"
                 "        if arr[mid] == x:\n            return mid\n        elif arr[mid] > x:\n"
                 "            return binary_search(arr, low, mid - 1, x)\n        return binary_search(arr, mid + 1, high, x)\n"
                 "    return -1\n\narr = [2, 3, 4, 10, 40]\nx = 10\nprint(binary_search(arr, 0, len(arr) - 1, x))\n```")
PERMUTE_PRINTED = ("```python\ndef permute(s, answer):\n    if len(s) == 0:\n        print(answer, end=' ')\n        return\n"
                   "    for i in range(len(s)):\n        permute(s[:i] + s[i + 1:], answer + s[i])\n\ns = 'abc'\npermute(s, '')\n```")


def test_an_example_call_fixes_the_arguments_the_task_does_not_have(problems):
    """``binary_search(arr, 0, len(arr) - 1, x)`` with ``arr`` and ``x`` bound to literals is a function of ``arr``
    and ``x``; a recursive ``permute(s, '')`` that prints is a function of ``s`` through what it prints, and answers
    MBPP/374's permutations. A call whose fixed argument reads a name that is no input has no shape."""
    from alchemistcoder.code.interfaces import call_shapes

    code = sample_code(BINARY_SEARCH)
    (called,) = [f for f in code.functions if f.name == "binary_search_called"]
    assert (called.min_args, called.max_args) == (2, 2)
    namespace: dict = {}
    for statement in code.statements:
        exec(statement, namespace)  # the sample's source as the probe loads it (a test's own literal)
    assert namespace["binary_search_called"]([1, 3, 5, 7], 7) == 3 and namespace["binary_search_called"]([1, 3], 2) == -1
    assert call_shapes(ast.parse("def f(a, b):\n    return a\n\nx = [1]\nprint(f(x, y))\n"), {"f": "f"}) == []
    assert call_shapes(ast.parse("def f(a, b):\n    return a\n\nx = [1]\nprint(f(x, g(x)))\n"), {"f": "f"}) == []

    p, code = problems["Mbpp/374"], sample_code(PERMUTE_PRINTED)
    name = f"{PRINTED_PREFIX}permute_called"
    assert is_adapter(name) and name in [f.name for f in code.functions]
    (verdicts,) = verify([(code, [(p, [name])])], 10, 0.5, near_share=DecontamConfig().exec_near_share)
    assert verdicts[p.key].leak and verdicts[p.key].unordered


def test_an_example_input_after_the_task_does_not_dilute_it(bench_problems):
    """"... reverses its word order while maintaining spaces." then the sentence to reverse: as a whole it reads
    under execution's floor against MBPP/604 and near no problem; its task line, embedded too, puts MBPP/604 among
    the nearest. Where the whole is near a problem already, the task line is not embedded."""
    from alchemistcoder.decontam.retrieval.embedding import load_embedder, task_line
    from alchemistcoder.decontam.step import SemanticIndex

    instruction = ("Create a JavaScript function that takes a string and reverses its word order while maintaining "
                   "spaces.\nThe quick brown fox jumps over the lazy dog.")
    assert task_line(instruction) == instruction.split("\n")[0]
    assert task_line("Increase the difficulty of the given programming test question:\n\nWrite a function") is None
    assert task_line("Find the sum.\n[1, 2]") is None and task_line("Write a function that adds two numbers.") is None
    cfg = DecontamConfig()
    near = bench_problems("Mbpp/604", "HumanEval/86", "HumanEval/143", "Mbpp/44")
    index = SemanticIndex(list(near.values()), cfg, embedder=load_embedder(None))
    (cands,) = index.candidates([instruction])
    (c,) = [c for c in cands if index.problems[c.problem].key == "Mbpp/604"]
    whole = float(index.retrieval.embed([instruction])[0] @ index.retrieval.embed([index.problems[c.problem].statements[0]])[0])
    assert c.cosine >= cfg.exec_foreign_threshold > whole and c.whole == pytest.approx(whole, abs=1e-3)
    close = "Write a function to reverse the words separated by spaces in a given string.\n\"python program\""
    assert task_line(close) and all(c.whole is None for c in index.candidates([close])[0])  # near enough as a whole
