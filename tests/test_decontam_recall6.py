"""Issue 24's sixth recall round: lists of answers compared in any order where the benchmark's statement names no
order (MBPP/374's permutations, whose three assertions fix the order of one algorithm), a Python answer read up to
a trailing line that is not Python (``// Output: [...]``), iterator answers as the lists they yield; and a decision
made without a verdict the sandbox lost is not stored."""

from __future__ import annotations

import pytest

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import problems_from_tasks
from alchemistcoder.decontam.retrieval.embedding import load_embedder
from alchemistcoder.decontam.signals._same import reorders, same_items
from alchemistcoder.decontam.signals.python import sample_code, verify
from alchemistcoder.decontam.step import DecontamIndex, SemanticIndex, decontaminate_samples
from alchemistcoder.records import Sample, make_messages

PERMUTATIONS = ("Write a Python function that returns all the permutations of a string.",
                "```python\nfrom itertools import permutations\n\ndef string_permutations(s):\n"
                "    return [''.join(p) for p in permutations(s)]\n```")
# a CodeAlpaca-style answer: unfenced Python, then a line that is not Python
RECURSIVE = ("Create a function that takes a string and returns all its permutations.",
             "def get_permutations(string):\n    if len(string) <= 1:\n        return [string]\n    out = []\n"
             "    for char in string:\n        for perm in get_permutations(string.replace(char, '')):\n"
             "            out.append(char + perm)\n    return out\n\nprint(get_permutations('ABC'))\n"
             "// Output: ['ABC', 'ACB', 'BAC', 'BCA', 'CAB', 'CBA']")


@pytest.fixture(scope="module")
def problems(shared_data):
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    tasks = [t for name in ("mbpp", "mbpp+") for t in load_benchmark(name) if t.task_id in {"Mbpp/374", "Mbpp/193"}]
    return {p.key: p for p in problems_from_tasks(tasks, cfg.exec_plus_inputs)}


def test_lists_compare_in_any_order_unless_the_order_is_the_task():
    assert same_items(["ab", "ba"], ["ba", "ab"], 0.0) and not same_items(["ab", "ab"], ["ab", "ba"], 0.0)
    assert not same_items([1, 2], [1, 2, 3], 0.0) and same_items([0.5, 1], [1.0, 0.5004], 0.0)
    assert reorders([3, 1, 2], ([1, 2, 3],)) and reorders(["b", "a"], ("ab",)) and not reorders(["ab", "ba"], ("ab",))


def test_which_benchmark_problems_are_order_free(problems):
    """MBPP/374 ("all permutations of a given string") names no order; MBPP/193 ("remove the duplicates from the
    given tuple") names none either, but every list its tests answer is sorted: an order they show."""
    assert problems["Mbpp/374"].order_free and problems["Mbpp/374"].test_spec()["order_free"]
    assert not problems["Mbpp/193"].order_free


def test_permutations_in_another_order_pass_mbpp_374_in_the_sandbox(problems):
    """Two real orders (itertools', a recursion's) pass MBPP/374's three assertions compared in any order, and the
    verdict says so; the sorted characters (a reordering of the argument) and a list missing one permutation do not."""
    p = problems["Mbpp/374"]
    codes = {"itertools": PERMUTATIONS[1], "recursive": RECURSIVE[1],
             "sorted": "```python\ndef f(s):\n    return sorted(s)\n```",
             "one short": "```python\nfrom itertools import permutations\n\ndef f(s):\n"
                          "    return [''.join(x) for x in permutations(s)][1:]\n```"}
    got = {}
    for name, response in codes.items():
        code = sample_code(response)
        (verdicts,) = verify([(code, [(p, [f.name for f in code.functions if not f.name.startswith("_adapt")])])], 5, 0.5)
        got[name] = verdicts["Mbpp/374"]
    assert got["itertools"].leak and got["itertools"].unordered and got["recursive"].leak and got["recursive"].unordered
    assert not got["sorted"].leak and not got["one short"].leak


def test_a_trailing_line_that_is_not_python_leaves_the_function_readable():
    """The unfenced answer ends in ``// Output: ...``: the lines before it define the function, which is run."""
    code = sample_code(RECURSIVE[1])
    assert code is not None and "get_permutations" in {f.name for f in code.functions}
    assert sample_code("x = 1\n// not python") is None  # no function or class before the break: nothing to run


