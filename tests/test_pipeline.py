"""The pipeline with the fake backend: what reaches the model, and how results map back."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reader.document import Flag, word_spans
from reader.pipeline import chunk_sizes, iter_translate, segment_document, translate_text
from tests.support.config import settings
from tests.support.fake import FakeTranslator, PipelinedFake, transliterate

ARTICLE = "البنك يثبت الفائدة\nقال الوزير إن النمو قوي. وأضاف أن التضخم تراجع.\nThe End.\n2024"


def test_translates_sentence_by_sentence_with_exact_output(fake_translator):
    document = translate_text(ARTICLE, fake_translator, settings=settings())
    sentences = document.sentences
    assert [s.source for s in sentences] == [
        "البنك يثبت الفائدة",
        "قال الوزير إن النمو قوي.",
        "وأضاف أن التضخم تراجع.",
        "The End.",
        "2024",
    ]
    assert sentences[1].translation == " ".join(transliterate(w) for w in sentences[1].source.split())
    assert sentences[1].alignment == tuple((i, i) for i in range(5))
    assert all(Flag.PENDING not in s.flags for s in sentences)
    assert [p.start for p in document.paragraphs] == [0, 19, 67, 76]


def test_passthrough_segments_never_reach_the_model(fake_translator):
    document = translate_text(ARTICLE, fake_translator, settings=settings())
    sent = [sentence for call in fake_translator.calls for sentence in call]
    assert "The End." not in sent and "2024" not in sent
    english, number = document.sentences[3:]
    assert english.translation == "The End." and english.has(Flag.PASSTHROUGH) and english.score is None
    assert number.translation == "2024" and number.has(Flag.PASSTHROUGH)


def test_only_the_model_input_is_normalized(fake_translator):
    text = "قـــال الوزيرُ إن النمو ٣٫٥ \u200fبالمئة."
    document = translate_text(text, fake_translator, settings=settings(strip_diacritics=True))
    assert fake_translator.calls == [["قال الوزير إن النمو 3.5 بالمئة."]]
    assert document.sentences[0].source == text
    assert document.text == text


def test_words_that_normalize_away_keep_alignment_on_display_words(fake_translator):
    text = "قال \u200f الوزير نعم."
    document = translate_text(text, fake_translator, settings=settings())
    pair = document.sentences[0]
    assert fake_translator.calls == [["قال الوزير نعم."]]
    # The lone bidi mark is display word 1; the model never saw it, so nothing aligns to it.
    assert len(word_spans(pair.source)) == 4
    assert pair.alignment == ((0, 0), (2, 1), (3, 2))


def test_long_sentence_is_sub_split_and_joined_back(fake_translator):
    clause = "قال الوزير إن النمو قوي جدا هذا العام"
    text = "، ".join([clause] * 4) + "."
    document = translate_text(text, fake_translator, settings=settings(token_budget=10))
    pair = document.sentences[0]
    assert len(fake_translator.calls[0]) > 1, "the sentence should reach the model in parts"
    assert all(len(part.split()) <= 10 for part in fake_translator.calls[0])
    assert pair.has(Flag.SUB_SPLIT)
    source_words = pair.source.split()
    assert pair.translation.split() == [transliterate(w) for w in source_words]
    assert pair.alignment == tuple((i, i) for i in range(len(source_words)))


def test_repeated_sentences_are_translated_once(fake_translator):
    text = "قال الوزير نعم.\nقال الوزير نعم."
    translate_text(text, fake_translator, settings=settings())
    assert fake_translator.calls == [["قال الوزير نعم."]]


def test_progress_fills_in_chunk_by_chunk(fake_translator):
    text = "\n".join(f"الجملة رقم {'ب' * (i + 1)}." for i in range(5))
    steps = list(iter_translate(text, fake_translator, settings=settings(), chunk_sentences=2, first_chunk=2))
    assert [s.done for s in steps] == [0, 2, 4, 5]
    assert all(s.total == 5 for s in steps)
    assert all(s.has(Flag.PENDING) for s in steps[0].document.sentences)
    assert [s.has(Flag.PENDING) for s in steps[1].document.sentences] == [False, False, True, True, True]


class ParallelFake(FakeTranslator):
    """A fake backend that says it runs ``workers`` batches at once, as CTranslate2 does."""

    def __init__(self, workers: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workers = workers


NUMBERED = "\n".join(f"الجملة رقم {'ب' * (i + 1)}." for i in range(20))


def test_the_first_inputs_are_one_per_worker_a_call_per_sentence():
    translator = ParallelFake(workers=2)
    steps = list(iter_translate(NUMBERED, translator, settings=settings()))
    sentences = [s.source for s in steps[-1].document.sentences]
    assert translator.calls[:2] == [sentences[:1], sentences[1:2]]  # as long as each other: document order
    assert [len(call) for call in translator.calls] == [1, 1, 18]  # then no more calls than calls of 16 would make
    assert [s.done for s in steps] == [0, 1, 2, 20]


def test_the_first_sentences_go_shortest_first_and_a_sentence_left_unfinished_last():
    long = "قال الوزير إن النمو قوي جدا هذا العام وإن التضخم تراجع."
    text = f"{long}\nثم انتهى.\nوأضاف أن التضخم تراجع."
    translator = ParallelFake(workers=2)
    steps = list(iter_translate(text, translator, settings=settings()))
    assert translator.calls == [["ثم انتهى."], [long], ["وأضاف أن التضخم تراجع."]]
    shown = [[not s.has(Flag.PENDING) for s in step.document.sentences] for step in steps]
    assert shown == [[False, False, False], [False, True, False], [True, True, False], [True, True, True]]
    # A sentence whose other parts come later shows nothing with its first part: it goes after the finished one.
    clause = "قال الوزير إن النمو قوي جدا هذا العام"
    split = "، ".join([clause + str(i) for i in range(3)]) + "."
    translator = ParallelFake(workers=4)
    second = "وأضاف أن التضخم تراجع " + " ".join(["جدا"] * 7) + "."  # 11 words: two parts
    steps = list(iter_translate(f"{split}\n{second}\nثم انتهى.", translator, settings=settings(token_budget=10)))
    assert [len(call) for call in translator.calls[:2]] == [3, 1]  # sentence 1's parts, then a part of sentence 2
    assert clause in translator.calls[0][0] and translator.calls[1][0].startswith("وأضاف")
    assert [s.has(Flag.PENDING) for s in steps[1].document.sentences] == [False, True, True]


def test_the_first_call_finishes_the_first_sentence_even_when_it_is_split():
    clause = "قال الوزير إن النمو قوي جدا هذا العام"
    text = "، ".join([clause + str(i) for i in range(3)]) + ".\nوأضاف أن التضخم تراجع.\nثم انتهى."
    translator = ParallelFake(workers=2)
    steps = list(iter_translate(text, translator, settings=settings(token_budget=10)))
    assert len(translator.calls[0]) == 3  # the three parts of sentence 1, more than one per worker
    assert steps[1].document.sentences[0].has(Flag.SUB_SPLIT)
    assert not steps[1].document.sentences[0].has(Flag.PENDING)
    assert steps[1].document.sentences[1].has(Flag.PENDING)


def test_the_first_call_starts_at_the_first_sentence_not_in_the_cache(tmp_path):
    from reader.translate.cache import SentenceCache
    from reader.translate.cached import CachedTranslator

    cache = SentenceCache(tmp_path / "cache.sqlite3")
    lines = NUMBERED.splitlines()
    translate_text("\n".join(lines[:3]), CachedTranslator(FakeTranslator(), cache), settings=settings())
    backend = ParallelFake(workers=2)
    cached = CachedTranslator(backend, cache)
    assert cached.workers == 2  # the decorator reports its backend's figure
    steps = list(iter_translate(NUMBERED, cached, settings=settings()))
    assert steps[0].done == 3
    assert backend.calls[:2] == [lines[3:4], lines[4:5]]
    assert [step.done for step in steps[1:3]] == [4, 5]


def test_a_pipelined_backend_gets_the_next_call_before_this_one_is_shown():
    translator = PipelinedFake()
    shown = []
    for step in iter_translate(NUMBERED, translator, settings=settings()):
        shown.append((step.done, [len(chunk) for chunk in translator.pulled]))
    assert shown == [(0, []), (1, [1, 1]), (2, [1, 1, 18]), (20, [1, 1, 18])]
    plain = ParallelFake(workers=2)
    assert [len(call) for call in translator.calls] == [1, 1, 18]
    assert step.document == list(iter_translate(NUMBERED, plain, settings=settings()))[-1].document


def test_a_translator_that_does_not_say_runs_one_batch_at_a_time(fake_translator):
    list(iter_translate(NUMBERED, fake_translator, settings=settings(), chunk_sentences=8))
    assert [len(call) for call in fake_translator.calls] == [1, 10, 9]


def test_translate_text_sends_an_article_in_as_few_calls_as_it_can():
    translator = ParallelFake(workers=2)
    translate_text(NUMBERED, translator, settings=settings())
    assert [len(call) for call in translator.calls] == [20]


@pytest.mark.parametrize(
    ("total", "first", "largest", "sizes"),
    [
        (0, 2, 16, []),
        (1, 2, 16, [1]),
        (2, 2, 16, [2]),
        (18, 2, 16, [2, 16]),
        (19, 2, 16, [2, 17]),
        (40, 2, 16, [2, 19, 19]),
        (49, 2, 16, [2, 16, 16, 15]),
        (5, 0, 16, [1, 4]),
        (19, 16, 16, [16, 3]),  # the old fixed chunks of 16
    ],
)
def test_chunk_sizes(total, first, largest, sizes):
    assert chunk_sizes(total, first=first, largest=largest) == sizes
    assert sum(sizes) == total


def test_segment_document_is_pending_and_indexes_the_text():
    document = segment_document(ARTICLE)
    assert all(s.has(Flag.PENDING) for s in document.sentences)
    assert all(document.text[s.start : s.end] == s.source for s in document.sentences)


def test_cached_sentences_appear_first_and_reopening_calls_no_model(tmp_path):
    from reader.translate.cache import SentenceCache
    from reader.translate.cached import CachedTranslator

    cache = SentenceCache(tmp_path / "cache.sqlite3")
    first = CachedTranslator(FakeTranslator(), cache)
    translate_text(ARTICLE, first, settings=settings())
    assert first.model_calls == 1

    again = CachedTranslator(FakeTranslator(fail_on_call=True), cache)
    steps = list(iter_translate(ARTICLE, again, settings=settings()))
    assert len(steps) == 1 and steps[0].done == steps[0].total == 5
    assert again.model_calls == 0
    translated = [s for s in steps[0].document.sentences if not s.has(Flag.PASSTHROUGH)]
    assert all(s.has(Flag.CACHED) for s in translated)


def test_non_finite_scores_become_a_low_score_flag_not_invalid_json():
    class NaNTranslator(FakeTranslator):
        def translate_batch(self, sentences):
            return [replace(t, score=float("nan")) for t in super().translate_batch(sentences)]

    document = translate_text("قال الوزير نعم.", NaNTranslator(), settings=settings())
    pair = document.sentences[0]
    assert pair.score is None and pair.has("low-score")
    assert "NaN" not in document.to_json()
