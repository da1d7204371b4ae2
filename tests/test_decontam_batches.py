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
