"""The reader app's logic; ``streamlit_app.py`` only wires widgets to what is here.

Nothing in this module imports Streamlit, so all of it can be tested without a browser or a
script runner: reading the four kinds of input, sharing one loaded model between sessions,
translating while the view fills in, and preparing the downloads.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from reader import export, ingest
from reader.config import PACKAGE_ROOT, Settings
from reader.document import Document, Flag
from reader.errors import InputError, ModelNotFoundError, ReaderError
from reader.export.html import render_page
from reader.translate.shared import SharedTranslator

log = logging.getLogger(__name__)

SEEDS_DIR = PACKAGE_ROOT / "seeds"
PASTE, UPLOAD, URL, SAMPLE = "Paste text", "Upload a file", "Article URL", "Sample article"
INPUT_KINDS = (PASTE, UPLOAD, URL, SAMPLE)
UPLOAD_TYPES = tuple(suffix.lstrip(".") for suffix in ingest.SUFFIXES)
VIEW_MAX_HEIGHT = 900
"""Pixels; a longer article scrolls inside the frame (a pinned sentence scrolls its pair into view)."""
VIEW_MIN_HEIGHT = 260
INPUT_CSS = "<style>textarea { unicode-bidi: plaintext; }</style>"
"""Each pasted line takes its own direction, so Arabic reads right to left in the input box too."""
BEAM_RANGE = (1, 8)

DOWNLOADS = (
    ("json", "JSON", "application/json"),
    ("html", "HTML", "text/html"),
    ("pdf", "PDF", "application/pdf"),
    ("md", "Markdown", "text/markdown"),
    ("tmx", "TMX", "application/x-tmx+xml"),
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


# ---- input ---------------------------------------------------------------------------------


def read_article(kind: str, value: object, settings: Settings) -> ingest.Article:
    """Dispatch one input widget's value: text for paste/URL/sample, (name, bytes) for an upload."""
    if kind == PASTE:
        return ingest.read_text(str(value or ""), settings=settings)
    if kind == UPLOAD:
        if not isinstance(value, tuple):
            raise InputError("choose a file to upload first")
        name, data = value
        return read_upload(str(name), bytes(data), settings)
    if kind == URL:
        url = str(value or "").strip()
        if not url:
            raise InputError("enter the URL of an article first")
        return ingest.fetch_article(url, settings)
    if kind == SAMPLE:
        return read_seed(str(value or ""), settings)
    raise InputError(f"unknown input kind {kind!r}")


def read_upload(name: str, data: bytes, settings: Settings) -> ingest.Article:
    """An uploaded file, held to the same rules as a file on disk: type, size, and real text content."""
    suffix = Path(name).suffix.lower()
    if suffix not in ingest.SUFFIXES:
        raise InputError(
            f"{name}: unsupported file type {suffix or '(none)'!r}; use one of {', '.join(ingest.SUFFIXES)}"
        )
    if len(data) > settings.max_input_bytes:
        raise InputError(
            f"{name}: is {len(data):,} bytes, over the limit of {settings.max_input_bytes:,} (READER_MAX_INPUT_BYTES)"
        )
    if suffix in ingest.HTML_SUFFIXES:
        return ingest.article_from_html_bytes(data, source=name)
    text, warnings = ingest.decode_bytes(data, name)
    article = ingest.read_text(text, source=name)
    return replace(article, warnings=warnings + article.warnings)


def upload_limit_mb(settings: Settings) -> int:
    """Streamlit's upload cap in (binary) megabytes, rounded up; the exact byte limit is checked after."""
    return max(1, math.ceil(settings.max_input_bytes / 2**20))


