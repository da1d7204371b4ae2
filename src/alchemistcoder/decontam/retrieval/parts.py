"""Parts of a multi-part instruction, each with the code that answers it (issue 24, per-part retrieval).

"Please complete all of the following tasks: 1. ... 2. Write ``def max_element(l)`` ... 3. ..." is embedded as
one text when it is retrieved whole, and the part that is a benchmark problem is diluted by the others (its
cosine falls below every threshold). :func:`split_parts` cuts such an instruction into its parts, and the
response into the sections that answer them, so that each part is retrieved and verified on its own
(``step.py``). An instruction is split only when it clearly lists separate tasks:

- its items are numbered 1, 2, ... (``1.`` or ``1)``) or bulleted (``-``, ``*``, ``•``) at the start of a line,
  outside code blocks, at least two of them;
- and the text before the first item announces several tasks ("complete all of the following tasks",
  "the following problems", "each of these questions"), or, for numbered items without such an
  introduction, the text before them is at most a few words and every item is a task of its own (at least
  six words, starting with a verb such as *write*, *create*, *implement*, *given*, *find*).

Steps of one task ("Write a function that: 1. reads the list 2. sorts it"), requirements and bullet lists
without an introduction announcing tasks are not split: a single-task instruction is retrieved exactly as
before. The code a part is verified with is, in this order, its own section of the response (numbered the
same way, or headed "Task 2" / "Part 2"), the response's ``k``-th code block when there are as many blocks as
parts, else the whole response (all its functions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Parts of one instruction at most (a longer list is a list of requirements, not of tasks).
MAX_PARTS = 8
# Words of a part at least: a shorter item is a detail of a task.
MIN_PART_WORDS = 4

_FENCE = re.compile(r"(```|~~~).*?(?:\1|\Z)", re.S)  # fences paired in order (one may follow "2. ")
_NUMBERED = re.compile(r"^([ \t]*)(\d{1,2})[.)][ \t]+(?=\S)", re.M)
_BULLET = re.compile(r"^([ \t]*)([-*\u2022])[ \t]+(?=\S)", re.M)
_HEADED = re.compile(r"^[ \t]*(?:#+[ \t]*|\*\*)?(?:task|part|problem|question|exercise)[ \t]*#?(\d{1,2})\b[^\n]*$",
                     re.M | re.I)
_INTRO = re.compile(
    r"\b(?:(?:all|each|every|both)\s+(?:of\s+)?(?:the\s+)?(?:following|these|below)|following|these|several|multiple|"
    r"two|three|four|five|separate)\b[\w\s,-]{0,30}?\b(?:tasks?|problems?|questions?|exercises?|challenges?|"
    r"assignments?|requests?|functions|programs|scripts)\b", re.I)
_TASK_VERBS = frozenset(re.findall(r"\w+", """
    write create implement define design develop generate build construct code program make given find compute
    calculate determine check count convert sort reverse return print remove merge produce compose how what
    modify rewrite refactor fix debug explain translate parse extract validate"""))


@dataclass(slots=True)
class Part:
    """One part of a multi-part instruction: its number (1-based), its text, and the response text verified
    with it (``own``: its own section or code block; else the whole response)."""

    number: int
    of: int
    instruction: str
    response: str
    own: bool
    uncertain: bool = False  # its section was cut among other numbered lines: verified with the whole response too

    def to_params(self) -> dict[str, object]:
        """The part as recorded in a rejection's evidence."""
        return {"number": self.number, "of": self.of, "text": self.instruction[:200],
                "answer": "own section" if self.own else "whole response"}


def _outside_fences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _FENCE.finditer(text)]


def _free(pos: int, fences: list[tuple[int, int]]) -> bool:
    return not any(a <= pos < b for a, b in fences)


def _clean(numbers: list[int]) -> bool:
    """Whether the numbered lines inside one item are lists of their own: runs 1, 2, ... each from 1."""
    return all(b == 1 or b == a + 1 for a, b in zip([0, *numbers], numbers, strict=False))


