"""PDF in: pdfplumber (pdfminer.six, MIT) gives each glyph and where it is drawn; the reading is done here.

No PDF library reads Arabic right (pdfminer.six #515 and #850, pdfplumber #794 and #1159), so
only glyph positions are taken from the file, never its text order:

1. glyphs (forms folded back to letters, ``reader.documents.arabic``) are grouped into lines by
   their height on the page, and a line is cut where a gap wider than a column gutter opens;
2. a line's text is its glyphs left to right with the bidi algorithm undone (``logical_line``);
3. lines repeated at the top or bottom of the pages (running headers and footers, digits aside)
   and lone page numbers are dropped;
4. a page with a gutter free of text is read column by column, the right column first when the
   page is right to left;
5. lines become paragraphs at a wider gap, a change of size or weight, or a short last line in
   justified text; a paragraph that does not end a sentence continues in the next column or page;
6. a page whose text is not credible Arabic (none, or mostly broken words) "needs OCR": with
   Tesseract and its Arabic model (``reader.documents.ocr``) it is read from its picture instead.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reader.chars import has_arabic_letters
from reader.document import Metadata
from reader.documents.arabic import clean_glyph, is_rtl_line, logical_line, unswap_lam_alef
from reader.documents.model import Extracted, Piece
from reader.errors import InputError

COLUMN_GAP = 1.4
"""A horizontal gap wider than this many em cuts a line in two (a column gutter, not a word space)."""
WORD_GAP = 0.2
"""A gap wider than this many em between two glyphs is a space the PDF did not draw as a glyph."""
PARAGRAPH_GAP = 1.15
"""A line further below the previous one than this many times the usual line pitch starts a paragraph."""
MARGIN_ZONE = 0.14
"""The share of the page height at its top and at its bottom where running headers and footers live."""
_SENTENCE_END = re.compile(r"[.!?؟:…»\"”)\]]$")
_PAGE_NUMBER = re.compile(
    r"^[-–—\s(]*(?:(?:صفحة|الصفحة|page|p\.)\s*)?[\d٠-٩]{1,4}(?:\s*(?:من|/|of)\s*[\d٠-٩]{1,4})?[-–—\s)]*$", re.I
)
_BULLET = re.compile("^[\uf000-\uf0ff\u2022\u25aa\u25cf\u25e6\u2023\u2043\u25a0\u25a1\u2219]+\\s*")
_KASHIDA = re.compile("(?<=[\u0620-\u064a])\u0640+(?=[\u0620-\u064a])")
"""Tatweel between two letters stretches a justified line; after a letter and before a space or a quote
(لـ"الجزيرة") it was typed."""
_DIGITS = re.compile(r"[\d٠-٩]+")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    rtl: bool
    column: int = 0
    mirrored: str = ""
    """The text read with the brackets and guillemets outside Latin runs swapped: the producers that
    store a mirrored glyph's own character (Chromium) need it (``logical_line``)."""
    bullet: bool = False
    baseline: float = 0.0
    """Where the line stands: line pitch is measured between baselines (a raised mark moves ``top``)."""


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    images: int = 0


