"""The shape of the house, checked on the source: imports run one way (bot → handlers →
scheduler → storage), no module imports itself back through others, handlers stay platform-
neutral, modules stay small, no job reference is split by hand, and no handler keeps a constant
nothing reads.

The import graph is read with ``ast`` from the files (every ``import`` statement, also those
inside functions: an import deferred to run time is still a dependency, and deferring it is how
a cycle hides), so the check needs no import of the project and sees code that is never run.
Imports under ``if TYPE_CHECKING:`` count for the direction of imports but not for cycles: they
never run, and they are how a module names a type of a module that depends on it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "handlers", "scheduler", "storage")  # each may import only those after it
RANK = {name: n for n, name in enumerate(LAYERS)}
PLATFORM_LIBRARIES = ("slack_bolt", "slack_sdk", "telegram")
MAX_LINES = 400

# ``.split("|")`` is for what a person typed (``a | b`` fields of a command), never for a job id
# or a stored reference: those are decoded by their own codec (``scheduler.jobs.decode``).
# Allowed beyond ``req.args``: module → why.
SPLIT_ALLOWED = {
    "scheduler.when.filler": "the endings a pattern allows a word (« jour(?:s|nee) »), not data",
}


def module_files() -> dict[str, Path]:
    """Every module of the four layers, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for layer in LAYERS:
        for path in sorted((REPO / layer).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = module_files()


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import statement loads (``from a import b`` may load ``a.b``)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join(package + ([base] if base else []))
    yield base
    for alias in node.names:
        yield f"{base}.{alias.name}"


def _project_target(name: str) -> str | None:
    """The project module a dotted name loads, or None for the standard library and packages."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _type_only(tree: ast.Module) -> set[int]:
    """The ids of the import statements under ``if TYPE_CHECKING:``."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            found |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return found


Graph = dict[str, set[str]]


def import_graph() -> tuple[Graph, Graph, Graph]:
    """Project module → the project modules it imports (with the packages those load first,
    except its own); the same without type-only imports; and module → the top-level outside
    packages it imports."""
    graph: Graph = {name: set() for name in MODULES}
    runtime: Graph = {name: set() for name in MODULES}
    outside: Graph = {name: set() for name in MODULES}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        type_only = _type_only(tree)
        is_package = path.name == "__init__.py"
        own_packages = {".".join(module.split(".")[:n])
                        for n in range(1, module.count(".") + 1 + is_package)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported(node, module, is_package):
                target = _project_target(name)
                if target is None:
                    if name and name.split(".")[0] not in LAYERS:
                        outside[module].add(name.split(".")[0])
                    continue
                parts = target.split(".")
                for n in range(1, len(parts) + 1):
                    loaded = ".".join(parts[:n])
                    if loaded in MODULES and loaded != module and loaded not in own_packages:
                        graph[module].add(loaded)
                        if id(node) not in type_only:
                            runtime[module].add(loaded)
    return graph, runtime, outside


GRAPH, RUNTIME, OUTSIDE = import_graph()


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
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


def test_the_graph_is_read() -> None:
    """The walker sees what is there: a plain edge, the package an import loads first, a
    type-only edge kept apart, an outside package."""
    assert "handlers.router" in RUNTIME["handlers.commands"]
    assert {"scheduler", "scheduler.jobs", "scheduler.when"} <= RUNTIME["handlers.digest"]
    assert "storage.engine" in GRAPH["storage.atomic"]
    assert "storage.engine" not in RUNTIME["storage.atomic"]
    assert any("slack_bolt" in OUTSIDE[m] for m in MODULES if m.startswith("bot"))


def test_imports_in_functions_and_relative_ones_are_read() -> None:
    tree = ast.parse("def f():\n    from . import b\n    from ..c import d\n")
    names = [name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
             for name in _imported(node, "x.y.a", is_package=False)]
    assert names == ["x.y", "x.y.b", "x.c", "x.c.d"]


def test_cycles_are_found() -> None:
    """The cycle finder itself: a ring of three and a self-contained pair are reported."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    """No project module imports itself back through others, at load or at run time."""
    assert cycles(RUNTIME) == []


def test_imports_run_one_way() -> None:
    """bot → handlers → scheduler → storage: nothing imports a layer above its own."""
    upward = sorted(f"{module} imports {target}"
                    for module, targets in GRAPH.items() for target in targets
                    if RANK[target.split(".")[0]] < RANK[module.split(".")[0]])
    assert upward == []


def test_storage_imports_no_other_layer() -> None:
    assert sorted(f"{m} imports {t}" for m, ts in GRAPH.items() if m.startswith("storage")
                  for t in ts if not t.startswith("storage")) == []


def test_handlers_are_platform_neutral() -> None:
    """Handlers never import slack_bolt, slack_sdk or telegram; below them neither does
    anything."""
    found = sorted(f"{m} imports {lib}" for m, libs in OUTSIDE.items()
                   if not m.startswith("bot") for lib in libs & set(PLATFORM_LIBRARIES))
    assert found == []


ADAPTERS = ("bot.platforms", "bot.console_chat")  # modules that translate, nothing more


def _storage_touches(tree: ast.Module) -> Iterator[str]:
    """What a module takes from storage (anything: the refusal of a write is named in
    ``bot/refusals.py``), and its reads of ``.store``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (f"import {a.name}" for a in node.names
                        if a.name.split(".")[0] == "storage")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "storage":
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Attribute) and node.attr == "store":
            yield f"{ast.unparse(node)} (line {node.lineno})"


def test_a_storage_touch_is_found() -> None:
    tree = ast.parse("from storage.faults import StorageUnavailable\n"
                     "from storage.records import to_iso\napp.store.members.save(m)\n")
    assert list(_storage_touches(tree)) == ["storage.faults.StorageUnavailable",
                                            "storage.records.to_iso", "app.store (line 3)"]


def test_adapters_touch_no_storage() -> None:
    """Adapters translate, nothing more: the console chat read the members and saved a
    member's console identity itself, Slack's inbound took ``to_iso`` and Telegram's menus
    ``FOCAL_POINT`` from storage. Modules under bot/platforms/ and bot/console_chat.py take
    nothing from storage (a refused write is ``bot.refusals.NotStored``), and never read
    ``app.store``."""
    found = sorted(f"{module}: {touch}" for module, path in MODULES.items()
                   if module.startswith(ADAPTERS)
                   for touch in _storage_touches(ast.parse(path.read_text(encoding="utf-8"))))
    assert found == []


def _long_modules(layer: str) -> list[str]:
    return sorted(f"{path.relative_to(REPO)}: {n} lines" for name, path in MODULES.items()
                  if name.split(".")[0] == layer
                  and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES)


@pytest.mark.parametrize("layer", [
    "handlers",
    "scheduler",
    "bot",
    "storage",
])
def test_no_module_over_400_lines(layer: str) -> None:
    assert _long_modules(layer) == []


def _pipe_splits(tree: ast.AST) -> Iterator[ast.Call]:
    """The ``x.split("|")`` / ``x.rsplit("|")`` calls whose ``x`` is not ``req.args``."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("split", "rsplit") and node.args
                and isinstance(node.args[0], ast.Constant) and node.args[0].value == "|"
                and ast.unparse(node.func.value) != "req.args"):
            yield node


def test_a_split_job_reference_is_found() -> None:
    tree = ast.parse('number, start, seconds = ref.split("|")\nfields = req.args.split("|")\n')
    assert [ast.unparse(call) for call in _pipe_splits(tree)] == ["ref.split('|')"]


def test_no_job_reference_split_by_hand() -> None:
    """A job id is decoded by ``scheduler.jobs.decode`` only: ``split("|")`` is left for the
    ``a | b`` fields a person types (``req.args``)."""
    found = [f"{path.relative_to(REPO)}:{call.lineno}: {ast.unparse(call)}"
             for module, path in MODULES.items() if module not in SPLIT_ALLOWED
             for call in _pipe_splits(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []


# Unread constants kept for now: module.NAME → why.
UNUSED_KEPT: dict[str, str] = {}


def _constants(tree: ast.Module) -> list[str]:
    """The UPPER_CASE names a module assigns at its top level."""
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        found += [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    return found


def _reads(tree: ast.Module, module: str) -> set[str]:
    """The names a file reads of ``module``: its own names if it is ``module``, else those it
    imports from it and the attributes it reads (when it imports the module itself)."""
    names: set[str] = set()
    imports_module = False
    attributes: set[str] = set()
    package, _, leaf = module.rpartition(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == module:
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == package:
            imports_module |= any(alias.name == leaf for alias in node.names)
        elif isinstance(node, ast.Import):
            imports_module |= any(alias.name == module for alias in node.names)
        elif isinstance(node, ast.Attribute):
            attributes.add(node.attr)
    return names | (attributes if imports_module else set())


def test_no_unused_constants_in_handlers() -> None:
    """Every constant a handler module defines is read: by the module itself, or by a module
    or test that imports it (a docstring naming it is not a use)."""
    sources = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}
    sources |= {f"tests.{p.stem}": ast.parse(p.read_text(encoding="utf-8"))
                for p in sorted((REPO / "tests").glob("*.py"))}
    sources |= {f"bench.{p.stem}": ast.parse(p.read_text(encoding="utf-8"))
                for p in sorted((REPO / "bench").glob("*.py"))}
    unused = []
    for module in (m for m in MODULES if m.startswith("handlers")):
        tree = sources[module]
        own = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
               and isinstance(n.ctx, ast.Load)}
        for constant in _constants(tree):
            read = constant in own or any(constant in _reads(other, module)
                                          for name, other in sources.items() if name != module)
            if not read and f"{module}.{constant}" not in UNUSED_KEPT:
                unused.append(f"{module}.{constant}")
    assert unused == []


def test_the_command_table_holds_no_handler() -> None:
    """``handlers/commands.py`` is the table of commands and buttons: every handler lives with
    its use case, so the table reads as who may do what."""
    tree = ast.parse(MODULES["handlers.commands"].read_text(encoding="utf-8"))
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert defined == ["build_router"]


PLATFORMS = ("slack", "telegram", "console")


def _identities_by_hand(tree: ast.AST) -> Iterator[str]:
    """``x.startswith("console:")`` and ``x.split(":", 1)`` / ``x.partition(":")`` on a value
    named for an identity or a recipient's ref: what ``Identity.parse`` is for (a dispatcher
    target key, ``platform:address``, is not an identity: tests/test_identity.py)."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        text, on = node.args[0].value, ast.unparse(node.func.value)
        platform_test = (node.func.attr == "startswith" and isinstance(text, str)
                         and text.endswith(":") and text.rstrip(":") in PLATFORMS)
        split = (node.func.attr in ("split", "partition") and text == ":"
                 and any(word in on for word in ("identit", "ref", "lead")))
        if platform_test or split:
            yield ast.unparse(node)


