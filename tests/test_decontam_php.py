"""Execution evidence for PHP samples: their functions found, then run with php in the sandbox on the
benchmark's Python tests (real rows of the shared sets, real benchmark files)."""

from __future__ import annotations

import json

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import problems_from_tasks
from alchemistcoder.decontam.signals.foreign import foreign_code, harness_answers, verify_foreign
from alchemistcoder.decontam.signals.php import php_functions
from alchemistcoder.decontam.signals.python import reference_cases


def _problem(benchmark: str, task_id: str):
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    (problem,) = problems_from_tasks([t for t in load_benchmark(benchmark) if t.task_id == task_id], cfg.exec_plus_inputs)
    return cfg, problem, reference_cases([problem], cfg.exec_call_limit_s)[problem.key]


def test_php_discovery(codealpaca_rows):
    """The functions of a PHP response and their arity: #907's ``findSmallest`` (unfenced ``<?php`` code with its
    example of use), static methods called through their class, namespaces, by-reference arrays; helpers and
    variadic functions left out."""
    instruction, response = codealpaca_rows(907)
    assert "smallest element" in instruction
    code = foreign_code(response)
    assert code.language == "php" and [(f.name, f.params, f.owner) for f in code.functions] == [("findSmallest", [None], "")]
    assert php_functions("<?php\nnamespace App\\Util;\n\nfunction gcd(int $a, int $b = 1): int {\n  return $b ? gcd($b, $a % $b) : $a;\n}\n"
                         "final class MathOps {\n  public static function lcm($a, $b) { return intdiv($a * $b, gcd($a, $b)); }\n"
                         "  private static function hidden($x) { return $x; }\n  public function twice($x) { return 2 * $x; }\n}\n") \
        == [("lcm", 2, "App\\Util\\MathOps", False)]  # gcd: lcm calls it, a helper
    assert php_functions("function bubbleSort(array &$arr): void {\n  sort($arr);\n}\n"
                         "function sum(...$xs) { return array_sum($xs); }\n") == [("bubbleSort", 1, "", True)]
    # a ``main()`` is the example of use: a function it calls is tried, one called in its loop is a helper
    assert php_functions("function isPrime($n) { for ($i = 2; $i * $i <= $n; $i++) if ($n % $i == 0) return false;"
                         " return $n > 1; }\nfunction smallest($xs) { return min($xs); }\nfunction main() {\n"
                         "  echo smallest([3, 1]);\n  for ($i = 0; $i < 9; $i++) { if (isPrime($i)) echo $i; }\n}\nmain();\n") \
        == [("smallest", 1, "", False)]
    # a bare PHP function read as JavaScript by language detection (#1270) is PHP; a jQuery one stays JavaScript
    bare = foreign_code(codealpaca_rows(1270)[1])
    assert "```" not in codealpaca_rows(1270)[1] and (bare.language, [f.name for f in bare.functions]) == ("php", ["sortArrayByValues"])
    jquery = foreign_code("```javascript\nfunction highlight($el) {\n  const color = 'red';\n  $el.css('color', color);\n"
                          "  return $el;\n}\n```")
    assert jquery.language == "javascript"
    # a comparison named as a string callable, and a function called in a top-level loop, are helpers
    assert [f.name for f in foreign_code("```php\n<?php\nfunction cmp($a, $b) { return $a <=> $b; }\n"
                                         "function sortDesc($xs) { usort($xs, 'cmp'); return array_reverse($xs); }\n"
                                         "function isEven($n) { return $n % 2 == 0; }\n"
                                         "foreach ([1, 2, 3] as $i) {\n  if (isEven($i)) echo $i;\n}\n"
                                         "// function fake($x) { }\n$s = 'function alsoFake($y) {';\n```").functions] == ["sortDesc"]


# #907's answer and a wrong variant of it: the largest element, not the smallest
SMALLEST_WRONG = ("<?php\nfunction findSmallest($arr) {\n    $min = $arr[0];\n    foreach ($arr as $x) {\n"
                  "        if ($x > $min) $min = $x;\n    }\n    return $min;\n}\n?>")


def test_a_php_smallest_element_passes_mbpp_62_and_a_wrong_one_does_not(codealpaca_rows, sandbox_languages):
    """MBPP/62 (the smallest number in a list) on MBPP+'s inputs: #907's PHP ``findSmallest`` answers each one,
    a variant that returns the largest fails; both ran as PHP in the sandbox."""
    cfg, problem, cases = _problem("mbpp+", "Mbpp/62")
    right, wrong = foreign_code(codealpaca_rows(907)[1]), foreign_code(f"```php\n{SMALLEST_WRONG}\n```")
    out = verify_foreign([(code, [(problem.key, ["findSmallest"], cases)]) for code in (right, wrong)], cfg.exec_timeout_s,
                         originals={problem.key: problem.inputs[: problem.base]})
    good, bad = out[0][problem.key], out[1][problem.key]
    assert good.leak and good.language == "php" and good.passed == good.total >= 20, good
    assert not bad.leak and bad.passed < bad.total // 2, bad
    assert set(sandbox_languages) == {"php"}


