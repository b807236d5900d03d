"""argos-translate on the benchmark's model, run inside argos-translate's own virtual environment.

This file imports nothing from reader (its environment has none of reader's dependencies): the
parent hands it the CTranslate2 conversion and the articles in a JSON spec. ``--package`` makes an
Argos package of the conversion (metadata.json, model/ with ``add_source_eos``, sentencepiece.model:
Marian's source.spm, and a blank Arabic spaCy pipeline for its sentence splitting, since MiniSBD and
Stanza download their models) and installs it with argostranslate's own ``install_from_path``.
Otherwise it translates each article with ``argostranslate.translate``, every CTranslate2 call's
outputs forced to the benchmark's length (1.5 tokens per source word, averaged over the call, as
reader's), and reports times, tokens and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

CODE = ("ar", "en")


def settle_environment(spec: dict[str, Any]) -> None:
    """argostranslate reads its settings from the environment at import time: set them first."""
    home = Path(spec["argos_home"])
    os.environ.update(
        {
            "ARGOS_PACKAGES_DIR": str(home / "packages"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "ARGOS_CHUNK_TYPE": "SPACY",
            "ARGOS_DEVICE_TYPE": "cpu",
            "ARGOS_COMPUTE_TYPE": "int8",
            "ARGOS_BEAM_SIZE": str(spec.get("beam", 4)),
            "ARGOS_INTER_THREADS": str(spec.get("inter_threads", 1)),
            "ARGOS_INTRA_THREADS": str(spec.get("intra_threads", 0)),
        }
    )


def offline() -> None:
    """With ARGOS_CHUNK_TYPE=SPACY, argostranslate fetches spaCy's multilingual model when it is imported;
    the package brings its own pipeline, so that fetch is skipped."""
    from argostranslate import networking

    networking.cache_spacy = lambda: None


def make_package(spec: dict[str, Any]) -> None:
    """An .argosmodel of the CTranslate2 conversion, installed into the benchmark's own packages folder."""
    import spacy

    source = Path(spec["ct2_dir"])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "translate-ar_en"
        (root / "model").mkdir(parents=True)
        for name in ("model.bin", "shared_vocabulary.json"):
            shutil.copy(source / name, root / "model" / name)
        config = json.loads((source / "config.json").read_text(encoding="utf-8"))
        config["add_source_eos"] = True  # Marian ends every source with </s>; argos does not add it
        (root / "model" / "config.json").write_text(json.dumps(config), encoding="utf-8")
        shutil.copy(source / "source.spm", root / "sentencepiece.model")
        spacy.blank("ar").to_disk(root / "spacy")
        metadata = {
            "package_version": "1.0",
            "argos_version": "1.11",
            "from_code": CODE[0],
            "from_name": "Arabic",
            "to_code": CODE[1],
            "to_name": "English",
            "type": "translate",
        }
        (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
        archive = Path(tmp) / "translate-ar_en.argosmodel"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:
            for path in sorted(root.rglob("*")):
                zipped.write(path, path.relative_to(root.parent))
        from argostranslate import package

        package.install_from_path(archive)


class Forced:
    """ctranslate2.Translator as argos calls it, every call's outputs forced to the benchmark's length."""

    real: Any = None
    produced = 0
    calls = 0
    tokens_per_word = 1.5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._model = Forced.real(*args, **kwargs)

    def translate_batch(self, source: list[list[str]], *args: Any, **kwargs: Any) -> Any:
        if not source:  # a blank paragraph
            return self._model.translate_batch(source, *args, **kwargs)
        words = [max(1, sum(piece.startswith("\u2581") for piece in pieces)) for pieces in source]
        length = max(1, round(Forced.tokens_per_word * sum(words) / len(words)))
        kwargs["min_decoding_length"] = kwargs["max_decoding_length"] = length
        outputs = self._model.translate_batch(source, *args, **kwargs)
        Forced.calls += 1
        Forced.produced += sum(len(output.hypotheses[0]) for output in outputs)
        return outputs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def translate(spec: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    import ctranslate2

    Forced.real = ctranslate2.Translator
    Forced.tokens_per_word = spec["tokens_per_word"]
    ctranslate2.Translator = Forced  # argostranslate.translate looks it up when it first translates
    from argostranslate import translate as argos

    languages = {language.code: language for language in argos.get_installed_languages()}
    translation = languages[CODE[0]].get_translation(languages[CODE[1]])
    translation.translate("مرحبا")  # loads the model and spaCy, as a first request would
    warm = Forced.produced
    loaded = time.perf_counter()
    per_article, cpu = [], time.process_time()
    for text in spec["texts"]:
        began = time.perf_counter()
        translation.translate(text)
        per_article.append(time.perf_counter() - began)
    return {
        "load_s": loaded - start,
        "per_article_s": per_article,
        "first_sentence_s": per_article,  # argos returns nothing until the whole text is done
        "translate_s": sum(per_article),
        "cpu_s": time.process_time() - cpu,
        "produced_tokens": Forced.produced - warm,
        "model_calls": Forced.calls,
        "peak_rss_mb": peak_rss_mb(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg()[0],
        "argostranslate": _version(),
    }


def _version() -> str:
    from importlib.metadata import version

    return version("argostranslate")


def main(run: Callable[[dict[str, Any]], dict[str, Any]] | None = None, description: str | None = None) -> int:
    """Make and install the package (``--package``), or ``run`` the spec (this module's ``translate`` by default)."""
    parser = argparse.ArgumentParser(description=description or __doc__)
    parser.add_argument("--spec", type=Path, required=True)
    parser.add_argument("--package", action="store_true", help="make and install the Argos package, then stop")
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    settle_environment(spec)
    offline()
    if args.package:
        make_package(spec)
        report: dict[str, Any] = {"installed": str(Path(spec["argos_home"]) / "packages")}
    else:
        report = (run or translate)(spec)
    Path(spec["result"]).write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
