"""Prompt styles: what the model is asked for each benchmark task, and how its answer becomes code.

* ``base``: the raw prompt for a base model to continue (HumanEval's signature and docstring, MBPP+'s
  docstring, HumanEval-X's declaration), cut at EvalPlus's stop sequences.
* ``chat``: an instruction in the model's own chat template (the LLM layer applies it), EvalPlus-style:
  "provide a self-contained script ... in a markdown code block".
* ``opencompass``: the prompts AlchemistCoder's paper used (its OpenCompass configs,
  ``eval/opencompass/configs/datasets/alchemistcoder_code_eval_datasets``): HumanEval(+) inside an
  instruction wrapper; MBPP(+) 3-shot with ``[BEGIN]``/``[DONE]`` tags, shots from MBPP tasks 2, 3 and 4.

DS-1000's prompt is written for completion (it ends in ``BEGIN SOLUTION\n<code>``): ``base`` sends it as is and
stops at ``</code>`` (or ``# SOLUTION END`` for Matplotlib's prompts); ``chat`` (and ``opencompass``, which has
no DS-1000 prompt of its own here) asks for the code that goes after BEGIN SOLUTION in a code block. Either
way the answer is cleaned with upstream's ``postprocess``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from alchemistcoder.benchmarks import BenchmarkTask
from alchemistcoder.evaluate.sanitize import pick_block, sanitize

# EvalPlus's stop sequences for base-model completion of Python prompts.
PYTHON_STOPS = [
    "\ndef ",
    "\nclass ",
    "\nimport ",
    "\nfrom ",
    "\nassert ",
    '\n"""',
    "\nif __name__",
    "\nprint(",
]
# HumanEval-X: a completion ends where the top-level function ends.
BRACE_STOPS = ["\n}\n\n", "\nint main", "\npublic static void main", "\nfunc main", "\nfn main", "\n#include"]

LANGUAGE_NAMES = {
    "python": "Python",
    "cpp": "C++",
    "java": "Java",
    "javascript": "JavaScript",
    "go": "Go",
    "rust": "Rust",
}

OPENCOMPASS_HUMANEVAL = (
    "Below is an instruction that describes a task. Write a response that appropriately completes the request."
    "\n\n\nComplete the following python function.\n\n\n{prompt}\n\n\nHere is the completed function:\n\n\n"
)

# The three MBPP shots (tasks 2, 3, 4) exactly as the paper's mbpp_plus_gen_94815c config writes them.
_MBPP_SHOTS = (
    "You are an exceptionally intelligent coding assistant that consistently delivers accurate and reliable "
    "responses to user instructions.\n\n\nPlease refer the given examples and generate a python function for my "
    "problem. \nExamples are listed as follows:\n\nQuestion: \nYou are an expert Python programmer, and here is "
    "your task: Write a function to find the similar elements from the given two tuple lists. Your code should "
    "pass these tests:\n\n assert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)\n assert "
    "similar_elements((1, 2, 3, 4),(5, 4, 3, 7)) == (3, 4) \n assert similar_elements((11, 12, 14, 13),(17, 15, "
    "14, 13)) == (13, 14) \n\nYour code should start with a [BEGIN] tag and end with a [DONE] tag.\n \nAnswer:\n"
    "[BEGIN]\ndef similar_elements(test_tup1, test_tup2):\r\n  res = tuple(set(test_tup1) & set(test_tup2))\r\n  "
    "return (res)\n[DONE] \n\n \n Question: \nYou are an expert Python programmer, and here is your task: Write a "
    "python function to identify non-prime numbers. Your code should pass these tests:\n\n assert is_not_prime(2) "
    "== False \n assert is_not_prime(10) == True \n assert is_not_prime(35) == True \n\nYour code should start "
    "with a [BEGIN] tag and end with a [DONE] tag.\n \nAnswer:\n[BEGIN]\nimport math\r\ndef is_not_prime(n):\r\n"
    "    result = False\r\n    for i in range(2,int(math.sqrt(n)) + 1):\r\n        if n % i == 0:\r\n            "
    "result = True\r\n    return result\n[DONE] \n\n \n Question: \nYou are an expert Python programmer, and here "
    "is your task: Write a function to find the largest integers from a given list of numbers using heap queue "
    "algorithm. Your code should pass these tests:\n\n assert heap_queue_largest( [25, 35, 22, 85, 14, 65, 75, 22, "
    "58],3)==[85, 75, 65] \n assert heap_queue_largest( [25, 35, 22, 85, 14, 65, 75, 22, 58],2)==[85, 75] \n "
    "assert heap_queue_largest( [25, 35, 22, 85, 14, 65, 75, 22, 58],5)==[85, 75, 65, 58, 35] \n\nYour code "
    "should start with a [BEGIN] tag and end with a [DONE] tag.\n\nAnswer:\n[BEGIN]\nimport heapq as hq\r\ndef "
    "heap_queue_largest(nums,n):\r\n  largest_nums = hq.nlargest(n, nums)\r\n  return largest_nums\n[DONE] \n\n\n"
    "Here is my problem:\n\n"
)
OPENCOMPASS_MBPP = (
    _MBPP_SHOTS
    + "Question: \nYou are an expert Python programmer, and here is your task: {text}\nYour code should "
    "pass these tests:\n\n {test_list}  \n\nYour code should start with a [BEGIN] tag and end with a [DONE] tag."
    "\n\nAnswer:\n"
)


