"""The speed benchmark's harness and report, on made-up timings: no timed assertion, no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.speed import contenders, harness, report


def test_forced_lengths_come_from_the_plan_and_unplanned_inputs_are_counted() -> None:
    assert harness.call_length(["a b c d", "a b"]) == round(1.5 * 3)
    forcing = harness.Forcing({"known": 6})
    assert forcing("known") == 6 and forcing.unplanned == 0
    assert forcing("other") == 1 and forcing.unplanned == 1
    assert forcing.inputs == ["known", "other"]
    assert harness.Forcing({"known": 6}, limit=True)("known") is None  # None: to the backend's limit


def test_a_backend_without_the_hook_cannot_be_benchmarked() -> None:
    with pytest.raises(SystemExit, match="force_output_lengths"):
        harness.force(object(), {})


def _side(tokens_per_s: float, first: float, whole: float) -> dict:
    return {
        "name": "x",
        "label": "x",
        "repeats": 3,
        "translate_s": 1000 / tokens_per_s,
        "cpu_s": 1000 / tokens_per_s,
        "tokens_per_s": tokens_per_s,
        "tokens_per_cpu_s": tokens_per_s,
        "whole_s": {"a.ar.txt": whole, "b.ar.txt": whole},
        "first_s": {"a.ar.txt": first, "b.ar.txt": first * 2},
        "first_cpu_s": {"a.ar.txt": first, "b.ar.txt": first * 2},
        "first_fraction": {"a.ar.txt": first / whole, "b.ar.txt": 2 * first / whole},
        "produced_ok": True,
    }


def _peer(tokens_per_s: float, rss: float, first: float) -> dict:
    return {
        "name": "x",
        "rounds": 2,
        "tokens": 100,
        "translate_s": 100 / tokens_per_s,
        "tokens_per_s": tokens_per_s,
        "tokens_per_cpu_s": tokens_per_s,
        "first_sentence_s": first,
        "whole_article_s": 5.0,
        "peak_rss_mb": rss,
        "load_s": 1.0,
        "loadavg": [1.0, 1.1],
    }


def test_figures_take_the_worst_article_and_argos_fastest_layout() -> None:
    side = {
        "raw-ct2": _side(200, 1, 4),
        "solo": _side(50, 1, 1),
        "ct2": _side(190, 1.1, 4.2),
        "ct2-no-fixup": _side(200, 1, 4),
    }
    peers = {
        "ct2": _peer(100, 200, 1.0),
        "argos-default": _peer(50, 450, 5.0),
        "argos-2x1": _peer(60, 460, 5.0),
        "ct2-busy": _peer(70, 200, 1.5),
        "argos-busy": _peer(40, 460, 8.0),
    }
    numbers = report.figures([], side, peers)
    assert numbers["first_vs_solo"] == {"a.ar.txt": pytest.approx(1.1), "b.ar.txt": pytest.approx(2.2)}
    assert numbers["first_vs_solo_worst"] == pytest.approx(2.2)
    assert numbers["pipeline_vs_raw"] == pytest.approx(0.95)
    assert numbers["fixup_cost"] == pytest.approx(0.05)
    assert numbers["argos"] == "argos-2x1"  # the fastest layout, never a busy-core row
    assert numbers["vs_argos_speed"] == pytest.approx(100 / 60)
    assert numbers["vs_argos_memory"] == pytest.approx(200 / 460)
    assert numbers["vs_argos_first"] == pytest.approx(5.0)
    assert numbers["vs_argos_busy"] == pytest.approx(70 / 40)
    met = {key: ok for key, _, _, _, ok in report.verdicts(numbers)}
    assert met["first_vs_solo_worst"] is False and met["pipeline_vs_raw"] is True
    assert met["vs_argos_speed"] is True and met["vs_argos_memory"] is True and met["ct2_limit_rss"] is None


def test_the_docs_keep_the_speed_bar_keys_and_add_the_new_ones(tmp_path: Path) -> None:
    side = {name: _side(100, 1, 4) for name in contenders.SIDE_LABELS}
    peers = {"ct2": _peer(100, 200, 1.0), "argos-1x2": _peer(60, 460, 5.0)}
    rows = report.summarize([], {"articles": [], "schedules": {}})
    plan = {
        "articles": [{"name": "a.ar.txt", "sentences": 3}, {"name": "b.ar.txt", "sentences": 2}],
        "schedules": {
            "parallel": {"calls": [[["x"], ["y", "z"]], [["w"]]], "lengths": {"x": 2, "y": 3, "z": 3, "w": 4}}
        },
        "threads": 2,
    }
    info = {"date": "today", "line": "a machine", "os": "linux", "side_budget": 4000, "side_resident": 130.0}
    report.write_docs(rows, side, peers, plan, info, "python -m benchmarks.speed", docs=tmp_path)
    saved = json.loads((tmp_path / "performance.json").read_text(encoding="utf-8"))["contenders"]
    for name in ("baseline", "raw-ct2", "ct2", "ct2-cached", "transformers", "ct2-limit", "ct2-greedy"):
        assert name in saved
    assert saved["ct2"]["first_sentence_vs_solo"] == 0.5 and saved["ct2"]["vs_raw_best"] == 1.0
    assert saved["ct2"]["first_sentence_vs_solo_cpu"] == 1.0  # the same runs' CPU time: first against first
    assert saved["argos"]["tokens_per_s"] == 60.0 and saved["argos"]["peak_rss_mb"] == 460.0
    text = (tmp_path / "performance.md").read_text(encoding="utf-8")
    assert "python -m benchmarks.speed" in text and "argos-1x2" in text and "{" not in text.split("## Results")[0]
    assert (tmp_path / "performance.png").stat().st_size > 0


def test_the_benchmark_reaches_reader_through_public_seams_only() -> None:
    """No private attribute of another object, no private name imported from reader, no sys.path edit."""
    import ast

    folder = Path(report.__file__).parent
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                assert isinstance(node.value, ast.Name) and node.value.id == "self", f"{path.name}:{node.lineno}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reader"):
                assert not [a.name for a in node.names if a.name.startswith("_")], f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys":
                raise AssertionError(f"{path.name}:{node.lineno} edits sys.path")
