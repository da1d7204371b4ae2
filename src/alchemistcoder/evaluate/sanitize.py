"""Turn a model's raw output into the code that is scored.

Python follows EvalPlus 0.3.1's sanitizer (``evalplus/sanitize.py``) step for step: take the longest run of
lines that parses, then keep the imports, classes, functions that return something and top-level
assignments, restricted to what the entry point reaches -- which drops tests, ``print`` calls and
``if __name__ == "__main__"`` blocks. Other languages take the code block that holds the entry point (or the
first/longest block) and cut what follows the function, as HumanEval-X's ``cleanup_code`` does.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Generator
from typing import Any

CLASS_TYPE = "class_definition"
FUNCTION_TYPE = "function_definition"
IMPORT_TYPE = ("import_statement", "import_from_statement")
IDENTIFIER_TYPE = "identifier"
RETURN_TYPE = "return_statement"
EXPRESSION_TYPE = "expression_statement"
ASSIGNMENT_TYPE = "assignment"

_FENCE = re.compile(r"```[ \t]*([\w+#-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)


def syntax_ok(code: str) -> bool:
    """Whether Python's parser accepts ``code`` (EvalPlus's ``syntax_check``)."""
    try:
        ast.parse(code)
        return True
    except (SyntaxError, MemoryError, ValueError):
        return False


def code_extract(text: str) -> str:
    """The longest run of lines (by non-blank line count) that parses as Python."""
    lines = text.split("\n")
    best = (0, 0)
    longest = 0
    # prefix sums of non-blank lines so each candidate's length is O(1); the search itself is EvalPlus's
    nonblank = [0]
    for line in lines:
        nonblank.append(nonblank[-1] + (1 if line.strip() else 0))
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            length = nonblank[j + 1] - nonblank[i]
            if length <= longest:
                continue
            if syntax_ok("\n".join(lines[i : j + 1])):
                longest = length
                best = (i, j)
    return "\n".join(lines[best[0] : best[1] + 1])


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter_python
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_python.language()))


def _definition_name(node: Any) -> str | None:
    for child in node.children:
        if child.type == IDENTIFIER_TYPE:
            return child.text.decode("utf8")
    return None


def _traverse(node: Any) -> Generator[Any, None, None]:
    cursor = node.walk()
    depth = 0
    visited_children = False
    while True:
        if not visited_children:
            yield cursor.node
            if not cursor.goto_first_child():
                depth += 1
                visited_children = True
        elif cursor.goto_next_sibling():
            visited_children = False
        elif not cursor.goto_parent() or depth == 0:
            break
        else:
            depth -= 1


def _has_return(node: Any) -> bool:
    return any(n.type == RETURN_TYPE for n in _traverse(node))


def _deps(nodes: list[tuple[str, Any]]) -> dict[str, set[str]]:
    def walk(node: Any, out: set[str]) -> None:
        for child in node.children:
            if child.type == IDENTIFIER_TYPE:
                out.add(child.text.decode("utf8"))
            else:
                walk(child, out)

    result = {}
    for name, node in nodes:
        found: set[str] = set()
        walk(node, found)
        result[name] = found
    return result


def _reachable(entry: str, graph: dict[str, set[str]]) -> set[str]:
    queue, seen = [entry], {entry}
    while queue:
        current = queue.pop(0)
        for nxt in graph.get(current, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def extract_target_code_or_empty(code: str, entrypoint: str | None = None) -> str:
    code = code_extract(code)
    code_bytes = bytes(code, "utf8")
    root = _parser().parse(code_bytes).root_node
    classes: set[str] = set()
    functions: set[str] = set()
    variables: set[str] = set()
    imports = []
    definitions: list[tuple[str, Any]] = []
    for child in root.children:
        if child.type in IMPORT_TYPE:
            imports.append(child)
        elif child.type == CLASS_TYPE:
            name = _definition_name(child)
            if not (name in classes or name in variables or name in functions):
                definitions.append((name, child))
                classes.add(name)  # type: ignore[arg-type]
        elif child.type == FUNCTION_TYPE:
            name = _definition_name(child)
            if not (name in functions or name in variables or name in classes) and _has_return(child):
                definitions.append((name, child))
                functions.add(name)  # type: ignore[arg-type]
        elif child.type == EXPRESSION_TYPE and child.children[0].type == ASSIGNMENT_TYPE:
            sub = child.children[0]
            name = _definition_name(sub)
            if not (name in variables or name in functions or name in classes):
                definitions.append((name, sub))
                variables.add(name)  # type: ignore[arg-type]
    reachable = _reachable(entrypoint, _deps(definitions)) if entrypoint else None
    out = b""
    for node in imports:
        out += code_bytes[node.start_byte : node.end_byte] + b"\n"
    for name, node in definitions:
        if reachable is not None and name not in reachable:
            continue
        out += code_bytes[node.start_byte : node.end_byte] + b"\n"
    return out[:-1].decode("utf8")


def sanitize_python(code: str, entrypoint: str | None = None) -> str:
    """EvalPlus's ``sanitize``: the entry point and what it needs, or the longest parsable run of lines."""
    sanitized = extract_target_code_or_empty(code, entrypoint).strip()
    if not sanitized:
        return code_extract(code)
    return sanitized


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language tag, body) of each fenced block; an unclosed last fence runs to the end of the text."""
    return [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]


def pick_block(text: str, entry_point: str | None = None) -> str:
    """The fenced block that mentions the entry point (else the longest one); the text itself if unfenced."""
    blocks = [body for _, body in fenced_blocks(text)]
    if not blocks:
        return text
    if entry_point:
        with_entry = [b for b in blocks if re.search(rf"\b{re.escape(entry_point)}\b", b)]
        if with_entry:
            return max(with_entry, key=len)
    return max(blocks, key=len)


def sanitize(text: str, *, language: str = "python", entry_point: str | None = None) -> str:
    """Code to score from a model's raw output (a full program/function, not a continuation)."""
    if language == "python":
        # exactly EvalPlus: no fence handling, the longest parsable run of lines finds the code inside fences
        return sanitize_python(text, entry_point)
    return pick_block(text, entry_point).strip("\n") + "\n"


__all__ = ["code_extract", "fenced_blocks", "pick_block", "sanitize", "sanitize_python", "syntax_ok"]
