"""Issue 24's ninth recall round, designed on a fourth tune draw: a lambda bound to a name is a function, a standard
module the code reads and never imports is imported, a bare built-in call names the function (CoNaLa's ``ord()``),
a lambda key's index is an input (``key=lambda x: x[2]``), an answer adapter is tried for a function named as the
entry point below the adapters' cosine, a bare Java method returning ``float`` or ``double`` is Java; a C, C++ or
Java program or function that prints its answer a number at a time in a loop is read as returning the numbers, and a
loop that only prints a function on each input does not make it a helper."""

from __future__ import annotations

import ast

import pytest

from alchemistcoder.code import extract_code_blocks
from alchemistcoder.code.detect import detect_language
from alchemistcoder.code.lift import lift_snippet, missing_imports
from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.policy import tries
from alchemistcoder.decontam.retrieval.embedding import Candidate
from alchemistcoder.decontam.signals._foreign_source import _shows_each
from alchemistcoder.decontam.signals._lift_main import LIFTED_MAIN, LIFTED_SHIFTED, returning_prints
from alchemistcoder.decontam.signals.facts import same_name
from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign
from alchemistcoder.decontam.signals.python import adapted_function, reference_cases, sample_code, verify

PRIME_FACTORS = ("def get_prime_factors(num):\n    factors = []\n    while num % 2 == 0:\n        factors.append(2)\n"
                 "        num //= 2\n    for i in range(3, int(math.sqrt(num)) + 1, 2):\n        while num % i == 0:\n"
                 "            factors.append(i)\n            num //= i\n    if num > 2:\n        factors.append(num)\n"
                 "    return factors")
BINARY_SEARCH = ("```python\ndef binary_search(arr, target):\n    low, high = 0, len(arr) - 1\n    while low <= high:\n"
                 "        mid = (low + high) // 2\n        if arr[mid] == target:\n            return mid\n"
                 "        if arr[mid] < target:\n            low = mid + 1\n        else:\n            high = mid - 1\n"
                 "    return -1\n```")


@pytest.fixture(scope="module")
def problems(bench_problems):
    return bench_problems("HumanEval/25", "HumanEval/53", "HumanEval/96", "Mbpp/269", "Mbpp/381", "Mbpp/492")


def _leak(problems, key: str, response: str) -> bool:
    code = sample_code(response)
    assert code is not None
    names = [f.name for f in code.functions]
    (verdicts,) = verify([(code, [(problems[key], names)])], 10, 0.5, near_share=DecontamConfig().exec_near_share)
    return verdicts[key].leak


def test_a_module_used_and_never_imported_is_imported(problems):
    """A prime factorisation that calls ``math.sqrt`` without ``import math`` fails every call as written; with the
    import it passes HumanEval/25. Names bound in the code (a parameter called ``math``) are not imports."""
    assert missing_imports(ast.parse(PRIME_FACTORS)) == ["import math"]
    assert missing_imports(ast.parse("import math\n" + PRIME_FACTORS)) == []
    assert missing_imports(ast.parse("def f(math):\n    return math.sqrt(2)")) == []
    assert missing_imports(ast.parse("def f(xs):\n    return Counter(xs).most_common(1)")) == ["from collections import Counter"]
    assert _leak(problems, "HumanEval/25", f"```python\n{PRIME_FACTORS}\n```")


def test_a_lambda_bound_to_a_name_is_a_function(problems):
    code = sample_code("sum_lambda = lambda x, y: x + y")
    assert code is not None and (code.functions[0].name, code.functions[0].min_args) == ("sum_lambda", 2)
    assert _leak(problems, "HumanEval/53", "sum_lambda = lambda x, y: x + y")
    assert not _leak(problems, "HumanEval/53", "diff = lambda x, y: x - y")


def test_a_bare_builtin_call_names_the_function(problems):
    """CoNaLa answers "get the ASCII value of a character as an int" with ``ord()``: MBPP/269's ``ascii_value``. A
    call of a built-in with its arguments is not this (its arguments are the snippet's inputs)."""
    assert lift_snippet(ast.parse("ord()")) == [("(x):\n    return ord(x)", 1)]
    assert lift_snippet(ast.parse("print()")) == []
    assert _leak(problems, "Mbpp/269", "ord()")
    assert not _leak(problems, "Mbpp/269", "chr()")


def test_a_lambda_keys_index_is_an_input(problems):
    """"sort list `l` by index 2 of the item" answers MBPP/381's sort by a given index: the 2 is its input."""
    lifted = lift_snippet(ast.parse("sorted(l, key=(lambda x: x[2]))"))
    assert any(arity == 2 and "x[arg1]" in source for source, arity in lifted)
    assert _leak(problems, "Mbpp/381", "sorted(l, key=(lambda x: x[2]))")
    assert not _leak(problems, "Mbpp/381", "sorted(l, key=(lambda x: -x[2]))")


def test_an_adapter_is_tried_for_a_function_named_as_the_entry_point(problems):
    """A binary search that answers the index (or -1) is MBPP/492's found-flag through the ``found`` adapter. Below
    the adapters' cosine (0.65) among the nearest at the execution threshold, the adapter is tried only for a
    function that has the entry point's name."""
    cfg, p = DecontamConfig(), problems["Mbpp/492"]
    assert adapted_function("_adapt_found_at_binary_search") == "binary_search"
    assert adapted_function("_adapt_printed_permute") == "permute"
    assert same_name("binarySearch", "binary_search") and not same_name("linear_search", "binary_search")
    code = sample_code(BINARY_SEARCH)
    near = Candidate(problem=0, cosine=0.61, rank=1)
    assert "_adapt_found_binary_search" in tries(cfg, near, p, code)
    renamed = sample_code(BINARY_SEARCH.replace("binary_search", "locate"))
    assert not any(name.startswith("_adapt_found") for name in tries(cfg, near, p, renamed))
    assert "_adapt_found_binary_search" not in tries(cfg, Candidate(problem=0, cosine=0.55, rank=1), p, code)
    (verdicts,) = verify([(code, [(p, tries(cfg, near, p, code))])], 10, 0.5, near_share=cfg.exec_near_share)
    assert verdicts[p.key].leak and verdicts[p.key].function == "_adapt_found_binary_search"


