"""Functions made of Python that defines none, for running it on a problem's tests (decontamination's execution
signal, ``decontam/signals/python.py``): a snippet or script (CoNaLa's ``sentence.replace(' ', '')``, CodeAlpaca's ``my_list = [1, 3, 5]`` then
``print(sum(my_list))``) becomes a function of its inputs that returns its answer (:func:`lift_snippet`); a
class's public methods become functions of the class's or the method's inputs (:func:`class_methods`)."""

from __future__ import annotations

import ast
import builtins
import copy
import itertools
import re
import sys

_BUILTINS = frozenset(dir(builtins))
# Names a snippet uses as if imported (CoNaLa's ``sorted(L, key=itemgetter(2))``): imported, not parameters.
_FROM_IMPORTS = {"itemgetter": "operator", "attrgetter": "operator", "methodcaller": "operator",
                 "Counter": "collections", "defaultdict": "collections", "OrderedDict": "collections",
                 "deque": "collections", "reduce": "functools", "permutations": "itertools",
                 "combinations": "itertools", "chain": "itertools", "groupby": "itertools", "product": "itertools",
                 "sqrt": "math", "pi": "math", "floor": "math", "ceil": "math", "factorial": "math", "gcd": "math"}


def missing_imports(tree: ast.Module) -> list[str]:
    """The import lines a module needs and lacks: a standard module whose attribute it reads (``math.sqrt``) and a
    name it calls as if imported from one (``Counter(...)``), neither bound anywhere in it."""
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in n.names}
    if any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in ast.walk(tree)):
        return []
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and isinstance(n.value.ctx, ast.Load) \
                and n.value.id in sys.stdlib_module_names and n.value.id not in bound:
            out.append(f"import {n.value.id}")
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _FROM_IMPORTS \
                and n.func.id not in bound:
            out.append(f"from {_FROM_IMPORTS[n.func.id]} import {n.func.id}")
    return list(dict.fromkeys(out))


# Built-ins a bare ``f()`` names as the answer: those of one argument that compute something from it.
_ONE_ARGUMENT_BUILTINS = frozenset({"ord", "chr", "len", "abs", "sum", "max", "min", "sorted", "reversed", "set", "bin",
                                    "hex", "oct", "int", "float", "str", "list", "tuple", "bool", "round", "any", "all"})
# Methods that change their object in place and return None: a snippet ending in ``L.sort(key=...)`` answers L.
_IN_PLACE = frozenset({"sort", "reverse", "append", "extend", "insert", "remove", "update", "clear"})
def _names(nodes: list[ast.stmt], ctx: type) -> list[str]:
    """Names read (``ast.Load``) or bound (``ast.Store``) in ``nodes``, in source order."""
    found = [n for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)]
    return list(dict.fromkeys(n.id for n in sorted(found, key=lambda n: (n.lineno, n.col_offset))))


