"""No import cycles inside the package: every module can be read (and loaded) on its own terms.

How: every module under ``moecheck_gui/`` is parsed with :mod:`ast` (nothing is
imported), and each ``import``/``from ... import`` of another module of the
package becomes an edge -- at module level and inside functions alike, since a
function-level import is only a cycle put off until run time. Imports under
``if TYPE_CHECKING:`` are left out: they never run. An edge goes to the module
named (``from moecheck_gui import messages`` -> ``moecheck_gui.messages``; a name
that is not a submodule -> the package's ``__init__``). Any strongly connected
group of two or more modules is a cycle, and the test prints it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "moecheck_gui"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE

KNOWN_CYCLES: set[frozenset[str]] = set()
"""Cycles tolerated for now (none: keep it that way)."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run (the body of ``if TYPE_CHECKING:`` excluded)."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(module: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in _runtime_imports(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = _resolve(node, module, is_package)
            names = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                names.append(sub if sub in known else base)
        out |= {name for name in names if name in known and name != module}
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports at run time."""
    modules = _modules()
    known = set(modules)
    return {name: _targets(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def connect(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(groups)


def _describe(group: list[str], graph: dict[str, set[str]]) -> str:
    members = set(group)
    edges = [f"{a} -> {b}" for a in group for b in sorted(graph[a] & members)]
    return "{" + ", ".join(group) + "}: " + "; ".join(edges)


def test_the_checker_sees_imports_the_way_python_does() -> None:
    """The graph finds known edges of each shape (so an empty result means something)."""
    graph = import_graph()
    assert "moecheck_gui.outcome" in graph["moecheck_gui.messages"]  # module level
    assert "moecheck_gui.cancel" in graph["moecheck_gui.client"]
    assert "moecheck_gui.certificates" in graph["moecheck_gui.messages"]  # inside a function
    assert "moecheck_gui.client" not in graph["moecheck_gui.detect"]


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    graph = import_graph()
    found = [group for group in cycles(graph) if frozenset(group) not in KNOWN_CYCLES]
    assert not found, "import cycles:\n" + "\n".join(_describe(g, graph) for g in found)
