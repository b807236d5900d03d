"""Run the speed benchmark: ``python -m benchmarks.speed`` (from the repository root; see __init__.py)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.speed import __doc__ as USAGE
from benchmarks.speed.contenders import (
    ARGOS_LAYOUTS,
    BY_NAME,
    CONTENDERS,
    SIDE_LABELS,
    argos_python,
    argos_spec,
    run_contender,
    run_side_by_side,
)
from benchmarks.speed.harness import DOCS, BusyCore, make_plan, run_child
from benchmarks.speed.report import (
    fastest_argos,
    machine,
    machine_line,
    print_summary,
    summarize,
    summarize_peers,
    summarize_side,
    write_docs,
)

SELF = ("-m", "benchmarks.speed")
ARGOS_CHILD = ("-m", "benchmarks.speed.argos_child")


def child(name: str, spec_path: Path) -> int:
    # Read by transformers when (and only if) a contender imports it: the CTranslate2 pipeline does
    # not, and importing it here would count its 30 MB against that contender's peak.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    if name == "side-by-side":
        report = run_side_by_side(spec["plan"], spec["paths"], spec["threads"], spec["repeats"], spec.get("variants"))
    else:
        report = run_contender(BY_NAME[name], spec["plan"], spec["paths"], spec["threads"])
    Path(spec["result"]).write_text(json.dumps(report), encoding="utf-8")
    return 0


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.speed", description=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="4 sentences of one article, 1 repeat; no docs")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads per contender")
    parser.add_argument("--only", nargs="+", choices=[*BY_NAME, "side-by-side", "peers"], help="run only these")
    parser.add_argument("--repeats", type=int, help="side-by-side runs of each variant (default 3; 1 with --quick)")
    parser.add_argument("--rounds", type=int, help="peer rounds, interleaved (default 3; 1 with --quick)")
    parser.add_argument("--busy-rounds", type=int, help="peer rounds with a busy loop on one core (default 2)")
    parser.add_argument("--variants", nargs="+", choices=list(SIDE_LABELS), help="side-by-side variants to run")
    parser.add_argument(
        "--argos-venv",
        help="argos-translate's own virtual environment (default: READER_BENCH_ARGOS_VENV, else .cache/argos-venv); "
        "peers are skipped when it has no argostranslate",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.{md,json,png}")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--docs-from", type=Path, help="write docs/performance.* again from a saved --json run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.child:
        return child(args.child, args.spec)
    from benchmarks.bench_model import build_model, convert_model

    if args.docs_from:
        saved = json.loads(args.docs_from.read_text(encoding="utf-8"))
        plan = make_plan(build_model(), quick=False, threads=saved["machine"].get("threads", args.threads))
        write_docs(saved["rows"], saved["side"], saved["peers"], plan, saved["machine"], saved["command"])
        print(f"wrote {DOCS / 'performance.md'}, {DOCS / 'performance.json'} and {DOCS / 'performance.png'}")
        return 0
    command = " ".join(["python -m benchmarks.speed", *(shlex.quote(a) for a in (argv or sys.argv[1:]))])
    repeats = args.repeats or (1 if args.quick else 3)
    rounds = args.rounds or (1 if args.quick else 3)
    busy_rounds = args.busy_rounds if args.busy_rounds is not None else (1 if args.quick else 2)
    load_start = os.getloadavg()[0]
    print("building the model (cached after the first run) ...", flush=True)
    hf_dir = build_model()
    ct2_dir = convert_model(hf_dir)
    plan = make_plan(hf_dir, quick=args.quick, threads=args.threads)
    wanted = set(args.only or [])
    chosen = [c for c in CONTENDERS if not wanted or c.name in wanted]
    if any(c.cache == "warm" for c in chosen) and "ct2" not in [c.name for c in chosen]:
        raise SystemExit("ct2-cached needs the ct2 run first (it reads the cache that run fills)")
    argos = argos_python(args.argos_venv)
    peers_wanted = (not wanted or "peers" in wanted) and argos.is_file()
    if (not wanted or "peers" in wanted) and not peers_wanted:
        print(
            f"no argos-translate environment at {argos.parent.parent}: peers skipped (see benchmarks/speed/__init__.py)"
        )
    info: dict[str, Any] = {
        **machine(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "threads": args.threads,
    }
    results: list[dict] = []
    side_report = None
    peers: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        folder = Path(tmp)
        paths = {
            "hf": str(hf_dir),
            "ct2": str(ct2_dir),
            "cache_warm": str(folder / "cache-ct2.sqlite3"),
            "cache_side": str(folder / "cache-side.sqlite3"),
            "argos_home": str(folder / "argos"),
        }
        paths.update({f"cache_{c.name}": str(folder / f"cache-{c.name}.sqlite3") for c in CONTENDERS})
        common = {"plan": plan, "paths": paths, "threads": args.threads, "repeats": repeats, "variants": args.variants}

        def reader_child(name: str, tag: str | None = None, **extra: Any) -> dict:
            spec = {**common, "paths": {**paths, **extra}}
            return run_child([*SELF, "--child", name], spec, folder, tag or name)

        def save() -> tuple[list[dict], dict, dict]:
            """The results so far, summarized, and written to --json after every stage (a long run can be cut)."""
            summary = summarize(results, plan), summarize_side(side_report, plan), summarize_peers(peers, plan)
            if args.json:
                info["line"] = machine_line(info, (load_start, os.getloadavg()[0]))
                raw = {"machine": info, "command": command, "rows": summary[0], "side": summary[1], "peers": summary[2]}
                args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
            return summary

        # The side-by-side ratios and the peers first: the targets; then the process contenders.
        if not wanted or "side-by-side" in wanted:
            print(f"running raw CTranslate2 and the pipeline side by side, {repeats} time(s) each ...", flush=True)
            side_report = reader_child("side-by-side")
            info["side_load"] = (side_report["loadavg_before"], side_report["loadavg_after"])
            info["side_budget"], info["side_resident"] = side_report["batch_budget"], side_report["resident_mb"]
            save()
        if peers_wanted:
            peers = run_peers(plan, paths, folder, argos, rounds, busy_rounds, reader_child)
            info["argostranslate"] = next(
                (r["argostranslate"] for runs in peers.values() for r in runs if "argostranslate" in r), None
            )
            save()
        for contender in chosen:
            print(f"running {contender.name}: {contender.label} ...", flush=True)
            report = reader_child(contender.name)
            report["backend"] = contender.backend
            print(f"  translated in {report['translate_s']:.1f} s (load {report['load_s']:.1f} s)", flush=True)
            results.append(report)
            save()
    rows, side, peer_rows = save()
    info["line"] = machine_line(info, (load_start, os.getloadavg()[0]))
    print()
    print_summary(rows, side, peer_rows, info["line"])
    if not (args.quick or args.no_docs or args.only or args.variants):
        write_docs(rows, side, peer_rows, plan, info, command)
        print(f"wrote {DOCS / 'performance.md'}, {DOCS / 'performance.json'} and {DOCS / 'performance.png'}")
    return 0


def run_peers(
    plan: dict, paths: dict, folder: Path, argos: Path, rounds: int, busy_rounds: int, reader_child: Any
) -> dict[str, list[dict]]:
    """reader's CTranslate2 pipeline and argos-translate's layouts, each in its own process, interleaved by round;
    then the fastest layout and reader again beside a busy loop on one core."""
    print("making the Argos package of the same CTranslate2 model ...", flush=True)
    run_child(
        ["-m", "benchmarks.speed.argos_child", "--package"],
        argos_spec("argos-default", plan, paths),
        folder,
        "argos-package",
        python=str(argos),
    )
    peers: dict[str, list[dict]] = {"ct2": [], **{layout: [] for layout in ARGOS_LAYOUTS}}

    def one(name: str, tag: str) -> dict:
        if name.startswith("ct2"):
            return reader_child("ct2", tag, cache_ct2=str(folder / f"cache-{tag}.sqlite3"))
        layout = name.removesuffix("-busy")
        return run_child([*ARGOS_CHILD], argos_spec(layout, plan, paths), folder, tag, python=str(argos))

    for number in range(rounds):
        for name in peers:
            print(f"peers, round {number + 1}/{rounds}: {name} ...", flush=True)
            peers[name].append(one(name, f"peer-{name}-{number}"))
    fastest = fastest_argos(summarize_peers(peers, plan))
    if fastest and busy_rounds:
        peers["ct2-busy"], peers["argos-busy"] = [], []
        for number in range(busy_rounds):
            for name, runs in (("ct2-busy", peers["ct2-busy"]), (f"{fastest}-busy", peers["argos-busy"])):
                print(f"peers beside a busy core, round {number + 1}/{busy_rounds}: {name} ...", flush=True)
                with BusyCore():
                    runs.append(one(name, f"peer-{name}-{number}"))
    return peers


if __name__ == "__main__":
    sys.exit(main())
