"""The verify stage: programs as written in the real sandbox, model-written tests checked and run there, the two
decision policies, repairs from recorded answers of a real model, and the records' balance."""

from __future__ import annotations

import pytest

from alchemistcoder.comprehend.filtering_tasks import evidence
from alchemistcoder.records import Sample, make_messages
from alchemistcoder.verify import decide as D
from alchemistcoder.verify.config import VerifyConfig
from alchemistcoder.verify.execute import execute_programs
from alchemistcoder.verify.program import definitions_only, parse_python, response_program
from alchemistcoder.verify.stage import verify_samples, verify_stats
from alchemistcoder.verify.testing import CandidateRun, parse_tests, run_tests, valid_tests

LANGS = VerifyConfig().languages


def _fenced(code: str, lang: str = "python") -> str:
    return f"Here is the code:\n```{lang}\n{code.strip()}\n```\n"


def test_helpers_are_not_part_of_the_interface_tests_see() -> None:
    code = "def sum_odd(n):\n    return ((n + 1) // 2) ** 2\n\ndef sum_in_range(l, r):\n    return sum_odd(r) - sum_odd(l - 1)"
    assert response_program(_fenced(code), LANGS).functions == ["sum_in_range"]
    # mutual helpers only: every function stays
    loop = "def a(n):\n    return b(n - 1) if n else 0\n\ndef b(n):\n    return a(n - 1) if n else 1"
    assert response_program(_fenced(loop), LANGS).functions == ["a", "b"]


def test_program_is_the_joined_blocks_and_a_fragment_is_not_runnable() -> None:
    two = _fenced("def add(a, b):\n    return a + b") + "Usage:\n" + _fenced("print(add(2, 3))")
    program = response_program(two, LANGS)
    assert program.reason is None and program.functions == ["add"] and "print(add(2, 3))" in program.source
    snippet = response_program("sorted(l, key=lambda x: x[1])", LANGS)
    assert snippet.reason == "not_runnable" and "reads l" in snippet.detail
    assert response_program("Just use a dictionary.", LANGS).reason == "no_code"
    java = response_program(_fenced("public int sq(int n) { return n * n; }", "java"), LANGS)
    assert java.reason == "not_runnable" and "entry point" in java.detail
    # a python fence holding console output next to the program: the program alone is run
    out = response_program(_fenced("def f():\n    return 1\nprint(f())") + _fenced(">>> f()\n1 2 3 ]"), LANGS)
    assert out.reason is None and out.source.startswith("def f")
    tree = parse_python("import math\nx = 2\ndef f():\n    return math.pi\nprint(f())\ninput()\n")
    assert definitions_only(tree) == "import math\nx = 2\n\ndef f():\n    return math.pi"


CASES = {
    "runs": ("python", "def f(n):\n    return n * 2\nassert f(2) == 4\nprint(f(3))"),
    "crashes": ("python", "def f(items):\n    return items[10]\n\nprint(f([1, 2]))"),
    "own_assert": ("python", "def f(n):\n    return n + 1\nassert f(1) == 3"),
    "needs_input": ("python", "name = input('Name? ')\nprint('hi', name)"),
    "needs_package": ("python", "import flask_nonexistent_pkg\nprint(1)"),
    "needs_files": ("python", "with open('data.csv') as fh:\n    print(fh.read())"),
    "needs_args": ("python", "import sys\n\ndef main(path):\n    print(path)\n\nmain(sys.argv[1])"),
    "argparse": ("python", "import argparse\np = argparse.ArgumentParser()\np.add_argument('path')\n"
                           "print(p.parse_args().path)"),
    "go_files": ("go", 'package main\n\nimport (\n\t"log"\n\t"os"\n)\n\nfunc main() {\n\t_, err := os.Open("in.txt")\n'
                       '\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n}'),
    "timeout": ("python", "while True:\n    pass"),
    "syntax": ("python", "def f(:\n    pass"),
    "cpp_compile": ("cpp", "#include <iostream>\nint main() { std::cout << undefined_name; }"),
    "js_browser": ("javascript", "document.getElementById('x').innerHTML = 'hi';"),
    "java_crash": ("java", "public class Main {\n  public static void main(String[] a) {\n"
                           "    int[] x = new int[1];\n    System.out.println(x[3]);\n  }\n}"),
}


def test_every_execution_class_from_real_runs_in_the_sandbox() -> None:
    programs = [response_program(_fenced(code, lang), LANGS) for lang, code in CASES.values()]
    cfg = VerifyConfig(timeout_s=3.0)
    got = dict(zip(CASES, execute_programs(programs, cfg), strict=True))
    assert got["runs"].klass == "runs" and got["runs"].stdout == "6" and "stdout" not in got["runs"].to_params()
    assert got["crashes"].klass == "crashes"
    assert got["crashes"].error == {"type": "IndexError", "message": "list index out of range", "line": 2}
    assert got["own_assert"].klass == "crashes" and got["own_assert"].error["type"] == "AssertionError"
    assert got["needs_input"].klass == "needs_input"
    assert got["needs_package"].klass == "needs_package" and got["needs_package"].error["module"] == "flask_nonexistent_pkg"
    assert got["needs_files"].klass == "needs_files" and got["go_files"].klass == "needs_files"
    assert got["needs_args"].klass == "needs_input" and got["needs_args"].error["type"] == "IndexError"
    assert got["argparse"].klass == "needs_input"
    assert got["timeout"].klass == "timeout"
    assert got["syntax"].klass == "crashes" and got["syntax"].error["type"] == "SyntaxError"
    assert got["cpp_compile"].klass == "compile_error" and "undefined_name" in got["cpp_compile"].error["message"]
    assert got["js_browser"].klass == "needs_display"
    java = got["java_crash"]
    assert java.klass == "crashes" and java.error["type"] == "ArrayIndexOutOfBoundsException" and java.error["line"] == 4
    # a package the sandbox is configured to have is a crash when it is missing
    configured = execute_programs([programs[4]], VerifyConfig(packages=["flask_nonexistent_pkg"]))
    assert configured[0].klass == "crashes"