def seed_names(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    return sorted(p.name for p in seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else []


def read_seed(name: str, settings: Settings, seeds_dir: Path = SEEDS_DIR) -> ingest.Article:
    # Only names from the listing are accepted, so the value can never point outside seeds/.
    if name not in seed_names(seeds_dir):
        raise InputError(f"no sample article named {name!r}")
    article = ingest.read_file(seeds_dir / name, settings)
    return replace(article, source=f"seeds/{name}")


# ---- models --------------------------------------------------------------------------------


def model_choices(settings: Settings) -> list[str]:
    """Models the sidebar offers: the configured one first when it can be loaded, then the installed ones."""
    from reader.models.store import installed_models, resolve

    names = [m.name for m in installed_models(settings)]
    if settings.model in names:
        names.remove(settings.model)
        return [settings.model, *names]
    try:
        resolve(settings)
    except ModelNotFoundError:
        return names
    return [settings.model, *names]


def no_model_help(settings: Settings) -> str:
    """Markdown for the panel shown when no model is installed."""
    return (
        "**No translation model is installed yet.**\n\n"
        "Download the default model (needs internet once):\n\n"
        "```\nreader models pull opus-mt-ar-en\n```\n\n"
        "or import a Marian model folder you already have:\n\n"
        "```\nreader models import PATH --name opus-mt-ar-en\n```\n\n"
        f"Models are stored in `{settings.models_dir}`. Reload this page afterwards."
    )


def open_shared_translator(settings: Settings) -> SharedTranslator:
    """Load the configured model behind the sentence cache (slow: call once, e.g. via st.cache_resource)."""
    from reader.api import open_translator

    return SharedTranslator(open_translator(settings)())


# ---- translating and viewing ---------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One article as the app shows it: the document so far and how it was obtained."""

    document: Document
    done: int
    total: int
    model_calls: int
    warnings: tuple[str, ...] = ()

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def status(self) -> str:
        if self.finished:
            return f"Translated {self.total} sentences"
        return f"Translating… {self.done} of {self.total} sentences"

    @property
    def summary(self) -> str:
        sentences = self.document.sentences
        cached = sum(1 for s in sentences if s.has(Flag.CACHED))
        passthrough = sum(1 for s in sentences if s.has(Flag.PASSTHROUGH))
        text = (
            f"{len(sentences)} sentences · {cached} from cache · {passthrough} passed through · "
            f"model calls: {self.model_calls}"
        )
        if self.finished and self.model_calls == 0:
            text += " (nothing sent to the model)"
        return text


def translate(
    article: ingest.Article, shared: SharedTranslator, settings: Settings, *, chunk_sentences: int = 16
) -> Iterator[Reading]:
    """The reading as it fills in: cached and passthrough sentences at once, then one update per chunk."""
    from reader.api import iter_article

    run = shared.for_run()
    for progress in iter_article(article, run, settings, chunk_sentences=chunk_sentences):
        yield Reading(progress.document, progress.done, progress.total, run.model_calls, article.warnings)


def view_height(document: Document) -> int:
    """A frame height that fits a short article without a scrollbar (an estimate: the frame scrolls anyway)."""
    height = 150  # header and column heads
    for paragraph in document.paragraphs:
        arabic_lines = math.ceil(len(paragraph.source) / 60)
        english_lines = math.ceil(max(len(paragraph.translation), 1) / 70)
        height += max(arabic_lines * 40, english_lines * 28) + 18
    return max(VIEW_MIN_HEIGHT, min(VIEW_MAX_HEIGHT, height))


def view_html(reading: Reading, *, word_alignment: bool = True) -> str:
    """The component's page: the same renderer as the HTML export, laid out to fill the frame."""
    return render_page(reading.document, standalone=False, word_alignment=word_alignment)


@dataclass(frozen=True)
class Download:
    label: str
    file_name: str
    mime: str
    data: bytes | None
    error: str = ""


def downloads(document: Document) -> list[Download]:
    """Every installed export format, rendered now; one that cannot be produced carries its error instead."""
    stem = download_stem(document)
    out = []
    for fmt, label, mime in DOWNLOADS:
        if importlib.util.find_spec(export.FORMATS[fmt]) is None:
            continue  # that exporter is not part of this installation
        try:
            out.append(Download(label, f"{stem}.{fmt}", mime, export.render(document, fmt)))
        except ReaderError as exc:
            out.append(Download(label, f"{stem}.{fmt}", mime, None, str(exc)))
        except Exception as exc:  # one broken exporter must not take the page down with it
            out.append(Download(label, f"{stem}.{fmt}", mime, None, error_message(exc)))
    return out


def download_stem(document: Document) -> str:
    """A safe file name stem: the source file's name when there is one, else 'article'."""
    source = document.meta.source
    candidate = "" if "://" in source else Path(source).name.split(".")[0]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", candidate).strip("-")
    return f"{stem or 'article'}.ar-en"


# ---- sidebar figures and messages ----------------------------------------------------------


def cache_figures(settings: Settings) -> list[tuple[str, str]]:
    """The sentence cache at a glance, for the sidebar."""
    from reader.cache import SentenceCache

    with SentenceCache.for_settings(settings) as cache:
        stats = cache.stats()
    return [
        ("Cached sentences", f"{stats.entries:,}"),
        ("Models in cache", f"{len(stats.per_fingerprint):,}"),
        ("Cache hits", f"{stats.hits:,}"),
        ("Size", f"{stats.size_bytes / 2**20:.1f} MB"),
    ]


def plain(text: str) -> str:
    """Escape Markdown so a message quoting the input (a file name, a URL) is shown as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def error_message(exc: BaseException) -> str:
    """What the user sees for an error: our own messages as they are; anything else named and logged."""
    if isinstance(exc, ReaderError):
        return plain(str(exc))
    log.error("unexpected error in the app", exc_info=exc)
    return plain(f"Unexpected error ({type(exc).__name__}): {exc}. Details are in the server log.")