# Stop sequences of DS-1000 completions: the prompt's open <code> block, or Matplotlib's "# SOLUTION START".
DS1000_STOPS = ["</code>", "# SOLUTION END"]
DS1000_CHAT = (
    "Complete the solution of the following data-science problem. Write only the code that goes after "
    "BEGIN SOLUTION: it runs right after the code shown in the problem, with those variables already defined, "
    "and must put the answer where the problem says. Do not repeat the code that is given. Answer with one "
    "```python code block.\n\n{prompt}"
)


@dataclass
class PromptSpec:
    """What to send for one task: chat ``messages`` or a raw ``prompt``, and stop sequences."""

    messages: list[dict[str, str]] | None = None
    prompt: str | None = None
    stop: list[str] | None = None


def _is_mbpp(task: BenchmarkTask) -> bool:
    return task.benchmark.startswith("mbpp")


def mbpp_text_and_tests(task: BenchmarkTask) -> tuple[str, list[str]]:
    """The task description and its example asserts (MBPP: text and test_list; MBPP+: from its docstring)."""
    if "test_list" in task.extra:
        return task.prompt, list(task.extra["test_list"])
    body = task.prompt.strip().strip('"').strip("'").strip()
    lines = [line for line in body.splitlines() if line.strip()]
    text = " ".join(line.strip() for line in lines if not line.strip().startswith("assert"))
    tests = [line.strip() for line in (task.test or "").splitlines() if line.strip().startswith("assert")]
    return text, tests


def base_prompt(task: BenchmarkTask) -> str:
    """The text a base model continues."""
    if task.benchmark == "humaneval-x-rust":
        return task.extra.get("declaration", "") + task.prompt
    if task.benchmark in ("mbpp", "mbpp-sanitized"):
        text, tests = mbpp_text_and_tests(task)
        return f'"""\n{text}\n{tests[0] if tests else ""}\n"""\n'
    return task.prompt


