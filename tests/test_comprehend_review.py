"""Code-review tasks and the judge's records, with hand-made reviews and the real sandbox (no model)."""

from __future__ import annotations

import pytest

from alchemistcoder.comprehend import templates as T
from alchemistcoder.comprehend.config import ReviewTaskConfig
from alchemistcoder.comprehend.review_tasks import (
    EXAMPLE_COPY,
    LLM_ERROR,
    NO_REFINED_CODE,
    REFINED_FAILED,
    CodeReview,
    batch_checker,
    build_review_sample,
    parse_review_sections,
    refined_code_of,
    response_code,
    review_candidates,
    review_prompt_messages,
)
from alchemistcoder.records import Sample, make_messages

ADD_RESPONSE = "Here is the function:\n```python\ndef add(a, b):\n    return a+b\n```"
GOOD = "def add(a, b):\n    \"\"\"Sum of a and b.\"\"\"\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"
CPP_RESPONSE = "```cpp\n#include <iostream>\nint main(){std::cout<<1;}\n```"
CPP_REFINED = "#include <iostream>\n\nint main() {\n    std::cout << 1 << std::endl;\n    return 0;\n}\n"


def sample(sid: str, response: str = ADD_RESPONSE, tests: list[str] | None = None) -> Sample:
    meta = {"tests": tests} if tests else {}
    return Sample(id=sid, source="src", messages=make_messages("Write add(a, b).", response), meta=meta)


def review(code: str, correctness: int = 8) -> CodeReview:
    return CodeReview(correctness=correctness, clarity=6, suggestions=["Add a docstring."], refined_code=code)


def test_reviews_are_kept_only_when_the_refined_code_passes_the_sandbox():
    tests = ["assert add(2, 3) == 5", "assert add(-1, 1) == 0"]
    cases = [
        (sample("good", tests=tests), review(f"```python\n{GOOD}```")),
        (sample("wrong", tests=tests), review(WRONG, correctness=3)),
        (sample("notests"), review(GOOD)),
        (sample("crash"), review("def add(a, b):\n    return a + b\nraise SystemExit(add(1))\n")),
        (sample("cpp", CPP_RESPONSE), review(CPP_REFINED)),
        (sample("cpp_nomain", CPP_RESPONSE), review("int twice(int x) { return 2 * x; }\n")),
        (sample("cpp_broken", CPP_RESPONSE), review("int twice(int x) { return 2 * x \n")),
        (sample("empty"), review("   ")),
        (sample("example"), review(T.REVIEW_EXAMPLE_CODE)),
        (sample("none"), None),
    ]
    reviews = [(s, r, "tiny", None if r else "invalid_structured_output: no JSON") for s, r in cases]
    check = batch_checker(reviews, ReviewTaskConfig(timeout_s=20))
    out = {s.id: build_review_sample(s, r, m, e, check) for s, r, m, e in reviews}
    assert not out["good"].rejected and not out["notests"].rejected and not out["cpp"].rejected
    assert out["good"].trace[-1].params == {"status": "ok", "with_tests": True}
    assert out["wrong"].rejection.reason == REFINED_FAILED and "AssertionError" in out["wrong"].rejection.params["stderr"]
    assert out["crash"].rejection.reason == REFINED_FAILED
    # compiled languages without tests must compile (a stub main is added when the code has none)
    assert not out["cpp_nomain"].rejected
    assert out["cpp_broken"].rejection.reason == REFINED_FAILED
    assert out["cpp_broken"].rejection.params["status"] == "compile_error"
    assert out["empty"].rejection.reason == NO_REFINED_CODE
    assert out["example"].rejection.reason == EXAMPLE_COPY  # runs cleanly, but it is the prompt's example
    assert out["none"].rejection.reason == LLM_ERROR and "no JSON" in out["none"].rejection.params["error"]
    good = out["good"]
    assert good.task == "review" and good.trace[0].params["parents"] == ["good"] and good.trace[0].model == "tiny"
    assert "Correctness: 8/10" in good.response and "Clarity: 6/10" in good.response
    assert "- Add a docstring." in good.response and "```python\n" + GOOD.rstrip() + "\n```" in good.response
    assert "Write add(a, b)." in good.instruction and "return a+b" in good.instruction
    assert "```cpp" in out["cpp"].response