def test_a_bare_java_method_returning_a_float_is_java():
    """CodeAlpaca's unfenced ``public static float triangleArea(float a, float b, float c)``: Java, run as Java."""
    method = ("public static float triangleArea(float a, float b, float c) {\n    float s = (a + b + c) / 2;\n"
              "    return (float)Math.sqrt(s * (s - a) * (s - b) * (s - c));\n}")
    assert detect_language(method) == "java"
    assert [b.language for b in extract_code_blocks(method)] == ["java"]
    code = foreign_code(method)
    assert code is not None and [f.name for f in code.functions] == ["triangleArea"]


C_PRIMES = ("#include<stdio.h>\nint main()\n{\n  int i, j, isPrime;\n  printf(\"Primes:\\n\");\n  for(i=2; i<=100; i++)\n  {\n"
            "    isPrime = 1;\n    for(j=2; j<=i/2; j++)\n    {\n      if(i%j==0)\n      {\n        isPrime = 0;\n        break;\n"
            "      }\n    }\n    if(isPrime==1)\n    {\n      printf(\"%d \",i);\n    }\n  }\n  return 0;\n}")
JAVA_PRIMES = ("public class Primes {\n    public static void main(String[] args) {\n        for (int i = 2; i < 50; i++) {\n"
               "            boolean prime = true;\n            for (int j = 2; j * j <= i; j++) {\n"
               "                if (i % j == 0) { prime = false; break; }\n            }\n"
               "            if (prime) {\n                System.out.print(i + \" \");\n            }\n        }\n    }\n}")


def test_a_program_printing_numbers_in_a_loop_is_a_function_of_its_bound(problems):
    """"Find all the prime numbers between 1 and 100" as a C ``main`` printing each prime: a function of the bound
    (C read as C++), tried with the bound as written and shifted by one ("up to 100" or "below 101"); the shifted
    one is HumanEval/96's primes below n. The label print is dropped. A Java ``main`` the same way."""
    code = foreign_code(f"```c\n{C_PRIMES}\n```")
    assert code is not None and code.language == "cpp"
    assert [(f.name, f.params, f.returns) for f in code.functions] == [
        (LIFTED_MAIN, ["int"], "std::vector<long long>"), (LIFTED_SHIFTED, ["int"], "std::vector<long long>")]
    assert "i<= n" in code.source and "i< n" in code.source and "Primes:" not in code.source
    java = foreign_code(f"```java\n{JAVA_PRIMES}\n```")
    assert java is not None and java.language == "java" and {f.name for f in java.functions} == {LIFTED_MAIN, LIFTED_SHIFTED}
    p, cfg = problems["HumanEval/96"], DecontamConfig()
    cases = reference_cases([p], cfg.exec_call_limit_s)[p.key]
    out = verify_foreign([(c, [(p.key, [LIFTED_MAIN, LIFTED_SHIFTED], cases)]) for c in (code, java)], cfg.exec_timeout_s,
                         originals={p.key: p.inputs[: p.base]}, near_share=cfg.exec_near_share)
    assert all(v[p.key].leak and v[p.key].function in (LIFTED_MAIN, LIFTED_SHIFTED) for v in out)
    # a program that prints one value (not in a loop), or reads its input, is not lifted this way
    assert foreign_code("```c\n#include <stdio.h>\nint main() {\n  int s = 0;\n  for (int i = 1; i <= 10; i++) s += i;\n"
                        "  printf(\"%d\", s);\n  return 0;\n}\n```") is None
    assert foreign_code("```c\n#include <stdio.h>\nint main() {\n  int n;\n  scanf(\"%d\", &n);\n"
                        "  for (int i = 1; i <= 10; i++) printf(\"%d \", i * n);\n  return 0;\n}\n```") is None


def test_a_function_printing_numbers_in_a_loop_returns_them():
    cpp = "void evens(int n) {\n    for (int i = 2; i <= n; i += 2) {\n        std::cout << i << ' ';\n    }\n}"
    assert returning_prints("cpp", cpp).startswith("std::vector<long long> evens(int n) {")
    java = "public static void evens(int n) {\n    for (int i = 2; i <= n; i += 2) {\n        System.out.println(i);\n    }\n}"
    assert returning_prints("java", java).startswith("public static long[] evens(int n) {")
    table = "void table(int n) {\n    for (int i = 1; i <= 10; i++) {\n        printf(\"%d x %d = %d\\n\", n, i, n * i);\n    }\n}"
    assert returning_prints("cpp", table) == table  # three values a line: no list of numbers


def test_a_loop_that_only_prints_a_function_on_each_input_does_not_make_it_a_helper():
    assert _shows_each("for (String s : inputs) {\n    System.out.println(s + \": \" + isPalindrome(s));\n}")
    assert _shows_each("for (int i = 0; i < 10; i++)\n    cout << fib(i) << \" \";")
    assert not _shows_each("for (int i = 0; i < n; i++) if (isPrime(i)) System.out.println(i);")
    assert not _shows_each("for (int i = 2; i < 100; i++) { sum += isPrime(i) ? i : 0; }")
