"""PDF in: pdfplumber (pdfminer.six, MIT) gives each glyph and where it is drawn; the reading is done here.

No PDF library reads Arabic right (pdfminer.six #515 and #850, pdfplumber #794 and #1159), so
only glyph positions are taken from the file, never its text order:

1. glyphs (forms folded back to letters, ``reader.documents.arabic``) are grouped into lines by
   their baseline, each diacritic on the letter under it; a line is cut at the page's column
   gutters (strips no glyph of the body touches), and at gaps too wide for a word space (table cells);
2. a line's text is its glyphs left to right with the bidi algorithm undone (``logical_line``),
   kashida dropped, and the one unambiguous reversed lam-alef repaired;
3. lines repeated at the top or bottom of the pages (running headers and footers, digits aside)
   and lone page numbers are dropped;
4. a page is read column by column, the right column first when it is right to left, a row over
   the gutter (a title) first;
5. lines become paragraphs at a wider baseline gap, a change of size or weight, a short last line
   in justified text, a book's first-line indent, a bullet or a table cell; a paragraph that does not
   end a sentence continues in the next column or page, past footnotes (small print at the page's foot);
6. a page whose text is not credible Arabic (none, broken fonts, text still in display order, or
   text drawn as outlines) "needs OCR": with Tesseract and its Arabic model (``reader.documents.ocr``)
   it is read from its picture instead.
"""

from __future__ import annotations

import itertools
import re
import statistics
import sys
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
from reader.extras import missing

WORD_GAP = 0.185
"""A gap wider than this many em between two glyphs is a space the PDF did not draw as a glyph: gaps inside a word
reach 0.175 em (fpdf2, Noto Naskh), XeLaTeX's shrunk word spaces go down to 0.195 em (Amiri, a justified line)."""
PARAGRAPH_GAP = 1.15
"""A line further below the previous one than this many times the usual line pitch starts a paragraph."""
CELL_GAP = 5.0
"""Word gaps, even in justified text, stay under about 3.5 em (measured on the fixtures); a wider gap inside a
column separates a table's cells."""
OUTLINED_TEXT = 40
"""A page with no glyph but this many curves or more has its text drawn as outlines: it needs OCR."""
MARGIN_ZONE = 0.14
"""The share of the page height at its top and at its bottom where running headers and footers live."""
_SENTENCE_END = re.compile(r"[.!?؟:…»\"”)\]]$")
_PAGE_NUMBER = re.compile(
    r"^[-–—\s(]*(?:(?:صفحة|الصفحة|page|p\.)\s*)?[\d٠-٩]{1,4}(?:\s*(?:من|/|of)\s*[\d٠-٩]{1,4})?[-–—\s)]*$", re.I
)
_BULLET = re.compile("^[\uf000-\uf0ff\u2022\u25aa\u25cf\u25e6\u2023\u2043\u25a0\u25a1\u2219]+\\s*")
_UNMAPPED_KASHIDA = re.compile("(?<=[\u0620-\u064a\u0640])(?:\\(cid:\\d+\\))+")
"""A glyph the font maps to no character (pdfminer's "(cid:3)") joined to a letter is the kashida: LibreOffice
stretches justified Naskh with one."""
_KASHIDA = re.compile("(?<=[\u0620-\u064a])\u0640+(?=[\u0620-\u064a])")
"""Tatweel between two letters stretches a justified line; after a letter and before a space or a quote
(لـ"الجزيرة") it was typed."""
_ENDS_AT_LEFT = frozenset(".,:;!?؟،")
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
    cell: bool = False
    """One of several pieces of a row set apart by wide gaps (``_cells``): a table cell, a paragraph of its own."""


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    images: int = 0
    """Pictures on the page (text drawn as outlines counts as one): without text, the page needs OCR."""


