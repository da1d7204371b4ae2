"""The context a refined program needs to run: what the reviewed response set up and the refined code uses.

A reviewer refines the *answer*, not its setup: a response that builds a DataFrame ``df`` and then answers with
``df.groupby(...)`` is refined into code that uses ``df`` without building it. Run alone, that code fails with a
NameError although nothing is wrong with it. So before the sandbox runs refined Python code, the response's
top-level imports, definitions and assignments that bind a name the refined code uses but does not bind itself
are put before it (with what those statements use in turn, in the response's order). Statements that read
input are left out: they would block or fail in the sandbox.
"""

from __future__ import annotations

import ast
import builtins

_BUILTINS = frozenset(dir(builtins))
_BINDING = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign,
            ast.AugAssign)


def _bound(node: ast.AST) -> set[str]:
    """Names that ``node`` (a module or a statement) binds anywhere inside it."""
    names: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, ast.arg):
            names.add(n.arg)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
    return names


def _used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _top_level_bound(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement makes available to the code after it."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _reads_input(stmt: ast.stmt) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "input" for n in ast.walk(stmt))


def python_context(refined: str, originals: list[str]) -> str:
    """The setup lines from ``originals`` (the response's Python code) that ``refined`` needs, or "" when it needs
    none (or either side does not parse)."""
    try:
        tree = ast.parse(refined)
    except SyntaxError:
        return ""
    needed = _used(tree) - _bound(tree) - _BUILTINS
    if not needed:
        return ""
    statements: list[tuple[str, ast.stmt]] = []
    for source in originals:
        try:
            statements += [(source, s) for s in ast.parse(source).body if isinstance(s, _BINDING) and not _reads_input(s)]
        except SyntaxError:
            continue
    chosen: list[int] = []
    while needed:
        # the last binding of a name before the code runs is the one that counts
        found = [i for i, (_, s) in enumerate(statements) if i not in chosen and _top_level_bound(s) & needed]
        if not found:
            break
        chosen += found
        new = set().union(*(_used(statements[i][1]) for i in found))
        needed = (new | needed) - set().union(*(_top_level_bound(statements[i][1]) for i in chosen)) - _BUILTINS
        needed -= _bound(tree)
    lines = [ast.get_source_segment(source, stmt) or "" for source, stmt in (statements[i] for i in sorted(chosen))]
    return "\n".join(line for line in lines if line)
