"""The transformers backend: MarianMTModel + MarianTokenizer from a local HF-format folder.

Beam search gives each sentence's output; one teacher-forced pass over the chosen output
then gives its exact mean token log-probability (the score) and the cross-attention of the
last decoder layer, head 0, which OPUS-MT "transformer-align" models are trained to use as
word alignment (see reader.align).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.align import SPECIAL_TOKENS, word_alignment
from reader.errors import InputError, ModelError, ModelNotFoundError, ReaderError
from reader.models import folder
from reader.translate.base import DecodeSettings, Translation

if TYPE_CHECKING:
    from reader.config import Settings

_INSTALL_HINT = "run `reader models pull opus-mt-ar-en` or `reader models import PATH`"


@dataclass(frozen=True)
class _Item:
    """One non-empty input sentence on its way through the model."""

    index: int
    text: str
    pieces: list[str]
    ids: list[int]
    """Source token ids, eos included."""


def _max_new_tokens(source_tokens: int, max_length: int) -> int:
    """Output bound from the source length: stops runaway repetition without cutting real output."""
    return max(1, min(max_length - 1, 2 * source_tokens + 10))


class TransformersTranslator:
    """A Marian model behind the Translator contract (see reader.translate.base)."""

    def __init__(
        self, model: Any, tokenizer: Any, *, model_fingerprint: str, decode: DecodeSettings, batch_tokens: int
    ) -> None:
        self._model = model
        self._tokenizer = tokenizer
        self._decode = decode
        self._batch_tokens = batch_tokens
        self.model_fingerprint = model_fingerprint
        """The weights' fingerprint (``reader.models.folder``)."""
        self._fingerprint = f"transformers:{model_fingerprint}:{decode.key()}"
        config = model.config
        self._max_positions = int(config.max_position_embeddings)
        self._pad = int(config.pad_token_id)
        self._eos = int(config.eos_token_id)
        self._unk = int(tokenizer.unk_token_id)
        self._start = int(config.decoder_start_token_id)
        bad = model.generation_config.bad_words_ids or [[self._pad]]
        self._bad_words = [list(map(int, ids)) for ids in bad]

    @classmethod
    def load(cls, model_dir: Path, *, settings: Settings) -> TransformersTranslator:
        """Load a Marian folder (config, weights, source/target.spm, vocab.json) for translation."""
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise ModelNotFoundError(f"no model folder at {model_dir}; {_INSTALL_HINT}")
        try:
            folder.check_marian(model_dir)
        except ModelNotFoundError as exc:
            raise ModelNotFoundError(f"{exc}; {_INSTALL_HINT}") from None
        try:
            import torch
            from transformers import MarianMTModel, MarianTokenizer
        except ImportError as exc:
            raise ModelError(
                f"the transformers backend needs torch, transformers and sentencepiece ({exc.name} is missing); "
                "install them with: pip install 'reader[ml]'"
            ) from exc

        if settings.beam < 1:
            raise ReaderError(f"beam must be at least 1, not {settings.beam}")
        if settings.threads > 0:
            torch.set_num_threads(settings.threads)
        device = _device(settings.device, torch)
        try:
            with warnings.catch_warnings(), _quiet_progress():
                # sacremoses only serves MarianTokenizer.normalize, which translation never calls.
                warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
                tokenizer = MarianTokenizer.from_pretrained(str(model_dir))
                model = MarianMTModel.from_pretrained(str(model_dir), attn_implementation="eager")
            model.to(device)
        except Exception as exc:  # whatever the library trips over, the folder is unusable
            raise ModelError(f"could not load the model in {model_dir}: {exc}") from exc
        model.eval()
        return cls(
            model,
            tokenizer,
            model_fingerprint=folder.fingerprint(model_dir),
            decode=DecodeSettings(beam=settings.beam, max_length=int(model.config.max_position_embeddings)),
            batch_tokens=settings.batch_tokens,
        )

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    @property
    def workers(self) -> int:
        """One batch at a time: torch spreads each batch over the threads."""
        return 1

    def count_tokens(self, text: str) -> int:
        """Source subwords, without the eos the model adds."""
        return len(self._encode(text)[0]) if text.strip() else 0

    def _encode(self, text: str) -> tuple[list[str], list[int]]:
        """Source pieces and ids (eos appended). Article text is only ever text: a literal
        ``</s>`` or ``<pad>`` in it must not end the input early or act as padding."""
        pieces = self._tokenizer.tokenize(text, split_special_tokens=True)
        reserved = {self._eos, self._pad}
        ids = [self._unk if i in reserved else i for i in self._tokenizer.convert_tokens_to_ids(pieces)]
        # Keep such pieces as words for the alignment's word mapping, too.
        pieces = [p.replace("<", "‹") if p in SPECIAL_TOKENS else p for p in pieces]
        return pieces, [*ids, self._eos]

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate in length-sorted batches of at most ``batch_tokens`` padded source tokens.

        Every sentence is checked against the model's position limit before anything runs:
        input is never truncated silently (the pipeline sub-splits long sentences first).
        """
        results: list[Translation | None] = [None] * len(sentences)
        items: list[_Item] = []
        for index, text in enumerate(sentences):
            if not text.strip():
                results[index] = Translation("", (), 0.0)
                continue
            pieces, ids = self._encode(text)
            if len(ids) > self._max_positions:
                raise InputError(
                    f"a sentence of {len(ids)} subword tokens is over the model's limit of "
                    f"{self._max_positions}; split it before translating (it starts: {text[:60]!r})"
                )
            items.append(_Item(index, text, pieces, ids))
        items.sort(key=lambda item: len(item.ids))
        for group in self._batches(items):
            for item, translation in zip(group, self._translate_group(group), strict=True):
                results[item.index] = translation
        return [r if r is not None else Translation("", (), 0.0) for r in results]

    def _batches(self, items: list[_Item]) -> list[list[_Item]]:
        """Consecutive groups (items are sorted by length) whose padded size fits the token budget."""
        groups: list[list[_Item]] = []
        current: list[_Item] = []
        for item in items:
            if current and (len(current) + 1) * len(item.ids) > self._batch_tokens:
                groups.append(current)
                current = []
            current.append(item)
        if current:
            groups.append(current)
        return groups

    def _translate_group(self, group: list[_Item]) -> list[Translation]:
        import torch
        from transformers.modeling_outputs import BaseModelOutput

        device = self._model.device
        width = max(len(item.ids) for item in group)
        input_ids = torch.full((len(group), width), self._pad, dtype=torch.long)
        for row, item in enumerate(group):
            input_ids[row, : len(item.ids)] = torch.tensor(item.ids)
        attention_mask = input_ids.ne(self._pad).long().to(device)
        input_ids = input_ids.to(device)
        limit = _max_new_tokens(width, self._decode.max_length)
        try:
            with torch.inference_mode():
                # The encoder runs once for both passes. generate() expands the outputs object it
                # is given in place for the beams, so each pass gets its own wrapper.
                encoded = self._model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
                generated = self._model.generate(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    encoder_outputs=BaseModelOutput(last_hidden_state=encoded.last_hidden_state),
                    num_beams=self._decode.beam,
                    num_return_sequences=1,
                    do_sample=False,
                    max_new_tokens=limit,
                    max_length=None,
                    bad_words_ids=self._bad_words,
                )
                outputs = [
                    self._hypothesis(row.tolist(), _max_new_tokens(len(item.ids), self._decode.max_length))
                    for row, item in zip(generated, group, strict=True)
                ]
                scores, attentions = self._teacher_forced(encoded.last_hidden_state, attention_mask, outputs)
        except RuntimeError as exc:
            raise ModelError(f"the model failed while translating: {exc}") from exc

        translations = []
        for item, output, score, attention in zip(group, outputs, scores, attentions, strict=True):
            text = self._tokenizer.decode(
                output, skip_special_tokens=True, use_source_tokenizer=False, clean_up_tokenization_spaces=False
            )
            alignment = word_alignment(
                attention[: len(output), : len(item.ids)],
                [*item.pieces, self._tokenizer.eos_token],
                self._tokenizer.convert_ids_to_tokens(output),
                source_words=len(item.text.split()),
                target_words=len(text.split()),
            )
            translations.append(Translation(text, alignment, score))
        return translations

    def _hypothesis(self, tokens: list[int], limit: int) -> list[int]:
        """Output ids after the decoder start, up to and including eos, within this sentence's bound."""
        if tokens and tokens[0] == self._start:
            tokens = tokens[1:]
        if self._eos in tokens:
            tokens = tokens[: tokens.index(self._eos) + 1]
        return tokens[:limit] or [self._eos]

    def _teacher_forced(self, encoded: Any, attention_mask: Any, outputs: list[list[int]]) -> tuple[list[float], Any]:
        """Exact mean log-probability of each output, and its [target, source] alignment attention."""
        import torch
        from transformers.modeling_outputs import BaseModelOutput

        device = encoded.device
        width = max(len(o) for o in outputs)
        labels = torch.full((len(outputs), width), self._pad, dtype=torch.long)
        decoder_input = torch.full((len(outputs), width), self._pad, dtype=torch.long)
        for row, output in enumerate(outputs):
            labels[row, : len(output)] = torch.tensor(output)
            decoder_input[row, 0] = self._start
            decoder_input[row, 1 : len(output)] = torch.tensor(output[:-1])
        valid = torch.zeros((len(outputs), width), dtype=torch.bool)
        for row, output in enumerate(outputs):
            valid[row, : len(output)] = True
        labels, decoder_input, valid = labels.to(device), decoder_input.to(device), valid.to(device)
        out = self._model(
            encoder_outputs=BaseModelOutput(last_hidden_state=encoded),
            attention_mask=attention_mask,
            decoder_input_ids=decoder_input,
            decoder_attention_mask=valid.long(),
            output_attentions=True,
        )
        logits = out.logits.float()
        for ids in self._bad_words:
            if len(ids) == 1:
                logits[..., ids[0]] = float("-inf")  # generation never picks them, so renormalise without
        logprobs = torch.log_softmax(logits, dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        totals = torch.where(valid, logprobs, 0.0).sum(dim=1) / valid.sum(dim=1)
        attention = out.cross_attentions[-1][:, 0].float().cpu().numpy()
        return [float(t) for t in totals.cpu()], attention


@contextlib.contextmanager
def _quiet_progress() -> Iterator[None]:
    """No "Loading weights" progress bar from a local folder: the CLI and app report progress themselves."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def _device(name: str, torch: Any) -> Any:
    """'auto' picks CUDA when present; anything else must be a device torch knows and has."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ModelError(f"unknown device {name!r}: use auto, cpu or cuda") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(f"device {name!r} was asked for, but torch sees no CUDA device here")
    return device
