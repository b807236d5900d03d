"""reader serve against LibreTranslate, side by side on one machine: requests per second and p50/p95 latency.

Both servers serve the same CTranslate2 model (the toy model the tests train, converted to int8), over
loopback, beam 4, on the same cores: reader serve as it ships (CTranslate2 workers, one thread each, and a
copy of the model on every core for a lone request when that was faster at start); LibreTranslate in the
thread layouts ``--lt-threads`` gives (default Argos's own: one translator, its threads over every core;
``2,1`` is reader's worker layout). Every row also gives the load average and the CPU milliseconds the
server's processes spent per request, which, unlike requests per second, do not depend on the share of a
shared machine the server got. LibreTranslate gets the model as an Argos package (``.argosmodel``: metadata.json,
model/, sentencepiece.model, and a blank Arabic spaCy pipeline for sentence splitting, since its default
splitters download models), installed by unzipping into its package folder beside a second package (the
same model, en->ar) so that it never tries to download an index. It runs from its own virtual environment
(``--lt-venv``; LibreTranslate installs its own fork of argostranslate):

    python3 -m venv .cache/lt-venv && .cache/lt-venv/bin/pip install torch==2.13.0 \\
        && .cache/lt-venv/bin/pip install libretranslate spacy
    python benchmarks/serve.py --lt-venv .cache/lt-venv

Each cell runs ``--seconds`` with N clients, each sending one request at a time: one sentence, or one
article (six paragraphs of three sentences). "cold": texts never sent before (distinct sentences of the toy
language); "warm": the same texts again (reader answers from its sentence cache; Argos has a per-paragraph
cache of its own). Latencies are per request; p95/p50 shows how evenly callers are served. Every server
runs every cell in turn, so they are measured side by side; each row records the load average.

``--model opus-mt-ar-en`` serves the speed benchmark's model instead (opus-mt-ar-en's architecture and
vocabulary, random weights: benchmarks/bench_model.py). Random weights decode to arbitrary lengths, which
each server cuts differently, so both processes get benchmarks/serve_forcing/ on their PYTHONPATH: its
sitecustomize forces every beam search to 1.5 target tokens per source word, as benchmarks/speed.py does
in-process, and counts the tokens decoded (the "tokens/request" columns show both did the same work).
Its sentences all have the same number of words, so a batch of several is forced to each one's length.
``--lt-threads`` may be given more than once, to run LibreTranslate with several thread layouts at once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = ROOT / ".cache" / "serve-bench"
FORCING = Path(__file__).resolve().parent / "serve_forcing"
TOKENS_PER_WORD = 1.5
"""As benchmarks/speed.py forces them."""
COLD = ((300, 4000), (60, 600))
"""Texts made for each cold cell, (articles, sentences) for the toy model, then for the random-weight one:
far more than a cell sends, so a cold cell never repeats one."""
WORDS_PER_SENTENCE = 20
"""The length of every sentence sent to the random-weight model (a news sentence's usual length)."""


def free_port() -> int:
    from tests.support.browser import free_port as port

    return port()


def converted_toy(work: Path) -> Path:
    from reader.models.convert import convert_to_ct2
    from tests.support.toy import toy_model_dir

    return convert_to_ct2(toy_model_dir(), work / "toy-ct2-int8", quantization="int8", force=False)


def converted_bench_model() -> Path:
    from benchmarks.bench_model import build_model, convert_model

    return convert_model(build_model())


def forced_env(stats: Path, tokens_per_word: float = TOKENS_PER_WORD) -> dict[str, str]:
    """What a server process needs to decode the forced lengths (see the module docstring)."""
    return {"SERVE_BENCH_TOKENS_PER_WORD": str(tokens_per_word), "SERVE_BENCH_STATS": str(stats)}


def decoded(stats: Path) -> dict[str, int]:
    """The forced tokens a server's processes decoded so far (each writes its own file)."""
    total = {"calls": 0, "inputs": 0, "tokens": 0, "wanted": 0}
    for path in stats.parent.glob(f"{stats.name}.*"):
        if path.name.endswith(".tmp"):
            continue
        for key, value in json.loads(path.read_text()).items():
            total[key] += value
    return total


def argos_package(ct2_dir: Path, work: Path, lt_python: Path, source: str, target: str) -> Path:
    """An .argosmodel zip of the converted model (see the module docstring)."""
    folder = work / f"argos-{source}-{target}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "model").mkdir(parents=True)
    for name in ("model.bin", "shared_vocabulary.json", "config.json"):
        if (ct2_dir / name).exists():
            shutil.copy(ct2_dir / name, folder / "model" / name)
    config = json.loads((folder / "model" / "config.json").read_text())
    config["add_source_eos"] = True  # Marian's inputs end in </s>; Argos's tokenizer does not add it
    (folder / "model" / "config.json").write_text(json.dumps(config))
    shutil.copy(ct2_dir / "source.spm", folder / "sentencepiece.model")
    metadata = {
        "package_version": "1.0",
        "argos_version": "1.9",
        "from_code": source,
        "from_name": {"ar": "Arabic", "en": "English"}[source],
        "to_code": target,
        "to_name": {"ar": "Arabic", "en": "English"}[target],
        "type": "translate",
        "links": [],
    }
    (folder / "metadata.json").write_text(json.dumps(metadata))
    subprocess.run(
        [str(lt_python), "-c", f"import spacy; spacy.blank('ar').to_disk({str(folder / 'spacy')!r})"], check=True
    )
    archive = work / f"translate-{source}_{target}.argosmodel"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(folder.rglob("*")):
            zipped.write(path, Path(folder.name) / path.relative_to(folder))
    return archive


def install(archive: Path, packages: Path) -> None:
    """What ``argospm install`` does with a local file: unzip it into the package folder."""
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(packages)


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/languages", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server did not start:\n{log.read_text()[-3000:]}")