def read_pdf(path: Path, *, ocr: Callable[[Path, int], list[str]] | None = None,
             progress: Callable[[int, int], None] | None = None) -> Extracted:
    """The paragraphs of a PDF with their source pages, its metadata, and what could not be read.

    ``ocr(path, page_number)`` reads a page's picture (``reader.documents.ocr``); without it, a page
    with no credible text is only reported. ``progress(done, total)`` is called after each page.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            meta = _metadata(pdf.metadata, path)
            pages = list(_pages(pdf, progress))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(exc).lower():
            raise InputError(f"{path}: the PDF is encrypted with a password; decrypt it first") from None
        raise InputError(f"{path}: not a readable PDF ({type(cause).__name__}: {cause})") from None
    except (MalformedPDFException, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise InputError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    _drop_running_lines(pages)
    _choose_mirroring(pages)
    found: list[Found] = []
    warnings: list[str] = []
    for page in pages:
        paragraphs = _page_paragraphs(page)
        if paragraphs and _credible(" ".join(p.text for p in paragraphs)):
            found.extend(paragraphs)
            continue
        if ocr is not None and (page.images or paragraphs):
            read = [text for text in ocr(path, page.number) if text.strip()]
            if read:
                found.extend(Found(text, page.number, 0.0, False, True, kind="ocr") for text in read)
                warnings.append(f"page {page.number} had no credible text layer: read by OCR")
                continue
        if paragraphs or page.images:
            hint = "" if ocr is not None else " (with the ocr extra, Tesseract would read it)"
            warnings.append(f"page {page.number} needs OCR: it has no credible Arabic text{hint}")
    return Extracted(tuple(_pieces(found, _body_size(pages))), meta, tuple(warnings), pages=len(pages))


def _metadata(info: dict, path: Path) -> Metadata:
    def field_(name: str) -> str:
        value = info.get(name, "")
        if isinstance(value, bytes):
            value = value.decode("utf-16" if value.startswith(b"\xfe\xff") else "latin-1", errors="replace")
        return " ".join(str(value).split())

    date = field_("CreationDate").removeprefix("D:")
    date = f"{date[:4]}-{date[4:6]}-{date[6:8]}" if re.match(r"\d{8}", date) else ""
    # Producers fill Title with a file name or "about:blank": only an Arabic title is the document's.
    title = field_("Title") if has_arabic_letters(field_("Title")) else ""
    return Metadata(title=title, author=field_("Author"), date=date, source=str(path))


def _pages(pdf, progress: Callable[[int, int], None] | None) -> Iterator[Page]:
    total = len(pdf.pages)
    for index, plumbed in enumerate(pdf.pages):
        page = Page(index + 1, float(plumbed.width), float(plumbed.height), images=len(plumbed.images))
        page.lines = _lines([c for c in plumbed.chars if c.get("upright", True)], page.width, page.height)
        plumbed.close()  # frees pdfminer's layout of the page: a 500-page file stays small
        if progress is not None:
            progress(index + 1, total)
        yield page


def _lines(chars: list[dict], width: float, height: float) -> list[Line]:
    """Glyphs grouped by height on the page, then cut at the page's column gutters, each with its logical text."""
    for index, char in enumerate(chars):
        char["order"] = index
    rows: list[list[dict]] = []
    baseline = -1e9
    # Glyphs share a line when they share a baseline (their boxes do not tell: a tall Arabic font's boxes
    # overlap the next line's, and a fallback font's punctuation has a box of its own size).
    for char in sorted(chars, key=lambda c: (height - c["matrix"][5], c["x0"])):
        here = height - char["matrix"][5]
        if rows and here - baseline <= 0.3 * char["size"]:
            rows[-1].append(char)
        else:
            rows.append([char])
            baseline = here
    gutters = _gutters(rows, width, height)
    lines = []
    for row in rows:
        columns: dict[int, list[dict]] = {}
        for char in row:
            centre = (char["x0"] + char["x1"]) / 2
            columns.setdefault(sum(centre > g for g in gutters), []).append(char)
        for column, glyphs in sorted(columns.items()):
            line = _line(sorted(glyphs, key=lambda c: (c["x0"] + c["x1"]) / 2), column)
            if line is not None:
                lines.append(line)
    return lines


def _gutters(rows: list[list[dict]], width: float, height: float) -> list[float]:
    """x positions of the page's column gutters: a strip in the middle of the page that no glyph of the
    body touches, wider than an em, with text on both sides of it in several rows."""
    everything = [c for row in rows for c in row if c["text"].strip()]
    if len(rows) < 4 or not everything:
        return []
    em = statistics.median(c["size"] for c in everything)
    # Running headers and page numbers (small print near an edge) may sit over the gutter: left out.
    body = [row for row in rows if height * MARGIN_ZONE < row[0]["top"] < height * (1 - MARGIN_ZONE)
            or statistics.median(c["size"] for c in row) >= 0.9 * em]
    glyphs = [c for row in body for c in row if c["text"].strip()]
    if not glyphs:
        return []
    spans = sorted((c["x0"], c["x1"]) for c in glyphs)
    gutters = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        middle = (x0 + reach) / 2
        if x0 - reach > em and width * 0.25 < middle < width * 0.75:
            left = sum(1 for row in body if min(c["x0"] for c in row) < middle)
            right = sum(1 for row in body if max(c["x1"] for c in row) > middle)
            if left >= 3 and right >= 3:
                gutters.append(middle)
        reach = max(reach, x1)
    return gutters


def _is_mark(text: str) -> bool:
    return bool(text) and all(unicodedata.combining(ch) for ch in text)