def read_pdf(path: Path, *, ocr: Callable[[Path, int], list[str]] | None = None,
             progress: Callable[[int, int], None] | None = None, first_page: int = 1,
             last_page: int | None = None) -> Extracted:
    """The paragraphs of a PDF with their source pages, its metadata, and what could not be read.

    ``ocr(path, page_number)`` reads a page's picture (``reader.documents.ocr``); without it, a page
    with no credible text is only reported. ``progress(done, total)`` is called after each page.
    ``first_page`` reads from that page on only: a long document resumed after a kill
    (``reader.library.parts``); running lines and the like are then decided on those pages. ``last_page``
    stops there: a long document's first run reads it a window of pages at a time.
    """
    import logging

    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError as exc:
        raise InputError(missing(f"{path}: reading a PDF", "documents", exc=exc)) from exc

    # pdfminer logs every oddity of a damaged file as a warning; what matters reaches the user as one line.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        span = range(first_page, (last_page or sys.maxsize - 1) + 1) if first_page > 1 or last_page else None
        with pdfplumber.open(path, pages=span) as pdf:
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
    pieces = tuple(_pieces(_drop_running_ocr(found), _body_size(pages)))
    return Extracted(pieces, meta, tuple(warnings), pages=len(pages))


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
        # Text drawn as outlines ("Microsoft Print to PDF" can) is many curves and no glyph: a picture of text.
        drawn = len(plumbed.images) + (1 if not plumbed.chars and len(plumbed.curves) >= OUTLINED_TEXT else 0)
        page = Page(plumbed.page_number, float(plumbed.width), float(plumbed.height), images=drawn)
        chars = [c for c in plumbed.chars if c.get("upright", True)]
        page.lines = _lines(_windows_1256(chars), page.width, page.height)
        plumbed.close()  # frees pdfminer's layout of the page: a 500-page file stays small
        if progress is not None:
            progress(index + 1, total)
        yield page


def _windows_1256(chars: list[dict]) -> list[dict]:
    """Glyphs of a legacy Arabic font, whose codes are Windows-1256 read as Latin-1 ("ÇáÚÑÈíÉ" for العربية),
    as the letters they draw: only when most of the page's letters are such codes and decode to Arabic."""
    letters = [c["text"] for c in chars if c["text"].isalpha()]
    legacy = [t for t in letters if all("\u00c0" <= ch <= "\u00ff" for ch in t)]
    if len(legacy) < 20 or len(legacy) < 0.5 * len(letters):
        return chars
    decoded = []
    for char in chars:
        try:
            text = char["text"].encode("latin-1").decode("cp1256")
        except UnicodeError:  # not a Latin-1 code: kept as it is
            text = char["text"]
        decoded.append({**char, "text": text})
    return decoded if sum(has_arabic_letters(c["text"]) for c in decoded) >= 0.5 * len(letters) else chars


def _lines(chars: list[dict], width: float, height: float) -> list[Line]:
    """Glyphs grouped by height on the page, then cut at the page's column gutters, each with its logical text."""
    for index, char in enumerate(chars):
        char["order"] = index
    rows: list[list[dict]] = []
    baselines: list[float] = []
    marks = []
    # Glyphs share a line when they share a baseline (their boxes do not tell: a tall Arabic font's boxes
    # overlap the next line's, and a fallback font's punctuation has a box of its own size).
    for char in sorted(chars, key=lambda c: (height - c["matrix"][5], c["x0"])):
        if _is_mark(clean_glyph(char["text"]).strip()):
            marks.append(char)  # some fonts raise a mark by moving its baseline: placed below
            continue
        here = height - char["matrix"][5]
        if rows and here - baselines[-1] <= 0.3 * char["size"]:
            rows[-1].append(char)
        else:
            rows.append([char])
            baselines.append(here)
    for mark in marks:
        # The row with a letter under the mark, the nearest baseline first; a mark over no letter is dropped
        # (Chromium may leave one at a page's foot when its letter went to the next page).
        middle = (mark["top"] + mark["bottom"]) / 2
        under = [
            i for i, row in enumerate(rows)
            if any(c["top"] <= middle <= c["bottom"] and c["x0"] - 2 <= mark["x0"] <= c["x1"] + 2 for c in row)
        ]
        if under:
            here = height - mark["matrix"][5]
            rows[min(under, key=lambda i: abs(baselines[i] - here))].append(mark)
    gutters = _gutters(rows, width, height)
    lines = []
    for row in rows:
        columns: dict[int, list[dict]] = {}
        # A row with a glyph in a gutter (a running header or a title over the columns) is one line, read first.
        spanning = any(c["x1"] > a and c["x0"] < b for c in row if c["text"].strip() for a, b in gutters)
        for char in row:
            centre = (char["x0"] + char["x1"]) / 2
            columns.setdefault(-1 if spanning else sum(centre > (a + b) / 2 for a, b in gutters), []).append(char)
        for column, glyphs in sorted(columns.items()):
            cells = _cells(sorted(glyphs, key=lambda c: (c["x0"] + c["x1"]) / 2))
            for cell in cells:
                line = _line(cell, column)
                if line is not None:
                    line.cell = len(cells) > 1
                    lines.append(line)
    return lines