class _LiteralInputs(ast.NodeTransformer):
    """Replaces container literals that a call works on (an argument, or the object of a method call other
    than ``' '.join``), and non-empty strings given to a call (CoNaLa's ``list('Word to Split')``), by parameters
    ``arg0``, ``arg1``..."""

    def __init__(self, limit: int) -> None:
        self.limit, self.params = limit, []

    def _take(self, node: ast.expr) -> ast.expr:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and len(self.params) < self.limit:
            try:
                ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return node
            self.params.append(f"arg{len(self.params)}")
            return ast.copy_location(ast.Name(self.params[-1], ast.Load()), node)
        return node

    def _take_text(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value and len(self.params) < self.limit:
            self.params.append(f"arg{len(self.params)}")
            return ast.copy_location(ast.Name(self.params[-1], ast.Load()), node)
        return self._take(node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        node.args = [self._take_text(a) for a in node.args]
        if isinstance(node.func, ast.Attribute):
            node.func.value = self._take(node.func.value)
        self.generic_visit(node)
        return node


_VALUE_METHODS = frozenset(dir(str)) | frozenset(dir(list)) | frozenset(dir(dict)) | frozenset(dir(set))


def _used_as_value(name: str, nodes: list[ast.stmt]) -> bool:
    """Whether a name that is also a standard module's (``string``) is a value: every attribute the snippet
    uses on it is a method of a string, list, dict or set (CoNaLa's ``string.replace('1', '')`` for "from string
    `string`"), none a module's (``string.ascii_letters``), or it uses none and does not call it (CoNaLa's
    ``sum(map(ord, string))``: a module is read for its attributes, not passed around)."""
    used = {n.attr for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name}
    if not used:
        return not any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
                       for node in nodes for n in ast.walk(node))
    return used <= _VALUE_METHODS


def _reads_input(value: ast.expr) -> bool:
    """Whether an expression reads the program's input (``input()``, ``int(input())``, ``input().split()``,
    ``sys.argv[1]``): the name it is bound to is the script's input, as a literal example is."""
    for n in ast.walk(value):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "input":
            return True
        if isinstance(n, ast.Attribute) and n.attr == "argv" and isinstance(n.value, ast.Name) and n.value.id == "sys":
            return True
    return False


def _printed(call: ast.Call) -> ast.expr | None:
    """What a ``print`` call shows: its one argument that is not a constant string (``print("Sum:", total)``),
    the one value an f-string formats (``print(f"The sum is {total}")``); None when there is no single one."""
    args = [a for a in call.args if not (isinstance(a, ast.Constant) and isinstance(a.value, str))]
    if len(args) != 1 or any(k.arg not in ("sep", "end") for k in call.keywords):
        return None
    answer = args[0]
    if isinstance(answer, ast.JoinedStr):
        values = [v.value for v in answer.values if isinstance(v, ast.FormattedValue)]
        return values[0] if len(values) == 1 else None
    return answer


def _read_before_bound(rest: list[ast.stmt], examples: dict[str, ast.stmt]) -> list[str]:
    """Names an assignment reads before anything binds them and then rebinds (CoNaLa's ``sentence =
    ''.join(sentence.split())`` for "remove all whitespaces in a string `sentence`"): inputs, changed in place."""
    bound: set[str] = set(examples)
    out: list[str] = []
    for n in rest:
        if isinstance(n, ast.Assign):
            targets = {t.id for t in n.targets if isinstance(t, ast.Name)}
            out += [name for name in _names([ast.Expr(n.value)], ast.Load) if name in targets and name not in bound]
        bound |= set(_names([n], ast.Store))
    return list(dict.fromkeys(out))


def _rebinds_itself(name: str, nodes: list[ast.stmt]) -> bool:
    """Whether every binding of ``name`` in ``nodes`` is a top-level ``name = <expression of name>`` (CodeAlpaca's
    ``string = string.replace(" ", "")`` after ``string = "this is a test"``): the literal was the input, changed
    in place. An accumulator is rebound in a loop or by ``+=`` (``total = 0``), which this is not."""
    binds = [n for n in nodes if name in _names([n], ast.Store)]
    return bool(binds) and all(
        isinstance(n, ast.Assign) and [t.id for t in n.targets if isinstance(t, ast.Name)] == [name]
        and len(n.targets) == 1 and name in _names([ast.Expr(n.value)], ast.Load) for n in binds)


def _literal_inputs(rest: list[ast.stmt], answer: ast.expr, limit: int) -> tuple[list[ast.stmt], ast.expr, list[str]]:
    """A snippet without free names, its container literals made parameters (:class:`_LiteralInputs`)."""
    swap = _LiteralInputs(limit)
    module = swap.visit(ast.Module([*copy.deepcopy(rest), ast.Expr(copy.deepcopy(answer))], []))
    return module.body[:-1], module.body[-1].value, swap.params


def lift_snippet(tree: ast.Module, max_params: int = 3) -> list[tuple[str, int]]:
    """Functions made of a snippet that defines none (CoNaLa's ``sentence.replace(' ', '')`` for "remove all
    whitespace in a string `sentence`", CodeAlpaca's ``my_list = [1, 3, 5]`` then ``print(sum(my_list))``), as
    (source, arity) pairs, one per order of the parameters.

    The parameters are the names the snippet reads but never binds, those it binds to a literal (its example
    input) or to the program's input (``s = input()``, ``sys.argv[1]``), and those an assignment reads before
    rebinding them (``sentence = ''.join(sentence.split())``); names used as if imported (``itemgetter``) are
    imported. The answer is its last expression (a ``print`` unwrapped: its one value that is not a constant
    string, or the one value of an f-string), the name its last statement assigns, or the object a last in-place
    method call changes. Each integer given to a call (``itemgetter(2)``) is also tried as one more parameter.
    Empty when the snippet does not end that way or has no parameter (or more than ``max_params``).
    """
    body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef))]
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if not body or any(isinstance(n, ast.ClassDef) for n in body):
        return []
    if len(body) == 1 and isinstance(call := getattr(body[0], "value", None), ast.Call) and not call.args \
            and not call.keywords and isinstance(call.func, ast.Name) and call.func.id in _ONE_ARGUMENT_BUILTINS:
        # CoNaLa's ``ord()`` for "get the ASCII value of a character as an int": the function named, its argument
        # left out
        return [(f"(x):\n    return {call.func.id}(x)", 1)]
    imported = {(a.asname or a.name).split(".")[0] for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names} | defined
    examples: dict[str, ast.stmt] = {}
    for n in body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            if not _reads_input(n.value):  # ``s = input()`` binds the script's input, as a literal example does
                try:
                    ast.literal_eval(n.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
            examples.setdefault(n.targets[0].id, n)
    later = [n for n in body if n not in examples.values()]
    rebound = _names(later, ast.Store)
    # ``count = 0`` is no input; ``s = "a b"`` then ``s = s.replace(" ", "")`` is, changed in place
    changed = {name for name in examples if name in rebound and _rebinds_itself(name, later)}
    examples = {name: n for name, n in examples.items() if name not in rebound or name in changed}
    rest = [n for n in body if n not in examples.values()]
    if not rest:
        return []
    last = rest[-1]
    if isinstance(last, (ast.For, ast.While)) and (collecting := _collect_prints(last)) is not None:
        init = ast.fix_missing_locations(ast.copy_location(ast.parse(f"{_SHOWN} = []").body[0], last))
        rest, answer = [*rest[:-1], init, collecting], ast.copy_location(ast.Name(_SHOWN, ast.Load()), last)
    elif defined:
        return []  # a script beside functions that computes one value calls them: they are tried themselves
    elif isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and isinstance(last.value.func, ast.Name) \
            and last.value.func.id == "print":
        shown = _printed(last.value)
        if shown is None:
            return []
        rest, answer = rest[:-1], shown
    elif isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and isinstance(last.value.func, ast.Attribute) \
            and last.value.func.attr in _IN_PLACE and isinstance(last.value.func.value, ast.Name):
        answer = last.value.func.value
    elif isinstance(last, ast.Expr):
        rest, answer = rest[:-1], last.value
    elif isinstance(last, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and isinstance(
            target := (last.targets[0] if isinstance(last, ast.Assign) else last.target), ast.Name):
        answer = ast.copy_location(ast.Name(target.id, ast.Load()), target)
    else:
        return []
    if not rest and isinstance(answer, ast.Name):
        return []  # ``print(my_list)`` computes nothing
    whole = [*rest, ast.Expr(answer)]
    bound = set(_names(whole, ast.Store)) | {a.arg for n in whole for a in ast.walk(n) if isinstance(a, ast.arg)}
    free = [n for n in _names(whole, ast.Load) if n not in bound and n not in imported and n not in _BUILTINS]
    # a standard module the snippet uses without importing it (CoNaLa's ``operator.itemgetter(2)``), and names
    # used as if imported from one (``itemgetter(2)``)
    modules = [n for n in free if n in sys.stdlib_module_names and n not in examples
               and not _used_as_value(n, [*rest, ast.Expr(answer)])]
    names = [n for n in free if n in _FROM_IMPORTS and n not in examples and n not in modules]
    params = [n for n in free if n not in modules and n not in names]
    params += [n for n in _read_before_bound(rest, {k: v for k, v in examples.items() if k not in changed})
               if n not in params]
    if not params:  # ``sum([True, True, False])``: the literal the snippet works on is its input
        rest, answer, params = _literal_inputs(rest, answer, max_params)
    if len(params) > max_params or not (params or _call_numbers([*rest, ast.Expr(answer)])):
        return []
    head = [f"import {m}" for m in modules] + [f"from {_FROM_IMPORTS[n]} import {n}" for n in names]

    def function(params: list[str], rest: list[ast.stmt], answer: ast.expr) -> list[tuple[str, int]]:
        lines = head + [ast.unparse(n) for n in rest] + [f"return {ast.unparse(answer)}"]
        code = "\n".join("    " + line for text in lines for line in text.splitlines())
        return [(f"({', '.join(order)}):\n{code}", len(order)) for order in itertools.permutations(params)]

    out = function(params, rest, answer) if params else []
    if len(params) < max_params:
        # the number or text a call is given, as one more parameter: CoNaLa's ``sorted(L, key=itemgetter(2))`` for
        # "sort a list of lists `L` by index 2" is MBPP/381's sort by a given index, ``string.replace('1', '')``
        # for 'Remove string "1" from string `string`' MBPP/377's removal of a given character; the only one
        # when nothing else is (``list('{0:0b}'.format(8))`` for "convert decimal 8 to a list of its binary values")
        nodes = [*rest, ast.Expr(answer)]
        stops = {stop: (0, 1) for node in nodes for n in ast.walk(node) if isinstance(n, ast.Call) and (stop := _range_stop(n))}
        stops.update(_loop_bounds(nodes))
        for number in _call_numbers(nodes)[:2]:
            for offset in stops.get(number, (0,)):  # ``range(1, 11)``: 1 to 10, or below 11
                swap = _NumberInput(number, f"arg{len(params)}", offset)
                module = swap.visit(ast.Module([*copy.deepcopy(rest), ast.Expr(copy.deepcopy(answer))], []))
                out += function([*params, swap.name], module.body[:-1], module.body[-1].value)
    return out


_PATTERN = re.compile(r"[\\*+?\[\](){}^$|]")


def _call_numbers(nodes: list[ast.stmt]) -> list[int | str]:
    """The integers (other than 0 and 1) and non-empty strings given as arguments of calls, in source order; a
    call given several of a kind fixes them together ("by indices 2, 0, 1": ``itemgetter(2, 0, 1)``), not one
    input."""
    found = []
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, ast.While) and (bound := _while_bound(n)) is not None and bound.value not in (0, 1):
                found.append(bound)  # ``while num <= 100``: the input of "the primes up to 100"
            if isinstance(n, ast.Lambda):
                # ``key=lambda x: x[2]``: the index of "sort `l` by index 2 of the item" (MBPP/381's index argument)
                found += [k.slice for k in ast.walk(n.body) if isinstance(k, ast.Subscript)
                          and isinstance(k.slice, ast.Constant) and type(k.slice.value) is int
                          and k.slice.value not in (0, 1)]
            if isinstance(n, ast.Call):
                found += [n.args[1] for stop in [_range_stop(n)] if stop is not None and stop not in (0, 1)]
                for kind in (int, str):
                    same = [a for a in n.args if isinstance(a, ast.Constant) and type(a.value) is kind and a.value != ""]
                    # a pattern is not data: as a parameter, ``re.sub(pattern, '', s)`` removes anything, and passes
                    # MBPP/377's removal of a character
                    found += [a for a in same if len(same) == 1 and a.value not in (0, 1)
                              and not (kind is str and _PATTERN.search(a.value))]
    seen = dict.fromkeys((type(a.value), a.value) for a in sorted(found, key=lambda a: (a.lineno, a.col_offset)))
    return [value for _kind, value in seen]


def _range_stop(call: ast.Call) -> int | None:
    """The literal stop of ``range(start, stop)``: the input of "the numbers from 1 to 10" (``range(1, 11)``), given
    with a literal start, so :func:`_call_numbers` would not take it alone."""
    if isinstance(call.func, ast.Name) and call.func.id == "range" and len(call.args) in (2, 3) \
            and isinstance(stop := call.args[1], ast.Constant) and type(stop.value) is int:
        return stop.value
    return None


def _while_bound(loop: ast.While) -> ast.Constant | None:
    """The literal integer a ``while`` loop's test compares its counter with (``while num <= 100``)."""
    test = loop.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Lt, ast.LtE)) \
            and isinstance(bound := test.comparators[0], ast.Constant) and type(bound.value) is int:
        return bound
    return None


