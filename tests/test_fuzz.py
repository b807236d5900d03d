"""Property tests of the whole pipeline over arbitrary Unicode, with the fake backend.

tests/test_segment.py and tests/test_normalize.py fuzz segmentation and normalization on their
own; here the same kind of text goes through segment -> per-word normalization -> passthrough ->
sub-split -> translator -> flags, and the Document that comes out is checked against the input.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.chars import has_arabic_letters
from reader.config import Settings
from reader.document import Document, Flag, word_spans
from reader.normalize import model_text
from reader.pipeline import iter_translate, translate_text
from reader.translate.cache import SentenceCache
from reader.translate.cached import CachedTranslator
from tests.support.fake import FakeTranslator, transliterate

INVISIBLE = "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
SPECIAL = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآةىپچژگڤ"  # letters, Persian and extended ones too
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬،؛؟…ـًٌٍَُِّْٰٓٔ"  # digits, separators, punctuation, tatweel, marks
    "ﻻﺍﷲﷺﹱﭐ"  # presentation forms (one folds into several words)
    ".!?:;,\"'”“»«’‘()[]<>&{}$ \t\n\r\u2028\u2029\u00a0\u3000\x85\x0b\x0c\x1c"
    "é\u0301aZ7🙂👍🏽中"
) + INVISIBLE
WORDS = ["الاقتصادية", "والمستشفيات", "قال", " الوزير ", "٢٠٢٤", "3.5%", "https://example.com/a?b=1", "د. ", "U.S. "]
TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(list(SPECIAL)), st.sampled_from(WORDS)), max_size=120).map(
    "".join
)
BASE = Settings.load()


class RecordingTranslator(FakeTranslator):
    """The fake backend with a tokenizer of choice: words (default) or about three characters a token."""

    def __init__(self, *, subwords: bool = False) -> None:
        super().__init__()
        self.subwords = subwords

    def count_tokens(self, text: str) -> int:
        if self.subwords:
            return sum(len(w) // 3 + 1 for w in text.split()) + 1
        return len(text.split())


def sent(translator: FakeTranslator) -> list[str]:
    return [sentence for call in translator.calls for sentence in call]


def squeeze(text: str) -> str:
    return "".join(text.split())


def check_document(text: str, document: Document) -> None:
    """Offsets rebuild the input and every non-space character lies in exactly one sentence.

    Sentences are slices of the text, in order, without overlap, with only whitespace between
    them: the gaps and sources together are the input, character for character.
    """
    assert document.text == text
    pos = 0
    for paragraph in document.paragraphs:
        assert paragraph.sentences
        assert paragraph.start == paragraph.sentences[0].start and paragraph.end == paragraph.sentences[-1].end
        for pair in paragraph.sentences:
            gap = text[pos : pair.start]
            assert gap == "" or gap.isspace(), repr(gap)
            assert pair.start < pair.end and text[pair.start : pair.end] == pair.source
            assert pair.source == pair.source.strip()
            pos = pair.end
    assert text[pos:] == "" or text[pos:].isspace()


@given(TEXT, st.integers(1, 12), st.booleans(), st.booleans())
@settings(max_examples=200, deadline=None)
def test_pipeline_over_arbitrary_text(text: str, budget: int, strip: bool, subwords: bool) -> None:
    translator = RecordingTranslator(subwords=subwords)
    options = replace(BASE, token_budget=budget, strip_diacritics=strip)
    document = translate_text(text, translator, settings=options)
    check_document(text, document)

    # Passthrough is never sent to the model, and what is sent is clean, normalized and within budget.
    for sentence in sent(translator):
        assert has_arabic_letters(sentence), repr(sentence)
        assert sentence == model_text(sentence, strip_diacritics=strip)
        assert not set(sentence) & set(INVISIBLE + "\u0640")
        # Only a lone character can be over the budget: long words are cut, never truncated by the model.
        assert translator.count_tokens(sentence) <= budget or len(sentence) == 1, (sentence, budget)

    for pair in document.sentences:
        assert Flag.PENDING not in pair.flags
        seen = model_text(pair.source, strip_diacritics=strip)
        if pair.has(Flag.PASSTHROUGH):
            assert not has_arabic_letters(seen)
            assert pair.translation == pair.source and pair.score is None
        else:
            assert has_arabic_letters(seen)
            # Nothing truncated or lost: the fake transliterates character by character, so the
            # translation holds every character the model input had, however it was cut up.
            assert squeeze(pair.translation) == squeeze(transliterate(seen))
            # Every display word that kept something after normalization is aligned.
            kept = {
                i
                for i, (s, e) in enumerate(word_spans(pair.source))
                if model_text(pair.source[s:e], strip_diacritics=strip)
            }
            assert {s for s, _ in pair.alignment} == kept
            if len(seen.split()) > 1 and translator.count_tokens(seen) > budget:
                assert pair.has(Flag.SUB_SPLIT)
        # Alignments index real words on both sides.
        n_source, n_target = len(word_spans(pair.source)), len(word_spans(pair.translation))
        assert all(0 <= s < n_source and 0 <= t < n_target for s, t in pair.alignment)
        assert list(pair.alignment) == sorted(set(pair.alignment))
    assert Document.from_json(document.to_json()) == document


@given(TEXT, st.integers(1, 6))
@settings(max_examples=100, deadline=None)
def test_progress_only_moves_forward_and_ends_complete(text: str, chunk: int) -> None:
    steps = list(
        iter_translate(text, RecordingTranslator(), settings=replace(BASE, token_budget=4), chunk_sentences=chunk)
    )
    assert steps
    assert all(step.total == steps[0].total for step in steps)
    assert [step.done for step in steps] == sorted(step.done for step in steps)
    assert steps[-1].done == steps[-1].total == len(steps[-1].document.sentences)
    for step in steps:
        check_document(text, step.document)
        finished = [s for s in step.document.sentences if not s.has(Flag.PENDING)]
        assert len(finished) == step.done


@given(TEXT)
@settings(max_examples=100, deadline=None)
def test_a_second_pass_comes_from_the_cache_unchanged(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        cache = SentenceCache(Path(folder) / "cache.sqlite3")
        try:
            first = translate_text(text, CachedTranslator(FakeTranslator(), cache), settings=BASE)
            again_model = FakeTranslator(fail_on_call=True)
            second = translate_text(text, CachedTranslator(again_model, cache), settings=BASE)
        finally:
            cache.close()
    assert again_model.calls == []
    for before, after in zip(first.sentences, second.sentences, strict=True):
        assert replace(after, flags=tuple(f for f in after.flags if f != Flag.CACHED)) == replace(
            before, flags=tuple(f for f in before.flags if f != Flag.CACHED)
        )
        assert after.has(Flag.CACHED) != after.has(Flag.PASSTHROUGH)
