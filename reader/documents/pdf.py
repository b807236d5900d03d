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
from reader.documents.arabic import (
    BRACKETS,
    clean_glyph,
    glued_punctuation,
    is_rtl_line,
    joins,
    logical_line,
    unswap_lam_alef,
)
from reader.documents.model import Extracted, Piece
from reader.errors import InputError
from reader.extras import missing

WORD_GAP = 0.185
"""A gap wider than this many em between two glyphs is a space the PDF did not draw as a glyph: gaps inside a word
reach 0.175 em (fpdf2, Noto Naskh), XeLaTeX's shrunk word spaces go down to 0.195 em (Amiri, a justified line)."""
UNJOINED_GAP = 0.06
"""A letter that joins the next one inside a word (``joins``: ب, ه, ك...) touches it, so a gap wider than this
many em after one, before a letter, is a word space that a kern narrowed: LuaTeX sets Amiri's keheh over the
space before it (0.086 em left of زرناه كان), while joined letters stand at most 0.036 em apart (LibreOffice,
DejaVu Sans) and letters that do not join are 0.12 em apart inside words (Amiri: ر and ي)."""
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
_ENDS_A_WORD = re.compile("([\u0629\u0649][\u064b-\u0652]*)(?=[\u0621-\u064a])")
"""Teh marbuta and alef maksura end a word: a letter right after one follows a space the gap did not show (Amiri's
keheh reaches over the space before it)."""
_PAGE_CITED = re.compile(r"(?:\bpage|\bp\.|صفحة|الصفحة)\s*[\d٠-٩]+", re.I)
_NOTE_MARK = re.compile(r"^[(\[]?([\d٠-٩]{1,3}|\*{1,3})[)\]]?[-–.)]?\s")
_DIGITS = re.compile(r"[\d٠-٩]+")
_CID = re.compile(r"\(cid:\d+\)")
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
    units: list[str] = field(default_factory=list)
    """The glyphs (and the spaces found between them) left to right: the text is read again from them once the
    file's conventions are known (``_choose_reading``)."""
    glued: tuple[int, int] = (0, 0)
    """Punctuation stuck to a Latin word's right and to its left (``glued_punctuation``)."""
    bullet: bool = False
    baseline: float = 0.0
    """Where the line stands: line pitch is measured between baselines (a raised mark moves ``top``)."""
    cell: bool = False
    """One of several pieces of a row set apart by wide gaps (``_cells``), or a ruled table's cell: a table cell,
    a paragraph of its own."""
    parts: list[Line] = field(default_factory=list)
    """A ruled table cell's own lines, top down: its text is theirs, joined."""


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    images: int = 0
    """Pictures on the page (text drawn as outlines counts as one): without text, the page needs OCR."""
    unnamed_marks: int = 0
    """Zero-width glyphs the font maps to no character: marks (a hamza, a haraka) the text layer cannot give."""


class OpenPdf:
    """A PDF open for ``read_pdf``, kept open for several calls (``opened=``: a long document read a window at
    a time) to ``close`` when done: its page tree is walked once, not twice a call (pdfplumber walks all of it
    to open a few pages, and again in its own ``close``: 0.2 s each at 500 pages; each page is closed as it is
    read, ``_pages``, so its file's is the only close needed)."""

    def __init__(self, path: Path, *, pages: range | None = None) -> None:
        import pdfplumber

        self.file = path.open("rb")
        try:
            self.pdf = pdfplumber.open(self.file, pages=pages)
        except Exception:
            self.file.close()
            raise

    def pages(self, first: int = 1, last: int | None = None) -> list:
        """pdfplumber's pages ``first`` to ``last`` (numbered from 1)."""
        return [page for page in self.pdf.pages if first <= page.page_number <= (last or sys.maxsize)]

    def close(self) -> None:
        self.file.close()


