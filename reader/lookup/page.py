"""The lookups of a document's words, for the bilingual HTML view to embed (so an exported file has them offline).

The view's script only displays: every decision (analyses, their order for each occurrence,
what the word became in its sentence) is made here. Each distinct word is stored once; each
occurrence, keyed like the view's ``data-w`` ("sentence:word"), points at it with its own
"here" and, when its ranking differs, its own order. The whole is capped in size: words past the
cap get no lookup, and the data says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from reader.document import Document, word_spans
from reader.errors import InputError
from reader.lookup import available, lookup, open_analyzer
from reader.lookup.base import Analysis, Lookup, Segment
from reader.lookup.rank import aligned_english

MAX_BYTES = 1_500_000
"""Lookup data per page stops once past this size (one more word at most); later words get none."""
MAX_ANALYSES = 4
"""Analyses kept per occurrence: the best ones for that sentence."""
FORMAT = 1


def page_lookups(document: Document, *, max_bytes: int = MAX_BYTES) -> dict[str, Any] | None:
    """``{"v", "max", "entries": [...], "at": {"s:w": [entry, here, order?]}, "truncated"}``, or None.

    None means the analyzer is not installed: the view then has no lookup at all.
    """
    if not available():
        return None
    analyzer = open_analyzer()
    entries: list[dict[str, Any]] = []
    keys: dict[str, int] = {}
    stored: list[list[Analysis]] = []  # per entry, the analyses in it: an occurrence's order indexes these
    at: dict[str, list[Any]] = {}
    size = 0
    for sid, wid, word, here in _words(document):
        if size > max_bytes:
            return {"v": FORMAT, "max": MAX_ANALYSES, "entries": entries, "at": at, "truncated": True}
        try:
            result = lookup(word, here=here, analyzer=analyzer)
        except InputError:
            continue  # numbers, Latin words, punctuation: nothing to look up
        index = keys.get(result.word)
        if index is None:
            index = keys[result.word] = len(entries)
            entries.append(_entry(result))
            stored.append([])
            size += _size(entries[index])
        order = []
        for analysis in result.analyses[:MAX_ANALYSES]:
            if analysis not in stored[index]:
                stored[index].append(analysis)
                entries[index]["analyses"].append(_analysis(analysis))
                size += _size(entries[index]["analyses"][-1])
            order.append(stored[index].index(analysis))
        occurrence: list[Any] = [index, result.here]
        if order != list(range(len(order))):
            occurrence.append(order)
        at[f"{sid}:{wid}"] = occurrence
        size += _size(occurrence) + 8
    return {"v": FORMAT, "max": MAX_ANALYSES, "entries": entries, "at": at, "truncated": False}


def _words(document: Document) -> Iterator[tuple[int, int, str, str]]:
    """(sentence, word, the word as written, its aligned English) for every word of the document."""
    for sid, sentence in enumerate(document.sentences):
        for wid, (start, end) in enumerate(word_spans(sentence.source)):
            yield sid, wid, sentence.source[start:end], aligned_english(sentence, wid)


def _entry(result: Lookup) -> dict[str, Any]:
    entry: dict[str, Any] = {"word": result.word, "transliteration": result.transliteration, "analyses": []}
    if not result.analyses:
        entry["segments"] = [_segment(s) for s in result.segments]
        entry["note"] = result.note
    return entry


def _analysis(analysis: Analysis) -> dict[str, Any]:
    return {
        "segments": [_segment(s) for s in analysis.segments],
        "lemma": analysis.lemma,
        "pos": analysis.pos,
        "gloss": analysis.gloss,
        "transliteration": analysis.transliteration,
    }


def _segment(segment: Segment) -> list[str]:
    """[text, gloss, kind]: what the popover shows of a morpheme."""
    return [segment.text, segment.gloss, segment.kind]


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
