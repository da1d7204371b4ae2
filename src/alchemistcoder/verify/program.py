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
import warnings
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
    starts: list[int] = field(default_factory=list)  # the first line of each joined block in ``source``
    notes: int = 0  # the response's notes (output, remarks) that were read as comments, not code


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


def _block_starts(blocks: list[str]) -> list[int]:
    """The first line of each block in ``"\n\n".join(blocks)``."""
    starts, line = [], 1
    for code in blocks:
        starts.append(line)
        line += code.count("\n") + 2
    return starts


# A comment that says what follows is the program's output: "# Output:", "## Output", "# Expected output".
_OUTPUT_LABEL = re.compile(r"^\s*(?:#+|//)\s*(?:expected |sample |example |the )?(?:output|result|prints?)\s*:?\s*$", re.I)
# A note after code in another language's comment syntax or an arrow: "print(x) // Output: 6", "f(1) => 2".
_NOTE_WORDS = r"(?:expected |sample )?(?:outputs?|results?|returns?|prints?|gives|logs|should|expected)\b"
_SLASH_NOTE = re.compile(rf"^(.*?\S)\s*//\s*({_NOTE_WORDS}.*)$", re.I)
_ARROW_NOTE = re.compile(r"^(.*\))\s*=>\s*(\S.*)$")
_HASH_NOTE = re.compile(r"^(.*?)(?<![\w$])#(?=\s)(.*)$")


def _outside_quotes(text: str) -> bool:
    """Whether the end of ``text`` is outside any string literal that opens on its line (an even count of each
    quote)."""
    return all(text.count(q) % 2 == 0 for q in ("'", '"', "`"))


