"""Language detection for a piece of code: a fence tag or hint if it names a language, else weighted cues.

The cues are regular expressions with weights; the language with the highest score wins. This is a
heuristic by nature (a two-line snippet can be valid in several languages), tuned on the shared instruction
sets, whose responses are mostly Python, C/C++, Java, JavaScript, SQL, HTML and shell.
"""

from __future__ import annotations

import re

from alchemistcoder.code.languages import canonical_language
from alchemistcoder.code.literal_gate import GatedPattern, gated

_M = re.MULTILINE
# The cues of a language show in its first lines; scanning further only costs time on long answers.
_SCAN_CHARS = 3000
# Each cue: (the pattern gated by literals it needs, its weight).
_CUES: dict[str, list[tuple[GatedPattern, float]]] = {
    "python": [
        (gated(r"^\s*def \w+\s*\(.*\)\s*(->\s*[^:]+)?:\s*$", ("def ",), flags=_M), 4.0),
        (gated(r"^\s*(from [\w.]+ )?import [\w.]+(\s+as \w+)?\s*$", ("import ",), flags=_M), 2.0),
        (gated(r"^\s*class \w+(\(.*\))?:\s*$", ("class ",), flags=_M), 3.0),
        (gated(r"\bprint\(", ("print(",), flags=_M), 1.0),
        (gated(r"^\s*(if|elif|for|while|with|try|except|else)\b.*:\s*$",
               ("if", "for", "while", "with", "try", "except", "else"), (":",), flags=_M), 1.5),
        (gated(r"\bself\.\w+", ("self.",)), 1.5),
        (gated(r"\b(elif|None|True|False|lambda|range\(|len\()",
               ("elif", "None", "True", "False", "lambda", "range(", "len(")), 1.0),
        (gated(r"^\s*#(?!include|define|if|pragma)", ("#",), flags=_M), 0.5),
    ],
    "c": [
        (gated(r"^\s*#include\s*<(stdio|stdlib|string|math|stdbool|stdint|ctype|time)\.h>",
               ("#include",), flags=_M), 4.0),
        (gated(r"\b(printf|scanf|malloc|free|sizeof|fprintf)\s*\(",
               ("printf", "scanf", "malloc", "free", "sizeof")), 1.5),
        (gated(r"\bint main\s*\(", ("int main",)), 1.0),
        (gated(r"\b(struct|typedef)\b", ("struct", "typedef")), 0.5),
    ],
    "cpp": [
        (gated(r"^\s*#include\s*<(iostream|vector|string|map|algorithm|unordered_map|set|bits/stdc\+\+\.h|cmath|queue|stack|sstream|fstream|memory)>",
               ("#include",), flags=_M), 4.0),
        (gated(r"\bstd::|\busing namespace std\b|\bcout\s*<<|\bcin\s*>>",
               ("std::", "using namespace std", "cout", "cin")), 3.0),
        (gated(r"\b(vector|template)\s*<", ("vector", "template")), 1.5),
        (gated(r"\bint main\s*\(", ("int main",)), 1.0),
        (gated(r"^\s*#include", ("#include",), flags=_M), 1.0),
    ],
    "java": [
        (gated(r"\bpublic\s+(static\s+)?(final\s+)?(class|void|int|long|float|double|char|String|boolean|interface)\b",
               ("public",)), 3.0),
        (gated(r"\bSystem\.out\.print", ("System.out.print",)), 4.0),
        (gated(r"^\s*import java\.", ("import java.",), flags=_M), 4.0),
        (gated(r"\b(private|protected)\s+\w+", ("private", "protected")), 1.0),
        (gated(r"\bString\[\]\s+args\b|\bnew \w+(<.*>)?\(", ("String[]", "new ")), 1.5),
    ],
    "javascript": [
        (gated(r"\b(const|let|var)\s+\w+\s*=", ("const", "let", "var"), ("=",)), 2.0),
        (gated(r"\bfunction\s*\w*\s*\(", ("function",)), 2.0),
        (gated(r"\bconsole\.log\(", ("console.log(",)), 4.0),
        (gated(r"=>\s*[{(\w]", ("=>",)), 1.5),
        (gated(r"\b(document|window)\.\w+|\brequire\(['\"]|\bmodule\.exports\b",
               ("document.", "window.", "require(", "module.exports")), 3.0),
        (gated(r"===|!==", ("===", "!==")), 1.5),
    ],
    "typescript": [
        (gated(r"\b(interface|type)\s+\w+\s*[={]", ("interface", "type")), 1.5),
        (gated(r"\b(const|let|var)\s+\w+\s*:\s*(string|number|boolean|any)\b",
               ("const", "let", "var"), ("string", "number", "boolean", "any")), 4.0),
        (gated(r"\)\s*:\s*(string|number|boolean|void|any)\b",
               ("string", "number", "boolean", "void", "any"), (")",)), 3.0),
    ],
    "go": [
        (gated(r"^\s*package \w+\s*$", ("package ",), flags=_M), 4.0),
        (gated(r"\bfunc\s+(\(\w+ \*?\w+\)\s*)?\w+\(", ("func",)), 4.0),
        (gated(r"\bfmt\.\w+\(|:=\s", ("fmt.", ":=")), 2.0),
    ],
    "rust": [
        (gated(r"\bfn\s+\w+\s*(<.*>)?\(", ("fn",)), 4.0),
        (gated(r"\blet\s+mut\b|\bprintln!\(|\bimpl\b|\b(Vec|Option|Result)<|&str\b|\bmatch\s+\w+\s*\{",
               ("let", "println!(", "impl", "Vec<", "Option<", "Result<", "&str", "match")), 2.5),
        (gated(r"^\s*use \w+(::\w+)+", ("use ",), ("::",), flags=_M), 2.5),
    ],
    "sql": [
        (gated(r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|ALTER TABLE|DROP TABLE|WITH)\b",
               ("select", "insert into", "update", "delete from", "create table", "alter table", "drop table", "with"),
             flags=_M | re.I), 4.0),
        (gated(r"\b(FROM|WHERE|GROUP BY|ORDER BY|JOIN|VALUES|HAVING)\b",
               ("FROM", "WHERE", "GROUP BY", "ORDER BY", "JOIN", "VALUES", "HAVING")), 1.5),
    ],
    "html": [
        (gated(r"^\s*(<!DOCTYPE html|<html\b)", ("<!doctype html", "<html"), flags=re.I | _M), 8.0),
        (gated(r"<(!DOCTYPE|html|head|body|div|p|span|table|form|ul|li|h[1-6]|a|input|button|script|style)\b",
               ("<",), flags=re.I), 2.5),
        (gated(r"</\w+>", ("</",)), 1.0),
    ],
    "css": [
        (gated(r"^\s*[.#]?[\w-]+(\s*[.#:>][\w-]+)*\s*\{\s*$", ("{",), flags=_M), 1.5),
        (gated(r"^\s*[\w-]+\s*:\s*[^;]+;\s*$", (":",), (";",), flags=_M), 1.0),
    ],
    "shell": [
        (gated(r"^\s*(#!/bin/(ba)?sh|\$ |sudo |apt(-get)? |pip install|npm install|echo |export |cd |ls\b|mkdir )",
               ("#!/bin/", "$ ", "sudo ", "apt", "pip install", "npm install", "echo ", "export ", "cd ", "ls", "mkdir "),
             flags=_M), 3.0),
    ],
    "php": [(gated(r"<\?php", ("<?php",)), 10.0), (gated(r"\$\w+\s*=.*;", ("$",), ("=",), (";",)), 3.0)],
    "swift": [
        (gated(r"^\s*import (UIKit|Foundation|SwiftUI)\b", ("import ",), flags=_M), 10.0),
        (gated(r"\bfunc \w+\((_ )?\w+: \[?\w+\]?|\b(let|var) \w+: \[?[A-Z]\w*",
               ("func ", "let ", "var "), (": ",)), 5.0),
    ],
    "ruby": [(gated(r"^\s*(def \w+[^:(]*$|end$|puts )", ("def ", "end", "puts "), flags=_M), 2.0)],
    "csharp": [
        (gated(r"\bConsole\.Write(Line)?\(|\busing System\b|\bnamespace \w+",
               ("Console.Write", "using System", "namespace ")), 4.0),
        (gated(r"\{\s*get;\s*(private\s+)?set;\s*\}|\bstring\[\]\s+args\b|\bpublic\s+(static\s+)?(string|bool)\b",
               ("get;", "string[]", "public")), 4.0),
    ],
    "r": [(gated(r"<-\s*(c|function|data\.frame)\(", ("<-",)), 3.0)],
}


def detect_language(code: str, hint: str | None = None) -> str:
    """The language of ``code``: the canonical form of ``hint`` when it names one, else the best-scoring cue set.

    Returns ``"text"`` when nothing looks like code.
    """
    named = canonical_language(hint)
    if named and named != "text":
        return named
    head = code[:_SCAN_CHARS]
    folded = head.lower()  # for the case-insensitive cues' gates
    scores: dict[str, float] = {}
    for lang, cues in _CUES.items():
        score = 0.0
        for cue, weight in cues:
            if cue.search(head, folded):
                score += weight
        scores[lang] = score
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
