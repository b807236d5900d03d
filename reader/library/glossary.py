"""The glossary as the library keeps it: terms global or for one feed, and their CSV file.

A term is kept under ``term_key(arabic)``, its words folded the way matching reads them
(``reader.postedit.glossary``: diacritics, tatweel, hamza and alef forms), so الرئيس and الرَّئيس are one
term and adding it again replaces its rendering. A feed's terms apply to the articles of that feed
(``meta.feed``) beside the global ones; a feed term wins over a global one for the same Arabic.

CSV: a header ``arabic,english[,feed]``, one term a line. A file with other columns, a term twice,
a term without Arabic letters or without an English rendering is refused with a message naming the
line, and nothing of it is imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.chars import bare_word, fold_arabic
from reader.errors import InputError
from reader.postedit.glossary import Term

COLUMNS = ("arabic", "english", "feed")


@dataclass(frozen=True)
class Entry:
    term: Term
    feed: str = ""
    """The feed URL it applies to; empty for every article."""


def term_key(arabic: str) -> str:
    return " ".join(bare_word(fold_arabic(word)) for word in arabic.split())


def entry(arabic: str, english: str, feed: str = "") -> Entry:
    """A checked entry (InputError, one line, when the term is not Arabic or has no rendering)."""
    return Entry(Term(" ".join(arabic.split()), " ".join(english.split())), feed.strip())


def applying(entries: Iterable[Entry], feed: str) -> list[Term]:
    """The terms for an article of ``feed``: the global ones, its feed's own in place of a global one."""
    chosen: dict[str, Term] = {}
    for e in sorted(entries, key=lambda e: e.feed != ""):
        if e.feed in ("", feed):
            chosen[term_key(e.term.arabic)] = e.term
    return list(chosen.values())


def dump(entries: Iterable[Entry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow([e.term.arabic, e.term.english, e.feed])
    return out.getvalue().encode("utf-8")


def load(path: Path) -> list[Entry]:
    """The entries of a glossary CSV; InputError naming the line at the first problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    rows = csv.reader(io.StringIO(text))
    header = [c.strip().lower() for c in next(rows, [])]
    if header[:2] != ["arabic", "english"] or not set(header) <= set(COLUMNS) or len(set(header)) != len(header):
        raise InputError(f"{path.name} line 1: the columns must be arabic,english[,feed] (found {','.join(header)})")
    found: list[Entry] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError(f"{path.name} line {number}: {len(row)} column(s), the header has {len(header)}")
        values = dict(zip(header, row, strict=True))
        try:
            e = entry(values["arabic"], values["english"], values.get("feed", ""))
        except InputError as exc:
            raise InputError(f"{path.name} line {number}: {exc}") from None
        key = (term_key(e.term.arabic), e.feed)
        if key in seen:
            raise InputError(f"{path.name} line {number}: the term {e.term.arabic!r} is on line {seen[key]} already")
        seen[key] = number
        found.append(e)
    return found
