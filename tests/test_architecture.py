"""The layout's rules, checked on the source (tests/support/imports.py reads it with ast; nothing is imported).

- No import cycle among reader's modules, nor among its packages (two folders never import each other).
- No module imports from a later pipeline stage (``STAGES``; docs/architecture.md draws them).
- Every module belongs to a stage, so a new one is placed deliberately.
- Backends know model folders only through ``reader.models.folder``; ``folder`` is a leaf.
- No test module imports another test module: shared helpers live in tests/support/.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.imports import PACKAGE, ROOT, STAGES, cycles, import_graph, modules, package_graph, stage_of

GRAPH = import_graph()


def test_there_is_no_import_cycle() -> None:
    assert list(cycles(GRAPH)) == []


def test_no_two_packages_import_each_other() -> None:
    assert list(cycles(package_graph(GRAPH))) == []


def test_packages_stand_for_their_modules_and_entry_points_are_left_out() -> None:
    graph = {
        "reader.a.x": {"reader.b.y"},
        "reader.b.y": {"reader.b.z"},
        "reader.b.z": {"reader.a"},
        "reader.a": set(),
        "reader.b.__main__": {"reader.c"},
        "reader.c": {"reader.b.y"},
    }
    assert package_graph(graph) == {"reader.a": {"reader.b"}, "reader.b": {"reader.a"}, "reader.c": {"reader.b"}}
    assert list(cycles(package_graph(graph))) == [["reader.a", "reader.b"]]


def test_cycles_are_found_when_there_are_some() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": {"e"}}
    assert list(cycles(graph)) == [["a", "b", "c"], ["e", "e2"]]


def test_every_module_has_a_stage() -> None:
    for module in GRAPH:
        stage_of(module)
    assert len({name for name, _ in STAGES}) == len(STAGES)


def test_no_module_imports_from_a_later_stage() -> None:
    later = [
        f"{module} ({STAGES[stage_of(module)][0]}) imports {target} ({STAGES[stage_of(target)][0]})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if stage_of(target) > stage_of(module)
    ]
    assert later == []


def test_backends_see_model_folders_only_through_folder_and_folder_is_a_leaf() -> None:
    for module, targets in GRAPH.items():
        if module.startswith("reader.translate.backends."):
            assert {t for t in targets if t.startswith("reader.models")} == {"reader.models.folder"}, module
    assert GRAPH["reader.models.folder"] <= {"reader.errors"}


def test_the_graph_reads_every_kind_of_import(tmp_path: Path) -> None:
    package = tmp_path / "reader"
    (package / "sub").mkdir(parents=True)
    for name in ("__init__", "a", "b", "c", "sub/__init__", "sub/d"):
        (package / f"{name}.py").write_text("")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nimport reader.b\nif TYPE_CHECKING:\n    from reader.sub import d\n"
        "def later():\n    from . import c\n"
    )
    (package / "sub" / "d.py").write_text("from ..b import x\nfrom reader import sub\n")
    graph = import_graph(package)
    assert graph["reader.a"] == {"reader.b", "reader.c", "reader.sub.d"}
    assert graph["reader.sub.d"] == {"reader.b", "reader.sub"}
    assert sorted(modules(package)) == ["reader", "reader.a", "reader.b", "reader.c", "reader.sub", "reader.sub.d"]


def test_no_test_module_imports_another() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[:2][-1].startswith("test_")]
    assert offenders == []


def test_the_app_stays_thin_streamlit_is_imported_only_by_the_page_files() -> None:
    """The logic lives in reader/ and is tested without a browser: no module under it imports Streamlit,
    and the page files import only Streamlit, each other and reader (no logic libraries of their own)."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []
    allowed = {"__future__", "streamlit", "app_pages", "reader", "hashlib", "pathlib"}
    for path in [ROOT / "streamlit_app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert {n.split(".")[0] for n in names} <= allowed, path
