"""What makes a cold decontamination run cheaper (issue 24, item 6), with the real parts: the packaged MiniLM, the
real benchmark problems and the real sandbox.

- Retrieval is skipped, exactly, for a sample that no signal could convict whatever its cosines: no Python
  functions to run, no code of another language, and an instruction that keeps the key facts of no statement
  (``SemanticIndex.needs_retrieval``, ``FactsGate``); every decision stays what it was.
- The reference solutions' answers are computed once per problem and shipped to the sandbox jobs that need them
  (``signals/python.py``: ``reference_outputs``; the probe's ``ship_expected`` jobs); the verdicts are those the
  jobs computing them again give.

(The file's name follows the issue's first suggestion, a static-embedding pre-filter; measured, it could skip
almost nothing safely, see docs/decontam_cost.md.)
"""

from __future__ import annotations

import dataclasses

import pytest

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import BenchProblem, problems_from_tasks
from alchemistcoder.decontam.retrieval.embedding import load_embedder
from alchemistcoder.decontam.signals import python as python_signal
from alchemistcoder.decontam.signals.facts import FactsGate, facts_agree, key_facts
from alchemistcoder.decontam.signals.python import reference_outputs, sample_code, verify
from alchemistcoder.decontam.step import SemanticIndex

_FEW = {"HumanEval/13", "HumanEval/31", "HumanEval/47", "HumanEval/48", "Mbpp/270", "Mbpp/439", "Mbpp/566", "Mbpp/629"}


@pytest.fixture(scope="module")
def problems(shared_data):
    from alchemistcoder.benchmarks import load_benchmark

    tasks = [t for name in ("humaneval", "humaneval+", "mbpp", "mbpp+") for t in load_benchmark(name)]
    return problems_from_tasks(tasks, DecontamConfig().exec_plus_inputs)


@pytest.fixture(scope="module")
def semantic(problems):
    few = [p for p in problems if p.key in _FEW]
    return SemanticIndex(few, DecontamConfig(), embedder=load_embedder(None))


INSTRUCTIONS = [
    "Write a C# program to check if a given string is a palindrome.",
    "Return the greatest common divisor of two integers a and b",
    "Explain the difference between a list and a tuple in Python.",
    "Write a function to find the sum of all even numbers at even positions of a list.",
    "Check if a number is prime.",
    "Describe the water cycle in three sentences.",
    "Write a python function to find the sum of even numbers at even positions.",
    "What is the capital of France?",
]


def test_an_evalplus_problem_knows_which_of_its_inputs_are_the_benchmarks_own(problems):
    """EvalPlus's base inputs come first and are counted (``base``: a foreign function whose types express them all
    is judged on them, ``foreign.verify_foreign``'s ``originals``)."""
    area = next(p for p in problems if p.key == "Mbpp/458")
    assert area.mode == "inputs" and area.base == 3 and area.inputs[:3] == [[10, 20], [10, 5], [4, 2]]
    assert len(area.inputs) > area.base


def test_the_facts_gate_agrees_with_comparing_every_statement(problems):
    """``FactsGate.any_agree`` is ``facts_agree`` against every statement, found through an index."""
    cfg = DecontamConfig()
    facts = [[key_facts(s) for s in p.statements] for p in problems]
    gate = FactsGate(facts, cfg.statement_words)
    every = [f for group in facts for f in group]
    answers = []
    for instruction in INSTRUCTIONS:
        mine = key_facts(instruction)
        brute = any(facts_agree(f, mine, cfg.statement_words)[0] for f in every)
        assert gate.any_agree(instruction) == brute, instruction
        answers.append(brute)
    assert any(answers) and not all(answers)  # both kinds are in the list
    assert gate.any_agree("Write a function to check whether the given string is a palindrome or not.")
    assert not gate.any_agree("Describe the water cycle in three sentences.")


PALINDROME_SWIFT = "```swift\nfunc isPalindrome(_ s: String) -> Bool {\n  return s == String(s.reversed())\n}\n```"
MEDIAN = "```python\ndef find_median(nums):\n    s = sorted(nums)\n    n = len(s)\n    mid = n // 2\n" \
         "    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2\n```"
PAIRS = [
    ("Write a Swift program to check if a given string is a palindrome.", PALINDROME_SWIFT),  # statement signal
    ("Given a list of integers, calculate the median of the list.", MEDIAN),  # execution
    ("Tell me how a median differs from a mean.", "The median is the middle value; the mean is the average."),
    ("Write a Swift function that reverses a string.", PALINDROME_SWIFT),
    ("Explain recursion.", "A function that calls itself.\n```java\nint f(int n) { return n < 2 ? n : f(n - 1); }\n```"),
]


def test_retrieval_is_skipped_only_where_no_signal_could_convict(semantic, monkeypatch):
    live, codes = semantic.needs_retrieval(PAIRS)
    # the prose answer to an unrelated instruction and the Swift answer to "reverses a string" (no key facts of a
    # statement, nothing to run) are kept without embedding; the Java answer could run
    assert live == [0, 1, 4]
    assert codes[2] is None and codes[3] is None
    gated = semantic.decide(PAIRS)
    skipped = semantic.stats["retrieval_skipped"]
    assert skipped >= 2
    # the same pairs, every one retrieved: the same decisions
    monkeypatch.setattr(semantic, "needs_retrieval", lambda pairs: (list(range(len(pairs))), {}))
    every = semantic.decide(PAIRS)
    assert gated == every
    assert gated[0]["signal"] == "statement" and gated[0]["task_id"] == "HumanEval/48"
    assert gated[1]["signal"] == "execution" and gated[1]["task_id"] == "HumanEval/47"
    assert gated[2] is None and gated[3] is None


