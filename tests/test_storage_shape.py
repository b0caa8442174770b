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


# Where each class lives: its own module, or (listed here) the module of the aggregate it is
# part of.
PART_OF = {"Series": "meetings", "Rsvps": "meetings", "Positions": "consultations",
           "LinkAttemptsLog": "link_codes", "DeploymentInfo": "deployment",
           "Numbered": "repository", "Keyed": "repository"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_repositories_live_in_the_modules_named_for_them() -> None:
    """``Plan`` was in storage/groups.py, ``Statements`` in consultations.py, ``JoinRequests``
    and the link codes in members.py: a reader looking for a repository opens the module of
    its name."""
    from storage.repository import Repository

    misplaced = []
    for path in sorted(STORAGE.glob("*.py")):
        module = __import__(f"storage.{path.stem}", fromlist=["_"])
        for name, value in vars(module).items():
            if (isinstance(value, type) and issubclass(value, Repository)
                    and value.__module__ == module.__name__ and value is not Repository
                    and path.stem not in (_snake(name), PART_OF.get(name))):
                misplaced.append(f"{path.name}:{name}")
    assert misplaced == []


def test_every_repository_is_typed_by_its_record_class(tmp_path: Path) -> None:
    """Each of the store's repositories is a ``Repository`` of the record class its collection
    holds (they were a dozen hand-written classes repeating ``get``/``add``/``save``)."""
    from storage.repository import Repository
    from storage.store import Store

    store = Store.open(tmp_path)
    try:
        repositories = {name: repo for name, repo in vars(store).items() if hasattr(repo, "_c")}
        assert len(repositories) >= 18
        for name, repo in repositories.items():
            assert isinstance(repo, Repository), name
            assert repo.record is repo._c.record, name
    finally:
        store.close()


GENERIC = {"get_number", "add_numbered", "save_numbered", "get_keyed", "save_keyed"}


def test_no_repository_repeats_the_generic_methods() -> None:
    """A method whose whole body hands its arguments to the collection's numbered or keyed
    access is what ``storage/repository.py`` does once for all."""
    repeated = []
    for path in sorted(STORAGE.glob("*.py")):
        if path.stem in ("repository", "collection", "sharded"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef) or len(node.body) != 1:
                continue
            stmt = node.body[0]
            call = stmt.value if isinstance(stmt, (ast.Return, ast.Expr)) else None
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr in GENERIC
                    and all(isinstance(arg, ast.Name) for arg in call.args)):
                repeated.append(f"{path.name}:{node.name}")
    assert repeated == []


def test_sharded_collection_uses_only_the_public_api_of_collection() -> None:
    """``ShardedCollection`` read ``Collection``'s ``_table``, ``_last_number`` and
    ``_storage`` (and set ``_last_number``): any change inside ``Collection`` could break it
    silently."""
    tree = ast.parse((STORAGE / "sharded.py").read_text(encoding="utf-8"))
    private = sorted({f"{ast.unparse(node.value)}.{node.attr}" for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr.startswith("_")
                      and not node.attr.startswith("__")
                      and not (isinstance(node.value, ast.Name) and node.value.id == "self")})
    assert private == []


def test_no_storage_module_is_over_400_lines() -> None:
    """``storage/atomic.py`` (404) and ``storage/engine.py`` (420) held several jobs each: the
    file plumbing, compaction and the undo of a refused transaction now have their own
    modules."""
    long = {path.name: n for path in STORAGE.glob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
