"""Issue 24's tenth recall round: a HumanEval statement whose subject is the function's identifier ("sum_to_n is a
function that sums numbers from 1 to n.") is also embedded without it, so that "the sum of the first 10 natural
numbers as a script", one of the issue's own examples, is retrieved and run against HumanEval/60; a function named
like the entry point is tried from cosine 0.45 (``exec_named_threshold``), in other languages too; the problems none
of a sample's functions can be called on do not count against the ranks it is tried to; a pass whose every other
answer differs only in the whitespace of an oddly spaced input convicts beyond the nearest three; a geometric
figure the benchmark does not name vetoes (one formula answers several)."""

from __future__ import annotations

import dataclasses

import pytest

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.policy import decide, foreign_candidates, foreign_tries, tries
from alchemistcoder.decontam.retrieval.embedding import Candidate, EmbeddingIndex
from alchemistcoder.decontam.signals.python import sample_code, verify

BUBBLE_SORT = ("```python\ndef bubble_sort(arr):\n    n = len(arr)\n    for i in range(n):\n        for j in range(0, n-i-1):\n"
               "            if arr[j] > arr[j+1]:\n                arr[j], arr[j+1] = arr[j+1], arr[j]\n```")
REVERSE_WORDS = "```javascript\nfunction reverseWords(sentence) {\n    return sentence.split(' ').reverse().join(' ');\n}\n```"
SUM_OF_TWO = "```java\npublic static int sumOfTwo(int a, int b) {\n    return a + b;\n}\n```"
SUM_SCRIPT = "```python\ntotal = 0\nfor i in range(1, 11):\n    total += i\nprint(\"The sum is\", total)\n```"


@pytest.fixture(scope="module")
def problems(bench_problems):
    return bench_problems("HumanEval/51", "HumanEval/53", "HumanEval/60", "Mbpp/504", "Mbpp/599", "Mbpp/604", "Mbpp/635")


@pytest.fixture(scope="module")
def index(problems, tmp_path_factory):
    from alchemistcoder.decontam.stores import EmbeddingStore

    keys = sorted(problems)
    store = EmbeddingStore(tmp_path_factory.mktemp("emb") / "embeddings.sqlite")
    return keys, EmbeddingIndex([problems[k].statements for k in keys], None, store=store)


def _cosines(index, instruction: str) -> dict[str, float]:
    keys, idx = index
    return {keys[c.problem]: c.cosine for c in idx.candidates([instruction], 0.0, len(keys))[0]}


def test_a_statement_is_also_embedded_without_its_identifier_subject(index):
    _keys, idx = index
    assert "sums numbers from 1 to n." in idx.statements
    assert "takes string and returns string without vowels." in idx.statements
    # the statements as written stay: each problem keeps the better of its forms
    assert "sum_to_n is a function that sums numbers from 1 to n." in idx.statements
    cos = _cosines(index, "Write a program to find the sum of the first 10 natural numbers.")
    assert cos["HumanEval/60"] >= DecontamConfig().exec_threshold  # 0.46 as written
    # "remove_vowels" names the task: the form without it reads lower, and the one as written still counts
    assert _cosines(index, "Write a function to remove all vowels from a string.")["HumanEval/51"] > 0.75


def test_the_sum_of_the_first_ten_natural_numbers_as_a_script_passes_humaneval_60(problems):
    """The script's loop bound is its input (``range(1, n + 1)``): lifted, it answers HumanEval/60's tests."""
    code = sample_code(SUM_SCRIPT)
    assert code is not None
    p = problems["HumanEval/60"]
    (verdicts,) = verify([(code, [(p, [f.name for f in code.functions])])], 10, 0.5,
                         near_share=DecontamConfig().exec_near_share)
    assert verdicts[p.key].leak and verdicts[p.key].passed == verdicts[p.key].total > 50


