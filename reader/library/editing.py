"""Post-editing a library document's sentence: the actions the app's side panel and the CLI share.

The engine (``reader.postedit.engine``, ``reader.postedit.fix``) decodes; the library
(``Library.save_edit``) keeps the reader's version and shows it wherever the sentence is. Here the
two meet: an edit gets its alignment (forced decoding, the kept words' pairs carried over), the
time, the editor's name (the ``editor`` setting) and how it was made, and is saved.

Sentences are numbered from 0 in document order. An empty edit is a revert; a sentence number out
of range or an unknown document is a one-line error (``LibraryError`` / ``InputError``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from reader.config import Settings
from reader.document import Document, Edit, How, SentencePair
from reader.errors import InputError, UnsupportedError
from reader.library import Library
from reader.library.edits import checked_text
from reader.library.store import sentence_at
from reader.postedit import engine as postedit
from reader.postedit.engine import EditingTranslator
from reader.postedit.fix import fix_term
from reader.postedit.glossary import Term, find_terms
from reader.translate.base import Translation


def now() -> str:
    """The time an edit records: ISO 8601 in UTC, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def save(
    library: Library,
    id_: str,
    index: int,
    text: str,
    how: str,
    translator: EditingTranslator | None,
    settings: Settings,
) -> Document:
    """Keep ``text`` as the reader's version of sentence ``index``; the document as it is now.

    Without a translator (no model installed), or one that cannot force-decode, the edit is kept
    without a word alignment.
    """
    document = library.get(id_)
    pair = sentence_at(document, index)
    text = checked_text(text)
    if not text:
        return library.revert_edit(id_, index)
    alignment: tuple[tuple[int, int], ...] = ()
    if translator is not None:
        try:
            alignment = postedit.align(pair.source, text, translator, settings)
        except (InputError, UnsupportedError):
            alignment = ()  # longer than the model takes, or a backend without forced decoding: no word links
    return library.save_edit(id_, index, _edit(document, text, alignment, how, settings))


def _edit(document: Document, text: str, alignment: tuple[tuple[int, int], ...], how: str, settings: Settings) -> Edit:
    """The reader's version, with when, who, and the model whose translation it replaces."""
    meta = document.meta
    return Edit(text, alignment, how, now(), settings.editor, meta.model, meta.model_fingerprint)


def revert(library: Library, id_: str, index: int) -> Document:
    return library.revert_edit(id_, index)


def alternatives(
    library: Library, id_: str, index: int, translator: EditingTranslator, settings: Settings, n: int = 5
) -> list[Translation]:
    """The model's n best translations of sentence ``index``, the machine version first."""
    pair = sentence_at(library.get(id_), index)
    return postedit.alternatives(pair.source, translator, settings, n)


def complete(
    library: Library, id_: str, index: int, prefix: str, translator: EditingTranslator, settings: Settings
) -> Translation:
    """The model's translation of sentence ``index`` that starts with the reader's ``prefix``."""
    pair = sentence_at(library.get(id_), index)
    return postedit.complete(pair.source, checked_text(prefix), translator, settings)


def next_words(
    library: Library, id_: str, index: int, prefix: str, translator: EditingTranslator, settings: Settings, n: int = 5
) -> list[Translation]:
    pair = sentence_at(library.get(id_), index)
    return postedit.next_words(pair.source, checked_text(prefix), translator, settings, n)


def terms_of(library: Library, document: Document, pair: SentencePair) -> list[Term]:
    """The glossary terms that apply to ``pair``: those its source holds (global and of the document's feed)."""
    found = find_terms(pair.source, library.terms(document.meta.feed))
    return list(dict.fromkeys(m.term for m in found))


@dataclass(frozen=True)
class Fixed:
    index: int
    term: Term
    text: str
    """The new version, or empty when no candidate says the rendering."""


def apply_glossary(
    library: Library, id_: str, translator: EditingTranslator, settings: Settings, indices: Iterable[int] | None = None
) -> list[Fixed]:
    """Fix every sentence of ``id_`` (or those of ``indices``) flagged ``glossary``: each missing term in turn,
    by ``reader.postedit.fix.fix_term``; each fix saved as a human version made by the glossary."""
    document = library.get(id_)
    wanted = range(len(document.sentences)) if indices is None else list(indices)
    results = []
    for index in wanted:
        pair = sentence_at(document, index)
        if not pair.glossary:
            continue
        terms = {term.arabic: term for term in library.terms(document.meta.feed)}
        for arabic in pair.glossary:
            term = terms.get(arabic)
            if term is None:
                continue
            found = fix_term(pair.source, pair.shown, pair.shown_alignment, term, translator, settings)
            if found is None:
                results.append(Fixed(index, term, ""))
                continue
            edit = _edit(document, found.text, found.alignment, How.GLOSSARY, settings)
            document = library.save_edit(id_, index, edit)
            pair = sentence_at(document, index)
            results.append(Fixed(index, term, found.text))
    return results
