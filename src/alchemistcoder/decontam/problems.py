"""Benchmark problems as decontamination's meaning-level signals see them: one record per problem.

HumanEval/13 appears in HumanEval, HumanEval+ and six HumanEval-X languages; Mbpp/439 in MBPP, sanitized
MBPP and MBPP+. The n-gram signals (``retrieval/ngram.py``) index every variant; retrieval by meaning and
execution need each problem once: its statements (the docstring or prompt, without code and without its
examples) and its Python tests (EvalPlus inputs with the reference solution when HumanEval+ / MBPP+ is loaded,
else MBPP's assertions or HumanEval's ``check``). Tasks come from ``alchemistcoder.benchmarks``, the loader
evaluation uses; MBPP+ inputs stay as stored here and are deserialized in the sandbox with EvalPlus's
``mbpp_deserialize_inputs``, as evaluation's runner does (``test_spec``'s ``dataset``).
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alchemistcoder.decontam.signals._same import sorted_answer
from alchemistcoder.decontam.signals.facts import names_order

if TYPE_CHECKING:
    from alchemistcoder.decontam.config import DecontamConfig

# What a benchmark's task ids are called across its variants: CPP/13, Python/13, HumanEval/13 are one problem.
_HX_PREFIX = re.compile(r"^(?:CPP|Go|Java|JavaScript|JS|Python|Rust)/(\d+)$", re.IGNORECASE)
# A line from which a docstring shows examples rather than the task (cut: examples are code, not intent).
_EXAMPLES = re.compile(r"^\s*(?:>>>|for examples?\b|examples?\b|e\.g\.)", re.IGNORECASE)


@dataclass(slots=True)
class BenchProblem:
    """One benchmark problem with everything the meaning-level signals need."""

    key: str  # HumanEval/13, Mbpp/439
    benchmarks: list[str]  # the loaded benchmarks that contain it, in configuration order
    entry_point: str
    statements: list[str] = field(default_factory=list)  # distinct problem statements, no code
    mode: str = ""  # how its Python tests run: inputs | asserts | check ("" = none)
    reference: str = ""  # the reference solution (inputs mode)
    inputs: list[Any] = field(default_factory=list)  # argument lists (inputs mode)
    base: int = 0  # inputs mode: how many of ``inputs``, first, are the benchmark's own (EvalPlus's base inputs)
    atol: float = 0.0
    asserts: list[str] = field(default_factory=list)  # asserts mode
    setup: str = ""  # imports the assertions need
    check: str = ""  # check mode: the test code defining check(candidate)
    arity: int | None = None  # positional arguments of the entry point (None: unknown)
    cases: list[tuple[list[Any], Any]] = field(default_factory=list)  # asserts mode: (arguments, answer) of each

    @property
    def tests(self) -> int:
        """How many tests a sample's function must pass (inputs, assertions, or the asserts of ``check``)."""
        if self.mode == "inputs":
            return len(self.inputs)
        if self.mode == "asserts":
            return len(self.asserts)
        return self.check.count("assert ") if self.mode == "check" else 0

    @property
    def nested_input(self) -> bool:
        """Whether every one of the benchmark's own tests gives the function a nested argument (a list of lists
        or tuples): the shape its statement's words may not say ("the longest sublists" of MBPP/562)."""
        args = [a for a, _ in self.cases] if self.mode == "asserts" else self.inputs[: self.base]
        return bool(args) and all(any(isinstance(x, (list, tuple)) and x and all(isinstance(y, (list, tuple)) for y in x)
                                      for x in a) for a in args)

    @property
    def string_input(self) -> bool:
        """Whether every one of the benchmark's own tests gives the function a string first (MBPP/90's "longest
        word" takes a list of words, HumanEval/23's "length of a string" a string)."""
        args = [a for a, _ in self.cases] if self.mode == "asserts" else self.inputs[: self.base]
        return bool(args) and all(a and isinstance(a[0], str) for a in args)

    @property
    def order_free(self) -> bool:
        """Whether the order of a list the benchmark answers is no part of the task: its statements name no order
        ("print all permutations of a given string" is MBPP/374, whose tests fix the order of one algorithm), and
        (asserts) some test answers a list of two or more, not every such list sorted (an order the tests show
        is one the task has, stated or not). The probe compares such answers in any order, unless one is a
        reordering of an argument (a sort) or (inputs) every list it answers is sorted."""
        if any(names_order(s) for s in self.statements):
            return False
        if self.mode == "asserts":
            lists = [want for _args, want in self.cases if isinstance(want, (list, tuple)) and len(want) >= 2]
            return bool(lists) and not all(sorted_answer(want) for want in lists)
        return self.mode == "inputs"

    def test_spec(self) -> dict[str, Any]:
        """The task as the sandbox probe reads it (``signals/_probe.py``); ``dataset`` says how its inputs are
        deserialized there (MBPP+'s as evaluation does, with EvalPlus's ``mbpp_deserialize_inputs``), ``set_eq``
        that its answers compare as sets (EvalPlus's special oracle for eight MBPP+ tasks), ``set_once`` that a repeat
        still counts (its statement lists each element once)."""
        from alchemistcoder.evaluate._evalplus_vendored import MBPP_OUTPUT_SET_EQ_TASKS  # it imports numpy

        spec = {"id": self.key, "mode": self.mode, "entry_point": self.entry_point, "reference": self.reference,
                "inputs": self.inputs, "atol": self.atol, "asserts": self.asserts, "setup": self.setup,
                "check": self.check, "dataset": "mbpp" if self.key.startswith("Mbpp/") else "humaneval",
                "base": self.base}
        if self.key.startswith("Mbpp/") and self.entry_point in MBPP_OUTPUT_SET_EQ_TASKS:
            # EvalPlus's own oracle compares these answers as sets (MBPP/2's common elements in any order, as a
            # list or a set): a sample that passes it solves the benchmark (issue 24's second recall round)
            spec["set_eq"] = True
            if any(_ONCE.search(text) for text in self.statements):
                # but a statement that lists each element once ("occur singly") is not answered by a list that
                # repeats them: set equality would let "flatten a list of tuples" pass MBPP/140
                spec["set_once"] = True
        if self.order_free:
            spec["order_free"] = True
        return spec


