"""Finding the code in a response: fenced blocks first, else runs of code-looking lines.

Responses in the shared sets come both ways: Evol-style answers fence their code (```python ... ```),
CodeAlpaca and CoNaLa answers are often bare code, or prose with a bare snippet in the middle. A fence that
is never closed (a truncated answer) runs to the end of the text.
"""

from __future__ import annotations

import re
import string
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from alchemistcoder.code.detect import detect_language

_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([^\n`]*)$", re.MULTILINE)

# A line that starts like a statement in one of the common languages.
_CODE_START = re.compile(
    r"^(def |class |import |from \S+ import |return\b|for |while |if |elif |else\b|try:|except\b|with |"
    r"#include|#define|public |private |protected |static |const |let |var |function\b|package |func |fn |"
    r"use |impl |struct |enum |int |void |char |double |float |bool |long |auto |template\s*<|using |"
    r"SELECT |INSERT |UPDATE |DELETE |CREATE |ALTER |DROP |print\(|console\.|System\.|std::|<\?php|<[a-zA-Z!/])"
)
_CODE_CHARS = set("(){}[];=<>+-*/_.:#'\"!&|%")


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """One piece of code found in a text: its language (canonical name or "text"), the code, and whether it was fenced."""

    language: str
    code: str
    fenced: bool


def _fenced_blocks(text: str) -> list[CodeBlock] | None:
    """The fenced blocks of ``text``, or None when it has no fence at all."""
    blocks: list[CodeBlock] = []
    pos = 0
    found = False
    while True:
        m = _FENCE_OPEN.search(text, pos)
        if not m:
            break
        found = True
        fence, info = m.group(1), m.group(2).strip()
        body_start = m.end() + 1
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
        c = close.search(text, body_start)
        body = text[body_start : c.start()] if c else text[body_start:]
        pos = c.end() if c else len(text)
        body = body.strip("\n")
        if body.strip():
            blocks.append(CodeBlock(detect_language(body, info or None), body, True))
        if not c:
            break
    return blocks if found else None


_COMMENT_START = ("//", "/*", "* ", "*/", "#", "--", "<!--")
# "For example:", "Output:", "Sample usage:": a label introducing code or its output in bare text. No statement
# of the common languages is capitalised words and a colon (Python's own colon lines start with a keyword).
_LABEL = re.compile(r"^[A-Z][A-Za-z]*(?: [A-Za-z]+){0,3}:$")
_BULLET = re.compile(r"^([-*+•]|\d+[.)])\s")
# A numbered step that opens with a sentence ("5. Create a file called 'app.js'", "1. In the 'else' block, ...")
# is prose however many quotes and dots it holds: no statement of the common languages starts that way.
_NUMBERED_SENTENCE = re.compile(r"^\d+[.)]\s+[A-Z][a-z]+\s+[a-z]+\b")
_NOT_PROSE = re.compile(r"[=;{}\[\]]|\w\(|^\S+\(")
# Marks that a long, wordy line is still code (a sentence may mention ``f()`` or ``a[i]``, not these).
_STRONG_CODE = re.compile(r"[;{}]|\s=\s|^\S+\(")


_LETTER_BYTES = (string.ascii_letters + " ").encode()
_CODE_BYTES = "".join(sorted(_CODE_CHARS)).encode()


def _count_in(s: str, ascii_set: bytes, test: Callable[[str], bool]) -> int:
    """How many characters of ``s`` pass ``test``; for ASCII text, bytes.translate counts ``ascii_set`` (the
    same characters) in C, which is several times faster than a generator over the characters."""
    if s.isascii():
        b = s.encode()
        return len(b) - len(b.translate(None, ascii_set))
    return sum(map(test, s))


def _is_letter(ch: str) -> bool:
    return ch.isalpha() or ch == " "


def _prose_like(s: str) -> bool:
    """A sentence: four or more words, mostly letters, no code ending, no code marks (for short lines)."""
    words = s.split()
    return (len(words) >= 4 and _count_in(s, _LETTER_BYTES, _is_letter) / len(s) > 0.85
            and not s.endswith((";", "{", "}", ")", ","))
            and (not _NOT_PROSE.search(s) or (len(words) >= 8 and not _STRONG_CODE.search(s))))


def _line_kind(line: str) -> str:
    """"code", "cont" (comment or indented line: continues a run), "prose" or "neutral" for one line."""
    s = line.strip()
    if not s:
        return "neutral"
    if _CODE_START.match(s):
        return "code"
    if s.startswith(_COMMENT_START) and not _BULLET.match(s):
        return "cont"
    indented = line[:1] in (" ", "\t")
    if (not indented or _BULLET.match(s)) and _prose_like(s):
        return "prose"
    if _NUMBERED_SENTENCE.match(s) and len(s.split()) >= 4 and not s.endswith((";", "{", "}")):
        return "prose"
    if _LABEL.match(s):
        return "neutral"
    symbols = _count_in(s, _CODE_BYTES, _CODE_CHARS.__contains__)
    if symbols / len(s) > 0.08 or s.endswith((";", "{", "}", "):")):
        return "code"
    return "cont" if indented else "neutral"


def _code_language(code: str) -> str | None:
    """The language of an unfenced run of lines, or None when it is a printed value or a stray word.

    A run without cues that compiles as Python and calls or assigns something is a Python one-liner
    (CoNaLa's snippets look like that).
    """
    language = detect_language(code)
    if language != "text":
        return language
    if not re.search(r"\w\s*[(\[]|\w\s*=[^=]|\w\.\w+", code):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<snippet>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    return "python"


_TRIPLE_QUOTE = re.compile(r'"""|\'\'\'')


def _inside_strings(lines: list[str], kinds: list[str]) -> None:
    """Mark the lines inside a triple-quoted string ``cont``: a docstring's sentence is part of the code around
    it, not prose that ends a run (CodeAlpaca's bare answers open with the task as a module docstring, and
    splitting there left an unterminated string that "crashed")."""
    quote: str | None = None
    for k, line in enumerate(lines):
        if quote is not None:
            kinds[k] = "cont"
        elif kinds[k] == "prose":
            if not line.lstrip().startswith(('"""', "'''")):
                continue  # prose that mentions a triple quote opens nothing
            kinds[k] = "code"  # a docstring's first line, sentence and all
        for q in _TRIPLE_QUOTE.findall(line):
            if quote is None:
                quote = q
            elif q == quote:
                quote = None


def _unfenced_blocks(text: str) -> list[CodeBlock]:
    lines = text.splitlines()
    kinds = [_line_kind(line) for line in lines]
    _inside_strings(lines, kinds)
    if "prose" not in kinds:
        # the whole text, without a label before or after it ("Fixed code:" ... "Output:")
        body = [k for k, line in enumerate(lines) if line.strip() and not _LABEL.match(line.strip())]
        labelled = body and any(_LABEL.match(line.strip()) for line in lines[: body[0]] + lines[body[-1] + 1:])
        whole = "\n".join(lines[body[0]: body[-1] + 1]) if labelled else text.strip("\n")
        language = _code_language(whole) if whole.strip() else None
        return [CodeBlock(language, whole, False)] if language else []
    blocks: list[CodeBlock] = []
    i = 0
    while i < len(lines):
        if kinds[i] != "code":
            i += 1
            continue
        j, last = i, i
        while j < len(lines) and kinds[j] != "prose":
            if kinds[j] in ("code", "cont"):
                last = j
            j += 1
        # the run ends at its last code or continuation line: a trailing "Output:" is not code
        run = "\n".join(lines[i : last + 1]).strip("\n")
        language = _code_language(run)
        if language:
            blocks.append(CodeBlock(language, run, False))
        i = j
    return blocks


def extract_code_blocks(text: str) -> list[CodeBlock]:
    """Every piece of code in ``text``, in order: fenced blocks when there are fences, else unfenced runs."""
    if not text:
        return []
    blocks = _CACHE.get(text)
    if blocks is None:
        fenced = _fenced_blocks(text)
        blocks = tuple(fenced if fenced is not None else _unfenced_blocks(text))
        _CACHE.put(text, blocks)
    return list(blocks)


class ExtractionCache:
    """Least-recently-used texts and their blocks, bounded by the characters they hold (not by a count).

    Filters, dedup and decontamination each look at the same responses within a shard; a count bound
    (32,768 entries) thrashed on large inputs, a byte bound holds as many texts as fit whatever their size.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self._entries: OrderedDict[str, tuple[CodeBlock, ...]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _size(text: str, blocks: tuple[CodeBlock, ...]) -> int:
        return len(text) + sum(len(b.code) for b in blocks) + 200  # + the entry's own overhead

    def get(self, text: str) -> tuple[CodeBlock, ...] | None:
        with self._lock:
            blocks = self._entries.get(text)
            if blocks is not None:
                self._entries.move_to_end(text)
            return blocks

    def put(self, text: str, blocks: tuple[CodeBlock, ...]) -> None:
        size = self._size(text, blocks)
        if size > self.max_chars:
            return
        with self._lock:
            if text in self._entries:
                return
            self._entries[text] = blocks
            self.chars += size
            while self.chars > self.max_chars:
                old, old_blocks = self._entries.popitem(last=False)
                self.chars -= self._size(old, old_blocks)


# 32M characters per process (32-128 MB, as str stores 1-4 bytes a character): a shard's texts fit many times.
_CACHE = ExtractionCache(32 * 1024 * 1024)


def main_code(text: str) -> CodeBlock | None:
    """The largest code block of ``text`` (the answer's program, in most responses), or None."""
    blocks = extract_code_blocks(text)
    return max(blocks, key=lambda b: len(b.code)) if blocks else None