def start_reader(
    ct2_dir: Path, work: Path, threads: int, beam: int, workers: int = 1, forcing: dict[str, str] | None = None
) -> tuple[str, subprocess.Popen]:
    port = free_port()
    home = work / "reader-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    options = {
        "port": port,
        "workers": workers,
        "keys_db": str(home / "keys.sqlite3"),
        "queue": 100_000,
        "char_limit": 10_000_000,
    }
    env = dict(
        os.environ,
        READER_MODEL=str(ct2_dir),
        READER_BACKEND="ct2",
        READER_THREADS=str(max(1, threads // workers)),
        READER_BEAM=str(beam),
        READER_CACHE_PATH=str(home / "cache.sqlite3"),
        READER_LIBRARY=str(home / "library"),
        READER_SERVE_OPTIONS=json.dumps(options),
        READER_SERVE_LOG_LEVEL="warning",
        PYTHONPATH=os.pathsep.join([str(FORCING), str(ROOT)] if forcing else [str(ROOT)]),
        **(forcing or {}),
    )
    log = work / "reader-serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "reader.serve"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process, log)
    return url, process


def start_libretranslate(
    lt_venv: Path, packages: Path, work: Path, threads: tuple[int, int], beam: int, forcing: dict[str, str] | None
) -> tuple[str, subprocess.Popen]:
    port = free_port()
    home = work / f"lt-home-{threads[0]}x{threads[1]}"
    env = dict(
        os.environ,
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        ARGOS_TRANSLATE_PACKAGE_DIR=str(packages),
        ARGOS_PACKAGES_DIR=str(packages),
        ARGOS_CHUNK_TYPE="SPACY",
        ARGOS_DEVICE_TYPE="cpu",
        ARGOS_INTER_THREADS=str(threads[0]),
        ARGOS_INTRA_THREADS=str(threads[1]),
        ARGOS_BEAM_SIZE=str(beam),
        **(forcing or {}),
    )
    env.pop("PYTHONPATH", None)
    if forcing:
        env["PYTHONPATH"] = str(FORCING)
    log = work / f"libretranslate-{threads[0]}x{threads[1]}.log"
    command = [
        # Run by the venv's python: the script's #! line names the folder the venv was made in.
        str(lt_venv / "bin" / "python"), str(lt_venv / "bin" / "libretranslate"),
        "--host", "127.0.0.1", "--port", str(port),
        "--load-only", "ar,en", "--disable-web-ui", "--disable-files-translation", "--threads", "32",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process, log)
    return url, process


def texts(kind: str, seed: int, count: int, model: str) -> list[str]:
    """``count`` distinct texts: single sentences, or articles of six paragraphs of three sentences.

    The toy model gets sentences of its own language; the random-weight model sentences of
    ``WORDS_PER_SENTENCE`` words drawn from the seed articles (its source vocabulary was trained on them).
    """
    sentences = toy_sentences(seed, count * 18) if model == "toy" else seed_sentences(seed, count * 18)
    if kind == "sentence":
        return sentences[:count]
    return [
        "\n\n".join(" ".join(sentences[a + p * 3 : a + p * 3 + 3]) for p in range(6)) for a in range(0, count * 18, 18)
    ]


def toy_sentences(seed: int, count: int) -> list[str]:
    from tests.support.toy import corpus

    return [e.source if e.source.endswith(".") else e.source + " ." for e in corpus(seed, count)]


def seed_sentences(seed: int, count: int) -> list[str]:
    import random
    import re

    from benchmarks.bench_model import seed_lines

    words = sorted({w for line in seed_lines() for w in line.split() if re.fullmatch(r"[\u0621-\u064a]{2,}", w)})
    rng = random.Random(seed)
    return [" ".join(rng.choices(words, k=WORDS_PER_SENTENCE)) + "." for _ in range(count)]


def load(url: str, clients: int, seconds: float, pick: Callable[[], str | None]) -> dict[str, float]:
    """``clients`` threads, each sending one request at a time for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(timeout=300) as http:
            while time.monotonic() < end:
                with lock:
                    text = pick()
                if text is None:
                    return
                started = time.perf_counter()
                answer = http.post(f"{url}/translate", json={"q": text, "source": "ar", "target": "en"})
                took = time.perf_counter() - started
                with lock:
                    if answer.status_code == 200:
                        latencies.append(took)
                    else:
                        errors.append(f"{answer.status_code}: {answer.text[:120]}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        return {"requests": 0, "errors": len(errors), "rps": 0.0, "p50": 0.0, "p95": 0.0, "first_error": errors[:1]}
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": p95,
        "first_error": errors[:1],
    }


def feeder(items: list[str]) -> Callable[[], str | None]:
    stream: Iterator[str] = iter(items)
    return lambda: next(stream, None)


class Server:
    """One server under test: its URL, process, and where its forced-length counts are written (or None)."""

    def __init__(self, name: str, url: str, process: subprocess.Popen, stats: Path | None) -> None:
        self.name, self.url, self.process, self.stats = name, url, process, stats

    def tokens(self) -> int:
        return decoded(self.stats)["tokens"] if self.stats else 0

    def batches(self) -> tuple[int, int]:
        """reader serve's batcher so far (batches, sentences), as /health reports it; (0, 0) elsewhere."""
        if self.name != "reader serve":
            return 0, 0
        report = httpx.get(f"{self.url}/health", timeout=30).json()["batcher"]
        return report["batches"], report["sentences"]

    def cpu(self) -> float:
        """CPU seconds the server's processes have used: the cost of a request whatever the machine's load."""
        import psutil

        root = psutil.Process(self.process.pid)
        total = 0.0
        for process in (root, *root.children(recursive=True)):
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total


def run(args: argparse.Namespace) -> list[dict]:
    work = WORK
    work.mkdir(parents=True, exist_ok=True)
    ct2_dir = converted_toy(work) if args.model == "toy" else converted_bench_model()
    forced = args.tokens_per_word > 0
    for old in work.glob("stats-*"):
        old.unlink()
    servers: list[Server] = []

    def forcing(name: str) -> tuple[Path | None, dict[str, str] | None]:
        stats = work / f"stats-{name}"
        return (stats, forced_env(stats, args.tokens_per_word)) if forced else (None, None)

    try:
        stats, env = forcing("reader")
        url, process = start_reader(ct2_dir, work, args.threads, args.beam, args.reader_workers, env)
        servers.append(Server("reader serve", url, process, stats))
        lone = httpx.get(f"{url}/health", timeout=30).json()["lone_sentence"]
        print(json.dumps({"reader serve": f"a lone sentence on {lone}"}), flush=True)
        if args.lt_venv:
            lt_venv = Path(args.lt_venv).resolve()
            archives = [
                argos_package(ct2_dir, work, lt_venv / "bin" / "python", source, target)
                for source, target in (("ar", "en"), ("en", "ar"))
            ]
            for inter, intra in args.lt_threads:
                packages = work / f"lt-home-{inter}x{intra}" / "packages"
                shutil.rmtree(packages.parent, ignore_errors=True)
                for archive in archives:
                    install(archive, packages)
                stats, env = forcing(f"lt-{inter}x{intra}")
                url, process = start_libretranslate(lt_venv, packages, work, (inter, intra), args.beam, env)
                servers.append(Server(f"LibreTranslate {inter}x{intra}", url, process, stats))
        argos = in_process_argos(args, ct2_dir, work, forcing("argos")[1]) if args.argos_venv else None
        return measure(args, servers, argos)
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait(timeout=30)


def in_process_argos(
    args: argparse.Namespace, ct2_dir: Path, work: Path, forcing: dict[str, str] | None
) -> Callable[[list[str], tuple[int, int]], dict]:
    """argos-translate in its own process, one text at a time (benchmarks/serve_argos.py): a lone client's floor."""
    python = Path(args.argos_venv).resolve() / "bin" / "python"
    home = work / "argos-home"
    shutil.rmtree(home, ignore_errors=True)
    spec_path, result = work / "argos-spec.json", work / "argos-result.json"
    spec = {
        "argos_home": str(home),
        "ct2_dir": str(ct2_dir),
        "beam": args.beam,
        "seconds": args.seconds,
        "result": str(result),
    }
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(FORCING), str(ROOT)] if forcing else [str(ROOT)]))
    env.update(forcing or {})
    spec_path.write_text(json.dumps(spec))
    subprocess.run([str(python), str(ROOT / "benchmarks" / "serve_argos.py"), "--spec", str(spec_path), "--package"],
                   env=env, check=True)  # fmt: skip

    def translate(items: list[str], layout: tuple[int, int]) -> dict:
        spec_path.write_text(
            json.dumps(spec | {"texts": items, "inter_threads": layout[0], "intra_threads": layout[1]})
        )
        subprocess.run([str(python), str(ROOT / "benchmarks" / "serve_argos.py"), "--spec", str(spec_path)],
                       env=env, check=True)  # fmt: skip
        return json.loads(result.read_text())

    return translate


