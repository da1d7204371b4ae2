"""Issue 24's seventh recall round: answers that differ from the benchmark's only in the whitespace of an input
with odd spacing (``split(' ')`` against ``split()``: MBPP/604's reversed words in JavaScript or Java) do not count
against a near pass; an exception on empty arguments is excused (a palindrome check that refuses ''); and a
statement that ignores characters only to normalise them ("ignoring non-alphanumeric characters") is no
contract change for the statement veto."""

from __future__ import annotations

import pytest

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import problems_from_tasks
from alchemistcoder.decontam.signals._same import odd_spacing, spacing_only
from alchemistcoder.decontam.signals.facts import statement_veto
from alchemistcoder.decontam.signals.foreign import foreign_code, reference_cases, verify_foreign
from alchemistcoder.decontam.signals.python import sample_code, verify

JS_REVERSE = "```javascript\nfunction reverseWords(str) {\n  return str.split(' ').reverse().join(' ');\n}\n```"
PY_REVERSE = "```python\ndef reverse_words(s):\n    return ' '.join(s.split(' ')[::-1])\n```"
# the same function with one more convention: every word upper-cased, which no whitespace explains
PY_UPPER = "```python\ndef reverse_words(s):\n    return ' '.join(w.upper() if len(w) > 6 else w for w in s.split()[::-1])\n```"
PALINDROME = ("```python\ndef is_palindrome(s):\n    if not s:\n        raise ValueError('empty')\n"
              "    s = ''.join(c.lower() for c in s if c.isalpha())\n    return s == s[::-1]\n```")


@pytest.fixture(scope="module")
def problems(shared_data):
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    tasks = [t for name in ("mbpp+", "humaneval+") for t in load_benchmark(name)
             if t.task_id in {"Mbpp/604", "HumanEval/48"}]
    return {p.key: p for p in problems_from_tasks(tasks, cfg.exec_plus_inputs)}


def test_whitespace_only_differences_on_odd_spacing():
    assert spacing_only(" b  a", "b a") and not spacing_only("b a", "b a") and not spacing_only("ba", "b a")
    assert not spacing_only(["b", "a"], "b a")
    assert odd_spacing(["a  b"]) and odd_spacing([" a b"]) and odd_spacing([["x", "a\tb"]])
    assert not odd_spacing(["a b"]) and not odd_spacing([3, "ab"])


def _verdict(problem, response: str, near_share: float):
    code = sample_code(response)
    (verdicts,) = verify([(code, [(problem, [f.name for f in code.functions if not f.name.startswith("_adapt")])])],
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