def test_top_level_output_exit_and_a_throwing_call_do_not_break_the_others():
    """A sample that prints (without a newline) and exits at top level still answers; a call that throws or dies of
    a fatal error (an undefined function, memory exhausted) answers nothing, not marked late, and its function's
    other calls are skipped, while another function's calls still run; a float keeps its fraction, an array with
    gaps in its keys (``array_filter``'s) is a list, a procedure on a by-reference array answers with the array, a
    null comes back as None; a static method answers."""
    code = foreign_code("```php\n<?php\necho 'no newline here';\n"
                        "function half($x) { if ($x == 3) throw new InvalidArgumentException('odd'); return $x / 2; }\n"
                        "function evens($xs) { echo \"noise\"; return array_filter($xs, fn($v) => $v % 2 == 0); }\n"
                        "function boom($n) { if ($n > 1) undefined_function(); return $n; }\n"
                        "function firstOrNull($xs) { return $xs[0] ?? null; }\n"
                        "function sortInPlace(array &$xs): void { sort($xs); }\n"
                        "function huge($n) { return strlen(str_repeat('x', $n)); }\n"
                        "print_r(evens([1, 2, 3]));\nexit(1);\n?>\ntrailing html\n```")
    assert sorted(f.name for f in code.functions) == ["boom", "evens", "firstOrNull", "half", "huge", "sortInPlace"]
    fn = {f.name: f for f in code.functions}
    calls = [(0, 0, fn["half"], [4]), (1, 0, fn["half"], [3]), (2, 0, fn["half"], [8]),
             (3, 0, fn["evens"], [[1, 2, 3, 4]]), (4, 0, fn["boom"], [1]), (5, 0, fn["boom"], [2]), (6, 0, fn["boom"], [1]),
             (7, 0, fn["firstOrNull"], [[]]), (8, 0, fn["sortInPlace"], [[3, 1, 2]]), (9, 0, fn["half"], [float("nan")]),
             (10, 0, fn["huge"], [10**12])]
    late: set[int] = set()
    answers = harness_answers({0: code}, {0: calls}, 10.0, group=lambda n: n, late=late)
    # the throwing call's function is tried again after it (batches.run_calls), so half(8) answers too
    assert answers == {0: 2, 2: 4, 3: [2, 4], 4: 1, 6: 1, 7: None, 8: [1, 2, 3]}
    assert type(answers[0]) is int and type(answers[2]) is int
    assert not late  # a throw, a fatal error, memory exhausted: none ran out of time
    assert json.dumps(harness_answers({0: code}, {0: [(0, 0, fn["half"], [5])]}, 10.0)) == '{"0": 2.5}'
    # a static method of a namespaced class, called through it
    ops = foreign_code("```php\n<?php\nnamespace App;\nclass Ops {\n  public static function lcm(int $a, int $b): int {\n"
                       "    for ($m = max($a, $b); $m % $a || $m % $b; $m++) {}\n    return $m;\n  }\n}\n```")
    (lcm,) = ops.functions
    assert harness_answers({0: ops}, {0: [(0, 0, lcm, [4, 6]), (1, 0, lcm, [21, 6])]}, 10.0) == {0: 12, 1: 42}


def test_a_functions_calls_share_a_process_that_tells_which_call_ended_it():
    """A function's consecutive calls run in one child process: a call that ends it with ``exit`` answers nothing
    and the calls after it still answer (in a new child); a call that runs out of its CPU time is the one marked late,
    its function's later calls skipped, the calls before it answered."""
    code = foreign_code("```php\n<?php\nfunction stop($n) { if ($n == 2) exit(0); return $n * 10; }\n"
                        "function spin($n) { if ($n == 3) { while (true) {} } return $n + 1; }\n```")
    fn = {f.name: f for f in code.functions}
    calls = [(i, 0, fn["stop"], [n]) for i, n in enumerate([1, 2, 3, 4])]
    calls += [(4 + i, 0, fn["spin"], [n]) for i, n in enumerate([1, 2, 3, 4])]
    late: set[int] = set()
    # spin's calls share a fate (one problem's tests), so batches.run_calls does not run spin(4) again
    answers = harness_answers({0: code}, {0: calls}, 10.0, group=lambda n: "spin" if n >= 4 else n, late=late)
    assert answers == {0: 10, 2: 30, 3: 40, 4: 2, 5: 3}
    assert late == {6}


def test_a_php_fibonacci_passes_humaneval_55_and_an_endless_call_is_marked_late(codealpaca_rows):
    """HumanEval/55 (the n-th Fibonacci number): an iterative PHP ``fib`` passes on HumanEval+'s inputs; #221's
    recursive one answers the benchmark's own inputs and runs out of time on a large one (its call's ``late``
    marker written: the child that ran it is stopped by its CPU time), a slow pass as in Python."""
    cfg, problem, cases = _problem("humaneval+", "HumanEval/55")
    iterative = foreign_code("```php\n<?php\nfunction fib(int $n): int {\n    $a = 0; $b = 1;\n"
                             "    for ($i = 0; $i < $n; $i++) { [$a, $b] = [$b, $a + $b]; }\n    return $a;\n}\n"
                             "echo fib(10), PHP_EOL;\n```")
    recursive = foreign_code(codealpaca_rows(221)[1])
    assert [f.name for f in recursive.functions] == ["getFibonacciNumber"]
    out = verify_foreign([(iterative, [(problem.key, ["fib"], cases)]), (recursive, [(problem.key, ["getFibonacciNumber"], cases)])],
                         cfg.exec_timeout_s, originals={problem.key: problem.inputs[: problem.base]})
    fast, slow = out[0][problem.key], out[1][problem.key]
    assert fast.leak and not fast.slow and fast.passed == fast.total >= 10, fast
    assert slow.leak and slow.slow and 10 <= slow.passed < slow.total, slow
