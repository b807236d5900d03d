"""Bilingual HTML: the one renderer behind both the app's reading view and the HTML export.

The page is a grid with one row per paragraph (so a paragraph and its translation start level),
English on the left and Arabic on the right. Every sentence is a focusable span carrying
``data-s`` on both sides, every word a span carrying ``data-w="<sentence>:<word>"`` and its aligned
counterparts in ``data-a``; a small static script (``static/reader.js``) does the highlighting.

Article text is hostile: everything from the document is escaped, the script never contains
document data, and a Content-Security-Policy allows only this page's own script and style (by
hash), so even a missed escape could not run code or load anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any

from reader.chars import BIDI_EMBEDDINGS, has_arabic_letters, has_rtl
from reader.document import DETAILS_HEADING, Document, Flag, SentencePair, word_spans
from reader.errors import ExportError
from reader.export.marks import FLAG_MARKS

ARABIC_FONT = "NotoNaskhArabic-Regular.ttf"

# flag -> (glyph, explanation, is a quality warning)
MARKS: dict[str, tuple[str, str, bool]] = {flag: (m.glyph, m.description, m.warning) for flag, m in FLAG_MARKS.items()}

# Embedding and override controls (LRE, RLE, PDF, LRO, RLO) reorder text visually: a hostile
# article could use them to disguise what it says. They are dropped from the view; isolates
# and marks (LRM, RLM, FSI...) are harmless inside the per-sentence isolation and are kept.
_BIDI_OVERRIDES = re.compile(f"[{BIDI_EMBEDDINGS}]")
_HTTP_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


LAYOUTS = ("side-by-side", "interleaved", "english")
"""English beside the Arabic; each Arabic paragraph above its English; English only, the Arabic on hover or tap."""
ALIASES = {"table": "side-by-side", "hover": "english"}

Watched = Mapping[int, tuple[Iterable[int], Iterable[int]]]
"""Per sentence index: the word indices of its source and of its translation a watchlist matched."""


def render(
    document: Document,
    *,
    standalone: bool = True,
    word_alignment: bool = True,
    lookups: bool = True,
    layout: str = "side-by-side",
    **_: Any,
) -> bytes:
    """The export-registry entry point: a complete, offline HTML page as UTF-8."""
    page = render_page(document, standalone=standalone, word_alignment=word_alignment, lookups=lookups, layout=layout)
    return page.encode("utf-8")


def render_page(
    document: Document,
    *,
    standalone: bool = True,
    word_alignment: bool = True,
    lookups: bool = True,
    layout: str = "side-by-side",
    watched: Watched | None = None,
) -> str:
    """A whole page: the view plus the stylesheet (with the Arabic font embedded) and the script.

    ``standalone`` pages are laid out for a browser window (centred, titled); the others fill
    the app's component frame. Both are self-contained: nothing is loaded from anywhere. With
    ``lookups`` (and word alignment, which gives the words their spans) and the lookup extra
    installed, the lookups of the article's words are embedded as a JSON data block, which the
    script shows in a popover; without the extra there is neither data nor popover. ``watched`` words
    (a watchlist's hits, ``reader.library.watch``) are underlined on both sides (with word alignment on).
    """
    style = _stylesheet()
    script = _script()
    csp = (
        "default-src 'none'; "
        f"script-src '{_sha256(script)}'; "
        f"style-src '{_sha256(style)}'; "
        "font-src data:; img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en" dir="ltr" class="{"standalone" if standalone else "embedded"}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="reader">\n'
        f"<title>{_text(document.title) or 'reader'}</title>\n"
        f"<style>{style}</style>\n"
        "</head>\n"
        "<body>\n"
        f"{render_view(document, word_alignment=word_alignment, layout=layout, watched=watched)}\n"
        f"{_lookup_data(document) if word_alignment and lookups else ''}"
        f"<script>{script}</script>\n"
        "</body>\n"
        "</html>\n"
    )


def render_view(
    document: Document, *, word_alignment: bool = True, layout: str = "side-by-side", watched: Watched | None = None
) -> str:
    """The markup fragment (header and paragraph grid), without style or script; ``layout``: one of ``LAYOUTS``."""
    layout = ALIASES.get(layout, layout)
    if layout not in LAYOUTS:
        raise ExportError(f"unknown HTML layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    watched = watched or {}
    trusted = _offsets_consistent(document)
    rows = []
    index = 0
    for paragraph in document.paragraphs:
        en: list[str] = []
        ar: list[str] = []
        cursor = paragraph.start
        for number, sentence in enumerate(paragraph.sentences):
            sid = index + number
            if trusted:
                ar.append(_text(document.text[cursor : sentence.start]))
                source = document.text[sentence.start : sentence.end]
                cursor = sentence.end
            else:
                ar.append(" " if number else "")
                source = sentence.source
            links = _links(sentence, source) if word_alignment else None
            source_hits, target_hits = watched.get(sid, ((), ()))
            ar.append(_source_sentence(sentence, sid, source, links, frozenset(source_hits)))
            if number:
                en.append(" ")
            en.append(_target_sentence(sentence, sid, links, frozenset(target_hits)))
        if trusted:
            ar.append(_text(document.text[cursor : paragraph.end]))
        if paragraph.page is not None:  # a PDF's paragraph cites its page of the original
            ocr = ", OCR" if paragraph.ocr else ""
            en.append(f'<span class="page-cite" title="page of the original">p. {paragraph.page}{ocr}</span>')
        index += len(paragraph.sentences)
        rows.append(
            '<div class="row">'
            f'<div class="cell en" dir="ltr" lang="en">{"".join(en)}</div>'
            f'<div class="cell ar" dir="rtl" lang="ar">{"".join(ar)}</div>'
            "</div>"
        )
    return (
        f'<main class="reader layout-{layout}">\n'
        f"{_header(document)}\n"
        '<div class="grid">\n'
        '<div class="row heads" aria-hidden="true">'
        '<div class="colhead en" dir="ltr" lang="en">English</div>'
        '<div class="colhead ar" dir="rtl" lang="ar">العربية</div>'
        "</div>\n" + "\n".join(rows) + "\n</div>\n</main>"
    )


def _header(document: Document) -> str:
    meta = document.meta
    parts = ['<header class="doc-head">']
    if meta.title:
        parts.append(f'<h1 dir="auto"{_lang_of(meta.title)}>{_text(meta.title)}</h1>')
    fields = [(label, _field_html(label, raw)) for label, raw in meta.reader_fields() if raw]
    if fields:
        parts.append(_fields(fields))
    technical = [(label, _text(raw)) for label, raw in meta.technical_fields() if raw]
    if technical:  # for whoever checks which model translated: out of the reader's way
        summary = f"<summary>{DETAILS_HEADING}</summary>"
        parts.append(f'<details class="doc-details">{summary}{_fields(technical)}</details>')
    shown = {flag for s in document.sentences for flag in s.shown_flags if flag in MARKS}
    present = sorted(shown, key=list(MARKS).index)
    if present:
        parts.append(
            '<p class="legend">Marks:'
            + "".join(
                f'<span class="mark{_mark_kind(f, MARKS[f][2])}">{MARKS[f][0]}</span>{MARKS[f][1]}' for f in present
            )
            + "</p>"
        )
    parts.append("</header>")
    return "".join(parts)


def _field_html(label: str, raw: str) -> str:
    """A header field's value, escaped; a web page's address as a link."""
    value = _text(raw)
    if label == "Source" and _HTTP_URL.fullmatch(raw):
        return f'<a href="{value}" target="_blank" rel="noopener noreferrer nofollow">{value}</a>'
    return value


def _fields(fields: list[tuple[str, str]]) -> str:
    return (
        '<dl class="doc-meta">'
        + "".join(f'<div><dt>{label}</dt><dd dir="auto">{value}</dd></div>' for label, value in fields)
        + "</dl>"
    )


def _source_sentence(
    sentence: SentencePair,
    sid: int,
    source: str,
    links: tuple[dict[int, list[int]], dict[int, list[int]]] | None,
    hits: frozenset[int] = frozenset(),
) -> str:
    # A sentence with no right-to-left letter (passthrough: English, numbers) takes its own direction.
    direction = "" if has_rtl(source) else ' dir="auto"'
    body = _words(source, sid, links[0], hits) if links else _text(source)
    return f'<span class="s" data-s="{sid}" tabindex="0"{direction}>{body}</span>'


def _target_sentence(
    sentence: SentencePair,
    sid: int,
    links: tuple[dict[int, list[int]], dict[int, list[int]]] | None,
    hits: frozenset[int] = frozenset(),
) -> str:
    if sentence.has(Flag.PENDING) and not sentence.shown:
        return f'<span class="s pending" data-s="{sid}" tabindex="0" title="translating">…</span>'
    body = _words(sentence.shown, sid, links[1], hits) if links else _text(sentence.shown)
    return f'<span class="s" data-s="{sid}" tabindex="0">{body}</span>{_marks(sentence)}'


def _marks(sentence: SentencePair) -> str:
    marks = []
    for flag in sentence.shown_flags:
        if flag == Flag.PENDING:
            continue
        glyph, title, warning = MARKS.get(flag, ("·", flag, True))
        if flag == Flag.LOW_SCORE and sentence.score is not None:
            title = f"{title} (score {sentence.score:.2f})"
        marks.append(f'<span class="mark{_mark_kind(flag, warning)}" title="{_text(title)}">{glyph}</span>')
    return f'<span class="marks">{"".join(marks)}</span>' if marks else ""


def _mark_kind(flag: str, warning: bool) -> str:
    """The mark's extra class: a warning's colour, or the edit mark's size."""
    return " q" if warning else " edited" if flag == Flag.EDITED else ""


def _links(sentence: SentencePair, shown_source: str) -> tuple[dict[int, list[int]], dict[int, list[int]]] | None:
    """Aligned word indices per side, or None when the shown words cannot carry them.

    Alignment indices count ``word_spans(sentence.source)``; if the text shown (the original
    slice) splits into a different number of words, word links would point at the wrong words.
    """
    n_source = len(word_spans(sentence.source))
    n_target = len(word_spans(sentence.shown))
    if len(word_spans(shown_source)) != n_source:
        return None
    forward: dict[int, list[int]] = defaultdict(list)
    backward: dict[int, list[int]] = defaultdict(list)
    for s, t in sorted(set(sentence.shown_alignment)):
        if 0 <= s < n_source and 0 <= t < n_target:
            forward[s].append(t)
            backward[t].append(s)
    return forward, backward


def _words(segment: str, sid: int, links: dict[int, list[int]], hits: frozenset[int] = frozenset()) -> str:
    """Each word of ``segment`` as a span (``watch`` too when a watchlist matched it); the text between words
    is kept exactly."""
    out = []
    pos = 0
    for i, (start, end) in enumerate(word_spans(segment)):
        out.append(_text(segment[pos:start]))
        aligned = links.get(i)
        attrs = f' data-a="{_join(aligned)}"' if aligned else ""
        kind = "w watch" if i in hits else "w"
        out.append(f'<span class="{kind}" data-w="{sid}:{i}"{attrs}>{_text(segment[start:end])}</span>')
        pos = end
    out.append(_text(segment[pos:]))
    return "".join(out)


def _lookup_data(document: Document) -> str:
    """The word lookups as a data block: JSON, never run (so the CSP's script hash need not cover it).

    ``<``, ``>`` and ``&`` are written as JSON escapes, so article text cannot close the element
    or open a comment inside it; the script reads it with ``textContent`` and ``JSON.parse``.
    """
    from reader.lookup.page import page_lookups

    data = page_lookups(document)
    if data is None:
        return ""
    payload = _BIDI_OVERRIDES.sub("", json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="reader-lookups">{payload}</script>\n'


def _join(numbers: Iterable[int]) -> str:
    return " ".join(str(n) for n in numbers)


def _text(value: str) -> str:
    """Escape for HTML text and attribute values alike."""
    return escape(_BIDI_OVERRIDES.sub("", value), quote=True)


def _lang_of(value: str) -> str:
    return ' lang="ar"' if has_arabic_letters(value) else ""


def _offsets_consistent(document: Document) -> bool:
    """Whether the offsets can be trusted to slice the original text (JSON input may lie)."""
    cursor = 0
    for paragraph in document.paragraphs:
        if not cursor <= paragraph.start <= paragraph.end <= len(document.text):
            return False
        inner = paragraph.start
        for sentence in paragraph.sentences:
            if not inner <= sentence.start <= sentence.end <= paragraph.end:
                return False
            inner = sentence.end
        cursor = paragraph.end
    return True


def _sha256(content: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii")


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return arabic_font_face() + _asset("reader.css")


@lru_cache(maxsize=1)
def arabic_font_face() -> str:
    """The CSS ``@font-face`` of "Reader Naskh", the bundled Arabic font, embedded (no request leaves the page)."""
    try:
        font = (resources.files("reader") / "fonts" / ARABIC_FONT).read_bytes()
    except FileNotFoundError:
        raise ExportError(f"the font {ARABIC_FONT} is missing from reader/fonts; reinstall reader") from None
    return (
        '@font-face { font-family: "Reader Naskh"; font-style: normal; font-weight: 400; font-display: block; '
        f'src: url(data:font/ttf;base64,{base64.b64encode(font).decode("ascii")}) format("truetype"); }}\n'
    )


@lru_cache(maxsize=1)
def _script() -> str:
    return _asset("reader.js")


def _asset(name: str) -> str:
    return (resources.files("reader.export") / "static" / name).read_text(encoding="utf-8")