@pytest.fixture(scope="module")
def index(problems) -> tuple[DecontamConfig, DecontamIndex]:
    cfg = DecontamConfig()
    index = DecontamIndex([], cfg, problems=list(problems.values()))
    index._semantic = SemanticIndex(list(problems.values()), cfg, embedder=load_embedder(None))
    return cfg, index


def test_an_any_order_pass_convicts_unless_the_instruction_names_an_order(index):
    """Both permutation answers are MBPP/374 (evidence ``any_order``); the same code for "all permutations of a
    string without duplicates, sorted" (a labelled hard negative's instruction) is not: its instruction names an
    order, and the tests pass only in any order."""
    cfg, idx = index
    for row in (PERMUTATIONS, RECURSIVE):
        sample = Sample("p", "s", make_messages(*row))
        decontaminate_samples([sample], cfg, idx)
        assert sample.rejected, row[0]
        params = sample.rejection.params
        assert (params["task_id"], params["scores"].get("any_order")) == ("Mbpp/374", True)
    sorted_row = Sample("p", "s", make_messages("Write a function that returns all permutations of a string without "
                                                "duplicates, sorted.", PERMUTATIONS[1]))
    decontaminate_samples([sorted_row], cfg, idx)
    assert not sorted_row.rejected


def test_an_iterator_answer_is_the_list_it_yields(shared_data):
    """CoNaLa's ``map(lambda x: x[0], G)`` (a Python 2 list, a Python 3 iterator) and a generator expression answer
    MBPP/460's first elements as the list comprehension does; an endless generator runs out of time, no pass."""
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    (p,) = problems_from_tasks([t for t in load_benchmark("mbpp+") if t.task_id == "Mbpp/460"], cfg.exec_plus_inputs)
    got = {}
    for snippet in ("map(lambda x: x[0], G)", "(x[0] for x in G)", "itertools.cycle(G)"):
        code = sample_code(snippet)
        (verdicts,) = verify([(code, [(p, [f.name for f in code.functions if not f.name.startswith("_adapt")])])], 5, 0.5)
        got[snippet] = verdicts[p.key]
    assert got["map(lambda x: x[0], G)"].leak and got["(x[0] for x in G)"].leak
    assert not got["itertools.cycle(G)"].leak and got["itertools.cycle(G)"].passed == 0


PRIME = ("Write a Python function that checks whether a number is prime.",
         "```python\ndef is_prime(n):\n    if n < 2:\n        return False\n    for i in range(2, int(n ** 0.5) + 1):\n"
         "        if n % i == 0:\n            return False\n    return True\n```")


