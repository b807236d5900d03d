"""Every command that opens a translator takes the same --model/--backend/--beam (reader/cli/options.py),
and --backend accepts a backend a plugin registered, in every one of them."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.translate import registry

TRANSLATING = {"translate", "batch", "feeds check", "alternatives", "complete", "edit", "glossary apply", "watch add"}


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def _options(command: click.Command) -> dict[str, click.Parameter]:
    return {p.name: p for p in command.params if p.name in ("model", "backend", "beam")}


def _accepts(command: click.Command, option: str, value: str) -> bool:
    param = _options(command)[option]
    try:
        param.process_value(click.Context(command), value)
    except click.BadParameter:
        return False
    return True


def test_the_commands_that_translate_declare_model_backend_and_beam_alike():
    found = {name: command for name, command in _commands(cli) if "backend" in _options(command)}
    assert set(found) == TRANSLATING
    declared = {
        name: [(p.name, tuple(p.opts), p.help, p.type.name) for p in sorted(_options(c).values(), key=lambda p: p.name)]
        for name, c in found.items()
    }
    assert len({tuple(options) for options in declared.values()}) == 1, declared
    assert [option for option, *_ in declared["translate"]] == ["backend", "beam", "model"]


def test_every_command_takes_a_plugin_backend_and_the_same_beams(fake_model):
    commands = {name: command for name, command in _commands(cli) if name in TRANSLATING}
    for name, command in commands.items():
        assert _accepts(command, "backend", fake_model.backend), name
        assert _accepts(command, "backend", "auto") and _accepts(command, "backend", "ct2"), name
        assert not _accepts(command, "backend", "no-such-backend"), name
        assert [b for b in ("0", "1", "4", "16", "17") if _accepts(command, "beam", b)] == ["1", "4", "16"], name
    registry.unregister(fake_model.backend)
    assert not any(_accepts(command, "backend", fake_model.backend) for command in commands.values())


def test_translate_runs_on_a_plugin_backend_named_by_the_flag(fake_model, tmp_path, monkeypatch):
    monkeypatch.delenv("READER_BACKEND")
    article = tmp_path / "a.txt"
    article.write_text("قال الوزير.", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["translate", str(article), "--backend", fake_model.backend, "--beam", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "qal alwzyr."
    assert len(fake_model.calls) == 1
    result = runner.invoke(cli, ["alternatives", "doc", "-s", "0", "--backend", "no-such-backend"])
    assert result.exit_code == 2
    assert f"unknown backend 'no-such-backend'; known: auto, ct2, {fake_model.backend}" in result.output


@pytest.mark.parametrize("args", [["batch", "src", "--out", "out"], ["feeds", "check"]])
def test_an_unknown_backend_is_a_usage_error_before_any_work(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*args, "--backend", "nope"])
    assert result.exit_code == 2
    assert "Invalid value for '--backend': unknown backend 'nope'" in result.output
    assert not (tmp_path / "out").exists()
