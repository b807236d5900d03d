"""From raw results to ratios, targets met or missed, tables, docs/performance.{md,json,png}."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks.speed.contenders import BY_NAME, SIDE_LABELS
from benchmarks.speed.harness import DOCS, FIRST_ARTICLE, nominal_tokens, schedule_inputs

FIRST_VS_SOLO = 1.25
"""The first sentence within this many times its solo floor (its own inputs alone, raw, model loaded)."""
VS_RAW = 0.95
"""The whole article at least this fraction of raw translate_batch with one batch per worker."""
MEMORY_MB = 500.0
PEER_SPEED = 1.6
PEER_MEMORY = 0.6
PEER_FIRST = 3.0


def summarize(results: list[dict], plan: Mapping[str, Any]) -> list[dict]:
    """One row per process contender: throughput, peak memory, and whether it did the planned work."""
    rows = []
    for r in results:
        sentences = sum(plan["articles"][i]["sentences"] for i in r["articles"])
        contender = BY_NAME[r["name"]]
        nominal = nominal_tokens(plan, contender.schedule, r["articles"])
        tokens = r["produced_tokens"] if contender.limit else nominal
        seconds = max(r["translate_s"], 1e-9)
        if contender.backend == "raw":
            same = r["produced_tokens"] > 0
        elif not r["model_calls"]:
            same = r["produced_tokens"] == 0
        else:
            expected = schedule_inputs(plan, contender.schedule, r["articles"])
            same = sorted(set(r["inputs_seen"])) == sorted(set(expected)) and not r.get("length_mismatches")
            same = same and (contender.limit or r["produced_tokens"] == nominal)
        rows.append(
            {
                **r,
                "sentences": sentences,
                "target_tokens": tokens,
                "sentences_per_s": sentences / seconds,
                "tokens_per_s": tokens / seconds,
                "ms_per_article": 1000 * max(r["per_article_s"]),
                "cpu_share": r["cpu_s"] / max(r["wall_s"], 1e-9),
                "same_work": same,
            }
        )
    base = next((r for r in rows if r["name"] == "baseline"), None)
    for row in rows:
        row["ratio"] = row["tokens_per_s"] / base["tokens_per_s"] if base else float("nan")
    return rows


def summarize_side(side: Mapping[str, Any] | None, plan: Mapping[str, Any]) -> dict[str, dict]:
    """Per variant: the sum over the articles of each article's median time, and each article's first sentence."""
    if not side:
        return {}
    names = [a["name"] for a in plan["articles"]]
    out = {}
    for name, articles in side["runs"].items():
        if name == "solo":
            tokens = sum(
                plan["schedules"]["parallel"]["lengths"][t] for a in plan["articles"] for t in a["first_inputs"]
            )
        else:
            tokens = nominal_tokens(plan, "chunks-16" if name == "ct2-chunks-16" else "parallel")
        wall = sum(statistics.median(run["whole_s"] for run in runs) for runs in articles)
        cpu = sum(statistics.median(run["cpu_s"] for run in runs) for runs in articles)
        row: dict[str, Any] = {
            "name": name,
            "label": SIDE_LABELS[name],
            "repeats": len(articles[0]),
            "translate_s": wall,
            "cpu_s": cpu,
            "tokens_per_s": tokens / max(wall, 1e-9),
            "tokens_per_cpu_s": tokens / max(cpu, 1e-9),
            "whole_s": {
                n: statistics.median(run["whole_s"] for run in runs) for n, runs in zip(names, articles, strict=True)
            },
            "first_s": {
                n: statistics.median(run["first_s"] for run in runs) for n, runs in zip(names, articles, strict=True)
            },
            "first_cpu_s": {
                n: statistics.median(run.get("first_cpu_s", math.nan) for run in runs)
                for n, runs in zip(names, articles, strict=True)
            },
            "first_fraction": {
                n: statistics.median(run["first_s"] / max(run["whole_s"], 1e-9) for run in runs)
                for n, runs in zip(names, articles, strict=True)
            },
            "produced_ok": all(run.get("produced", 0) > 0 for runs in articles for run in runs),
        }
        out[name] = row
    return out


def summarize_peers(peers: Mapping[str, list[dict]], plan: Mapping[str, Any]) -> dict[str, dict]:
    """Per peer contender (reader's ct2 process and argos layouts, quiet and with a busy core): medians over rounds."""
    out = {}
    for name, runs in peers.items():
        if not runs:
            continue
        seconds = statistics.median(run["translate_s"] for run in runs)
        tokens = statistics.median(run["produced_tokens"] for run in runs)
        out[name] = {
            "name": name,
            "rounds": len(runs),
            "tokens": tokens,
            "translate_s": seconds,
            "tokens_per_s": statistics.median(run["produced_tokens"] / max(run["translate_s"], 1e-9) for run in runs),
            "tokens_per_cpu_s": statistics.median(
                run["produced_tokens"] / max(run.get("translate_cpu_s", run["cpu_s"]), 1e-9) for run in runs
            ),
            "first_sentence_s": statistics.median(statistics.mean(run["first_sentence_s"]) for run in runs),
            "whole_article_s": statistics.median(statistics.mean(run["per_article_s"]) for run in runs),
            "peak_rss_mb": statistics.median(run["peak_rss_mb"] for run in runs),
            "load_s": statistics.median(run["load_s"] for run in runs),
            "loadavg": [round(run["loadavg_before"], 2) for run in runs],
        }
    return out


def fastest_argos(peers: Mapping[str, dict]) -> str | None:
    layouts = [name for name in peers if name.startswith("argos-") and not name.endswith("-busy")]
    return max(layouts, key=lambda name: peers[name]["tokens_per_s"]) if layouts else None


def figures(rows: list[dict], side: Mapping[str, dict], peers: Mapping[str, dict]) -> dict[str, Any]:
    """The ratios the targets and the docs quote, None where a contender was not run."""
    by = {r["name"]: r for r in rows}

    def ratio(a: Mapping[str, dict], x: str, b: Mapping[str, dict], y: str, key: str = "tokens_per_s") -> float | None:
        return a[x][key] / b[y][key] if x in a and y in b and b[y][key] else None

    def rss(name: str) -> float | None:
        return by[name]["peak_rss_mb"] if name in by else None

    def against_solo(name: str, key: str = "first_s", floor: str = "whole_s") -> dict[str, float]:
        """Each article's first sentence under ``name`` over its solo floor (NaN where a run did not record it)."""
        if name not in side or "solo" not in side or key not in side[name]:
            return {}
        return {n: side[name][key][n] / side["solo"][floor][n] for n in side[name][key]}

    first_vs_solo, shared_vs_solo = against_solo("ct2"), against_solo("ct2-first-shared")
    first_vs_solo_cpu = {n: v for n, v in against_solo("ct2", "first_cpu_s", "first_cpu_s").items() if math.isfinite(v)}
    fixup_free = ratio(side, "ct2", side, "ct2-no-fixup")
    fixup_free_cpu = ratio(side, "ct2", side, "ct2-no-fixup", "tokens_per_cpu_s")
    argos = fastest_argos(peers)
    numbers: dict[str, Any] = {
        "transformers_vs_baseline": ratio(by, "transformers", by, "baseline"),
        "ct2_vs_baseline": ratio(by, "ct2", by, "baseline"),
        "first_vs_solo": first_vs_solo,
        "first_vs_solo_worst": max(first_vs_solo.values()) if first_vs_solo else None,
        "first_vs_solo_cpu": first_vs_solo_cpu,
        "first_vs_solo_cpu_worst": max(first_vs_solo_cpu.values()) if first_vs_solo_cpu else None,
        "first_shared_vs_solo_worst": max(shared_vs_solo.values()) if shared_vs_solo else None,
        "first_alone_vs_shared": ratio(side, "ct2", side, "ct2-first-shared"),
        "first_alone_vs_shared_cpu": ratio(side, "ct2", side, "ct2-first-shared", "tokens_per_cpu_s"),
        "pipeline_vs_raw": ratio(side, "ct2", side, "raw-ct2"),
        "pipeline_vs_raw_cpu": ratio(side, "ct2", side, "raw-ct2", "tokens_per_cpu_s"),
        "pipeline_vs_raw_same_batches": ratio(side, "ct2", side, "raw-ct2-backend"),
        "backend_batches_vs_one_per_worker": ratio(side, "raw-ct2-backend", side, "raw-ct2"),
        "backend_batches_vs_one_per_worker_cpu": ratio(side, "raw-ct2-backend", side, "raw-ct2", "tokens_per_cpu_s"),
        "cap_vs_2048": ratio(side, "ct2", side, "ct2-budget-2048"),
        "cap_vs_2048_cpu": ratio(side, "ct2", side, "ct2-budget-2048", "tokens_per_cpu_s"),
        "fixup_cost": None if fixup_free is None else 1 - fixup_free,
        "fixup_cost_cpu": None if fixup_free_cpu is None else 1 - fixup_free_cpu,
        "whole_vs_chunks_16": ratio(side, "ct2", side, "ct2-chunks-16", "translate_s"),
        "unpipelined_vs_ct2": ratio(side, "ct2-unpipelined", side, "ct2", "translate_s"),
        "greedy_ct2": ratio(side, "ct2-greedy", side, "ct2"),
        "budget_x4_speedup": ratio(side, "ct2-tokens-x4", side, "ct2"),
        "greedy_transformers": ratio(by, "transformers-greedy", by, "transformers"),
        "ct2_rss": rss("ct2"),
        "ct2_limit_rss": rss("ct2-limit"),
        "ct2_limit_2048_rss": rss("ct2-limit-2048"),
        "ct2_limit_x4_rss": rss("ct2-limit-x4"),
        "raw_limit_rss": rss("raw-ct2-limit"),
        "transformers_rss": rss("transformers"),
        "transformers_small_rss": rss("transformers-small"),
        "transformers_small_speed": ratio(by, "transformers-small", by, "transformers"),
        "baseline_rss": rss("baseline"),
        "cached_ms": by["ct2-cached"]["ms_per_article"] if "ct2-cached" in by else None,
        "cached_calls": by["ct2-cached"]["model_calls"] if "ct2-cached" in by else None,
        "argos": argos,
    }
    if argos and "ct2" in peers:
        numbers.update(
            vs_argos_speed=ratio(peers, "ct2", peers, argos),
            vs_argos_speed_cpu=ratio(peers, "ct2", peers, argos, "tokens_per_cpu_s"),
            vs_argos_memory=ratio(peers, "ct2", peers, argos, "peak_rss_mb"),
            vs_argos_first=ratio(peers, argos, peers, "ct2", "first_sentence_s"),
            vs_argos_busy=ratio(peers, "ct2-busy", peers, "argos-busy"),
        )
    return numbers


def verdicts(numbers: Mapping[str, Any]) -> list[tuple[str, str, float | None, str, bool | None]]:
    """(key, what, value, target, met) for every target this benchmark checks."""
    checks = [
        (
            "first_vs_solo_worst",
            f"first sentence / its solo floor, worst seed article (×; {FIRST_ARTICLE} and the others below)",
            FIRST_VS_SOLO,
            False,
        ),
        (
            "pipeline_vs_raw",
            "whole article: pipeline vs raw translate_batch, one batch per worker (×, side by side)",
            VS_RAW,
            True,
        ),
        ("ct2_limit_rss", "peak RSS, CTranslate2 pipeline, every output at its length limit (MB)", MEMORY_MB, False),
        ("ct2_rss", "peak RSS, CTranslate2 pipeline (MB)", MEMORY_MB, False),
        ("vs_argos_speed", "reader vs argos-translate at its fastest layout (×, tokens/s)", PEER_SPEED, True),
        ("vs_argos_memory", "reader's peak RSS / argos-translate's", PEER_MEMORY, False),
        ("vs_argos_busy", "reader vs argos-translate, one core taken by a busy loop (×, tokens/s)", 1.0, True),
        ("vs_argos_first", "first sentence: argos-translate's time / reader's (×)", PEER_FIRST, True),
        ("transformers_vs_baseline", "pipeline, transformers vs the naive loop (×, tokens/s)", 3.0, True),
        ("ct2_vs_baseline", "pipeline, CTranslate2 vs the naive loop (×, tokens/s)", 8.0, True),
        ("cached_ms", "warm cache, slowest article (ms)", 50.0, False),
        ("cached_calls", "warm cache, model calls", 0.0, False),
    ]
    out: list[tuple[str, str, float | None, str, bool | None]] = []
    for key, text, limit, higher in checks:
        value = numbers.get(key)
        met = None if value is None else (value >= limit if higher else value <= limit)
        out.append((key, text, value, f"{'≥' if higher else '≤'} {limit:g}", met))
    for key, text in (
        ("first_vs_solo_cpu_worst", "first sentence / its solo floor in CPU time, worst article (a cross-check)"),
        ("pipeline_vs_raw_cpu", "the same in CPU time per token (a cross-check, steadier on a shared machine)"),
        ("vs_argos_speed_cpu", "reader vs argos-translate's fastest layout in tokens per CPU second (a cross-check)"),
        ("raw_limit_rss", "peak RSS, raw translate_batch with one batch per worker, every output at its limit (MB)"),
    ):
        out.append((key, text, numbers.get(key), "—", None))
    return out


def verdict_lines(numbers: Mapping[str, Any]) -> list[str]:
    lines = []
    for _, text, value, target, met in verdicts(numbers):
        shown = "not measured" if value is None else f"**{value:.2f}**" if abs(value) < 10 else f"**{value:.0f}**"
        state = "" if met is None else " — met" if met else " — MISSED"
        aim = "no target of its own" if target == "—" else f"target {target}"
        lines.append(f"- {text}: {shown} ({aim}){state}")
    in_cpu = numbers.get("first_vs_solo_cpu") or {}
    for name, value in sorted((numbers.get("first_vs_solo") or {}).items()):
        cpu = f" ({in_cpu[name]:.2f}× in CPU time)" if name in in_cpu else ""
        lines.append(f"  - {name}: first sentence {value:.2f}× its solo floor{cpu}")
    return lines


def table(rows: list[dict]) -> str:
    header = (
        "| contender | target tokens/s | × naive loop | peak RSS (MB) | first sentence (s, load included) "
        "| load (s) | translate (s) | slowest article (ms) | model calls | load average |"
    )
    lines = [header, "|" + "---|" * 10]
    for r in rows:
        lines.append(
            f"| {r['name']}: {r['label']} | {r['tokens_per_s']:.1f} | {r['ratio']:.1f}× | {r['peak_rss_mb']:.0f} "
            f"| {r['first_s']:.2f} | {r['load_s']:.2f} | {r['translate_s']:.2f} | {r['ms_per_article']:.0f} "
            f"| {r['model_calls']} | {r['loadavg_before']:.1f} |"
        )
    return "\n".join(lines)


def side_table(side: Mapping[str, dict]) -> str:
    names = list(next(iter(side.values()))["first_s"]) if side else []
    short = [n.split(".")[0] for n in names]
    lines = [
        "| variant | target tokens/s | tokens per CPU second | translate (s) | "
        + " | ".join(f"{s}: first sentence / whole (s)" for s in short)
        + " |",
        "|" + "---|" * (4 + len(names)),
    ]
    for row in side.values():
        cells = " | ".join(f"{row['first_s'][n]:.2f} / {row['whole_s'][n]:.2f}" for n in names)
        lines.append(
            f"| {row['name']}: {row['label']} | {row['tokens_per_s']:.1f} | {row['tokens_per_cpu_s']:.1f} "
            f"| {row['translate_s']:.2f} | {cells} |"
        )
    return "\n".join(lines)


def peer_table(peers: Mapping[str, dict], numbers: Mapping[str, Any]) -> str:
    if not peers:
        return "(not run)"
    reader = peers.get("ct2")
    lines = [
        "| contender | target tokens/s | tokens per CPU second | first sentence (s, mean per article) "
        "| whole article (s, mean) | peak RSS (MB) | load (s) | reader's × tokens/s | reader's memory share "
        "| rounds (load average at each) |",
        "|" + "---|" * 10,
    ]
    for name, row in peers.items():
        label = f"{name} (= argos, its fastest layout)" if name == numbers.get("argos") else name
        mate = peers.get("ct2-busy") if name.endswith("-busy") else reader
        speed = f"{mate['tokens_per_s'] / row['tokens_per_s']:.2f}×" if mate and name.startswith("argos") else ""
        memory = f"{mate['peak_rss_mb'] / row['peak_rss_mb']:.2f}" if mate and name.startswith("argos") else ""
        lines.append(
            f"| {label} | {row['tokens_per_s']:.1f} | {row.get('tokens_per_cpu_s', 0):.1f} "
            f"| {row['first_sentence_s']:.2f} | {row['whole_article_s']:.2f} "
            f"| {row['peak_rss_mb']:.0f} | {row['load_s']:.2f} | {speed} | {memory} "
            f"| {row['rounds']} ({', '.join(f'{x:.1f}' for x in row['loadavg'])}) |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    import ctranslate2
    import torch
    import transformers

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "ctranslate2": ctranslate2.__version__,
        "os": platform.platform(),
    }


def machine_line(info: Mapping[str, Any], load: tuple[float, float]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM (shared); 1-minute load average "
        f"{load[0]:.2f} at the start, {load[1]:.2f} at the end; Python {info['python']}, torch {info['torch']}, "
        f"transformers {info['transformers']}, ctranslate2 {info['ctranslate2']}"
        + (f", argostranslate {info['argostranslate']}" if info.get("argostranslate") else "")
    )


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def results_json(
    rows: list[dict],
    side: Mapping[str, dict],
    peers: Mapping[str, dict],
    numbers: Mapping[str, Any],
    info: Mapping[str, Any],
) -> dict[str, Any]:
    """docs/performance.json: the speed bar's keys first, then more contenders and the peers."""
    by = {r["name"]: r for r in rows}

    def process(name: str, *keys: str) -> dict[str, Any]:
        row = by.get(name, {})
        names = {"tokens_per_s": "tokens_per_s", "peak_rss_mb": "peak_rss_mb", "slowest_article_ms": "ms_per_article"}
        return {key: _rounded(row.get(names[key])) for key in keys}

    def side_speed(name: str) -> float | None:
        return _rounded(side[name]["tokens_per_s"]) if name in side else None

    def fraction(name: str) -> float | None:
        return _rounded(side[name]["first_fraction"].get(FIRST_ARTICLE), 3) if name in side else None

    argos = numbers.get("argos")
    contenders: dict[str, dict[str, Any]] = {
        "baseline": process("baseline", "tokens_per_s", "peak_rss_mb"),
        "raw-ct2": {
            "tokens_per_s": side_speed("raw-ct2"),
            "batching": "examples, one batch per worker",
            "first_sentence_fraction": fraction("raw-ct2"),
        },
        "ct2": {
            "tokens_per_s": side_speed("ct2"),
            "peak_rss_mb": _rounded(numbers.get("ct2_rss")),
            "first_sentence_fraction": fraction("ct2"),
            "first_sentence_vs_solo": _rounded(numbers.get("first_vs_solo_worst"), 2),
            "first_sentence_vs_solo_by_article": {
                k: round(v, 2) for k, v in (numbers.get("first_vs_solo") or {}).items()
            },
            "first_sentence_vs_solo_cpu": _rounded(numbers.get("first_vs_solo_cpu_worst"), 2),
            "vs_raw_best": _rounded(numbers.get("pipeline_vs_raw"), 3),
            "vs_raw_best_cpu": _rounded(numbers.get("pipeline_vs_raw_cpu"), 3),
        },
        "ct2-cached": process("ct2-cached", "slowest_article_ms"),
        "transformers": process("transformers", "tokens_per_s", "peak_rss_mb"),
        "raw-ct2-backend": {"tokens_per_s": side_speed("raw-ct2-backend"), "batching": "the backend's padded batches"},
        "ct2-chunks-16": {
            "tokens_per_s": side_speed("ct2-chunks-16"),
            "first_sentence_fraction": fraction("ct2-chunks-16"),
        },
        "ct2-no-fixup": {"tokens_per_s": side_speed("ct2-no-fixup")},
        "ct2-first-shared": {
            "tokens_per_s": side_speed("ct2-first-shared"),
            "first_sentence_vs_solo": _rounded(numbers.get("first_shared_vs_solo_worst"), 2),
        },
        "ct2-budget-2048": {"tokens_per_s": side_speed("ct2-budget-2048")},
        "ct2-greedy": {
            "tokens_per_s": side_speed("ct2-greedy"),
            "speedup_vs_beam4": _rounded(numbers["greedy_ct2"], 2),
        },
        "ct2-limit": process("ct2-limit", "tokens_per_s", "peak_rss_mb"),
        "ct2-limit-2048": process("ct2-limit-2048", "tokens_per_s", "peak_rss_mb"),
        "ct2-limit-x4": process("ct2-limit-x4", "tokens_per_s", "peak_rss_mb"),
        "raw-ct2-limit": process("raw-ct2-limit", "peak_rss_mb"),
        "ct2-tokens-x4": {
            "tokens_per_s": side_speed("ct2-tokens-x4"),
            "speedup_vs_default": _rounded(numbers["budget_x4_speedup"], 2),
        },
        "transformers-greedy": {
            **process("transformers-greedy", "tokens_per_s", "peak_rss_mb"),
            "speedup_vs_beam4": _rounded(numbers["greedy_transformers"], 2),
        },
        "transformers-small": process("transformers-small", "tokens_per_s", "peak_rss_mb"),
    }
    if argos and argos in peers:
        contenders["argos"] = {
            "layout": argos,
            "tokens_per_s": _rounded(peers[argos]["tokens_per_s"]),
            "peak_rss_mb": _rounded(peers[argos]["peak_rss_mb"]),
            "first_sentence_s": _rounded(peers[argos]["first_sentence_s"], 2),
            "whole_article_s": _rounded(peers[argos]["whole_article_s"], 2),
            "reader_speed_ratio": _rounded(numbers.get("vs_argos_speed"), 2),
            "reader_speed_ratio_cpu": _rounded(numbers.get("vs_argos_speed_cpu"), 2),
            "reader_memory_share": _rounded(numbers.get("vs_argos_memory"), 2),
            "reader_first_sentence_sooner": _rounded(numbers.get("vs_argos_first"), 1),
            "reader_speed_ratio_busy_core": _rounded(numbers.get("vs_argos_busy"), 2),
        }
        for name, row in peers.items():
            contenders[f"peer:{name}"] = {
                "tokens_per_s": _rounded(row["tokens_per_s"]),
                "peak_rss_mb": _rounded(row["peak_rss_mb"]),
                "first_sentence_s": _rounded(row["first_sentence_s"], 2),
                "whole_article_s": _rounded(row["whole_article_s"], 2),
                "load_s": _rounded(row["load_s"], 2),
            }
    return {"machine": info["line"], "date": info["date"], "command": info.get("command"), "contenders": contenders}


def write_docs(
    rows: list[dict],
    side: Mapping[str, dict],
    peers: Mapping[str, dict],
    plan: Mapping[str, Any],
    info: Mapping[str, Any],
    command: str,
    docs: Path = DOCS,
) -> None:
    docs.mkdir(exist_ok=True)
    plot(rows, side, peers, docs / "performance.png")
    numbers = figures(rows, side, peers)
    (docs / "performance.json").write_text(
        json.dumps(results_json(rows, side, peers, numbers, {**info, "command": command}), indent=2) + "\n",
        encoding="utf-8",
    )

    def times(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}×"

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.0f}%"

    def mb(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f}"

    names = [a["name"] for a in plan["articles"]]
    first_calls = {
        name.split(".")[0]: " + ".join(str(len(call)) for call in calls[:3])
        for name, calls in zip(names, plan["schedules"]["parallel"]["calls"], strict=True)
    }
    template = Path(__file__).with_name("performance.md.template").read_text(encoding="utf-8")
    text = template.format(
        date=info["date"],
        command=command,
        machine=info["line"],
        threads=plan["threads"],
        os=info["os"],
        articles=len(plan["articles"]),
        sentences=sum(a["sentences"] for a in plan["articles"]),
        inputs=len(schedule_inputs(plan, "parallel")),
        tokens=nominal_tokens(plan, "parallel"),
        table=table(rows),
        side=side_table(side) if side else "(not run)",
        peers=peer_table(peers, numbers),
        repeats=next(iter(side.values()))["repeats"] if side else 0,
        verdicts="\n".join(verdict_lines(numbers)),
        first_calls=", ".join(f"{k}: {v}" for k, v in first_calls.items()),
        budget=info.get("side_budget", "n/a"),
        resident=mb(info.get("side_resident")),
        first_shared=times(numbers["first_shared_vs_solo_worst"]),
        first_alone_speed=times(numbers["first_alone_vs_shared"]),
        first_alone_speed_cpu=times(numbers["first_alone_vs_shared_cpu"]),
        pipeline_vs_raw=times(numbers["pipeline_vs_raw"]),
        pipeline_vs_raw_cpu=times(numbers["pipeline_vs_raw_cpu"]),
        same_batches=times(numbers["pipeline_vs_raw_same_batches"]),
        batches_cost=times(numbers["backend_batches_vs_one_per_worker"]),
        batches_cost_cpu=times(numbers["backend_batches_vs_one_per_worker_cpu"]),
        cap_vs_2048=times(numbers["cap_vs_2048"]),
        cap_vs_2048_cpu=times(numbers["cap_vs_2048_cpu"]),
        fixup=pct(numbers["fixup_cost"]),
        fixup_cpu=pct(numbers["fixup_cost_cpu"]),
        unpipelined=times(numbers["unpipelined_vs_ct2"]),
        whole_vs_16=times(numbers["whole_vs_chunks_16"]),
        greedy_ct2=times(numbers["greedy_ct2"]),
        greedy_transformers=times(numbers["greedy_transformers"]),
        budget_x4=times(numbers["budget_x4_speedup"]),
        ct2_limit_rss=mb(numbers["ct2_limit_rss"]),
        ct2_limit_2048_rss=mb(numbers["ct2_limit_2048_rss"]),
        ct2_limit_x4_rss=mb(numbers["ct2_limit_x4_rss"]),
        raw_limit_rss=mb(numbers["raw_limit_rss"]),
        transformers_rss=mb(numbers["transformers_rss"]),
        baseline_rss=mb(numbers["baseline_rss"]),
        transformers_small_rss=mb(numbers["transformers_small_rss"]),
        small_speed=times(numbers["transformers_small_speed"]),
        argos=numbers.get("argos") or "n/a",
        side_load=f"{info['side_load'][0]:.1f} at its start, {info['side_load'][1]:.1f} at its end"
        if info.get("side_load")
        else "n/a",
        cpu_share=", ".join(f"{r['name']} {r['cpu_share']:.2f}" for r in rows),
        same_work="yes"
        if all(r["same_work"] for r in rows) and all(s["produced_ok"] for s in side.values())
        else "NO — see the JSON results",
    )
    page = docs / "performance.md"
    page.write_text(text + kept_sections(page), encoding="utf-8")


