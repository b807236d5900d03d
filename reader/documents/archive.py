"""Zip archives (DOCX, EPUB) opened safely: their sizes checked before anything is unpacked.

A zip's directory can lie about sizes, so the caps are checked twice: on the declared sizes before
reading (the whole archive, each part, and how far a part expands), and while reading, where no part
is ever decompressed past its cap. Parts are read into memory, so a hostile archive costs at most
``TOTAL_LIMIT`` bytes, never the disk.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from reader.errors import InputError

TOTAL_LIMIT = 200_000_000
"""The most bytes all of an archive's parts may unpack to."""
PART_LIMIT = 50_000_000
MAX_RATIO = 200
"""A part that expands more than this many times (over 1 MB) is a zip bomb, not a document."""
MAX_PARTS = 10_000


def member_names(path: Path) -> set[str]:
    """The names in a zip's directory; empty when it is not a readable zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def read_parts(path: Path, wanted: set[str] | None = None) -> dict[str, bytes]:
    """The archive's parts (or only ``wanted`` ones) by name, unpacked under the caps; InputError otherwise."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check(path, infos)
            parts = {}
            for info in infos:
                if info.is_dir() or (wanted is not None and info.filename not in wanted):
                    continue
                with archive.open(info) as handle:
                    data = handle.read(PART_LIMIT + 1)
                if len(data) > PART_LIMIT or len(data) > max(info.file_size, 0) + 1024:
                    raise InputError(f"{path}: part {info.filename!r} unpacks past its declared size: refused")
                parts[info.filename] = data
            return parts
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path}: not a readable zip archive ({exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        # RuntimeError: an encrypted part; NotImplementedError: an unknown compression method.
        raise InputError(f"{path}: its archive cannot be unpacked ({exc})") from None


def _check(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise InputError(f"{path}: holds {len(infos):,} parts (over {MAX_PARTS:,}): refused as a zip bomb")
    total = sum(info.file_size for info in infos)
    if total > TOTAL_LIMIT:
        raise InputError(f"{path}: would unpack to {total:,} bytes (over {TOTAL_LIMIT:,}): refused as a zip bomb")
    for info in infos:
        if info.file_size > PART_LIMIT or (
            info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            raise InputError(
                f"{path}: part {info.filename!r} would unpack to {info.file_size:,} bytes from "
                f"{info.compress_size:,}: refused as a zip bomb"
            )
