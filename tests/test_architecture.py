"""The shape of the house: no import cycles, modules of a readable size, a run loop that names no stage."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "alchemistcoder"
ARCHITECTURE = PACKAGE.parents[1] / "docs" / "architecture.md"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = ["alchemistcoder", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Package modules that ``path`` imports anywhere (top level or inside functions: both are edges).

    ``from pkg import x`` is an edge to ``pkg.x`` when that is a module, else to ``pkg``.
    """
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                if f"{module}.{alias.name}" in known:
                    out.add(f"{module}.{alias.name}")
                elif module in known:
                    out.add(module)
    out.discard(name)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports; a package's ``__init__`` is not an edge to its submodules'
    importers (importing ``a.b`` runs ``a/__init__``, but that does not make ``a.b`` depend on ``a``'s
    re-exports)."""
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 50  # the walk really saw the package
    # a package's __init__ re-exporting its submodules is not a cycle with them
    edges = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in graph.items()}
    assert find_cycles(edges) == []


def test_decontamination_retrieval_imports_no_signal() -> None:
    # retrieval finds candidates, signals verify them: what both need (the helper rule) lives in code/facts.py
    graph = import_graph()
    retrieval = [m for m in graph if m.startswith("alchemistcoder.decontam.retrieval.")]
    assert retrieval
    assert {m: sorted(d for d in graph[m] if d.startswith("alchemistcoder.decontam.signals")) for m in retrieval} \
        == {m: [] for m in retrieval}


def test_no_module_over_500_lines_without_a_reason() -> None:
    long = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if text.count("\n") > MAX_LINES and "over 500 lines" not in doc:
            long.append(f"{path.relative_to(PACKAGE)}: {text.count(chr(10))} lines")
    assert long == []


def test_the_run_loop_names_no_stage() -> None:
    from alchemistcoder.pipeline.stages import DEFAULT_STAGES, FINISH

    tree = ast.parse((PACKAGE / "pipeline" / "run.py").read_text(encoding="utf-8"))
    names = {s.name for s in (*DEFAULT_STAGES, *FINISH)}
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    attributes = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    assert [s for s in strings if s in names] == []  # no "mix" ...
    assert [a for a in attributes if a in names] == []  # ... and no cfg.mix either


def _table_rows() -> list[str]:
    """What the module table of docs/architecture.md (section ``## Modules``) lists: each row's first code span."""
    section = ARCHITECTURE.read_text(encoding="utf-8").split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


def _module_rows() -> set[str]:
    """Every module under src/alchemistcoder as the table names it: ``pkg/mod.py``, and ``pkg/`` for a
    package's ``__init__.py`` (the top-level one, the package itself, is left out)."""
    rows = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel != Path("__init__.py"):
            rows.add(f"{rel.parent.as_posix()}/" if rel.name == "__init__.py" else rel.as_posix())
    return rows


def test_the_architecture_doc_lists_every_module() -> None:
    documented, modules = _table_rows(), _module_rows()
    missing = sorted(modules - set(documented))
    stale = sorted(set(documented) - modules)
    doubled = sorted({row for row in documented if documented.count(row) > 1})
    lines = []
    if missing:
        lines += ["add these rows to the module table of docs/architecture.md (section '## Modules'):",
                  *(f"| `{row}` | <what it is for> |" for row in missing)]
    if stale:
        lines += ["remove these rows (no such module under src/alchemistcoder):", *(f"| `{row}` |" for row in stale)]
    if doubled:
        lines += ["these rows appear more than once:", *(f"| `{row}` |" for row in doubled)]
    assert not lines, "\n".join(lines)
