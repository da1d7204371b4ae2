"""Concept, library and presentation facts of code (alchemistcoder.code.concepts), on hand-written programs
in several languages and on the shared instruction sets."""

from __future__ import annotations

import json

import pytest

from alchemistcoder.code.concepts import (
    analyses_complexity,
    defined_identifiers,
    detect_concepts,
    detect_libraries,
    includes_tests,
    mentioned_concepts,
    prints_output,
    shows_expected_output,
)

BELLMAN_FORD = """
def bellman_ford(n, edges, src):
    dist = [float("inf")] * n
    dist[src] = 0
    for _ in range(n - 1):
        for u, v, w in edges:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
    return dist
"""


@pytest.mark.parametrize(
    ("code", "language", "expected", "absent"),
    [
        ("def f(n):\n    return 1 if n < 2 else n * f(n - 1)\n", "python", {"recursion"}, {"classes"}),
        # super().__init__ inside __init__ is the parent's method, not recursion
        ("class E(Exception):\n    def __init__(self, m):\n        super().__init__(m)\n", "python", {"classes"}, {"recursion"}),
        ("from functools import lru_cache\n@lru_cache(None)\ndef fib(n):\n    return n if n < 2 else fib(n-1)+fib(n-2)\n",
         "python", {"recursion", "dynamic_programming"}, set()),
        ("def lis(a):\n    dp = [1] * len(a)\n    for i in range(len(a)):\n        for j in range(i):\n"
         "            if a[j] < a[i]:\n                dp[i] = max(dp[i], dp[j] + 1)\n    return max(dp)\n",
         "python", {"dynamic_programming"}, {"recursion"}),
        ("from collections import deque\ndef bfs(g, s):\n    q = deque([s])\n    seen = {s}\n    while q:\n"
         "        u = q.popleft()\n        for v in g[u]:\n            if v not in seen:\n                seen.add(v)\n"
         "                q.append(v)\n", "python", {"bfs"}, {"dfs", "recursion"}),
        ("def dfs(g, u, visited):\n    visited.add(u)\n    for v in g[u]:\n        if v not in visited:\n"
         "            dfs(g, v, visited)\n", "python", {"dfs", "recursion"}, {"bfs"}),
        ("def search(a, x):\n    lo, hi = 0, len(a) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2\n"
         "        if a[mid] == x:\n            return mid\n        elif a[mid] < x:\n            lo = mid + 1\n"
         "        else:\n            hi = mid - 1\n    return -1\n", "python", {"binary_search"}, {"two_pointers"}),
        ("def is_pal(s):\n    left, right = 0, len(s) - 1\n    while left < right:\n        if s[left] != s[right]:\n"
         "            return False\n        left += 1\n        right -= 1\n    return True\n", "python", {"two_pointers"}, {"binary_search"}),
        ("import re\ndef emails(t):\n    return re.findall(r'\\S+@\\S+', t)\n", "python", {"regular_expressions"}, set()),
        ("def gen(n):\n    for i in range(n):\n        yield i * i\n", "python", {"generators"}, {"classes"}),
        ("from collections import Counter\ndef top(xs):\n    return sorted(Counter(xs).items(), key=lambda kv: -kv[1])\n",
         "python", {"hashing", "sorting", "lambda"}, set()),
        (BELLMAN_FORD, "python", set(), {"dynamic_programming", "recursion"}),
        ("function fact(n) {\n  if (n <= 1) { return 1; }\n  return n * fact(n - 1);\n}\nconsole.log(fact(5));\n",
         "javascript", {"recursion"}, set()),
        # a function called after its own body is not recursive (the call sits outside its braces)
        ("function count(s) {\n  var seen = {};\n  return Object.keys(seen).length;\n}\nconsole.log(count('abc'));\n",
         "javascript", set(), {"recursion"}),
        ("public class A {\n  static int fib(int n) {\n    if (n < 2) return n;\n    return fib(n-1) + fib(n-2);\n  }\n}\n",
         "java", {"recursion", "classes"}, set()),
        ("#include <vector>\n#include <algorithm>\nint main() {\n  std::vector<int> v{3,1,2};\n  std::sort(v.begin(), v.end());\n}\n",
         "cpp", {"sorting"}, {"recursion"}),
    ],
)
def test_detect_concepts(code: str, language: str, expected: set[str], absent: set[str]) -> None:
    found = set(detect_concepts(code, language))
    assert expected <= found, found
    assert not (absent & found), found