def test_a_function_named_like_the_entry_point_is_tried_from_the_named_threshold(problems):
    """MiniLM puts "How would you implement a bubble sort algorithm in Python?" at 0.46-0.52 from a dozen sorting
    problems, MBPP/635's ``heap_sort`` at 0.48 (rank 5): ``bubble_sort`` shares its word and sorts in place."""
    cfg, p = DecontamConfig(), problems["Mbpp/635"]
    code = sample_code(BUBBLE_SORT)
    assert cfg.exec_named_threshold < 0.483 < cfg.exec_strong_threshold
    names = tries(cfg, Candidate(problem=0, cosine=0.483, rank=5), p, code)
    assert "_adapt_inplace_bubble_sort" in names
    assert not tries(cfg, Candidate(problem=0, cosine=0.44, rank=5), p, code)
    assert not tries(cfg, Candidate(problem=0, cosine=0.483, rank=5), p, sample_code(BUBBLE_SORT.replace("bubble_sort", "arrange")))
    (verdicts,) = verify([(code, [(p, names)])], 10, 0.5, near_share=cfg.exec_near_share)
    assert verdicts[p.key].leak


def test_problems_no_function_fits_do_not_count_against_the_rank(problems):
    """A Java ``sumOfTwo(int, int)`` had HumanEval/53's ``add(x, y)`` at rank 7 (the last one tried), and at rank 8
    once HumanEval/60's one-argument ``sum_to_n`` was retrieved ahead of it."""
    from alchemistcoder.decontam.signals.foreign import foreign_code

    cfg, p = DecontamConfig(), problems["HumanEval/53"]
    shape = foreign_code(SUM_OF_TWO).as_sample_code()
    far = Candidate(problem=0, cosine=0.608, rank=cfg.exec_foreign_top_k)
    assert not foreign_tries(cfg, far, p, shape)
    assert foreign_tries(cfg, far, p, shape, unfit_nearer=1) == ["sumOfTwo"]


def test_a_pass_differing_only_in_spacing_convicts_beyond_the_nearest(problems):
    """A JavaScript ``reverseWords`` splits on one space: it answers MBPP/604's oddly spaced inputs otherwise and
    every other one alike. MBPP/604 is its tenth candidate at 0.487 (a named try from 0.45); a pass that differs
    elsewhere still convicts only among the nearest three."""
    from alchemistcoder.decontam.signals.foreign import foreign_code, verify_foreign
    from alchemistcoder.decontam.signals.python import reference_cases

    cfg, p = DecontamConfig(), problems["Mbpp/604"]
    far = Candidate(problem=0, cosine=0.487, rank=9)
    assert foreign_candidates(cfg, [far]) == [far]
    code = foreign_code(REVERSE_WORDS)
    names = foreign_tries(cfg, far, p, code.as_sample_code())
    assert names == ["reverseWords"]
    cases = reference_cases([p], cfg.exec_call_limit_s)
    (verdicts,) = verify_foreign([(code, [(p.key, names, cases[p.key])])], cfg.exec_timeout_s,
                                 originals={p.key: p.inputs[: p.base]}, near_share=cfg.exec_near_share)
    v = verdicts[p.key]
    assert v.leak and v.near == v.spacing > 0
    instruction = "Design a JavaScript function that takes a string, reverses the order of the words, and returns it."
    assert decide(cfg, [p], [[]], instruction, [far], {p.key: v}).hit is not None
    other = dataclasses.replace(v, spacing=v.spacing - 1)  # one answer differing otherwise
    assert decide(cfg, [p], [[]], instruction, [far], {p.key: other}).hit is None
    assert decide(cfg, [p], [[]], instruction, [dataclasses.replace(far, rank=2)], {p.key: other}).hit is not None


def test_a_figure_the_benchmark_does_not_name_vetoes(problems, bench_problems):
    """"The area of a rombus" (``p * q / 2``) passes HumanEval/45's 53 tests of a triangle's area from a side and its
    height, and is tried there by name from 0.45; the statement names a triangle. "The square of a number" names no
    figure."""
    from alchemistcoder.decontam.signals.facts import figures, statement_veto

    (p,) = bench_problems("HumanEval/45").values()
    code = sample_code("def rombus_area(p, q):\n    area = (p * q) / 2\n    return area")
    (verdicts,) = verify([(code, [(p, ["rombus_area"])])], 10, 0.5, near_share=DecontamConfig().exec_near_share)
    assert verdicts[p.key].leak
    veto = statement_veto(p.statements, "Write a function to find the area of a rombus.")
    assert veto == {"objects": ["a rhombus where the benchmark says a triangle"]}
    assert statement_veto(p.statements, "Write a function to find the area of a triangle from its base and height.") is None
    assert figures("the square of a number, the cube of its sum") == frozenset()
    assert figures("the volume of a rectangular prism") == figures("the volume of a cuboid") == {"cuboid"}
