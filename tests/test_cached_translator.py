"""CachedTranslator: only cache misses reach the model, in one call, within and across processes."""

from __future__ import annotations

import multiprocessing
import warnings
from collections.abc import Sequence
from pathlib import Path

import pytest

from reader.errors import ModelError
from reader.translate.base import Translation, Translator
from reader.translate.cache import CacheWarning, SentenceCache
from reader.translate.cached import CachedTranslator
from reader.translate.shared import SharedTranslator
from tests.support.fake import FakeTranslator, PipelinedFake

ARTICLE = ["الكتاب على الطاولة", "ذهب الولد إلى المدرسة", "السماء زرقاء"]
ENGLISH = ["alktab ela alTawla", "dhhb alwld ila almdrsa", "alsma' zrqa'"]


@pytest.fixture
def cache(tmp_path: Path):
    store = SentenceCache(tmp_path / "cache.sqlite3")
    yield store
    store.close()


def test_output_is_the_inner_translators_and_not_marked_cached(cache: SentenceCache) -> None:
    fake = FakeTranslator()
    out = CachedTranslator(fake, cache).translate_batch(ARTICLE)
    assert [t.text for t in out] == ENGLISH
    assert out[0] == Translation("alktab ela alTawla", ((0, 0), (1, 1), (2, 2)), -0.25, cached=False)
    assert fake.calls == [ARTICLE]


def test_second_pass_makes_zero_model_calls(cache: SentenceCache) -> None:
    fake = FakeTranslator()
    translator = CachedTranslator(fake, cache)
    first = translator.translate_batch(ARTICLE)
    second = translator.translate_batch(ARTICLE)
    assert fake.model_calls == 1
    assert translator.model_calls == 1
    assert [t.text for t in second] == ENGLISH
    assert all(t.cached for t in second)
    assert [(t.text, t.alignment, t.score) for t in second] == [(t.text, t.alignment, t.score) for t in first]
    assert (translator.hits, translator.misses) == (3, 3)


def test_a_new_translator_on_the_same_cache_makes_zero_model_calls(cache: SentenceCache) -> None:
    CachedTranslator(FakeTranslator(), cache).translate_batch(ARTICLE)
    translator = CachedTranslator(FakeTranslator(fail_on_call=True), cache)
    assert [t.text for t in translator.translate_batch(ARTICLE)] == ENGLISH
    assert translator.model_calls == 0


def test_partial_hits_send_only_the_misses_in_one_call(cache: SentenceCache) -> None:
    fake = FakeTranslator()
    translator = CachedTranslator(fake, cache)
    translator.translate_batch(ARTICLE[:2])
    out = translator.translate_batch(["قمر", ARTICLE[1], "شمس", ARTICLE[0]])
    assert fake.calls == [ARTICLE[:2], ["قمر", "شمس"]]
    assert [t.text for t in out] == ["qmr", ENGLISH[1], "shms", ENGLISH[0]]
    assert [t.cached for t in out] == [False, True, False, True]
    assert (translator.model_calls, translator.hits, translator.misses) == (2, 2, 4)


def test_repeated_sentences_are_translated_once(cache: SentenceCache) -> None:
    fake = FakeTranslator()
    out = CachedTranslator(fake, cache).translate_batch([ARTICLE[0], ARTICLE[1], ARTICLE[0], ARTICLE[0]])
    assert fake.calls == [ARTICLE[:2]]
    assert [t.text for t in out] == [ENGLISH[0], ENGLISH[1], ENGLISH[0], ENGLISH[0]]


def test_an_empty_batch_calls_nothing(cache: SentenceCache) -> None:
    fake = FakeTranslator()
    assert CachedTranslator(fake, cache).translate_batch([]) == []
    assert fake.calls == []


def test_another_model_does_not_see_these_translations(cache: SentenceCache) -> None:
    CachedTranslator(FakeTranslator("model-a"), cache).translate_batch(ARTICLE)
    other = FakeTranslator("model-b")
    translator = CachedTranslator(other, cache)
    assert translator.lookup(ARTICLE) == {}
    translator.translate_batch(ARTICLE)
    assert other.calls == [ARTICLE]