def test_an_identity_split_by_hand_is_found() -> None:
    tree = ast.parse('a = i.startswith("console:")\nb = member.identities[0].split(":", 1)\n'
                     'c = clock.split(":")\n')
    assert list(_identities_by_hand(tree)) == [
        "i.startswith('console:')", "member.identities[0].split(':', 1)"]


def test_no_identity_split_by_hand() -> None:
    """``handlers/identities.py`` and ``bot/dispatch/targets.py`` tested
    ``startswith("console:")``, ``bench/outage.py`` and the dispatcher's targets split
    ``platform:user`` themselves: an identity is read with ``storage.identity.Identity`` only."""
    files = [*MODULES.values(), *sorted((REPO / "bench").glob("*.py"))]
    found = [f"{path.relative_to(REPO)}: {call}" for path in files
             if path.name != "identity.py"
             for call in _identities_by_hand(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []


def test_the_open_statuses_of_the_workplan_are_defined_once() -> None:
    """``OPEN`` was defined in both ``handlers/workplan.py`` and ``storage/plan.py``: a
    constant storage defines is imported by the handlers, not written again."""
    def constants(module: str) -> dict[str, str]:
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        return {name: ast.unparse(node.value) for node in tree.body
                if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name) and (name := t.id).isupper()}
    twice = sorted(f"{h}.{name} = {s}.{name}"
                   for h in MODULES if h.startswith("handlers")
                   for s in MODULES if s.startswith("storage")
                   for name, value in constants(h).items() if constants(s).get(name) == value)
    assert twice == []


MENTIONED = re.compile(
    r"\b(?:bot|handlers|scheduler|storage|tests|bench|docs)/[\w/]*\w\.(?:py|md)\b")
LINK = re.compile(r"\]\(([^)#\s]+)\)")


def _documents() -> list[Path]:
    """The texts that name modules: the code's docstrings and comments, README and docs/."""
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *MODULES.values(),
            *sorted((REPO / "tests").rglob("*.py")), *sorted((REPO / "bench").glob("*.py"))]