# What a program's own text says about its error: placeholders a snippet reads, errors it announces.
NOT_FAULTS = {
    "placeholder_args": ("python", "def largest(lst, x):\n    return [i for i in lst if i > x]\n\nprint(largest(lst, x))"),
    "type_placeholder": ("python", "count = 0\nfor item in list:\n    count += 1"),
    "js_undefined": ("javascript", "const total = (arr) => arr.reduce((a, b) => a + b, 0);\nconsole.log(total(numbers));"),
    "js_test_framework": ("javascript", "const add = (a, b) => a + b;\ndescribe('add', () => {\n  it('adds', () => {});\n});"),
    "announced": ("python", "def sqrt(x):\n    if x < 0:\n        raise ValueError('negative')\n    return x ** 0.5\n\n"
                            "print(sqrt(4))  # 2.0\nprint(sqrt(-1))  # Raises ValueError"),
    "announced_above": ("javascript", "function check(n) {\n  if (n < 0) throw new RangeError('negative');\n  return n;\n}\n"
                                      "console.log(check(2));\n// this throws:\nconsole.log(check(-2));"),
    "top_level_raise": ("python", "raise Exception('I know python!')"),
    # the same error with a comment that claims a value is a crash: the example contradicts the code
    "unannounced": ("python", "def total(xs, limit):\n    if sum(xs) > limit:\n        raise ValueError('Sum exceeds the limit')\n"
                              "    return sum(xs)\n\nprint(total([1, 2, 3, 4, 5], 10))  # Output: 15"),
    "js_local_bug": ("javascript", "function f() {\n  let inner = 1;\n}\nf();\nconsole.log(inner);"),
    "scoping_bug": ("python", "def f():\n    result = 5\n\nf()\nprint(result)"),
    "jsx": ("jsx", "function Counter({ count }) {\n  return (\n    <div>\n      <h1>Count: {count}</h1>\n    </div>\n  );\n}"),
    "js_syntax": ("javascript", "function f( {\n  return 1;\n}"),
}


def test_placeholders_and_announced_errors_are_not_crashes() -> None:
    """A snippet's unbound inputs (a function's parameter names in its usage line, ``s = sorted(s)``, a type's
    name used as the input, a JavaScript name nothing declares) and JSX make a fragment, not a crash; an error the
    response says its line raises is ``announced_error`` (kept); a comment claiming a value, a local read
    outside its function and a missing declaration stay crashes. Real runs in the sandbox (static where the
    fragment is visible before running)."""
    programs = [response_program(_fenced(code, lang), LANGS) for lang, code in NOT_FAULTS.values()]
    got = dict(zip(NOT_FAULTS, execute_programs(programs, VerifyConfig(timeout_s=3.0)), strict=True))
    assert got["placeholder_args"].klass == "not_runnable" and "lst, x" in got["placeholder_args"].detail
    assert response_program(_fenced("s = sorted(s, key=lambda x: x[1])"), LANGS).reason == "not_runnable"
    assert got["type_placeholder"].klass == "not_runnable" and got["type_placeholder"].error["placeholder"] == "list"
    assert got["js_undefined"].klass == "not_runnable" and got["js_undefined"].error["placeholder"] == "numbers"
    assert got["js_test_framework"].klass == "needs_package"
    assert got["announced"].klass == "announced_error" and got["announced"].error["announced_line"] == 7
    assert got["announced_above"].klass == "announced_error" and got["announced_above"].error["type"] == "RangeError"
    assert got["top_level_raise"].klass == "announced_error"
    assert got["unannounced"].klass == "crashes" and got["unannounced"].error["type"] == "ValueError"
    assert got["js_local_bug"].klass == "crashes" and got["js_local_bug"].error["type"] == "ReferenceError"
    assert got["scoping_bug"].klass == "crashes" and got["scoping_bug"].error["type"] == "NameError"
    assert got["jsx"].language == "javascript" and got["jsx"].klass == "not_runnable"
    assert got["js_syntax"].klass == "crashes" and got["js_syntax"].error["type"] == "SyntaxError"
    assert "announced_error" not in VerifyConfig().reject


CS_RUBY = {
    "cs_crash": ("csharp", "using System;\nclass P {\n  static void Main() {\n    int[] a = new int[2];\n"
                           "    Console.WriteLine(a[3]);\n  }\n}"),
    "cs_input": ("csharp", "using System;\nclass P {\n  static void Main() {\n"
                           "    int n = int.Parse(Console.ReadLine());\n    Console.WriteLine(n);\n  }\n}"),
    "cs_method": ("csharp", "public static int Twice(int x) {\n    return 2 * x;\n}"),
    "rb_crash": ("ruby", "def f(x)\n  x.foo\nend\nputs f(nil)"),
    "rb_input": ("ruby", "n = gets.chomp.to_i\nputs n * 2"),
    "rb_package": ("ruby", "require 'nokogiri_nonexistent'\nputs 1"),
    "rb_runs": ("ruby", "def twice(x)\n  2 * x\nend\nputs twice(3)"),
    "rb_syntax": ("ruby", "def twice(x)\n  2 * x\nputs twice(3)"),
    "rb_fragment": ("ruby", "sorted = movies.sort_by { |m| m[:year] }\nputs sorted"),
}


def _executed(cases: dict[str, tuple[str, str]]) -> dict:
    """Each case's response (``language``, code) run as written with the default languages, by case name."""
    programs = [response_program(_fenced(code, lang), VerifyConfig().languages) for lang, code in cases.values()]
    return dict(zip(cases, execute_programs(programs, VerifyConfig(timeout_s=10.0)), strict=True))


def test_csharp_and_ruby_responses_run_as_written() -> None:
    """Real mcs/mono and ruby: a C# program needs its Main (a bare method is not runnable), an uncaught exception
    or a syntax error is a crash with its class, reading a stdin the run does not give is needs_input, a missing
    gem is needs_package, and a Ruby snippet over a name it never defines is a fragment."""
    got = _executed(CS_RUBY)
    assert got["cs_crash"].klass == "crashes" and got["cs_crash"].error["type"] == "IndexOutOfRangeException"
    assert got["cs_input"].klass == "needs_input"
    assert got["cs_method"].klass == "not_runnable"
    assert got["rb_crash"].klass == "crashes"
    assert got["rb_crash"].error == {"type": "NoMethodError", "message": "undefined method `foo' for nil:NilClass",
                                     "line": 2}
    assert got["rb_input"].klass == "needs_input"
    assert got["rb_package"].klass == "needs_package" and got["rb_package"].error["module"] == "nokogiri_nonexistent"
    assert got["rb_runs"].klass == "runs" and got["rb_runs"].stdout == "6"
    assert got["rb_syntax"].klass == "crashes" and got["rb_syntax"].error["type"] == "SyntaxError"
    assert got["rb_fragment"].klass == "not_runnable"  # a snippet over a name nothing in it defines


