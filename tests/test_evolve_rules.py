"""Evol-Instruct without a model: prompts, cutting out the rewrite, elimination rules, seeds, config."""

from __future__ import annotations

import pytest

from alchemistcoder.config import ConfigError, validate_dict
from alchemistcoder.evolve import eliminate
from alchemistcoder.evolve.config import EvolveConfig
from alchemistcoder.evolve.methods import (
    EVOLVE_EXAMPLES,
    METHODS,
    PROMPT_FRAGMENTS,
    evolve_messages,
    extract_evolved,
)
from alchemistcoder.evolve.stage import evolve_stats, evolved_id, select_seeds
from alchemistcoder.records import Sample, make_messages
from alchemistcoder.seeding import seeded_choice, unit_hash

ORIGINAL = "Write a Python function that returns the sum of the even numbers in a list of integers."


def test_every_method_has_its_own_prompt_and_unknown_ones_are_errors():
    prompts = {m: evolve_messages(ORIGINAL, m)[-1]["content"] for m in METHODS}
    assert len(set(prompts.values())) == len(METHODS)
    for name, prompt in prompts.items():
        assert ORIGINAL in prompt and METHODS[name].directive in prompt
    with pytest.raises(ValueError, match="unknown evolution method"):
        evolve_messages(ORIGINAL, "make_it_funny")


def test_evolve_prompt_is_few_shot_and_copied_examples_are_eliminated():
    messages = evolve_messages(ORIGINAL, "more_reasoning")
    n = len(EVOLVE_EXAMPLES)
    assert n >= 2 and [m["role"] for m in messages] == ["system", *["user", "assistant"] * n, "user"]
    for i, ex in enumerate(EVOLVE_EXAMPLES):
        assert ex.original in messages[1 + 2 * i]["content"] and messages[2 + 2 * i]["content"] == ex.evolved
        # an answer that repeats an example evolution (or the request's wording) copied the prompt
        assert eliminate.instruction_elimination(ORIGINAL, ex.evolved) == eliminate.PROMPT_COPY
    for m in METHODS.values():
        copied = ORIGINAL + " " + m.directive
        assert eliminate.instruction_elimination(ORIGINAL, copied) == eliminate.PROMPT_COPY
    request = messages[-1]["content"]
    assert eliminate.instruction_elimination(ORIGINAL, request) == eliminate.PROMPT_COPY


@pytest.mark.parametrize(
    "raw",
    [
        "Write a function that sums the even numbers of a list in O(n) time without using sum().",
        "[Harder task]\nWrite a function that sums the even numbers of a list in O(n) time without using sum().",
        "Rewritten task: Write a function that sums the even numbers of a list in O(n) time without using sum().",
        "**Harder Task:**\nWrite a function that sums the even numbers of a list in O(n) time without using sum().",
        "#Rewritten Test#\n  Write a function that sums the even numbers of a list in O(n) time without using sum().  ",
        "Task: Write a function that sums the even numbers of a list in O(n) time without using sum().",
        "**Harder task:** Task: Write a function that sums the even numbers of a list in O(n) time without using sum().",
    ],
)
def test_extract_evolved_cuts_labels_and_echoed_markers(raw):
    assert extract_evolved(raw) == (
        "Write a function that sums the even numbers of a list in O(n) time without using sum()."
    )


@pytest.mark.parametrize(
    ("evolved", "reason"),
    [
        ("", eliminate.EMPTY),
        ("   \n", eliminate.EMPTY),
        (ORIGINAL, eliminate.UNCHANGED),
        (ORIGINAL.replace("integers.", "integers"), eliminate.UNCHANGED),
        ("Sum evens.", eliminate.TOO_SHORT),
        ("Write a function summing even numbers.", eliminate.TOO_SHORT),
        ("I'm sorry, but I cannot rewrite this task.", eliminate.REFUSAL),
        ("As an AI language model I can not do that for you, sorry about that friend.", eliminate.REFUSAL),
        ("Rewrite the programming task below so that it becomes harder: " + ORIGINAL, eliminate.PROMPT_COPY),
        ("[Original task] " + ORIGINAL + " Also handle nested lists.", eliminate.PROMPT_COPY),
        ("def sum_even(xs):\n    return sum(x for x in xs if x % 2 == 0)\n\nprint(sum_even([1, 2, 3, 4]))\n# Rewrite",
         eliminate.ANSWERED),
        ("Here's a possible solution:\n```python\ndef f(xs):\n    return sum(xs)\n```\nThis solution is simple and fast.",
         eliminate.ANSWERED),
        ("Sure! To sum the even numbers you can filter the list and then add the remaining values up.", eliminate.ANSWERED),
        (ORIGINAL + " Handle empty lists.\n\nExample of the answer format", eliminate.PROMPT_COPY),
        # reworded (and a filler word added), nothing made harder
        ("Write a Python function that returns the sum of all even numbers in the given list of integers.",
         eliminate.NO_GAIN),
        ("Write a Python function that returns the sum of the even numbers in a list of integers, quickly.",
         eliminate.NO_GAIN),
        ("```python\ndef sum_even(numbers):\n    total = 0\n    for n in numbers:\n        total += n\n```",
         eliminate.ANSWERED),
    ],
)
def test_failed_evolutions_get_their_reason_code(evolved, reason):
    assert eliminate.instruction_elimination(ORIGINAL, evolved) == reason


