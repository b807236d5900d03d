"""The transformers backend: MarianMTModel + MarianTokenizer from a local HF-format folder.

Beam search gives each sentence's output; one teacher-forced pass over the chosen output
then gives its exact mean token log-probability (the score) and the cross-attention of the
last decoder layer, head 0, which OPUS-MT "transformer-align" models are trained to use as
word alignment (see reader.align).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.align import word_alignment
from reader.errors import InputError, ModelError, ModelNotFoundError
from reader.extras import missing
from reader.models import folder
from reader.translate import beam_memory, candidates
from reader.translate.base import DecodeSettings, OutputLengths, Translation
from reader.translate.batching import padded_batches
from reader.translate.pieces import encode_source

if TYPE_CHECKING:
    from reader.config import Settings

_INSTALL_HINT = "run `.venv/bin/reader models pull opus-mt-ar-en` or `.venv/bin/reader models import PATH`"


@dataclass(frozen=True)
class _Item:
    """One non-empty input sentence on its way through the model."""

    index: int
    text: str
    pieces: list[str]
    ids: list[int]
    """Source token ids, eos included."""


LOGIT_ROWS = 16
"""Output positions whose vocabulary-wide logits exist at once in the scoring pass (4 MB for opus-mt-ar-en)."""


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
        self.model_calls = 0
        self.output_tokens = 0
        """Target tokens beam search produced (the best hypothesis of each input): what throughput counts."""
        self.output_lengths: OutputLengths | None = None
        self._fingerprint = f"transformers:{model_fingerprint}:{decode.key()}"
        config = model.config
        self._max_positions = int(config.max_position_embeddings)
        self._pad = int(config.pad_token_id)
        self._eos = int(config.eos_token_id)
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
        # OpenMP's threads spin while they wait for each other. Where another process holds a core,
        # every parallel region then waits for a thread that is not running: batched beam search ran
        # 10x slower on 2 shared cores (docs/performance.md, "The transformers regression"). Passive
        # waiting sleeps instead. OpenMP reads it when torch first loads it; a user's own setting stands.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import torch
            from transformers import MarianMTModel, MarianTokenizer
        except ImportError as exc:
            raise ModelError(missing("the transformers backend", "ml", exc=exc)) from exc

        if settings.threads > 0:
            torch.set_num_threads(settings.threads)
        device = _device(settings.device, torch)
        try:
            with warnings.catch_warnings(), _quiet_progress():
                # sacremoses only serves MarianTokenizer.normalize, which translation never calls.
                warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
                tokenizer = MarianTokenizer.from_pretrained(str(model_dir))
                model = MarianMTModel.from_pretrained(
                    str(model_dir), attn_implementation=beam_memory.attention_implementation()
                )
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

    def force_output_lengths(self, lengths: OutputLengths | None) -> None:
        """Benchmarks' hook: every output runs to the length ``lengths`` gives its sentence (None: no forcing).

        A batch decodes to one length, so its sentences' lengths must agree; where they do not, the
        longest is used (a benchmark sees that in ``output_tokens``).
        """
        self.output_lengths = lengths

    @property
    def workers(self) -> int:
        """One batch at a time: torch spreads each batch over the threads."""
        return 1

    def count_tokens(self, text: str) -> int:
        """Source subwords, without the eos the model adds."""
        return len(self._encode(text)[0]) if text.strip() else 0

    def _encode(self, text: str) -> tuple[list[str], list[int]]:
        """Source pieces as the word mapping reads them (no eos), and the ids the encoder is fed (eos last)."""
        source = encode_source(self._tokenizer, text)
        return list(source.shown[:-1]), [int(i) for i in self._tokenizer.convert_tokens_to_ids(list(source.pieces))]

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate in length-sorted batches within ``batch_tokens`` of memory, one batch at a time.

        Memory grows with hypotheses x padded input length, as in the CTranslate2 backend, so a batch's
        padded source tokens x beam stay within ``batch_tokens`` (``reader.translate.batching``). Every
        sentence is checked against the model's position limit before anything runs: input is never
        truncated silently (the pipeline sub-splits long sentences first).
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
        budget = self._batch_tokens // self._decode.beam
        for batch in padded_batches([len(item.ids) for item in items], budget=budget):
            group = [items[i] for i in batch]
            for item, translation in zip(group, self._translate_group(group), strict=True):
                results[item.index] = translation
        return [r if r is not None else Translation("", (), 0.0) for r in results]

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
        shortest = 0
        if self.output_lengths is not None:
            wanted = [self.output_lengths(item.text) for item in group]
            shortest = limit = limit if None in wanted else max(length for length in wanted if length is not None)
        try:
            with torch.inference_mode():
                # The encoder runs once for both passes. generate() expands the outputs object it
                # is given in place for the beams, so each pass gets its own wrapper.
                encoded = self._model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
                generated = self._model.generate(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    encoder_outputs=BaseModelOutput(last_hidden_state=encoded.last_hidden_state),
                    cache=beam_memory.beam_cache(self._model.config, self._decode.beam),
                    num_beams=self._decode.beam,
                    num_return_sequences=1,
                    do_sample=False,
                    max_new_tokens=limit,
                    min_new_tokens=shortest,
                    max_length=None,
                    bad_words_ids=self._bad_words,
                )
                self.model_calls += 1
                self.output_tokens += sum(len(self._hypothesis(row.tolist(), limit)) for row in generated)
                outputs = [
                    self._hypothesis(row.tolist(), _max_new_tokens(len(item.ids), self._decode.max_length))
                    for row, item in zip(generated, group, strict=True)
                ]
                del generated
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
        # The decoder alone (no language-model head): the head's [batch, length, vocabulary] logits
        # would be the largest tensor of the whole translation, so they are made a slice at a time.
        out = self._model.get_decoder()(
            input_ids=decoder_input,
            attention_mask=valid.long(),
            encoder_hidden_states=encoded,
            encoder_attention_mask=attention_mask,
            output_attentions=True,
            use_cache=False,
        )
        attention = out.cross_attentions[-1][:, 0].float().cpu().numpy()
        hidden = out.last_hidden_state[valid]
        targets = labels[valid]
        del out
        picked = torch.cat(
            [
                self._log_probs(hidden[start : start + LOGIT_ROWS], targets[start : start + LOGIT_ROWS])
                for start in range(0, len(targets), LOGIT_ROWS)
            ]
        )
        rows = torch.arange(len(outputs), device=device).repeat_interleave(valid.sum(dim=1))
        totals = torch.zeros(len(outputs), device=device).index_add_(0, rows, picked) / valid.sum(dim=1)
        return [float(t) for t in totals.cpu()], attention

    def _log_probs(self, hidden: Any, targets: Any) -> Any:
        """Log-probability of each target token, from decoder states: the model's head and softmax on a slice."""
        import torch

        logits = (self._model.lm_head(hidden) + self._model.final_logits_bias).float()
        for ids in self._bad_words:
            if len(ids) == 1:
                logits[:, ids[0]] = float("-inf")  # generation never picks them, so renormalise without
        return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - torch.logsumexp(logits, dim=-1)

    # ---- post-editing (reader.translate.base.PostEditing) --------------------------------------

    def alternatives(self, sentence: str, n: int) -> list[Translation]:
        """``num_return_sequences`` of one beam search, widened to ``n`` beams when ``n`` is over the beam.

        Up to the beam it is the very search ``translate_batch`` runs, so the first is its translation.
        Each hypothesis is then scored and aligned by the teacher-forced pass, as translations are.
        """
        candidates.check_count(n)
        if not sentence.strip():
            return [Translation("", (), 0.0)]
        item = self._item(sentence)
        beams = max(self._decode.beam, n)
        continuations = self._generate(item, [[]], beams=beams, returns=beams)
        return candidates.best(self._forced(item, candidates.encode_target(self._tokenizer, ""), continuations), n)

    def complete(self, sentence: str, prefix: str, avoid: Sequence[str] = ()) -> Translation:
        """Beam search from a forced decoder prefix (the decoder start, then the prefix's target pieces).

        ``avoid`` joins the model's own ``bad_words_ids``.
        """
        candidates.check_sentence(sentence)
        target = candidates.encode_target(self._tokenizer, prefix)
        item = self._item(sentence)
        suppressed = candidates.avoided(self._tokenizer, avoid, target)
        bad = [[int(i) for i in self._tokenizer.convert_tokens_to_ids(pieces)] for pieces in suppressed]
        continuations = self._generate(item, [self._ids(target)], beams=self._decode.beam, returns=1, bad=bad)
        return self._forced(item, target, continuations)[0]

    def next_words(self, sentence: str, prefix: str, n: int) -> list[Translation]:
        """The likeliest tokens that start a new word after the prefix, each completed by beam search.

        CTranslate2's ``return_alternatives`` made by hand: one decoder pass gives the next-token
        distribution after the prefix, its top tokens each become one more forced token.
        """
        import torch

        candidates.check_count(n)
        candidates.check_sentence(sentence)
        target = candidates.encode_target(self._tokenizer, prefix)
        item = self._item(sentence)
        prefix_ids = self._ids(target)
        input_ids, attention_mask, encoded = self._encoded(item, 1)
        prompt = torch.tensor([[self._start, *prefix_ids]], device=input_ids.device)
        try:
            with torch.inference_mode():
                out = self._model(
                    encoder_outputs=self._outputs(encoded), attention_mask=attention_mask, decoder_input_ids=prompt
                )
                logits = out.logits[0, -1].float()
                for ids in self._bad_words:
                    if len(ids) == 1:
                        logits[ids[0]] = float("-inf")
                top = torch.topk(logits, min(n * candidates.EXPANSION, logits.shape[-1])).indices.tolist()
        except RuntimeError as exc:
            raise ModelError(f"the model failed while decoding: {exc}") from exc
        starts = [i for i in top if candidates.starts_word(self._tokenizer.convert_ids_to_tokens(i))]
        if not starts:
            return []
        prompts = [[*prefix_ids, i] for i in starts]
        continuations = self._generate(item, prompts, beams=self._decode.beam, returns=1)
        whole = [[i, *tokens] for i, tokens in zip(starts, continuations, strict=True)]
        return candidates.by_next_word(self._forced(item, target, whole), target, n)

    def align(self, sentence: str, translation: str) -> Translation:
        """The teacher-forced pass ``translate_batch`` runs on its own output, run on ``translation``."""
        target = candidates.encode_target(self._tokenizer, translation)
        if not sentence.strip() or not target.pieces:
            return Translation(target.text, (), 0.0)
        return self._forced(self._item(sentence), target, [[self._eos]])[0]

    def _item(self, sentence: str) -> _Item:
        pieces, ids = self._encode(sentence)
        if len(ids) > self._max_positions:
            raise InputError(
                f"a sentence of {len(ids)} subword tokens is over the model's limit of {self._max_positions}"
            )
        return _Item(0, sentence, pieces, ids)

    def _ids(self, target: candidates.Target) -> list[int]:
        candidates.check_target_length(len(target.pieces), self._max_positions)
        return [int(i) for i in self._tokenizer.convert_tokens_to_ids(list(target.pieces))]

    def _encoded(self, item: _Item, rows: int) -> tuple[Any, Any, Any]:
        """One sentence's input ids, mask and encoder states, repeated for ``rows`` decoder rows."""
        import torch

        input_ids = torch.tensor([item.ids], dtype=torch.long, device=self._model.device)
        attention_mask = torch.ones_like(input_ids)
        try:
            with torch.inference_mode():
                encoded = self._model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
        except RuntimeError as exc:
            raise ModelError(f"the model failed while encoding: {exc}") from exc
        expand = (rows, -1)
        return input_ids.expand(*expand), attention_mask.expand(*expand), encoded.last_hidden_state.expand(rows, -1, -1)

    def _outputs(self, encoded: Any) -> Any:
        from transformers.modeling_outputs import BaseModelOutput

        return BaseModelOutput(last_hidden_state=encoded)

    def _generate(
        self, item: _Item, prompts: list[list[int]], *, beams: int, returns: int, bad: Sequence[list[int]] = ()
    ) -> list[list[int]]:
        """Beam search after each forced prompt (all of one length): the tokens after it, up to eos.

        ``returns`` hypotheses come back per prompt, best first; ``bad`` sequences join ``bad_words_ids``.
        """
        import torch

        input_ids, attention_mask, encoded = self._encoded(item, len(prompts))
        decoder_input_ids = torch.tensor([[self._start, *p] for p in prompts], device=input_ids.device)
        start = decoder_input_ids.shape[1]
        room = self._max_positions - start
        try:
            with torch.inference_mode():
                generated = self._model.generate(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    encoder_outputs=self._outputs(encoded),
                    decoder_input_ids=decoder_input_ids,
                    cache=beam_memory.beam_cache(self._model.config, beams),
                    num_beams=beams,
                    num_return_sequences=returns,
                    do_sample=False,
                    max_new_tokens=max(1, min(room, _max_new_tokens(len(item.ids), self._decode.max_length))),
                    max_length=None,
                    bad_words_ids=[*self._bad_words, *bad],
                )
        except RuntimeError as exc:
            raise ModelError(f"the model failed while decoding: {exc}") from exc
        continuations = []
        for row in generated.tolist():
            tokens = row[start:]
            if self._eos in tokens:
                tokens = tokens[: tokens.index(self._eos) + 1]
            continuations.append(tokens or [self._eos])
        return continuations

    def _forced(self, item: _Item, target: candidates.Target, continuations: list[list[int]]) -> list[Translation]:
        """Each of ``target`` + continuation through the teacher-forced pass: its score and alignment."""
        import torch

        prefix = self._ids(target)
        outputs = [[*prefix, *tokens] for tokens in continuations]
        _, attention_mask, encoded = self._encoded(item, len(outputs))
        try:
            with torch.inference_mode():
                scores, attentions = self._teacher_forced(encoded, attention_mask, outputs)
        except RuntimeError as exc:
            raise ModelError(f"the model failed while scoring a translation: {exc}") from exc
        source = [*item.pieces, self._tokenizer.eos_token]
        results = []
        for tokens, output, score, attention in zip(continuations, outputs, scores, attentions, strict=True):
            text = self._tokenizer.decode(
                tokens, skip_special_tokens=True, use_source_tokenizer=False, clean_up_tokenization_spaces=False
            )
            pieces = self._tokenizer.convert_ids_to_tokens(tokens)
            rows = attention[: len(output), : len(item.ids)]
            results.append(candidates.build(item.text, source, target, pieces, text, score, rows))
        return results


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
