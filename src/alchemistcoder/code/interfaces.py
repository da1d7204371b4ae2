"""A response's Python functions read through the interface its code shows (decontamination's execution signal,
``decontam/signals/python.py``): a function that prints its answer as one that returns it
(:func:`printing_functions`: "a function that prints the primes below n" for HumanEval/96's list); a function
called with more arguments than its task has, the others fixed by its example call, as a function of the inputs
alone (:func:`call_shapes`: ``binary_search(arr, 0, len(arr) - 1, x)`` for MBPP/492's ``binary_search(item_list,
item)``, a recursive ``permute(s, '')``)."""

from __future__ import annotations

import ast
import builtins
import copy

from alchemistcoder.code.lift import _arity, _printed, _reads_input

_BUILTINS = frozenset(dir(builtins))


def _print_value(call: ast.Call, labels: bool) -> ast.expr | None:
    """The value a ``print`` call of a printing function shows (:func:`_printed`); with ``labels`` (the function
    also prints values), a print of constant text only is a label (``print("Primes:")``: an empty tuple)."""
    if any(k.arg == "end" and not (isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
                                   and k.value.value and k.value.value.strip() in ("", ","))
           for k in call.keywords):
        return None  # ``end=""`` joins what it prints into one value
    if call.args and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
        return ast.Tuple([], ast.Load()) if labels else (call.args[0] if len(call.args) == 1 else None)
    return _printed(call)


class _Shown(ast.NodeTransformer):
    """A printing function's body as one that appends what it prints to the list ``shown`` and calls ``body``
    where it called itself; a label, or a print outside loops of a function that prints in one (a heading, a
    total), is dropped."""

    def __init__(self, name: str, body: str, shown: str, labels: bool, loops: set[int] | None) -> None:
        self.name, self.body, self.shown, self.labels, self.loops = name, body, shown, labels, loops

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == self.name:
            node.func = ast.Name(self.body, ast.Load())
        elif isinstance(node.func, ast.Name) and node.func.id == "print":
            value = _print_value(node, self.labels)
            if (isinstance(value, ast.Tuple) and not value.elts) or (self.loops is not None and id(node) not in self.loops):
                return ast.Constant(None)
            return ast.Call(ast.Attribute(ast.Name(self.shown, ast.Load()), "append", ast.Load()), [value], [])
        return node


def _printing_function(f: ast.FunctionDef, prefix: str) -> tuple[str, str, int, float] | None:
    """:func:`printing_functions` of one function."""
    if f.decorator_list or (arity := _arity(f, 0)) is None or not arity[1]:
        return None
    f = copy.deepcopy(f)  # rewritten in place
    nodes = list(ast.walk(f))
    prints = [n for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"]
    if not prints or any(isinstance(n, ast.Return) and n.value is not None for n in nodes) \
            or any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Global,
                                  ast.Nonlocal, ast.Yield, ast.YieldFrom)) and n is not f for n in nodes) \
            or any(isinstance(n, ast.expr) and _reads_input(n) for n in nodes):
        return None
    labels = any(_printed(p) is not None and not all(isinstance(a, ast.Constant) for a in p.args) for p in prints)
    statements = {id(n.value) for n in nodes if isinstance(n, ast.Expr)}
    if any(id(p) not in statements or _print_value(p, labels) is None for p in prints):
        return None
    in_loops = {id(p) for n in nodes if isinstance(n, (ast.For, ast.While)) for p in ast.walk(n)}
    looped = any(id(p) in in_loops for p in prints)
    listed = looped or any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == f.name for n in nodes)
    name, body, shown = f"{prefix}{f.name}", f"{prefix}{f.name}_body", f"{prefix}{f.name}_shown"
    rewritten = _Shown(f.name, body, shown, labels, in_loops if looped else None).visit(f)
    rewritten.name = body
    # a module-level list, so that the calls a recursive function makes append to the one of its first call; a
    # loop may print nothing (HumanEval/96's primes below 1)
    check, answer = ("", f"list({shown})") if listed else (f" and len({shown}) == 1", f"{shown}[0]")
    return (name, f"{ast.unparse(ast.fix_missing_locations(rewritten))}\n\n\ndef {name}(*a):\n"
                  f"    globals()[{shown!r}] = {shown} = []\n    r = {body}(*a)\n    assert r is None{check}\n"
                  f"    return {answer}", *arity)


def printing_functions(tree: ast.Module, prefix: str) -> list[tuple[str, str, int, float]]:
    """Functions of a module that print their answer instead of returning it ("a function that prints all the
    permutations of a string", "prints the primes up to n"), as functions that return it: (name, source, min and
    max arity), named ``prefix`` + the function's name. Each print of one value becomes an append to a list; the
    answer is the list when a print sits in a loop (the prints outside loops are then headings) or the function
    calls itself, else the one value printed. A function that returns a value, reads input, defines others or
    prints two values at one place (a table) has none."""
    return [out for f in tree.body if isinstance(f, ast.FunctionDef) and (out := _printing_function(f, prefix))]


def _literal_bindings(tree: ast.Module) -> set[str]:
    """Names the script part binds to a literal (``arr = [2, 3, 4, 10, 40]``, also inside ``if __name__ ==
    "__main__":``) or to what it reads (``n = int(input())``): the inputs of its example calls."""
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            continue
        for n in ast.walk(node):
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                try:
                    ast.literal_eval(n.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    if not _reads_input(n.value):
                        continue
                out.add(n.targets[0].id)
    return out


def call_shapes(tree: ast.Module, functions: dict[str, str], limit: int = 2) -> list[tuple[str, str, int]]:
    """Functions of the inputs of a module's example calls (``binary_search(arr, 0, len(arr) - 1, x)`` with ``arr``
    and ``x`` bound to literals: a function of ``arr`` and ``x``), as (name, source, arity), at most ``limit`` per
    function. ``functions``: the module's functions by name, each with the name to call it by (its printing
    adapter, for one that prints its answer); a shape is named after that name + ``_called``. A call whose other
    arguments are not constants or expressions of its inputs and builtins (``len(arr) - 1``), or that has
    keywords or no fixed argument, has none."""
    inputs, out, seen = _literal_bindings(tree), [], set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)):
            if call.func.id not in functions or call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
                continue
            given = list(dict.fromkeys(a.id for a in call.args if isinstance(a, ast.Name) and a.id in inputs))
            fixed = [a for a in call.args if not (isinstance(a, ast.Name) and a.id in given)]
            if not given or not fixed or any(
                    (isinstance(n, ast.Name) and n.id not in given and n.id not in _BUILTINS)
                    or (isinstance(n, ast.Call) and not (isinstance(n.func, ast.Name) and n.func.id in _BUILTINS))
                    for a in fixed for n in ast.walk(a)):
                continue
            target = functions[call.func.id]
            shape = (target, ast.unparse(call))
            if shape in seen or sum(1 for t, _c in seen if t == target) >= limit:
                continue
            seen.add(shape)
            name = f"{target}_called{'' if len(seen) == 1 else len(seen)}"
            args = ", ".join(ast.unparse(a) for a in call.args)
            out.append((name, f"def {name}({', '.join(given)}):\n    return {target}({args})", len(given)))
    return out