def test_every_module_named_in_the_docs_exists() -> None:
    """The modules ``bot/dispatcher`` and ``bot/config`` were still named after they became
    the packages ``bot/dispatch/`` and ``bot/config/``: every ``path/to/module.py`` a docstring,
    the README or docs/ names is a file, and every relative link of a markdown page leads to
    one."""
    missing = sorted({f"{path.relative_to(REPO)}: {name}" for path in _documents()
                      for name in MENTIONED.findall(path.read_text(encoding="utf-8"))
                      if not (REPO / name).exists()})
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        missing += [f"{page.relative_to(REPO)}: link {target}"
                    for target in LINK.findall(page.read_text(encoding="utf-8"))
                    if "://" not in target and not (page.parent / target).exists()]
    assert missing == []


def test_the_architecture_page_follows_each_journey_to_its_modules() -> None:
    """docs/architecture.md names, for a click, a reminder and an outbound message, the
    modules in the order they act, each linked: a journey is two hops from the page."""
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    journeys = {
        "The life of a click": ["bot/platforms/slack/door.py", "bot/platforms/slack/inbound.py",
                                "bot/app.py", "handlers/router.py", "storage/journal.py",
                                "bot/dispatch/dispatcher.py", "bot/platforms/slack/deliver.py"],
        "The life of a reminder": ["scheduler/jobs/schedule.py", "scheduler/runner.py",
                                   "bot/app.py", "handlers/scheduled.py",
                                   "storage/jobs_done.py"],
        "The life of an outbound message": ["handlers/context.py", "storage/outbox.py",
                                            "bot/dispatch/dispatcher.py",
                                            "bot/dispatch/targets.py", "bot/dispatch/ledger.py",
                                            "bot/platforms/slack/deliver.py"],
    }
    for title, modules in journeys.items():
        section = page.split(f"## {title}")[1].split("\n## ")[0]
        places = [section.find(f"](../{module})") for module in modules]
        assert -1 not in places and places == sorted(places), title
