"""A C-family or JavaScript sample's source as ``foreign.py`` reads it before choosing the functions to try: its
``main`` cut out, the loops of its ``main``, and the functions the sample itself uses as helpers (dropped). Apart
from ``foreign.py`` so that it stays under 500 lines; text only, no type of its own.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar

from alchemistcoder.code.braces import body_end as _body_end


class _Named(Protocol):
    name: str


F = TypeVar("F", bound=_Named)  # a foreign.ForeignFunction


def _strip_cpp_main(source: str) -> str:
    """``source`` without its ``main`` function (C, C++)."""
    m = re.search(r"^\s*(?:int|void)\s+main\s*\([^)]*\)\s*\{", source, re.M)
    if not m:
        return source
    depth, i = 0, m.end() - 1
    while i < len(source):
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        i += 1
        if depth == 0:
            break
    return source[: m.start()] + source[i:]


_LOOP = re.compile(r"\b(?:for|while)\s*\(|\bfor\s+[^{;]*\{|\.(?:forEach|map|filter|reduce)\s*\(")


def _loop_spans(source: str, start: int, end: int) -> list[tuple[int, int]]:
    """The loops between ``start`` and ``end`` (``for (...) {...}``, ``while (...) stmt;``, Go's ``for x {...}``,
    JavaScript's ``.forEach(...)``), header and body, as spans of ``source``."""
    spans = []
    for m in _LOOP.finditer(source, start, end):
        i = m.end()
        if source[m.end() - 1] == "(":  # past the header's parentheses
            depth = 1
            while i < end and depth:
                depth += {"(": 1, ")": -1}.get(source[i], 0)
                i += 1
        brace = re.compile(r"\s*\{").match(source, i) if source[i - 1] != "{" else None
        if source[i - 1] == "{":
            spans.append((m.start(), _body_end(source, i - 1)))
        elif brace:
            spans.append((m.start(), _body_end(source, brace.end() - 1)))
        else:  # one statement
            stop = source.find(";", i, end)
            spans.append((m.start(), stop + 1 if stop >= 0 else i))
    return spans


# A statement that prints (C, C++, Java, JavaScript, Go, Rust, C#).
_PRINT = re.compile(r"(?:System\.out\.print(?:ln|f)?|printf|puts|console\.log|fmt\.Print(?:ln|f)?|Console\.Write(?:Line)?)\b|"
                    r"println!|print!|(?:std::)?cout\s*<<")


def _shows_each(loop: str) -> bool:
    """Whether a ``for``/``while`` loop's body is one statement that prints (``for (String s : inputs)
    System.out.println(s + ": " + isPalindrome(s));``): it shows a function on each input, as Python's
    ``code.facts._shows_each`` reads a loop; it computes nothing with it."""
    if not re.match(r"(?:for|while)\s*\(", loop):
        return False
    body = loop[_body_end(loop, loop.find("("), "()") :].strip()
    if body.startswith("{"):
        body = body[1:].rstrip().removesuffix("}")
    statements = [t.strip() for t in body.split(";") if t.strip()]
    return len(statements) == 1 and _PRINT.match(statements[0]) is not None


def _main_loops(source: str) -> str:
    """The text of the loops of a program's ``main`` (empty without one) that do more than print each value."""
    main = re.search(r"\bmain\s*\([^)]*\)[^{;]*\{", source)
    if not main:
        return ""
    spans = _loop_spans(source, main.end() - 1, _body_end(source, main.end() - 1))
    return "\n".join(source[a:b] for a, b in spans if not _shows_each(source[a:b]))


def _drop_helpers(source: str, functions: list[F], bodies: dict[str, tuple[int, int]], loops: str = "") -> list[F]:
    """The functions no other function of the sample calls: a helper answers another question (a private
    ``isValidTriangle`` inside "the area of a triangle from its three sides" passes MBPP/334's tests). ``main``
    calling a function once demonstrates it; calling it in a loop uses it as a helper of a larger computation (as
    Python's script part, ``signals/python.py``): a Java ``isPrime`` summing the primes below a million passes
    MBPP/605's tests. ``loops``: the text of ``main``'s loops (:func:`_main_loops`, read before ``main`` is cut)."""
    kept = []
    for f in functions:
        call = re.compile(rf"\b{re.escape(f.name)}\s*\(")
        if any(name != f.name and name != "main" and call.search(source, start, end)
               for name, (start, end) in bodies.items()):
            continue
        if call.search(loops):
            continue
        kept.append(f)
    return kept
