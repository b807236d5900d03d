"""Shared fixtures. Every test runs with its own cache and models folder, never the user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from reader.translate import registry
from tests.support.fake import FakeModel, FakeTranslator

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

# Property tests check behaviour, never speed: Hypothesis's per-example deadline is a timed assertion,
# and a shared or loaded machine trips it.
settings.register_profile("reader", deadline=None)
settings.load_profile("reader")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--train-toy",
        action="store_true",
        help="Also train the toy model from its recipe and check it (about a minute)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``train_toy`` run only when asked: nothing is trained otherwise."""
    if config.getoption("--train-toy"):
        return
    skip = pytest.mark.skip(reason="trains the toy model: run with --train-toy")
    for item in items:
        if "train_toy" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def lookup_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One word-lookup index for the session: it is derived, read-only data, and takes a second to build."""
    return tmp_path_factory.mktemp("lookup")


@pytest.fixture(autouse=True)
def isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, lookup_dir: Path
) -> Path:
    """Point every READER_* path at a fresh folder so tests never touch real caches or models."""
    home = tmp_path_factory.mktemp("reader-home")
    monkeypatch.setenv("READER_CACHE_PATH", str(home / "cache.sqlite3"))
    monkeypatch.setenv("READER_MODELS_DIR", str(home / "models"))
    monkeypatch.setenv("READER_LOOKUP_DIR", str(lookup_dir))
    monkeypatch.setenv("READER_LIBRARY", str(home / "library"))
    for name in ("READER_MODEL", "READER_BACKEND", "READER_BEAM"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def fake_translator() -> FakeTranslator:
    """A translator on its own, for the pipeline: no registry, no model folder, no cache."""
    return FakeTranslator()


@pytest.fixture
def fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModel]:
    """The fake backend registered as 'fake' through the real registry, with a model folder it loads.

    READER_MODEL and READER_BACKEND name them, so the CLI, the app and batch open it exactly as they
    would a real model (``reader.open_translator``); ``fake_model.calls`` records every model call.
    """
    model = FakeModel.create(tmp_path / "fake-model")
    registry.register(model.backend, model.load)
    monkeypatch.setenv("READER_MODEL", str(model.folder))
    monkeypatch.setenv("READER_BACKEND", model.backend)
    yield model
    registry.unregister(model.backend)


@pytest.fixture(scope="session")
def toy_model_dir() -> Path:
    """The toy Marian model trained on the synthetic language (the committed one, tests/data/toy-model)."""
    from tests.support.toy import toy_model_dir as build

    return build()


@pytest.fixture(scope="session")
def tiny_model_dir() -> Path:
    """An untrained Marian model with opus-mt-ar-en's conventions and small dimensions."""
    from tests.support.tiny import tiny_model_dir as build

    return build()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return ROOT / "seeds"


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium through playwright, one per test module."""
    from tests.support.browser import chromium

    with chromium() as instance:
        yield instance