PHP = {
    "php_runs": ("php", "function twice($x) {\n    return 2 * $x;\n}\necho twice(3);"),  # no <?php: added
    "php_crash": ("php", "<?php\n$a = [1, 2];\necho intdiv($a[0], 0);"),
    "php_syntax": ("php", "<?php\n$s = “curly quotes”;\necho $s;"),
    "php_input": ("php", "<?php\n$n = (int) trim(fgets(STDIN));\necho 10 / $n;"),
    "php_package": ("php", "<?php\n$db = new mysqli('localhost', 'u', 'p', 'shop');\necho 1;"),
    "php_file": ("php", "<?php\n$f = fopen('data.csv', 'r');\nwhile (($row = fgetcsv($f)) !== false) { echo $row[0]; }"),
    "php_fragment": ("php", "<?php\necho reverse_words('a b');"),
    "php_placeholder": ("php", "<html><body>\n<?php $posts = $db->get_posts(); ?>\n</body></html>"),
    "perl": ("php", "sub twice {\n    my ($x) = @_;\n    return 2 * $x;\n}\nprint twice(3);"),
}


def test_php_responses_run_as_written() -> None:
    """Real php-cli: a bare answer without ``<?php`` runs as PHP (not printed as text), an uncaught throwable or a
    parse error is a crash with its class and line, reading STDIN is needs_input, a database extension the
    sandbox lacks is needs_package, a missing file needs_files, a call of a function nothing declares is a
    fragment, and Perl that language detection took for PHP is not run as PHP's crash. Blocks that each open
    ``<?php`` are joined into one program."""
    got = _executed(PHP)
    assert got["php_runs"].klass == "runs" and got["php_runs"].stdout == "6"
    assert got["php_crash"].klass == "crashes"
    assert got["php_crash"].error == {"type": "DivisionByZeroError", "message": "Division by zero", "line": 3}
    assert got["php_syntax"].klass == "crashes" and got["php_syntax"].error["type"] == "SyntaxError"
    assert got["php_input"].klass == "needs_input"
    assert got["php_package"].klass == "needs_package" and got["php_package"].error["module"] == "mysqli"
    assert got["php_file"].klass == "needs_files"
    assert got["php_fragment"].klass == "not_runnable" and got["php_fragment"].error["placeholder"] == "reverse_words"
    assert got["php_placeholder"].klass == "not_runnable" and got["php_placeholder"].error["placeholder"] == "$db"
    assert got["perl"].klass == "not_runnable" and got["perl"].error["misread"] == "Perl, not PHP"
    joined = response_program("```php\n<?php\nfunction f($x) { return $x + 1; }\n```\nUse it:\n```php\n<?php\n"
                              "echo f(1);\n```", VerifyConfig().languages)
    (run,) = execute_programs([joined], VerifyConfig(timeout_s=10.0))
    assert run.klass == "runs" and run.stdout == "2"


def test_model_tests_are_checked_before_use() -> None:
    program = response_program(_fenced("def add(a, b):\n    return a + b\n\nclass Box:\n    pass"), LANGS)
    answer = _fenced("\n".join([
        "assert add(1, 2) == 3",
        "assert add(1, 2) == 3",  # duplicate
        "assert len([1]) == 1",  # calls nothing the response defines
        "assert add(open('f').read(), 'x') == 'x'",  # I/O
        "assert add(random.random(), 0) < 1",  # randomness
        "x = add(2, 2)",  # not an assert
        "assert add(1) == 1",  # the function takes two arguments
        "assert isinstance(Box(), Box)",
        "assert add(-1, 1) == 0",
    ]))
    from alchemistcoder.verify.testing import probes_of

    # the tests' calls first, then nearby inputs taken from each call in turn (1 -> 2, 0, -1; 'a' -> '', 'aa')
    assert probes_of(["assert add(1, 2) == 3", "assert add('a', 'b') == 'ab'"], program, 6) == [
        "add(1, 2)", "add('a', 'b')", "add(2, 2)", "add('', 'b')", "add(0, 2)", "add('aa', 'b')"]
    parsed = parse_tests(answer, program, limit=2)
    assert parsed.tests == ["assert add(1, 2) == 3", "assert isinstance(Box(), Box)"]
    assert parsed.dropped == {"duplicate": 1, "calls_nothing_defined": 1, "io_or_nondeterministic": 2,
                              "not_assert": 1, "wrong_arity": 1, "over_limit": 1}


def test_tests_run_in_the_sandbox_and_bad_tests_are_dropped() -> None:
    good = "def add(a, b):\n    return a + b"
    wrong = "def add(a, b):\n    return a - b"
    # right on its first three calls, off by one after: the second round of tests sees another answer
    flaky = "calls = [0]\ndef add(a, b):\n    calls[0] += 1\n    return a + b + (calls[0] > 4)"
    tests = ["assert add(1, 2) == 3", "assert add(2, 0) == 2", "assert helper(1) == 1", "assert add(1, 1) == 2"]
    cfg = VerifyConfig(test_timeout_s=1.0)
    (runs,) = run_tests([([good, wrong, "raise SystemExit(1)", flaky], tests, ["add(2, 2)", "add(1, 'x')"])], cfg)
    assert runs[0].outcomes == ["pass", "pass", "error", "pass"] and runs[0].errors[2][0] == "NameError"
    assert runs[1].outcomes == ["fail", "pass", "error", "fail"]
    assert runs[0].answers == ["4", "!TypeError"] and runs[1].answers == ["0", "!TypeError"]
    assert runs[2].load_error is not None and runs[2].load_error[0] == "SystemExit" and not runs[2].usable
    assert runs[3].outcomes == ["pass", "flaky", "error", "flaky"]
    kept, dropped = valid_tests(runs[:2], len(tests))
    assert kept == [0, 1, 3] and dropped == {"test_error": 1}
    kept, dropped = valid_tests(runs, len(tests))
    assert kept == [0] and dropped == {"test_error": 1, "not_deterministic": 2}


def _run(passed: set[int], n: int = 4) -> CandidateRun:
    return CandidateRun("ok", outcomes=["pass" if i in passed else "fail" for i in range(n)],
                        errors=[("", "")] * n)


