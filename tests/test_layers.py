"""Dependencies point one way (STYLE.md): bot → nlp and handlers → models."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"bot", "nlp", "handlers", "models", "settings", "main"}
ALLOWED = {
    "models": set(),
    "nlp": set(),
    "handlers": {"models", "nlp"},
    "bot": {"nlp", "handlers", "settings"},  # bot reaches models only through handlers
}
# Third-party packages a layer must not touch: handlers know nothing of the transport.
# handlers know nothing of the ORM either: transactions are models.sql.transaction().
FORBIDDEN_THIRD_PARTY = {"handlers": {"aiohttp", "wechatpy", "tortoise"},
                         "models": {"aiohttp", "wechatpy"},
                         "nlp": {"aiohttp", "wechatpy", "tortoise"}, "bot": {"tortoise"}}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        imported = imports_of(path)
        upward = (imported & OURS) - ALLOWED[package] - {package}
        third = imported & FORBIDDEN_THIRD_PARTY.get(package, set())
        if upward or third:
            bad.append(f"{path.relative_to(ROOT)}: {sorted(upward | third)}")
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


# ---------------------------------------------------------------------------------------
# No import circles, between packages or between modules of one package. Imports inside
# functions count (they hide a circle, they do not remove it); imports under
# `if TYPE_CHECKING:` do not (they never run).

PACKAGES = ("bot", "nlp", "handlers", "models")
TOP_MODULES = ("settings", "main")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(path: Path, known: set[str]) -> set[str]:
    """Our modules `path` imports when it runs, each resolved to the longest known name."""
    found: set[str] = set()

    def resolve(name: str) -> None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                resolve(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from models import org` imports models.org
                full = f"{node.module}.{alias.name}"
                resolve(full if full in known else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def import_graph() -> dict[str, set[str]]:
    paths = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    paths += [ROOT / f"{m}.py" for m in TOP_MODULES]
    names = {module_name(p): p for p in paths}
    known = set(names)
    return {
        name: {m for m in runtime_imports(path, known) if m != name and not name.startswith(m + ".")
               and not (m in PACKAGES and name.split(".")[0] == m)}
        for name, path in names.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
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
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def test_no_import_circles() -> None:
    found = cycles(import_graph())
    assert not found, "import circles:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_the_circle_finder_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
