"""The shape of ``storage/``: no code nobody calls, classes in the modules named for them,
modules small enough to read, collections used through their public methods."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STORAGE = REPO / "storage"
CODE = ("bot", "handlers", "scheduler", "storage", "bench")


def _definitions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and not node.name.startswith("__")]


def test_no_dead_code_in_storage() -> None:
    """``AgendaItem``, ``Member.has_role``/``platform_of``, ``Outbox.has_key``,
    ``Collection.next_number`` and ``ShardedCollection.drop_before`` were defined and never
    used by the bot: every class and function of storage/ is named somewhere else in the code
    (tests do not count)."""
    texts = [p.read_text(encoding="utf-8") for folder in CODE
             for p in (REPO / folder).rglob("*.py")]
    unused = []
    for path in sorted(STORAGE.glob("*.py")):
        for name in _definitions(path):
            word = re.compile(rf"\b{re.escape(name)}\b")
            if sum(len(word.findall(text)) for text in texts) <= 1:
                unused.append(f"{path.name}:{name}")
    assert unused == []
