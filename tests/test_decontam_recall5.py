"""Issue 24's fifth recall round, designed on the second tune draw (``fresh_tune2.jsonl``): a near pass (every one of
the benchmark's own inputs, all but a few of EvalPlus's added ones) convicts among the nearest candidates, and
"from smallest to largest" is an order, not a choice of the smaller one, for the statement veto."""

from __future__ import annotations

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.policy import decide
from alchemistcoder.decontam.retrieval.embedding import Candidate
from alchemistcoder.decontam.signals.facts import statement_veto
from alchemistcoder.decontam.signals.python import ExecVerdict, sample_code, verify
from test_decontam_cpu_limits import _passed
from test_decontam_recall4 import _problems, _verdict

NORMALISING_PALINDROME = ("def is_palindrome(s):\n    t = ''.join(c.lower() for c in s if c.isalnum())\n"
                          "    return t == t[::-1]\n")


def test_a_near_pass_needs_every_one_of_the_benchmarks_own_inputs(shared_data):
    """A palindrome check that ignores case and spaces answers HumanEval/48's own inputs and all but four of
    EvalPlus's added ones ("Was it a car or a cat I saw?"): a near pass, a leak, with the inputs answered otherwise
    in its evidence. One that also fails one of the benchmark's own inputs (the empty string) is no leak, and
    neither is the near pass with ``exec_near_share`` 0."""
    (problem,) = _problems({"HumanEval/48"})
    near = _verdict(NORMALISING_PALINDROME, problem, "is_palindrome")
    assert near.leak and near.near == 4 and near.passed == near.total - 4
    assert near.to_params()["tests_differing"] == 4
    empty_wrong = _verdict(NORMALISING_PALINDROME.replace("return t ==", "return bool(t) and t =="), problem,
                           "is_palindrome")
    assert not empty_wrong.leak and empty_wrong.near == 0
    cfg = DecontamConfig()
    [off] = verify([(sample_code(f"```python\n{NORMALISING_PALINDROME}```"), [(problem, ["is_palindrome"])])],
                   cfg.exec_timeout_s, cfg.exec_call_limit_s, near_share=0.0)
    assert not off[problem.key].leak


def test_a_near_pass_convicts_only_among_the_nearest_candidates(shared_data):
    """A near pass is weaker evidence than a pass: it convicts at rank < ``top_k`` only (a palindrome check nearly
    passes MBPP/285's mostly-False tests at rank 4); a full pass at the same rank still convicts."""
    cfg = DecontamConfig()
    (problem,) = _problems({"HumanEval/48"})
    near = ExecVerdict(problem.key, "is_palindrome", 53, 57, near=4)
    full = ExecVerdict(problem.key, "is_palindrome", 57, 57)
    instruction = "Write a function that checks whether a string is a palindrome."
    for rank, verdict, convicts in ((0, near, True), (cfg.top_k, near, False), (cfg.top_k, full, True)):
        cands = [Candidate(0, 0.55, rank)]
        hit = decide(cfg, [problem], [[]], instruction, cands, {problem.key: verdict}).hit
        assert (hit is not None) == convicts, (rank, verdict)


def test_an_order_from_smallest_to_largest_is_no_choice_of_the_smaller_one():
    """"Sort a list of numbers from smallest to largest" states MBPP/635's "sort the given list" (the tests tell
    the directions apart); "the smallest number of a list" still adds a choice."""
    statement = ["Write a function to sort the given list."]
    assert statement_veto(statement, "Write a Python function to sort a list of numbers from smallest to largest.") is None
    assert statement_veto(statement, "Sort the array from highest to lowest.") is None
    assert statement_veto(statement, "Write a function to find the smallest number in a list.") is not None


def test_a_cpp_char_array_parameter_takes_a_string(sandbox_languages):
    """A C++ ``findLength(char arr[])`` (and a ``const char*``) is called with a test's string as a C string, so
    it can answer HumanEval/23's strlen; a ``std::vector<char>`` still takes a list of characters."""
    responses = ["```cpp\nint findLength(char arr[]) { int n = 0; while (arr[n] != '\\0') n++; return n; }\n```",
                 "```cpp\n#include <cstring>\nint size(const char* s) { return (int) strlen(s); }\n```",
                 "```cpp\n#include <vector>\nint count(std::vector<char> v) { return (int) v.size(); }\n```"]
    cases = {"findLength": [(["hello"], 5), ([""], 0)], "size": [(["abc"], 3)], "count": [([["a", "b"]], 2)]}
    assert _passed(responses, cases, 5.0) == [2, 1, 1]  # every case of each


def test_a_char_array_is_a_string_for_the_statement_veto():
    """"The length of a given char array" states HumanEval/23's length of a string (a C string); "the length of a
    given array" is still a sequence where the benchmark says a string."""
    statement = ["Return length of given string"]
    assert statement_veto(statement, "Implement a C++ function that finds the length of a given char array.") is None
    assert statement_veto(statement, "Find the length of a given array.") is not None


def test_a_scripts_range_stop_is_its_input_counted_inclusively_too():
    """"The sum of the numbers from 1 to 10" as a script (``range(1, 11)``, a literal start beside it): the stop is
    the input, as itself and as n + 1 (the numbers from 1 to n), so the lifted function can answer HumanEval/60's
    ``sum_to_n``."""
    code = sample_code("total = 0\nfor i in range(1, 11):\n    total += i\nprint(total)")
    assert code is not None
    bodies = [s for s in code.statements if s.startswith("def _snippet_")]
    assert any("range(1, arg0)" in s for s in bodies) and any("range(1, arg0 + 1)" in s for s in bodies)
    namespace: dict = {}
    for statement in bodies:
        exec(statement, namespace)  # our own lifted text of a literal script, not a sample's code
    assert sorted(namespace[f.name](10) for f in code.functions if f.name.startswith("_snippet_")) == [45, 55]


def test_a_sequence_of_strings_is_vetoed_only_where_the_benchmarks_tests_give_a_string(shared_data):
    """"Sum the length of all strings in a list" passes MBPP/242's tests (a string's characters are strings), but
    MBPP/242's own tests give a string: vetoed. MBPP/90's "the length of the longest word" takes a list of words
    in its tests, so a list of strings there is no other object."""
    p242, p90 = sorted(_problems({"Mbpp/242", "Mbpp/90"}), key=lambda p: p.key)
    assert p242.string_input and not p90.string_input
    sample = "sum the length of all strings in a list `strings`"
    assert "a sequence of strings where the benchmark says a string" in \
        statement_veto(p242.statements, sample, p242.nested_input, p242.string_input)["objects"]
    longest = "Create a function that takes a list of strings as an argument and returns the length of the longest string."
    assert statement_veto(p90.statements, longest, p90.nested_input, p90.string_input) is None

