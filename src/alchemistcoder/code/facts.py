"""Facts about a program: its functions (name and signature), which of them it uses as helpers and what it
imports; and the style facts of a response with code (what the source profiles count), computed once where the
code is extracted."""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.code.concepts import includes_tests, prints_output, shows_expected_output
from alchemistcoder.code.extract import CodeBlock
from alchemistcoder.code.languages import canonical_language
from alchemistcoder.code.parse import parse_python


@dataclass(slots=True)
class CodeFacts:
    """What a program defines and uses."""

    language: str
    functions: list[str] = field(default_factory=list)  # names
    signatures: list[str] = field(default_factory=list)  # "name(arg, arg)" as written
    imports: list[str] = field(default_factory=list)  # top-level module / header / package names


_FUNC_PATTERNS: dict[str, re.Pattern[str]] = {
    "javascript": re.compile(r"\bfunction\s+(\w+)\s*\(([^)]*)\)|\b(?:const|let|var)\s+(\w+)\s*=\s*(?:async\s*)?\(([^)]*)\)\s*=>"),
    "go": re.compile(r"\bfunc\s+(?:\([^)]*\)\s*)?(\w+)\s*\(([^)]*)\)"),
    "rust": re.compile(r"\bfn\s+(\w+)\s*(?:<[^>]*>)?\s*\(([^)]*)\)"),
}
_C_LIKE_FUNC = re.compile(r"^[ \t]*(?:[\w:<>,\[\]*&]+\s+)+[*&]?(\w+)\s*\(([^;{)]*)\)\s*(?:const\s*)?(?:throws [\w, ]+)?\{", re.M)
_C_NOT_FUNC = {"if", "for", "while", "switch", "return", "catch", "else", "new"}
_IMPORT_PATTERNS: dict[str, re.Pattern[str]] = {
    "c": re.compile(r"^\s*#include\s*[<\"]([^>\"]+)[>\"]", re.M),
    "cpp": re.compile(r"^\s*#include\s*[<\"]([^>\"]+)[>\"]", re.M),
    "java": re.compile(r"^\s*import\s+(?:static\s+)?([\w.]+)", re.M),
    "javascript": re.compile(r"require\(\s*['\"]([^'\"]+)['\"]\s*\)|^\s*import .*?from\s+['\"]([^'\"]+)['\"]", re.M),
    "go": re.compile(r"^\s*(?:import\s+)?\"([\w./-]+)\"", re.M),
    "rust": re.compile(r"^\s*use\s+([\w:]+)", re.M),
}


_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)