def test_refined_code_fences_are_removed_and_schema_bounds_hold():
    assert refined_code_of(review("```python\nprint(1)\n```")) == "print(1)"
    assert refined_code_of(review("print(2)\n")) == "print(2)"
    with pytest.raises(ValueError):
        CodeReview(correctness=11, clarity=0, suggestions=[], refined_code="x")


WELL_FORMED = """Correctness: 7/10
Clarity: 8/10

Suggestions:
- Add a docstring.
* Check the types.
1. Handle empty input.

Refined code:
```python
def add(a, b):
    return a + b
```
"""


@pytest.mark.parametrize(
    "text",
    [
        WELL_FORMED,
        WELL_FORMED.replace("Correctness: 7/10", "**Correctness:** 7 / 10").replace("Clarity: 8/10", "- clarity = 8"),
        "Here is my review.\n" + WELL_FORMED.replace("Refined code:\n", "Refined code:\n\n"),
    ],
)
def test_section_parser_accepts_a_well_formed_review(text):
    parsed, error = parse_review_sections(text)
    assert error is None and (parsed.correctness, parsed.clarity) == (7, 8)
    assert parsed.suggestions == ["Add a docstring.", "Check the types.", "Handle empty input."]
    assert refined_code_of(parsed) == "def add(a, b):\n    return a + b"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Correctness"),
        (WELL_FORMED.replace("Correctness: 7/10\n", ""), "Correctness"),
        (WELL_FORMED.replace("Clarity: 8/10", "Clarity: good"), "Clarity"),
        (WELL_FORMED.replace("7/10", "12/10"), "outside 0-10"),
        (WELL_FORMED.replace("7/10", "7.5/10"), "Correctness"),
        ('{"correctness": 7, "clarity": 8, "suggestions": [], "refined_code": "x"}', "Correctness"),  # JSON is not this format
    ],
)
def test_section_parser_rejects_malformed_reviews(text, problem):
    parsed, error = parse_review_sections(text)
    assert parsed is None and problem in error


def test_section_review_needs_a_closed_fenced_block():
    cut_off = WELL_FORMED[: WELL_FORMED.rindex("```")]  # max_tokens ended the answer inside the code
    unfenced = WELL_FORMED.replace("```python\n", "").replace("```\n", "")
    for text in (cut_off, unfenced):
        parsed, error = parse_review_sections(text)
        assert error is None and parsed.refined_code == ""
        assert build_review_sample(sample("x"), parsed, "tiny", None, check=None).rejection.reason == NO_REFINED_CODE
    # the example's own answer parses back to what the review tasks teach
    parsed, _ = parse_review_sections(T.REVIEW_EXAMPLE_ANSWER)
    assert (parsed.correctness, parsed.clarity, parsed.refined_code) == (9, 6, T.REVIEW_EXAMPLE_CODE)


def test_review_prompts_per_format():
    s = sample("p")
    sections = review_prompt_messages(s, 4000, "sections")
    assert [m["role"] for m in sections] == ["system", "user", "assistant", "user"]
    assert sections[2]["content"] == T.REVIEW_EXAMPLE_ANSWER and "Write add(a, b)." in sections[3]["content"]
    as_json = review_prompt_messages(s, 4000, "json")
    assert [m["role"] for m in as_json] == ["system", "user"] and "JSON" in as_json[1]["content"]
    assert ReviewTaskConfig().format == "sections"
    with pytest.raises(ValueError):
        ReviewTaskConfig(format="yaml")


