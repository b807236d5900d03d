"""The optional extras: one install message per extra (reader/extras.py), agreeing with pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import pytest

from reader import extras
from tests.support.imports import PACKAGE, ROOT


def _declared() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {name: deps for name, deps in project["optional-dependencies"].items() if name not in ("all", "test")}


def test_every_extra_pyproject_declares_is_known_with_the_packages_it_installs():
    declared = _declared()
    assert set(declared) == set(extras.PACKAGES)
    for extra, packages in extras.PACKAGES.items():
        names = {re.split(r"[<>=\[ ;]", dep, maxsplit=1)[0].lower() for dep in declared[extra]}
        assert set(packages) <= names, extra


def test_a_missing_package_is_one_line_naming_it_and_the_command():
    error = ImportError("No module named 'ctranslate2'", name="ctranslate2")
    assert extras.missing("converting to CTranslate2", "ct2", "ml", exc=error) == (
        "converting to CTranslate2 needs ctranslate2, sentencepiece, torch, transformers and huggingface_hub "
        "(ctranslate2 is missing); install with: pip install 'reader[ct2,ml]'"
    )
    hint = "the ray engine needs ray; install with: pip install 'reader[ray]'"
    assert extras.missing("the ray engine", "ray") == hint
    with pytest.raises(ValueError, match="unknown extra"):
        extras.install_hint("gpu")


def test_no_other_module_writes_an_install_command_out():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "extras.py" and "reader[" in path.read_text(encoding="utf-8").replace("``reader[", "")
    ]
    assert offenders == []
