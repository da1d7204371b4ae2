"""The other languages' harness programs in batches (issue 24, item 6): a batch that does not compile runs again
without the samples its compiler names, in the sandbox."""

from __future__ import annotations

from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign


def test_a_batch_that_does_not_compile_runs_again_without_the_samples_its_compiler_names(sandbox_languages):
    """Three C++ and three Java samples, one of each that does not compile alone: the two good ones of each
    language still answer, each batch is compiled twice or three times (not halved down to single samples), and a
    Java sample's imports reach no other sample (the one that uses ``Collectors`` without importing it fails,
    beside one that imports it)."""
    programs = sandbox_languages
    cpp = ["```cpp\nint twice(int x) { return 2 * x; }\n```",
           "```cpp\nint broken(int x) { return x + undeclared_name; }\n```",
           "```cpp\n#include <vector>\nint total(std::vector<int> v) { int s = 0; for (int x : v) s += x; return s; }\n```"]
    java = ["```java\nimport java.util.stream.Collectors;\npublic class A {\n  public static String join(List<String> xs) "
            "{ return xs.stream().collect(Collectors.joining(\",\")); }\n}\n```",
            "```java\npublic class B {\n  public static String glue(List<String> xs) "
            "{ return xs.stream().collect(Collectors.joining(\"\")); }\n}\n```",
            "```java\npublic class C {\n  public static int twice(int x) { return 2 * x; }\n}\n```"]
    cases = {"twice": [([3], 6)], "broken": [([3], 3)], "total": [([[1, 2]], 3)], "join": [([["a", "b"]], "a,b")],
             "glue": [([["a", "b"]], "ab")]}
    pairs = []
    for response in cpp + java:
        code = foreign_code(response)
        name = code.functions[0].name
        pairs.append((code, [(f"T/{name}", [name], cases[name])]))
    out = verify_foreign(pairs, 5.0)
    passed = [v[f"T/{p[0].functions[0].name}"].passed for v, p in zip(out, pairs, strict=True)]
    assert passed == [1, 0, 1, 1, 0, 1]
    assert programs.count("cpp") == 3  # the batch, the sample its errors name alone, the others
    assert programs.count("java") == 2  # the batch, the others: javac named the file that fails alone


def test_a_java_call_is_limited_by_its_cpu_time_not_the_wall_clock(sandbox_languages):
    """A Java call's limit is its worker thread's CPU time (issue 24: a 1 s wall-clock limit flipped verdicts with
    the machine's load): a method that waits 1.5 s without computing still answers, one that computes forever is
    stopped (its other calls skipped) and the batch's next sample answers after it."""
    java = ["```java\npublic class Slow {\n  public static int late(int x) throws Exception "
            "{ Thread.sleep(1500); return x + 1; }\n}\n```",
            "```java\npublic class Spin {\n  public static int spin(int x) { long s = 0; while (x > 0) s += x; "
            "return (int) s; }\n}\n```",
            "```java\npublic class Fine {\n  public static int twice(int x) { return 2 * x; }\n}\n```"]
    cases = {"late": [([1], 2)], "spin": [([1], 1), ([2], 2)], "twice": [([3], 6)]}
    pairs = []
    for response in java:
        code = foreign_code(response)
        name = code.functions[0].name
        pairs.append((code, [(f"T/{name}", [name], cases[name])]))
    out = verify_foreign(pairs, 5.0)
    passed = [v[f"T/{p[0].functions[0].name}"].passed for v, p in zip(out, pairs, strict=True)]
    assert passed == [1, 0, 1]
    assert sandbox_languages.count("java") == 1


def test_java_methods_outside_a_class_are_called_without_the_statements_beside_them(sandbox_languages):
    """A Java answer written as a bare method and the statements that use it (no class: a snippet as a response
    shows it, issue 24): the method is wrapped in a class without the statements (a call, a loop, an assignment
    are no class member; the fields stay), so it compiles and answers."""
    response = ("```java\nimport java.util.Arrays;\n\npublic static int[] sortArray(int[] array) {\n"
                "    Arrays.sort(array);\n    return array;\n}\n\nint[] array = {4, 1, 7, 3, 9, 1};\n"
                "int[] sortedArray = sortArray(array);\nSystem.out.println(Arrays.toString(sortedArray));\n"
                "for (int i = 0; i < 3; i++) { System.out.println(i); }\n```")
    code = foreign_code(response)
    assert [f.name for f in code.functions] == ["sortArray"]
    out = verify_foreign([(code, [("T/sort", ["sortArray"], [([[3, 1, 2]], [1, 2, 3]), ([[5, 4]], [4, 5])])])], 5.0)
    assert out[0]["T/sort"].passed == 2
    assert sandbox_languages.count("java") == 1


