"""Identifier-agnostic token sequences: the same program with renamed variables gives the same tokens.

A small regular-expression lexer covers every language here (it never fails on broken code, unlike a
parser). Identifiers become ``ID`` unless they are keywords or well-known library names of the language,
string literals ``STR``, numbers ``NUM``; comments disappear. Keywords and operators stay, so the sequence
keeps the program's structure.
"""

from __future__ import annotations

import builtins
import keyword
import re
from functools import cache

from alchemistcoder.code.languages import canonical_language


def _words(text: str) -> list[str]:
    return text.split()


_C_KEYWORDS = _words("""auto break case char const continue default do double else enum extern float for goto if inline int
long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while
bool true false NULL include define printf scanf malloc free strlen""")
_CPP_KEYWORDS = _C_KEYWORDS + _words("""class namespace template typename public private protected virtual override new delete
this using std vector string map set unordered_map pair cout cin endl size push_back begin end nullptr try catch throw
operator friend const_cast static_cast auto sort""")
_JAVA_KEYWORDS = _words("""abstract assert boolean break byte case catch char class const continue default do double else enum
extends final finally float for if implements import instanceof int interface long native new package private protected
public return short static super switch synchronized this throw throws try void volatile while true false null String
System out println print List ArrayList Map HashMap length size get add Math Integer""")
_JS_KEYWORDS = _words("""break case catch class const continue debugger default delete do else export extends finally for function
if import in instanceof let new return super switch this throw try typeof var void while with yield async await of true
false null undefined console log length push map filter reduce Math Array Object String Number JSON require""")
_GO_KEYWORDS = _words("""break case chan const continue default defer else fallthrough for func go goto if import interface map
package range return select struct switch type var true false nil int string bool float64 byte rune len append make
fmt Println Printf Sprintf error""")
_RUST_KEYWORDS = _words("""as break const continue crate else enum extern false fn for if impl in let loop match mod move mut pub
ref return self Self static struct super trait true type unsafe use where while i32 i64 u32 u64 usize isize f32 f64 bool
char str String Vec Option Some None Result Ok Err println len iter push""")
_PY_KEYWORDS = keyword.kwlist + keyword.softkwlist + [n for n in dir(builtins) if not n.startswith("_")]

_KEYWORDS: dict[str, frozenset[str]] = {
    "python": frozenset(_PY_KEYWORDS),
    "c": frozenset(_C_KEYWORDS),
    "cpp": frozenset(_CPP_KEYWORDS),
    "java": frozenset(_JAVA_KEYWORDS),
    "javascript": frozenset(_JS_KEYWORDS),
    "typescript": frozenset(_JS_KEYWORDS),
    "go": frozenset(_GO_KEYWORDS),
    "rust": frozenset(_RUST_KEYWORDS),
}

_STRING = r"""(?:[rbfuRBFU]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|`(?:\\.|[^`\\])*`)"""
_NUMBER = r"(?:0[xXbBoO][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?[a-zA-Z]*|\.\d+(?:[eE][+-]?\d+)?)"
_IDENT = r"(?:[A-Za-z_$][\w$]*)"
_OPERATOR = r"(?:\*\*=?|//=?|<<=?|>>=?|->|=>|::|\+\+|--|&&|\|\||[=!<>+\-*/%&|^]=|\S)"


@cache
def _lexer(comment: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?P<c>{comment})|(?P<s>{_STRING})|(?P<n>{_NUMBER})|(?P<i>{_IDENT})|(?P<o>{_OPERATOR})"
    )


@cache
def _spaced_lexer(comment: str) -> re.Pattern[str]:
    """The lexer with the whitespace before each token as a first group: ``findall`` then gives every token's
    text and, by adding lengths, its offset, without a match object per token (1.3x faster than finditer). No
    token starts with whitespace, so the tokens are those of :func:`_lexer`."""
    return re.compile(rf"(\s*)(?:({comment})|({_STRING})|({_NUMBER})|({_IDENT})|({_OPERATOR}))")


_HASH_COMMENT = r"\#[^\n]*"
_SLASH_COMMENT = r"//[^\n]*|/\*[\s\S]*?\*/"


def _comment_style(language: str | None) -> tuple[str, str]:
    lang = canonical_language(language) or (language or "text")
    hash_comments = lang in ("python", "shell", "ruby", "r", "perl", "yaml", "text")
    return (_HASH_COMMENT if hash_comments else _SLASH_COMMENT), lang


def _lexer_and_keywords(language: str | None) -> tuple[re.Pattern[str], frozenset[str]]:
    comment, lang = _comment_style(language)
    return _lexer(comment), _KEYWORDS.get(lang, frozenset())


def lex(language: str | None, code: str) -> tuple[list[str], list[tuple[int, int]], list[str]]:
    """The tokens of ``code`` without comments: identifier-agnostic (see :func:`normalized_token_spans`), the
    (start, end) span of each, and each as written."""
    comment, lang = _comment_style(language)
    keywords = _KEYWORDS.get(lang, frozenset())
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    texts: list[str] = []
    previous = ""
    pos = 0
    # every token starts at pos + len(space) and is one non-empty group (none of the patterns matches "")
    for space, c, s, n, i, o in _spaced_lexer(comment).findall(code):
        start = pos + len(space)
        if c:
            pos = start + len(c)
            continue
        if s:
            token, text = "STR", s
        elif n:
            token, text = "NUM", n
        elif i:
            token, text = (i if i in keywords or previous == "." else "ID"), i
        else:
            token, text = o, o
        pos = start + len(text)
        tokens.append(token)
        spans.append((start, pos))
        texts.append(text)
        previous = token
    return tokens, spans, texts


def normalized_token_spans(language: str | None, code: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Identifier-agnostic tokens of ``code`` and the (start, end) character span of each in ``code``.

    Names become ``ID`` except keywords, well-known library names, and attribute names after a ``.``
    (``math.sqrt``, ``xs.append``): those are APIs the author did not choose, so they are kept and make the
    sequence specific without making it sensitive to renaming.
    """
    tokens, spans, _texts = lex(language, code)
    return tokens, spans


def normalized_tokens(language: str | None, code: str) -> list[str]:
    """The identifier-agnostic token sequence of ``code`` (see :func:`normalized_token_spans`)."""
    return normalized_token_spans(language, code)[0]


def literal_tokens(language: str | None, code: str) -> list[str]:
    """Tokens with names replaced by ``ID`` but literals kept: an assertion's shape and its values."""
    lexer, keywords = _lexer_and_keywords(language)
    return [
        ("ID" if m.group() not in keywords else m.group()) if m.lastgroup == "i" else m.group()
        for m in lexer.finditer(code)
        if m.lastgroup != "c"
    ]


def code_tokens(language: str | None, code: str) -> list[str]:
    """The tokens of ``code`` as written (names and literals kept), comments removed: for exact-ish comparison."""
    return lex(language, code)[2]


def word_tokens(text: str) -> list[str]:
    """Lower-cased word tokens of natural-language text (letters and digits), for text n-grams."""
    return re.findall(r"[a-z0-9]+", text.lower())