def test_prose_names_concept_of_the_explanation() -> None:
    code = "def solve(a):\n    best = 0\n    for x in a:\n        best = max(best, x)\n    return best\n"
    assert "greedy" not in detect_concepts(code, "python")
    assert "greedy" in detect_concepts(code, "python", prose="We use a greedy approach: take the best at each step.")


@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [
        ("import numpy as np\nfrom pandas import DataFrame\nimport os.path\nfrom typing import List\n", "python", ["numpy", "pandas", "os"]),
        ("import java.util.Scanner;\nimport java.lang.Math;\nimport org.apache.commons.lang3.StringUtils;\n", "java",
         ["java.util", "org.apache.commons.lang3"]),
        ('const fs = require("fs");\nimport axios from "axios";\nimport x from "./local";\n', "javascript", ["fs", "axios"]),
        ("#include <iostream>\n#include <vector>\n#include \"mine.h\"\n", "cpp", ["iostream", "vector"]),
        ('package main\nimport (\n  "fmt"\n  "strings"\n)\n', "go", ["fmt", "strings"]),
        ("use std::collections::HashMap;\nuse crate::thing;\n", "rust", ["std::collections"]),
    ],
)
def test_detect_libraries(code: str, language: str, expected: list[str]) -> None:
    assert detect_libraries(code, language) == expected


def test_presentation_facts() -> None:
    assert prints_output("print(gcd(12, 18))")
    assert prints_output('System.out.println("x");')
    assert not prints_output("def gcd(a, b):\n    return a if b == 0 else gcd(b, a % b)\n")
    assert shows_expected_output("The code prints the result.\n\nOutput:\n6")
    assert shows_expected_output("print(gcd(12, 18))  # Output: 6")
    assert not shows_expected_output("This function returns the greatest common divisor.")
    assert includes_tests("assert gcd(12, 18) == 6")
    assert includes_tests("import unittest\nclass T(unittest.TestCase):\n    pass")
    assert not includes_tests("print(gcd(12, 18))")
    assert analyses_complexity("The time complexity is O(n log n).")
    assert not analyses_complexity("This runs quickly.")


def test_mentioned_concepts_and_identifiers() -> None:
    assert mentioned_concepts("Solve it using dynamic programming and recursion") == ["recursion", "dynamic_programming"]
    assert mentioned_concepts("Write a function that adds two numbers") == []
    assert defined_identifiers("def find_max(arr):\n    best_so_far = arr[0]\n", "python") == ["find_max", "arr", "best_so_far"]
    assert "countUnique" in defined_identifiers("function countUnique(s) { let seenChars = {}; }", "javascript")


def test_concepts_on_shared_data_are_plausible(shared_data) -> None:
    """On real responses: instructions that ask for recursion mostly get recursive code, and vice versa
    responses to unrelated instructions are rarely flagged as recursive (precision matters most)."""
    from alchemistcoder.harmonize.grounding import ground

    rows = json.loads((shared_data / "evol-codealpaca" / "evol-codealpaca-2k-1.json").read_text())[:1500]
    asked = [r for r in rows if "recursi" in r["instruction"].lower() and "without recursion" not in r["instruction"].lower()]
    hits = sum("recursion" in ground(r["instruction"], r["output"]).facts.concepts for r in asked)
    assert len(asked) >= 10
    assert hits / len(asked) >= 0.6, (hits, len(asked))
    others = [r for r in rows if "recurs" not in (r["instruction"] + r["output"]).lower()][:300]
    flagged = sum("recursion" in ground(r["instruction"], r["output"]).facts.concepts for r in others)
    assert flagged / len(others) <= 0.1, flagged