def test_agreement_judges_the_response_against_what_independent_solutions_agree_on() -> None:
    valid = [0, 1, 2, 3]
    # three solutions agree on tests 0-2 (test 3 is wrong: nobody passes it); the response fails test 2
    solutions = [_run({0, 1, 2}), _run({0, 1, 2}), _run({0, 1, 2})]
    d = D.agreement(_run({0, 1}), solutions, valid, min_agreeing=2)
    assert d.verdict == "fail" and d.failing == [2] and d.evidence["consensus"] == [0, 1, 2]
    # the same response is right when it behaves like an independent solution
    d = D.agreement(_run({0, 1}), [_run({0, 1, 2}), _run({0, 1, 2}), _run({0, 1})], valid, min_agreeing=2)
    assert d.verdict == "undecided" and d.evidence["alike"] == 1
    # a wrong test that the response and the solutions all fail does not count against it
    assert D.agreement(_run({0, 1, 2}), solutions, valid, min_agreeing=2).verdict == "pass"
    # one solution alone does not overrule the response
    assert D.agreement(_run({0}), [_run({0, 1, 2})], valid, min_agreeing=2).verdict == "undecided"
    assert D.agreement(_run(set()), [_run(set())], valid, 2).verdict == "undecided"
    # the differential evidence: answers on probes the solutions settle (two or more, all alike)
    def answering(*answers: str) -> CandidateRun:
        return CandidateRun("ok", outcomes=["pass"] * 4, errors=[("", "")] * 4, answers=list(answers))
    sols = [answering("1", "2", "3", "x"), answering("1", "2", "3", "y")]
    assert D.differential(answering("1", "2", "9", "x"), sols, 2) == {"settled": 3, "disagree": [2], "out_of_domain": 0,
                                                                      "other_kind": 0, "inconsistent": 0}
    undecided = D.Decision("undecided")
    assert D.with_differential(undecided, answering("1", "2", "9", "z"), sols, 2, 0.0, 3).probe == 2
    # agreeing everywhere does not verify what the tests left undecided
    assert D.with_differential(D.Decision("undecided"), answering("1", "2", "3", "z"), sols, 2, 0.0, 3).verdict == "undecided"
    # a majority settles a probe, but not against an answer that one of the solutions shares
    three = [answering("1", "5"), answering("1", "5"), answering("2", "6")]
    assert D.differential(answering("2", "7"), three, 2)["disagree"] == [1]
    # the pass_share policy trusts the tests
    assert D.pass_share(_run({0, 1, 2}), valid, 0.75).verdict == "pass"
    assert D.pass_share(_run({0, 1}), valid, 0.75).failing == [2, 3]
    assert D.pass_share(_run(set()), [], 0.5).verdict == "undecided"


def test_another_interface_is_not_a_wrong_answer() -> None:
    """From the tune split (docs/verify.md): MBPP's unique_Element answers 'YES'/'NO' where the model's solutions
    say True/False; a response of another kind stays unverified unless its answers are not even consistent."""
    def answering(*answers: str) -> CandidateRun:
        return CandidateRun("ok", outcomes=["fail"] * 2, errors=[("AssertionError", "")] * 2, answers=list(answers))
    sols = [answering("True", "False", "True", "False", "3"), answering("True", "False", "True", "False", "3")]
    failed = D.Decision("fail", [0])
    yes_no = answering("'YES'", "'NO'", "'YES'", "'NO'", "!TypeError")
    d = D.with_differential(failed, yes_no, sols, 2, 0.34, 3)
    assert d.verdict == "undecided" and d.evidence["differential"] == {
        "settled": 4, "disagree": 4, "out_of_domain": 1, "other_kind": 4, "inconsistent": 0}
    # a mutant with the same interface says 'YES' once where the solutions say False: a behaviour, rejected
    flipped = answering("'YES'", "'NO'", "'YES'", "'YES'", "3")
    d = D.with_differential(D.Decision("fail", [0]), flipped, sols, 2, 0.34, 3)
    assert d.verdict == "fail" and d.evidence["differential"]["inconsistent"] == 1
    # solutions that agree on crashing settle nothing against an answer; lists of any kind match an empty one
    crashing = [answering("!TypeError", "[]"), answering("!TypeError", "[]")]
    assert D.differential(answering("{}", "[1, 2]"), crashing, 2)["settled"] == 1
    assert D.differential(answering("{}", "[1, 2]"), crashing, 2)["other_kind"] == 0
    assert D.shape("[1, 'a', 2.5]") == "list[num,str]" and D.shape("(1, [2])") == "list[list,num]"


def test_verified_needs_an_independent_solution_and_no_real_disagreement() -> None:
    """From the tune split (docs/verify.md, fourth round): a mutant that always answers False won the consensus
    with its own tests, and mutants passing the consensus tests differed on 13-33% of the settled probes; none
    of them is verified now (kept unverified)."""
    valid = [0, 1, 2, 3]
    # each solution passes a different set; the response's own set scores as high as any and is the consensus
    alone = D.agreement(_run({0, 1, 2}), [_run({0}), _run({1, 3}), _run({3})], valid, min_agreeing=2)
    assert alone.verdict == "undecided" and "no independent solution" in alone.evidence["why"]
    backed = D.agreement(_run({0, 1, 2}), [_run({0, 1, 2}), _run({3})], valid, min_agreeing=2)
    assert backed.verdict == "pass"

    def answering(*answers: str) -> CandidateRun:
        return CandidateRun("ok", outcomes=["pass"] * 4, errors=[("", "")] * 4, answers=list(answers))
    sols = [answering(*"1234567890"), answering(*"1234567890")]
    one_off = answering(*"123456789x")  # 1 of 10 settled probes differs: still verified
    two_off = answering(*"12345678yx")  # 2 of 10: passes the tests, but not verified
    assert D.with_differential(D.Decision("pass"), one_off, sols, 2, 0.3, 3, 0.1).verdict == "pass"
    d = D.with_differential(D.Decision("pass"), two_off, sols, 2, 0.3, 3, 0.1)
    assert d.verdict == "undecided" and d.evidence["differential"]["disagree"] == 2


