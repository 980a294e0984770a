"""The package's shape: no import loops, so every module can be understood from the ones below it.

Imports are read with ``ast`` from the source (module level and inside functions alike: a
lazy import is still a dependency); imports under ``if TYPE_CHECKING:`` are not run and are left
out. Dynamic discovery (the event and format registries import their modules by name) is not an
import of a particular module and is not followed.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "brevgen"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    return skip


def imports_of(path: Path, modules: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:  # "from . import events": the submodule
                    found.add(sub)
                elif target in modules:
                    found.add(target)
    found.discard(here)
    return found


def import_graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(f) for f in files}
    return {module_name(f): imports_of(f, modules) for f in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_loops():
    graph = import_graph()
    assert "brevgen.events.indkaldelse" in graph and "brevgen.render.pdf" in graph  # the walk sees the tree
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_lower_layers_never_import_the_front_ends():
    """Nothing below the CLI, the HTTP service, the batch runner, the studio and the desk imports them."""
    graph = import_graph()
    front_ends = {"brevgen.cli", "brevgen.service", "brevgen.api"} | {
        m for m in graph if m.startswith(("brevgen.batch", "brevgen.studio", "brevgen.queue", "brevgen.desk"))
    }
    for module, imported in graph.items():
        if module in front_ends or module == "brevgen":  # (a front end may use another's public parts)
            continue
        assert not (imported & front_ends), f"{module} imports {sorted(imported & front_ends)}"


def test_renderers_work_from_the_letter_alone():
    """No renderer reaches back into the pipeline, the templates or the derived values."""
    graph = import_graph()
    upward = {"brevgen.pipeline", "brevgen.compose", "brevgen.derive", "brevgen.templating", "brevgen.validation", "brevgen.blocks"}
    for module, imported in graph.items():
        if module.startswith("brevgen.render"):
            assert not (imported & upward), f"{module} imports {sorted(imported & upward)}"