def _syntax_error_line(source: str) -> int | None:
    """The line of the first SyntaxError of a Python ``source``, 0 when it has none with a line, None when it
    compiles."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<program>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc.lineno or 0
    except ValueError:
        return 0
    return None


def _note_as_comment(lines: list[str], k: int) -> list[str] | None:
    """``lines`` with the note that starts on line ``k`` turned into Python comments, or None when line ``k``
    is no note: a ``/* ... */`` or ``//`` comment, an output note after a call (``// Output: 6``, ``=> 2``), or
    a printed output pasted after a comment that labels it (``# Output:`` then ``1 3 5``, up to a blank line)."""
    text = lines[k]
    stripped = text.strip()
    indent = text[: len(text) - len(text.lstrip())]
    out = list(lines)
    if stripped.startswith("/*"):
        # unclosed: the explanation's prose ended the code run before its "*/"
        end = next((j for j in range(k, len(lines)) if "*/" in lines[j]), len(lines) - 1)
        for j in range(k, end + 1):
            out[j] = indent + "# " + lines[j].strip()
        return out
    if stripped.startswith("//"):
        out[k] = indent + "# " + stripped[2:]
        return out
    for pattern in (_SLASH_NOTE, _ARROW_NOTE):
        m = pattern.match(text)
        if m and _outside_quotes(m.group(1)) and "lambda" not in m.group(1):
            out[k] = f"{m.group(1)}  # {m.group(2)}"
            return out
    above = next((j for j in range(k - 1, -1, -1) if lines[j].strip()), None)
    if (above is not None and _OUTPUT_LABEL.match(lines[above])) or re.match(r"^(?:expected )?output:?$", stripped, re.I):
        j = k
        while j < len(lines) and lines[j].strip():
            out[j] = "# " + lines[j]
            j += 1
        return out
    return None


def python_notes_as_comments(source: str) -> tuple[str, int] | None:
    """A Python ``source`` that does not compile because of the response's notes, with those notes read as
    comments, and how many there were; None when it compiles or still does not once its notes are comments.

    CodeAlpaca's bare answers annotate their code the way another language would (``print(x) // Outputs 6``, a
    ``/* ... */`` explanation after the function, ``f(1) => 2``) or paste the printed output after a ``# Output``
    comment: 14 of the 60 crashes of a 2,500-sample draw of the shared sets were such notes, not the code."""
    lines = source.splitlines()
    notes = 0
    for _ in range(12):
        line = _syntax_error_line("\n".join(lines))
        if line is None:
            return ("\n".join(lines), notes) if notes else None
        if not 0 < line <= len(lines) or (fixed := _note_as_comment(lines, line - 1)) is None:
            return None
        lines, notes = fixed, notes + 1
    return None


def script_notes_as_comments(source: str) -> tuple[str, int]:
    """A JavaScript ``source`` with Python-style notes (``f(x) # Output: true``, a line starting ``# ``) written as
    ``//`` comments, and how many: outside a string a ``#`` before a space is no JavaScript (a private name has no
    space after its ``#``), so the program only reads as its author meant it."""
    lines, notes, ticks = source.splitlines(), 0, 0
    for k, text in enumerate(lines):
        m = _HASH_NOTE.match(text)
        # a line inside a template literal (an odd count of backticks before it) is a string's text, and a ``#``
        # after an odd count of slashes may be inside a regular expression (``/# /g``): both left alone
        if m and ticks % 2 == 0 and _outside_quotes(m.group(1)) and m.group(1).count("/") % 2 == 0 \
                and not (k == 0 and text.startswith("#!")):
            lines[k], notes = f"{m.group(1)}//{m.group(2)}", notes + 1
        ticks += text.count("`")
    return ("\n".join(lines), notes) if notes else (source, 0)


def response_program(response: str, languages: list[str]) -> Program:
    """The program a response carries: the blocks of its main language joined in order.

    When the joined Python blocks do not parse (one block is console output in a python fence), the
    largest block that parses alone is the program."""
    from alchemistcoder.decontam.signals.php import php_file, php_like

    blocks = [b for b in extract_code_blocks(response) if b.language not in ("text", "console")]
    # CodeAlpaca's bare PHP functions (no ``<?php``) are read as JavaScript or shell by language detection
    blocks = [("php" if php_like(b.language, b.code) else b.language, b.code) for b in blocks]
    blocks = [(language, code) for language, code in blocks if language not in ("shell", "bash")]
    if not blocks:
        return Program(None, "", "no_code")
    language = max(blocks, key=lambda b: len(b[1]))[0]
    same = [code for lang, code in blocks if lang == language]
    if language not in languages:
        return Program(language, "\n\n".join(same), "not_runnable", f"{language} is not run")
    if language == "php":
        # a later block's own ``<?php`` inside the code of the one before would be a syntax error when joined
        same = [same[0], *(re.sub(r"\A\s*<\?php\b", "", code) if not same[k].rstrip().endswith("?>") else code
                           for k, code in enumerate(same[1:]))]
    starts = _block_starts(same)
    if language != "python":
        source = "\n\n".join(same)
        entry = _ENTRY_POINTS.get(language)
        if entry is not None and not entry.search(source):
            return Program(language, source, "not_runnable", "no entry point (main)", starts=starts)
        notes = 0
        if language == "javascript":
            source, notes = script_notes_as_comments(source)
        elif language == "php" and (opened := php_file(source)) != source:
            # without its ``<?php`` the interpreter would print the code as text; the tag is a line of its own
            starts = [k + opened.count("\n") - source.count("\n") for k in starts]
            source = opened
        return Program(language, source, starts=starts, notes=notes)
    source = "\n\n".join(same)
    tree = parse_python(source)
    notes = 0
    if tree is None and (repaired := python_notes_as_comments(source)) is not None:
        (source, notes), tree = repaired, parse_python(repaired[0])
    if tree is None and len(same) > 1:
        parsed = [(code, t) for code in same if (t := parse_python(code)) is not None]
        if parsed:
            source, tree = max(parsed, key=lambda ct: len(ct[0]))
            starts = [1]
    if tree is None:
        # it does not parse: running it shows the SyntaxError as a crash (curate's uncompilable catches most)
        return Program("python", source, starts=starts)
    program = Program("python", source, starts=starts, notes=notes)
    _interface(program, tree)
    free = free_names(tree)
    if free:
        program.reason, program.detail = "not_runnable", f"a fragment: reads {', '.join(free[:5])} that it never defines"
    return program