def _cells(glyphs: list[dict]) -> list[list[dict]]:
    """A line cut where a gap wider than ``CELL_GAP`` ems opens: a table's cells, or fields set apart on one line."""
    cells = [[glyphs[0]]]
    for char in glyphs[1:]:
        if char["text"].strip() and char["x0"] - max(c["x1"] for c in cells[-1]) > CELL_GAP * char["size"]:
            cells.append([])
        cells[-1].append(char)
    return cells


def _gutters(rows: list[list[dict]], width: float, height: float) -> list[tuple[float, float]]:
    """The page's column gutters (from, to): a strip in the middle of the page that no glyph of the body
    touches, wider than an em, with text on both sides of it in several rows."""
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
                gutters.append((reach, x0))
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
    spaced = False  # a space glyph since the last letter: a word break however narrow the font draws it
    marks: list[tuple[dict, str]] = []
    for char in glyphs:
        raw = clean_glyph(char["text"])
        text = raw.strip()
        if not text:
            spaced = spaced or bool(raw)
            continue
        if _is_mark(text):
            marks.append((char, text))  # placed once every letter of the line is
            continue
        if spans and (spaced or char["x0"] - spans[-1][1] > WORD_GAP * size):
            units.append(" ")
            spans.append((spans[-1][1], char["x0"]))
            orders.append(-1)
        units.append(text)
        spans.append((char["x0"], char["x1"]))
        orders.append(char["order"])
        spaced = False
    if not units:
        return None
    for mark, text in marks:
        units[_base_of(mark, spans, orders)] += text
    # A line of Latin text alone belongs to a right-to-left paragraph when the punctuation that ends it
    # is drawn at its left (".user@example.com"): in left-to-right text a line never starts so.
    rtl = is_rtl_line(units) or (units[0] in _ENDS_AT_LEFT and any(u.isalpha() for u in units))
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
    text = _UNMAPPED_KASHIDA.sub("\u0640", " ".join(text.split()))
    return unswap_lam_alef(_KASHIDA.sub("", text))


def _base_of(mark: dict, spans: list[tuple[float, float]], orders: list[int]) -> int:
    """The letter a diacritic sits on: the one stored right after it when near, else the one under it, else the one
    it overlaps, else the one stored before it."""
    # A mark with no advance has only its origin in the file, and its ink lies just right of it, over its
    # letter: 0.15 em in is inside that letter in every font measured (Noto Naskh, Kufi and Sans Arabic,
    # DejaVu; benchmarks/documents_eval.py), while the origin itself often sits on the boundary.
    centre = (mark["x0"] + mark["x1"]) / 2 if mark["x1"] - mark["x0"] > 0.1 else mark["x0"] + 0.15 * mark["size"]

    # Every producer measured stores a mark just before its letter (Chromium, fpdf2, LibreOffice, ReportLab,
    # XeLaTeX): the letter stored next, when it is near, is the mark's own, whatever the font's geometry says
    # (XeLaTeX with Amiri draws a mark's origin over the letter before it).
    def score(i: int) -> tuple[bool, bool, float, bool, float]:
        x0, x1 = spans[i]
        overlap = min(x1, mark["x1"]) - max(x0, mark["x0"])
        near = x0 - mark["size"] <= centre <= x1 + mark["size"]
        return (orders[i] == mark["order"] + 1 and near, x0 <= centre <= x1, max(overlap, 0.0),
                orders[i] == mark["order"] - 1, -abs((x0 + x1) / 2 - centre))

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


