"""The response's own examples as tests: what its author says a call gives, checked in the sandbox.

Responses often show their functions at work: a doctest (``>>> is_prime(7)`` then ``True``), or a call
printed with the answer beside it (``print(factorial(5))  # Output: 120``). Such a claim is evidence that needs
no model: a response whose code does not give what its own text says is wrong somewhere (the code or the
claim), and either way it teaches the wrong thing. Each claim becomes one assert, built so that only a clear
contradiction fails:

- only a call of a function the response defines, with literal arguments (nothing from the script part);
- the claimed value is read as a Python literal when it is one (``[1, 2]``, ``'abc'``, ``True``; JSON's
  ``true``/``null`` too), and otherwise, after a keyword (``Output:``, ``prints``, ``=>``), as the printed
  text of a string answer; the assert passes when the answer equals the literal, or prints as the claim, or
  (for a float claim) rounds to it at the claim's precision;
- a call that returns None passes: what such a function prints is not what the claim can be compared with.

The asserts are checked like the model's tests (``testing.parse_tests``), run on the response in the sandbox
(``testing.run_tests``), and dropped when they fail for their own fault (``testing.valid_tests``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from alchemistcoder.verify.program import Program, parse_python

# "# Output: 120", "# prints 120", "# => 120", "# returns True", "# Expected: [1, 2]", or a bare literal "# 120"
_CLAIM = re.compile(r"^#\s*(?P<keyword>(?:expected\s+)?(?:output|outputs|result|prints?|returns?|expected)\b\s*:?|=>|->|➞|→)?"
                    r"\s*(?P<value>\S.*?)\s*$", re.I)
_PROMPT = re.compile(r"^\s*>>>\s?(?P<expr>.+?)\s*$")
_JSON_WORDS = {"true": "True", "false": "False", "null": "None"}


def _literal(text: str) -> object:
    """The claimed value as a Python literal, or ``ValueError``."""
    text = _JSON_WORDS.get(text, text)
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise ValueError(text) from exc


def _call_of_defined(expr: str, names: set[str]) -> str | None:
    """``expr`` normalised when it is one call of a defined function with literal arguments only."""
    tree = parse_python(expr)
    if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in names):
        return None
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        try:
            ast.literal_eval(arg)
        except (ValueError, SyntaxError, TypeError):
            return None
    return ast.unparse(call)


def claim_assert(call: str, claimed: str, literal_only: bool = False) -> str | None:
    """The assert that ``call`` gives ``claimed`` (see the module docstring), or None for a claim that is not
    a value (prose, an ellipsis; with ``literal_only``, anything but a Python literal)."""
    claimed = claimed.strip().rstrip(";").strip()
    if not claimed or "..." in claimed or len(claimed) > 300:
        return None
    try:
        value = _literal(claimed)
    except ValueError:
        if literal_only or len(claimed.split()) > 8 or claimed.endswith(":"):
            return None  # a sentence, not a printed value
        # text is compared only with a string answer: "# prints the sum" next to a number is prose
        return f"assert not isinstance(_v := {call}, str) or _v == {claimed!r}"
    options = [f"_v == {value!r}", f"str(_v) == {claimed!r}"]
    if isinstance(value, float) and "." in claimed:
        fraction = claimed.split(".", 1)[1]
        if fraction.isdigit():  # "3.33" for 3.3333...: the author rounded
            options.append(f"isinstance(_v, float) and round(_v, {len(fraction)}) == {value!r}")
    return f"assert (_v := {call}) is None or " + " or ".join(options)


def _doctest_claims(text: str, names: set[str]) -> list[tuple[str, str, bool]]:
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines[:-1]):
        m = _PROMPT.match(line)
        if not m:
            continue
        want = lines[i + 1].strip()
        if not want or want.startswith((">>>", "...")):
            continue
        call = _call_of_defined(m.group("expr"), names)
        if call:
            out.append((call, want, False))
    return out


def _print_claims(source: str, tree: ast.Module, names: set[str]) -> list[tuple[str, str, bool]]:
    """``print(call)`` statements at the top level with a claim in the comment on their line (or alone on the
    next line)."""
    lines = source.splitlines()
    out = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "print"
                and len(stmt.value.args) == 1 and not stmt.value.keywords and stmt.end_lineno is not None):
            continue
        call = _call_of_defined(ast.unparse(stmt.value.args[0]), names)
        if not call:
            continue
        end = stmt.end_lineno
        same_line = lines[end - 1][stmt.end_col_offset or 0:].strip() if end <= len(lines) else ""
        next_line = lines[end].strip() if end < len(lines) else ""
        comment = same_line if same_line.startswith("#") else next_line if next_line.startswith("#") else ""
        m = _CLAIM.match(comment)
        if m:  # a bare comment ("# 120") is a claim only when it is a literal
            out.append((call, m.group("value"), not m.group("keyword")))
    return out


@dataclass(frozen=True, slots=True)
class Example:
    """One claim of the response: ``call`` gives ``claimed``; ``test`` is the assert that checks it."""

    call: str
    claimed: str
    test: str


def own_examples(response: str, program: Program, limit: int = 20) -> list[Example]:
    """The response's own examples (doctests in its text or code, printed calls with their claimed output)
    about the functions its program defines, as asserts; at most ``limit``, duplicates dropped."""
    tree = parse_python(program.source) if program.language == "python" else None
    if tree is None or not program.functions:
        return []
    names = set(program.functions)
    claims = _doctest_claims(response, names) + _print_claims(program.source, tree, names)
    out: list[Example] = []
    for call, claimed, literal_only in claims:
        test = claim_assert(call, claimed, literal_only)
        if test:  # as ``testing.parse_tests`` writes it back, so a checked test is found by its text
            test = ast.unparse(ast.parse(test))
        if test and all(e.test != test for e in out):
            out.append(Example(call, claimed.strip(), test))
    return out[:limit]