def test_candidates_have_runnable_code_and_are_seeded():
    samples = [sample(f"s{i}") for i in range(30)] + [sample("prose", "Just use a loop."), sample("rej")]
    samples[-1].reject("curate", "uncompilable")
    assert response_code(samples[0]) == ("python", "def add(a, b):\n    return a+b")
    assert response_code(samples[-2]) is None
    chosen = review_candidates(samples, ReviewTaskConfig(fraction=1.0), seed=0)
    assert {s.id for s in chosen} == {f"s{i}" for i in range(30)}
    half = review_candidates(samples, ReviewTaskConfig(fraction=0.5), seed=0)
    assert 5 < len(half) < 25 and len(review_candidates(samples, ReviewTaskConfig(fraction=1.0, max_samples=4), 0)) == 4
    samples[3].meta["tests"] = ["assert add(1, 2) == 3"]
    with_tests = review_candidates(samples, ReviewTaskConfig(fraction=1.0, require_tests=True), seed=0)
    assert [s.id for s in with_tests] == ["s3"]


def test_a_review_that_copies_the_example_scores_is_rejected_where_the_example_was_shown():
    copied = CodeReview(correctness=9, clarity=6, suggestions=["Use names."], refined_code=GOOD)
    check = batch_checker([(sample("c"), copied, "m", None)], ReviewTaskConfig())
    shown = build_review_sample(sample("c"), copied, "m", None, check, review_format="sections")
    assert shown.rejection.reason == EXAMPLE_COPY and shown.rejection.params == {"copied": "scores"}
    # the JSON format shows no example review: 9/10 and 6/10 are then the model's own scores
    assert not build_review_sample(sample("c"), copied, "m", None, check, review_format="json").rejected
    assert not build_review_sample(sample("c"), review(GOOD), "m", None, check, review_format="sections").rejected


SETUP_RESPONSE = '''```python
import math
from collections import Counter

text = "the cat and the hat"
words = text.split()
n = int(input())

def longest(items):
    return max(items, key=len)

print(longest(words), Counter(words).most_common(1), math.pi)
```'''


def test_refined_code_runs_with_the_setup_of_the_response_it_uses():
    from alchemistcoder.comprehend.review_context import python_context
    from alchemistcoder.comprehend.review_tasks import program_with_context

    s = sample("setup", SETUP_RESPONSE)
    refined = "counts = Counter(words)\nprint(counts.most_common(2), round(math.sqrt(2), 3))"
    # what it uses (and what that uses), in the response's order; never what reads input
    assert python_context(refined, [response_code(s)[1]]) == (
        "import math\nfrom collections import Counter\ntext = \"the cat and the hat\"\nwords = text.split()"
    )
    assert python_context("print(sorted(set([3, 1])))", [response_code(s)[1]]) == ""  # needs nothing
    assert python_context("def longest(xs):\n    return xs[0]\nprint(longest(words))", [response_code(s)[1]]) == (
        "text = \"the cat and the hat\"\nwords = text.split()"  # its own longest(), the response's words
    )
    assert program_with_context(sample("cpp", CPP_RESPONSE), "cpp", CPP_REFINED) == (CPP_REFINED, "")

    bare = "print(Counter(words).most_common(1)[0][0])"
    reviews = [(s, review(bare), "m", None)]
    task = build_review_sample(s, review(bare), "m", None, batch_checker(reviews, ReviewTaskConfig(timeout_s=20)))
    assert not task.rejected, task.rejection
    assert task.trace[-1].params == {"status": "ok", "with_tests": False, "context_lines": 3}
    assert "```python\n" + bare + "\n```" in task.response  # the task teaches the refined code as written


# -- answers recorded from a capable local model (tests/data/llm_answers/comprehend_qwen-1.5b.json) -----------


@pytest.fixture(scope="module")
def recorded(shared_data):
    """The recorded answers and the samples they were made for (bench/comprehend.py's input), by id."""
    import json
    from pathlib import Path

    from alchemistcoder.ingest.config import SourceConfig
    from alchemistcoder.ingest.ingest import ingest_sources

    d = shared_data
    sources = [
        SourceConfig(name="codealpaca", path=str(d / "codealpaca" / "code_alpaca_2k.json"), limit=100),
        SourceConfig(name="evol-codealpaca", path=str(d / "evol-codealpaca" / "evol-codealpaca-2k-1.json"), format="evol",
                     limit=100),
        SourceConfig(name="conala", path=str(d / "conala" / "conala-train.json"), format="conala", limit=100),
        SourceConfig(name="mbpp", path=str(d / "mbpp" / "mbpp.jsonl"), format="mbpp", limit=610),
    ]
    answers = json.loads((Path(__file__).parent / "data" / "llm_answers" / "comprehend_qwen-1.5b.json").read_text())
    return answers, {s.id: s for s in ingest_sources(sources).samples}