def read_pdf(path: Path, *, ocr: Callable[[Path, int], list[str]] | None = None,
             progress: Callable[[int, int], None] | None = None, first_page: int = 1,
             last_page: int | None = None, opened: OpenPdf | None = None) -> Extracted:
    """The paragraphs of a PDF with their source pages, its metadata, and what could not be read.

    ``ocr(path, page_number)`` reads a page's picture (``reader.documents.ocr``); without it, a page
    with no credible text is only reported. ``progress(done, total)`` is called after each page.
    ``first_page`` reads from that page on only: a long document resumed after a kill
    (``reader.library.parts``); running lines and the like are then decided on those pages. ``last_page``
    stops there: a long document's first run reads it a window of pages at a time, from ``opened``
    (``OpenPdf``) when given.
    """
    import logging

    try:
        from pdfminer.pdfdocument import PDFPasswordIncorrect
        from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
    except ImportError as exc:
        raise InputError(missing(f"{path}: reading a PDF", "documents", exc=exc)) from exc

    # pdfminer logs every oddity of a damaged file as a warning; what matters reaches the user as one line.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        span = range(first_page, (last_page or sys.maxsize - 1) + 1) if first_page > 1 or last_page else None
        plumbed = opened or OpenPdf(path, pages=span)
        try:
            meta = _metadata(plumbed.pdf.metadata, path)
            pages = list(_pages(plumbed.pages(first_page, last_page), progress))
        finally:
            if plumbed is not opened:
                plumbed.close()
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(exc).lower():
            raise InputError(f"{path}: the PDF is encrypted with a password; decrypt it first") from None
        raise InputError(f"{path}: not a readable PDF ({type(cause).__name__}: {cause})") from None
    except (MalformedPDFException, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise InputError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    _drop_running_lines(pages)
    _choose_reading(pages)
    found: list[Found] = []
    warnings: list[str] = []
    for page in pages:
        paragraphs = _page_paragraphs(page)
        if paragraphs and _credible(" ".join(p.text for p in paragraphs)):
            found.extend(paragraphs)
            if page.unnamed_marks:
                warnings.append(f"page {page.number}: {page.unnamed_marks} mark(s) drawn by the font have no character"
                                " in the PDF and are left out (a hamza or a haraka may be missing)")
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


def _unnamed_mark(char: dict) -> bool:
    """An unmapped glyph with no advance: a mark the font names no character for (Alkalami's hamza)."""
    return char["text"].strip().startswith("(cid:") and char["x1"] - char["x0"] < 0.05 * char["size"]


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


def _pages(plumbed_pages: list, progress: Callable[[int, int], None] | None) -> Iterator[Page]:
    total = len(plumbed_pages)
    for index, plumbed in enumerate(plumbed_pages):
        # Text drawn as outlines ("Microsoft Print to PDF" can) is many curves and no glyph: a picture of text.
        drawn = len(plumbed.images) + (1 if not plumbed.chars and len(plumbed.curves) >= OUTLINED_TEXT else 0)
        page = Page(plumbed.page_number, float(plumbed.width), float(plumbed.height), images=drawn)
        chars = [c for c in plumbed.chars if c.get("upright", True)]
        page.unnamed_marks = sum(1 for c in chars if _unnamed_mark(c))
        page.lines = _lines(_windows_1256(chars), page.width, page.height, _ruled_cells(plumbed) if chars else [])
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


def _ruled_cells(plumbed) -> list[tuple[float, float, float, float]]:
    """The cells (x0, top, x1, bottom) of the page's ruled tables, as pdfplumber finds them from the drawn
    rules: a table of two rows and two columns at least (a box drawn round a paragraph is no table)."""
    cells: list[tuple[float, float, float, float]] = []
    if len(plumbed.lines) + len(plumbed.rects) < 3:  # too few rules to draw one (finding tables costs 0.1 s a page)
        return cells
    for table in plumbed.find_tables():
        if len(table.rows) >= 2 and max(len(row.cells) for row in table.rows) >= 2:
            cells += [cell for row in table.rows for cell in row.cells if cell is not None]
    return cells


def _lines(chars: list[dict], width: float, height: float,
           ruled: list[tuple[float, float, float, float]] = ()) -> list[Line]:
    """Glyphs grouped by height on the page, then cut at the page's column gutters, each with its logical text;
    the glyphs inside a ``ruled`` table cell are one line, a table cell, whatever lines they wrap over."""
    for index, char in enumerate(chars):
        char["order"] = index
    boxed: dict[int, list[dict]] = {}
    if ruled:
        free = []
        for char in chars:
            x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
            box = next((i for i, (x0, top, x1, bottom) in enumerate(ruled) if x0 <= x <= x1 and top <= y <= bottom),
                       None)
            (free if box is None else boxed.setdefault(box, [])).append(char)
        chars = free
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
        ink = _ink(mark)
        under = [
            i for i, row in enumerate(rows)
            if any(c["top"] <= middle <= c["bottom"] and c["x0"] - 2 <= ink <= c["x1"] + 2 for c in row)
        ]
        if under:
            here = height - mark["matrix"][5]
            rows[min(under, key=lambda i: abs(baselines[i] - here))].append(mark)
    rows = _without_line_numbers(rows)
    gutters = _gutters(rows, width, height)
    word_gaps = _word_gaps(rows)
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
                line = _line(cell, column, word_gaps)
                if line is not None:
                    line.cell = len(cells) > 1
                    lines.append(line)
    for box, glyphs in boxed.items():
        parts = sorted(_lines(glyphs, width, height), key=lambda p: (p.baseline, -p.x1 if p.rtl else p.x0))
        if parts:
            x0, top, x1, _ = ruled[box]
            # One line for the whole cell, level with its row's other cells so that they are read across.
            spanning = any(x1 > a and x0 < b for a, b in gutters)
            column = -1 if spanning else sum((x0 + x1) / 2 > (a + b) / 2 for a, b in gutters)
            lines.append(Line("", x0, x1, top, parts[-1].bottom, parts[0].size, parts[0].bold,
                              any(part.rtl for part in parts), column, parts=parts, cell=True,
                              glued=tuple(map(sum, zip(*(part.glued for part in parts), strict=True))),
                              baseline=top - height))
            lines[-1].text = _read(lines[-1])
    return lines


def _word_gaps(rows: list[list[dict]]) -> dict[str, float]:
    """Per font, the gap (in em) that is a word space on this page when ``WORD_GAP`` is too wide for it.

    Some fonts set words almost touching (Alkalami's spaces are 0.05 em). Such a font shows itself: its letters
    touch inside words (gaps under 0.012 em), most of its other gaps are narrower than ``WORD_GAP``, and none
    falls between 0.012 and 0.03 em, so the narrow ones are its spaces, not a wide font's letters apart.
    """
    gaps: dict[str, list[float]] = {}
    for row in rows:
        letters = sorted((c for c in row if _ARABIC_WORD.match(clean_glyph(c["text"]).strip())), key=lambda c: c["x0"])
        for a, b in itertools.pairwise(letters):
            if a["fontname"] == b["fontname"]:
                gaps.setdefault(a["fontname"], []).append((b["x0"] - a["x1"]) / a["size"])
    found = {}
    for font, values in gaps.items():
        apart = [gap for gap in values if gap >= 0.012]
        # As many gaps apart as words have spaces (one in ten gaps at least): a font's odd kerning is not that.
        if (len(values) >= 15 and len(apart) >= 0.1 * len(values) and min(apart) >= 0.03
                and sum(gap < WORD_GAP for gap in apart) > len(apart) / 2):
            found[font] = (0.012 + min(apart)) / 2
    return found


def _without_line_numbers(rows: list[list[dict]]) -> list[list[dict]]:
    """Rows without the numbers a critical edition or a code listing prints in its margin beside every line or
    every fifth: digits alone at one end of several rows, out past every other glyph of the page, counting up
    down the page."""
    for side in (1, -1):  # the right margin, then the left
        found = []
        for index, row in enumerate(rows):
            # Most rows end in no digit: known from their outermost glyph before sorting them.
            if not row or not max(row, key=lambda c: side * _edge(c, side))["text"].isdigit():
                continue
            glyphs = sorted((c for c in row if c["text"].strip() and not _is_mark(clean_glyph(c["text"]).strip())),
                            key=lambda c: -c["x1"] if side > 0 else c["x0"])
            if len(glyphs) < 2:
                continue
            em = glyphs[0]["size"]
            end = 1
            while end < len(glyphs) and abs(_edge(glyphs[end], side) - _edge(glyphs[end - 1], -side)) < 0.5 * em:
                end += 1
            number = "".join(c["text"] for c in sorted(glyphs[:end], key=lambda c: c["x0"]))
            gap = abs(_edge(glyphs[end - 1], -side) - _edge(glyphs[end], side)) if end < len(glyphs) else 0.0
            if number.isdigit() and len(number) <= 4 and gap > 1.5 * em:
                found.append((index, int(number), glyphs[:end], _edge(glyphs[end], side)))
        if len(found) < 3 or any(b[1] <= a[1] for a, b in itertools.pairwise(found)):
            continue
        # In the margin: past every other glyph of the page (a table's column of numbers lies inside the text).
        numbers = {id(c) for _, _, glyphs, _ in found for c in glyphs}
        others = [side * _edge(c, side) for row in rows for c in row if id(c) not in numbers and c["text"].strip()]
        text_edge = side * max(others)
        drop = {id(c) for _, _, glyphs, _ in found for c in glyphs
                if side * (_edge(c, -side) - text_edge) > 0.5 * c["size"]}
        rows = [kept for row in rows if (kept := [c for c in row if id(c) not in drop])]
    return rows


def _edge(char: dict, side: int) -> float:
    """A glyph's right edge (``side`` 1) or left edge (-1)."""
    return char["x1"] if side > 0 else char["x0"]


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


def _line(glyphs: list[dict], column: int, word_gaps: dict[str, float]) -> Line | None:
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
        if _unnamed_mark(char):
            continue  # counted per page (``Page.unnamed_marks``) and reported
        if text == "\u0640" and any(_covers(other, char) for other in glyphs if other is not char):
            continue  # a tatweel drawn over a letter is part of its shape (Acrobat Distiller), not a kashida
        gap = char["x0"] - spans[-1][1] if spans else 0.0
        if spans and (spaced or gap > word_gaps.get(char["fontname"], WORD_GAP) * size
                      or (gap > UNJOINED_GAP * size and joins(text, units[-1]))):
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
        units[_base_of(mark, units, spans, orders)] += text
    # A line of Latin text alone belongs to a right-to-left paragraph when the punctuation that ends it
    # is drawn at its left (".user@example.com"): in left-to-right text a line never starts so.
    rtl = is_rtl_line(units) or (units[0] in _ENDS_AT_LEFT and any(u.isalpha() for u in units))
    bold = sum("bold" in c["fontname"].lower() for c in glyphs) > len(glyphs) / 2
    baseline = statistics.median(c["matrix"][5] for c in glyphs)
    line = Line("", glyphs[0]["x0"], max(c["x1"] for c in glyphs), min(c["top"] for c in glyphs),
                max(c["bottom"] for c in glyphs), round(size, 1), bold, rtl, column, units,
                glued_punctuation(units) if rtl else (0, 0), baseline=-baseline)
    text = logical_line(units) if rtl else "".join(units)
    bullet = _BULLET.match(text)
    line.text, line.bullet = _tidy(text[bullet.end():] if bullet else text), bool(bullet)
    return line


def _read(line: Line, *, mirrored: str = "", islands: bool = False) -> str:
    """A line's text, its bullet aside, read with the file's conventions for brackets and Latin words."""
    if line.parts:
        return " ".join(_read(part, mirrored=mirrored, islands=islands) for part in line.parts)
    text = logical_line(line.units, mirrored=mirrored, islands=islands) if line.rtl else "".join(line.units)
    bullet = _BULLET.match(text)
    return _tidy(text[bullet.end():] if bullet else text)


def _covers(letter: dict, glyph: dict) -> bool:
    """Whether ``letter`` (not a tatweel or a mark) is drawn over most of ``glyph``'s width."""
    if letter["text"] == "\u0640" or _is_mark(clean_glyph(letter["text"]).strip()):
        return False
    overlap = min(letter["x1"], glyph["x1"]) - max(letter["x0"], glyph["x0"])
    return overlap > 0.6 * (glyph["x1"] - glyph["x0"])


def _tidy(text: str) -> str:
    text = _UNMAPPED_KASHIDA.sub("\u0640", " ".join(text.split()))
    # NFC: a hamza or madda drawn as a mark over its alef, waw or yeh (LuaTeX, Alkalami) is the letter that has
    # it (ا + ٔ is أ), and stacked marks take one order (shadda and kasra, whichever the font drew first).
    return unicodedata.normalize("NFC", _ENDS_A_WORD.sub(r"\1 ", unswap_lam_alef(_KASHIDA.sub("", text))))


def _ink(mark: dict) -> float:
    """Where a mark's ink is across the line.

    A mark with no advance has only its origin in the file, and its ink lies just right of it, over its
    letter: 0.15 em in is inside that letter in every font measured (Noto Naskh, Kufi and Sans Arabic,
    DejaVu; benchmarks/documents_eval.py), while the origin itself often sits on the boundary (a tanween
    on a line's last alef, drawn at the page's left margin, by XeTeX)."""
    return (mark["x0"] + mark["x1"]) / 2 if mark["x1"] - mark["x0"] > 0.1 else mark["x0"] + 0.15 * mark["size"]


def _base_of(mark: dict, units: list[str], spans: list[tuple[float, float]], orders: list[int]) -> int:
    """The letter a diacritic sits on: of the letters stored next to it, the one at its right; else the one
    under it, else the one it overlaps.

    A mark follows its letter in logical order. Producers that store glyphs left to right as drawn (Chromium,
    fpdf2, LibreOffice, ReportLab, XeTeX) put it just before its letter, and those that store logical order
    (LuaTeX) just after: either way its letter is the stored neighbour on its right in Arabic, whatever the
    font's geometry says (Amiri draws a mark's origin over the letter before its own, in both engines).
    """
    centre = _ink(mark)
    letters = [i for i in range(len(spans)) if orders[i] >= 0]
    # Stored next to it: at most two more marks (shadda with a vowel) or a space between, and within an em.
    stored_next = [
        i for i in letters
        if 0 < abs(orders[i] - mark["order"]) <= 3
        and spans[i][0] - mark["size"] <= centre <= spans[i][1] + mark["size"]
    ]
    nearest = sorted(stored_next, key=lambda i: abs(orders[i] - mark["order"]))
    sides = {orders[i] > mark["order"]: i for i in reversed(nearest)}  # the nearest letter on each side of it
    # A hamza or madda sits on an alef when one is beside it: lam-alef drawn as two overlapping glyphs (Acrobat
    # Distiller) puts the alef on the mark's left.
    alef = [i for i in sides.values() if units[i].endswith("ا")] if mark["text"] in "\u0653\u0654\u0655" else []
    if alef:
        return alef[0]
    if sides:
        return max(sides.values(), key=lambda i: spans[i][0] + spans[i][1])

    def score(i: int) -> tuple[bool, float, float]:
        x0, x1 = spans[i]
        overlap = min(x1, mark["x1"]) - max(x0, mark["x0"])
        return (x0 <= centre <= x1, max(overlap, 0.0), -abs((x0 + x1) / 2 - centre))

    return max(letters, key=score)


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
        _drop_page_head(page)


def _drop_page_head(page: Page) -> None:
    """Remove a running header or footer that no other page repeats (a one-page document, or a header naming
    each page's chapter): a line of small print in the top margin, far above everything else, or in the bottom
    margin, far below everything else, that cites its page ("Page 6": small print there alone is a footnote)."""
    if len(page.lines) < 3:
        return
    body = statistics.median(line.size for line in page.lines)
    head, *rest = sorted(page.lines, key=lambda line: line.baseline)
    if (head.bottom < page.height * MARGIN_ZONE and head.size < 0.8 * body and len(head.text) < 100
            and min(line.top for line in rest) - head.bottom > 2 * body):
        page.lines.remove(head)
    *rest, foot = sorted(page.lines, key=lambda line: line.baseline)
    if (foot.top > page.height * (1 - MARGIN_ZONE) and foot.size < 0.8 * body and _PAGE_CITED.search(foot.text)
            and foot.top - max(line.bottom for line in rest) > 2 * body):
        page.lines.remove(foot)


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


def _choose_reading(pages: list[Page]) -> None:
    """Read every line with, for each kind of bracket, the convention that balances more of them over the whole
    file, and with Latin words as XeTeX draws them when more punctuation is stuck to their right than to their
    left. Brackets are chosen kind by kind: LuaTeX mirrors parentheses through the font, not guillemets."""
    def unbalanced(text: str, opening: str, closing: str) -> int:
        depth = bad = 0
        for ch in text:
            if ch == opening:
                depth += 1
            elif ch == closing:
                depth -= 1
                if depth < 0:
                    bad, depth = bad + 1, 0
        return bad + depth

    rtl = [line for page in pages for line in page.lines if line.rtl]
    right, left = sum(line.glued[0] for line in rtl), sum(line.glued[1] for line in rtl)
    islands = right > left
    # All lines as one text: a quotation opened on one line may close on the next.
    plain = "\n".join(_read(line, islands=True) if islands else line.text for line in rtl)
    swapped = "\n".join(_read(line, mirrored=BRACKETS, islands=islands) for line in rtl)
    mirrored = "".join(
        pair for pair in (BRACKETS[i:i + 2] for i in range(0, len(BRACKETS), 2))
        if unbalanced(swapped, *pair) < unbalanced(plain, *pair)
    )
    if islands or mirrored:
        for line in rtl:
            line.text = _read(line, mirrored=mirrored, islands=islands)


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
        # The measure of the text is taken on the body's lines: a centred title over it is no short line.
        em = line_size(column)
        # (The median of an even count may be no line's size: then every line is the body.)
        body = [line for line in column if abs(line.size - em) <= 0.1 * em] or column
        left, right = min(line.x0 for line in body), max(line.x1 for line in body)
        width = max(right - left, 1.0)
        full = [line for line in body if line.x0 - left < 0.05 * width and right - line.x1 < 0.05 * width]
        justified = len(full) >= 0.5 * len(body) and len(body) > 2

        def short(line: Line, justified: bool = justified, left: float = left, right: float = right,
                  width: float = width) -> bool:
            """A line that stops well before the column's far edge: the last of its paragraph."""
            return justified and (line.x0 - left if line.rtl else right - line.x1) > 0.12 * width

        # Where lines start (the right edge of Arabic): when they start flush or set in by one same indent of
        # one to four ems, the indented ones start paragraphs, as in books. Text ragged on its starting
        # side (lines ending short at the right in Arabic set left) has no such single indent.
        # A centred line (a caption) is set in on both sides alike: it says nothing of indents.
        starts = [right - line.x1 if line.rtl else line.x0 - left for line in body
                  if not (line.x0 - left > em and abs((line.x0 - left) - (right - line.x1)) < em)]
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

        # Where indents start paragraphs, a step down must be wider to start one too: TeX sets lines with
        # stacked harakat (Amiri's shadda and damma) a few points lower, with no paragraph between.
        groups: list[list[Line]] = []
        for line in column:
            step = pitch.get(line.size, 1.5 * line.size) * (1.25 if books else 1)
            if (groups and not line.bullet and not line.cell and not groups[-1][-1].cell
                    and not _breaks(groups[-1][-1], line, step, justified and any(groups[-1][-1] is f for f in full))
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


def _breaks(previous: Line, line: Line, pitch: float, full: bool = False) -> bool:
    """Whether ``line`` starts a new paragraph after ``previous``: another size, another weight (unless ``previous``
    is a full line of justified text, which goes on in an italic or bold phrase), or a wider step down.

    The step must beat the usual pitch by a share and by a third of an em: TeX lets a line with a tall glyph
    push the next one down by a point or two, which is no paragraph gap. After a full line of justified text
    that ends no sentence, the paragraph surely goes on: only a step half as wide again as the pitch breaks it
    (XeTeX's lines with stacked harakat come down nearly as far as its paragraph skip)."""
    if abs(line.size - previous.size) > 0.1 * previous.size or (line.bold != previous.bold and not full):
        return True
    if full and not _SENTENCE_END.search(previous.text):
        pitch *= 1.3
    return line.baseline - previous.baseline > max(PARAGRAPH_GAP * pitch, pitch + 0.35 * line.size)


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
    found = _tie_notes(found)
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


def _tie_notes(found: list[Found]) -> list[Found]:
    """Each footnote that starts with its mark ("1-", "(1)", "*") right after the paragraph of its page that
    carries that mark ("المتجددة(1)", "الطاقة1"), as notes follow their paragraph in DOCX and ODT; a note whose
    mark no paragraph carries stays where it was drawn."""
    ordered = list(found)
    for note in [p for p in found if p.kind == "note"]:
        mark = _NOTE_MARK.match(note.text)
        if mark is None:
            continue
        number = re.escape(mark.group(1))
        cited = re.compile(rf"\({number}\)|\[{number}\]|(?<=[^\s\d(\[]){number}(?![\d)\]])")
        before = ordered[:ordered.index(note)]
        citing = [p for p in before if p.page == note.page and p.kind not in ("note", "ocr") and cited.search(p.text)]
        if citing:
            ordered.remove(note)
            ordered.insert(ordered.index(citing[-1]) + 1, note)
    return ordered


def _credible(text: str) -> bool:
    """Whether extracted text reads as Arabic, or as another script: mostly real words, not a broken font's
    letters or nothing.

    Broken text layers show as private-use or replacement characters, mostly pdfminer's "(cid:N)", words
    of one letter (glyphs without their joins), or text still in display order (more words end in
    "لا" than start with "ال", the article that starts a fifth of Arabic words). A page mostly in another
    script (an English page of a manual quoting an Arabic letter or two) is judged by its letters alone.
    """
    unnamed = len(_CID.findall(text))
    visible = [ch for ch in _CID.sub("", text) if not ch.isspace()]
    # Unnamed glyphs among named ones are a symbol font's (a clock in an exam's header, a rule, a math sign).
    if len(visible) < 2 or unnamed > len(visible):
        return False
    broken = sum(1 for ch in visible if unicodedata.category(ch) in ("Co", "Cn", "Cc") or ch == "\ufffd")
    if broken > 0.1 * len(visible):
        return False
    # Harakat are letters' marks, not word breaks: fully vocalized text is as credible as bare text.
    words = _ARABIC_WORD.findall("".join(ch for ch in _CID.sub("", text) if not unicodedata.combining(ch)))
    arabic = sum(len(word) for word in words)
    other = sum(ch.isalpha() for ch in visible) - arabic
    if len(words) < 5 or other > 2 * arabic:
        # Letters and digits make most of it, dot leaders aside (a table of contents).
        undotted = [ch for ch in visible if ch not in ".…"]
        return len(words) > 0 or sum(ch.isalnum() for ch in undotted) > 0.5 * len(undotted)
    single = sum(1 for w in words if len(w) == 1 and w != "و")
    starts = sum(1 for w in words if re.match("[وفبكل]?ال", w))
    ends = sum(1 for w in words if w.endswith("لا") and len(w) > 3)
    return single < 0.3 * len(words) and not (ends > 2 * starts and ends >= 3)