def _line(glyphs: list[dict], column: int) -> Line | None:
    """One line's glyphs (left to right) as text: marks kept on their letter, spaces where gaps are."""
    units: list[str] = []
    spans: list[tuple[float, float]] = []
    orders: list[int] = []
    size = statistics.median(c["size"] for c in glyphs)
    for char in glyphs:
        text = clean_glyph(char["text"])
        if not text.strip():
            continue
        if _is_mark(text) and units:
            units[_base_of(char, spans, orders)] += text
            continue
        if spans and char["x0"] - spans[-1][1] > WORD_GAP * size:
            units.append(" ")
            spans.append((spans[-1][1], char["x0"]))
            orders.append(-1)
        units.append(text)
        spans.append((char["x0"], char["x1"]))
        orders.append(char["order"])
    if not units:
        return None
    rtl = is_rtl_line(units)
    text, mirrored = (logical_line(units), logical_line(units, mirrored=True)) if rtl else ("".join(units),) * 2
    bullet = _BULLET.match(text)
    if bullet:
        text, mirrored = text[bullet.end():], mirrored[bullet.end():]
    bold = sum("bold" in c["fontname"].lower() for c in glyphs) > len(glyphs) / 2
    baseline = statistics.median(c["matrix"][5] for c in glyphs)
    return Line(_tidy(text), glyphs[0]["x0"], max(c["x1"] for c in glyphs), min(c["top"] for c in glyphs),
                max(c["bottom"] for c in glyphs), round(size, 1), bold, rtl, column, _tidy(mirrored), bool(bullet),
                -baseline)


def _tidy(text: str) -> str:
    return unswap_lam_alef(_KASHIDA.sub("", " ".join(text.split())))


def _base_of(mark: dict, spans: list[tuple[float, float]], orders: list[int]) -> int:
    """The letter a diacritic sits on: the one under it, else the one it overlaps, else the one stored before it."""
    # A mark with no advance is drawn to the left of its origin, which is all the file gives of it.
    centre = (mark["x0"] + mark["x1"]) / 2 if mark["x1"] - mark["x0"] > 0.1 else mark["x0"] - 0.5

    def score(i: int) -> tuple[bool, float, bool, float]:
        x0, x1 = spans[i]
        overlap = min(x1, mark["x1"]) - max(x0, mark["x0"])
        return (x0 <= centre <= x1, max(overlap, 0.0), orders[i] == mark["order"] - 1, -abs((x0 + x1) / 2 - centre))

    return max((i for i in range(len(spans)) if orders[i] >= 0), key=score)


def _drop_running_lines(pages: list[Page]) -> None:
    """Remove running headers/footers (the same words near the same edge on several pages) and page numbers."""
    def zone(page: Page, line: Line) -> str:
        if line.bottom < page.height * MARGIN_ZONE:
            return "top"
        if line.top > page.height * (1 - MARGIN_ZONE):
            return "bottom"
        return ""

    seen: Counter[tuple[str, str]] = Counter()
    for page in pages:
        keys = {(zone(page, line), _DIGITS.sub("#", line.text)) for line in page.lines if zone(page, line)}
        seen.update(keys)
    with_text = sum(1 for page in pages if page.lines)
    repeated = {key for key, count in seen.items() if count >= 2 and count >= with_text / 2}
    for page in pages:
        page.lines = [
            line for line in page.lines
            if not (where := zone(page, line))
            or ((where, _DIGITS.sub("#", line.text)) not in repeated and not _PAGE_NUMBER.match(line.text))
        ]


def _body_size(pages: list[Page]) -> float:
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _columns(page: Page) -> list[list[Line]]:
    """The page's lines by column, in reading order: the right column first, and a row's pieces right to
    left, when the page is right to left."""
    rtl = sum(len(line.text) for line in page.lines if line.rtl) > sum(len(line.text) for line in page.lines) / 2
    columns: dict[int, list[Line]] = {}
    for line in page.lines:
        columns.setdefault(line.column, []).append(line)
    ordered = [
        sorted(columns[c], key=lambda line: (line.baseline, -line.x1 if rtl else line.x0)) for c in sorted(columns)
    ]
    return ordered[::-1] if rtl else ordered


def _choose_mirroring(pages: list[Page]) -> None:
    """Read every line with the bracket convention that balances more brackets over the whole file."""
    def unbalanced(text: str) -> int:
        depth = bad = 0
        for ch in text:
            if ch in "(«[":
                depth += 1
            elif ch in ")»]":
                depth -= 1
                if depth < 0:
                    bad, depth = bad + 1, 0
        return bad + depth

    plain = sum(unbalanced(line.text) for page in pages for line in page.lines if line.rtl)
    swapped = sum(unbalanced(line.mirrored) for page in pages for line in page.lines if line.rtl)
    if swapped < plain:
        for page in pages:
            for line in page.lines:
                line.text = line.mirrored


