"""Issue 24's seventh recall round: answers that differ from the benchmark's only in the whitespace of an input
with odd spacing (``split(' ')`` against ``split()``: MBPP/604's reversed words in JavaScript or Java) do not count
against a near pass; an exception on empty arguments is excused (a palindrome check that refuses ''); a
statement that ignores characters only to normalise them ("ignoring non-alphanumeric characters") is no
contract change for the statement veto; set equality does not hide repeats; a procedure that sorts its list in
place is read through it; foreign samples are tried deeper; a problem the words retrieve is tried among the
nearest too."""

from __future__ import annotations

import pytest

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.policy import foreign_tries, tries
from alchemistcoder.decontam.retrieval.embedding import Candidate, load_embedder
from alchemistcoder.decontam.signals._same import odd_spacing, same_set, same_set_once, spacing_only
from alchemistcoder.decontam.signals.facts import statement_veto
from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign
from alchemistcoder.decontam.signals.python import is_adapter, reference_cases, sample_code, verify

JS_REVERSE = "```javascript\nfunction reverseWords(str) {\n  return str.split(' ').reverse().join(' ');\n}\n```"
PY_REVERSE = "```python\ndef reverse_words(s):\n    return ' '.join(s.split(' ')[::-1])\n```"
# the same function with one more convention: every word upper-cased, which no whitespace explains
PY_UPPER = "```python\ndef reverse_words(s):\n    return ' '.join(w.upper() if len(w) > 6 else w for w in s.split()[::-1])\n```"
PALINDROME = ("```python\ndef is_palindrome(s):\n    if not s:\n        raise ValueError('empty')\n"
              "    s = ''.join(c.lower() for c in s if c.isalpha())\n    return s == s[::-1]\n```")


@pytest.fixture(scope="module")
def problems(bench_problems):
    return bench_problems("Mbpp/604", "HumanEval/48", "Mbpp/635", "Mbpp/460", "HumanEval/53", "Mbpp/140", "Mbpp/2")


def test_whitespace_only_differences_on_odd_spacing():
    assert spacing_only(" b  a", "b a") and not spacing_only("b a", "b a") and not spacing_only("ba", "b a")
    assert not spacing_only(["b", "a"], "b a")
    assert odd_spacing(["a  b"]) and odd_spacing([" a b"]) and odd_spacing([["x", "a\tb"]])
    assert not odd_spacing(["a b"]) and not odd_spacing([3, "ab"])


def _verdict(problem, response: str, near_share: float):
    code = sample_code(response)
    (verdicts,) = verify([(code, [(problem, [f.name for f in code.functions if not is_adapter(f.name)])])],
                         5, 0.5, near_share=near_share)
    return verdicts[problem.key]


def test_split_on_one_space_is_a_near_pass_of_mbpp_604_in_python(problems):
    """MBPP+'s added inputs for "reverse words separated by spaces" have runs of spaces; ``split(' ')`` keeps
    them. Every difference is whitespace: a near pass, however many; without the near rule, no pass. A function
    that also differs in its words (upper-cased long words) stays a failure."""
    p, cfg = problems["Mbpp/604"], DecontamConfig()
    v = _verdict(p, PY_REVERSE, cfg.exec_near_share)
    assert v.leak and v.near > int(cfg.exec_near_share * v.total) and v.spacing == v.near
    assert v.to_params()["tests_spacing"] == v.spacing
    assert not _verdict(p, PY_REVERSE, 0.0).leak
    assert not _verdict(p, PY_UPPER, cfg.exec_near_share).leak


def test_split_on_one_space_is_a_near_pass_of_mbpp_604_in_javascript(problems):
    p, cfg = problems["Mbpp/604"], DecontamConfig()
    cases = reference_cases([p], cfg.exec_call_limit_s)[p.key]
    (out,) = verify_foreign([(foreign_code(JS_REVERSE), [(p.key, ["reverseWords"], cases)])], cfg.exec_timeout_s,
                            originals={p.key: p.inputs[: p.base]}, near_share=cfg.exec_near_share)
    v = out[p.key]
    assert v.leak and v.language == "javascript" and v.spacing == v.near > int(cfg.exec_near_share * v.total)
    (off,) = verify_foreign([(foreign_code(JS_REVERSE), [(p.key, ["reverseWords"], cases)])], cfg.exec_timeout_s,
                            originals={p.key: p.inputs[: p.base]}, near_share=0.0)
    assert not off[p.key].leak


