"""Execution evidence for C# and Ruby samples (issue 24, item 5): real rows of the shared sets, compiled with mcs
and run with mono or ruby in the sandbox on the benchmark's Python tests."""

from __future__ import annotations

import pytest

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.retrieval.ngram import load_entries
from alchemistcoder.decontam.signals.csharp_ruby import cs_holds_none, cs_kind, cs_literal
from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign
from alchemistcoder.decontam.step import DecontamIndex, decontaminate_samples
from alchemistcoder.decontam.stores import VerdictStore
from alchemistcoder.records import Sample, make_messages


@pytest.fixture(scope="module")
def index(shared_data):
    """The full index (every benchmark problem): a sample's near problems are those a real run retrieves."""
    cfg = DecontamConfig()
    return cfg, DecontamIndex(load_entries(cfg), cfg)


def _decided(index, cfg, instruction, response):
    s = Sample("p", "s", make_messages(instruction, response))
    decontaminate_samples([s], cfg, index)
    return s


def test_csharp_types_literals_and_discovery(codealpaca_rows):
    """C# types and their literals; the methods a C# response offers (real rows of new_codealpaca)."""
    assert cs_kind("List<long>") == ("list", "int") and cs_kind("int[][]") == ("list", "list", "i32")
    assert cs_kind("params string[]") == ("list", "str") and cs_kind("IEnumerable<int>") == ("list", "i32")
    assert cs_kind("Dictionary<int, int>") is None and cs_kind("int?") is None
    assert cs_holds_none("string") and not cs_holds_none("int")
    assert cs_literal([[1], []], ("list", "list", "i32"), "int[][]") == "new int[][]{new int[]{1}, new int[]{}}"
    assert cs_literal([2**40], ("list", "int"), "List<long>") == "new List<long>{1099511627776L}"
    assert cs_literal("é\n\"", ("str",), "string") == '"\\u00e9\\u000a\\""'
    assert cs_literal(3, ("float",), "float") == "3.0f"
    # a bare method and its example of use (#3840): the method in a class of its own, the statements dropped
    bare = foreign_code(codealpaca_rows(3840)[1])
    assert bare.language == "csharp" and [(f.name, f.params, f.returns, f.owner) for f in bare.functions] == \
        [("IsNumberPalindrome", ["int"], "bool", "DecontamSample")]
    assert "Console.WriteLine" not in bare.source
    # a class with a Main that calls the method once (a demonstration, not a helper)
    sorter = foreign_code(codealpaca_rows(2360)[1])
    assert [(f.name, f.params, f.returns, f.owner) for f in sorter.functions] == [("SortArray", ["int[]"], "int[]", "ArraySorter")]
    # a nested class in a namespace is named as reflection names it; a helper another method calls is not tried
    nested = foreign_code("```csharp\nnamespace Util {\n  class Outer {\n    class Inner {\n"
                          "      static bool Even(int x) { return x % 2 == 0; }\n"
                          "      static int CountEven(int[] xs) => xs.Count(Even);\n    }\n  }\n}\n```")
    assert [(f.name, f.owner) for f in nested.functions] == [("CountEven", "Util.Outer+Inner")]
    # called in Main's loop: a helper of a larger computation
    loop = foreign_code("```csharp\nclass P {\n  static bool IsPrime(int n) { for (int i = 2; i * i <= n; i++) "
                        "if (n % i == 0) return false; return n > 1; }\n  static void Main() {\n    long s = 0;\n"
                        "    for (int i = 0; i < 1000; i++) if (IsPrime(i)) s += i;\n    Console.WriteLine(s);\n  }\n}\n```")
    assert loop is None


def test_ruby_discovery(codealpaca_rows):
    """A Ruby response's top-level methods (#2573's word reversal), less helpers and splats."""
    code = foreign_code(codealpaca_rows(2573)[1])
    assert code.language == "ruby" and [(f.name, f.params) for f in code.functions] == [("reverse_words", [None])]
    helper = foreign_code("```ruby\ndef prime?(n)\n  n > 1 && (2..Math.sqrt(n)).none? { |i| n % i == 0 }\nend\n\n"
                          "total = 0\n(1..100).each do |i|\n  total += i if prime?(i)\nend\nputs total\n```")
    assert helper is None  # called in a top-level loop: a helper
    assert foreign_code("```ruby\ndef f(*xs)\n  xs.sum\nend\n```") is None  # a splat: no fixed arity


RUBY_PALINDROME = ("Write a Ruby method that checks whether a given string is a palindrome.",
                   "```ruby\ndef palindrome?(text)\n  text == text.reverse\nend\n\nputs palindrome?('level')\n```")


def test_csharp_and_ruby_samples_are_convicted_on_the_benchmarks_tests(index, codealpaca_rows, monkeypatch, tmp_path,
                                                                       sandbox_languages):
    """Two of the fresh tune set's C# misses before this runner: #2360's C# array sort passes a sort's tests
    (MBPP/54's or, with its task line retrieved too, MBPP/428's, the nearer; its labelled MBPP/635 is not among its
    nearest), #1463's C# filter of the odd numbers passes
    MBPP/412's (remove the odd numbers) on MBPP+'s inputs; a Ruby palindrome check passes HumanEval/48's."""
    cfg, index = index
    monkeypatch.setattr(index.semantic(), "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # nothing cached
    for (instruction, response), task, language, many in [
            (codealpaca_rows(2360), ("Mbpp/54", "Mbpp/428"), "csharp", False), (codealpaca_rows(1463), ("Mbpp/412",), "csharp", True),
            (RUBY_PALINDROME, ("HumanEval/48",), "ruby", True)]:
        s = _decided(index, cfg, instruction, response)
        assert s.rejected, task
        p = s.rejection.params
        assert p["task_id"] in task and (p["signal"], p["scores"]["language"]) == ("execution", language)
        assert p["scores"]["tests_passed"] == p["scores"]["tests_total"] >= (20 if many else 3)
    assert {"csharp", "ruby"} <= set(sandbox_languages)
    # #3840 checks an ``int`` for HumanEval/48, whose tests are strings: its types take none of them, not tried
    assert not _decided(index, cfg, *codealpaca_rows(3840)).rejected


def test_code_that_does_not_compile_or_fails_proves_nothing():
    """A C# sample that does not compile (batched with one that does: mcs names its file, the other still runs),
    a C# method that loops past its limit, and a Ruby method that raises prove nothing."""
    good = foreign_code("```csharp\nclass A { static int Twice(int x) => 2 * x; }\n```")
    broken = foreign_code("```csharp\nclass B { static int Twice(int x) { return 2 * y; } }\n```")
    endless = foreign_code("```csharp\nclass C { static int Twice(int x) { while (true) { x++; } } }\n```")
    raises = foreign_code("```ruby\ndef twice(x)\n  raise 'no'\nend\n```")
    cases = [([1], 2), ([5], 10), ([-3], -6)]
    verdicts = verify_foreign([(code, [("T/1", ["Twice" if code.language == "csharp" else "twice"], cases)])
                               for code in (good, broken, endless, raises)], 10.0)
    assert [(v["T/1"].passed, v["T/1"].total) for v in verdicts] == [(3, 3), (0, 3), (0, 3), (0, 3)]