def test_a_fix_that_is_not_verified_does_not_clear_the_response_it_was_to_fix() -> None:
    """Measured on the tune split with a repair prompt that always asks for code: a wrong response whose fix the
    tests left undecided was kept unverified with its original, failing code."""
    from alchemistcoder.verify.case import Case
    from alchemistcoder.verify.stage import _finish

    response = "```python\ndef add(a, b):\n    return a - b\n```"
    sample = Sample("add", "fixture", make_messages("Add two numbers.", response))
    sample.meta["verify"] = {}
    program = response_program(response, ["python"])
    run = CandidateRun("ok", outcomes=["fail"], errors=[("AssertionError", "")])
    case = Case(sample, program, "def add(a, b):\n    return a - b", "def add(a, b):", tests=["assert add(1, 2) == 3"],
                response_run=run, decision=D.Decision("undecided"), fixed_code="def add(a, b):\n    return b",
                first_evidence={"verdict": "fail"},
                repairs=[{"attempt": 1, "test": "assert add(1, 2) == 3", "error": "", "outcome": "fix"}])
    assert _finish(case, VerifyConfig(), True, "verify") == "rejected"
    assert sample.rejected and sample.response == response
    case.sample = Sample("add2", "fixture", make_messages("Add two numbers.", response))
    case.sample.meta["verify"] = {}
    assert _finish(case, VerifyConfig(), False, "verify") == "unverified"  # tests that may not reject only mark


def test_an_integral_float_and_an_int_are_one_answer() -> None:
    """MBPP's min_Jumps answers 2.0 where solutions answer 2; a Python test cannot tell them apart."""
    cfg = VerifyConfig(test_timeout_s=1.0)
    (runs,) = run_tests([(["def f(x):\n    return x / 2", "def f(x):\n    return x // 2"], [], ["f(4)", "f(3)"])], cfg)
    assert runs[0].answers == ["2", "1.5"] and runs[1].answers == ["2", "1"]


def test_model_free_verify_rejects_crashes_with_the_error_and_keeps_every_record() -> None:
    samples = [Sample(name, "t", make_messages(f"task {name}", _fenced(code, lang)))
               for name, (lang, code) in CASES.items()]
    samples.append(Sample("prose", "t", make_messages("Explain", "Use a set to remove duplicates.")))
    already = Sample("old", "t", make_messages("x", _fenced("raise ValueError()")))
    already.reject("filter", "short_response")
    samples.append(already)
    out = verify_samples(samples, VerifyConfig(tests=False, timeout_s=3.0), None)
    assert [s.id for s in out] == [s.id for s in samples]
    rejected = {s.id: s.rejection for s in out if s.rejected}
    assert set(rejected) == {"crashes", "own_assert", "syntax", "java_crash", "old"}
    crash = rejected["crashes"]
    assert crash.reason == "code_crashes" and crash.op == "verify_execute"
    assert crash.params["error"]["type"] == "IndexError" and crash.params["error"]["line"] == 2
    assert rejected["old"].reason == "short_response" and "verify" not in already.meta
    stats = verify_stats(out)
    assert stats["execution"]["crashes"] == 4 and stats["execution"]["no_code"] == 1
    assert stats["crash_types"] == {"ArrayIndexOutOfBoundsException": 1, "AssertionError": 1, "IndexError": 1,
                                    "SyntaxError": 1}


def test_a_samples_own_tests_decide_without_a_model() -> None:
    """MBPP-style samples carry their tests: they verify (or reject, as curate's failing_tests) with no model."""
    code = "def add(a, b):\n    return a + b"
    good = Sample("good", "mbpp", make_messages("Add", _fenced(code)), meta={"tests": ["assert add(1, 2) == 3"]})
    bad = Sample("bad", "mbpp", make_messages("Add", _fenced(code.replace("+", "-"))),
                 meta={"tests": ["assert add(1, 2) == 3", "assert add(2, 0) == 2"]})
    verify_samples([good, bad], VerifyConfig(), None)
    assert good.meta["verify"]["status"] == "verified" and good.meta["verify"]["policy"] == "source"
    assert bad.rejection.reason == "failing_tests" and bad.rejection.params["failing"][0]["test"] == "assert add(1, 2) == 3"


PALINDROME = """def is_palindrome(s):
    s = s.lower()
    return s == s[::-1]
"""


def test_a_response_that_contradicts_its_own_examples_is_rejected_without_a_model() -> None:
    """Shaped like Evol-CodeAlpaca responses found this way (docs/verify.md): the examples' claimed results are
    run on the code; only a clear contradiction rejects, prose beside a print is not a claim."""
    wrong = (f"```python\n{PALINDROME}```\n\nExample usage:\n\n```python\n"
             "print(is_palindrome('level'))  # True\n"
             "print(is_palindrome('A man, a plan, a canal: Panama'))  # Output: True\n```")
    right = ('```python\ndef mean(xs):\n    """\n    >>> mean([1, 2])\n    1.5\n    """\n    return sum(xs) / len(xs)\n\n'
             "def shout(w):\n    print(w.upper())\n\n"
             "print(mean([1, 2, 4]))  # Output: 2.33\n"
             "print(mean([2, 2]))  # the mean of the list\n"
             "print(shout('hi'))  # Output: HI\n```")
    none = f"```python\n{PALINDROME}\nprint(is_palindrome('abc'))\n```"
    samples = [Sample(n, "t", make_messages("Write it.", r)) for n, r in (("wrong", wrong), ("right", right),
                                                                          ("none", none))]
    verify_samples(samples, VerifyConfig(timeout_s=3.0), None)
    by_id = {s.id: s for s in samples}
    bad = by_id["wrong"].rejection
    assert bad.reason == "failing_own_examples" and bad.op == "verify_examples"
    assert bad.params["valid"] == 2 and len(bad.params["failing"]) == 1
    example = bad.params["failing"][0]["example"]
    assert example == {"call": "is_palindrome('A man, a plan, a canal: Panama')", "claimed": "True", "got": "False"}
    assert evidence(by_id["wrong"].trace[-1]) == ("Its own example says `is_palindrome('A man, a plan, a canal: "
                                                  "Panama')` gives True, but the code gives False.")
    good = by_id["right"]
    assert not good.rejected and good.meta["verify"]["examples"] == {"valid": 3, "passed": 3}
    assert any(e.op == "verify_examples" and e.verdict == "keep" for e in good.trace)
    assert not by_id["none"].rejected and "examples" not in by_id["none"].meta["verify"]
    again = Sample("wrong2", "t", make_messages("Write it.", wrong))
    verify_samples([again], VerifyConfig(own_examples="record", timeout_s=3.0), None)
    assert not again.rejected and again.meta["verify"]["examples"] == {"valid": 2, "passed": 1}


@pytest.mark.parametrize("reject", [[], ["crashes", "timeout"]])
def test_which_classes_reject_is_configurable(reject: list[str]) -> None:
    samples = [Sample(n, "t", make_messages("t", _fenced(CASES[n][1]))) for n in ("crashes", "timeout", "runs")]
    verify_samples(samples, VerifyConfig(tests=False, reject=reject, timeout_s=2.0), None)
    assert {s.id: s.rejection.reason for s in samples if s.rejected} == (
        {} if not reject else {"crashes": "code_crashes", "timeout": "code_timeout"})