def test_a_judge_makes_every_sample_retrieved(problems):
    few = [p for p in problems if p.key in _FEW]
    index = SemanticIndex(few, DecontamConfig(judge_model="judge"), embedder=object())
    live, _codes = index.needs_retrieval(PAIRS)
    assert live == list(range(len(PAIRS)))


def test_a_warm_run_reads_its_decisions_and_any_change_decides_again(problems, tmp_path, monkeypatch):
    """``decide_stored``: the second run over the same pairs decides nothing (no sandbox job, no retrieval) and
    returns what the first returned; another config, or other problems, decide again. Decisions live beside the
    verdict store, so a fresh verdict store starts with no decisions."""
    from alchemistcoder.decontam.stores import VerdictStore

    few = [p for p in problems if p.key in _FEW]
    embedder = load_embedder(None)

    def index(cfg, chosen=few):
        semantic = SemanticIndex(chosen, cfg, embedder=embedder)
        semantic.verdicts = VerdictStore(tmp_path / "verdicts.sqlite")
        return semantic

    cold = index(DecontamConfig())
    first = cold.decide_stored(PAIRS)
    assert first[0][1]["task_id"] == "HumanEval/47" and first[0][0]["signal"] == "statement"
    assert cold.stats["exec_samples"] >= 1 and not cold.stats["decisions_cached"]
    assert (tmp_path / "decisions.sqlite").exists()
    warm = index(DecontamConfig())
    monkeypatch.setattr(warm, "needs_retrieval", lambda pairs: pytest.fail("a stored decision was decided again"))
    assert warm.decide_stored(PAIRS) == first
    assert warm.stats["decisions_cached"] == len(PAIRS) and not warm.stats["exec_samples"]
    for other in (index(DecontamConfig(statement_threshold=0.99)), index(DecontamConfig(), few[:-1])):
        other.decide_stored(PAIRS)
        assert other.stats["decisions_cached"] == 0


SORT_WORDS = BenchProblem(
    "Test/words", ["test"], "unique_words", ["the distinct words of a sentence"], mode="inputs",
    reference="def unique_words(s):\n    return list(set(s.split()))\n",
    inputs=[["the quick brown fox jumps over the lazy dog"], ["a b c d e f g h"], ["one two three two one"]], arity=1)
OPAQUE = BenchProblem(
    "Test/opaque", ["test"], "boxed", ["a value in a box"], mode="inputs",
    reference="class Box:\n    def __init__(self, v):\n        self.v = v\n    def __eq__(self, o):\n"
              "        return getattr(o, 'v', None) == self.v\ndef boxed(x):\n    return Box(x)\n",
    inputs=[[1], [2]], arity=1)


def test_expected_outputs_are_computed_once_and_give_the_same_verdicts(problems, monkeypatch):
    """Shipped answers (``reference_outputs``) and answers computed again in each job give the same verdicts; an
    answer that is no plain data (a class instance) is not shipped and is computed in the job as before. A
    reference answering a set of strings as a list is matched by a sample that does the same: every probe runs
    with one hash seed, so the order is the same in the job that computed it and in the job that compares."""
    median = next(p for p in problems if p.key == "HumanEval/47")
    good = sample_code(MEDIAN)
    wrong = sample_code("```python\ndef find_median(nums):\n    return sorted(nums)[0]\n```")
    words = sample_code("```python\ndef words(text):\n    return list(set(text.split()))\n```")
    box = sample_code("```python\ndef box(x):\n    return x\n```")
    pairs = [(good, [(median, ["find_median"])]), (wrong, [(median, ["find_median"])]),
             (words, [(SORT_WORDS, ["words"])]), (box, [(OPAQUE, ["box"])])]
    expected: dict[str, str | None] = {}
    shipped = verify(pairs, 5.0, 0.5, expected=expected)
    assert expected["HumanEval/47"] and expected["Test/words"] and expected["Test/opaque"] is None
    calls = []
    monkeypatch.setattr(python_signal, "reference_outputs", lambda *a, **k: calls.append(a) or {})
    again = verify(pairs, 5.0, 0.5)  # every job runs the references itself
    assert calls
    as_dicts = [{k: dataclasses.asdict(v) for k, v in verdicts.items()} for verdicts in shipped]
    assert as_dicts == [{k: dataclasses.asdict(v) for k, v in verdicts.items()} for verdicts in again]
    assert shipped[0]["HumanEval/47"].leak and not shipped[1]["HumanEval/47"].leak
    assert shipped[2]["Test/words"].leak and shipped[2]["Test/words"].total == 3
    assert shipped[3]["Test/opaque"].total == 2 and not shipped[3]["Test/opaque"].leak


def test_reference_outputs_ship_only_problems_with_inputs(problems):
    mbpp = next(p for p in problems if p.mode == "asserts")
    out = reference_outputs([SORT_WORDS, mbpp], 0.5)
    assert set(out) == {"Test/words"} and out["Test/words"]
