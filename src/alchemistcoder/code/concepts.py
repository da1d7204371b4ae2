"""Algorithmic concepts, libraries and presentation facts of a code response.

These are the facts an AlchemistPrompt may state about a response ("attempt to use the concept of Dynamic
Programming", "including the expected output after the code execution"), so every detector errs on the side
of precision: a concept that is not detected is merely not mentioned, a concept detected wrongly becomes a
false statement in the training data.

Python is read with :mod:`ast` (recursion, generators, classes are structural facts there); the other
languages with regular expressions over the code. Each concept also has a *mention* pattern for prose, used
to tell whether an instruction already asks for it and whether a written prompt asserts it.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass

from alchemistcoder.code.literal_gate import gated

_I = re.IGNORECASE
_M = re.MULTILINE


@dataclass(frozen=True)
class Concept:
    """One algorithmic or programming concept: a stable key, its display name and how to spot it."""

    key: str
    name: str
    # Cues in the code itself, any language (the Python AST adds structural cues on top).
    code: re.Pattern[str] | None
    # How prose (an instruction, a response's explanation, a written prompt) names the concept.
    mention: re.Pattern[str]


CONCEPTS: tuple[Concept, ...] = (
    Concept("recursion", "Recursion", None, re.compile(r"\brecurs(?:ion|ive|ively)\b", _I)),
    Concept(
        "dynamic_programming",
        "Dynamic Programming",
        re.compile(r"\b(?:dp|memo|memoi[sz]e|cache)\s*(?:\[|=\s*[\[{(]|\.get\()|@(?:functools\.)?(?:lru_cache|cache)\b"),
        re.compile(r"\bdynamic[- ]programming\b|\bmemoi[sz](?:ation|e|ed)\b|\btabulation\b", _I),
    ),
    Concept(
        "bfs",
        "Breadth-First Search",
        re.compile(r"\.popleft\(\)|\bqueue\.(?:poll|remove|shift)\(\)|\bq\.pop\(0\)|\bqueue\.pop\(0\)"),
        re.compile(r"\bbreadth[- ]first\b|\bBFS\b", _I),
    ),
    Concept(
        "dfs",
        "Depth-First Search",
        re.compile(r"\bdef (?:dfs|depth_first\w*)\b|\b(?:function|func|fn|void|bool|int)\s+dfs\s*\("),
        re.compile(r"\bdepth[- ]first\b|\bDFS\b", _I),
    ),
    Concept(
        "two_pointers",
        "Two Pointers",
        re.compile(
            r"\bwhile\s*\(?\s*(?:left|l|i|start|lo|low|begin)\s*<=?\s*(?:right|r|j|end|hi|high)\s*\)?\s*[:{]"
            r"(?![^\n]*\bmid\b)"
        ),
        re.compile(r"\btwo[- ]pointers?\b", _I),
    ),
    Concept(
        "binary_search",
        "Binary Search",
        re.compile(
            r"\bmid\w*\s*:?=\s*(?:\w+\s*\+\s*)?\(?\s*\w+\s*[+-]\s*\w+\s*\)?\s*(?://|/|>>>?)\s*[12]\b|\bbisect(?:_left|_right)?\b"
            r"|\bbinarySearch\b|\bbinary_search\b|\blower_bound\b"
        ),
        re.compile(r"\bbinary[- ]search\b|\bbisect", _I),
    ),
    Concept(
        "sorting",
        "Sorting",
        re.compile(r"\bsorted\(|\.sort\(|\bArrays\.sort\(|\bCollections\.sort\(|\bstd::sort\(|\bsort\.(?:Ints|Strings|Slice)\(|\bqsort\("),
        re.compile(r"\bsort(?:s|ed|ing)?\b|\b(?:bubble|quick|merge|heap|insertion|selection)\s?sort\b", _I),
    ),
    Concept(
        "regular_expressions",
        "Regular Expressions",
        re.compile(
            r"^\s*import re\b|\bre\.(?:match|search|findall|sub|compile|fullmatch|split|finditer)\(|\bPattern\.compile\("
            r"|\bstd::regex\b|\bnew RegExp\(|\bregexp\.(?:MustCompile|Compile|MatchString)\(|\bRegex::new\(|\bpreg_\w+\(",
            _M,
        ),
        re.compile(r"\bregular expressions?\b|\bregex(?:es|p)?\b", _I),
    ),
    Concept(
        "classes",
        "Object-Oriented Programming with classes",
        re.compile(r"^\s*(?:(?:public|private|abstract|final|export)\s+)*class\s+[A-Z_]\w*", _M),
        re.compile(r"\bclass(?:es)?\b|\bobject[- ]oriented\b|\bOOP\b", _I),
    ),
    Concept(
        "generators",
        "Generators",
        re.compile(r"\bfunction\s*\*|\byield\b"),
        re.compile(r"\bgenerators?\b|\byield\b", _I),
    ),
    Concept(
        "hashing",
        "Hash Tables",
        re.compile(
            r"\b(?:Counter|defaultdict|HashMap|HashSet|unordered_map|unordered_set|LinkedHashMap|Dictionary)\b"
            r"|\bnew Map\(|\bnew Set\(|\bmake\(map\["
        ),
        re.compile(r"\bhash[- ]?(?:map|table|set)s?\b|\bdictionar(?:y|ies)\b|\bhashing\b", _I),
    ),
    Concept("greedy", "a Greedy Algorithm", None, re.compile(r"\bgreedy\b", _I)),
    Concept(
        "backtracking",
        "Backtracking",
        re.compile(r"\bdef backtrack\w*\b|\bbacktrack\w*\s*\("),
        re.compile(r"\bbacktrack(?:ing)?\b", _I),
    ),
    Concept(
        "list_comprehension",
        "List Comprehensions",
        None,
        re.compile(r"\b(?:list|dict|set)[- ]comprehensions?\b", _I),
    ),
    Concept(
        "lambda",
        "Lambda Functions",
        re.compile(r"\blambda\b|\[[&=]?\]\s*\("),
        re.compile(r"\blambda(?: functions?| expressions?)?\b|\banonymous functions?\b", _I),
    ),
    Concept(
        "exception_handling",
        "Exception Handling",
        re.compile(r"^\s*(?:try\s*[:{]|except\b|catch\s*\()|\}\s*catch\s*\(", _M),
        re.compile(r"\bexceptions?\b|\berror handling\b|\btry[- /]?(?:except|catch)\b", _I),
    ),
    Concept(
        "asynchronous",
        "Asynchronous Programming",
        re.compile(r"\basync\s+(?:def|function|fn)\b|\bawait\b|\bnew Promise\(|\.then\("),
        re.compile(r"\basync(?:hronous)?\b|\bawait\b|\bpromises?\b", _I),
    ),
    Concept(
        "concurrency",
        "Multithreading",
        re.compile(
            r"^\s*import (?:threading|multiprocessing)\b|\bThread\(|\bstd::thread\b|\bExecutorService\b|\bgo func\b"
            r"|\bthread::spawn\b|\bThreadPoolExecutor\b|\bsync\.WaitGroup\b",
            _M,
        ),
        re.compile(r"\bmulti-?thread(?:ing|ed)?\b|\bthreads?\b|\bconcurren(?:t|cy)\b|\bparallel(?:ism)?\b", _I),
    ),
)
CONCEPT_BY_KEY: dict[str, Concept] = {c.key: c for c in CONCEPTS}

# Concepts that prose in the response may establish on its own (the code cues can miss an idea the
# explanation names); restricted to ideas that a response does not name in passing.
_PROSE_CONCEPTS = frozenset(
    {"recursion", "dynamic_programming", "bfs", "dfs", "two_pointers", "binary_search", "greedy", "backtracking"}
)


def _python_concepts(code: str) -> set[str] | None:
    """Structural concepts of Python code from its AST; None when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call):
                    f = inner.func
                    # `name(...)` or `self.name(...)`/`cls.name(...)`; not `super().name(...)`, which is
                    # the parent's method, nor `other.name(...)`.
                    own = isinstance(f, ast.Name) or (
                        isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in {"self", "cls"}
                    )
                    called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
                    if own and called == node.name:
                        found.add("recursion")
                        break
        elif isinstance(node, ast.ClassDef):
            found.add("classes")
        elif isinstance(node, (ast.Yield, ast.YieldFrom)):
            found.add("generators")
        elif isinstance(node, (ast.ListComp, ast.DictComp, ast.SetComp)):
            found.add("list_comprehension")
        elif isinstance(node, ast.Lambda):
            found.add("lambda")
        elif isinstance(node, ast.Try):
            found.add("exception_handling")
    return found


