"""DS-1000 scoring: upstream's test programs and postprocess, run in the sandbox; prompts; the CLI.

DS-1000 is not redistributed in ../shared/data and cannot be downloaded here, so the tests write three real
problems (xlangai/DS-1000 ``data/ds1000.jsonl``, problems 0-2, Pandas, copied verbatim) into a file in
DS-1000's own format and load it as a user's file.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from typer.testing import CliRunner

from alchemistcoder.benchmarks import BenchmarkNotFound, load_benchmark
from alchemistcoder.cli import app
from alchemistcoder.evaluate import evaluate_samples
from alchemistcoder.evaluate.ds1000 import build_test_program, missing_modules, postprocess, task_modules
from alchemistcoder.evaluate.prompts import build_prompt, to_sample
from alchemistcoder.evaluate.scoring import ScoreOptions, score

PROBLEM_0 = {
    "prompt": "Problem:\nI have the following DataFrame:\n    Col1  Col2  Col3  Type\n0      1     2     3     1\n1      4     5     6     1\n2      7     8     9     2\n3    10    11    12     2\n4    13    14    15     3\n5    16    17    18     3\n\n\nThe DataFrame is read from a CSV file. All rows which have Type 1 are on top, followed by the rows with Type 2, followed by the rows with Type 3, etc.\nI would like to shuffle the order of the DataFrame's rows according to a list. \\\nFor example, give a list [2, 4, 0, 3, 1, 5] and desired result should be:\n    Col1  Col2  Col3  Type\n2      7     8     9     2\n4     13    14    15     3\n0     1     2     3     1\n3    10    11    12     2\n1     4     5     6     1\n5    16    17    18     3\n...\n\n\nHow can I achieve this?\n\n\nA:\n<code>\nimport pandas as pd\nimport numpy as np\n\n\ndf = pd.DataFrame({'Col1': [1, 4, 7, 10, 13, 16],\n                   'Col2': [2, 5, 8, 11, 14, 17],\n                   'Col3': [3, 6, 9, 12, 15, 18],\n                   'Type': [1, 1, 2, 2, 3, 3]})\nList = np.random.permutation(len(df))\n</code>\nresult = ... # put solution in this variable\nBEGIN SOLUTION\n<code>\n",
    "reference_code": "def g(df, List):\n    return df.iloc[List]\n\nresult = g(df.copy(), List)\n",
    "metadata": {
        "problem_id": 0,
        "library_problem_id": 0,
        "library": "Pandas",
        "test_case_cnt": 1,
        "perturbation_type": "Origin",
        "perturbation_origin_id": 0,
    },
    "code_context": 'import pandas as pd\nimport numpy as np\nimport copy\n\n\ndef generate_test_case(test_case_id):\n    def generate_ans(data):\n        data = data\n        df, List = data\n        return df.iloc[List]\n\n    def define_test_input(test_case_id):\n        if test_case_id == 1:\n            df = pd.DataFrame(\n                {\n                    "Col1": [1, 4, 7, 10, 13, 16],\n                    "Col2": [2, 5, 8, 11, 14, 17],\n                    "Col3": [3, 6, 9, 12, 15, 18],\n                    "Type": [1, 1, 2, 2, 3, 3],\n                }\n            )\n            List = np.random.permutation(len(df))\n        return df, List\n\n    test_input = define_test_input(test_case_id)\n    expected_result = generate_ans(copy.deepcopy(test_input))\n    return test_input, expected_result\n\n\ndef exec_test(result, ans):\n    try:\n        pd.testing.assert_frame_equal(result, ans, check_dtype=False)\n        return 1\n    except:\n        return 0\n\n\nexec_context = r"""\nimport pandas as pd\nimport numpy as np\ndf, List = test_input\n[insert]\n"""\n\n\ndef test_execution(solution: str):\n    code = exec_context.replace("[insert]", solution)\n    for i in range(1):\n        test_input, expected_result = generate_test_case(i + 1)\n        test_env = {"test_input": test_input}\n        exec(code, test_env)\n        assert exec_test(test_env["result"], expected_result)\n',
}

PROBLEM_1 = {
    "prompt": "Problem:\nI have the following DataFrame:\n    Col1  Col2  Col3  Type\n0      1     2     3     1\n1      4     5     6     1\n2      7     8     9     2\n3    10    11    12     2\n4    13    14    15     3\n5    16    17    18     3\n\n\nThe DataFrame is read from a CSV file. All rows which have Type 1 are on top, followed by the rows with Type 2, followed by the rows with Type 3, etc.\nI would like to shuffle the order of the DataFrame's rows according to a list. \nFor example, give a list [2, 4, 0, 3, 1, 5] and desired DataFrame should be:\n    Col1  Col2  Col3  Type\n2      7     8     9     2\n4     13    14    15     3\n0     1     2     3     1\n3    10    11    12     2\n1     4     5     6     1\n5    16    17    18     3\n...\nI want to know how many rows have different Type than the original DataFrame. In this case, 4 rows (0,1,2,4) have different Type than origin.\nHow can I achieve this?\n\n\nA:\n<code>\nimport pandas as pd\nimport numpy as np\n\n\ndf = pd.DataFrame({'Col1': [1, 4, 7, 10, 13, 16],\n                   'Col2': [2, 5, 8, 11, 14, 17],\n                   'Col3': [3, 6, 9, 12, 15, 18],\n                   'Type': [1, 1, 2, 2, 3, 3]})\nList = np.random.permutation(len(df))\n</code>\nresult = ... # put solution in this variable\nBEGIN SOLUTION\n<code>\n",
    "reference_code": "def g(df, List):\n    df2 = df.iloc[List].reindex().reset_index(drop=True)\n    return (df2.Type != df.Type).sum()\n\nresult = g(df.copy(), List)\n",
    "metadata": {
        "problem_id": 1,
        "library_problem_id": 1,
        "library": "Pandas",
        "test_case_cnt": 1,
        "perturbation_type": "Semantic",
        "perturbation_origin_id": 0,
    },
    "code_context": 'import pandas as pd\nimport numpy as np\nimport copy\n\n\ndef generate_test_case(test_case_id):\n    def generate_ans(data):\n        data = data\n        df, List = data\n        df2 = df.iloc[List].reindex().reset_index(drop=True)\n        return (df2.Type != df.Type).sum()\n\n    def define_test_input(test_case_id):\n        if test_case_id == 1:\n            df = pd.DataFrame(\n                {\n                    "Col1": [1, 4, 7, 10, 13, 16],\n                    "Col2": [2, 5, 8, 11, 14, 17],\n                    "Col3": [3, 6, 9, 12, 15, 18],\n                    "Type": [1, 1, 2, 2, 3, 3],\n                }\n            )\n            List = np.random.permutation(len(df))\n        return df, List\n\n    test_input = define_test_input(test_case_id)\n    expected_result = generate_ans(copy.deepcopy(test_input))\n    return test_input, expected_result\n\n\ndef exec_test(result, ans):\n    try:\n        assert result == ans\n        return 1\n    except:\n        return 0\n\n\nexec_context = r"""\nimport pandas as pd\nimport numpy as np\ndf, List = test_input\n[insert]\n"""\n\n\ndef test_execution(solution: str):\n    code = exec_context.replace("[insert]", solution)\n    for i in range(1):\n        test_input, expected_result = generate_test_case(i + 1)\n        test_env = {"test_input": test_input}\n        exec(code, test_env)\n        assert exec_test(test_env["result"], expected_result)\n',
}

PROBLEM_2 = {
    "prompt": "Problem:\nI have following pandas dataframe :\n\n\nimport pandas as pd \nfrom pandas import Series, DataFrame\ndata = DataFrame({'Qu1': ['apple', 'potato', 'cheese', 'banana', 'cheese', 'banana', 'cheese', 'potato', 'egg'],\n              'Qu2': ['sausage', 'banana', 'apple', 'apple', 'apple', 'sausage', 'banana', 'banana', 'banana'],\n              'Qu3': ['apple', 'potato', 'sausage', 'cheese', 'cheese', 'potato', 'cheese', 'potato', 'egg']})\n\n\nI'd like to change values in columns Qu1,Qu2,Qu3 according to value_counts() when value count great or equal 2\nFor example for Qu1 column \n>>> pd.value_counts(data.Qu1) >= 2\ncheese     True\npotato     True\nbanana     True\napple     False\negg       False\n\n\nI'd like to keep values cheese,potato,banana, because each value has at least two appearances.\nFrom values apple and egg I'd like to create value others \nFor column Qu2 no changes :\n>>> pd.value_counts(data.Qu2) >= 2\nbanana     True\napple      True\nsausage    True\n\n\nThe final result as in attached test_data\ntest_data = DataFrame({'Qu1': ['other', 'potato', 'cheese', 'banana', 'cheese', 'banana', 'cheese', 'potato', 'other'],\n                  'Qu2': ['sausage', 'banana', 'apple', 'apple', 'apple', 'sausage', 'banana', 'banana', 'banana'],\n                  'Qu3': ['other', 'potato', 'other', 'cheese', 'cheese', 'potato', 'cheese', 'potato', 'other']})\n\n\nThanks !\n\n\nA:\n<code>\nimport pandas as pd\n\n\ndf = pd.DataFrame({'Qu1': ['apple', 'potato', 'cheese', 'banana', 'cheese', 'banana', 'cheese', 'potato', 'egg'],\n                   'Qu2': ['sausage', 'banana', 'apple', 'apple', 'apple', 'sausage', 'banana', 'banana', 'banana'],\n                   'Qu3': ['apple', 'potato', 'sausage', 'cheese', 'cheese', 'potato', 'cheese', 'potato', 'egg']})\n</code>\nresult = ... # put solution in this variable\nBEGIN SOLUTION\n<code>\n",
    "reference_code": 'def g(df):\n    return df.where(df.apply(lambda x: x.map(x.value_counts())) >= 2, "other")\n\nresult = g(df.copy())\n',
    "metadata": {
        "problem_id": 2,
        "library_problem_id": 2,
        "library": "Pandas",
        "test_case_cnt": 2,
        "perturbation_type": "Origin",
        "perturbation_origin_id": 2,
    },
    "code_context": 'import pandas as pd\nimport numpy as np\nimport copy\n\n\ndef generate_test_case(test_case_id):\n    def generate_ans(data):\n        df = data\n        return df.where(df.apply(lambda x: x.map(x.value_counts())) >= 2, "other")\n\n    def define_test_input(test_case_id):\n        if test_case_id == 1:\n            df = pd.DataFrame(\n                {\n                    "Qu1": [\n                        "apple",\n                        "potato",\n                        "cheese",\n                        "banana",\n                        "cheese",\n                        "banana",\n                        "cheese",\n                        "potato",\n                        "egg",\n                    ],\n                    "Qu2": [\n                        "sausage",\n                        "banana",\n                        "apple",\n                        "apple",\n                        "apple",\n                        "sausage",\n                        "banana",\n                        "banana",\n                        "banana",\n                    ],\n                    "Qu3": [\n                        "apple",\n                        "potato",\n                        "sausage",\n                        "cheese",\n                        "cheese",\n                        "potato",\n                        "cheese",\n                        "potato",\n                        "egg",\n                    ],\n                }\n            )\n        if test_case_id == 2:\n            df = pd.DataFrame(\n                {\n                    "Qu1": [\n                        "sausage",\n                        "banana",\n                        "apple",\n                        "apple",\n                        "apple",\n                        "sausage",\n                        "banana",\n                        "banana",\n                        "banana",\n                    ],\n                    "Qu2": [\n                        "apple",\n                        "potato",\n                        "sausage",\n                        "cheese",\n                        "cheese",\n                        "potato",\n                        "cheese",\n                        "potato",\n                        "egg",\n                    ],\n                    "Qu3": [\n                        "apple",\n                        "potato",\n                        "cheese",\n                        "banana",\n                        "cheese",\n                        "banana",\n                        "cheese",\n                        "potato",\n                        "egg",\n                    ],\n                }\n            )\n        return df\n\n    test_input = define_test_input(test_case_id)\n    expected_result = generate_ans(copy.deepcopy(test_input))\n    return test_input, expected_result\n\n\ndef exec_test(result, ans):\n    try:\n        pd.testing.assert_frame_equal(result, ans, check_dtype=False)\n        return 1\n    except:\n        return 0\n\n\nexec_context = r"""\nimport pandas as pd\nimport numpy as np\ndf = test_input\n[insert]\n"""\n\n\ndef test_execution(solution: str):\n    code = exec_context.replace("[insert]", solution)\n    for i in range(2):\n        test_input, expected_result = generate_test_case(i + 1)\n        test_env = {"test_input": test_input}\n        exec(code, test_env)\n        assert exec_test(test_env["result"], expected_result)\n',
}


REAL_PROBLEMS = [PROBLEM_0, PROBLEM_1, PROBLEM_2]

# Not a DS-1000 problem: a record in its format whose test imports TensorFlow (DS-1000's Tensorflow problems
# start like this), to see what a machine without the library reports.
TENSORFLOW_RECORD = {
    "prompt": "Problem:\nHow do I add two tensors?\n\nA:\n<code>\nimport tensorflow as tf\n</code>\n",
    "reference_code": "result = tf.add(a, b)\n",
    "metadata": {
        "problem_id": 900,
        "library_problem_id": 0,
        "library": "Tensorflow",
        "test_case_cnt": 1,
        "perturbation_type": "Origin",
        "perturbation_origin_id": 0,
    },
    "code_context": 'import tensorflow as tf\nimport copy\n\n\ndef test_execution(solution: str):\n    exec(solution, {"tf": tf})\n',
}


# Not a DS-1000 problem either: problem 0 with a test_string in the form DS-1000's loop-free problems use
# (the answer's tokens may not contain "for" or "while"), to run the test_string(code) part of the program.
NO_LOOPS_RECORD = {
    **PROBLEM_0,
    "metadata": {**PROBLEM_0["metadata"], "problem_id": 901},
    "code_context": "import tokenize, io\n"
    + PROBLEM_0["code_context"]
    + '\n\ndef test_string(solution: str):\n    tokens = []\n    for token in tokenize.tokenize(io.BytesIO(solution.encode("utf-8")).readline):\n        tokens.append(token.string)\n    assert "while" not in tokens and "for" not in tokens\n',
}


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def ds1000_file(tmp_path):
    return _write(tmp_path / "ds1000.jsonl", REAL_PROBLEMS)


def test_postprocess_is_upstreams():
    assert postprocess("result = 1\n</code>\nEND SOLUTION") == "result = 1\n"
    assert postprocess("```python\nresult = 1\n```\nThis works.") == "\nresult = 1\n"
    assert postprocess("result = 1\nEND SOLUTION\n<code>") == "result = 1"
    assert postprocess("<code>result = 1") == "result = 1"
    assert postprocess("result = 2\n") == "result = 2\n"
    once = postprocess("<code>\n```python\nx = 1\n```\n</code>")
    assert postprocess(once) == once


def test_test_program_is_upstreams():
    program = build_test_program(PROBLEM_0["code_context"], "result = df")
    assert program == PROBLEM_0["code_context"] + "\ncode = 'result = df'\ntest_execution(code)\n\n"
    with_string = build_test_program("def test_string(solution):\n    pass\n", "x")
    assert with_string.endswith("test_execution(code)\ntest_string(code)\n")


def test_loads_the_real_format_and_names_a_bad_record(ds1000_file, tmp_path):
    tasks = load_benchmark("ds1000", ds1000_file)
    assert [t.task_id for t in tasks] == ["DS1000/0", "DS1000/1", "DS1000/2"]
    assert tasks[0].extra["library"] == "Pandas" and tasks[0].test == PROBLEM_0["code_context"]
    assert task_modules(tasks[0]) == {"pandas", "numpy"}
    bad = _write(tmp_path / "bad.jsonl", [PROBLEM_0, {"prompt": "p"}])
    with pytest.raises(Exception, match=r"record 2 is not a ds1000 task"):
        load_benchmark("ds1000", bad)
    with pytest.raises(BenchmarkNotFound, match="no default file"):
        load_benchmark("ds1000")


def test_verdicts_and_error_classes(ds1000_file):
    tasks = load_benchmark("ds1000", ds1000_file)
    samples = [{"task_id": t.task_id, "solution": t.canonical_solution} for t in tasks]
    answers = {
        "wrong": "result = df",
        "syntax": "result = df.iloc[List",
        "loop": "while True:\n    pass",
        "missing_lib": "import tensorflow_not_installed_anywhere\nresult = df.iloc[List]",
        "own_assert": "assert len(df) == 7\nresult = df.iloc[List]",
        "sys_exit": "import sys\nsys.exit(0)",  # upstream catches BaseException: a failure
        "os_exit": "import os\nos._exit(0)",  # the test never finishes: a failure
        "empty": "",
        "fenced": "```python\nresult = df.iloc[List]\n```\nThis reorders the rows.",
        "undefined": "result = g(df)",
    }
    # answers by bare problem id and as `completion`, as upstream's answer lists index them
    samples += [{"task_id": 0, "completion": code} for code in answers.values()]
    results = score(tasks, samples, ScoreOptions(ds1000_timeout_s=3.0))
    assert [(r.base_status, r.plus_status) for r in results[:3]] == [("pass", None)] * 3
    got = {name: r for name, r in zip(answers, results[3:], strict=True)}
    assert {name: r.error_class for name, r in got.items()} == {
        "wrong": "wrong_answer",
        "syntax": "syntax_error",
        "loop": "timeout",
        "missing_lib": "import_error",
        "own_assert": "assertion_error",
        "sys_exit": "runtime_error",
        "os_exit": "runtime_error",
        "empty": "no_code",
        "fenced": "passed",
        "undefined": "name_error",
    }
    assert got["loop"].base_status == "timeout"
    assert "tensorflow_not_installed_anywhere" in got["missing_lib"].error
    assert got["fenced"].solution == "\nresult = df.iloc[List]\n"  # the post-processed answer is recorded
    assert all(r.base_status == "fail" for name, r in got.items() if name not in ("loop", "fenced"))


def test_test_string_part_runs(tmp_path):
    tasks = load_benchmark("ds1000", _write(tmp_path / "loops.jsonl", [NO_LOOPS_RECORD]))
    assert "test_string(code)" in build_test_program(tasks[0].test, "x")
    loop = "result = df.iloc[[i for i in List]]"  # right answer, but with a loop
    results = score(
        tasks, [{"task_id": 901, "solution": PROBLEM_0["reference_code"]}, {"task_id": 901, "solution": loop}]
    )
    assert [(r.base_status, r.error_class) for r in results] == [("pass", "passed"), ("fail", "wrong_answer")]


def test_missing_libraries_are_reported(tmp_path):
    tasks = load_benchmark("ds1000", _write(tmp_path / "tf.jsonl", [PROBLEM_0, TENSORFLOW_RECORD]))
    expected = {m: 1 for m in ("tensorflow", "pandas", "numpy") if importlib.util.find_spec(m) is None}
    assert missing_modules(tasks) == expected
    if "tensorflow" in expected:
        [result] = score(tasks, [{"task_id": 900, "solution": "result = 1"}], ScoreOptions(workers=1))
        assert result.error_class == "import_error" and "tensorflow" in result.error


def test_cli_evaluate_ds1000(ds1000_file, tmp_path):
    samples = _write(
        tmp_path / "samples.jsonl",
        [
            {"task_id": "DS1000/1", "solution": "result = 0"},
            {"task_id": "DS1000/0", "solution": PROBLEM_0["reference_code"]},
            {"task_id": "DS1000/1", "solution": PROBLEM_1["reference_code"]},
        ],
    )
    out = tmp_path / "out"
    args = ["score", "--benchmark", "ds1000", "--samples", str(samples), "--out", str(out)]
    res = CliRunner().invoke(app, [*args, "--data", str(ds1000_file), "--ds1000-timeout", "30"])
    assert res.exit_code == 0, res.output
    assert "pass@1=" in res.output and "Pandas" in res.output
    doc = json.loads((out / "eval_results.json").read_text())
    assert doc["benchmark"] == "ds1000" and len(doc["hash"]) == 32
    assert [r["base_status"] for r in doc["eval"]["DS1000/1"]] == ["fail", "pass"]
    assert doc["eval"]["DS1000/1"][0]["error_class"] == "wrong_answer"
    assert all(r["plus_status"] is None for rs in doc["eval"].values() for r in rs)
    assert doc["pass_at_k"] == {"base": {"pass@1": pytest.approx(0.75)}}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["by_library"] == {"Pandas": {"tasks": 2, "pass@1": pytest.approx(0.75)}}
    assert summary["by_perturbation"] == {
        "Origin": {"tasks": 1, "pass@1": 1.0},
        "Semantic": {"tasks": 1, "pass@1": 0.5},
    }

    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "no default file" in res.output


def test_prompt_styles(ds1000_file):
    task = load_benchmark("ds1000", ds1000_file)[0]
    base = build_prompt(task, "base")
    assert base.prompt == PROBLEM_0["prompt"] and "</code>" in base.stop
    completion = "result = df.iloc[List]\n</code>\nEND SOLUTION"
    assert to_sample(task, "base", completion) == {
        "task_id": "DS1000/0",
        "solution": "result = df.iloc[List]\n",
    }
    chat = build_prompt(task, "chat", system_prompt="sys")
    assert chat.messages[0] == {"role": "system", "content": "sys"}
    assert chat.messages[1]["content"].endswith(PROBLEM_0["prompt"])
    answer = "Use iloc:\n```python\nresult = df.iloc[List]\n```\nDone."
    assert to_sample(task, "chat", answer)["solution"].strip() == "result = df.iloc[List]"
    assert build_prompt(task, "opencompass").messages == build_prompt(task, "chat").messages


def test_evaluate_samples_end_to_end(ds1000_file, tmp_path):
    rows = [{"task_id": "DS1000/2", "solution": PROBLEM_2["reference_code"]}]
    summary = evaluate_samples("ds-1000", rows, tmp_path, data=ds1000_file)
    assert summary["base"] == {"pass@1": 1.0} and summary["tasks_with_samples"] == 1
    assert summary["missing_libraries"] == {}


@pytest.mark.slow
def test_cli_eval_generates_with_the_embedded_model_and_scores(ds1000_file, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text(
        "eval:\n  benchmarks: [ds1000]\n"
        f"  data: {{ds1000: {ds1000_file}}}\n"
        "  limit: 1\n  max_tokens: 16\n  prompt_style: chat\n  ds1000_timeout_s: 30\n"
    )
    res = CliRunner().invoke(app, ["evaluate", str(config), "--out", str(tmp_path / "eval")])
    assert res.exit_code == 0, res.output
    rows = [
        json.loads(line) for line in (tmp_path / "eval" / "ds1000" / "samples.jsonl").read_text().splitlines()
    ]
    assert [r["task_id"] for r in rows] == ["DS1000/0"] and isinstance(rows[0]["solution"], str)
    doc = json.loads((tmp_path / "eval" / "ds1000" / "eval_results.json").read_text())
    [result] = doc["eval"]["DS1000/0"]
    assert result["base_status"] in ("pass", "fail", "timeout") and result["error_class"]
    assert "ds1000: 1 samples over 1/1 tasks" in res.output