def _drop_running_ocr(found: list[Found]) -> list[Found]:
    """OCR reads running headers and page numbers too: a page's first or last paragraph repeated on other
    pages (digits aside), or a page number alone, is dropped as for a text layer."""
    ends: dict[int, list[Found]] = {}
    for paragraph in found:
        if paragraph.kind == "ocr":
            ends.setdefault(paragraph.page, []).append(paragraph)
    seen: Counter[str] = Counter()
    for paragraphs in ends.values():
        seen.update({_DIGITS.sub("#", p.text) for p in (paragraphs[0], paragraphs[-1])})
    running = {
        id(p) for paragraphs in ends.values() for p in (paragraphs[0], paragraphs[-1])
        if _PAGE_NUMBER.match(p.text) or (len(ends) > 1 and seen[_DIGITS.sub("#", p.text)] >= max(2, len(ends) / 2))
    }
    return [p for p in found if id(p) not in running]


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
        sorted(columns[c], key=lambda line: (line.baseline, -line.x1 if rtl else line.x0))
        for c in sorted(columns)
        if c >= 0
    ]
    spanning = [sorted(columns.get(-1, []), key=lambda line: line.baseline)]
    return [column for column in spanning + (ordered[::-1] if rtl else ordered) if column]


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

        # Where lines start (the right edge of Arabic): when they start flush or set in by one same indent of
        # one to four ems, the indented ones start paragraphs, as in books. Text ragged on its starting
        # side (lines ending short at the right in Arabic set left) has no such single indent.
        em = line_size(column)
        starts = [right - line.x1 if line.rtl else line.x0 - left for line in column]
        set_in = [start for start in starts if start >= 0.3 * em]
        indent = statistics.median(set_in) if set_in else 0.0
        books = (
            em <= indent <= 4 * em
            and len(set_in) <= 0.6 * len(starts)
            and sum(1 for start in set_in if abs(start - indent) <= 0.5 * em) >= 0.8 * len(set_in)
        )

        def indented(line: Line, books: bool = books, indent: float = indent, em: float = em, left: float = left,
                     right: float = right) -> bool:
            start = right - line.x1 if line.rtl else line.x0 - left
            return books and abs(start - indent) <= 0.5 * em

        groups: list[list[Line]] = []
        for line in column:
            if (groups and not line.bullet and not line.cell and not groups[-1][-1].cell
                    and not _breaks(groups[-1][-1], line, pitch.get(line.size, line.size * 1.5))
                    and not short(groups[-1][-1]) and not indented(line)):
                groups[-1].append(line)
            else:
                groups.append([line])
        for number, lines in enumerate(groups):
            text = " ".join(line.text for line in lines)
            ended = bool(_SENTENCE_END.search(text)) or short(lines[-1])
            kind = "list-item" if lines[0].bullet else "table-cell" if lines[0].cell else ""
            found.append(Found(text, page.number, lines[0].size, lines[0].bold, ended, number == 0, kind))
    return found


def line_size(column: list[Line]) -> float:
    return statistics.median(line.size for line in column)


def _breaks(previous: Line, line: Line, pitch: float) -> bool:
    if abs(line.size - previous.size) > 0.1 * previous.size or line.bold != previous.bold:
        return True
    return line.baseline - previous.baseline > PARAGRAPH_GAP * pitch


def _pieces(found: list[Found], body: float) -> Iterator[Piece]:
    """Headings and footnotes marked; a paragraph that did not end goes on in the next column or page when that
    starts alike, past the footnotes at the foot of its page."""
    bold_body = sum(len(p.text) for p in found if p.bold) > sum(len(p.text) for p in found) / 2
    for index, paragraph in enumerate(found):
        if paragraph.kind != "":
            continue
        if paragraph.size > body * 1.12 or (paragraph.bold and not bold_body and len(paragraph.text) < 150):
            paragraph.kind, paragraph.level = "heading", 1 if paragraph.size > body * 1.3 else 2
        elif paragraph.size < body * 0.9 and all(
            later.page != paragraph.page or later.size < body * 0.9 for later in found[index + 1 :]
        ):
            paragraph.kind = "note"  # small print below the last body text of its page: a footnote
    merged: list[Found] = []
    for paragraph in found:
        previous = next((p for p in reversed(merged) if p.kind != "note"), None)
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
