"""The shape of the house, read from the source: who may import whom.

The import graph of `dispatch`, `boards` and `workers` is built statically with `ast`: every
`import` and `from ... import` in a module counts, at the top or inside a function alike
(a lazy import is still a dependency), relative imports resolved against the module's
package. `from package import name` is an edge to `package.name` when that is a module, and to
the package (its `__init__`) otherwise. Python's implicit loading of a module's parent packages
is not an edge: only what a module names.

The rules:
(a) No cycles between modules, lazy imports included. A package's `__init__` that registers
    its submodules is fine as long as they do not import it back (blueprints live in their own
    module, not in `__init__`), and the command line, the app factory and the workers form a
    line, not a loop.
(b) One boundary: the shells (`dispatch.web`, `dispatch.api`) reach the house through the
    services. They may import `dispatch.services.*`, `dispatch.core.*`, `dispatch.clock`,
    `dispatch.i18n`, `dispatch.http.*` (what both shells share: the error handler, reading
    uploads) and their own package; never `dispatch.models`, `dispatch.extensions` (the
    session), the package `dispatch` itself, `boards`, `workers`, nor the other shell.
    `dispatch.http` keeps the same rule, so it cannot lean on either shell.
(c) `dispatch.core` is pure: no Flask, SQLAlchemy, Redis or RQ, and nothing of `dispatch`
    outside `dispatch.core` (models, services, extensions...).
(d) `dispatch.extensions` imports nothing from the shells (`dispatch.api`, `dispatch.web`).
(e) `boards` is the boards' data and the demo district: it imports nothing of `dispatch` or
    `workers` (the dashboards' queries are `dispatch.services.dashboards`).
"""

import ast
import os
from functools import cache

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGES = ("dispatch", "boards", "workers")
SHELLS = ("dispatch.web", "dispatch.api")
BEHIND_THE_BOUNDARY = (*SHELLS, "dispatch.http")
SHELL_MAY_IMPORT = ("dispatch.services", "dispatch.core", "dispatch.clock", "dispatch.i18n",
                    "dispatch.http")
IMPURE = ("flask", "flask_babel", "flask_login", "flask_migrate", "flask_smorest",
          "flask_sqlalchemy", "flask_wtf", "sqlalchemy", "redis", "rq")


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@cache
def modules() -> dict[str, tuple[str, bool]]:
    """Module name → (file path, whether it is a package's __init__)."""
    found = {}
    for package in PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(ROOT, package)):
            dirs[:] = [d for d in dirs if not d.startswith((".", "__pycache__"))]
            if "__init__.py" not in files:
                continue
            parts = os.path.relpath(folder, ROOT).split(os.sep)
            for file in files:
                if not file.endswith(".py"):
                    continue
                if file == "__init__.py":
                    found[".".join(parts)] = (os.path.join(folder, file), True)
                else:
                    found[".".join([*parts, file[:-3]])] = (os.path.join(folder, file), False)
    return found


def _resolve(name: str) -> str:
    """The module an imported dotted name loads: itself, or its nearest known ancestor."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


@cache
def imports() -> dict[str, dict[str, int]]:
    """Module → {imported name (internal module, or external top-level package): line}."""
    known = modules()
    graph: dict[str, dict[str, int]] = {}
    for module, (path, is_package) in known.items():
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), path)
        package = module if is_package else module.rpartition(".")[0]
        targets: dict[str, int] = {}
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known
                         else source for alias in node.names]
            for name in names:
                top = name.split(".")[0]
                target = _resolve(name) if top in PACKAGES else top
                if target and target != module:
                    targets.setdefault(target, node.lineno)
        graph[module] = targets
    return graph


def internal_graph() -> dict[str, set[str]]:
    known = modules()
    return {m: {t for t in targets if t in known} for m, targets in imports().items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path that returns to its start) per strongly connected component."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan
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
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    found = []
    for component in components:  # the shortest way from its first module back to it
        start = min(component)
        came_from: dict[str, str | None] = {start: None}
        queue, back = [start], None
        while back is None:
            node = queue.pop(0)
            for nxt in sorted(graph[node] & component):
                if nxt == start:
                    back = node
                    break
                if nxt not in came_from:
                    came_from[nxt] = node
                    queue.append(nxt)
        path = []
        while back is not None:
            path.append(back)
            back = came_from[back]
        found.append([*reversed(path), start])
    return found


def _violations(modules_under: str, allowed) -> list[str]:
    problems = []
    for module, targets in sorted(imports().items()):
        if not _under(module, modules_under):
            continue
        for target, line in sorted(targets.items()):
            if not allowed(module, target):
                problems.append(f"{module} (line {line}) imports {target}")
    return problems


def test_the_graph_is_read_from_the_source():
    graph = internal_graph()
    assert "dispatch.services.tickets" in graph["dispatch.api.tickets"]
    assert "dispatch.cli" in graph["dispatch"]  # a lazy import inside create_app counts
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_module_imports_itself_round_a_cycle():
    found = cycles(internal_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_shells_reach_the_house_only_through_the_services():
    def allowed(module: str, target: str) -> bool:
        if target.split(".")[0] not in PACKAGES:
            return True  # flask, marshmallow, ... are the shells' own business
        own = next(s for s in BEHIND_THE_BOUNDARY if _under(module, s))
        return _under(target, own) or any(_under(target, p) for p in SHELL_MAY_IMPORT)

    problems = [p for shell in BEHIND_THE_BOUNDARY for p in _violations(shell, allowed)]
    assert not problems, "\n".join(problems)


def test_the_core_is_pure():
    def allowed(module: str, target: str) -> bool:
        if target.split(".")[0] in PACKAGES:
            return _under(target, "dispatch.core")
        return target not in IMPURE

    problems = _violations("dispatch.core", allowed)
    assert not problems, "\n".join(problems)


def test_the_extensions_know_nothing_of_the_shells():
    problems = _violations("dispatch.extensions",
                           lambda module, target: not any(_under(target, s) for s in SHELLS))
    assert not problems, "\n".join(problems)


def test_the_boards_package_is_data():
    problems = _violations("boards", lambda module, target: not any(
        _under(target, p) for p in ("dispatch", "workers")))
    assert not problems, "\n".join(problems)
