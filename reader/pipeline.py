"""The pipeline: segment -> normalize -> passthrough / sub-split -> translate -> flag -> Document.

Only what goes to the model is normalized; the document keeps the original text and offsets.
Each model input keeps a map from its words back to the original sentence's words, so
alignments always refer to what the reader sees.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from reader import quality, segment
from reader.chars import has_arabic_letters
from reader.config import Settings
from reader.document import Document, Flag, Metadata, Paragraph, SentencePair, word_spans
from reader.normalize import model_text
from reader.translate.base import Translation, Translator


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


@dataclass(frozen=True)
class _Part:
    """One model input: a whole sentence, or a clause of a long one."""

    text: str
    origin: tuple[int, ...]
    """Word j of ``text`` comes from word origin[j] of the displayed sentence."""
    passthrough: bool


@dataclass(frozen=True)
class _Plan:
    parts: tuple[_Part, ...]

    @property
    def passthrough(self) -> bool:
        return all(p.passthrough for p in self.parts)

    @property
    def model_text(self) -> str:
        return " ".join(p.text for p in self.parts)


def segment_document(text: str, meta: Metadata | None = None) -> Document:
    """The document's structure with every sentence still waiting for its translation."""
    paragraphs = tuple(
        Paragraph(
            start=p.start,
            end=p.end,
            sentences=tuple(
                SentencePair(start=s.start, end=s.end, source=text[s.start : s.end], flags=(Flag.PENDING,))
                for s in p.sentences
            ),
        )
        for p in segment.segment(text)
    )
    return Document(text=text, paragraphs=paragraphs, meta=meta or Metadata())


def plan_sentence(source: str, translator: Translator, settings: Settings) -> _Plan:
    """Normalize word by word and split into model inputs that fit the token budget."""
    model_words: list[str] = []
    origin: list[int] = []
    for index, (start, end) in enumerate(word_spans(source)):
        for word in model_text(source[start:end], strip_diacritics=settings.strip_diacritics).split():
            model_words.append(word)
            origin.append(index)
    whole = " ".join(model_words)
    if not has_arabic_letters(whole):
        return _Plan((_Part(whole, tuple(origin), passthrough=True),))
    if translator.count_tokens(whole) <= settings.token_budget:
        return _Plan((_Part(whole, tuple(origin), passthrough=False),))
    parts = []
    for start, end in segment.split_long(model_words, settings.token_budget, translator.count_tokens):
        text = " ".join(model_words[start:end])
        # split_long never cuts a word; one over the budget alone (Arabic text run together without
        # spaces) would be truncated by the backend, so it is cut here and every piece translated.
        pieces = _cut(text, settings.token_budget, translator.count_tokens) if end - start == 1 else [text]
        for piece in pieces:
            parts.append(_Part(piece, tuple(origin[start:end]), passthrough=not has_arabic_letters(piece)))
    return _Plan(tuple(parts))


def _cut(word: str, budget: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Halve until each piece fits: about log2(len / piece) tokenizer passes over the word.

    A word without Arabic letters stays whole: it becomes a passthrough part, never sent.
    """
    if len(word) == 1 or not has_arabic_letters(word) or count_tokens(word) <= budget:
        return [word]
    middle = len(word) // 2
    return _cut(word[:middle], budget, count_tokens) + _cut(word[middle:], budget, count_tokens)


def _passthrough_pair(pair: SentencePair) -> SentencePair:
    count = len(word_spans(pair.source))
    return replace(
        pair,
        translation=pair.source,
        alignment=tuple((i, i) for i in range(count)),
        score=None,
        flags=(Flag.PASSTHROUGH,),
    )


def _finish(pair: SentencePair, plan: _Plan, results: dict[str, Translation]) -> SentencePair:
    """Join the parts' translations into one sentence pair, remapping alignments to display words."""
    texts: list[str] = []
    alignment: set[tuple[int, int]] = set()
    weighted_score = 0.0
    weight = 0
    all_cached = True
    target_offset = 0
    for part in plan.parts:
        if part.passthrough:
            translation = Translation(part.text, tuple((j, j) for j in range(len(part.origin))), 0.0, True)
        else:
            translation = results[part.text]
            all_cached = all_cached and translation.cached
            tokens = len(translation.text.split()) + 1
            weighted_score += translation.score * tokens
            weight += tokens
        words = translation.text.split()
        # A backend's alignment is not trusted: pairs outside either side's words are dropped.
        for source_word, target_word in translation.alignment:
            if 0 <= source_word < len(part.origin) and 0 <= target_word < len(words):
                alignment.add((part.origin[source_word], target_offset + target_word))
        target_offset += len(words)
        if words:
            texts.append(" ".join(words))
    text = " ".join(texts)
    score = weighted_score / weight if weight else None
    flags = set(quality.assess(plan.model_text, text, score))
    if score is not None and not math.isfinite(score):
        score = None  # JSON has no NaN or infinity; the flag keeps the warning
        flags.add(Flag.LOW_SCORE)
    if all_cached:
        flags.add(Flag.CACHED)
    if len(plan.parts) > 1:
        flags.add(Flag.SUB_SPLIT)
    return replace(pair, translation=text, alignment=tuple(sorted(alignment)), score=score, flags=tuple(sorted(flags)))


def _assemble(skeleton: Document, plans: list[_Plan], results: dict[str, Translation]) -> tuple[Document, int]:
    index = 0
    done = 0
    paragraphs = []
    for paragraph in skeleton.paragraphs:
        sentences = []
        for pair in paragraph.sentences:
            plan = plans[index]
            index += 1
            if plan.passthrough:
                sentences.append(_passthrough_pair(pair))
                done += 1
            elif all(p.passthrough or p.text in results for p in plan.parts):
                sentences.append(_finish(pair, plan, results))
                done += 1
            else:
                sentences.append(pair)
        paragraphs.append(replace(paragraph, sentences=tuple(sentences)))
    return replace(skeleton, paragraphs=tuple(paragraphs)), done


def iter_translate(
    text: str,
    translator: Translator,
    *,
    meta: Metadata | None = None,
    settings: Settings | None = None,
    chunk_sentences: int = 16,
) -> Iterator[Progress]:
    """Yield the document as it fills in: cached sentences first, then after each model chunk."""
    settings = settings or Settings.load()
    skeleton = segment_document(text, meta)
    plans = [plan_sentence(pair.source, translator, settings) for pair in skeleton.sentences]
    wanted = list(dict.fromkeys(p.text for plan in plans for p in plan.parts if not p.passthrough))
    results: dict[str, Translation] = {}
    if isinstance(translator, SupportsLookup) and wanted:
        results.update(translator.lookup(wanted))
    document, done = _assemble(skeleton, plans, results)
    total = len(plans)
    yield Progress(document, done, total)
    missing = [sentence for sentence in wanted if sentence not in results]
    for start in range(0, len(missing), max(1, chunk_sentences)):
        chunk = missing[start : start + chunk_sentences]
        results.update(zip(chunk, translator.translate_batch(chunk), strict=True))
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
    *_, last = iter_translate(text, translator, meta=meta, settings=settings, chunk_sentences=64)
    return last.document
