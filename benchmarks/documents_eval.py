"""How well reader reads documents: per producer, the text it extracts against the text that was typed.

The fixtures in tests/data/documents (made by ``tests/data/documents/make.py`` with fpdf2, Chromium,
LibreOffice (PDF and ODT), reportlab, XeLaTeX, LuaLaTeX, python-docx and a hand-built EPUB; ``heldout-*`` were
measured before any change for them), and the ``real-*`` pages made elsewhere (``tests/data/documents/REAL.md``),
each with ``NAME.truth.txt``, one paragraph a line, are read by ``reader.documents.extract``, and for each
producer this reports:

- CER: character edit distance between the extracted paragraphs and the truth (both joined by
  newlines, whitespace collapsed) over the truth's length; and the same without harakat, since the
  letter a tanween or damma is stored on is often ambiguous in a PDF (and the model never sees them);
- word/punctuation errors: edits over the sequence of words and punctuation marks (harakat aside) per true
  token, which catches a word or a comma out of place inside a line that the paragraph order measure misses;
- logical order: the share of true paragraphs whose words (harakat and punctuation aside) come out in their order (95%
  of the words matched in sequence), which text in display order or columns read left to right fail;
- paragraph boundaries: precision and recall of where paragraphs start, found against true;
- OCR: image-only pages reported as needing OCR, and with Tesseract (ara) installed, the CER of the
  pages it reads.

    python benchmarks/documents_eval.py [--markdown] [--no-ocr]
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "documents"
sys.path.insert(0, str(ROOT))


@dataclass
class Score:
    chars: int = 0
    errors: int = 0
    bare_errors: int = 0
    tokens: int = 0
    token_errors: int = 0
    paragraphs: int = 0
    ordered: int = 0
    true_breaks: int = 0
    found_breaks: int = 0
    hits: int = 0
    pages: int = 0
    ocr_pages: int = 0
    reported: int = 0


def levenshtein(a: Sequence[str], b: Sequence[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def edit_distance(truth: list[str], found: list[str]) -> int:
    """Character edits between two texts, aligned on words first (exact within each unmatched stretch)."""
    a, b = " \n ".join(truth).split(" "), " \n ".join(found).split(" ")
    errors = 0
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            x, y = " ".join(a[i1:i2]), " ".join(b[j1:j2])
            errors += levenshtein(x, y) if len(x) * len(y) < 4_000_000 else max(len(x), len(y))
    return errors


_TOKEN = re.compile(r"\w+|[^\w\s]")


def token_errors(truth: list[str], found: list[str]) -> tuple[int, int]:
    """Edits over the sequence of words and punctuation marks (a paragraph break is a token): a word or a comma
    out of place inside a line ("Coats، Dan" for "Dan Coats،") costs here even when every letter is right."""
    a = [t for p in truth for t in [*_TOKEN.findall(p), "\n"]]
    b = [t for p in found for t in [*_TOKEN.findall(p), "\n"]]
    errors = 0
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            errors += levenshtein(a[i1:i2], b[j1:j2]) if (i2 - i1) * (j2 - j1) < 1_000_000 else max(i2 - i1, j2 - j1)
    return errors, len(a)


def bare(text: str) -> str:
    """Without harakat: which letter a tanween sits on (مترًا, متراً) is a typing habit the page does not show."""
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def _words(paragraph: str) -> list[str]:
    return [word for word in ("".join(re.findall(r"\w", w)) for w in paragraph.split()) if word]


def score(truth: list[str], found: list[str], into: Score) -> None:
    # Canonically equivalent texts are the same text (أ or ا + ٔ; shadda then kasra or kasra then shadda).
    truth = [unicodedata.normalize("NFC", " ".join(p.split())) for p in truth if p.strip()]
    found = [unicodedata.normalize("NFC", " ".join(p.split())) for p in found if p.strip()]
    into.chars += len("\n".join(truth))
    into.errors += edit_distance(truth, found)
    truth, found = [bare(p) for p in truth], [bare(p) for p in found]
    into.bare_errors += edit_distance(truth, found)
    errors, tokens = token_errors(truth, found)
    into.token_errors += errors
    into.tokens += tokens
    # Words as their letters and digits: a quotation mark the typesetter changed ("إن for ”إن) is no word out of order.
    words_t = [(w, k) for k, p in enumerate(truth) for w in _words(p)]
    words_f = [(w, k) for k, p in enumerate(found) for w in _words(p)]
    matcher = SequenceMatcher(None, [w for w, _ in words_t], [w for w, _ in words_f], autojunk=False)
    mapped: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for n in range(block.size):
            mapped[block.b + n] = block.a + n
    matched_per_paragraph: dict[int, int] = defaultdict(int)
    for i in mapped.values():
        matched_per_paragraph[words_t[i][1]] += 1
    for k, paragraph in enumerate(truth):
        into.paragraphs += 1
        into.ordered += matched_per_paragraph[k] >= 0.95 * len(_words(paragraph))
    true_starts = {i for i in range(1, len(words_t)) if words_t[i][1] != words_t[i - 1][1]}
    found_starts = {j for j in range(1, len(words_f)) if words_f[j][1] != words_f[j - 1][1]}
    into.true_breaks += len(true_starts)
    into.found_breaks += len(found_starts)
    into.hits += sum(1 for j in found_starts if mapped.get(j) in true_starts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument("--no-ocr", action="store_true", help="do not OCR pages even when Tesseract is installed")
    args = parser.parse_args()

    from reader.config import Settings
    from reader.documents import extract, ocr

    settings = replace(Settings.load(), ocr="off")
    scores: dict[str, Score] = defaultdict(Score)
    for path in sorted(FIXTURES.glob("*/*.*")):
        if path.suffix not in (".pdf", ".docx", ".odt", ".epub"):
            continue
        truth = path.with_name(path.name + ".truth.txt").read_text(encoding="utf-8").splitlines()
        parts = path.stem.split("-")
        held_out = parts[0] in ("heldout", "real")
        label = " (real, held out)" if parts[0] == "real" else " (held out)" if held_out else ""
        name = " ".join(parts[1:3]) if parts[0] == "real" else parts[1] if held_out else parts[0]
        producer = f"{path.suffix[1:]}: {name}{label}"
        extracted = extract(path, settings)
        row = scores[producer]
        row.pages += extracted.pages
        row.reported += sum(1 for w in extracted.warnings if "needs OCR" in w)
        if not path.stem.startswith("scan"):
            # A text-layer file read as nothing (judged to need OCR) scores every character as missed.
            score(truth, [p.text for p in extracted.pieces], row)
        elif not args.no_ocr and ocr.has_arabic_ocr():
            read = extract(path, replace(settings, ocr="auto"))
            ocr_row = scores["pdf: scan, OCR (tesseract ara)"]
            ocr_row.pages += read.pages
            ocr_row.ocr_pages += sum(1 for p in {p.page for p in read.pieces if p.ocr})
            score(truth, [p.text for p in read.pieces], ocr_row)

    header = ("producer", "pages", "CER", "CER without harakat", "logical order", "word/punctuation errors",
              "boundary P", "boundary R", "image pages reported")
    rows = []
    for producer, s in scores.items():
        cer = f"{100 * s.errors / s.chars:.2f}%" if s.chars else "-"
        bare_cer = f"{100 * s.bare_errors / s.chars:.2f}%" if s.chars else "-"
        order = f"{100 * s.ordered / s.paragraphs:.0f}%" if s.paragraphs else "-"
        tokens = f"{100 * s.token_errors / s.tokens:.2f}%" if s.tokens else "-"
        precision = f"{s.hits / s.found_breaks:.2f}" if s.found_breaks else "-"
        recall = f"{s.hits / s.true_breaks:.2f}" if s.true_breaks else "-"
        reported = f"{s.reported}/{s.pages}" if producer.startswith("pdf: scan") and "OCR" not in producer else ""
        rows.append((producer, str(s.pages or ""), cer, bare_cer, order, tokens, precision, recall, reported))
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
