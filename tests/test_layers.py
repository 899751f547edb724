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
    "bot": {"nlp", "handlers", "models", "settings"},
}
# Third-party packages a layer must not touch: handlers know nothing of the transport.
FORBIDDEN_THIRD_PARTY = {"handlers": {"aiohttp", "wechatpy"}, "models": {"aiohttp", "wechatpy"},
                         "nlp": {"aiohttp", "wechatpy", "tortoise"}}


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