def test_rejections_and_repairs_become_comprehension_tasks() -> None:
    """A crash rejected by verify is a filtering question (category B, its error as the evidence); an applied
    repair is a repair task (buggy code + failing test -> fixed code)."""
    from alchemistcoder.comprehend.config import ComprehendConfig
    from alchemistcoder.comprehend.stage import trace_tasks
    from alchemistcoder.verify.stage import REPAIR_OP

    crash = Sample("crash", "t", make_messages("Get the 11th item", _fenced(CASES["crashes"][1])))
    verify_samples([crash], VerifyConfig(tests=False), None)
    before = _fenced("def add(a, b):\n    return a - b")
    after = _fenced("def add(a, b):\n    return a + b")
    fixed = Sample("fixed", "t", make_messages("Add two numbers", after))
    fixed.record(REPAIR_OP, "modify", params={"attempt": 1, "test": "assert add(1, 2) == 3",
                                               "error": ["AssertionError", ""], "outcome": "fix", "passed": True},
                 before=before, after=after, model="m", stage="verify")
    tasks = trace_tasks([crash, fixed], ComprehendConfig(), seed=0)
    by_task = {t.task: t for t in tasks}
    question = by_task["filtering"]
    assert question.response.startswith("B") and "IndexError: list index out of range at line 2" in question.response
    repair = by_task["repair"]
    assert "return a - b" in repair.instruction and "assert add(1, 2) == 3" in repair.instruction
    assert "return a + b" in repair.response and repair.trace[0].params["parents"] == ["fixed"]


def test_the_verify_verb_writes_kept_rejected_and_a_manifest(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from alchemistcoder.cli import app

    rows = [{"id": "ok", "instruction": "Double a number", "response": _fenced(CASES["runs"][1])},
            {"id": "bad", "instruction": "Get the 11th item", "response": _fenced(CASES["crashes"][1])},
            {"messages": [{"role": "user", "content": "Read a name"},
                          {"role": "assistant", "content": _fenced(CASES["needs_input"][1])}]}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["verify", str(src), "--out", str(out), "--no-model"])
    assert result.exit_code == 0, result.output
    kept = [json.loads(line) for line in (out / "kept.jsonl").read_text().splitlines()]
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text().splitlines()]
    assert [r["id"] for r in kept] == ["ok", "line-3"] and [r["id"] for r in rejected] == ["bad"]
    assert kept[1]["meta"]["verify"]["execution"] == "needs_input"
    assert rejected[0]["trace"][-1]["reason"] == "code_crashes"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["count_in"] == 3 and manifest["rejected_by_reason"] == {"code_crashes": 1}
    assert manifest["stats"]["verify"]["by_source"]["input"] == {"rejected": 1, "runs": 1, "unverifiable": 1}
    (tmp_path / "broken.jsonl").write_text('{"id": "x", "instruction": "a"}\n')
    broken = CliRunner().invoke(app, ["verify", str(tmp_path / "broken.jsonl"), "--out", str(out), "--no-model"])
    assert broken.exit_code == 1 and "broken.jsonl:1: a record needs" in broken.output


def test_the_export_can_carry_the_tests_as_a_column(tmp_path) -> None:
    import json

    import pyarrow.parquet as pq

    from alchemistcoder.config import RunConfig
    from alchemistcoder.mix.export import export_mix

    tested = Sample("a", "t", make_messages("Add", _fenced("def add(a, b):\n    return a + b")),
                    meta={"tests": ["assert add(1, 2) == 3"], "tests_provenance": {"by": "model"}})
    plain = Sample("b", "t", make_messages("Explain", "Sets hold unique items."))
    cfg = RunConfig.model_validate({"mix": {"export_tests": True, "formats": ["jsonl", "parquet"]}})
    export_mix([tested, plain], cfg, tmp_path / "dataset")
    rows = [json.loads(line) for line in (tmp_path / "dataset" / "train.jsonl").read_text().splitlines()]
    assert [r["tests"] for r in rows] == [["assert add(1, 2) == 3"], []]
    table = pq.read_table(tmp_path / "dataset" / "train.parquet")
    assert table.column("tests").to_pylist() == [["assert add(1, 2) == 3"], []]


def test_the_embedded_model_writes_tests_that_only_mark(tmp_path) -> None:
    """With the real embedded model (asked explicitly: tests are off for it by default), whatever its tests say,
    nothing is rejected or rewritten: its tests may not reject (tests_can_reject: auto) and so may not repair."""
    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig

    right = Sample("right", "t", make_messages("Write a function add(a, b) that returns the sum of a and b.",
                                               _fenced("def add(a, b):\n    return a + b")))
    wrong = Sample("wrong", "t", make_messages(right.instruction, _fenced("def add(a, b):\n    return a - b")))
    cfg = VerifyConfig(tests=True, n_tests=4, n_solutions=1, tests_max_tokens=96, solution_max_tokens=64)
    with LLMClient.from_config(LLMConfig(backend="embedded"), cache_dir=tmp_path / "cache") as client:
        verify_samples([right, wrong], cfg, client, embedded=True)
    for s in (right, wrong):
        assert not s.rejected and s.response.count("return") == 1
        assert s.meta["verify"]["status"] in ("verified", "unverified") and s.meta["verify"]["tokens"] > 0
        (event,) = [e for e in s.trace if e.op == "verify_tests"]
        assert event.params["written"] >= 0 and event.model
        assert not [e for e in s.trace if e.op == "verify_repair"]


