"""Issue 24's third recall round on the fresh tune half: a JavaScript script lifted as a function of the literals
it binds, and the benchmark's own test inputs showing a nested input its statement does not name."""

from __future__ import annotations

import pytest

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import problems_from_tasks
from alchemistcoder.decontam.retrieval.embedding import load_embedder
from alchemistcoder.decontam.signals._lift_main import LIFTED_MAIN, lift_main
from alchemistcoder.decontam.signals.facts import statement_veto
from alchemistcoder.decontam.signals.foreign import foreign_code
from alchemistcoder.decontam.step import DecontamIndex, SemanticIndex, decontaminate_samples
from alchemistcoder.decontam.stores import VerdictStore
from alchemistcoder.records import Sample, make_messages

FILTER_SCRIPT = ("const numbers = [1, 2, 3, 4, 5, 6];\nconst evenNumbers = numbers.filter((x) => x % 2 === 0);\n"
                 "console.log(evenNumbers);")


def _index(task_ids: set[str]) -> tuple[DecontamConfig, DecontamIndex]:
    """A decontamination index over a few benchmark problems (fast to build, the real embedder)."""
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    tasks = [t for name in ("humaneval", "humaneval+", "mbpp", "mbpp+") for t in load_benchmark(name)
             if t.task_id in task_ids]
    problems = problems_from_tasks(tasks, cfg.exec_plus_inputs)
    index = DecontamIndex([], cfg, problems=problems)
    index._semantic = SemanticIndex(problems, cfg, embedder=load_embedder(None))
    return cfg, index


def test_a_javascript_script_is_lifted_as_a_function_of_the_literals_it_binds():
    """The names a script binds to a literal at the top level and never assigns again are the parameters, the
    value its last top-level print shows the answer; an accumulator (``let sum = 0; ... sum += x``) stays in the
    body. A print inside a loop is no one answer, and a script that defines a function is not lifted."""
    code = foreign_code(f"```javascript\n{FILTER_SCRIPT}\n```")
    assert code.language == "javascript" and [(f.name, f.params) for f in code.functions] == [(LIFTED_MAIN, [None])]
    assert code.source.startswith(f"function {LIFTED_MAIN}(numbers) {{") and "return evenNumbers;" in code.source
    assert "console.log" not in code.source and "[1, 2, 3" not in code.source
    summed = lift_main("javascript", "let sum = 0;\nconst xs = [1, 2];\nfor (const x of xs) {\n  sum += x;\n}\n"
                                     "console.log('Sum:', sum);")
    assert summed[1].startswith(f"function {LIFTED_MAIN}(xs) {{\nlet sum = 0;") and "return sum;" in summed[1]
    assert lift_main("javascript", "const xs = [1, 2];\nfor (const x of xs) {\n  console.log(x * 2);\n}") is None
    assert lift_main("javascript", "let n = 0;\nn++;\nconsole.log(n);") is None  # nothing but an accumulator
    assert lift_main("javascript", "const xs = [1, 2];\nconst f = (x) => {\n  return x;\n};\nconsole.log(xs.map(f));") is None


def test_a_lifted_javascript_script_runs_on_the_benchmark_tests(shared_data, monkeypatch, tmp_path):
    """A fresh-tune paraphrase: "translate ``list(filter(lambda x: x % 2 == 0, [1, 2, 3, 4, 5, 6]))`` into
    JavaScript", answered by a script, passes MBPP/41's tests as ``lifted_main`` (cosine 0.604, at
    ``exec_foreign_threshold``); the same script keeping the odd numbers does not."""
    cfg, index = _index({"Mbpp/41", "Mbpp/426"})
    monkeypatch.setattr(index.semantic(), "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # nothing cached
    instruction = ("Translate the following Python code snippet into equivalent JavaScript code: "
                   "'list(filter(lambda x: x % 2 == 0, [1, 2, 3, 4, 5, 6]))'")
    s = Sample("p", "s", make_messages(instruction, FILTER_SCRIPT))
    decontaminate_samples([s], cfg, index)
    p = s.rejection.params
    assert (p["task_id"], p["signal"], p["scores"]["function"], p["scores"]["language"]) == \
        ("Mbpp/41", "execution", LIFTED_MAIN, "javascript")
    odd = Sample("q", "s", make_messages(instruction, FILTER_SCRIPT.replace("=== 0", "=== 1")))
    decontaminate_samples([odd], cfg, index)
    assert not odd.rejected


@pytest.mark.parametrize(("task", "nested"), [("Mbpp/562", True), ("Mbpp/90", False), ("Mbpp/559", False)])
def test_the_benchmarks_own_tests_say_whether_its_input_is_nested(shared_data, task, nested):
    """MBPP/562, "the length of the longest sublists", takes a list of lists in every test; "sublist" is also a
    slice of one list (MBPP/559's "largest contiguous sublist"), so the statement's words cannot say it."""
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    tasks = [t for name in ("mbpp", "mbpp+") for t in load_benchmark(name) if t.task_id == task]
    (problem,) = problems_from_tasks(tasks, cfg.exec_plus_inputs)
    assert problem.nested_input is nested


def test_a_nested_input_is_no_veto_where_the_benchmarks_tests_are_nested():
    """CoNaLa's "get the maximum string length in nested list ``i``" (``len(max(i, key=len))``) passes MBPP/562's
    53 tests; the veto "a nested input where the benchmark's is flat" read only MBPP/562's statement."""
    mbpp562 = ["Write a python function to find the length of the longest sublists."]
    instruction = "get the maximum string length in nested list `i`"
    assert statement_veto(mbpp562, instruction) == {"objects": ["a nested input where the benchmark's is flat"]}
    assert statement_veto(mbpp562, instruction, nested_input=True) is None