def _statements(tree: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` (breadth first, the same order) over statements only: functions and imports are
    statements, and statements sit only in the bodies of statements, handlers and match cases, so skipping
    expressions (most of a tree's nodes) changes nothing but the time."""
    todo = deque([tree])
    while todo:
        node = todo.popleft()
        todo.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, _BLOCKS))
        yield node


def _python_facts(code: str) -> CodeFacts:
    facts = CodeFacts("python")
    tree = parse_python(code)
    if tree is None:
        return facts
    for node in _statements(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            facts.functions.append(node.name)
            facts.signatures.append(f"{node.name}({ast.unparse(node.args)})")
        elif isinstance(node, ast.Import):
            facts.imports.extend(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            facts.imports.append(node.module.split(".")[0])
    facts.imports = sorted(set(facts.imports))
    return facts


# The top-level statements of a Python module that define or bind something (imports, definitions,
# assignments, guarded imports): the rest is its script part, which runs when it is executed.
DEFINING_STATEMENTS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
                       ast.AnnAssign, ast.Try)


def called_names(nodes: list[ast.AST]) -> set[str]:
    """Names called as plain functions (``f(x)``, not ``obj.f(x)``) anywhere in ``nodes``."""
    return {n.func.id for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _script_uses(tree: ast.Module) -> set[str]:
    """Functions the script part calls inside a loop or comprehension: as a helper of a larger computation
    ("sum of the primes below 1000"), not as a demonstration (``if is_prime(n): print(...)``). A loop that reads
    ``input()`` is an I/O driver ("keep prompting for a number until a negative one"): what it calls is the
    answer, demonstrated on each input (the loops inside it still count)."""
    used: set[str] = set()
    for node in tree.body:
        if isinstance(node, DEFINING_STATEMENTS):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                if isinstance(inner, (ast.For, ast.While)) and ("input" in called_names(inner.body) or _shows_each(inner)):
                    continue
                used |= called_names([inner])
    return used


def _shows_each(loop: ast.For | ast.While) -> bool:
    """Whether a loop only prints what functions answer on each turn (``for i in range(10): print(fibonacci(i))``,
    "print the Fibonacci sequence" with a recursive ``fibonacci(n)``): it shows them on several inputs, it computes
    nothing larger with them. Each printed value is a call, a name, a constant or an f-string of those."""
    if not (isinstance(loop, ast.For) and len(loop.body) == 1 and isinstance(loop.body[0], ast.Expr)):
        return False
    call = loop.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"):
        return False
    shown = [v.value if isinstance(v, ast.FormattedValue) else v for a in call.args
             for v in (a.values if isinstance(a, ast.JoinedStr) else [a])]
    return any(isinstance(v, ast.Call) for v in shown) and all(
        isinstance(v, (ast.Name, ast.Constant)) or (isinstance(v, ast.Call) and all(
            isinstance(x, (ast.Name, ast.Constant, ast.BinOp, ast.Attribute, ast.Subscript)) for x in v.args))
        for v in shown)


def helper_calls(tree: ast.Module) -> set[str]:
    """The names a Python module uses as helpers: called from one of its top-level functions (other than by
    itself), or inside a loop or comprehension of its script part. A function so used answers a part of a larger
    question: both decontamination's execution signal and its n-gram code signal discount it (a generic
    ``is_prime`` inside "sum of all primes below 1000" is not a copy of HumanEval/31). Names only: the caller
    keeps those it defines (a function of one code block may be called from another)."""
    used = _script_uses(tree)
    for d in tree.body:
        if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)):
            used |= called_names(d.body) - {d.name}
    return used


def code_facts(language: str | None, code: str) -> CodeFacts:
    """Functions, signatures and imports of ``code`` (best effort; never raises on broken code)."""
    lang = canonical_language(language) or (language or "text")
    if lang == "python":
        return _python_facts(code)
    facts = CodeFacts(lang)
    pattern = _FUNC_PATTERNS.get(lang)
    if pattern is not None:
        for m in pattern.finditer(code):
            groups = [g for g in m.groups() if g is not None]
            if groups:
                facts.functions.append(groups[0])
                facts.signatures.append(f"{groups[0]}({groups[1] if len(groups) > 1 else ''})")
    elif lang in ("c", "cpp", "java", "csharp", "typescript"):
        for m in _C_LIKE_FUNC.finditer(code):
            if m.group(1) not in _C_NOT_FUNC:
                facts.functions.append(m.group(1))
                facts.signatures.append(f"{m.group(1)}({m.group(2).strip()})")
    imports = _IMPORT_PATTERNS.get(lang)
    if imports is not None:
        facts.imports = sorted({next(g for g in m.groups() if g) for m in imports.finditer(code)})
    return facts


_DOCSTRING = re.compile(r'^\s*[rRbBuU]?("""|\'\'\')', re.MULTILINE)
_JSDOC = re.compile(r"/\*\*")
_COMMENT = re.compile(r"(^|\s)(#(?!include|define|pragma|if|endif|!)|//|/\*|--\s)", re.MULTILINE)


def response_style(response: str, blocks: Sequence[CodeBlock]) -> dict[str, Any]:
    """Style facts of a response with code (``blocks`` not empty): its main block's language, whether any
    block is fenced, the characters of code, and whether the code has docstrings, comments, tests or prints
    and the response shows an expected output."""
    code = "\n".join(b.code for b in blocks)
    return {
        "language": max(blocks, key=lambda b: len(b.code)).language,
        "fenced_any": any(b.fenced for b in blocks),
        "code_chars": sum(len(b.code) for b in blocks),
        "docstring": bool(_DOCSTRING.search(code) or _JSDOC.search(code)),
        "comments": bool(_COMMENT.search(code)),
        "tests": includes_tests(code),
        "prints": prints_output(code),
        "shows_output": shows_expected_output(response),
    }
