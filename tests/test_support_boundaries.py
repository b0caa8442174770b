"""The benchmarks and the tests share ``tests.support`` only: no benchmark imports a test module
(whose import would collect fixtures and run module code), and none edits ``sys.path`` (run
them as ``python -m bench.<name>`` from the repository, as ``make bench`` does)."""

from __future__ import annotations

import ast

from tests.support.process import REPO


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_benchmark_imports_a_test_module_or_edits_sys_path() -> None:
    offences = []
    for path in sorted((REPO / "bench").glob("*.py")):
        text = path.read_text()
        imported = imported_modules(ast.parse(text))
        offences += [f"{path.name} imports {name}" for name in sorted(imported)
                     if name.startswith("tests.test_") or name == "tests.conftest"]
        if "sys.path" in text:
            offences.append(f"{path.name} edits sys.path")
    assert not offences, offences


def test_the_support_package_imports_no_test_module() -> None:
    offences = []
    for path in sorted((REPO / "tests" / "support").glob("*.py")):
        imported = imported_modules(ast.parse(path.read_text()))
        offences += [f"{path.name} imports {name}" for name in sorted(imported)
                     if name.startswith("tests.test_") or name == "tests.conftest"]
    assert not offences, offences
