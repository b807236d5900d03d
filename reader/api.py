"""The composition root and the façade: how the CLI, the app, batch and Ray open a translator and use it.

``open_translator(settings)`` returns a ``TranslatorFactory``: a frozen, picklable description of
the translator (the settings, and a backend registered at run time carried by reference). Calling
it opens the backend on the model the settings resolve to and puts it behind the persistent
sentence cache, so only cache misses reach the model. What travels to a Ray actor is this
factory, never a model.

``translate_article(article, translator, settings)`` (and ``iter_article``, the same as it fills
in) is the one way an ``Article`` becomes a translated ``Document``: its metadata, including the
model's name and fingerprint and the title's translation, is built here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.config import Settings
from reader.document import SCOPE_LEAD, Block, Document, Metadata, same_text
from reader.models.store import InstalledModel, resolve
from reader.pipeline import CHUNK_INPUTS, Progress, iter_translate, translate_text
from reader.translate import registry
from reader.translate.cache import SentenceCache
from reader.translate.cached import CachedTranslator

if TYPE_CHECKING:
    from reader.ingest import Article
    from reader.translate.base import Translator
    from reader.translate.registry import BackendFactory


@dataclass(frozen=True)
class TranslatorFactory:
    """``factory()`` opens the configured model behind the sentence cache (see the module docstring)."""

    settings: Settings
    refresh: bool = False
    """Never read the cache, but store what the model returns (``reader translate --refresh``)."""
    plugin: tuple[str, BackendFactory] | None = None
    """A backend registered at run time, registered again wherever the factory is called."""

    def model(self) -> InstalledModel:
        """The model folder and backend the settings name, without loading anything (fails early and clearly)."""
        return resolve(self.settings)

    def open_backend(self) -> Translator:
        """The backend alone, without the cache (loads the model: slow)."""
        if self.plugin is not None:
            registry.register(*self.plugin)
        model = self.model()
        return registry.create(model.backend, model.path, settings=self.settings)

    def __call__(self) -> CachedTranslator:
        return CachedTranslator(self.open_backend(), SentenceCache.for_settings(self.settings), refresh=self.refresh)


def open_translator(settings: Settings, *, refresh: bool = False) -> TranslatorFactory:
    """The factory for the translator ``settings`` describe; nothing is loaded until it is called."""
    if settings.backend == "auto" or settings.backend in registry.BUILTIN:
        return TranslatorFactory(settings, refresh)
    return TranslatorFactory(settings, refresh, (settings.backend, registry.get(settings.backend)))


def article_metadata(article: Article, model_fingerprint: str, settings: Settings) -> Metadata:
    """What a translated article records: where it came from, and which model (``Translator.model_fingerprint``)
    translated it."""
    return replace(
        article.meta,
        source=article.url or article.source,
        feed=article.feed,
        model=model_label(settings.model),
        model_fingerprint=model_fingerprint,
    )


def title_to_translate(article: Article) -> str:
    """The page's title when the text does not start with it (extraction drops a repeated headline), else ''.

    A text file's headline is its first paragraph, translated with the rest.
    """
    title = article.meta.title.strip()
    if not title:
        return ""
    first = next((line for line in article.text.splitlines() if line.strip()), "")
    return "" if same_text(title, first) else title


def model_label(model: str) -> str:
    """What a document names its model by: a catalog name, or a folder's name (never a local path)."""
    return Path(model).name if ("/" in model or model.startswith(".")) else model


def iter_article(
    article: Article,
    translator: Translator,
    settings: Settings,
    *,
    chunk_sentences: int = CHUNK_INPUTS,
    first_chunk: int | None = None,
    lead: bool = False,
) -> Iterator[Progress]:
    """The translated document as it fills in: cached sentences first, the first sentence soon after
    (``reader.pipeline.iter_translate`` says how the model calls are cut).

    A title that is not the text's first paragraph goes through the same translator (and cache) at
    the end: the last step's document has ``meta.title_translation``. ``lead`` (titles first) translates
    the title and the first paragraph only (the second too when the first is the title): the document
    is marked ``meta.scope`` and ``iter_rest`` translates the rest.
    """
    meta = article_metadata(article, translator.model_fingerprint, settings)
    title = title_to_translate(article)
    paragraphs = None
    if lead:
        meta = replace(meta, scope=SCOPE_LEAD)
        paragraphs = 1 if title else 2
    progress = None
    for progress in iter_translate(
        article.text,
        translator,
        meta=meta,
        settings=settings,
        chunk_sentences=chunk_sentences,
        first_chunk=first_chunk,
        blocks=article.blocks,
        paragraphs=paragraphs,
    ):
        yield progress
    if title and progress is not None:
        translated = translate_text(title, translator, settings=settings)
        english = " ".join(p.translation for p in translated.paragraphs if p.translation)
        document = replace(progress.document, meta=replace(progress.document.meta, title_translation=english))
        yield Progress(document, progress.done, progress.total)


def translate_article(article: Article, translator: Translator, settings: Settings, *, lead: bool = False) -> Document:
    """The whole article translated: no sentence is left pending (nobody watches, so no small first call);
    ``lead``: only its title and first paragraph (``iter_article``)."""
    *_, last = iter_article(article, translator, settings, chunk_sentences=64, first_chunk=64, lead=lead)
    return last.document


def iter_rest(
    document: Document, translator: Translator, settings: Settings, *, first_chunk: int | None = None
) -> Iterator[Progress]:
    """A titles-first document (``meta.scope``) made whole, as it fills in: the text is translated again
    through the sentence cache, so the lead's sentences come back from it and only the rest reaches the model.
    The title's translation and the rest of the metadata are kept."""
    meta = replace(document.meta, scope="")
    yield from iter_translate(
        document.text, translator, meta=meta, settings=settings, first_chunk=first_chunk, blocks=_blocks(document)
    )


def rest_article(document: Document) -> Article:
    """A titles-first document as the article it came from (text, paragraph kinds, metadata), for a batch
    engine to translate whole (``iter_article``): the lead's sentences and the title come back from the cache."""
    from reader.ingest import Article

    meta = replace(document.meta, scope="", title_translation="")
    source = document.meta.source
    return Article(document.text, meta, source=source, url=source, feed=document.meta.feed, blocks=_blocks(document))


def _blocks(document: Document) -> tuple[Block, ...]:
    return tuple(Block(p.start, p.kind, p.level, p.page, p.ocr) for p in document.paragraphs)
