"""Normalization of what is sent to the model, and the test for text the model should see at all.

The displayed text is never changed: only model input is normalized, so offsets stay valid.
OPUS-MT was trained on plain Arabic: presentation forms, tatweel, invisible controls and Eastern
digits are noise to it, and diacritics are rare in its training data (stripping them is a setting).
"""

from __future__ import annotations

import re
import unicodedata

_TATWEEL = "\u0640"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DIACRITICS = [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)]

_REPLACEMENT = "\ufffd"  # left by undecodable input bytes; an unknown token to the model
_INVISIBLE_TABLE = {ord(ch): None for ch in _TATWEEL + _ZERO_WIDTH + _BIDI + _REPLACEMENT}
_DIGIT_TABLE = {
    **{0x0660 + d: str(d) for d in range(10)},  # Eastern Arabic digits
    **{0x06F0 + d: str(d) for d in range(10)},  # Persian digits
}
_KEEP_MARKS_TABLE = {**_INVISIBLE_TABLE, **_DIGIT_TABLE}
_STRIP_MARKS_TABLE = {**_KEEP_MARKS_TABLE, **dict.fromkeys(_DIACRITICS)}
_SEPARATOR = re.compile("(?<=[0-9])[٫٬](?=[0-9])")

# Blocks holding Arabic-script letters: Arabic, Supplement, Extended-A/B/C, presentation forms A/B,
# mathematical letters. Only category Lo counts (not digits, punctuation, marks or tatweel).
_ARABIC_BLOCKS = re.compile(
    "[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff\U00010ec0-\U00010eff\U0001ee00-\U0001eeff]"
)


def normalize(text: str, *, strip_diacritics: bool = True) -> str:
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
    text = _SEPARATOR.sub(lambda m: "." if m.group() == "٫" else ",", text)
    return " ".join(text.split())


def has_arabic_letters(text: str) -> bool:
    """Whether ``text`` has an Arabic-script letter; text without one is passed through, not translated."""
    return any(unicodedata.category(m.group()) == "Lo" for m in _ARABIC_BLOCKS.finditer(text))
