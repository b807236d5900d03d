"""Planning model inputs (reader.plan): long-sentence splitting, word-by-word normalization, model_inputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.config import Settings
from reader.pipeline import segment_document
from reader.plan import Part, Plan, model_inputs, plan_sentence, split_long
from tests.support.fake import FakeTranslator

# --- split_long ------------------------------------------------------------------------------------


def words_count(text: str) -> int:
    return len(text.split())


def covers(ranges: list[tuple[int, int]], n: int) -> bool:
    return [i for s, e in ranges for i in range(s, e)] == list(range(n))


def test_split_long_keeps_a_sentence_that_fits_whole() -> None:
    words = ["قال", "الوزير؛", "إن", "الخطة،", "وأضاف"]
    assert split_long(words, 5, words_count) == [(0, 5)]
    assert split_long([], 5, words_count) == []


def test_split_long_prefers_semicolon_then_comma_then_clause_waw() -> None:
    words = ["أعلن", "الوزير؛", "أن", "الحكومة،", "قررت", "رفع", "الأجور", "وقال", "إن", "القرار", "نهائي"]
    # ؛ first: (0, 2) + rest; the rest (8 words) splits after ، and then before وقال.
    assert split_long(words, 4, words_count) == [(0, 2), (2, 4), (4, 7), (7, 11)]
    assert split_long(words, 9, words_count) == [(0, 2), (2, 11)]
    commas = ["أعلن", "الوزير،", "أن", "الحكومة", "قررت", "رفع", "الأجور", "وقال", "إن", "القرار"]
    assert split_long(commas, 8, words_count) == [(0, 2), (2, 10)]
    waw = ["أعلن", "الوزير", "أن", "الحكومة", "قررت", "وأضاف", "أن", "القرار", "نهائي"]
    assert split_long(waw, 6, words_count) == [(0, 5), (5, 9)]


def test_split_long_waw_needs_two_more_letters_and_packs_greedily() -> None:
    words = ["قال", "و", "هو", "وزير", "سابق", "ولم", "يوضح", "ذلك"]
    # وزير and ولم count as clause starts (a cheap rule that cannot tell roots apart); packing is greedy.
    assert split_long(words, 5, words_count) == [(0, 5), (5, 8)]
    # "و" and "هو" are no clause starts, so this one falls through to the hard split.
    assert split_long(["قال", "و", "هو", "في", "البيت"], 3, words_count) == [(0, 3), (3, 5)]


def test_split_long_hard_split_and_oversized_word() -> None:
    words = ["أ" * 40, "ب", "ج", "د", "هـ"]

    def chars(text: str) -> int:
        return len(text.replace(" ", ""))

    assert split_long(words, 3, chars) == [(0, 1), (1, 4), (4, 5)]


def test_split_long_counts_fixed_tokens_once_per_range() -> None:
    def with_eos(text: str) -> int:
        return len(text.split()) + 1

    ranges = split_long(["كلمة"] * 250, 100, with_eos)
    assert ranges == [(0, 99), (99, 198), (198, 250)]


def test_split_long_checks_every_final_range_with_a_real_count() -> None:
    # Joining adds tokens here (spaces count), so per-word sums underestimate; every range must still fit.
    def chars(text: str) -> int:
        return len(text)

    words = ["ab"] * 30
    ranges = split_long(words, 10, chars)
    assert covers(ranges, 30)
    assert all(chars(" ".join(words[s:e])) <= 10 for s, e in ranges)


def test_split_long_rejects_a_non_positive_budget() -> None:
    with pytest.raises(ValueError, match="budget"):
        split_long(["x"], 0, words_count)


def test_split_long_covers_a_20000_character_sentence_with_linear_token_counts() -> None:
    words = [f"كلمة{i % 10}" for i in range(3400)]
    assert len(" ".join(words)) >= 20_000
    calls = []

    def counting(text: str) -> int:
        calls.append(len(text))
        return len(text.split()) + 1

    ranges = split_long(words, 100, counting)
    # One count of the whole sentence, one per word, one per final range: linear in its length.
    assert len(calls) == 1 + 1 + len(words) + len(ranges)
    assert sum(calls) < 3 * len(" ".join(words))
    assert covers(ranges, len(words))
    assert all(e - s == 99 for s, e in ranges[:-1])
    assert all(counting(" ".join(words[s:e])) <= 100 for s, e in ranges)


@given(
    words=st.lists(st.sampled_from(["قال", "الوزير؛", "إن،", "وأضاف", "و", "x" * 30, "خطة", "؛", "،"]), max_size=60),
    budget=st.integers(1, 12),
)
@settings(max_examples=200, deadline=None)
def test_split_long_never_loses_a_word_and_fits_where_possible(words: list[str], budget: int) -> None:
    def cost(text: str) -> int:
        return sum(len(w) // 10 + 1 for w in text.split())

    ranges = split_long(words, budget, cost)
    assert covers(ranges, len(words))
    for s, e in ranges:
        assert e - s == 1 or cost(" ".join(words[s:e])) <= budget


# --- plans and model inputs -----------------------------------------------------------------------


def test_a_plan_maps_model_words_back_to_displayed_words() -> None:
    plan = plan_sentence("قـــال \u200f الوزيرُ ٣٫٥", FakeTranslator(), Settings.load())
    assert plan == Plan((Part("قال الوزير 3.5", (0, 2, 3), passthrough=False),))
    assert plan_sentence("The End. 2024", FakeTranslator(), Settings.load()).passthrough


def test_model_inputs_are_the_distinct_texts_the_model_is_given() -> None:
    text = "قال الوزير نعم.\nThe End.\nقالَ الوزير نعم.\n" + "، ".join(["وقال الرئيس إن الخطة جاهزة"] * 3)
    inputs = model_inputs(segment_document(text), FakeTranslator(), Settings.load(token_budget=8))
    assert inputs == ["قال الوزير نعم.", "وقال الرئيس إن الخطة جاهزة،", "وقال الرئيس إن الخطة جاهزة"]