def test_chunks_go_through_the_cache_as_the_model_pipelines_them(cache: SentenceCache) -> None:
    CachedTranslator(FakeTranslator(), cache).translate_batch(ARTICLE[1:2])
    fake = PipelinedFake()
    translator = CachedTranslator(fake, cache)
    chunks = [ARTICLE[:1], ARTICLE[1:2], [ARTICLE[2], ARTICLE[0]]]
    out = list(translator.translate_chunks(iter(chunks)))
    assert [[t.text for t in chunk] for chunk in out] == [ENGLISH[:1], ENGLISH[1:2], [ENGLISH[2], ENGLISH[0]]]
    # the second chunk was all cached; the third was read after the first's translations were written
    assert fake.pulled == [ARTICLE[:1], [], ARTICLE[2:]]
    assert fake.calls == [ARTICLE[:1], ARTICLE[2:]]
    assert [[t.cached for t in chunk] for chunk in out] == [[False], [True], [False, True]]
    assert (translator.model_calls, translator.hits, translator.misses) == (2, 2, 2)


def test_a_run_leaves_the_shared_model_free_between_its_chunks(cache: SentenceCache) -> None:
    shared = SharedTranslator(CachedTranslator(PipelinedFake(), cache))
    run = shared.for_run()
    out = []
    for translations in run.translate_chunks([ARTICLE[:1], ARTICLE[1:]]):
        assert not shared.lock.locked()  # another reader's request can go in between
        out += [t.text for t in translations]
    assert out == ENGLISH
    assert run.model_calls == 2


def test_lookup_returns_hits_only_and_never_runs_the_model(cache: SentenceCache) -> None:
    CachedTranslator(FakeTranslator(), cache).translate_batch(ARTICLE[:2])
    translator = CachedTranslator(FakeTranslator(fail_on_call=True), cache)
    found = translator.lookup([*ARTICLE, ARTICLE[0]])
    assert {k: v.text for k, v in found.items()} == {ARTICLE[0]: ENGLISH[0], ARTICLE[1]: ENGLISH[1]}
    assert all(t.cached for t in found.values())
    assert (translator.model_calls, translator.hits, translator.misses) == (0, 2, 0)


def test_refresh_retranslates_and_stores_the_new_text(cache: SentenceCache) -> None:
    fake = FakeTranslator()
    cache.put_many(fake.fingerprint, {ARTICLE[0]: Translation("stale text from an old run")})
    refreshing = CachedTranslator(fake, cache, refresh=True)
    assert refreshing.lookup(ARTICLE) == {}
    out = refreshing.translate_batch(ARTICLE)
    assert fake.calls == [ARTICLE]
    assert [t.text for t in out] == ENGLISH
    assert not any(t.cached for t in out)
    reader = CachedTranslator(FakeTranslator(fail_on_call=True), cache)
    assert [t.text for t in reader.translate_batch(ARTICLE)] == ENGLISH


def test_fingerprint_and_token_count_come_from_the_model(cache: SentenceCache) -> None:
    translator = CachedTranslator(FakeTranslator("opus"), cache)
    assert (translator.fingerprint, translator.model_fingerprint) == ("opus:no-weights:v1", "no-weights")
    assert translator.count_tokens("واحد اثنان ثلاثة") == 3
    assert isinstance(translator, Translator)


class _ShortTranslator(FakeTranslator):
    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        return super().translate_batch(sentences)[:-1]


def test_a_model_returning_the_wrong_number_of_translations_is_a_model_error(cache: SentenceCache) -> None:
    translator = CachedTranslator(_ShortTranslator(), cache)
    with pytest.raises(ModelError, match="2 translations for 3 sentences"):
        translator.translate_batch(ARTICLE)
    assert cache.stats().entries == 0


def test_an_unusable_cache_warns_and_translation_goes_on(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    fake = FakeTranslator()
    translator = CachedTranslator(fake, SentenceCache(blocker / "cache.sqlite3"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert translator.lookup(ARTICLE) == {}
        assert [t.text for t in translator.translate_batch(ARTICLE)] == ENGLISH
    messages = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    assert len(messages) == 3  # lookup, read and write each report it
    assert all("cannot create the cache folder" in m for m in messages)
    assert fake.calls == [ARTICLE]


# ---- across processes ---------------------------------------------------------------------------


def _translate_in_child(path: str, fail_on_call: bool) -> tuple[list[str], list[bool], int]:
    translator = CachedTranslator(FakeTranslator(fail_on_call=fail_on_call), SentenceCache(Path(path)))
    out = translator.translate_batch(ARTICLE)
    translator.cache.close()
    return [t.text for t in out], [t.cached for t in out], translator.model_calls


@pytest.mark.slow
def test_a_second_process_gets_everything_from_the_cache(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        first = pool.apply(_translate_in_child, (path, False))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        second = pool.apply(_translate_in_child, (path, True))  # the model would raise if called
    assert first == (ENGLISH, [False, False, False], 1)
    assert second == (ENGLISH, [True, True, True], 0)
