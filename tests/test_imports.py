"""The package's modules import each other without cycles (lazy imports inside functions
count too): a stage can then be read, tested and changed on its own."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "deckpoll"


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for file in package.rglob("*.py"):
        name = ".".join(("deckpoll", *file.relative_to(package).with_suffix("").parts))
        name = name.removesuffix(".__init__")
        deps: set[str] = set()
        for node in ast.walk(ast.parse(file.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("deckpoll"):
                deps.add(node.module or "")
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("deckpoll")}
        graph[name] = deps
    return graph


def cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start -> ... -> start, if there is one."""
    paths, seen = [[start]], set()
    while paths:
        path = paths.pop()
        for dep in sorted(graph.get(path[-1], ())):
            if dep == start:
                return [*path, start]
            if dep not in seen:
                seen.add(dep)
                paths.append([*path, dep])
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycle_from(graph, "a") == ["a", "b", "c", "a"]
    assert cycle_from(graph, "d") is None


def test_no_module_imports_itself_through_others() -> None:
    graph = import_graph()
    assert {"deckpoll.build", "deckpoll.write", "deckpoll.model"} <= set(graph)
    cycles = [c for c in (cycle_from(graph, m) for m in sorted(graph)) if c]
    assert cycles == []
