"""The pipeline: segment -> plan (normalize, passthrough, sub-split) -> translate -> align -> flag -> Document.

Only what goes to the model is normalized; the document keeps the original text and offsets.
Each model input keeps a map from its words back to the original sentence's words
(``reader.plan``), so alignments always refer to what the reader sees (``reader.align``).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Protocol, runtime_checkable

from reader import quality, segment
from reader.assemble import copied, join
from reader.config import Settings
from reader.document import Block, Document, Flag, Metadata, Paragraph, SentencePair, word_spans
from reader.plan import Plan, plan_sentence
from reader.translate.base import Translation, Translator, translate_chunks, workers_of

CHUNK_INPUTS = 16
"""The most model inputs in one call while a document fills in: large enough for full batches,
small enough that a long article shows progress."""


@runtime_checkable
class SupportsLookup(Protocol):
    """A translator that can answer from its cache without running the model."""

    def lookup(self, sentences: Sequence[str]) -> dict[str, Translation]: ...


@dataclass(frozen=True)
class Progress:
    document: Document
    done: int
    """Sentences finished so far (translated, cached or passed through)."""
    total: int


def segment_document(text: str, meta: Metadata | None = None, blocks: Sequence[Block] = ()) -> Document:
    """The document's structure with every sentence still waiting for its translation.

    ``blocks`` (a document reader's, one per line of ``text``) give each paragraph its kind and page.
    """
    starts = [block.start for block in blocks]
    paragraphs = []
    for p in segment.segment(text):
        block = blocks[bisect_right(starts, p.start) - 1] if starts and starts[0] <= p.start else Block(p.start)
        paragraphs.append(
            Paragraph(
                start=p.start,
                end=p.end,
                sentences=tuple(
                    SentencePair(start=s.start, end=s.end, source=text[s.start : s.end], flags=(Flag.PENDING,))
                    for s in p.sentences
                ),
                kind=block.kind,
                level=block.level,
                page=block.page,
                ocr=block.ocr,
            )
        )
    return Document(text=text, paragraphs=tuple(paragraphs), meta=meta or Metadata())


def _passthrough_pair(pair: SentencePair) -> SentencePair:
    count = len(word_spans(pair.source))
    return replace(
        pair,
        translation=pair.source,
        alignment=tuple((i, i) for i in range(count)),
        score=None,
        flags=(Flag.PASSTHROUGH,),
    )


def _finish(pair: SentencePair, plan: Plan, results: dict[str, Translation]) -> SentencePair:
    """Join the parts' translations into one sentence pair, its alignment over the displayed words."""
    joined = join(plan, [copied(part) if part.passthrough else results[part.text] for part in plan.parts])
    score: float | None = joined.score
    flags = set(quality.assess(plan.model_text, joined.text, score))
    if not math.isfinite(joined.score):
        score = None  # JSON has no NaN or infinity; the flag keeps the warning
        flags.add(Flag.LOW_SCORE)
    if joined.cached:
        flags.add(Flag.CACHED)
    if len(plan.parts) > 1:
        flags.add(Flag.SUB_SPLIT)
    return replace(pair, translation=joined.text, alignment=joined.alignment, score=score, flags=tuple(sorted(flags)))


def _assemble(skeleton: Document, plans: list[Plan], results: dict[str, Translation]) -> tuple[Document, int]:
    index = 0
    done = 0
    paragraphs = []
    for paragraph in skeleton.paragraphs:
        sentences = []
        for pair in paragraph.sentences:
            plan = plans[index] if index < len(plans) else None  # past the plans: not translated now (titles first)
            index += 1
            if plan is None:
                sentences.append(pair)
            elif plan.passthrough:
                sentences.append(_passthrough_pair(pair))
                done += 1
            elif all(p.passthrough or p.text in results for p in plan.parts):
                sentences.append(_finish(pair, plan, results))
                done += 1
            else:
                sentences.append(pair)
        paragraphs.append(replace(paragraph, sentences=tuple(sentences)))
    return replace(skeleton, paragraphs=tuple(paragraphs)), done


def chunk_sizes(total: int, *, first: int, largest: int) -> list[int]:
    """Inputs per model call: ``first`` at once, then the rest in even calls.

    The small first call costs no extra call: the rest go in as many calls as calls of ``largest``
    would take for everything, less one (at least one), so batches stay as large as before. 19
    inputs after a first call of 2 go as 17, not 9 + 8 or 16 + 1. A call's size bounds only how
    often results arrive: the backend cuts it into batches within its memory budget.
    """
    if total <= 0:
        return []
    first = min(total, max(1, first))
    rest = total - first
    if rest == 0:
        return [first]
    calls = max(1, math.ceil(total / max(1, largest)) - 1)
    return [first, *(rest // calls + (1 if i < rest % calls else 0) for i in range(calls))]


def _through_first_sentence(plans: list[Plan], missing: list[str]) -> int:
    """How many of ``missing`` (in document order) it takes to finish the first sentence still pending."""
    position = {text: i for i, text in enumerate(missing)}
    for plan in plans:
        waiting = [position[part.text] for part in plan.parts if part.text in position]
        if waiting:
            return max(waiting) + 1
    return 0


def quickest_first(
    plans: Sequence[Plan], inputs: Sequence[str], pending: Collection[str], count_tokens: Callable[[str], int]
) -> list[list[str]]:
    """``inputs`` as one call per sentence, the sentences they finish first, shortest first.

    The calls run side by side on the backend's workers, and each sentence shows as soon as its call is
    back: in document order, a long first sentence would hold back the shorter ones done before it.
    A sentence whose other parts are still ``pending`` (beyond ``inputs``) shows nothing yet, so it goes
    last. Ties keep document order.
    """
    wanted = set(inputs)
    owner: dict[str, int] = {}
    for number, plan in enumerate(plans):
        for part in plan.parts:
            if part.text in wanted:
                owner.setdefault(part.text, number)
    calls: dict[int, list[str]] = {}
    for text in inputs:
        calls.setdefault(owner[text], []).append(text)

    def order(number: int) -> tuple[bool, int]:
        unfinished = any(p.text in pending and p.text not in wanted for p in plans[number].parts)
        return unfinished, sum(count_tokens(text) for text in calls[number])

    return [calls[number] for number in sorted(calls, key=order)]


def iter_translate(
    text: str,
    translator: Translator,
    *,
    meta: Metadata | None = None,
    settings: Settings | None = None,
    chunk_sentences: int = CHUNK_INPUTS,
    first_chunk: int | None = None,
    blocks: Sequence[Block] = (),
    paragraphs: int | None = None,
) -> Iterator[Progress]:
    """Yield the document as it fills in: cached sentences first, then after each model call.

    ``paragraphs`` translates only the first so many paragraphs (titles first): the others' sentences
    stay pending, and ``total`` counts only what is translated.

    The first inputs go small so the first sentences show at once: one model input per batch the
    backend runs at once (``workers``), and at least the whole first pending sentence, in document
    order, sent as one call per sentence, the shortest first (``quickest_first``). The rest goes in
    calls of up to ``chunk_sentences`` inputs, where batching pays. ``first_chunk`` sets the first
    call's size instead, as one call (``chunk_sentences``: even calls only).
    A backend that can (``reader.translate.base.Pipelined``) queues each call before the previous
    one's results are shown, so more calls do not leave its workers waiting at the end of each.
    """
    settings = settings or Settings.load()
    skeleton = segment_document(text, meta, blocks)
    sentences = skeleton.sentences
    if paragraphs is not None:
        sentences = [s for p in skeleton.paragraphs[:paragraphs] for s in p.sentences]
    plans = [plan_sentence(pair.source, translator, settings) for pair in sentences]
    wanted = list(dict.fromkeys(p.text for plan in plans for p in plan.parts if not p.passthrough))
    results: dict[str, Translation] = {}
    if isinstance(translator, SupportsLookup) and wanted:
        results.update(translator.lookup(wanted))
    document, done = _assemble(skeleton, plans, results)
    total = len(plans)
    yield Progress(document, done, total)
    missing = [sentence for sentence in wanted if sentence not in results]
    small_first = first_chunk is None
    if first_chunk is None:
        first_chunk = max(workers_of(translator), _through_first_sentence(plans, missing))
    sizes = chunk_sizes(len(missing), first=first_chunk, largest=chunk_sentences)
    ends = list(accumulate(sizes))
    chunks = [missing[end - size : end] for end, size in zip(ends, sizes, strict=True)]
    if small_first and chunks:
        chunks[:1] = quickest_first(plans, chunks[0], set(missing), translator.count_tokens)
    # Pipelined where the backend can: its workers go on with the next call while this one is shown.
    for chunk, translations in zip(chunks, translate_chunks(translator, chunks), strict=True):
        results.update(zip(chunk, translations, strict=True))
        document, done = _assemble(skeleton, plans, results)
        yield Progress(document, done, total)


def translate_text(
    text: str,
    translator: Translator,
    *,
    meta: Metadata | None = None,
    settings: Settings | None = None,
) -> Document:
    """Translate a whole article; the result has no pending sentences."""
    *_, last = iter_translate(text, translator, meta=meta, settings=settings, chunk_sentences=64, first_chunk=64)
    return last.document