def _loop_bounds(nodes: list[ast.stmt]) -> dict[int, tuple[int, ...]]:
    """The offsets to try for each ``while`` bound: ``while n <= 100`` is "up to 100" or "below 101" (``n <= N - 1``
    for "below N"), ``while n < 101`` the other way round."""
    out = {}
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, ast.While) and (bound := _while_bound(n)) is not None:
                out[bound.value] = (0, -1) if isinstance(n.test.ops[0], ast.LtE) else (0, 1)
    return out


# The list a lifted print loop collects what it prints in (its name cannot be the script's own: it ends in "_").
_SHOWN = "shown_"


def _collect_prints(loop: ast.For | ast.While) -> ast.stmt | None:
    """A loop that prints one value a turn (``for num in range(0, 101): if is_prime(num): print(num)``, "print the
    primes up to 100", HumanEval/96's list of primes below n) as one that appends it to :data:`_SHOWN`; None when it
    prints nothing, or more than one value or at more than one place (a table, a pattern of stars)."""
    if any(isinstance(n, ast.expr) and _reads_input(n) for n in ast.walk(loop)):
        return None  # a loop that prompts for each value is an I/O driver around the function it calls
    loop = copy.deepcopy(loop)
    prints = [n for n in ast.walk(loop) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"]
    if len(prints) != 1 or (shown := _printed(prints[0])) is None \
            or any(k.arg == "end" and not (isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
                                           and k.value.value and k.value.value.strip() in ("", ","))
                    for k in prints[0].keywords):  # ``end=" "`` separates the values; ``end=""`` joins them into one
        return None
    target, appended = prints[0], []

    class _Append(ast.NodeTransformer):
        def visit_Expr(self, node: ast.Expr) -> ast.stmt:
            if node.value is not target:
                return node
            appended.append(node)
            call = ast.Call(ast.Attribute(ast.Name(_SHOWN, ast.Load()), "append", ast.Load()), [shown], [])
            return ast.copy_location(ast.Expr(call), node)

    swapped = _Append().visit(loop)
    if not appended:
        return None  # the print is part of an expression, not a statement of its own
    return ast.fix_missing_locations(swapped)


class _NumberInput(ast.NodeTransformer):
    """Replaces one integer or string given as a call's argument (or a lambda's index) by a parameter (plus
    ``offset``: ``range(1, n + 1)`` for the numbers from 1 to n)."""

    def __init__(self, number: int | str, name: str, offset: int = 0) -> None:
        self.number, self.name, self.offset = number, name, offset

    def _value(self) -> ast.expr:
        name = ast.Name(self.name, ast.Load())
        return ast.BinOp(name, ast.Add(), ast.Constant(self.offset)) if self.offset else name

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        node.args = [ast.copy_location(self._value(), a)
                     if isinstance(a, ast.Constant) and type(a.value) is type(self.number) and a.value == self.number
                     else a for a in node.args]
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.expr:
        self.generic_visit(node)
        for k in ast.walk(node.body):
            if isinstance(k, ast.Subscript) and isinstance(k.slice, ast.Constant) and type(k.slice.value) is int \
                    and k.slice.value == self.number:
                k.slice = ast.copy_location(self._value(), k.slice)
        return node

    def visit_While(self, node: ast.While) -> ast.stmt:
        self.generic_visit(node)
        if (bound := _while_bound(node)) is not None and bound.value == self.number:
            node.test.comparators = [ast.copy_location(self._value(), bound)]
        return node


METHOD_PREFIX = "_method_"


def _arity(node: ast.FunctionDef | ast.AsyncFunctionDef, bound: int) -> tuple[int, float] | None:
    """Positional arity bounds of a function after its ``bound`` first parameters (``self``); None when a
    required keyword-only parameter rules out a positional call."""
    a = node.args
    if any(d is None for d in a.kw_defaults):
        return None
    positional = len(a.posonlyargs) + len(a.args) - bound
    if positional < 0:
        return None
    return max(positional - len(a.defaults), 0), float("inf") if a.vararg else positional


def class_methods(tree: ast.Module, max_methods: int = 4) -> list[tuple[str, str, int, float]]:
    """Functions made of the public methods of a module's top-level classes, as (name, source, min and max
    arity): a class is often how an answer is given ("a Rectangle class with methods for the area and the
    perimeter" for MBPP/458's ``rectangle_area(l, b)``, LeetCode's ``class Solution``). Two shapes: the
    constructor takes the inputs and the method none (``Rectangle(*a).area()``), or the constructor takes
    none and the method the inputs (``Solution().twoSum(*a)``; a static method as ``Cls.m(*a)``). A method
    the class calls itself (``self.helper(...)``) is a helper, not an answer."""
    out: list[tuple[str, str, int, float]] = []
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or cls.decorator_list:
            continue
        defs = [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        init = next((d for d in defs if d.name == "__init__"), None)
        init_arity = _arity(init, 1) if init is not None else (0, 0)
        if init_arity is None:
            continue
        called = {n.func.attr for d in defs for n in ast.walk(d) if isinstance(n, ast.Call)
                  and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
                  and n.func.value.id in ("self", "cls", cls.name)}
        methods = [d for d in defs if not d.name.startswith("_") and d.name not in called][:max_methods]
        for m in methods:
            static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in m.decorator_list)
            if m.decorator_list and not static:
                continue  # a property or a class method: no call of this shape
            arity = _arity(m, 0 if static else 1)
            if arity is None:
                continue
            if static:
                call, low, high = f"{cls.name}.{m.name}(*a)", *arity
            elif init_arity[0] >= 1 and arity[0] == 0:
                call, low, high = f"{cls.name}(*a).{m.name}()", *init_arity
            elif init_arity[0] == 0 and arity[0] >= 1:
                call, low, high = f"{cls.name}().{m.name}(*a)", *arity
            else:
                continue
            name = f"{METHOD_PREFIX}{cls.name}_{m.name}"
            out.append((name, f"def {name}(*a):\n    return {call}", low, high))
    return out