SERVED = "## reader serve against LibreTranslate"
"""Where benchmarks/serve.py's section starts: it is written by hand from that script's runs, and kept."""


def kept_sections(page: Path) -> str:
    """The serving benchmark's section of the page as it stands, so a speed run does not erase it."""
    old = page.read_text(encoding="utf-8") if page.exists() else ""
    return "\n" + old[old.index(SERVED) :] if SERVED in old else ""


def plot(rows: list[dict], side: Mapping[str, dict], peers: Mapping[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [
        (r["name"], r["tokens_per_s"], r.get("backend"))
        for r in rows
        if r["name"] not in ("ct2-cached", "raw-ct2-limit")
    ]
    shown += [(f"{name} (side by side)", row["tokens_per_s"], "ct2") for name, row in side.items() if name != "solo"]
    shown += [
        (f"{name} (peers)", row["tokens_per_s"], "peer" if name.startswith("argos") else "ct2")
        for name, row in peers.items()
    ]
    palette = {None: "#9e9e9e", "ct2": "#1f77b4", "raw": "#1f77b4", "peer": "#2ca02c"}
    colors = [palette.get(backend, "#ff7f0e") for _, _, backend in shown]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(shown) + 1.6))
    bars = ax.barh([s[0] for s in shown][::-1], [s[1] for s in shown][::-1], color=colors[::-1])
    for bar, (_, value, _) in zip(bars, shown[::-1], strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value:.0f}", va="center", fontsize=8)
    ax.set_xlabel("target tokens per second (higher is better)")
    ax.set_title("ar→en, opus-mt-ar-en architecture, 2 CPU cores; green: argos-translate", fontsize=10)
    ax.set_xlim(0, max(s[1] for s in shown) * 1.2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def print_summary(rows: list[dict], side: Mapping[str, dict], peers: Mapping[str, dict], line: str) -> None:
    numbers = figures(rows, side, peers)
    if rows:
        print(table(rows), end="\n\n")
    if side:
        print(side_table(side), end="\n\n")
    if peers:
        print(peer_table(peers, numbers), end="\n\n")
    print("\n".join(verdict_lines(numbers)))
    print(f"\nmachine: {line}")
    if not all(r["same_work"] for r in rows) or not all(s["produced_ok"] for s in side.values()):
        print("WARNING: contenders did not all do the planned work; see --json output")