def _numbered(text: str, n: int | None = None) -> list[re.Match[str]]:
    """Markers 1, 2, ... at one indentation, outside code blocks, from the first ``1.`` (``n`` of them when
    given, else as many as read best; empty when there are fewer than two).

    An item may hold a numbered list of its own ("#Reasoning Steps# 1. ... 2. ..."), so several runs 1, 2, ...
    can be read from the markers; the one read is the one whose items hold only lists that start at 1 (the
    fewest items that do not), then the one with the most items that are tasks of their own (a list of steps
    in the last item continues no task list), then the longest. A run of more than :data:`MAX_PARTS` items is a
    list of requirements: when it reads best, the best run of at most that many whose items hold only lists that
    start at 1 is read instead (the third of three tasks listing ten features, numbered 1 to 10 at the same
    indentation: "4." to "10." continue the features, not the tasks)."""
    fences = _outside_fences(text)
    marks = [m for m in _NUMBERED.finditer(text) if _free(m.start(), fences)]
    first = next((k for k, m in enumerate(marks) if m.group(2) == "1"), None)
    if first is None:
        return []
    indent = marks[first].group(1)
    marks = [m for m in marks[first:] if m.group(1) == indent]
    numbers = [int(m.group(2)) for m in marks]
    best: tuple[int, float, int, list[int]] | None = None
    within: tuple[int, float, int, list[int]] | None = None  # the best of at most MAX_PARTS items, all clean
    budget = [2000]  # chains tried at most

    def extend(chain: list[int]) -> None:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        if len(chain) >= 2 and (n is None or len(chain) == n):
            ends = [*chain[1:], len(marks)]
            bad = sum(not _clean(numbers[a + 1 : b]) for a, b in zip(chain, ends, strict=True))
            tasks = sum(map(_task_like, _pieces(text, [marks[k] for k in chain]))) / len(chain)
            nonlocal best, within
            if best is None or (bad, -tasks, -len(chain)) < best[:3]:
                best = (bad, -tasks, -len(chain), list(chain))
            if not bad and len(chain) <= MAX_PARTS and (within is None or (-tasks, -len(chain)) < within[1:3]):
                within = (bad, -tasks, -len(chain), list(chain))
        if n is not None and len(chain) == n:
            return
        for k in range(chain[-1] + 1, len(marks)):
            if numbers[k] == len(chain) + 1:
                extend([*chain, k])

    extend([0])
    if best is not None and n is None and len(best[3]) > MAX_PARTS and within is not None:
        best = within
    return [marks[k] for k in best[3]] if best is not None else []


def _bullets(text: str) -> list[re.Match[str]]:
    fences = _outside_fences(text)
    marks = [m for m in _BULLET.finditer(text) if _free(m.start(), fences)]
    if not marks:
        return []
    first = marks[0]
    return [m for m in marks if m.group(1) == first.group(1) and m.group(2) == first.group(2)]


def _pieces(text: str, marks: list[re.Match[str]]) -> list[str]:
    ends = [m.start() for m in marks[1:]] + [len(text)]
    return [text[m.end() : end].strip() for m, end in zip(marks, ends, strict=True)]


def _task_like(item: str) -> bool:
    words = re.findall(r"[A-Za-z']+", item)
    return len(words) >= 6 and words[0].lower() in _TASK_VERBS


def split_instruction(instruction: str) -> list[str]:
    """The parts of a multi-part instruction, in order; empty when it is a single task (see the module)."""
    for kind, marks in (("numbered", _numbered(instruction)), ("bullet", _bullets(instruction))):
        if len(marks) < 2 or len(marks) > MAX_PARTS:
            continue
        intro = instruction[: marks[0].start()].strip()
        items = _pieces(instruction, marks)
        if any(len(re.findall(r"\w+", item)) < MIN_PART_WORDS for item in items):
            continue
        announced = _INTRO.search(intro) is not None
        if announced or (kind == "numbered" and len(intro.split()) <= 4 and all(_task_like(i) for i in items)):
            return items
    return []


def _sections(response: str, n: int) -> tuple[list[str], bool]:
    """The response cut into ``n`` sections, one per part (empty when it does not show them), and whether the
    cut is uncertain: numbered sections among other numbered lines (an answer's own list of steps)."""
    fences = _outside_fences(response)
    headed = [m for m in _HEADED.finditer(response) if _free(m.start(), fences)]
    chain: list[re.Match[str]] = []
    for m in headed:
        if int(m.group(1)) == len(chain) + 1:
            chain.append(m)
    if len(chain) == n:
        return _pieces(response, chain), False
    marks = _numbered(response, n)
    if len(marks) == n:
        others = [m for m in _NUMBERED.finditer(response) if _free(m.start(), fences)
                  and m.group(1) == marks[0].group(1) and m not in marks]
        return _pieces(response, marks), bool(others)
    blocks = [response[a:b] for a, b in fences]
    if len(blocks) == n:
        return blocks, False
    return [], False


def split_parts(instruction: str, response: str) -> list[Part]:
    """The parts of a multi-part instruction with the response text that answers each (:class:`Part`); empty
    for a single-task instruction."""
    items = split_instruction(instruction)
    if not items:
        return []
    sections, uncertain = _sections(response, len(items))
    return [Part(k, len(items), item, sections[k - 1] if sections else response, bool(sections), uncertain)
            for k, item in enumerate(items, 1)]