# words by which a statement asks for each element once
_ONCE = re.compile(r"\b(?:singly|unique|distinct|without (?:duplicates|repetition)|set of)\b", re.IGNORECASE)


def problem_key(task_id: str) -> str:
    """The benchmark-independent id of a task: HumanEval-X ``CPP/13`` and ``Python/13`` are ``HumanEval/13``."""
    m = _HX_PREFIX.match(task_id)
    return f"HumanEval/{m.group(1)}" if m else task_id


def _cut_examples(text: str, entry_point: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.strip().lstrip("/*").strip()
        if _EXAMPLES.match(stripped) or (entry_point and stripped.startswith(entry_point + "(")):
            break
        lines.append(stripped)
    return " ".join(x for x in lines if x).strip()


def python_statement(prompt: str, entry_point: str) -> str:
    """The docstring of ``entry_point`` in a HumanEval prompt (not a helper's), examples cut."""
    start = prompt.find(f"def {entry_point}(")
    m = re.search(r'("""|\'\'\')(.*?)\1', prompt[max(start, 0):], re.S)
    return _cut_examples(m.group(2), entry_point) if m else ""


def comment_statement(prompt: str, entry_point: str) -> str:
    """The last comment block of a HumanEval-X prompt in another language, examples cut."""
    blocks = re.findall(r"/\*(.*?)\*/", prompt, re.S)
    if not blocks:
        runs = re.findall(r"(?:^[ \t]*//.*\n?)+", prompt, re.M)
        blocks = [re.sub(r"^[ \t]*//", "", r, flags=re.M) for r in runs]
    return _cut_examples(blocks[-1], entry_point) if blocks else ""


def _arity(reference: str, entry_point: str) -> int | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # MBPP's regexes have invalid escapes
            tree = ast.parse(reference)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            return len(node.args.posonlyargs) + len(node.args.args)
    return None


def _light(args: Any) -> bool:
    """An input whose reference answer is quick to compute: no top-level number of 10,000 or more. EvalPlus's
    heavy inputs (MBPP/599 with n = 10^8 takes the reference 2.4 s) would cost every sample that long, and a
    time limit instead of this rule would make the verdict depend on the machine's load."""
    return not any(isinstance(a, (int, float)) and not isinstance(a, bool) and abs(a) >= 10_000 for a in args)


def problems_from_tasks(tasks: Sequence[Any], max_plus_inputs: int) -> list[BenchProblem]:
    """Group :class:`alchemistcoder.benchmarks.BenchmarkTask` records into problems (DS-1000 is left out:
    its prompts are code contexts, not statements).

    Tests, strongest first: EvalPlus's base inputs plus the first ``max_plus_inputs`` plus inputs with the
    reference solution (light inputs only: :func:`_light`); MBPP's assertions; HumanEval's ``check``.
    """
    problems: dict[str, BenchProblem] = {}
    for t in tasks:
        if t.benchmark == "ds1000":
            continue
        key = problem_key(t.task_id)
        p = problems.setdefault(key, BenchProblem(key, [], t.entry_point or ""))
        if t.benchmark not in p.benchmarks:
            p.benchmarks.append(t.benchmark)
        if t.benchmark.startswith("mbpp"):
            statement = _cut_examples(t.prompt.strip().strip("'\""), "")
        elif t.language == "python":
            statement = python_statement(t.prompt, t.entry_point)
        else:
            statement = comment_statement(t.prompt, t.entry_point)
        if statement and statement.lower() not in {s.lower() for s in p.statements}:
            p.statements.append(statement)
        extra = t.extra or {}
        if t.benchmark in ("humaneval+", "mbpp+") and extra.get("plus_input") is not None:
            p.mode, p.atol = "inputs", float(extra.get("atol") or 0.0)
            p.reference = (t.prompt + t.canonical_solution) if t.benchmark == "humaneval+" else t.canonical_solution
            plus = [args for args in extra["plus_input"] if _light(args)][:max_plus_inputs]
            base = [args for args in extra.get("base_input") or [] if _light(args)]
            p.inputs, p.base = base + plus, len(base)
            p.entry_point = t.entry_point
        elif t.benchmark in ("mbpp", "mbpp-sanitized") and p.mode != "inputs" and extra.get("test_list"):
            p.mode, p.asserts = "asserts", list(extra["test_list"])
            p.setup = "\n".join([*(extra.get("test_imports") or []), extra.get("test_setup_code") or ""]).strip()
            p.reference = t.canonical_solution
        elif t.benchmark in ("humaneval", "humaneval-x-python") and not p.mode:
            p.mode, p.check, p.reference = "check", t.test, t.prompt + t.canonical_solution
    for p in problems.values():
        if p.mode == "asserts":
            p.cases = assert_cases(p.asserts, p.entry_point)
        if p.mode == "inputs" and p.inputs:
            p.arity = len(p.inputs[0])
        elif p.mode:
            p.arity = _arity(p.reference, p.entry_point)
    return [p for p in problems.values() if p.statements]


def assert_cases(asserts: list[str], entry_point: str) -> list[tuple[list[Any], Any]]:
    """The (arguments, answer) of each ``assert entry_point(...) == literal`` (or ``assert [not] f(...)``, or
    ``assert math.isclose(f(...), literal, ...)``, the answer then compared within 0.1% as any float), all literals;
    empty when any assertion has another shape (``set(f(x)) == ...``)."""
    cases = []
    for line in asserts:
        try:
            node = ast.parse(line.strip()).body[0]
        except (SyntaxError, IndexError, ValueError):
            return []
        test = node.test if isinstance(node, ast.Assert) else None
        want: Any = True
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, want = test.operand, False
        elif isinstance(test, ast.Call) and ast.unparse(test.func) in ("math.isclose", "isclose") and len(test.args) == 2:
            # MBPP's float answers ("babylonian_squareroot(10)" within rel_tol=0.001)
            test, right = test.args
            try:
                want = ast.literal_eval(right)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return []
        elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
            test, right = test.left, test.comparators[0]
            try:
                want = ast.literal_eval(right)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return []
        if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == entry_point
                and not test.keywords):
            return []
        try:
            cases.append(([ast.literal_eval(a) for a in test.args], want))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return []
    return cases


def load_problems(cfg: DecontamConfig) -> list[BenchProblem]:
    """The problems of every configured benchmark (explicit ``paths`` first, else the default location)."""
    from alchemistcoder.benchmarks import load_benchmark

    tasks = [t for name in cfg.benchmarks for t in load_benchmark(name, cfg.paths.get(name))]
    tasks += [t for name, path in cfg.paths.items() if name not in cfg.benchmarks for t in load_benchmark(name, path)]
    return problems_from_tasks(tasks, cfg.exec_plus_inputs)