def _braced_body(code: str, start: int) -> str:
    """The text between the first ``{`` at or after ``start`` and its matching ``}`` ("" when none)."""
    open_at = code.find("{", start)
    if open_at < 0 or open_at - start > 200:
        return ""
    depth = 0
    for i in range(open_at, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return code[open_at + 1 : i]
    return code[open_at + 1 :]


def _c_like_recursion(code: str) -> bool:
    """A function (C/C++/Java/JS/Go/Rust) whose braced body calls its own name."""
    pattern = re.compile(
        r"\b(?:function|func|fn)\s+(\w+)\s*[(<]|^\s*(?:[\w:<>\[\],*&]+\s+)+(\w+)\s*\([^;{)]*\)\s*(?:const\s*)?(?:throws [\w, ]+)?\{",
        _M,
    )
    for m in pattern.finditer(code):
        name = m.group(1) or m.group(2)
        if not name or name in {"if", "for", "while", "switch", "return", "main", "catch"}:
            continue
        body = _braced_body(code, m.start())
        if re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", body):
            return True
    return False


def detect_concepts(code: str, language: str, prose: str = "") -> list[str]:
    """Concept keys (see :data:`CONCEPTS`) used by ``code`` in ``language``, in catalogue order.

    ``prose`` (the response's text outside code) may add concepts the explanation names, for the few
    concepts whose name a response does not use in passing.
    """
    found: set[str] = set()
    structural = _python_concepts(code) if language == "python" else None
    if structural is not None:
        found |= structural
    elif _c_like_recursion(code):
        found.add("recursion")
    for concept in CONCEPTS:
        if concept.code is None:
            continue
        # The AST decides the structural concepts of parseable Python.
        if structural is not None and concept.key in {"classes", "generators", "lambda", "exception_handling"}:
            continue
        if concept.code.search(code):
            found.add(concept.key)
    # `while lo <= hi` with a midpoint is binary search, not two pointers moving inwards.
    if "binary_search" in found and re.search(r"\bmid\w*\s*:?=", code):
        found.discard("two_pointers")
    if "dfs" not in found and "recursion" in found and re.search(r"\bvisited\b|\bseen\b", code):
        found.add("dfs")
    if prose:
        for key in _PROSE_CONCEPTS:
            if CONCEPT_BY_KEY[key].mention.search(prose):
                found.add(key)
    return [c.key for c in CONCEPTS if c.key in found]


def mentioned_concepts(text: str) -> list[str]:
    """Concept keys that prose ``text`` names (an instruction, or a written AlchemistPrompt)."""
    return [c.key for c in CONCEPTS if c.mention.search(text)]


# -- libraries -----------------------------------------------------------------------------------------

_TRIVIAL_PY = frozenset({"__future__", "typing", "typing_extensions", "abc", "dataclasses", "annotations"})
_LIBRARY_PATTERNS: dict[str, re.Pattern[str]] = {
    "javascript": re.compile(r"""\brequire\(\s*['"]([^'"./][^'"]*)['"]\s*\)|^\s*import\s+(?:.+?\s+from\s+)?['"]([^'"./][^'"]*)['"]""", _M),
    "typescript": re.compile(r"""\brequire\(\s*['"]([^'"./][^'"]*)['"]\s*\)|^\s*import\s+(?:.+?\s+from\s+)?['"]([^'"./][^'"]*)['"]""", _M),
    "java": re.compile(r"^\s*import\s+(?:static\s+)?([\w.]+?)\.(?:[A-Z*]\w*|\*)\s*;", _M),
    "c": re.compile(r"^\s*#\s*include\s*<([\w./+]+)>", _M),
    "cpp": re.compile(r"^\s*#\s*include\s*<([\w./+]+)>", _M),
    "rust": re.compile(r"^\s*(?:use|extern crate)\s+([\w]+(?:::\w+)?)", _M),
    "csharp": re.compile(r"^\s*using\s+([\w.]+)\s*;", _M),
    "php": re.compile(r"^\s*use\s+([\w\\]+)\s*;", _M),
    "ruby": re.compile(r"""^\s*require\s+['"]([^'"]+)['"]""", _M),
}
_GO_IMPORT = re.compile(r'^\s*import\s+(?:\(\s*((?:\s*\w*\s*"[^"]+"\s*)+)\)|\w*\s*"([^"]+)")', _M)


def detect_libraries(code: str, language: str) -> list[str]:
    """Libraries/modules/headers ``code`` imports, in order of first appearance, without duplicates."""
    names: list[str] = []
    if language == "python":
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError):
            tree = None
        if tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.extend(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.append(node.module.split(".")[0])
        else:
            names.extend(
                m.group(1) or m.group(2)
                for m in re.finditer(r"^\s*(?:import\s+(\w+)|from\s+(\w+)[\w.]*\s+import\b)", code, _M)
            )
        names = [n for n in names if n not in _TRIVIAL_PY]
    elif language == "go":
        for m in _GO_IMPORT.finditer(code):
            names.extend(re.findall(r'"([^"]+)"', m.group(1) or f'"{m.group(2)}"'))
    elif language in _LIBRARY_PATTERNS:
        for m in _LIBRARY_PATTERNS[language].finditer(code):
            name = next((g for g in m.groups() if g), "")
            if language == "java" and name.startswith("java.lang"):
                continue
            if language == "rust" and name.split("::")[0] in {"crate", "self", "super"}:
                continue
            names.append(name)
    return list(dict.fromkeys(n for n in names if n))


def is_standard_library(name: str, language: str) -> bool:
    """Whether ``name`` belongs to the language's standard library (only Python is known precisely)."""
    if language == "python":
        return name in sys.stdlib_module_names
    if language in {"c", "cpp"}:
        return "/" not in name or name.startswith("sys/")
    if language == "java":
        return name.startswith(("java.", "javax."))
    if language == "go":
        return "." not in name.split("/")[0]
    if language == "rust":
        return name.split("::")[0] in {"std", "core", "alloc"}
    return False


# -- presentation facts ------------------------------------------------------------------------------

_PRINTS = gated(
    r"\bprint\s*\(|\bprint\s+[\"'\w]|\bconsole\.log\(|\bSystem\.out\.print|\bprintf\s*\(|\bcout\s*<<|\bfmt\.Print"
    r"|\bprintln!\(|\bprint!\(|\bputs\b|\becho\b|\bConsole\.Write|\bdocument\.write\(",
    ("print", "console.log(", "System.out.print", "cout", "fmt.Print", "puts", "echo", "Console.Write", "document.write("),
)
# One gated pattern per alternative: "#" alone lets most Python through a gate on the whole alternation.
_SHOWS_OUTPUT = (
    gated(r"^\s*(?:#|//|--)?\s*(?:expected |sample |example |the )?output(?: will be| would be| is)?\s*[:=]",
          ("output",), flags=_I | _M),
    gated(r"\bwill (?:print|output|display|return)\b.*[:]\s*$", ("will ",), flags=_I | _M),
    gated(r"\b(?:prints?|outputs?|displays?)\s*:\s*$", ("print", "output", "display"), flags=_I | _M),
    gated(r"(?:#|//)\s*(?:=>|->|output|prints?|returns?)\s*:?\s*\S", ("#", "//"), ("=>", "->", "output", "print", "return"),
          flags=_I | _M),
    gated(r"^\s*>>>\s", (">>>",), flags=_I | _M),
)
_TESTS = gated(
    r"^\s*assert\b|\bassert(?:Equal|Equals|True|False|_eq!|_ne!|That)?\s*\(|\bunittest\b|\bpytest\b|^\s*def test_\w+"
    r"|@Test\b|\bfunc Test\w+\(|#\[test\]|\bdescribe\(|\bexpect\(|\bdoctest\b",
    ("assert", "unittest", "pytest", "def test_", "@Test", "func Test", "#[test]", "describe(", "expect(", "doctest"),
    flags=_M,
)
_COMPLEXITY = re.compile(r"\bO\(\s*[\w\s*^+.log()²]{1,20}\)|\b(?:time|space|runtime|computational) complexity\b", _I)


def prints_output(code: str) -> bool:
    """Whether the code writes something to standard output."""
    return _PRINTS.search(code)


def shows_expected_output(response: str) -> bool:
    """Whether the response states what its code prints or returns (an "Output:" line, a ``# -> 5`` comment)."""
    folded = response.lower()
    return any(pattern.search(response, folded) for pattern in _SHOWS_OUTPUT)


def includes_tests(code: str) -> bool:
    """Whether the code carries tests (assertions, a test framework, test functions)."""
    return _TESTS.search(code)


def analyses_complexity(text: str) -> bool:
    """Whether the text discusses time or space complexity."""
    return bool(_COMPLEXITY.search(text))


# -- identifiers (for answer-leak checks) --------------------------------------------------------------

_DEFINED = re.compile(
    r"\b(?:def|function|func|fn|class|struct|interface|enum|let|const|var|auto|int|long|double|float|bool|boolean|char|String|string)"
    r"\s+(?:mut\s+)?\*?([A-Za-z_]\w*)"
)


def defined_identifiers(code: str, language: str) -> list[str]:
    """Names the code defines (functions, classes, variables, parameters), in order of appearance."""
    names: list[str] = []
    if language == "python":
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError):
            tree = None
        if tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.append(node.name)
                elif isinstance(node, ast.arg):
                    names.append(node.arg)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.append(node.id)
            return list(dict.fromkeys(names))
    names.extend(m.group(1) for m in _DEFINED.finditer(code))
    return list(dict.fromkeys(names))
