"""reader's module import graph, read from the source with ``ast`` (nothing is imported), and its stages.

``STAGES`` is the pipeline's order, the one definition of it (docs/architecture.md shows it): a
module may import from its own stage and earlier ones, never from a later one. Every import
counts, wherever it stands (inside a function, under ``TYPE_CHECKING``): each is a dependency.
Names that are resolved lazily from strings (the backend registry, the export formats, the
package's lazy re-exports) are not imports, and by design point only forward or sideways.

``python -m tests.support.imports`` prints the graph, one module a line: ``a -> b, c``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "reader"

STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("basics", ("reader", "reader.errors", "reader.config", "reader.chars", "reader.sqlite", "reader.document")),
    ("ingest", ("reader.fetch", "reader.extract", "reader.ingest", "reader.documents")),
    ("segment", ("reader.segment",)),
    ("plan", ("reader.normalize", "reader.plan")),
    ("align", ("reader.align",)),
    ("translate", ("reader.translate", "reader.cache", "reader.models")),
    (
        "document",
        ("reader.quality", "reader.assemble", "reader.pipeline", "reader.postedit", "reader.glossary", "reader.api"),
    ),
    ("lookup", ("reader.lookup",)),
    ("export", ("reader.export",)),
    ("library", ("reader.library", "reader.editing")),
    ("publish", ("reader.publish",)),
    ("batch", ("reader.batch",)),
    ("app", ("reader.app",)),
    ("cli", ("reader.cli",)),
]
"""Stages in pipeline order; a module belongs to the stage of its longest listed prefix.

The edges are whole folders: batch, the app (which checks feeds with batch), and the command line,
which wires them all. A package's ``__main__`` (``python -m reader``, ``python -m reader.batch``)
runs a command, so it belongs to the command line's stage.
"""

ENTRY_STAGE = "cli"


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {t for t in targets if t in known and t != name}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    found = modules(package)
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def stage_of(module: str) -> int:
    """The index in ``STAGES`` of the stage a module belongs to (ValueError for a module no stage lists)."""
    if module.rpartition(".")[2] == "__main__":
        return [name for name, _ in STAGES].index(ENTRY_STAGE)
    best = None
    for index, (_, prefixes) in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    if best is None:
        raise ValueError(f"{module} belongs to no stage; add it to tests/support/imports.py STAGES")
    return best[0]


def cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """Each import cycle once, as the modules along it (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> Iterator[list[str]]:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                yield from visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                yield sorted(component)

    for node in sorted(graph):
        if node not in index:
            yield from visit(node)


def format_graph(graph: dict[str, set[str]]) -> str:
    """One line per module, in stage order: ``module -> imported, modules`` (``-> (none)`` for leaves)."""
    lines = []
    for name in sorted(graph, key=lambda m: (stage_of(m), m)):
        targets = ", ".join(sorted(graph[name], key=lambda m: (stage_of(m), m))) or "(none)"
        lines.append(f"[{STAGES[stage_of(name)][0]}] {name} -> {targets}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(format_graph(import_graph()), end="")
