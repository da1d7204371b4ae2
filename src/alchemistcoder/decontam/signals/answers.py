"""Bare answers for decontamination's execution signal: a response that is only the answer to its instruction's
own example ("You are given a list of numbers, please find the median. [1, 5, 7, 8, 2, 3]" answered ``4``).

Such a sample has no code to run on a benchmark's tests, yet it is the benchmark problem with the answer only
(an interface row by the fresh sets' review rules, issue 24's N1). The evidence turns around: the candidate
problem's reference solution runs on the instruction's literal inputs, in the sandbox like every other run,
and must give the response's answer. One input is little evidence, so an answer that many problems give by
chance (a truth value, None, 0, 1, -1, an empty container) is no bare answer here, and the inputs must fit the
problem's arity.

The check reuses the execution machinery: the answer becomes a function that returns it (:func:`answer_code`),
and the candidate becomes a problem whose one test is the instruction's inputs (:func:`answer_problem`).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import re
from typing import TYPE_CHECKING, Any

from alchemistcoder.code import extract_code_blocks
from alchemistcoder.decontam.signals.python import Function, SampleCode

if TYPE_CHECKING:
    from alchemistcoder.decontam.problems import BenchProblem

ANSWER_FUNCTION = "_answer"
# the longest response read as a bare answer, and its one sentence's last value ("... is 4.")
_MAX_CHARS = 80
_MAX_LINE = 200  # the longest last line of a prose answer read for its concluding list
_SENTENCE_VALUE = re.compile(r"(?:\bis|\bare|=|:)\s*(\S.*?)\s*\.?\s*$", re.S)
# the literal inputs an instruction shows: containers, quoted text, and numbers bound to a name (``n = 5``)
_OPENERS = {"[": "]", "(": ")", "{": "}"}
_QUOTED = re.compile(r"(?<![\w'\"])('[^'\n]+'|\"[^\"\n]+\")(?![\w'\"])")
_CODE_IN_TEXT = re.compile(r"\b[A-Za-z_]\w*\(|\b(?:def|print|output|printed|prints|returns? the following)\b", re.I)
_BOUND_NUMBER = re.compile(r"\b[A-Za-z_]\w*\s*=\s*(-?\d+(?:\.\d+)?)\b(?!\s*[\[\]({])")


def _literal(text: str) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _telling(value: Any, inputs: list[Any]) -> bool:
    """Whether a value is an answer few problems give by chance on one input: not a truth value, None, 0, 1, -1
    or an empty container, nor a one-digit number that is an element of an input (the largest prime of [3, 4, 8,
    9, 10] is 3, and so is HumanEval/94's sum of the digits of the largest prime)."""
    if value is None or isinstance(value, bool) or (isinstance(value, int) and value in (-1, 0, 1)):
        return False
    if isinstance(value, (int, float)) and abs(value) < 10 and any(
            isinstance(x, (list, tuple)) and value in x for x in inputs):
        return False
    if any(value == x for x in inputs):
        return False  # the input given back ("remove the duplicates" of a list that has none)
    if isinstance(value, (str, list, tuple, dict, set)):
        return len(value) > 0
    return isinstance(value, (int, float))


def bare_answer(response: str) -> tuple[bool, Any]:
    """(True, the value) when the response is only a value (``4``, ``[1, 2]``), one short sentence ending in
    one ("The index of the maximum value is 4."), or prose without code that concludes with one
    (:func:`_concluded`); (False, None) otherwise."""
    text = response.strip()
    if not text or "`" in text:
        return False, None
    if len(text) > _MAX_CHARS or "\n" in text:
        return _concluded(text)
    ok, value = _literal(text)
    if not ok and (m := _SENTENCE_VALUE.search(text)):
        ok, value = _literal(m.group(1))
    return (True, value) if ok and _telling(value, []) else (False, None)


def _concluded(text: str) -> tuple[bool, Any]:
    """The list a prose answer without code concludes with: the last literal of its last line ("... is sorted
    using Shell sort to get [1, 3, 4, 5, 7]."). A list only: prose that explains often ends on a number that is
    not the answer ("Number of characters: 12" after the variable's type)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines[-1]) > _MAX_LINE or not (spans := _bracketed(lines[-1])) or extract_code_blocks(text):
        return False, None
    ok, value = _literal(spans[-1][1])
    return (True, value) if ok and isinstance(value, (list, tuple)) and _telling(value, []) else (False, None)


def answer_inputs(instruction: str, response: str) -> tuple[Any, list[Any]] | None:
    """A bare answer (:func:`bare_answer`) and the instruction's literal inputs (:func:`literal_inputs`) when the
    answer tells something on those inputs; None otherwise."""
    ok, value = bare_answer(response)
    inputs = literal_inputs(instruction) if ok else []
    return (value, inputs) if inputs and _telling(value, inputs) else None


def _bracketed(text: str) -> list[tuple[int, str]]:
    """Balanced top-level ``[...]``, ``(...)`` and ``{...}`` spans of ``text`` (quotes respected) with their
    start, outermost only."""
    out: list[tuple[int, str]] = []
    stack: list[str] = []
    start = 0
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"" and stack:
            quote = ch
        elif ch in _OPENERS:
            if not stack:
                start = i
            stack.append(_OPENERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                out.append((start, text[start : i + 1]))
        elif ch in ")]}":
            stack = []
    return out


def _asks_for_output(instruction: str) -> bool:
    """Whether the instruction shows code and asks what it does ("What does the following code print out? x = 5
    y = 10 print(x + y)"): predicting a program's output is another task than the problem its code solves."""
    return bool(_CODE_IN_TEXT.search(instruction))


def literal_inputs(instruction: str) -> list[Any]:
    """The literal values an instruction shows as its example input, in order: non-empty lists, tuples and
    dicts written as Python literals (``[1, 5, 7]``; not ``int[]``, nor a C# or Java ``{4, 1, 7}``, which reads
    as a set), quoted text outside them, and numbers bound to a name (``n = 5``). A parenthesized remark is no
    input."""
    if _asks_for_output(instruction):
        return []
    found: list[tuple[int, Any]] = []
    spans = []
    for start, text in _bracketed(instruction):
        ok, value = _literal(text)
        if ok and isinstance(value, (list, tuple, dict)) and value and (text[0] != "(" or isinstance(value, tuple)):
            found.append((start, value))
            spans.append((start, start + len(text)))
    inside = lambda i: any(a <= i < b for a, b in spans)  # noqa: E731 -- a short local predicate
    for m in _QUOTED.finditer(instruction):
        if not inside(m.start()):
            ok, value = _literal(m.group(1))
            if ok:
                found.append((m.start(), value))
    for m in _BOUND_NUMBER.finditer(instruction):
        if not inside(m.start(1)):
            found.append((m.start(1), _literal(m.group(1))[1]))
    return [value for _start, value in sorted(found, key=lambda f: f[0])]


def answer_code(value: Any, arity: int) -> SampleCode:
    """A function of ``arity`` arguments that returns the bare answer, as the sample's code."""
    return SampleCode([f"def {ANSWER_FUNCTION}(*a):\n    return {value!r}"],
                      [Function(ANSWER_FUNCTION, arity, arity, helper=False)])


def answer_problem(problem: BenchProblem, inputs: list[Any]) -> BenchProblem:
    """The candidate problem with one test: its reference solution on the instruction's inputs. Its key is its
    own (its expected output is not the problem's), and does not start with ``Mbpp/``: the inputs are Python
    values already, not MBPP+'s serialized ones."""
    digest = hashlib.sha256(repr(inputs).encode()).hexdigest()[:12]
    return dataclasses.replace(problem, key=f"answer:{digest}/{problem.key}", inputs=[list(inputs)], asserts=[],
                               cases=[])