def test_a_recorded_repair_by_a_real_model_replaces_the_response_and_becomes_a_task(tmp_path) -> None:
    """Qwen2.5-Coder-1.5B's recorded answers (tests, three solutions, a fix) replayed over a real socket: the
    buggy response (lower-case vowels only) fails the consensus, the fix passes every consensus test and
    replaces it, the checked tests travel with the sample, and the repair becomes a comprehension task."""
    import json
    from pathlib import Path

    from alchemistcoder.comprehend.config import ComprehendConfig
    from alchemistcoder.comprehend.stage import trace_tasks
    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig
    from llm_fault_server import FaultServer

    fixture = json.loads((Path(__file__).parent / "data" / "llm_answers" / "verify_repair_qwen-1.5b.json").read_text())
    sample = Sample("vowels", "fixture", make_messages(fixture["instruction"], fixture["response"]))
    with FaultServer([f"text:{a['text']}" for a in fixture["answers"]]) as server:
        cfg = LLMConfig(backend="openai", model="qwen-1.5b", base_urls=[server.base_url], max_concurrency=1,
                        api_key_env=None)
        with LLMClient.from_config(cfg, cache_dir=tmp_path / "cache") as client:
            verify_samples([sample], VerifyConfig(confirm_solutions=0), client)  # recorded before confirmation
        assert server.total_received == len(fixture["answers"])
    assert not sample.rejected and sample.meta["verify"]["status"] == "repaired"
    (repair,) = [e for e in sample.trace if e.op == "verify_repair"]
    assert repair.verdict == "modify" and repair.before == fixture["response"] and repair.after == sample.response
    assert "'aeiou'" in repair.before and "'aeiou'" not in sample.response.split("```")[1].replace("'aeiouAEIOU'", "")
    decide = next(e for e in sample.trace if e.op == "verify_decide")
    assert decide.verdict == "keep" and decide.params["before_repair"]["verdict"] == "fail"
    assert sample.meta["tests"] and sample.meta["tests_provenance"]["by"] == "model"
    (task,) = [t for t in trace_tasks([sample], ComprehendConfig()) if t.task == "repair"]
    assert "'aeiou'" in task.instruction and repair.params["test"] in task.instruction


def test_a_rejection_is_confirmed_by_more_solutions_first(tmp_path, shared_data) -> None:
    """Qwen2.5-Coder-1.5B's recorded answers for MBPP/756's reference ("an a followed by zero or one 'b'",
    answered with 'Found a match!' strings) replayed over a real socket. Two of three solutions agree against it
    and it is rejected without confirmation; asked for two more (the default), the solutions no longer agree
    enough and it is kept unverified, with the confirmation in the trace. No repair is asked for then."""
    import json
    from pathlib import Path

    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig
    from llm_fault_server import FaultServer

    fixture = json.loads((Path(__file__).parent / "data" / "llm_answers" / "verify_confirm_qwen-1.5b.json").read_text())
    rows = [json.loads(line) for line in (shared_data / "mbpp" / "mbpp.jsonl").open()]
    row = next(r for r in rows if r["task_id"] == fixture["task_id"])
    response = "```python\n" + row["code"].replace("\r\n", "\n").rstrip() + "\n```"
    out = {}
    for confirm, answers in ((0, [fixture["tests"], *fixture["solutions"][:3], fixture["repair"]]),
                             (2, [fixture["tests"], *fixture["solutions"]])):
        sample = Sample(f"mbpp{row['task_id']}", "fixture", make_messages(row["text"], response))
        with FaultServer([f"text:{a}" for a in answers]) as server:
            cfg = LLMConfig(backend="openai", model="qwen-1.5b", base_urls=[server.base_url], max_concurrency=1,
                            api_key_env=None)
            with LLMClient.from_config(cfg, cache_dir=tmp_path / str(confirm)) as client:
                verify_samples([sample], VerifyConfig(confirm_solutions=confirm), client)
            assert server.total_received == len(answers)
        out[confirm] = sample
    assert out[0].rejected and out[0].meta["verify"]["status"] == "rejected"
    assert "confirmed" not in next(e for e in out[0].trace if e.op == "verify_decide").params
    kept = out[2]
    assert not kept.rejected and kept.meta["verify"]["status"] == "unverified"
    decide = next(e for e in kept.trace if e.op == "verify_decide")
    assert decide.params["confirmed"] == {"solutions_before": 3, "verdict": "undecided"}
    assert decide.params["solutions"] > 3 and not [e for e in kept.trace if e.op == "verify_repair"]


def test_a_response_that_contradicts_its_own_example_is_repaired_only_when_the_tests_verify_the_fix(tmp_path) -> None:
    """Qwen2.5-Coder-1.5B's recorded answers replayed over a real socket. Two responses whose code contradicts a
    right example (an area computed as a sum, vowels counted in lower case only) are fixed from the example, and
    the fix is kept because the model's tests and solutions then verify it; a response whose example is the wrong
    part (3 capitals in 'I Love Pizza', claimed 1) is not bent to it and stays rejected."""
    import json
    from pathlib import Path

    from alchemistcoder.comprehend.config import ComprehendConfig
    from alchemistcoder.comprehend.stage import trace_tasks
    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig
    from llm_fault_server import FaultServer

    fixture = json.loads((Path(__file__).parent / "data" / "llm_answers" /
                          "verify_examples_repair_qwen-1.5b.json").read_text())
    out = {}
    for rec in fixture["samples"]:
        sample = Sample(rec["id"], "fixture", make_messages(rec["instruction"], rec["response"]))
        with FaultServer([f"text:{a['text']}" for a in rec["answers"]]) as server:
            cfg = LLMConfig(backend="openai", model="qwen-1.5b", base_urls=[server.base_url], max_concurrency=1,
                            api_key_env=None)
            with LLMClient.from_config(cfg, cache_dir=tmp_path / rec["id"]) as client:
                verify_samples([sample], VerifyConfig(confirm_solutions=0), client)  # recorded before confirmation
            assert server.total_received == len(rec["answers"])
        out[rec["id"]] = sample
    for sid, wrong in (("area", "width + height"), ("vowels", "if ch in 'aeiou'")):
        sample = out[sid]
        assert sample.meta["verify"]["status"] == "repaired" and not sample.rejected
        (repair,) = [e for e in sample.trace if e.op == "verify_repair"]
        assert repair.verdict == "modify" and repair.params["from"] == "own_examples"
        assert wrong in repair.before and wrong not in sample.response
        (claim,) = [e for e in sample.trace if e.op == "verify_examples"]
        assert claim.verdict == "info" and claim.params["failing"][0]["example"]["got"] in ("7", "0")
        assert sample.meta["tests"] and "before_repair" not in next(e for e in sample.trace
                                                                   if e.op == "verify_decide").params
    (task,) = [t for t in trace_tasks([out["area"]], ComprehendConfig()) if t.task == "repair"]
    assert "rectangle_area(3, 4) == 12" in task.instruction
    capitals = out["capitals"]
    assert capitals.rejected and capitals.meta["verify"]["status"] == "rejected"
    assert capitals.trace[-1].op == "verify_examples" and capitals.trace[-1].params["failing"][0]["example"]["got"] == "3"
    (tried,) = [e for e in capitals.trace if e.op == "verify_repair"]
    assert tried.verdict == "info" and tried.params["outcome"] == "fix" and tried.params["passed_examples"] is False