def measure(
    args: argparse.Namespace, servers: list[Server], argos: Callable[[list[str], tuple[int, int]], dict] | None
) -> list[dict]:
    """Every cell on every server in turn (side by side), cold then warm; argos in process for a lone client,
    in each of LibreTranslate's thread layouts."""
    rows = []
    seed = 100
    cells = [
        (kind, clients, repeat) for kind in args.kinds for clients in args.clients for repeat in range(args.repeat)
    ]
    for kind, clients, repeat in cells:
        for inter, intra in args.lt_threads if argos and clients == 1 else []:
            seed += 1
            before = os.getloadavg()[0]
            items = texts(kind, seed, COLD[args.model != "toy"][kind == "sentence"], args.model)
            row = {"server": f"argos-translate in process {inter}x{intra}", "input": kind, "clients": 1}
            row |= {"cache": "cold", **argos(items, (inter, intra))}
            row["load"] = [round(before, 2), round(os.getloadavg()[0], 2)]
            row["round"] = repeat
            rows.append(row)
            print(json.dumps(row), flush=True)
        for server in servers:
            seed += 1
            items = texts(kind, seed, COLD[args.model != "toy"][kind == "sentence"], args.model)
            sent: list[str] = []

            def pick(items: list[str] = items, sent: list[str] = sent) -> str | None:
                if len(sent) == len(items):
                    return None
                sent.append(items[len(sent)])
                return sent[-1]

            for temperature in args.caches:
                before, tokens, cpu, batched = os.getloadavg()[0], server.tokens(), server.cpu(), server.batches()
                source = pick if temperature == "cold" else feeder(sent * 50)
                result = load(server.url, clients, args.seconds, source)
                time.sleep(0.5 if server.stats else 0)  # the counts are written every 0.2 s
                spent, cpu = server.tokens() - tokens, server.cpu() - cpu
                calls, sentences = (now - then for now, then in zip(server.batches(), batched, strict=True))
                row = {
                    "server": server.name,
                    "input": kind,
                    "clients": clients,
                    "cache": temperature,
                    **result,
                    "tokens_per_request": spent / max(1, result["requests"]),
                    "cpu_ms_per_request": 1000 * cpu / max(1, result["requests"]),
                    "sentences_per_batch": sentences / max(1, calls),
                    "load": [round(before, 2), round(os.getloadavg()[0], 2)],
                    "round": repeat,
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    return rows


def merged(rows: list[dict]) -> dict[tuple, dict]:
    """Each cell's repeats as one row: the median of each number, and the lowest and highest load."""
    cells: dict[tuple, list[dict]] = {}
    for row in rows:
        cells.setdefault((row["server"], row["input"], row["clients"], row["cache"]), []).append(row)
    numbers = ("rps", "p50", "p95", "tokens_per_request", "cpu_ms_per_request", "sentences_per_batch")
    return {
        key: {n: statistics.median(r.get(n, 0.0) for r in repeats) for n in numbers}
        | {"load": [min(x for r in repeats for x in r["load"]), max(x for r in repeats for x in r["load"])]}
        for key, repeats in cells.items()
    }


def table(rows: list[dict]) -> str:
    """Each server's requests per second (p50 / p95 latency in seconds), reader serve's ratio to each, and what
    each request cost: forced tokens and CPU milliseconds (medians of the repeats)."""
    others = [name for name in dict.fromkeys(r["server"] for r in rows) if name != "reader serve"]
    names = ["reader serve", *others]
    forced = any(r.get("tokens_per_request") for r in rows)
    head = ["input", "clients", "cache", *names, *(f"reader / {name}" for name in others), "reader sentences/batch"]
    head += ["tokens/request", "CPU ms/request"] if forced else ["CPU ms/request"]
    head.append("load")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    keyed = merged(rows)
    for kind, clients, cache in dict.fromkeys((k[1], k[2], k[3]) for k in keyed):
        found = [keyed.get((name, kind, clients, cache)) for name in names]
        mine = keyed.get(("reader serve", kind, clients, cache))
        cells = [kind, str(clients), cache]
        cells += [f"{r['rps']:.3g} ({r['p50']:.3g} / {r['p95']:.3g})" if r else "-" for r in found]
        for name in others:
            other = keyed.get((name, kind, clients, cache))
            cells.append(f"{mine['rps'] / other['rps']:.2f}x" if mine and other and other["rps"] else "-")
        cells.append(f"{mine['sentences_per_batch']:.1f}" if mine else "-")
        if forced:
            cells.append(
                ", ".join(f"{r['tokens_per_request']:.0f}" if r and r["tokens_per_request"] else "-" for r in found)
            )
        cells.append(", ".join(f"{r['cpu_ms_per_request']:.1f}" if r else "-" for r in found))
        loads = [x for r in found if r for x in r["load"]]
        lines.append("| " + " | ".join(cells) + f" | {min(loads):.1f}-{max(loads):.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lt-venv", help="LibreTranslate's own virtual environment (none: reader serve alone)")
    parser.add_argument(
        "--model",
        choices=("toy", "opus-mt-ar-en"),
        default="toy",
        help="the toy model the tests train, or opus-mt-ar-en's architecture with random weights, lengths forced",
    )
    parser.add_argument(
        "--tokens-per-word",
        type=float,
        help=f"force every output to this many tokens per source word in every server (default: {TOKENS_PER_WORD} "
        "for opus-mt-ar-en, none for the toy model, whose outputs are real)",
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="per cell")
    parser.add_argument("--repeat", type=int, default=1, help="run each cell this many times, servers in turn")
    parser.add_argument("--clients", type=lambda v: [int(x) for x in v.split(",")], default=[1, 4, 16])
    parser.add_argument("--kinds", type=lambda v: v.split(","), default=["sentence", "article"])
    parser.add_argument(
        "--caches", type=lambda v: v.split(","), default=["cold", "warm"], help="warm: texts sent before"
    )
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument(
        "--lt-threads",
        type=lambda v: tuple(int(x) for x in v.split(",")),
        action="append",
        help="LibreTranslate's INTER,INTRA CTranslate2 threads; repeat to run several layouts side by side "
        "(default: Argos's layout, one translator, 1,THREADS)",
    )
    parser.add_argument(
        "--reader-workers", type=int, default=1, help="reader serve --workers (the threads are shared among them)"
    )
    parser.add_argument(
        "--argos-venv", help="argos-translate's own virtual environment: also time it in process, for one client"
    )
    parser.add_argument("--json", type=Path, help="write the rows here too")
    parser.add_argument("--table", type=Path, nargs="+", help="print the table of rows written with --json, and stop")
    args = parser.parse_args()
    if args.table:
        print(table([row for path in args.table for row in json.loads(path.read_text())]))
        return
    args.lt_threads = args.lt_threads or [(1, args.threads)]
    if args.tokens_per_word is None:
        args.tokens_per_word = 0.0 if args.model == "toy" else TOKENS_PER_WORD
    rows = run(args)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
