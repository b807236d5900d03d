"""The source side, shared by both backends: an input sentence as the model's pieces.

Both backends tokenize with the model's own MarianTokenizer, and must feed the encoder the same
pieces: the CTranslate2 backend passes them as strings, the transformers backend as their ids.
Article text is only ever text. A literal ``</s>`` or ``<pad>`` in it is split into pieces like any
other text, and a piece that spells one of them is fed as unknown, so it can neither end the input
early nor act as padding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reader.align import SPECIAL_TOKENS


@dataclass(frozen=True)
class Source:
    """One input sentence as the model's source pieces, end of sentence last."""

    pieces: tuple[str, ...]
    """What the encoder is fed."""
    shown: tuple[str, ...]
    """The same pieces as text, for the word mapping (``reader.align.piece_words``): a piece that
    spells a special token is a word of the sentence there, not a special."""

    @property
    def tokens(self) -> int:
        """Subwords, without the end of sentence: what ``count_tokens`` reports."""
        return len(self.pieces) - 1


def encode_source(tokenizer: Any, text: str) -> Source:
    """``text`` through the tokenizer's source sentencepiece model, end of sentence appended."""
    eos = tokenizer.eos_token
    reserved = {eos, tokenizer.pad_token}
    pieces = tokenizer.tokenize(text, split_special_tokens=True)
    return Source(
        (*(tokenizer.unk_token if piece in reserved else piece for piece in pieces), eos),
        (*(piece.replace("<", "‹") if piece in SPECIAL_TOKENS else piece for piece in pieces), eos),
    )
