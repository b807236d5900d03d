"""Quality flags for known Marian failure modes."""

from __future__ import annotations

from reader.document import Flag
from reader.quality import assess, numbers, repeated_run

SOURCE = "قرر البنك المركزي الإبقاء على سعر الفائدة عند 27.25 في المئة"


def test_a_good_translation_has_no_flags():
    good = "The central bank decided to keep the interest rate at 27.25 percent"
    assert assess(SOURCE, good, -0.3) == ()


def test_repetition_loop_is_flagged():
    looped = "The central bank bank bank bank bank decided 27.25"
    assert Flag.REPETITION in assess(SOURCE, looped, -0.3)
    assert repeated_run(["a", "b", "c", "a", "b", "c", "a", "b", "c"])
    assert not repeated_run(["the", "bank", "and", "the", "bank"])


def test_repetition_in_the_source_is_not_blamed_on_the_model():
    assert Flag.REPETITION not in assess("نعم نعم نعم نعم", "yes yes yes yes", -0.1)


def test_far_too_short_or_long_output_is_flagged():
    assert Flag.LENGTH_RATIO in assess(SOURCE, "Bank 27.25.", -0.3)
    assert Flag.LENGTH_RATIO in assess(SOURCE, " ".join(["word"] * 60) + " 27.25", -0.3)


def test_missing_number_is_flagged_with_digit_normalization():
    assert Flag.NUMBER_MISMATCH in assess(SOURCE, "The central bank decided to keep the interest rate unchanged", -0.3)
    assert Flag.NUMBER_MISMATCH not in assess("بلغ العدد 12000 شخص", "The number reached 12,000 people", -0.3)
    assert numbers("12,000 and 3.5") == {"12000": 1, "3.5": 1}


def test_low_score_is_flagged():
    assert Flag.LOW_SCORE in assess(SOURCE, "The central bank decided to keep the rate at 27.25 percent", -2.4)