@dataclass
class Found:
    """A paragraph as read from one column: enough to decide whether the next column continues it."""

    text: str
    page: int
    size: float
    bold: bool
    ended: bool
    """It ends a sentence, or a short line of justified text: it cannot go on in the next column."""
    column_start: bool = False
    kind: str = ""
    level: int = 0


def _page_paragraphs(page: Page) -> list[Found]:
    """The page's paragraphs in reading order, column by column."""
    found: list[Found] = []
    for column in _columns(page):
        pitches: dict[float, list[float]] = {}
        for a, b in itertools.pairwise(column):
            if a.size == b.size and b.baseline > a.baseline:
                pitches.setdefault(a.size, []).append(b.baseline - a.baseline)
        # The lower quartile: in a column of short paragraphs, half the steps may be paragraph gaps.
        pitch = {size: sorted(values)[len(values) // 4] for size, values in pitches.items()}
        left, right = min(line.x0 for line in column), max(line.x1 for line in column)
        width = max(right - left, 1.0)
        full = [line for line in column if line.x0 - left < 0.05 * width and right - line.x1 < 0.05 * width]
        justified = len(full) >= 0.5 * len(column) and len(column) > 2

        def short(line: Line, justified: bool = justified, left: float = left, right: float = right,
                  width: float = width) -> bool:
            """A line that stops well before the column's far edge: the last of its paragraph."""
            return justified and (line.x0 - left if line.rtl else right - line.x1) > 0.12 * width

        groups: list[list[Line]] = []
        for line in column:
            if (groups and not line.bullet and not _breaks(groups[-1][-1], line, pitch.get(line.size, line.size * 1.5))
                    and not short(groups[-1][-1])):
                groups[-1].append(line)
            else:
                groups.append([line])
        for number, lines in enumerate(groups):
            text = " ".join(line.text for line in lines)
            ended = bool(_SENTENCE_END.search(text)) or short(lines[-1])
            kind = "list-item" if lines[0].bullet else ""
            found.append(Found(text, page.number, lines[0].size, lines[0].bold, ended, number == 0, kind))
    return found


def _breaks(previous: Line, line: Line, pitch: float) -> bool:
    if abs(line.size - previous.size) > 0.1 * previous.size or line.bold != previous.bold:
        return True
    return line.baseline - previous.baseline > PARAGRAPH_GAP * pitch


def _pieces(found: list[Found], body: float) -> Iterator[Piece]:
    """Headings marked; a paragraph that did not end goes on in the next column or page when that starts alike."""
    merged: list[Found] = []
    for paragraph in found:
        if paragraph.kind == "" and (paragraph.size > body * 1.12 or (paragraph.bold and len(paragraph.text) < 150)):
            paragraph.kind, paragraph.level = "heading", 1 if paragraph.size > body * 1.3 else 2
        previous = merged[-1] if merged else None
        if (previous is not None and paragraph.column_start and not previous.ended and previous.kind == ""
                and paragraph.kind == "" and previous.size == paragraph.size and previous.bold == paragraph.bold):
            previous.text = f"{previous.text} {paragraph.text}"
            previous.ended = paragraph.ended
            continue
        merged.append(paragraph)
    for paragraph in merged:
        ocr = paragraph.kind == "ocr"
        yield Piece(paragraph.text, kind="" if ocr else paragraph.kind, level=paragraph.level, page=paragraph.page,
                    ocr=ocr)


def _credible(text: str) -> bool:
    """Whether extracted text reads as Arabic: mostly real words, not a broken font's letters or nothing.

    Broken text layers show as private-use or replacement characters, pdfminer's "(cid:N)", words
    of one letter (glyphs without their joins), or text still in display order (more words end in
    "لا" than start with "ال", the article that starts a fifth of Arabic words).
    """
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < 2:
        return False
    broken = sum(1 for ch in visible if unicodedata.category(ch) in ("Co", "Cn", "Cc") or ch == "\ufffd")
    if broken > 0.1 * len(visible) or text.count("(cid:") > 3:
        return False
    words = _ARABIC_WORD.findall(text)
    if len(words) < 5:
        return len(words) > 0 or sum(ch.isalpha() for ch in visible) > 0.5 * len(visible)
    single = sum(1 for w in words if len(w) == 1 and w != "و")
    starts = sum(1 for w in words if re.match("[وفبكل]?ال", w))
    ends = sum(1 for w in words if w.endswith("لا") and len(w) > 3)
    return single < 0.3 * len(words) and not (ends > 2 * starts and ends >= 3)
