"""The reader's edits as the library keeps them: keyed by the sentence, applied to every document that holds it.

An edit is made on one document's sentence, but it is kept in the reader's data (``library.sqlite3``)
under ``edit_key(source)``: the source sentence folded as search folds it (diacritics, tatweel,
hamza and alef forms, digits), whitespace collapsed. Word *k* of the key is word *k* of the
sentence as written (``reader.chars.search_words``), so the edit's alignment fits every sentence
with the same key. Not by model: the same sentence translated by any model, with any settings,
shows the reader's version.

``apply`` is the one place edits reach a document; ``reader.library.Library`` calls it whenever a
document is kept (``add``, and batch's commit through ``Library.shown``), and when an edit is
saved it is applied to every library document holding the sentence. The file formats of
``reader edits export/import`` (JSON Lines or CSV, one edit a line) are here too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from reader.chars import search_words
from reader.document import Document, Edit, SentencePair
from reader.errors import InputError

CSV_COLUMNS = ("source", "text", "how", "at", "by", "replaced_model", "replaced_fingerprint", "alignment")
MAX_EDIT_CHARS = 20_000
"""An edit longer than this is refused: no sentence's translation is a book."""


def edit_key(source: str) -> str:
    """What identifies a source sentence for its edit: its words folded as search folds them."""
    return search_words(source)


def apply(document: Document, edits: Mapping[str, Edit]) -> Document:
    """``document`` with each sentence whose key has an edit showing it (the rest as they were).

    The edit records the model it replaced in this document (its ``meta.model``): the machine version
    here is this document's.
    """
    if not edits:
        return document
    meta = document.meta
    changed = False
    paragraphs = []
    for paragraph in document.paragraphs:
        sentences = []
        for pair in paragraph.sentences:
            edit = edits.get(edit_key(pair.source))
            if edit is not None and edit.text and (pair.edit is None or pair.edit.text != edit.text):
                edit = replace(edit, replaced_model=meta.model, replaced_fingerprint=meta.model_fingerprint)
                pair = replace(pair, edit=fitted(edit, pair))
                changed = True
            sentences.append(pair)
        paragraphs.append(replace(paragraph, sentences=tuple(sentences)))
    return replace(document, paragraphs=tuple(paragraphs)) if changed else document


def fitted(edit: Edit, pair: SentencePair) -> Edit:
    """``edit`` with only the alignment pairs that fit ``pair``'s words and its own."""
    sources, targets = len(pair.source.split()), len(edit.text.split())
    return replace(edit, alignment=tuple((s, t) for s, t in edit.alignment if 0 <= s < sources and 0 <= t < targets))


def without(document: Document, keys: Iterable[str]) -> Document:
    """``document`` with the edits of the sentences with these keys dropped (the machine version shown again)."""
    keys = set(keys)
    paragraphs = tuple(
        replace(p, sentences=tuple(replace(s, edit=None) if edit_key(s.source) in keys else s for s in p.sentences))
        for p in document.paragraphs
    )
    return replace(document, paragraphs=paragraphs)


# ---- the edits file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    source: str
    edit: Edit

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, **self.edit.to_dict()}


def checked_text(text: str) -> str:
    """An edit's text as kept: whitespace collapsed to single spaces; InputError when far too long."""
    words = " ".join(text.split())
    if len(words) > MAX_EDIT_CHARS:
        raise InputError(f"the edit is {len(words):,} characters long; at most {MAX_EDIT_CHARS:,} are kept")
    return words


def dump(records: Iterable[Record], path: Path) -> bytes:
    """The records as JSON Lines (``.jsonl``) or CSV (``.csv``), by the file's suffix."""
    records = list(records)
    if _kind(path) == "jsonl":
        return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        row = r.to_dict()
        row["alignment"] = " ".join(f"{s}-{t}" for s, t in r.edit.alignment)
        writer.writerow([row[c] for c in CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def load(path: Path) -> tuple[list[Record], list[str]]:
    """The records in an edits file, and one message per line that is not one (the rest are kept)."""
    kind = _kind(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    records: list[Record] = []
    problems: list[str] = []
    if kind == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                records.append(_record(data))
            except (ValueError, TypeError, KeyError, AttributeError, InputError) as exc:
                problems.append(f"{path.name} line {number}: not an edit ({_reason(exc)})")
        return records, problems
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("source", "text") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"{path.name} line 1: the CSV needs the columns {', '.join(CSV_COLUMNS)} (missing {', '.join(missing)})"
        )
    for row in reader:
        number = reader.line_num
        try:
            pairs = (row.get("alignment") or "").split()
            data = {k: v for k, v in row.items() if k in CSV_COLUMNS and v is not None}
            data["alignment"] = [[int(a) for a in pair.split("-", 1)] for pair in pairs]
            records.append(_record(data))
        except (ValueError, TypeError, KeyError, InputError) as exc:
            problems.append(f"{path.name} line {number}: not an edit ({_reason(exc)})")
    return records, problems


def _record(data: object) -> Record:
    if not isinstance(data, dict):
        raise TypeError("a line must be a JSON object")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise InputError("no source sentence")
    edit = Edit.from_dict(data)
    text = checked_text(edit.text)
    if not text:
        raise InputError("an empty edit")
    return Record(" ".join(source.split()), replace(edit, text=text))


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise InputError(f"{path.name}: an edits file is .jsonl or .csv")
