"""Settings: flag > READER_* variable > default, and each setting's accepted values held in one place."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reader import config
from reader.cli import cli
from reader.config import Settings
from reader.errors import ReaderError
from reader.translate.base import DecodeSettings


def test_a_flag_wins_over_the_variable_and_the_variable_over_the_default(monkeypatch):
    assert Settings.load().beam == config.default("beam") == 4
    monkeypatch.setenv("READER_BEAM", "2")
    assert Settings.load().beam == 2
    assert Settings.load(beam=1).beam == 1


@pytest.mark.parametrize(("name", "value"), [("beam", 0), ("beam", 17), ("threads", -1), ("token_budget", 0)])
def test_a_setting_out_of_its_range_is_refused_however_it_is_given(name, value, monkeypatch):
    with pytest.raises(ReaderError, match=f"setting {name} must be"):
        Settings(**{name: value})
    monkeypatch.setenv(f"READER_{name.upper()}", str(value))
    with pytest.raises(ReaderError, match=f"READER_{name.upper()}"):
        Settings.load()


def test_the_range_and_default_are_the_ones_everything_else_uses(monkeypatch):
    assert config.limits("beam") == (1, 16)
    assert config.limits("model") == (None, None)
    assert DecodeSettings().beam == config.default("beam")
    monkeypatch.setenv("READER_BEAM", "0")
    result = CliRunner().invoke(cli, ["translate", "-"], input="قال.")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: setting beam must be from 1 to 16, not 0 (READER_BEAM)"