def build_prompt(task: BenchmarkTask, style: str, system_prompt: str | None = None) -> PromptSpec:
    """The request for ``task`` in prompt ``style`` ('base', 'chat' or 'opencompass')."""

    def chat(user: str) -> PromptSpec:
        messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
        return PromptSpec(messages=[*messages, {"role": "user", "content": user}])

    if task.benchmark == "ds1000":
        if style == "base":
            return PromptSpec(prompt=task.prompt, stop=list(DS1000_STOPS))
        if style not in ("chat", "opencompass"):
            raise ValueError(f"unknown prompt style {style!r}; use base, chat or opencompass")
        return chat(DS1000_CHAT.format(prompt=task.prompt))
    if style == "base":
        stops = PYTHON_STOPS if task.language == "python" else BRACE_STOPS
        return PromptSpec(prompt=base_prompt(task), stop=stops)
    if style == "opencompass" and task.language == "python":
        if _is_mbpp(task):
            text, tests = mbpp_text_and_tests(task)
            return chat(OPENCOMPASS_MBPP.format(text=text, test_list="\n".join(tests)))
        return chat(OPENCOMPASS_HUMANEVAL.format(prompt=task.prompt))
    if style not in ("chat", "opencompass"):
        raise ValueError(f"unknown prompt style {style!r}; use base, chat or opencompass")
    language = LANGUAGE_NAMES[task.language]
    fence = task.language if task.language != "javascript" else "js"
    if _is_mbpp(task):
        text, tests = mbpp_text_and_tests(task)
        problem = text + ("\n" + "\n".join(tests) if tests else "")
    else:
        problem = base_prompt(task).strip()
    return chat(
        f"Please provide a self-contained {language} script that solves the following problem in a markdown "
        f"code block:\n```{fence}\n{problem}\n```\n"
    )


def extract_begin_done(text: str) -> str:
    """The code between [BEGIN] and [DONE] (OpenCompass's MBPP post-processing), fences and quotes removed."""
    done = re.search(r"('\s*|)(\[DONE\]|DONE)", text)
    if done:
        text = text[: done.start()]
    begin = re.search(r"(\[BEGIN\]|BEGIN)('\s*|)", text)
    if begin:
        text = text[begin.end() :]
    text = pick_block(text.strip())
    return text.strip().strip("'").replace("\r\n", "\n")


def with_prompt_imports(prompt: str, code: str) -> str:
    """``code`` with the prompt's top-level imports put back in front when it lacks them.

    A chat answer rewrites the function but often drops the prompt's ``from typing import List``, and then
    fails with a NameError that says nothing about the model's code. OpenCompass scores prompt + answer, so
    these imports are in scope there; EvalPlus scores the answer alone. We follow OpenCompass (the paper's
    harness) and document the difference.
    """
    if not code.strip():
        return code
    try:
        tree = ast.parse(prompt)
    except SyntaxError:
        return code
    lines = prompt.splitlines()
    imports = [
        "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    missing = [imp for imp in imports if imp not in code]
    return "\n".join([*missing, code]) if missing else code


def to_sample(task: BenchmarkTask, style: str, output: str) -> dict[str, str]:
    """The samples.jsonl record for one model output: ``solution`` (full code) or, for HumanEval-X base
    completions, ``completion`` (scored as prompt + completion, like CodeGeeX). DS-1000: the answer's code,
    cleaned with upstream's ``postprocess``."""
    if task.benchmark == "ds1000":
        from alchemistcoder.evaluate.ds1000 import postprocess

        return {
            "task_id": task.task_id,
            "solution": postprocess(output if style == "base" else pick_block(output)),
        }
    if task.language == "python" and not task.benchmark.startswith("humaneval-x-"):
        if style == "base":
            return {
                "task_id": task.task_id,
                "solution": sanitize(base_prompt(task) + output, entry_point=task.entry_point),
            }
        if style == "opencompass" and _is_mbpp(task):
            output = extract_begin_done(output)
        code = sanitize(output, entry_point=task.entry_point)
        return {"task_id": task.task_id, "solution": with_prompt_imports(task.prompt, code)}
    if style == "base":
        return {"task_id": task.task_id, "completion": output}
    code = sanitize(output, language=task.language, entry_point=task.entry_point)
    from alchemistcoder.evaluate.humaneval_x import full_solution

    return full_solution(task, code)