def test_a_foreign_function_is_judged_on_the_benchmarks_own_tests_when_its_types_express_all_of_them(sandbox_languages):
    """A Java ``int`` area against MBPP/458's tests, three integer ones (MBPP's own, EvalPlus's base inputs) and
    many float ones its types cannot express (issue 24, F2): no evidence by the half rule alone, a pass when the
    problem's originals (every one expressible) are known; an area that fails one of them is no leak."""
    area = foreign_code("```java\npublic class R {\n  public static int area(int l, int w) { return l * w; }\n}\n```")
    perimeter = foreign_code("```java\npublic class P {\n  public static int edge(int l, int w) { return 2 * (l + w); }\n}\n```")
    base = [[10, 20], [10, 5], [4, 2]]
    cases = [(args, args[0] * args[1]) for args in [*base, [0.5, 0.5], [2.5, 4.8], [0.5, 4.8], [4.8, 4.8]]]
    pairs = [(area, [("Mbpp/458", ["area"], cases)]), (perimeter, [("Mbpp/458", ["edge"], cases)])]
    assert verify_foreign(pairs, 5.0) == [{}, {}]
    out = verify_foreign(pairs, 5.0, originals={"Mbpp/458": base})
    assert (out[0]["Mbpp/458"].passed, out[0]["Mbpp/458"].total, out[0]["Mbpp/458"].leak) == (3, 3, True)
    assert not out[1]["Mbpp/458"].leak
    assert verify_foreign(pairs[:1], 5.0, originals={"Mbpp/458": [*base, [1.5, 2.0]]}) == [{}]  # one not expressible


def test_a_main_that_reads_nothing_runs_as_a_function_of_its_one_literal_array(sandbox_languages):
    """A C++ ``main`` summing ``int arr[10] = {...}`` with ``i < 10`` and a Java one taking the largest of
    ``int[] nums = {...}`` (issue 24: MBPP/798 asked as "create an array of 10 integers and print their sum"): the
    array is the lifted function's input, its length the input's, so inputs of other lengths are answered; a main
    with two array literals is not lifted (which one is the input?)."""
    cpp = foreign_code("```cpp\n#include<iostream>\nusing namespace std;\nint main() {\n  int arr[10] = {1,2,3,4,5,6,7,8,9,10};\n"
                       "  int sum = 0;\n  for (int i=0; i<10; i++) {\n    sum = sum + arr[i];\n  }\n"
                       "  cout<<\"Sum of 10 integers is: \"<<sum;\n  return 0;\n}\n```")
    java = foreign_code("```java\npublic class M {\n  public static void main(String[] args) {\n    int[] nums = {3, 9, 2};\n"
                        "    int n = nums.length;\n    int max = nums[0];\n    for (int i = 1; i < n; i++) { if (nums[i] > max) max = nums[i]; }\n"
                        "    System.out.println(\"Max: \" + max);\n  }\n}\n```")
    assert [(f.name, f.params) for f in cpp.functions] == [("lifted_main", ["std::vector<int>"])]
    assert [(f.name, f.params) for f in java.functions] == [("lifted_main", ["int[]"])]
    sums = [([[1, 2, 3]], 6), ([[15, 12, 13, 10]], 50), ([[0, 1, 2]], 3)]
    largest = [([[1, 7, 3]], 7), ([[-4, -2]], -2), ([[5]], 5)]
    out = verify_foreign([(cpp, [("T/sum", ["lifted_main"], sums)]), (java, [("T/max", ["lifted_main"], largest)])], 5.0)
    assert (out[0]["T/sum"].passed, out[1]["T/max"].passed) == (3, 3)
    two = foreign_code("```cpp\n#include<iostream>\nint main() {\n  int a[] = {1, 2};\n  int b[] = {3, 4};\n  int s = a[0] + b[1];\n"
                       "  std::cout << s;\n  return 0;\n}\n```")
    assert two is None or "lifted_main" not in [f.name for f in two.functions]


def test_a_call_that_crashes_fails_its_problem_and_not_the_next_one(sandbox_languages):
    """A C++ function that aborts on one problem's input ends its program, and a Java method that throws makes the
    harness skip its later calls: the problems tried after it run again without that call (``run_calls``), so
    the sample still passes the one it solves, while the calls of the problem it crashed on are not run again."""
    responses = ["```cpp\n#include <vector>\n#include <cstdlib>\nint first(std::vector<int> v) {\n"
                 "    if (v.empty()) std::abort();\n    return v[0];\n}\n```",
                 "```java\npublic class F {\n  public static int first(int[] v) {\n"
                 "    if (v.length == 0) throw new IllegalArgumentException();\n    return v[0];\n  }\n}\n```"]
    problems = [("T/nonempty", ["first"], [([[]], 0), ([[1]], 1), ([[2]], 2)]),
                ("T/head", ["first"], [([[3, 4]], 3), ([[5]], 5)])]
    out = verify_foreign([(foreign_code(r), problems) for r in responses], 5.0)
    for verdicts in out:
        assert not verdicts["T/nonempty"].leak and verdicts["T/head"].leak
    assert sandbox_languages.count("cpp") == 2 and sandbox_languages.count("java") == 2


