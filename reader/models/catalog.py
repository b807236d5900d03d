"""The catalog of known models, ``models/catalog.toml``: hub id and pinned revision, size, license, scores."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from reader.config import PACKAGE_ROOT
from reader.errors import ReaderError

CATALOG_PATH = PACKAGE_ROOT / "models" / "catalog.toml"


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    hub_id: str
    revision: str
    size_mb: int
    license: str
    bleu_flores101: float
    notes: str = ""
    default: bool = False


def catalog() -> dict[str, CatalogEntry]:
    try:
        raw = tomllib.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReaderError(f"cannot read the model catalog {CATALOG_PATH}: {exc}") from exc
    return {
        name: CatalogEntry(
            name=name,
            hub_id=entry["hub_id"],
            revision=entry["revision"],
            size_mb=int(entry["size_mb"]),
            license=entry["license"],
            bleu_flores101=float(entry["bleu_flores101"]),
            notes=entry.get("notes", ""),
            default=bool(entry.get("default", False)),
        )
        for name, entry in raw.items()
    }
