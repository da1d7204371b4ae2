"""Language detection for a piece of code: a fence tag or hint if it names a language, else weighted cues.

The cues are regular expressions with weights; the language with the highest score wins. This is a
heuristic by nature (a two-line snippet can be valid in several languages), tuned on the shared instruction
sets, whose responses are mostly Python, C/C++, Java, JavaScript, SQL, HTML and shell.
"""

from __future__ import annotations

import re

from alchemistcoder.code.languages import canonical_language

_M = re.MULTILINE
# The cues of a language show in its first lines; scanning further only costs time on long answers.
_SCAN_CHARS = 3000
_CUES: dict[str, list[tuple[re.Pattern[str], float]]] = {
    "python": [
        (re.compile(r"^\s*def \w+\s*\(.*\)\s*(->\s*[^:]+)?:\s*$", _M), 4.0),
        (re.compile(r"^\s*(from [\w.]+ )?import [\w.]+(\s+as \w+)?\s*$", _M), 2.0),
        (re.compile(r"^\s*class \w+(\(.*\))?:\s*$", _M), 3.0),
        (re.compile(r"\bprint\(", _M), 1.0),
        (re.compile(r"^\s*(if|elif|for|while|with|try|except|else)\b.*:\s*$", _M), 1.5),
        (re.compile(r"\bself\.\w+"), 1.5),
        (re.compile(r"\b(elif|None|True|False|lambda|range\(|len\()"), 1.0),
        (re.compile(r"^\s*#(?!include|define|if|pragma)", _M), 0.5),
    ],
    "c": [
        (re.compile(r"^\s*#include\s*<(stdio|stdlib|string|math|stdbool|stdint|ctype|time)\.h>", _M), 4.0),
        (re.compile(r"\b(printf|scanf|malloc|free|sizeof|fprintf)\s*\("), 1.5),
        (re.compile(r"\bint main\s*\("), 1.0),
        (re.compile(r"\b(struct|typedef)\b"), 0.5),
    ],
    "cpp": [
        (re.compile(r"^\s*#include\s*<(iostream|vector|string|map|algorithm|unordered_map|set|bits/stdc\+\+\.h|cmath|queue|stack|sstream|fstream|memory)>", _M), 4.0),
        (re.compile(r"\bstd::|\busing namespace std\b|\bcout\s*<<|\bcin\s*>>"), 3.0),
        (re.compile(r"\b(vector|template)\s*<"), 1.5),
        (re.compile(r"\bint main\s*\("), 1.0),
        (re.compile(r"^\s*#include", _M), 1.0),
    ],
    "java": [
        (re.compile(r"\bpublic\s+(static\s+)?(final\s+)?(class|void|int|String|boolean|interface)\b"), 3.0),
        (re.compile(r"\bSystem\.out\.print"), 4.0),
        (re.compile(r"^\s*import java\.", _M), 4.0),
        (re.compile(r"\b(private|protected)\s+\w+"), 1.0),
        (re.compile(r"\bString\[\]\s+args\b|\bnew \w+(<.*>)?\("), 1.5),
    ],
    "javascript": [
        (re.compile(r"\b(const|let|var)\s+\w+\s*="), 2.0),
        (re.compile(r"\bfunction\s*\w*\s*\("), 2.0),
        (re.compile(r"\bconsole\.log\("), 4.0),
        (re.compile(r"=>\s*[{(\w]"), 1.5),
        (re.compile(r"\b(document|window)\.\w+|\brequire\(['\"]|\bmodule\.exports\b"), 3.0),
        (re.compile(r"===|!=="), 1.5),
    ],
    "typescript": [
        (re.compile(r"\b(interface|type)\s+\w+\s*[={]"), 1.5),
        (re.compile(r"\b(const|let|var)\s+\w+\s*:\s*(string|number|boolean|any)\b"), 4.0),
        (re.compile(r"\)\s*:\s*(string|number|boolean|void|any)\b"), 3.0),
    ],
    "go": [
        (re.compile(r"^\s*package \w+\s*$", _M), 4.0),
        (re.compile(r"\bfunc\s+(\(\w+ \*?\w+\)\s*)?\w+\("), 4.0),
        (re.compile(r"\bfmt\.\w+\(|:=\s"), 2.0),
    ],
    "rust": [
        (re.compile(r"\bfn\s+\w+\s*(<.*>)?\("), 4.0),
        (re.compile(r"\blet\s+mut\b|\bprintln!\(|\bimpl\b|\b(Vec|Option|Result)<|&str\b|\bmatch\s+\w+\s*\{"), 2.5),
        (re.compile(r"^\s*use \w+(::\w+)+", _M), 2.5),
    ],
    "sql": [
        (re.compile(r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|ALTER TABLE|DROP TABLE|WITH)\b", _M | re.I), 4.0),
        (re.compile(r"\b(FROM|WHERE|GROUP BY|ORDER BY|JOIN|VALUES|HAVING)\b"), 1.5),
    ],
    "html": [
        (re.compile(r"^\s*(<!DOCTYPE html|<html\b)", re.I | _M), 8.0),
        (re.compile(r"<(!DOCTYPE|html|head|body|div|p|span|table|form|ul|li|h[1-6]|a|input|button|script|style)\b", re.I), 2.5),
        (re.compile(r"</\w+>"), 1.0),
    ],
    "css": [(re.compile(r"^\s*[.#]?[\w-]+(\s*[.#:>][\w-]+)*\s*\{\s*$", _M), 1.5), (re.compile(r"^\s*[\w-]+\s*:\s*[^;]+;\s*$", _M), 1.0)],
    "shell": [
        (re.compile(r"^\s*(#!/bin/(ba)?sh|\$ |sudo |apt(-get)? |pip install|npm install|echo |export |cd |ls\b|mkdir )", _M), 3.0),
    ],
    "php": [(re.compile(r"<\?php"), 10.0), (re.compile(r"\$\w+\s*=.*;"), 3.0)],
    "swift": [
        (re.compile(r"^\s*import (UIKit|Foundation|SwiftUI)\b", _M), 10.0),
        (re.compile(r"\bfunc \w+\((_ )?\w+: \[?\w+\]?|\b(let|var) \w+: \[?[A-Z]\w*"), 5.0),
    ],
    "ruby": [(re.compile(r"^\s*(def \w+[^:(]*$|end$|puts )", _M), 2.0)],
    "csharp": [
        (re.compile(r"\bConsole\.Write(Line)?\(|\busing System\b|\bnamespace \w+"), 4.0),
        (re.compile(r"\{\s*get;\s*(private\s+)?set;\s*\}|\bstring\[\]\s+args\b|\bpublic\s+(static\s+)?(string|bool)\b"), 4.0),
    ],
    "r": [(re.compile(r"<-\s*(c|function|data\.frame)\("), 3.0)],
}


def detect_language(code: str, hint: str | None = None) -> str:
    """The language of ``code``: the canonical form of ``hint`` when it names one, else the best-scoring cue set.

    Returns ``"text"`` when nothing looks like code.
    """
    named = canonical_language(hint)
    if named and named != "text":
        return named
    head = code[:_SCAN_CHARS]
    scores = {lang: sum(w for pattern, w in cues if pattern.search(head)) for lang, cues in _CUES.items()}
    # C++ is a superset of C cues: prefer C only when no C++-specific cue fired.
    if scores["cpp"] >= 3.0 and scores["c"] > 0:
        scores["c"] -= 2.0
    # TypeScript cues only add to JavaScript's.
    if scores["typescript"] > 0:
        scores["typescript"] += scores["javascript"]
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] < 1.5:
        return "text"
    return best
