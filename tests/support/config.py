"""Settings as the tests load them: flags over the test's READER_* variables (the ``isolated_settings``
fixture points them at a fresh folder) over the defaults, exactly as a command loads them."""

from __future__ import annotations

from typing import Any

from reader.config import Settings


def settings(**flags: Any) -> Settings:
    return Settings.load(**flags)


def cpu_settings(**flags: Any) -> Settings:
    """One thread on the CPU, so that two backends' outputs can be compared exactly."""
    return Settings.load(device="cpu", threads=1, **flags)
