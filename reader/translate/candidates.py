"""The target side of post-editing, shared by both backends: the reader's English in, candidates out.

Both backends tokenize with the model's own sentencepiece models (``reader.translate.pieces``). A
prefix or an edit the reader typed goes through its *target* one, so the decoder is fed exactly the
pieces it would have produced for that text. A candidate is then the reader's pieces plus the
model's continuation: its text keeps the reader's words as typed (a piece the vocabulary lacks is
still shown) and its alignment is read from the attention of the whole, teacher-forced
(``reader.align``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reader.align import SPECIAL_TOKENS, WORD_START, word_alignment
from reader.chars import bare_word
from reader.errors import InputError
from reader.translate.base import Translation
from reader.translate.pieces import as_fed, as_shown

MAX_CANDIDATES = 64
"""The most alternatives one call may ask for: each is a beam hypothesis kept in memory."""
EXPANSION = 4
"""``next_words`` looks at this many times ``n`` likely next tokens: some continue the last word
instead of starting a new one, and several can start the same word."""


@dataclass(frozen=True)
class Target:
    """English the reader wrote, as the model's target pieces."""

    text: str
    """The text with its spaces normalized: what a candidate built on it starts with."""
    pieces: tuple[str, ...]
    """What the decoder is fed; a piece that spells a special token (``</s>``) is fed as unknown."""
    shown: tuple[str, ...]
    """The same pieces as text, for counting words (``reader.align.piece_words``)."""


def encode_target(tokenizer: Any, text: str) -> Target:
    """``text`` through the tokenizer's target sentencepiece model (never the source one)."""
    normalized = " ".join(text.split())
    pieces = tuple(tokenizer.spm_target.encode(normalized, out_type=str)) if normalized else ()
    return Target(normalized, as_fed(pieces), as_shown(pieces))


def avoided(tokenizer: Any, words: Iterable[str], prefix: Target) -> list[list[str]]:
    """Each word as the target pieces it is written with inside a sentence, for the decoder to suppress.

    Punctuation around a word is not part of it; a word the prefix itself says is not suppressed.
    """
    said = {bare_word(word) for word in prefix.text.split()}
    found: list[list[str]] = []
    for word in words:
        bare = bare_word(word)
        pieces = list(as_fed(tokenizer.spm_target.encode(bare, out_type=str)))
        if bare and bare not in said and pieces not in found:
            found.append(pieces)
    return found


def check_count(n: int) -> int:
    if not 1 <= n <= MAX_CANDIDATES:
        raise InputError(f"ask for between 1 and {MAX_CANDIDATES} alternatives, not {n}")
    return n


def check_target_length(tokens: int, max_positions: int) -> None:
    """English the reader gave must leave the decoder room for its end token."""
    if tokens >= max_positions - 1:
        raise InputError(f"the English given is {tokens} subword tokens, over the model's limit of {max_positions - 2}")


def check_sentence(sentence: str) -> None:
    if not sentence.strip():
        raise InputError("there is no sentence to continue: it is empty")


def build(
    sentence: str,
    source_pieces: Sequence[str],
    target: Target,
    continuation: Sequence[str],
    continuation_text: str,
    score: float,
    attention: Any,
) -> Translation:
    """The Translation of ``target`` followed by the model's ``continuation`` (pieces, and their decoded text).

    ``attention`` has one row per piece of ``target`` then of ``continuation``, over ``source_pieces``.
    """
    text = join(target.text, continuation_text, continuation)
    if not target.shown and not continuation:
        return Translation(text, (), score)
    alignment = word_alignment(
        attention,
        source_pieces,
        [*target.shown, *continuation],
        source_words=len(sentence.split()),
        target_words=len(text.split()),
    )
    return Translation(text, alignment, score)


def join(prefix: str, continuation_text: str, continuation: Sequence[str]) -> str:
    """The reader's words, then the model's: with a space unless the model's first piece continues the last word."""
    if not prefix or not continuation_text:
        return prefix or continuation_text
    first = next((piece for piece in continuation if piece not in SPECIAL_TOKENS), "")
    return prefix + (" " if first.startswith(WORD_START) else "") + continuation_text


def starts_word(piece: str) -> bool:
    """A next token that begins a new word (not a suffix glued to the prefix's last word, nor a special)."""
    return piece.startswith(WORD_START) and piece not in SPECIAL_TOKENS


def best(candidates: Iterable[Translation], n: int) -> list[Translation]:
    """The ``n`` best distinct texts, best score first (a tie keeps the search's order)."""
    distinct = {}
    for translation in candidates:
        kept = distinct.get(translation.text)
        if kept is None or translation.score > kept.score:
            distinct[translation.text] = translation
    return sorted(distinct.values(), key=lambda t: -t.score)[:n]


def by_next_word(candidates: Sequence[Translation], prefix: Target, n: int) -> list[Translation]:
    """The best candidate for each distinct word after the prefix, best first, at most ``n``."""
    at = len(prefix.text.split())
    chosen: dict[str, Translation] = {}
    for translation in best(candidates, len(candidates)):
        words = translation.text.split()
        if len(words) > at:
            chosen.setdefault(words[at], translation)
    return list(chosen.values())[:n]