def test_a_decision_made_without_a_lost_verdict_is_not_stored(shared_data, monkeypatch, tmp_path):
    """A sandbox job cut short (here its wall clock made far too short: a fault a loaded machine produces, not one a
    test can wait for) reports no verdict for its samples. The decision made without it is used but not stored, so
    the next run decides the sample again, with the verdict, instead of reading back a kept sample forever."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.decontam.signals import python as python_signal
    from alchemistcoder.decontam.stores import VerdictStore

    cfg = DecontamConfig()
    tasks = [t for name in ("humaneval", "humaneval+") for t in load_benchmark(name) if t.task_id == "HumanEval/31"]
    problems = problems_from_tasks(tasks, cfg.exec_plus_inputs)
    semantic = SemanticIndex(problems, cfg, embedder=load_embedder(None))
    semantic.verdicts = VerdictStore(tmp_path / "verdicts.sqlite")  # decisions are stored beside it
    real = python_signal.probe_call

    def cut_short(job, timeout_s, output_cap=None):
        runner, job, kwargs = real(job, timeout_s, output_cap)
        return runner, job, {**kwargs, "timeout_s": 0.05} if "samples" in job else kwargs

    monkeypatch.setattr(python_signal, "probe_call", cut_short)
    hits, _vetoes = semantic.decide_stored([PRIME])
    assert hits == [None] and semantic.unsettled == {0} and semantic.stats["decisions_unsettled"] == 1
    monkeypatch.setattr(python_signal, "probe_call", real)
    hits, _vetoes = semantic.decide_stored([PRIME])
    assert hits[0] is not None and hits[0]["task_id"] == "HumanEval/31" and semantic.unsettled == set()
    assert semantic.stats["decisions_cached"] == 0
    hits_again, _vetoes = semantic.decide_stored([PRIME])  # settled now: read back
    assert hits_again == hits and semantic.stats["decisions_cached"] == 1


FIRST_ELEMENTS = ("get the first element of each tuple from a list of tuples `G`", "[x[0] for x in G]")  # a CoNaLa row


def test_a_problem_its_words_retrieve_is_tried_beyond_the_nearest_by_meaning(shared_data):
    """Among every benchmark problem MiniLM puts MBPP/460 ("get the first element of each sublist") at rank 35 for
    CoNaLa's "first element of each tuple"; its statement's words (first, element: two of three) retrieve it,
    and the one-liner passes its 53 tests (evidence ``by_words``). Switched off (``exec_lexical_k: 0``) the row
    is kept."""
    from alchemistcoder.decontam.retrieval.ngram import load_entries

    cfg = DecontamConfig()
    index = DecontamIndex(load_entries(cfg), cfg)
    semantic = index.semantic()
    (cands,) = semantic.candidates([FIRST_ELEMENTS[0]])
    mbpp460 = next(c for c in cands if semantic.problems[c.problem].key == "Mbpp/460")
    assert mbpp460.lexical and mbpp460.rank >= cfg.exec_top_k
    sample = Sample("p", "s", make_messages(*FIRST_ELEMENTS))
    decontaminate_samples([sample], cfg, index)
    params = sample.rejection.params
    assert (params["task_id"], params["scores"]["by_words"]) == ("Mbpp/460", True)
    assert params["scores"]["tests_passed"] == params["scores"]["tests_total"] >= cfg.exec_strong_tests
    off = cfg.model_copy(update={"exec_lexical_k": 0})
    plain = DecontamIndex([], off, problems=semantic.problems)
    plain._semantic = SemanticIndex(semantic.problems, off, embedder=semantic.embedder)
    kept = Sample("p", "s", make_messages(*FIRST_ELEMENTS))
    decontaminate_samples([kept], off, plain)
    assert not kept.rejected


def test_a_foreign_program_the_sandbox_stops_is_lost_not_answered():
    """A C++ sample's program stopped by the sandbox before its calls answered (its job given 0.1 s: a fault a
    loaded machine produces) is named ``lost``, so its decision is not stored; run with its real limit it answers
    and is not lost. A call that merely fails is no loss."""
    from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign

    # about 0.3 s of CPU a call before the answer: within the call's limit, past the stopped job's
    code = foreign_code("```cpp\nint add(int a, int b) {\n    volatile long x = 0;\n"
                        "    for (long i = 0; i < 300000000L; i++) x += i;\n    return a + b;\n}\n```")
    pairs = [(code, [("T/add", ["add"], [([1, 2], 3), ([2, 2], 4), ([5, 5], 10)])])]
    lost: set[int] = set()
    (verdicts,) = verify_foreign(pairs, 0.05, lost=lost)
    assert lost == {0} and ("T/add" not in verdicts or not verdicts["T/add"].leak)
    lost = set()
    (verdicts,) = verify_foreign(pairs, 5.0, lost=lost)
    assert lost == set() and verdicts["T/add"].leak
    wrong = [(code, [("T/add", ["add"], [([1, 2], 4), ([2, 2], 5), ([5, 5], 11)])])]
    (verdicts,) = verify_foreign(wrong, 5.0, lost=lost)
    assert lost == set() and not verdicts["T/add"].leak


def test_a_sequence_asked_for_where_the_benchmark_names_its_nth_element_is_vetoed():
    """A labelled near miss of the tune split, "the Fibonacci sequence for a given integer n" in Java, passed
    HumanEval/55 ("Return n-th Fibonacci number") once slow foreign answers counted; a sample that names the
    element (the nth number, an index) is not vetoed, and "element" in a benchmark statement is no n-th."""
    from alchemistcoder.decontam.signals.facts import statement_veto

    fib = ["Return n-th Fibonacci number."]
    veto = statement_veto(fib, "Create a Java function that calculates the Fibonacci sequence for a given integer n.")
    assert veto == {"objects": ["a sequence where the benchmark names its n-th element"]}
    for kept in ("Write a JavaScript program that returns the nth number in the Fibonacci sequence.",
                 "Implement a C++ function to calculate the Fibonacci sequence for a given index.",
                 "Write a Java program to find the nth Fibonacci number."):
        assert statement_veto(fib, kept) is None, kept
    assert statement_veto(["Return maximum element in the list."], "find the maximum in a sequence of numbers") is None
