"""Buckwalter transliteration (the analyzer's alphabet) both ways, and a readable romanization.

Buckwalter's ASCII scheme is exact but unreadable to a news reader (``wabiAlra}iys``). What a
reader is shown follows ALA-LC, the library romanization most English-language references use:
long vowels with macrons, ʾ for hamza, ʿ for ʿayn, dotted emphatics, hyphens after the
proclitics and the article, no case endings (``wa-bi-al-raʾīs``, ``sa-yaqūlūna``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_BUCKWALTER = {
    "'": "\u0621", "|": "\u0622", ">": "\u0623", "&": "\u0624", "<": "\u0625", "}": "\u0626",
    "A": "\u0627", "b": "\u0628", "p": "\u0629", "t": "\u062a", "v": "\u062b", "j": "\u062c",
    "H": "\u062d", "x": "\u062e", "d": "\u062f", "*": "\u0630", "r": "\u0631", "z": "\u0632",
    "s": "\u0633", "$": "\u0634", "S": "\u0635", "D": "\u0636", "T": "\u0637", "Z": "\u0638",
    "E": "\u0639", "g": "\u063a", "_": "\u0640", "f": "\u0641", "q": "\u0642", "k": "\u0643",
    "l": "\u0644", "m": "\u0645", "n": "\u0646", "h": "\u0647", "w": "\u0648", "Y": "\u0649",
    "y": "\u064a", "F": "\u064b", "N": "\u064c", "K": "\u064d", "a": "\u064e", "u": "\u064f",
    "i": "\u0650", "~": "\u0651", "o": "\u0652", "`": "\u0670", "{": "\u0671",
}  # fmt: skip
_TO_ARABIC = str.maketrans(_BUCKWALTER)
_FROM_ARABIC = str.maketrans({arabic: ascii_ for ascii_, arabic in _BUCKWALTER.items()})
_MARKS = frozenset("FNKaui~o`")

_CONSONANTS = {
    "'": "ʾ", ">": "ʾ", "&": "ʾ", "<": "ʾ", "}": "ʾ", "b": "b", "t": "t", "v": "th", "j": "j",
    "H": "ḥ", "x": "kh", "d": "d", "*": "dh", "r": "r", "z": "z", "s": "s", "$": "sh", "S": "ṣ",
    "D": "ḍ", "T": "ṭ", "Z": "ẓ", "E": "ʿ", "g": "gh", "f": "f", "q": "q", "k": "k", "l": "l",
    "m": "m", "n": "n", "h": "h", "w": "w", "y": "y",
}  # fmt: skip
_SHORT = {"a": "a", "u": "u", "i": "i", "F": "an", "N": "un", "K": "in"}
_LONG = {"a": "ā", "u": "ū", "i": "ī"}
_VOWEL_AFTER = frozenset("aiuFNK~A")
_NISBA_END = re.compile(r"iy~[aui]?$")
_INITIAL_VOWEL = {">": "a", "<": "i"}
"""Without vowel marks: the vowel an initial أ or إ carries."""


def to_arabic(buckwalter: str) -> str:
    """In Unicode's canonical order (NFC: fatha before shadda), so equal words compare equal."""
    return unicodedata.normalize("NFC", buckwalter.translate(_TO_ARABIC))


def is_buckwalter(text: str) -> bool:
    return all(ch in _BUCKWALTER for ch in text)


def to_buckwalter(arabic: str) -> str:
    return arabic.translate(_FROM_ARABIC)


def strip_marks(buckwalter: str) -> str:
    return "".join(ch for ch in buckwalter if ch not in _MARKS)


def romanize(buckwalter: str) -> str:
    """One morpheme or word in Buckwalter, romanized; unvocalized input gets guessed long vowels.

    With vowel marks the spelling is followed exactly (``uw`` is ū, ``iy`` ī, ``aA`` ā). Without
    them, as for names and words out of the dictionary, a و or ي between consonants is read as a
    long vowel, which is how most loanwords and names are written (بوتين -> būtīn).
    """
    vocalized = any(ch in "aui" for ch in buckwalter)
    buckwalter = _NISBA_END.sub("iy", buckwalter)  # final -iyy is written -ī: al-markazī
    out: list[str] = []
    last_consonant = ""
    for i, ch in enumerate(buckwalter):
        prev = buckwalter[i - 1] if i else ""
        nxt = buckwalter[i + 1] if i + 1 < len(buckwalter) else ""
        if i == 0 and ch in "A{><&}'|":
            # ALA-LC writes no initial hamza: the vowel it carries, or that of the article al-.
            if ch in "A{":
                if not (vocalized and nxt in _SHORT):
                    out.append("a" if nxt == "l" or not vocalized else "i")
            elif ch == "|":
                out.append("ā")
            elif not vocalized:
                out.append(_INITIAL_VOWEL.get(ch, ""))
        elif ch in "AY`":
            if nxt == "F":
                continue  # -AF is the adverbial -an
            if out and out[-1] in _LONG:
                out[-1] = _LONG[out[-1]]
            elif not out or out[-1] != "ā":
                out.append("ā")
        elif ch == "|":
            out.append("ʾā")
        elif ch == "p":
            if nxt in _SHORT:
                out.append("t")
            elif out and out[-1] == "ā":
                out.append("h")  # -āh: ṣalāh
            elif not out or out[-1] != "a":
                out.append("a")
        elif ch == "~":
            out.append(last_consonant)
        elif ch in "wy" and _is_long_vowel(out, prev, nxt, vocalized, "u" if ch == "w" else "i"):
            long = "ū" if ch == "w" else "ī"
            if out and out[-1] in "ui":
                out[-1] = long
            else:
                out.append(long)
        elif ch in _CONSONANTS:
            last_consonant = _CONSONANTS[ch]
            out.append(last_consonant)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        elif ch not in "o_{":
            out.append(ch)
    return "".join(out)


def _is_long_vowel(out: list[str], prev: str, nxt: str, vocalized: bool, vowel: str) -> bool:
    if nxt and nxt in _VOWEL_AFTER:
        return False  # followed by a vowel or doubled: a consonant (wa, yu, w~)
    if vocalized:
        return bool(out) and out[-1] == vowel
    return bool(prev) and prev not in "AwyY|"


def romanize_parts(parts: Iterable[tuple[str, bool]]) -> str:
    """A word from its morphemes, (buckwalter, is a proclitic): ``wa-bi-al-raʾīs``.

    Proclitics (conjunctions, prepositions, the article, sa- of the future) are romanized on
    their own and followed by a hyphen; everything after them is romanized as one piece, so
    long vowels across the stem and its suffixes come out right. li + al is written lil-.
    """
    proclitics: list[str] = []
    rest: list[str] = []
    for buckwalter, is_proclitic in parts:
        if is_proclitic and not rest:
            proclitics.append(romanize(buckwalter))
        else:
            rest.append(buckwalter)
    head = "".join(f"{p}-" for p in proclitics if p).replace("li-al-", "lil-")
    return head + romanize("".join(rest))