def test_a_literal_too_large_for_int_leaves_out_its_test_not_the_sample(sandbox_languages):
    """C++'s and Java's ``int`` hold 32 bits: a test with -9999999999999999 (HumanEval/114's) is one the
    declared types cannot express, not a literal that stops the whole sample from compiling (it did, and the
    sample lost every problem it was tried on)."""
    responses = ["```cpp\n#include <vector>\nint sum_vector(const std::vector<int>& v) {\n    int s = 0;\n"
                 "    for (int x : v) s += x;\n    return s;\n}\n```",
                 "```java\npublic class S {\n  public static int sum(int[] v) {\n    int s = 0;\n"
                 "    for (int x : v) s += x;\n    return s;\n  }\n}\n```"]
    out = []
    for response in responses:
        code = foreign_code(response)
        name = code.functions[0].name
        problems = [("T/big", [name], [([[-9999999999999999]], -9999999999999999), ([[2**40, 1]], 2**40 + 1),
                                       ([[1, 2]], 3)]),
                    ("T/sum", [name], [([[1, 2, 3]], 6), ([[5]], 5)])]
        out.append(verify_foreign([(code, problems)], 5.0)[0])
    for verdicts in out:
        assert verdicts["T/sum"].leak and "T/big" not in verdicts  # most of its tests cannot be expressed
    assert set(sandbox_languages) == {"cpp", "java"} and len(sandbox_languages) == 2


def test_a_cpp_array_and_its_length_are_given_the_tests_list(sandbox_languages):
    """``int findMax(int arr[], int n)`` and ``int array_sum(int *arr, int size)``: the test gives the list (as
    MBPP's and HumanEval's do), the harness passes a vector's data and its length, as for C. The harness once
    declared ``int [] a0 = {...}``, which is no C++, and a function with the length beside its array was never
    tried on a one-argument test."""
    responses = ["```cpp\nint findMax(int arr[], int n) {\n  int m = arr[0];\n"
                 "  for (int i = 1; i < n; i++) if (arr[i] > m) m = arr[i];\n  return m;\n}\n```",
                 "```cpp\nint array_sum(const int *arr, int size) {\n  int s = 0;\n"
                 "  for (int i = 0; i < size; i++) s += arr[i];\n  return s;\n}\n```"]
    cases = {"findMax": [([[1, 5, 2]], 5), ([[7]], 7), ([[-3, -1]], -1)], "array_sum": [([[1, 5, 2]], 8), ([[7]], 7)]}
    pairs = []
    for response in responses:
        code = foreign_code(response)
        (fn,) = code.functions
        assert fn.params[0].endswith("int[]") and len(fn.params) == 1 and fn.sized == {0}
        pairs.append((code, [(f"T/{fn.name}", [fn.name], cases[fn.name])]))
    out = verify_foreign(pairs, 5.0)
    assert all(v[f"T/{p[0].functions[0].name}"].leak for v, p in zip(out, pairs, strict=True))
    assert sandbox_languages == ["cpp"]


def test_cpp_calls_run_from_functions_and_a_call_that_does_not_compile_is_its_samples(sandbox_languages):
    """C++ calls are made from functions of 32 calls each, not one ``main`` (g++'s time grows faster than a
    function's length): a sample's 40 calls all answer; a call line that does not compile (a literal that narrows
    into ``short``) is its sample's, so the batch's other sample still answers (three compiles: the batch, the named
    sample alone, the other)."""
    programs = sandbox_languages
    twice = foreign_code("```cpp\nint twice(int x) { return 2 * x; }\n```")
    first = foreign_code("```cpp\n#include <vector>\nint first(std::vector<short> v) { return v[0]; }\n```")
    out = verify_foreign([(twice, [("T/twice", ["twice"], [([i], 2 * i) for i in range(40)])]),
                          (first, [("T/first", ["first"], [([[40000]], 40000)])])], 5.0)
    assert (out[0]["T/twice"].passed, out[0]["T/twice"].total) == (40, 40)
    assert out[1]["T/first"].passed == 0
    assert programs.count("cpp") == 3


def test_java_calls_are_cases_of_switches_and_long_literals_still_compile(sandbox_languages):
    """A Java sample's calls are cases of switches, four a method, made through one lambda (a lambda a call cost
    javac and the JVM more): 10 calls, each with a 400-element array (about 3 KB of bytecode a case), all answer
    from one program; a call that throws still skips its function's later calls, and the next function answers."""
    code = foreign_code("```java\npublic class A {\n  public static int total(int[] xs) { int s = 0; for (int x : xs) s += x;"
                        " return s; }\n  public static int pick(int[] xs) { return xs[5]; }\n}\n```")
    cases = [([list(range(i, i + 400))], sum(range(i, i + 400))) for i in range(10)]
    picks = [([[1, 2, 3]], 0), ([list(range(10))], 5)]  # the first throws: the second is skipped
    out = verify_foreign([(code, [("T/total", ["total"], cases), ("T/pick", ["pick"], picks)])], 5.0)
    assert (out[0]["T/total"].passed, out[0]["T/total"].total) == (10, 10)
    assert (out[0]["T/pick"].passed, out[0]["T/pick"].total) == (0, 2)
    assert sandbox_languages.count("java") == 1