def test_real_evolutions_pass():
    for evolved in (
        ORIGINAL + " The list may contain nested lists, which must be flattened first, and the function must run in O(n).",
        "Write a Python generator-based function that returns the sum of the even numbers among the integers "
        "read lazily from a stream, without building a list, using constant extra memory.",
        ORIGINAL + " This reference code is wrong; do not copy it:\n```python\ndef f(xs):\n    return sum(xs)\n```",
    ):
        assert eliminate.instruction_elimination(ORIGINAL, evolved) is None


def test_prompt_fragments_are_lowercase_for_matching():
    assert all(f == f.lower() for f in PROMPT_FRAGMENTS)


def test_response_rules():
    assert eliminate.response_elimination("") == eliminate.RESPONSE_TOO_SHORT
    assert eliminate.response_elimination("ok") == eliminate.RESPONSE_TOO_SHORT
    assert eliminate.response_elimination("I'm sorry, I can't help with that request today.") == eliminate.RESPONSE_REFUSAL
    long_answer = "I'm sorry for the long answer. " + "def f(xs):\n    return sum(x for x in xs if x % 2 == 0)\n" * 20
    assert eliminate.response_elimination(long_answer) is None


def _samples(n: int) -> list[Sample]:
    out = [Sample(id=f"s{i}", source="src", messages=make_messages(f"task {i} " * 5, "def f(): pass")) for i in range(n)]
    out[0].reject("curate", "short_response")  # rejected samples never seed an evolution
    out[1].task = "filtering"  # neither do comprehension tasks
    return out


def test_seed_selection_is_seeded_sharding_independent_and_capped():
    samples = _samples(400)
    cfg = EvolveConfig(fraction=0.25)
    chosen = {s.id for s in select_seeds(samples, cfg, seed=3)}
    assert 60 < len(chosen) < 140 and "s0" not in chosen and "s1" not in chosen
    # the same choice when the list is split in two shards, and a different one under another seed
    shards = {s.id for s in select_seeds(samples[:150], cfg, 3)} | {s.id for s in select_seeds(samples[150:], cfg, 3)}
    assert shards == chosen
    assert {s.id for s in select_seeds(samples, cfg, seed=4)} != chosen
    capped = select_seeds(samples, EvolveConfig(fraction=0.25, max_samples=10), seed=3)
    assert len(capped) == 10 and {s.id for s in capped} <= chosen


def test_method_choice_follows_weights_and_seed():
    cfg = EvolveConfig(methods=["add_constraints", "erroneous_code"], method_weights=[1.0, 0.0])
    assert {seeded_choice(cfg.methods, cfg.weights(), 0, "x", i) for i in range(50)} == {"add_constraints"}
    default = EvolveConfig()
    picks = [seeded_choice(default.methods, default.weights(), 0, "x", i) for i in range(2000)]
    # higher_complexity has half weight (WizardCoder: "refrain from doing so frequently")
    assert picks.count("higher_complexity") < 0.7 * picks.count("add_constraints")
    assert unit_hash(1, "a") == unit_hash(1, "a") != unit_hash(2, "a")


def test_config_rejects_unknown_methods_and_bad_weights():
    with pytest.raises(ConfigError, match="unknown evolution method"):
        validate_dict({"methods": ["nope"]}, EvolveConfig)
    with pytest.raises(ConfigError, match="method_weights"):
        validate_dict({"methods": ["add_constraints"], "method_weights": [1.0, 2.0]}, EvolveConfig)
    with pytest.raises(ConfigError, match="unknown key"):
        validate_dict({"round": 2}, EvolveConfig)


def test_ids_and_stats():
    assert evolved_id("p", 1, "add_constraints") != evolved_id("p", 2, "add_constraints")
    a = Sample(id="a", source="evol-instruct", messages=[], meta={"evol": {"method": "add_constraints"}})
    b = Sample(id="b", source="evol-instruct", messages=[], meta={"evol": {"method": "erroneous_code"}})
    b.reject("evolve", eliminate.UNCHANGED)
    stats = evolve_stats([a, b])
    assert stats["evolved"] == 2 and stats["kept"] == 1 and stats["eliminated"] == {eliminate.UNCHANGED: 1}
    assert stats["eliminated_share"] == 0.5


SOLUTION_BLOCK = """```python
def sum_even(numbers):
    total = 0
    for n in numbers:
        if n < 0:
            raise ValueError("negative")
        if n % 2 == 0:
            total += n
    return total
```"""


def test_a_rewrite_that_carries_a_full_solution_is_an_answer():
    task = ("Write a Python function that returns the sum of the even numbers in a list of non-negative integers, "
            "and raises ValueError for a negative one.")
    with_solution = f"{task}\n\n{SOLUTION_BLOCK}"
    assert eliminate.instruction_elimination(ORIGINAL, with_solution, method="add_constraints") == eliminate.ANSWERED
    # erroneous_code shows code on purpose: only a line that presents it as a solution makes it an answer
    assert eliminate.instruction_elimination(ORIGINAL, with_solution, method="erroneous_code") is None
    presented = f"{task}\n\n{SOLUTION_BLOCK}\n\nThis code returns the sum of the even numbers."
    assert eliminate.instruction_elimination(ORIGINAL, presented, method="erroneous_code") == eliminate.ANSWERED
    # the original's own code, kept in the rewrite, is not a solution
    original_with_code = f"Fix this function so that it sums the even numbers:\n{SOLUTION_BLOCK}"
    kept = f"Fix this function so that it sums the even numbers and rejects negative ones in O(n):\n{SOLUTION_BLOCK}"
    assert not eliminate.includes_solution(original_with_code, kept, "add_constraints")
    short = "Write it so that this call works:\n```python\nprint(sum_even([1, 2, 3]))\n```\nand returns 2 for it."
    assert not eliminate.includes_solution(ORIGINAL, short, "add_constraints")
