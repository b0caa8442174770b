"""The time-expression package stays a house one can live in: one job per module, no module
over 400 lines, no import cycle inside it, nothing imported from above the scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "scheduler" / "when"
SCHEDULER = PACKAGE.parent


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_module_of_the_package_is_over_400_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert len(sizes) >= 8
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_no_import_cycle_inside_the_package() -> None:
    modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    graph = {name: {i.rsplit(".", 1)[-1] for i in imports_of(path)
                    if i.startswith("scheduler.when.") and i.rsplit(".", 1)[-1] in modules}
             for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " → ".join((*path, name))
        if name in done:
            return
        for other in graph[name]:
            visit(other, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())


def test_the_scheduler_imports_nothing_above_it() -> None:
    for path in SCHEDULER.rglob("*.py"):
        above = {i for i in imports_of(path) if i.split(".")[0] in ("handlers", "bot")}
        assert above == set(), path
