"""JSON export: the document interchange format itself (docs/format.md)."""

from __future__ import annotations

from typing import Any

from reader.document import Document


def render(document: Document, **_: Any) -> bytes:
    return (document.to_json() + "\n").encode("utf-8")
