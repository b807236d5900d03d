"""The CTranslate2 backend: a converted Marian model (``reader models convert NAME --to ct2``).

Same contract and same results as the transformers backend (text, word alignment, mean token
log-probability), several times faster on CPU in a fraction of the memory: int8 on CPU,
float16 on CUDA, batches cut by token count. The model's own sentencepiece models tokenize
(copied into the converted folder; reader.translate.pieces), so both backends feed the model
identical pieces, and translating never imports transformers.
Alignment comes from the attention CTranslate2 returns: the last decoder layer's head 0,
the guided-alignment head of OPUS-MT "transformer-align" models.
"""

from __future__ import annotations

import json
import math
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import KW_ONLY, dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import ctranslate2
import numpy as np

from reader.align import word_alignment
from reader.errors import InputError, ModelError, ModelNotFoundError
from reader.models import folder
from reader.translate import candidates
from reader.translate.base import DecodeSettings, OutputLengths, Translation
from reader.translate.batching import padded_batches
from reader.translate.heap import keep_heap_small
from reader.translate.pieces import MarianPieces, Source, encode_source

if TYPE_CHECKING:
    from reader.config import Settings

DEFAULT_MAX_POSITIONS = 512
TARGET_VOCABULARIES = ("target_vocabulary", "shared_vocabulary")
"""Where CTranslate2's converters write the target vocabulary (.json, or .txt a piece a line): the order
its logits come in."""
KV_BYTES = 2 * 4
"""Bytes per model dimension, decoder layer and token that a hypothesis's attention cache holds: keys and
values, float32 (int8 quantizes the weights, not the activations)."""
TOKENS_AT_LIMIT = 6.0
"""Cached tokens' worth of memory per padded source token of a hypothesis whose output runs to its limit
(2 x source + 10): the source's cross-attention keys and values and two output tokens' self-attention
ones, and about as much again of heap that CTranslate2's growing caches leave fragmented (each step
copies them into a slightly larger block). Measured with every output at its limit, the glibc heap
kept small (``reader.translate.heap``), peak RSS in MB against budget: 2,600 -> 377-396, 3,100 -> 501,
3,540 -> 485-522, 4,306 -> 475-520 (docs/performance.md); 6.0 makes about 2,600 of a 500 MB cap."""
PATIENCE = 2
"""Beam search goes on until ``beam * PATIENCE`` hypotheses have finished. With 1, CTranslate2 can
stop while a better hypothesis is one step from finishing; transformers' stopping rule keeps
going, and 2 gives its translations."""


def output_limit(source_tokens: int, max_length: int) -> int:
    """Output tokens (eos included) allowed for a source of ``source_tokens`` (eos included).

    The transformers backend's bound: generous for any real translation, tight enough that a
    repetition loop stops early instead of running to the model's 512 positions.
    """
    return max(1, min(max_length - 1, 2 * source_tokens + 10))