def test_a_cpp_function_runs_on_python_asserts_through_the_typed_harness() -> None:
    """Real g++ in the sandbox: each assert's literals are written in the declared types; a value the types
    cannot hold (a float for an int) leaves that test out, and a form that is not `f(literals) == literal` too."""
    from alchemistcoder.verify.foreign_tests import foreign_interface, run_foreign_tests

    response = "```cpp\nint gcd(int a, int b) {\n    while (b) { int t = b; b = a % b; a = t; }\n    return a;\n}\n```"
    iface = foreign_interface(response, "cpp")
    assert iface is not None and "in cpp: int gcd(int, int)" in iface.prompt()
    tests = ["assert gcd(12, 18) == 6", "assert gcd(7, 5) == 2", "assert gcd(1.5, 2) == 1", "assert gcd(4, 2) > 0"]
    ((run, ran),) = run_foreign_tests([(iface, tests, [])], timeout_s=10.0)
    assert run.outcomes[:2] == ["pass", "fail"] and ran == {0, 1}


@pytest.mark.parametrize("language", ["cpp", "java", "csharp", "ruby", "php"])
def test_a_foreign_call_that_crashes_or_throws_takes_only_its_own_answer(language: str) -> None:
    """Real g++, javac, mcs, ruby and php: a C++ call that aborts ends its program and a Java, C#, Ruby or PHP call that
    throws makes the harness skip the function's later calls, so the calls after it run again without it. Its
    test fails; a probe it gives no answer to reads as no answer (no evidence), not as another answer."""
    from alchemistcoder.verify.foreign_tests import foreign_interface, run_foreign_tests
    from alchemistcoder.verify.testing import NO_ANSWER

    code = {"cpp": "#include <vector>\n#include <cstdlib>\nint first(std::vector<int> v) {\n"
                   "    if (v.empty()) std::abort();\n    return v[0];\n}",
            "java": "public class Main {\n    public static int first(int[] v) {\n"
                    "        if (v.length == 0) throw new IllegalArgumentException();\n        return v[0];\n    }\n}",
            "csharp": "public class Main {\n    public static int First(int[] v) {\n"
                      "        if (v.Length == 0) throw new System.ArgumentException();\n        return v[0];\n    }\n}",
            "ruby": "def first(v)\n  raise ArgumentError if v.empty?\n  v[0]\nend",
            "php": "<?php\nfunction first($v) {\n    if (count($v) == 0) throw new InvalidArgumentException();\n"
                   "    return $v[0];\n}"}
    iface = foreign_interface(f"```{language}\n{code[language]}\n```", language)
    assert iface is not None
    name = "First" if language == "csharp" else "first"
    tests = [t.replace("first", name) for t in
             ["assert first([1, 2]) == 1", "assert first([]) == 0", "assert first([5]) == 5", "assert first([7]) == 8"]]
    probes = [p.replace("first", name) for p in ["first([])", "first([3, 4])", "first([9])"]]
    ((run, ran),) = run_foreign_tests([(iface, tests, probes)], timeout_s=10.0)
    assert run.outcomes == ["pass", "fail", "pass", "fail"] and ran == {0, 1, 2, 3}
    assert run.answers == [NO_ANSWER, "3", "9"]


def test_a_probe_with_no_answer_is_no_evidence_against_the_response() -> None:
    from alchemistcoder.verify.testing import NO_ANSWER

    solutions = [CandidateRun("ok", answers=["0", "3", "9", "4"]) for _ in range(3)]
    silent = CandidateRun("ok", answers=[NO_ANSWER, NO_ANSWER, NO_ANSWER, "4"])
    other = CandidateRun("ok", answers=["1", "2", "8", "4"])
    assert D.differential(silent, solutions, 2)["disagree"] == []
    assert D.differential(silent, solutions, 2)["out_of_domain"] == 3
    assert D.differential(other, solutions, 2)["disagree"] == [0, 1, 2]


def test_model_tests_of_foreign_responses_only_mark_and_verify_by_every_consensus_test(tmp_path) -> None:
    """Qwen2.5-Coder-1.5B's recorded tests (Python asserts) and Python solutions for a C++, a Java and a JavaScript
    response, replayed over a real socket: the right C++ and JavaScript verify and carry their tests; the Java
    method that skips the last element fails consensus tests and stays unverified (foreign tests never reject)."""
    import json
    from pathlib import Path

    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig
    from llm_fault_server import FaultServer

    fixture = json.loads((Path(__file__).parent / "data" / "llm_answers" / "verify_foreign_qwen-1.5b.json").read_text())
    samples = [Sample(i, "fixture", make_messages(ins, resp)) for i, ins, resp in fixture["samples"]]
    with FaultServer([f"text:{a['text']}" for a in fixture["answers"]]) as server:
        cfg = LLMConfig(backend="openai", model="qwen-1.5b", base_urls=[server.base_url], max_concurrency=1,
                        api_key_env=None)
        with LLMClient.from_config(cfg, cache_dir=tmp_path / "cache") as client:
            verify_samples(samples, VerifyConfig(), client)
        assert server.total_received == len(fixture["answers"])
    by_id = {s.id: s for s in samples}
    for name, language in (("gcd_cpp", "cpp"), ("vowels_js", "javascript")):
        s = by_id[name]
        assert s.meta["verify"]["status"] == "verified", s.meta["verify"]
        assert s.meta["tests"] and s.meta["tests_provenance"]["language"] == language
    wrong = by_id["max_java_wrong"]
    assert not wrong.rejected and wrong.meta["verify"]["status"] == "unverified"
    decide = next(e for e in wrong.trace if e.op == "verify_decide")
    assert decide.params["verdict"] in ("fail", "undecided") and decide.params["failing"]
    assert any("101" in f["test"] or "3]" in f["test"] for f in decide.params["failing"])
    # a consensus of fewer tests than foreign_min_consensus verifies no foreign response (the same answers, cached)
    again = [Sample(i, "fixture", make_messages(ins, resp)) for i, ins, resp in fixture["samples"]]
    with LLMClient.from_config(cfg, cache_dir=tmp_path / "cache") as client:
        verify_samples(again, VerifyConfig(foreign_min_consensus=20), client)
    gcd = next(s for s in again if s.id == "gcd_cpp")
    assert gcd.meta["verify"]["status"] == "unverified" and not gcd.rejected and "tests" not in gcd.meta
    assert "too few consensus tests" in next(e for e in gcd.trace if e.op == "verify_decide").params["why"]
