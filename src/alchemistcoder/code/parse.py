"""Does the code parse? Python through ``compile()`` (never executed), the others through tree-sitter.

Responses often hold a fragment rather than a whole program (a method without its class, statements without
a function). A fragment that fails at the top level is parsed again wrapped in a minimal context (a function
body, a class), and counts as parseable when that works, so "uncompilable" means broken code, not a
fragment.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from functools import cache
from typing import Any

from alchemistcoder.code.languages import PARSED_LANGUAGES, canonical_language

_TS_MODULES = {
    "c": "tree_sitter_c",
    "cpp": "tree_sitter_cpp",
    "java": "tree_sitter_java",
    "javascript": "tree_sitter_javascript",
    "go": "tree_sitter_go",
    "rust": "tree_sitter_rust",
}

# Wrappers for fragments: (prefix, suffix). Tried in order after the code fails on its own.
_WRAPPERS: dict[str, list[tuple[str, str]]] = {
    "c": [("void __wrap(void) {\n", "\n}\n")],
    "cpp": [("void __wrap() {\n", "\n}\n"), ("class __Wrap {\n", "\n};\n")],
    "java": [("class __Wrap {\n", "\n}\n"), ("class __Wrap { void __wrap() {\n", "\n} }\n")],
    "javascript": [("class __Wrap {\n", "\n}\n")],
    "go": [("package main\n", "\n"), ("package main\nfunc __wrap() {\n", "\n}\n")],
    "rust": [("fn __wrap() {\n", "\n}\n"), ("impl __Wrap {\n", "\n}\n")],
}

_DOCTEST = re.compile(r"^(>>>|\.\.\.) ?", re.MULTILINE)


def parse_python(source: str) -> ast.Module | None:
    """The module, or None when it does not parse (no warnings: invalid escapes in the data are not ours)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def can_parse(language: str | None) -> bool:
    """Whether :func:`parse_ok` really checks ``language`` (otherwise it answers True unchecked)."""
    return canonical_language(language) in PARSED_LANGUAGES


@cache
def ts_parser(language: str) -> Any:
    """A tree-sitter Parser for a canonical language name (one per process)."""
    import importlib

    import tree_sitter

    module = importlib.import_module(_TS_MODULES[language])
    return tree_sitter.Parser(tree_sitter.Language(module.language()))


def ts_parse(language: str, code: str) -> Any:
    """The tree-sitter tree of ``code``."""
    return ts_parser(language).parse(code.encode("utf-8", "replace"))


def _first_error(node: Any) -> Any | None:
    """The first ERROR or MISSING node below ``node`` (depth-first), or None."""
    if node.is_error or node.is_missing:
        return node
    if not node.has_error:
        return None
    for child in node.children:
        found = _first_error(child)
        if found is not None:
            return found
    return node


def _ts_error(language: str, code: str) -> str | None:
    tree = ts_parse(language, code)
    if not tree.root_node.has_error:
        return None
    node = _first_error(tree.root_node)
    row, col = node.start_point
    what = f"missing {node.type}" if node.is_missing else "syntax error"
    snippet = code.encode("utf-8", "replace")[node.start_byte : node.start_byte + 40].decode("utf-8", "replace")
    return f"{what} at line {row + 1}, column {col + 1}: {snippet.splitlines()[0] if snippet.strip() else '<end>'!r}"


def _python_compile_error(code: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<response>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"{type(exc).__name__}: {exc.msg} at line {exc.lineno}"
    except (ValueError, MemoryError, RecursionError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _python_error(code: str) -> str | None:
    if code.lstrip().startswith(">>>"):
        # an interactive session: keep only the input lines
        code = "\n".join(_DOCTEST.sub("", line) for line in code.splitlines() if _DOCTEST.match(line))
    err = _python_compile_error(code)
    if err is None:
        return None
    # fragments: an indented method, or statements (return, yield) lifted out of their function
    dedented = textwrap.dedent(code)
    for candidate in (dedented, "def __wrap():\n" + textwrap.indent(dedented, "    ")):
        if _python_compile_error(candidate) is None:
            return None
    return err


def parse_ok(language: str | None, code: str) -> tuple[bool, str | None]:
    """(True, None) when ``code`` parses as ``language``; (False, message) with the first error otherwise.

    Python is compiled, never executed. Languages without a parser here answer (True, None); check
    :func:`can_parse` to tell those apart.
    """
    lang = canonical_language(language) or language
    if lang == "python":
        err = _python_error(code)
        return (err is None, err)
    if lang not in _TS_MODULES:
        return (True, None)
    err = _ts_error(lang, code)
    if err is None:
        return (True, None)
    for prefix, suffix in _WRAPPERS.get(lang, ()):
        if _ts_error(lang, prefix + code + suffix) is None:
            return (True, None)
    return (False, err)