@dataclass(eq=False, repr=False)
class CT2Translator:
    """A CTranslate2 model behind the Translator protocol."""

    model: Any
    tokenizer: Any
    _: KW_ONLY
    decode: DecodeSettings
    batch_tokens: int
    max_input_tokens: int
    quantization: str
    model_fingerprint: str
    """The source model's fingerprint (``reader.models.folder``): a conversion is known by its source's."""
    model_dir: Path
    device: str = "cpu"
    model_calls: int = field(default=0, init=False)
    output_tokens: int = field(default=0, init=False)
    """Target tokens beam search produced (the best hypothesis of each input): what throughput counts."""
    fix_first_rows: bool = field(default=True, init=False)
    """Recompute the first attention row CTranslate2 gets wrong in batched beam search (see
    ``_first_row_is_wrong``). A benchmark turns it off to measure what the fix-up costs; the first
    word's alignment is then wrong."""
    output_lengths: OutputLengths | None = field(default=None, init=False)
    first_call_alone: bool = field(default=True, init=False)
    """``translate_chunks`` runs the first call alone when it makes fewer batches than there are workers
    (the reader's first sentence): the other workers wait instead of slowing it down. A benchmark turns
    it off to measure what that costs the whole article."""
    spread: int = field(default=0, init=False)
    """How many workers one call's batches are cut for (0: every worker). The server's batcher runs one
    call per worker side by side, each on a copy of this translator sharing the model: a call made while
    the others are busy is one full batch for one worker, instead of small ones for workers it would
    only queue behind."""
    memory_mb: int = 0
    """The memory cap batches are sized for (``Settings.memory_mb``; 0: ``batch_tokens`` alone)."""
    resident_mb: float = 0.0
    """The process's resident memory once the model was loaded: what the cap's headroom is counted from."""
    bytes_per_token: int = 0
    """Memory per padded source token x hypothesis with outputs at their limit (0: unknown)."""
    vocabulary: list[str] | None = field(default=None, init=False)
    solo: Any = field(default=None, init=False)
    """A second copy of the model with every thread on one batch (``use_every_core_alone``), or None."""

    @classmethod
    def load(cls, model_dir: Path, *, settings: Settings, compute_type: str | None = None) -> CT2Translator:
        """Open a converted folder. ``compute_type`` overrides the default (int8 on CPU, float16 on CUDA)."""
        model_dir = Path(model_dir)
        if not (model_dir / folder.CT2_WEIGHTS).is_file():
            raise ModelNotFoundError(
                f"{model_dir} is not a CTranslate2 model folder (no model.bin). "
                "Run `reader models convert NAME --to ct2` to make one."
            )
        record = folder.read_ct2_record(model_dir)
        quantization = record.quantization if record else "unknown"
        device, device_index = _device(settings.device)
        if compute_type is None:
            compute_type = _default_compute_type(device, quantization)
        # On CPU, batches run in parallel, one thread each: for Marian-sized matrices this scales
        # far better than splitting each matrix product across threads (measured in
        # docs/performance.md). On CUDA one worker feeds the device.
        workers = 1 if device == "cuda" else (settings.threads if settings.threads > 0 else os.cpu_count() or 1)
        if device == "cpu":
            keep_heap_small()  # before the workers start: the memory cap counts on it (TOKENS_AT_LIMIT)
        try:
            model = ctranslate2.Translator(
                str(model_dir),
                device=device,
                device_index=device_index,
                compute_type=compute_type,
                inter_threads=workers,
                intra_threads=1 if device == "cpu" else 0,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"CTranslate2 could not load {model_dir}: {exc}") from exc
        tokenizer = MarianPieces.load(model_dir)
        hf_config = _read_json(model_dir / folder.HF_CONFIG_COPY)
        max_positions = int(hf_config.get("max_position_embeddings") or DEFAULT_MAX_POSITIONS)
        decode = DecodeSettings(beam=settings.beam, max_length=max_positions)
        layers, width = hf_config.get("decoder_layers"), hf_config.get("d_model")
        per_token = int(KV_BYTES * TOKENS_AT_LIMIT * layers * width) if layers and width else 0
        return cls(
            model,
            tokenizer,
            decode=decode,
            batch_tokens=settings.batch_tokens,
            max_input_tokens=max_positions,
            quantization=quantization,
            model_fingerprint=folder.fingerprint(model_dir),
            model_dir=model_dir,
            device=device,
            memory_mb=settings.memory_mb if device == "cpu" else 0,
            resident_mb=_resident_mb(),
            bytes_per_token=per_token,
        )

    def use_every_core_alone(self) -> None:
        """Load a second copy of the model (its size again in memory) that runs one batch on every thread.

        The workers run one batch each on one thread, so a lone input (a server's single request) would
        use one core of many; a call that makes a single batch goes to this copy instead.
        """
        if self.device != "cpu" or self.workers < 2 or self.solo is not None:
            return
        try:
            self.solo = ctranslate2.Translator(
                str(self.model_dir),
                device="cpu",
                compute_type=self.compute_type,
                inter_threads=1,
                intra_threads=self.workers,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"CTranslate2 could not load {self.model_dir} again: {exc}") from exc

    def force_output_lengths(self, lengths: OutputLengths | None) -> None:
        """Benchmarks' hook: every output runs to the length ``lengths`` gives its sentence (None: no forcing).

        A batch decodes to one length, so its sentences' lengths must agree; where they do not, the
        longest is used (a benchmark sees that in ``output_tokens``).
        """
        self.output_lengths = lengths

    @property
    def batch_budget(self) -> int:
        """Padded source tokens x hypotheses of the batches the workers run at once.

        ``batch_tokens``, or more where the memory cap leaves room over what the process held once the
        model was loaded, counting every output at its length limit: the cap decides, not a token count.
        """
        if self.memory_mb <= 0 or self.resident_mb <= 0 or self.bytes_per_token <= 0:
            return self.batch_tokens
        headroom = (self.memory_mb - self.resident_mb) * 2**20
        return max(self.batch_tokens, int(headroom // self.bytes_per_token))

    @property
    def cut_for(self) -> int:
        """How many workers a call's batches are cut for: ``spread``, or every worker."""
        return self.spread or self.workers

    @property
    def compute_type(self) -> str:
        return str(self.model.compute_type)

    @property
    def workers(self) -> int:
        """Batches run at once: CTranslate2's ``inter_threads`` (its parallel translators)."""
        return int(self.model.num_translators)

    @property
    def fingerprint(self) -> str:
        """Backend, stored and computed precision, source weights and decoding: the cache never mixes them."""
        search = f"{self.decode.key()};patience={PATIENCE}"
        return f"ct2:{self.quantization}:{self.compute_type}:{self.model_fingerprint}:{search}"

    def count_tokens(self, text: str) -> int:
        """Source subwords, without the eos the model adds (as the transformers backend counts)."""
        return encode_source(self.tokenizer, text).tokens if text.strip() else 0

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate in length-sorted batches, one per worker at least, within ``batch_tokens`` of memory.

        Memory grows with hypotheses x padded input length (each hypothesis keeps attention caches
        over the source and its output, which the output limit bounds by the source's length), so
        ``batch_tokens`` counts padded source tokens x beam hypotheses over the batches the workers
        run at once (``reader.translate.batching``): it caps memory for any input, and raising it buys
        larger batches. Each batch is its own asynchronous job, so the workers run them side by side.

        Long inputs are refused before anything runs, never truncated silently (the pipeline
        sub-splits long sentences first).
        """
        return self._collect(self._queue(sentences))

    def translate_chunks(self, chunks: Iterable[Sequence[str]]) -> Iterator[list[Translation]]:
        """``translate_batch`` of each chunk in turn, the next chunk's jobs queued before this one's are awaited.

        CTranslate2's workers take jobs in the order they were queued, so a worker done with its
        share of a chunk goes on with the next one instead of waiting for the slowest batch. Behind
        the chunk awaited next, just enough is queued for a batch per worker: one chunk of a
        usual size, or several of the pipeline's one-sentence first calls. That bounds the work left
        running when the caller stops early (the app's reader opened another article). A first call
        too small to use every worker runs alone (``first_call_alone``): on a shared CPU the others'
        batches would slow down the sentence the reader waits for.
        """
        pulled = iter(chunks)
        ahead: deque[_Queued] = deque()

        def fill() -> None:
            while sum(len(queued.batches) for queued in islice(ahead, 1, None)) < self.workers:
                chunk = next(pulled, None)
                if chunk is None:
                    return
                ahead.append(self._queue(chunk))

        first = next(pulled, None)
        if first is None:
            return
        ahead.append(self._queue(first))
        if not (self.first_call_alone and len(ahead[0].batches) < self.workers):
            fill()
        while ahead:
            done = self._collect(ahead.popleft())
            fill()
            yield done

    def _queue(self, sentences: Sequence[str]) -> _Queued:
        """Every job of one call queued, beam searches first, then their first-row fix-ups."""
        todo = [i for i, sentence in enumerate(sentences) if sentence.strip()]
        sources = [self._source(sentences[i]) for i in todo]
        batches = padded_batches(
            [len(source.pieces) for source in sources],
            budget=self.batch_budget // (self.decode.beam * self.workers),
            workers=self.cut_for,
        )
        # Every job is queued before any result is awaited: a worker done with its beam search
        # goes on to the first-row fix-up while the others finish theirs.
        try:
            alone = len(batches) == 1 and self.cut_for == self.workers
            model = self.solo if self.solo is not None and alone else self.model
            searches = [
                self._queue_beam_search(
                    [list(sources[i].pieces) for i in batch], [sentences[todo[i]] for i in batch], model
                )
                for batch in batches
            ]
            fix = self.fix_first_rows and self._first_row_is_wrong
            shared = [i for batch in batches for i in batch[1:]] if fix else []
            fixes = self._queue_first_steps([list(sources[i].pieces) for i in shared]) if shared else []
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"CTranslate2 failed while translating: {exc}") from exc
        return _Queued(sentences, todo, sources, batches, searches, shared, fixes)

    def _collect(self, queued: _Queued) -> list[Translation]:
        """The translations of a queued call, once its jobs are done."""
        results = [Translation("", (), 0.0) for _ in queued.sentences]
        if not queued.todo:
            return results
        try:
            outputs: list[Any] = [None] * len(queued.sources)
            for batch, search in zip(queued.batches, queued.searches, strict=True):
                for i, job in zip(batch, search, strict=True):
                    outputs[i] = job.result()
                    self.output_tokens += len(outputs[i].hypotheses[0])
            first_rows = [_first_row(out) for out in outputs]
            for i, job in zip(queued.shared, queued.fixes, strict=True):
                first_rows[i] = _first_row(job.result())
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"CTranslate2 failed while translating: {exc}") from exc
        self.model_calls += 1
        for i, source, output, first in zip(queued.todo, queued.sources, outputs, first_rows, strict=True):
            results[i] = self._translation(queued.sentences[i], source, output, first)
        return results

    @property
    def _first_row_is_wrong(self) -> bool:
        """CTranslate2 4.x bug: on CPU, batched beam search returns the wrong first attention row.

        Beam search runs its first step before expanding the beam, then gathers that step's
        attention with un-expanded indices, so in a batch of several inputs all but the first get
        another input's first row (BeamSearch::search in decoding.cc). The first input of a batch, and
        so a batch of one, is right.
        """
        return self.device == "cpu" and self.decode.beam > 1

    def _queue_beam_search(self, batch: list[list[str]], sentences: list[str], model: Any) -> list[Any]:
        """Queue a beam search over one batch (one job, run by the next free worker of ``model``)."""
        limit = output_limit(max(len(pieces) for pieces in batch), self.decode.max_length)
        shortest = 0
        if self.output_lengths is not None:
            wanted = [self.output_lengths(sentence) for sentence in sentences]
            shortest = limit = limit if None in wanted else max(length for length in wanted if length is not None)
        return model.translate_batch(
            batch,
            asynchronous=True,
            beam_size=self.decode.beam,
            patience=PATIENCE,
            no_repeat_ngram_size=self.decode.no_repeat_ngram_size,
            max_decoding_length=limit,
            min_decoding_length=shortest,
            max_input_length=0,
            return_scores=True,
            return_attention=True,
        )

    def _queue_first_steps(self, sources: list[list[str]]) -> list[Any]:
        """Queue one greedy step per source: its attention is the first row beam search got wrong.

        The first step attends from the decoder start token alone, the same in every beam, so one
        greedy step recomputes it exactly; split among the workers, it costs about an encoder pass.
        """
        return self.model.translate_batch(
            sources,
            asynchronous=True,
            beam_size=1,
            max_decoding_length=1,
            min_decoding_length=1,
            max_input_length=0,
            max_batch_size=math.ceil(len(sources) / self.cut_for),
            return_attention=True,
        )

    def _source(self, text: str) -> Source:
        """Source pieces ending in </s>: what the transformers backend feeds its model."""
        source = encode_source(self.tokenizer, text)
        if len(source.pieces) > self.max_input_tokens:
            raise InputError(
                f"a sentence of {len(source.pieces)} subword tokens is over the model's limit of "
                f"{self.max_input_tokens}; split it before translating (it starts: {text[:60]!r})"
            )
        return source

    def _translation(self, sentence: str, source: Source, output: Any, first_row: Any) -> Translation:
        target = list(output.hypotheses[0])
        score = float(output.scores[0])
        # One call has one length bound (the longest input's); each sentence gets its own, as in
        # the transformers backend. Only runaway outputs reach it; their score is recomputed.
        limit = output_limit(len(source.pieces), self.decode.max_length)
        if len(target) >= limit:
            target = target[:limit]
            try:
                log_probs = self.model.score_batch([list(source.pieces)], [target])[0].log_probs
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"CTranslate2 failed while scoring a translation: {exc}") from exc
            score = sum(log_probs[:limit]) / limit
        text = self.tokenizer.decode(target)
        alignment: tuple[tuple[int, int], ...] = ()
        if target:
            rows = [first_row, *output.attention[0][1 : len(target)]]
            alignment = word_alignment(
                [row[: len(source.pieces)] for row in rows],
                source.shown,
                target,
                source_words=len(sentence.split()),
                target_words=len(text.split()),
            )
        return Translation(text, alignment, score)

    # ---- post-editing (reader.translate.base.PostEditing) --------------------------------------

    def alternatives(self, sentence: str, n: int) -> list[Translation]:
        """The ``n`` best of one beam search, which finishes ``beam * PATIENCE`` hypotheses anyway.

        Up to that many it is the very search ``translate_batch`` runs, so the first is its
        translation; beyond it the beam widens. One sentence at a time, so the attention CTranslate2
        returns is right (its batched first-row bug needs a second example).
        """
        candidates.check_count(n)
        if not sentence.strip():
            return [Translation("", (), 0.0)]
        source = self._source(sentence)
        beam = max(self.decode.beam, math.ceil(n / PATIENCE))
        (output,) = self._search(
            [list(source.pieces)],
            beam_size=beam,
            num_hypotheses=beam * PATIENCE,
            max_decoding_length=output_limit(len(source.pieces), self.decode.max_length),
            return_scores=True,
            return_attention=True,
        )
        found = [
            self._translation(sentence, source, _Hypothesis([tokens], [score], [rows]), rows[0] if rows else None)
            for tokens, score, rows in zip(output.hypotheses, output.scores, output.attention, strict=True)
        ]
        return candidates.best(found, n)

    def complete(self, sentence: str, prefix: str, avoid: Sequence[str] = ()) -> Translation:
        """Beam search from ``target_prefix``, ``avoid`` as ``suppress_sequences``; score and alignment forced."""
        candidates.check_sentence(sentence)
        target = candidates.encode_target(self.tokenizer, prefix)
        source = self._source(sentence)
        (output,) = self._search(
            [list(source.pieces)],
            target_prefix=[list(target.pieces)] if target.pieces else None,
            beam_size=self.decode.beam,
            max_decoding_length=self._prefixed_limit(source, target),
            suppress_sequences=candidates.avoided(self.tokenizer, avoid, target) or None,
        )
        return self._forced(sentence, source, target, [output.hypotheses[0][len(target.pieces) :]])[0]

    def next_words(self, sentence: str, prefix: str, n: int) -> list[Translation]:
        """The likeliest tokens that start a new word after the prefix, each completed by beam search.

        Not ``return_alternatives``: in CTranslate2 4.8.5 it expands wrong candidates once the prefix
        has two or more tokens (its one-pass prefix decoding; the greedy logits at the same position
        agree with transformers), so the candidates come from those logits, and each is completed
        with a target prefix one token longer, as the transformers backend does.
        """
        candidates.check_count(n)
        candidates.check_sentence(sentence)
        target = candidates.encode_target(self.tokenizer, prefix)
        source = self._source(sentence)
        limit = self._prefixed_limit(source, target)
        prefix_pieces = list(target.pieces)
        (step,) = self._search(
            [list(source.pieces)],
            target_prefix=[prefix_pieces] if prefix_pieces else None,
            beam_size=1,
            max_decoding_length=len(prefix_pieces) + 1,
            return_logits_vocab=True,
        )
        logits = np.asarray(step.logits[0][len(prefix_pieces)], dtype=np.float32)
        top = np.argsort(-logits, kind="stable")[: n * candidates.EXPANSION].tolist()
        vocabulary = self._target_vocabulary()
        starts = [piece for piece in (vocabulary[i] for i in top) if candidates.starts_word(piece)]
        if not starts:
            return []
        outputs = self._search(
            [list(source.pieces)] * len(starts),
            target_prefix=[[*prefix_pieces, piece] for piece in starts],
            beam_size=self.decode.beam,
            max_decoding_length=limit,
        )
        continuations = [output.hypotheses[0][len(prefix_pieces) :] for output in outputs]
        return candidates.by_next_word(self._forced(sentence, source, target, continuations), target, n)

    def align(self, sentence: str, translation: str) -> Translation:
        """Forced decoding: ``translation`` as the whole target prefix, read back with its attention."""
        target = candidates.encode_target(self.tokenizer, translation)
        if not sentence.strip() or not target.pieces:
            return Translation(target.text, (), 0.0)
        return self._forced(sentence, self._source(sentence), target, [[]])[0]

    def _search(self, sources: list[list[str]], **options: Any) -> list[Any]:
        """A search with the settings ``translate_batch`` uses (its attention is not used: see ``_forced``)."""
        try:
            return self.model.translate_batch(
                sources,
                patience=PATIENCE,
                no_repeat_ngram_size=self.decode.no_repeat_ngram_size,
                min_decoding_length=0,
                max_input_length=0,
                **options,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"CTranslate2 failed while decoding: {exc}") from exc

    def _prefixed_limit(self, source: Source, target: candidates.Target) -> int:
        """Output tokens allowed after a prefix: the usual bound for the source, on top of the prefix."""
        candidates.check_target_length(len(target.pieces), self.decode.max_length)
        after = output_limit(len(source.pieces), self.decode.max_length)
        return min(self.decode.max_length - 1, len(target.pieces) + after)

    def _forced(
        self, sentence: str, source: Source, target: candidates.Target, continuations: list[list[str]]
    ) -> list[Translation]:
        """``target`` + each continuation teacher-forced: mean log-probability from ``score_batch``, and
        the alignment head from a greedy search whose whole output is the prefix (greedy search has
        no first-row bug, so a batch is safe)."""
        outputs = [[*target.pieces, *tokens] for tokens in continuations]
        longest = max(1, *(len(tokens) for tokens in outputs))
        candidates.check_target_length(longest, self.decode.max_length)
        sources = [list(source.pieces)] * len(outputs)
        try:
            scored = self.model.score_batch(sources, outputs, max_input_length=0)
            attended = self.model.translate_batch(
                sources,
                target_prefix=outputs,
                beam_size=1,
                max_decoding_length=longest,
                min_decoding_length=0,
                max_input_length=0,
                return_attention=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"CTranslate2 failed while scoring a translation: {exc}") from exc
        results = []
        for tokens, output, scores, forced in zip(continuations, outputs, scored, attended, strict=True):
            rows = [row[: len(source.pieces)] for row in forced.attention[0][: len(output)]]
            score = sum(scores.log_probs) / len(scores.log_probs)
            results.append(candidates.build(sentence, source.shown, target, tokens, self._text(tokens), score, rows))
        return results

    def _text(self, tokens: Sequence[str]) -> str:
        return self.tokenizer.decode(tokens)

    def _target_vocabulary(self) -> list[str]:
        """The target pieces in CTranslate2's order (its logits' indices), read on first use: only
        ``next_words`` needs them, and the 62,834 strings are worth not holding otherwise."""
        if self.vocabulary is None:
            self.vocabulary = _read_vocabulary(self.model_dir)
        return self.vocabulary

    def __repr__(self) -> str:
        return f"CT2Translator({self.fingerprint!r})"


class _Queued(NamedTuple):
    """One call's jobs in CTranslate2's queue: what ``_collect`` needs to read their results back."""

    sentences: Sequence[str]
    todo: list[int]
    """Indices of the non-blank sentences, which ``sources`` holds in that order."""
    sources: list[Source]
    batches: list[list[int]]
    searches: list[list[Any]]
    """Per batch, its AsyncTranslationResult per input."""
    shared: list[int]
    """Inputs whose first attention row is recomputed (they shared a beam search)."""
    fixes: list[Any]


class _Hypothesis(NamedTuple):
    """One hypothesis of an n-best result, shaped like a TranslationResult of one (for ``_translation``)."""

    hypotheses: list[list[str]]
    scores: list[float]
    attention: list[list[list[float]]]


def _resident_mb() -> float:
    """This process's resident memory now (VmRSS), 0 where /proc does not say."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _first_row(output: Any) -> list[float] | None:
    """Attention of the first output token, or None when the output is empty."""
    return output.attention[0][0] if output.attention and output.attention[0] else None


def _device(wanted: str) -> tuple[str, int]:
    """('cpu' | 'cuda', device index) from 'auto', 'cpu', 'cuda' or 'cuda:N'."""
    if wanted in ("", "auto"):
        return ("cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"), 0
    kind, _, index = wanted.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise ModelError(f"the CTranslate2 backend runs on 'cpu', 'cuda' or 'cuda:N', not {wanted!r}")
    if kind == "cuda" and ctranslate2.get_cuda_device_count() <= int(index or 0):
        raise ModelError(f"device {wanted!r} was asked for, but CTranslate2 sees no such CUDA device here")
    return kind, int(index or 0)


def _default_compute_type(device: str, quantization: str) -> str:
    """float16 on CUDA; on CPU int8 for int8 conversions, else the stored type when the CPU has it."""
    if device == "cuda":
        return "float16"
    supported = ctranslate2.get_supported_compute_types("cpu")
    wanted = "int8" if quantization.startswith("int8") or quantization == "unknown" else quantization
    return wanted if wanted in supported else "float32"


def _read_vocabulary(model_dir: Path) -> list[str]:
    """The target vocabulary as CTranslate2 loaded it (it refuses to load a model without a readable one)."""
    for name in TARGET_VOCABULARIES:
        json_path, text_path = model_dir / f"{name}.json", model_dir / f"{name}.txt"
        try:
            if json_path.is_file():
                pieces = json.loads(json_path.read_text(encoding="utf-8"))
                if isinstance(pieces, list):
                    return [str(piece) for piece in pieces]
            elif text_path.is_file():
                return text_path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"cannot read the vocabulary in {model_dir}: {exc}") from exc
    raise ModelError(f"{model_dir} has no readable target vocabulary; convert the model again")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
