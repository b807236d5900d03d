"""reader serve against LibreTranslate, side by side on one machine: requests per second and p50/p95 latency.

Both servers serve the same CTranslate2 model (the toy model the tests train, converted to int8), over
loopback, beam 4, on the same cores: reader serve as it ships (CTranslate2 workers, one thread each, and a
copy of the model on every core for a lone request); LibreTranslate with Argos's defaults (one translator,
its threads over every core). LibreTranslate gets the model as an Argos package (``.argosmodel``: metadata.json,
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
cache of its own). Latencies are per request; p95/p50 shows how evenly callers are served.
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


def free_port() -> int:
    from tests.support.browser import free_port as port

    return port()


def converted_toy(work: Path) -> Path:
    from reader.models.convert import convert_to_ct2
    from tests.support.toy import toy_model_dir

    return convert_to_ct2(toy_model_dir(), work / "toy-ct2-int8", quantization="int8", force=False)


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


def start_reader(ct2_dir: Path, work: Path, threads: int, beam: int, workers: int = 1) -> tuple[str, subprocess.Popen]:
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
        PYTHONPATH=str(ROOT),
    )
    log = work / "reader-serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "reader.serve"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process, log)
    return url, process


def start_libretranslate(
    lt_venv: Path, packages: Path, work: Path, threads: tuple[int, int], beam: int
) -> tuple[str, subprocess.Popen]:
    port = free_port()
    home = work / "lt-home"
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
    )
    env.pop("PYTHONPATH", None)
    log = work / "libretranslate.log"
    command = [
        str(lt_venv / "bin" / "libretranslate"), "--host", "127.0.0.1", "--port", str(port),
        "--load-only", "ar,en", "--disable-web-ui", "--disable-files-translation", "--threads", "32",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process, log)
    return url, process


def texts(kind: str, seed: int, count: int) -> list[str]:
    """``count`` distinct texts: single toy sentences, or articles of six paragraphs of three sentences."""
    from tests.support.toy import corpus

    if kind == "sentence":
        return [e.source for e in corpus(seed, count)]
    sentences = [e.source + " ." if not e.source.endswith(".") else e.source for e in corpus(seed, count * 18)]
    return [
        "\n\n".join(" ".join(sentences[a + p * 3 : a + p * 3 + 3]) for p in range(6)) for a in range(0, count * 18, 18)
    ]


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


def run(args: argparse.Namespace) -> list[dict]:
    work = WORK
    work.mkdir(parents=True, exist_ok=True)
    ct2_dir = converted_toy(work)
    servers: dict[str, str] = {}
    processes = []
    url, process = start_reader(ct2_dir, work, args.threads, args.beam, args.reader_workers)
    servers["reader serve"] = url
    processes.append(process)
    if args.lt_venv:
        lt_venv = Path(args.lt_venv).resolve()
        packages = work / "lt-home" / "packages"
        shutil.rmtree(work / "lt-home", ignore_errors=True)
        for source, target in (("ar", "en"), ("en", "ar")):
            install(argos_package(ct2_dir, work, lt_venv / "bin" / "python", source, target), packages)
        lt_threads = args.lt_threads or (1, args.threads)
        url, process = start_libretranslate(lt_venv, packages, work, lt_threads, args.beam)
        servers["LibreTranslate"] = url
        processes.append(process)
    rows = []
    seed = 100
    try:
        for kind in args.kinds:
            for clients in args.clients:
                for name, url in servers.items():
                    seed += 1
                    # Far more texts than any run sends: a cold run never repeats one.
                    items = texts(kind, seed, 4000 if kind == "sentence" else 300)
                    sent: list[str] = []

                    def pick(items: list[str] = items, sent: list[str] = sent) -> str | None:
                        if len(sent) == len(items):
                            return None
                        sent.append(items[len(sent)])
                        return sent[-1]

                    cold = load(url, clients, args.seconds, pick)
                    warm = load(url, clients, args.seconds, feeder(sent * 50))
                    for temperature, result in (("cold", cold), ("warm", warm)):
                        row = {"server": name, "input": kind, "clients": clients, "cache": temperature, **result}
                        rows.append(row)
                        print(json.dumps(row), flush=True)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| input | clients | cache | reader req/s | reader p50 / p95 (s) | LibreTranslate req/s | LT p50 / p95 (s)"
        " | req/s ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    keyed = {(r["server"], r["input"], r["clients"], r["cache"]): r for r in rows}
    for (server, kind, clients, cache), row in keyed.items():
        if server != "reader serve":
            continue
        other = keyed.get(("LibreTranslate", kind, clients, cache))
        mine = f"{row['rps']:.1f} | {row['p50']:.3f} / {row['p95']:.3f}"
        if other and other["rps"]:
            theirs = f"{other['rps']:.1f} | {other['p50']:.3f} / {other['p95']:.3f}"
            ratio = f"{row['rps'] / other['rps']:.2f}x"
        else:
            theirs, ratio = "- | -", "-"
        lines.append(f"| {kind} | {clients} | {cache} | {mine} | {theirs} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lt-venv", help="LibreTranslate's own virtual environment (none: reader serve alone)")
    parser.add_argument("--seconds", type=float, default=8.0, help="per cell")
    parser.add_argument("--clients", type=lambda v: [int(x) for x in v.split(",")], default=[1, 4, 16])
    parser.add_argument("--kinds", type=lambda v: v.split(","), default=["sentence", "article"])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument(
        "--lt-threads",
        type=lambda v: tuple(int(x) for x in v.split(",")),
        help="LibreTranslate's INTER,INTRA CTranslate2 threads (default: Argos's own, 1,THREADS)",
    )
    parser.add_argument(
        "--reader-workers", type=int, default=1, help="reader serve --workers (the threads are shared among them)"
    )
    parser.add_argument("--json", type=Path, help="write the rows here too")
    args = parser.parse_args()
    rows = run(args)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