def test_an_exception_on_the_empty_string_is_excused(problems):
    """HumanEval/48's first input is ''. A palindrome check that raises there, and ignores case and punctuation,
    answers the rest as the benchmark does but a few added inputs: a near pass. Raising on a non-empty input is
    no convention."""
    p = problems["HumanEval/48"]
    assert _verdict(p, PALINDROME, DecontamConfig().exec_near_share).leak
    raising = PALINDROME.replace("if not s:", "if len(s) == 3:")  # 'aba' is one of its own inputs
    assert not _verdict(p, raising, DecontamConfig().exec_near_share).leak


def test_ignoring_characters_to_normalise_them_is_no_contract_change():
    statements = ["Checks if given string is a palindrome"]
    for instruction in ("Implement a function which checks if a given string is a palindrome and also ignores any "
                        "non-alphanumeric characters.",
                        "Write a Java program that checks if a given string is a palindrome or not. Ignore non-letter "
                        "characters and case sensitivity.",
                        "Create a Python function to check whether a given string is a palindrome, while also ignoring "
                        "spaces, punctuation marks, and special characters."):
        assert statement_veto(statements, instruction) is None, instruction
    # excluding elements chooses them: still a contract change
    veto = statement_veto(["Write a function to reverse a string."], "Reverse a string, excluding any vowels.")
    assert veto is not None and "ignores some elements" in veto["added"]


def test_set_equality_does_not_hide_repeats_where_the_statement_lists_each_element_once(problems):
    """MBPP/140's "elements that occur singly" are compared as sets (EvalPlus's oracle); a flattened list that
    repeats them is another answer. MBPP/2's "shared elements" say nothing of repeats: listed with them, they are
    the same answer. Another order, or a benchmark answer with repeats of its own, still compares as a set."""
    assert problems["Mbpp/140"].test_spec().get("set_once") and problems["Mbpp/2"].test_spec()["set_eq"]
    assert not problems["Mbpp/2"].test_spec().get("set_once")
    assert not same_set_once([1, 2, 2, 3], [1, 2, 3], 0.0) and same_set([1, 2, 2, 3], [1, 2, 3], 0.0)
    assert same_set_once([3, 1, 2], [1, 2, 3], 0.0) and same_set_once([1, 2], [1, 1, 2], 0.0)
    flatten = sample_code("```python\nfrom itertools import chain\n\ndef flat(a):\n    return list(chain.from_iterable(a))\n```")
    (verdicts,) = verify([(flatten, [(problems["Mbpp/140"], ["flat"])])], 5, 0.5)
    assert not verdicts["Mbpp/140"].leak
    common = sample_code("```python\ndef common(a, b):\n    return [x for x in a if x in b]\n```")
    (verdicts,) = verify([(common, [(problems["Mbpp/2"], ["common"])])], 5, 0.5)
    assert verdicts["Mbpp/2"].passed > 3  # its own tests at least: the repeats of MBPP+'s added lists aside


BUBBLE = ("```python\ndef bubble_sort(arr):\n    n = len(arr)\n    for i in range(n):\n        for j in range(0, n - i - 1):\n"
          "            if arr[j] > arr[j + 1]:\n                arr[j], arr[j + 1] = arr[j + 1], arr[j]\n```")


def test_a_procedure_that_sorts_in_place_is_read_through_its_argument(problems):
    """A bubble sort that returns nothing passes MBPP/635's sort through the in-place adapter, which goes wherever
    its function goes (not only to the nearest two problems); a procedure that only prints its list does not."""
    p = problems["Mbpp/635"]
    v = _verdict(p, BUBBLE, 0.0)
    assert v.leak and v.function == "_adapt_inplace_bubble_sort"
    printing = "```python\ndef show(arr):\n    for x in arr:\n        print(x)\n```"
    assert not _verdict(p, printing, 0.0).leak
    code = sample_code(BUBBLE)
    far = Candidate(0, 0.58, rank=2)  # cosine below exec_adapter_threshold: the other adapters stay out
    assert tries(DecontamConfig(), far, p, code) == ["bubble_sort", "_adapt_inplace_bubble_sort"]


