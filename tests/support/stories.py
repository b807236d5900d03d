"""The labelled story set (benchmarks/data/stories.json) as documents, for the story and digest tests."""

from __future__ import annotations

import json
from pathlib import Path

from reader.document import Document, Metadata, Paragraph, SentencePair

DATA = Path(__file__).resolve().parent.parent.parent / "benchmarks" / "data" / "stories.json"
WANTED = ("cbe-rates", "cbe-bonds", "sisi-visit", "sisi-canal")


def labelled() -> list[tuple[str, str, Document]]:
    out = []
    for n, item in enumerate(json.loads(DATA.read_text(encoding="utf-8"))["articles"]):
        if item["story"] not in WANTED:
            continue
        text = item["text_ar"]
        meta = Metadata(
            title=item["title_ar"],
            title_translation=item["title_en"],
            source=f"https://{item['outlet']}.example/{n}",
            date=f"2024-06-{10 + n % 20:02d}",
        )
        pair = SentencePair(0, len(text), text, "", (), None, ())
        out.append((item["story"], meta.source, Document(text, (Paragraph(0, len(text), (pair,)),), meta)))
    return out
