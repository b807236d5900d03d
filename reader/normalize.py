"""Normalization of what is sent to the model: ``model_text``.

The displayed text is never changed: only model input is normalized, so offsets stay valid.
OPUS-MT was trained on plain Arabic: presentation forms, tatweel, invisible controls and Eastern
digits are noise to it, and diacritics are rare in its training data (stripping them is a setting).
"""

from __future__ import annotations

import re
import unicodedata

from reader.chars import (
    ARABIC_DECIMAL_SEPARATOR,
    ARABIC_DIACRITICS,
    ARABIC_THOUSANDS_SEPARATOR,
    DIGITS_TO_ASCII,
    INVISIBLE,
    TATWEEL,
)

_REPLACEMENT = "\ufffd"  # left by undecodable input bytes; an unknown token to the model
_INVISIBLE_TABLE = {ord(ch): None for ch in TATWEEL + INVISIBLE + _REPLACEMENT}
_KEEP_MARKS_TABLE = {**_INVISIBLE_TABLE, **DIGITS_TO_ASCII}
_STRIP_MARKS_TABLE = {**_KEEP_MARKS_TABLE, **{ord(ch): None for ch in ARABIC_DIACRITICS}}
_SEPARATOR = re.compile(f"(?<=[0-9])[{ARABIC_DECIMAL_SEPARATOR}{ARABIC_THOUSANDS_SEPARATOR}](?=[0-9])")


def model_text(text: str, *, strip_diacritics: bool = True) -> str:
    """The model's view of ``text``: NFKC, no invisible controls or tatweel, ASCII digits, single spaces.

    Applying it twice changes nothing: removing a control can bring a letter next to a mark that NFKC
    then composes, so the steps repeat until the text is stable (in practice once more at most).
    """
    table = _STRIP_MARKS_TABLE if strip_diacritics else _KEEP_MARKS_TABLE
    out = _normalize_once(text, table)
    while (again := _normalize_once(out, table)) != out:
        out = again
    return out


def _normalize_once(text: str, table: dict[int, str | None]) -> str:
    # NFKC first folds presentation forms and composes hamza/madda (ا + ٔ -> أ) before marks are stripped;
    # controls go before it so they cannot block a composition, and after it because NFKC can emit tatweel.
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE_TABLE)).translate(table)
    text = _SEPARATOR.sub(lambda m: "." if m.group() == ARABIC_DECIMAL_SEPARATOR else ",", text)
    return " ".join(text.split())