def test_foreign_samples_are_tried_deeper_than_python(problems):
    """HumanEval/53 at rank 7 (behind six "sum" problems) is tried on a Java ``sumOfTwo``, whatever its name, and on a
    Python function only when it is named like ``add``."""
    cfg, p = DecontamConfig(), problems["HumanEval/53"]
    c = Candidate(0, 0.61, rank=7)
    java = foreign_code("```java\npublic int sumOfTwo(int a, int b) {\n    return a + b;\n}\n```")
    assert foreign_tries(cfg, c, p, java.as_sample_code()) == ["sumOfTwo"]
    python = sample_code("```python\ndef sum_of_two(a, b):\n    return a + b\n```")
    assert tries(cfg, c, p, python) == []
    assert tries(cfg, c, p, sample_code("```python\ndef add(a, b):\n    return a + b\n```")) == ["add", "_adapt_inplace_add"]


def test_a_problem_the_words_retrieve_is_tried_among_the_nearest_too(problems):
    """MBPP/460's "first element of each sublist" holds two of the three content words of "the first element of
    every tuple": it is a lexical candidate even where it is also among the nearest by meaning, and its 53 tests run
    on the CoNaLa one-liner at any rank."""
    from alchemistcoder.decontam.step import SemanticIndex

    cfg = DecontamConfig()
    index = SemanticIndex(list(problems.values()), cfg, embedder=load_embedder(None))
    (cands,) = index.candidates(["get a list `y` of the first element of every tuple in list `x`"])
    (c,) = [c for c in cands if index.problems[c.problem].key == "Mbpp/460"]
    assert c.lexical
    deep = Candidate(c.problem, 0.55, rank=22, lexical=True)
    code = sample_code("y = [i[0] for i in x]")
    assert tries(cfg, deep, problems["Mbpp/460"], code) == ["_snippet_0", "_adapt_inplace__snippet_0"]
    assert tries(cfg, Candidate(c.problem, 0.55, rank=22), problems["Mbpp/460"], code) == []


INPLACE = {
    "java": "```java\npublic static void insertionSort(int arr[]) {\n  int n = arr.length;\n  for (int i = 1; i < n; ++i) { "
            "int key = arr[i]; int j = i - 1;\n    while (j >= 0 && arr[j] > key) { arr[j + 1] = arr[j]; j = j - 1; }\n"
            "    arr[j + 1] = key; }\n}\n```",
    "cpp": "```cpp\n#include <vector>\nusing namespace std;\nvoid bubbleSort(vector<int>& v) {\n  for (size_t i = 0; i < v.size(); i++) "
           "for (size_t j = 0; j + 1 < v.size() - i; j++) if (v[j] > v[j+1]) swap(v[j], v[j+1]);\n}\n```",
    "c": "```c\nvoid bubbleSort(int arr[], int n) {\n  for (int i = 0; i < n - 1; i++) for (int j = 0; j < n - i - 1; j++) "
         "if (arr[j] > arr[j+1]) { int t = arr[j]; arr[j] = arr[j+1]; arr[j+1] = t; }\n}\n```",
    "javascript": "```javascript\nfunction bubbleSort(arr) {\n  for (let i = 0; i < arr.length; i++) for (let j = 0; j < arr.length - i - 1; j++) "
                  "if (arr[j] > arr[j+1]) { const t = arr[j]; arr[j] = arr[j+1]; arr[j+1] = t; }\n}\n```",
}


def test_foreign_procedures_that_sort_in_place_are_read_through_their_array(problems):
    """A Java, C++, C or JavaScript sort that returns nothing and sorts its array argument answers MBPP/635 with that
    array. A ``const`` array, or a vector taken by value, cannot be changed: no procedure to read; nor is Java's
    ``main``."""
    p, cfg = problems["Mbpp/635"], DecontamConfig()
    cases = reference_cases([p], cfg.exec_call_limit_s)[p.key]
    codes = [foreign_code(src) for src in INPLACE.values()]
    assert all(c.functions[0].inplace for c in codes[:3])
    out = verify_foreign([(c, [(p.key, [c.functions[0].name], cases)]) for c in codes], cfg.exec_timeout_s,
                         originals={p.key: p.inputs[: p.base]})
    for language, verdicts in zip(INPLACE, out, strict=True):
        v = verdicts[p.key]
        assert v.leak and v.passed == v.total > 20, (language, v)
    for src in ("```cpp\nvoid show(const vector<int>& v) {\n  for (int x : v) cout << x;\n}\n```",
                "```cpp\nvoid sortIt(vector<int> v) {\n  sort(v.begin(), v.end());\n}\n```",
                "```java\npublic class A {\n  public static void main(String[] args) {\n    System.out.println(1);\n  }\n}\n```"):
        code = foreign_code(src)
        assert code is None or not any(f.inplace for f in code.functions), src
