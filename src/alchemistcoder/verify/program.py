"""What of a response can run: its program (the code blocks of one language joined), whether that program is
a whole one or a fragment, its definitions, and the interface model-written tests may call.

A response often splits its answer over several blocks (the function, then a usage example): they are
joined in order, as a reader would paste them. A CoNaLa-style snippet (``sorted(l, key=...)``) reads names
that nothing defines: it is a fragment, not a program that crashes, and is ``not_runnable``.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass, field

from alchemistcoder.code import extract_code_blocks
from alchemistcoder.code.parse import parse_python

_BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "__doc__", "__builtins__", "__spec__"}
# An entry point each compiled language needs before a program of it can run on its own.
_ENTRY_POINTS = {
    "c": re.compile(r"\bint\s+main\s*\("),
    "cpp": re.compile(r"\bint\s+main\s*\("),
    "java": re.compile(r"\bpublic\s+static\s+void\s+main\s*\("),
    "go": re.compile(r"^\s*func\s+main\s*\(", re.M),
    "rust": re.compile(r"^\s*fn\s+main\s*\(", re.M),
    "csharp": re.compile(r"\bstatic\s+(?:async\s+)?(?:void|int|Task(?:<int>)?)\s+Main\s*\("),
}
# Statements kept when only a program's definitions are wanted (tests call them; its script part would
# read input or print).
_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
                ast.AnnAssign)


@dataclass(slots=True)
class Program:
    """The runnable part of a response: its language and source; ``reason`` says why there is none."""

    language: str | None
    source: str
    reason: str | None = None  # no_code, not_runnable (with ``detail``)
    detail: str = ""
    functions: list[str] = field(default_factory=list)  # top-level functions (Python)
    classes: list[str] = field(default_factory=list)  # top-level classes (Python)
    signatures: list[str] = field(default_factory=list)  # "def name(args)" of the top-level functions


def free_names(tree: ast.Module) -> list[str]:
    """Names the module's top-level code reads that nothing in it binds (not builtins): a fragment's inputs.

    Function bodies are left out: a name they read may be bound later in the module, and one that is not is a
    real bug that the run shows as a NameError. A function's parameter binds nothing at the top level: a call
    ``f(lst, x)`` whose arguments are only ``f``'s parameter names is a usage line with placeholders (12 of the
    22 NameError "crashes" of a 2,500-sample draw of the shared sets), and so is a statement that rebinds a
    name nothing else binds from itself (CoNaLa's ``s = sorted(s, key=...)``, ``df = df[['x', 'y']]``)."""
    stores: dict[str, int] = {}  # plain assignments of each name, anywhere
    defined_otherwise: set[str] = set()  # by def, class, import, except, global
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined_otherwise.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined_otherwise.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            defined_otherwise.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            defined_otherwise.update(node.names)
    if any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in ast.walk(tree)):
        return []  # a star import may bind anything
    bound = defined_otherwise | set(stores)
    free: list[str] = []

    def self_bound(stmt: ast.AST) -> set[str]:
        """The names a top-level assignment reads from itself when it is their only assignment anywhere."""
        if not isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)) or stmt.value is None:
            return set()
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        own = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        read = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            read.add(stmt.target.id)
        return {name for name in set(own) & read if stores[name] == own.count(name) and name not in defined_otherwise}

    def visit(node: ast.AST, unbound: frozenset[str] = frozenset()) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for d in getattr(node, "decorator_list", []):
                visit(d)
            return
        if isinstance(node, ast.ClassDef):
            for d in (*node.decorator_list, *node.bases):
                visit(d)
            for stmt in node.body:  # class bodies run at definition time
                visit(stmt)
            return
        unbound = unbound | self_bound(node)
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in _BUILTINS
                and (node.id not in bound or node.id in unbound) and node.id not in free):
            free.append(node.id)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id in unbound \
                and node.target.id not in free:
            free.append(node.target.id)
        for child in ast.iter_child_nodes(node):
            visit(child, unbound)

    visit(tree)
    return free


def definitions_only(tree: ast.Module) -> str:
    """The module's imports, definitions and assignments as source (its script part dropped)."""
    body = [n for n in tree.body if isinstance(n, _DEFINITIONS)]
    return ast.unparse(ast.Module(body=body, type_ignores=[]))


def _interface(program: Program, tree: ast.Module) -> None:
    """The functions and classes tests may call: public top-level ones, without the helpers that another
    top-level function calls (MBPP/797's ``sum_Odd`` serves ``sum_in_Range``; a test of the helper alone would
    hold it to a task it was not written for)."""
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and not n.name.startswith("_")]
    called = {c.func.id for f in functions for c in ast.walk(f)
              if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id != f.name}
    entry = [f for f in functions if f.name not in called] or functions
    for node in entry:
        program.functions.append(node.name)
        program.signatures.append(f"def {node.name}({ast.unparse(node.args)})")
    program.classes.extend(n.name for n in tree.body if isinstance(n, ast.ClassDef))


def response_program(response: str, languages: list[str]) -> Program:
    """The program a response carries: the blocks of its main language joined in order.

    When the joined Python blocks do not parse (one block is console output in a python fence), the
    largest block that parses alone is the program."""
    blocks = [b for b in extract_code_blocks(response) if b.language not in ("text", "shell", "bash", "console")]
    if not blocks:
        return Program(None, "", "no_code")
    language = max(blocks, key=lambda b: len(b.code)).language
    same = [b.code for b in blocks if b.language == language]
    if language not in languages:
        return Program(language, "\n\n".join(same), "not_runnable", f"{language} is not run")
    if language != "python":
        source = "\n\n".join(same)
        entry = _ENTRY_POINTS.get(language)
        if entry is not None and not entry.search(source):
            return Program(language, source, "not_runnable", "no entry point (main)")
        return Program(language, source)
    source = "\n\n".join(same)
    tree = parse_python(source)
    if tree is None and len(same) > 1:
        parsed = [(code, t) for code in same if (t := parse_python(code)) is not None]
        if parsed:
            source, tree = max(parsed, key=lambda ct: len(ct[0]))
    if tree is None:
        # it does not parse: running it shows the SyntaxError as a crash (curate's uncompilable catches most)
        return Program("python", source)
    program = Program("python", source)
    _interface(program, tree)
    free = free_names(tree)
    if free:
        program.reason, program.detail = "not_runnable", f"a fragment: reads {', '.join(free[:5])} that it never defines"
    return program
