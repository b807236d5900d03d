"""Text to a Marian model's pieces and back, shared by both backends.

Both backends must feed the encoder the same pieces: the CTranslate2 backend passes them as strings,
the transformers backend as their ids. Both read them from the model's own source sentencepiece
model. Article text is only ever text: a literal ``</s>`` or ``<pad>`` in it is fed as unknown, so it
can neither end the input early nor act as padding, and a sentence that starts with ``>>`` is not
taken for a language code (MarianTokenizer would make everything up to a later ``<<`` one piece).

``MarianPieces`` is what the CTranslate2 backend tokenizes with: the folder's two sentencepiece
models, read by sentencepiece alone. CTranslate2 maps pieces to ids itself, so that path never
imports transformers (two seconds and about 50 MB of every process that translates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader import extras
from reader.align import SPECIAL_TOKENS, WORD_START
from reader.errors import ModelError

EOS = "</s>"
UNK = "<unk>"
SPM_FILES = ("source.spm", "target.spm")


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
    """``text`` through the source sentencepiece model (``tokenizer.spm_source``), end of sentence appended."""
    pieces = tokenizer.spm_source.encode(text, out_type=str)
    return Source((*as_fed(pieces), EOS), (*as_shown(pieces), EOS))


def as_fed(pieces: Sequence[str]) -> tuple[str, ...]:
    """Pieces of the reader's or an article's text as the model is fed them: one that spells a special
    token is unknown, never the token itself."""
    return tuple(UNK if piece in SPECIAL_TOKENS else piece for piece in pieces)


def as_shown(pieces: Sequence[str]) -> tuple[str, ...]:
    """The same pieces for the word mapping (``reader.align.piece_words``), which leaves specials out:
    a piece that spells one is a word of the text there."""
    return tuple(piece.replace("<", "‹") if piece in SPECIAL_TOKENS else piece for piece in pieces)


class MarianPieces:
    """A Marian folder's ``source.spm`` and ``target.spm``, used as MarianTokenizer uses them."""

    def __init__(self, spm_source: Any, spm_target: Any) -> None:
        self.spm_source = spm_source
        self.spm_target = spm_target

    @classmethod
    def load(cls, folder: Path) -> MarianPieces:
        try:
            import sentencepiece
        except ImportError as exc:
            raise ModelError(extras.missing("reading the model's pieces", "ct2", exc=exc)) from exc
        missing = [name for name in SPM_FILES if not (folder / name).is_file()]
        if missing:
            raise ModelError(f"{folder} lacks tokenizer files: {', '.join(missing)}; convert the model again")
        models = []
        for name in SPM_FILES:
            try:
                models.append(sentencepiece.SentencePieceProcessor(model_file=str(folder / name)))
            except (OSError, RuntimeError) as exc:
                raise ModelError(f"cannot load the tokenizer file {folder / name}: {exc}") from exc
        return cls(*models)

    def decode(self, pieces: Sequence[str]) -> str:
        """Target pieces as text, specials left out: MarianTokenizer's ``decode(..., skip_special_tokens=True)``."""
        text = self.spm_target.decode_pieces([piece for piece in pieces if piece not in SPECIAL_TOKENS])
        return text.replace(WORD_START, " ").strip()