def test_recorded_reviews_get_their_verdicts(recorded):
    answers, samples = recorded

    def reviewed(row):  # a shared sample, or an evolved one (its instruction and response are the model's own)
        if "evolved_sample" in row:
            return Sample(id=row["sample_id"], source="evol-instruct", messages=make_messages(
                row["evolved_sample"]["instruction"], row["evolved_sample"]["response"]))
        return samples[row["sample_id"]]

    fields = ("correctness", "clarity", "suggestions", "refined_code")
    rows = [(reviewed(r), CodeReview(**{k: r[k] for k in fields}), r) for r in answers["reviews"]]
    check = batch_checker([(s, review, "qwen-1.5b", None) for s, review, _ in rows], ReviewTaskConfig(timeout_s=20))
    outcomes = []
    for s, review, row in rows:
        task = build_review_sample(s, review, "qwen-1.5b", None, check, review_format="sections")
        reason = task.rejection.reason if task.rejected else None
        assert reason == row["expected"], (row, task.rejection)
        if row["stderr_has"]:
            assert row["stderr_has"] in task.rejection.params["stderr"]
        outcomes.append(reason)
    # one review copied the example's 9/10 and 6/10; no kept review has those scores
    assert outcomes.count(EXAMPLE_COPY) == 1
    assert all((r.correctness, r.clarity) != (9, 6) for (_, r, _), o in zip(rows, outcomes, strict=True) if o is None)
    # one refined snippet uses a DataFrame that the reviewed response never builds: no context can help it
    assert outcomes.count(REFINED_FAILED) == 1 and outcomes.count(None) == 6


def test_recorded_evolutions_get_their_verdicts(recorded):
    from alchemistcoder.evolve import eliminate
    from alchemistcoder.evolve.config import EvolveConfig

    answers, samples = recorded
    cfg = EvolveConfig()
    for row in answers["evolutions"]:
        reason = eliminate.instruction_elimination(
            samples[row["parent_id"]].instruction, row["evolved"], min_words=cfg.min_words,
            min_length_ratio=cfg.min_length_ratio, max_similarity=cfg.max_similarity, min_new_words=cfg.min_new_words,
            method=row["method"])
        assert reason == row["expected"], row


def test_recorded_small_model_evolutions_and_the_whole_script_it_called_a_task(recorded):
    """Qwen2.5-Coder-0.5B's 16 evolutions: 6 eliminated as unchanged/no gain/too short, and its Bash rewrite that
    carries a whole script (no definitions, "This script reads ...") is evol_answered, not a harder task."""
    import json
    from pathlib import Path

    from alchemistcoder.evolve import eliminate
    from alchemistcoder.evolve.config import EvolveConfig

    _, samples = recorded
    answers = json.loads((Path(__file__).parent / "data" / "llm_answers" / "evolve_qwen-0.5b.json").read_text())
    cfg = EvolveConfig()
    reasons = []
    for row in answers["evolutions"]:
        reason = eliminate.instruction_elimination(
            samples[row["parent_id"]].instruction, row["evolved"], min_words=cfg.min_words,
            min_length_ratio=cfg.min_length_ratio, max_similarity=cfg.max_similarity, min_new_words=cfg.min_new_words,
            method=row["method"])
        assert reason == row["expected"], row
        reasons.append(reason)
    assert reasons.count(None) == 9 and reasons.count(eliminate.ANSWERED) == 1
    script = next(r["evolved"] for r in answers["evolutions"] if r["expected"] == eliminate.ANSWERED)
    assert "#!/bin/bash" in script and "This script reads" in script
    # without the explanation and the shebang the same block could be input data: not an answer by itself
    bare = script.replace("#!/bin/bash", "").replace("This script reads", "It reads")
    assert not eliminate.includes_solution("Write a Bash script to sum the digits of 4567.", bare)
