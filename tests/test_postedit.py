"""Post-editing on the toy model, through both backends: alternatives, completions, next words, forced alignment.

The toy language knows every sentence's true translation and word alignment (tests/support/toy.py),
so each behaviour is checked against the truth, not only for consistency. CTranslate2 runs in
float32, where it gives the transformers backend's results.
"""

from __future__ import annotations

import numpy as np
import pytest

from reader.errors import InputError, UnsupportedError
from reader.models.convert import convert_to_ct2
from reader.pipeline import translate_text
from reader.postedit import engine as postedit
from reader.postedit.fix import fix_term
from reader.postedit.glossary import Term, missing_terms
from reader.translate import registry
from reader.translate.backends.ctranslate2 import CT2Translator
from reader.translate.base import PostEditing, Translation
from reader.translate.cache import SentenceCache
from reader.translate.cached import CachedTranslator
from reader.translate.candidates import MAX_CANDIDATES, encode_target
from reader.translate.shared import SharedTranslator
from tests.support.config import cpu_settings as settings
from tests.support.fake import FakeTranslator
from tests.support.toy import ToyExample, heldout_pairs, make_example, spec

pytestmark = pytest.mark.slow

BOY = make_example(spec("boy", "writes", "letter", subject_adj="small", obj_adj="new", period=True))
"""يكتب الولد الصغير رسالة جديدة. -> The small boy writes a new letter."""
SAMPLE = heldout_pairs()[:12]


@pytest.fixture(scope="module")
def ct2_dir(tmp_path_factory, toy_model_dir):
    return convert_to_ct2(toy_model_dir, tmp_path_factory.mktemp("ct2") / "toy-ct2-float32", quantization="float32")


@pytest.fixture(scope="module", params=["transformers", "ct2"])
def toy(request, toy_model_dir, ct2_dir):
    """The toy model through one backend (loaded once per module)."""
    if request.param == "transformers":
        return registry.create("transformers", toy_model_dir, settings=settings())
    return CT2Translator.load(ct2_dir, settings=settings(), compute_type="float32")


@pytest.fixture(scope="module")
def both(toy_model_dir, ct2_dir):
    return (
        registry.create("transformers", toy_model_dir, settings=settings()),
        CT2Translator.load(ct2_dir, settings=settings(), compute_type="float32"),
    )


def word_pairs(example: ToyExample, order: list[int]) -> tuple[tuple[int, int], ...]:
    """The gold alignment once the English words are put in ``order`` (old indices, in their new places)."""
    new_index = {old: new for new, old in enumerate(order)}
    return tuple(sorted((s, new_index[t]) for s, t in example.alignment))


# ---- alternatives ----------------------------------------------------------------------------


def test_both_backends_post_edit(toy):
    assert isinstance(toy, PostEditing)


def test_alternatives_are_distinct_best_first_and_start_with_the_translation(toy):
    for example in SAMPLE:
        translation = toy.translate_batch([example.source])[0]
        found = toy.alternatives(example.source, 4)
        texts = [t.text for t in found]
        assert len(texts) == len(set(texts)) == 4
        scores = [t.score for t in found]
        assert scores == sorted(scores, reverse=True)
        assert found[0].text == translation.text == example.target
        assert found[0].alignment == translation.alignment == example.alignment
        assert found[0].score == pytest.approx(translation.score, abs=1e-4)
        for other in found[1:]:
            for source_word, target_word in other.alignment:
                assert 0 <= source_word < len(example.source.split())
                assert 0 <= target_word < len(other.text.split())


def test_more_alternatives_than_the_beam_holds_widen_it(toy):
    found = toy.alternatives(BOY.source, 12)
    assert len({t.text for t in found}) == 12
    assert found[0].text == BOY.target
    assert [t.score for t in found] == sorted((t.score for t in found), reverse=True)


# ---- continue from here --------------------------------------------------------------------


def test_a_prefix_of_the_gold_translation_completes_to_the_gold_translation(toy):
    for example in [BOY, *SAMPLE[:6]]:
        words = example.target.split()
        for cut in range(len(words) + 1):
            completed = toy.complete(example.source, " ".join(words[:cut]))
            assert completed.text == example.target, (cut, example)
            assert completed.alignment == example.alignment


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("A small boy", "A small boy writes a new letter."),  # another article
        ("And the small boy", "And the small boy writes a new letter."),  # a first word the source does not have
        ("The small boy writes a big", "The small boy writes a big letter."),  # another adjective
        ("The small boy writes the", "The small boy writes the new letter."),
    ],
)
def test_a_different_prefix_is_kept_and_the_sentence_finished(toy, prefix, expected):
    completed = toy.complete(BOY.source, prefix)
    assert completed.text == expected
    assert completed.score < toy.complete(BOY.source, "").score  # the model prefers its own


def test_the_completion_is_aligned_to_the_source(toy):
    completed = toy.complete(BOY.source, "A small boy")
    # "A" stands where "The" stood: the rest of the words keep their gold pairs
    assert set(BOY.alignment) - {(1, 0)} <= set(completed.alignment)


def test_next_words_offer_different_next_words_each_completed(toy):
    prefix = "The"
    found = toy.next_words(BOY.source, prefix, 4)
    assert len(found) == 4
    assert found[0].text == BOY.target
    assert all(t.text.startswith(prefix + " ") for t in found)
    assert len({t.text.split()[1] for t in found}) == 4
    assert [t.score for t in found] == sorted((t.score for t in found), reverse=True)
    first = toy.next_words(BOY.source, "", 3)
    assert first[0].text == BOY.target and len({t.text.split()[0] for t in first}) == 3


def test_both_backends_complete_and_offer_the_same_next_words(both):
    transformers, ct2 = both
    for prefix in ["", "The", "A small boy", "The small boy writes"]:
        a, b = transformers.complete(BOY.source, prefix), ct2.complete(BOY.source, prefix)
        assert (a.text, a.alignment) == (b.text, b.alignment)
        assert a.score == pytest.approx(b.score, abs=1e-3)
        assert [t.text for t in transformers.next_words(BOY.source, prefix, 5)] == [
            t.text for t in ct2.next_words(BOY.source, prefix, 5)
        ]


def ct2_next_tokens(ct2: CT2Translator, length: int, k: int) -> tuple[list[str], list[str]]:
    """After the gold translation's first ``length`` pieces: what ``return_alternatives`` expands, and the
    k likeliest next tokens by the logits there."""
    pieces = list(encode_target(ct2.tokenizer, BOY.target).pieces[:length])
    source = list(ct2._source(BOY.source).pieces)
    (expanded,) = ct2.model.translate_batch(
        [source], target_prefix=[pieces], beam_size=1, num_hypotheses=k, return_alternatives=True
    )
    (step,) = ct2.model.translate_batch(
        [source], target_prefix=[pieces], beam_size=1, max_decoding_length=length + 1, return_logits_vocab=True
    )
    logits = np.asarray(step.logits[0][length], dtype=np.float32)
    vocabulary = ct2._target_vocabulary()
    top = [vocabulary[i] for i in np.argsort(-logits, kind="stable")[:k].tolist()]
    return [tokens[length] for tokens in expanded.hypotheses], top


def test_ctranslate2_alternatives_after_a_one_token_prefix_are_the_likeliest_next_tokens(both):
    expanded, top = ct2_next_tokens(both[1], 1, 6)
    assert expanded == top


@pytest.mark.xfail(
    strict=True,
    reason="CTranslate2 4.8.5: after a target prefix of two or more tokens, return_alternatives expands other "
    "tokens than the likeliest next ones (reader's next_words reads the logits instead)",
)
def test_ctranslate2_alternatives_after_a_longer_prefix_are_the_likeliest_next_tokens(both):
    expanded, top = ct2_next_tokens(both[1], 11, 6)  # after "The small boy writes"
    assert set(expanded) == set(top)


def test_int8_post_edits_like_float32(toy_model_dir, tmp_path_factory):
    int8 = CT2Translator.load(
        convert_to_ct2(toy_model_dir, tmp_path_factory.mktemp("int8") / "toy-ct2-int8"), settings=settings()
    )
    words = BOY.target.split()
    assert [int8.complete(BOY.source, " ".join(words[:cut])).text for cut in (0, 3, 5)] == [BOY.target] * 3
    assert int8.complete(BOY.source, "A small boy").text == "A small boy writes a new letter."
    assert int8.align(BOY.source, BOY.target).alignment == BOY.alignment
    assert int8.alternatives(BOY.source, 3)[0].text == BOY.target


# ---- forced alignment of an edit ------------------------------------------------------------


def test_forced_alignment_of_the_gold_translation_is_the_gold_alignment(toy):
    for example in heldout_pairs()[:60]:
        forced = toy.align(example.source, example.target)
        assert forced.text == example.target
        assert forced.alignment == example.alignment
        assert forced.score <= 0


def test_an_edit_that_reorders_the_machine_words_gets_the_gold_alignment(toy):
    """The reader puts a machine version's words in the right order: the pairs follow the words."""
    words = BOY.target.rstrip(".").split()
    order = [0, 2, 1, 3, 4, 6, 5]  # "The boy small writes a letter new."
    machine = " ".join(words[i] for i in order) + "."
    before = toy.align(BOY.source, machine)
    assert before.alignment != word_pairs(BOY, order)  # the model cannot align a scrambled sentence
    edited = toy.align(BOY.source, BOY.target)
    assert edited.alignment == BOY.alignment
    assert edited.score > before.score


def test_a_phrase_moved_to_the_front_is_aligned_to_its_own_source_words(toy):
    """The reader's words kept from the machine version keep its pairs, wherever they moved."""
    example = make_example(spec("queen", "buys", "house", adverb="today"))
    words = example.target.split()  # The queen buys a house today
    assert toy.translate_batch([example.source])[0].text == example.target
    order = [len(words) - 1, *range(len(words) - 1)]
    edit = " ".join(words[i] for i in order).capitalize()  # Today the queen buys a house
    assert postedit.align(example.source, edit, toy, settings()) == word_pairs(example, order)


def test_forced_decoding_alone_misplaces_a_moved_phrase(toy):
    """Why the pairs are carried over: the alignment head is read at the step that predicts each word,
    before the model has seen it, so a word put where the model expected another gets that one's source."""
    example = make_example(spec("queen", "buys", "house", adverb="today"))
    words = example.target.split()
    order = [len(words) - 1, *range(len(words) - 1)]
    edit = " ".join(words[i] for i in order).capitalize()
    assert toy.align(example.source, edit).alignment != word_pairs(example, order)


def test_new_words_of_an_edit_are_aligned_by_forced_decoding_and_kept_words_keep_theirs(toy):
    s = settings()
    edit = "Today the queen buys a big house"  # "big" is new
    example = make_example(spec("queen", "buys", "house", adverb="today"))
    aligned = postedit.align(example.source, edit, toy, s)
    kept = postedit.kept_words(edit.split(), example.target.split())
    assert kept == {0: 1, 1: 2, 2: 3, 3: 4, 4: 6, 5: 0}
    assert {(a, kept[b]) for a, b in example.alignment} <= set(aligned)
    assert all(0 <= t < len(edit.split()) for _, t in aligned)


def test_an_edit_that_replaces_the_last_word_keeps_the_gold_alignment(toy):
    """Fixing a word (a garbled name, the wrong object) after which the sentence goes on as the model expects.

    Every other word keeps its gold pairs, and the new word is aligned to the source word it replaces
    translating. How much attention a word the model did not expect also gives elsewhere depends on
    the training run (the same seed trains slightly different weights on AMD and Intel CPUs), so a
    further pair for the new word is allowed. A replaced word earlier in the sentence also shifts some
    later words' pairs on this toy model, whose English always has one word order (see the xfail above).
    """
    last = len(BOY.target.split()) - 1
    for noun in ("message", "note", "poem", "pens", "lad"):
        edit = BOY.target.replace("letter.", noun + ".")
        aligned = set(toy.align(BOY.source, edit).alignment)
        assert {p for p in aligned if p[1] != last} == {p for p in BOY.alignment if p[1] != last}, edit
        assert {p for p in BOY.alignment if p[1] == last} <= aligned, edit


def test_alignment_is_over_the_words_as_written_even_with_pieces_the_vocabulary_lacks(toy):
    edit = "The small boy writes a new «letter» — café."
    forced = toy.align(BOY.source, edit)
    assert forced.text == edit
    assert forced.alignment  # the word count held: unknown pieces still count as text
    assert all(0 <= t < len(edit.split()) for _, t in forced.alignment)


# ---- bad input -------------------------------------------------------------------------------


def test_bad_requests_are_clear_input_errors(toy):
    for n in (0, MAX_CANDIDATES + 1):
        with pytest.raises(InputError, match="between 1 and"):
            toy.alternatives(BOY.source, n)
        with pytest.raises(InputError, match="between 1 and"):
            toy.next_words(BOY.source, "The", n)
    with pytest.raises(InputError, match="no sentence to continue"):
        toy.complete("  ", "The")
    with pytest.raises(InputError, match="over the model's limit"):
        toy.complete(BOY.source, "word " * 600)
    assert toy.align(BOY.source, "   ") == Translation("", (), 0.0)
    assert toy.align("", "The boy") == Translation("The boy", (), 0.0)
    assert [t.text for t in toy.alternatives("", 3)] == [""]


def test_text_that_spells_special_tokens_is_only_text(toy):
    completed = toy.complete(BOY.source, "The </s> <pad>")
    assert completed.text.startswith("The </s> <pad>")
    assert toy.align(BOY.source, "The small </s> boy").text == "The small </s> boy"


# ---- the decorators ----------------------------------------------------------------------------


def test_the_cache_passes_post_editing_through_and_leads_alternatives_with_the_machine_version(toy, tmp_path):
    cache = SentenceCache(tmp_path / "cache.sqlite3")
    cached = CachedTranslator(toy, cache)
    machine = cached.translate_batch([BOY.source])[0]
    entries = cache.stats().entries
    found = cached.alternatives(BOY.source, 3)
    assert found[0].text == machine.text and found[0].cached
    assert [t.text for t in found[1:]] == [t.text for t in toy.alternatives(BOY.source, 3)[1:]]
    assert cached.complete(BOY.source, "A small boy") == toy.complete(BOY.source, "A small boy")
    assert cached.next_words(BOY.source, "The", 2) == toy.next_words(BOY.source, "The", 2)
    assert cached.align(BOY.source, BOY.target) == toy.align(BOY.source, BOY.target)
    assert cache.stats().entries == entries  # nothing but the machine version is cached
    run = SharedTranslator(cached).for_run()
    assert run.complete(BOY.source, "A small boy").text == "A small boy writes a new letter."
    assert run.alternatives(BOY.source, 2)[0].text == machine.text
    assert run.align(BOY.source, BOY.target).alignment == BOY.alignment
    assert run.next_words(BOY.source, "The", 1)[0].text == BOY.target


def test_a_backend_without_post_editing_says_so_in_one_line(tmp_path):
    cached = CachedTranslator(FakeTranslator(), SentenceCache(tmp_path / "cache.sqlite3"))
    for call in (
        lambda: cached.alternatives("قال", 2),
        lambda: cached.complete("قال", "He"),
        lambda: cached.next_words("قال", "He", 2),
        lambda: cached.align("قال", "He said"),
        lambda: postedit.complete("قال الرجل", "He", cached, settings()),
    ):
        with pytest.raises(UnsupportedError, match="cannot offer alternatives") as caught:
            call()
        assert "\n" not in str(caught.value)


# ---- a displayed sentence: the plan in front of the model ----------------------------------


def test_a_displayed_sentence_is_normalized_for_the_model_and_aligned_over_its_own_words(toy):
    shown = "يَكتُبُ الولـــد الصغير رسالة جديدة."  # diacritics and tatweel the model never sees
    s = settings()
    assert postedit.align(shown, BOY.target, toy, s) == BOY.alignment
    assert postedit.complete(shown, "A small boy", toy, s).text == "A small boy writes a new letter."
    assert postedit.alternatives(shown, toy, s, 3)[0].alignment == BOY.alignment
    assert postedit.next_words(shown, "The", toy, s, 2)[0].text == BOY.target


LONG = "يكتب الولد رسالة وتقرأ البنت قصة"
"""Two toy sentences joined by و: over a 12-token budget, it is translated in two parts."""


def test_a_sub_split_sentence_is_post_edited_part_by_part(toy):
    s = settings(token_budget=12)
    document = translate_text(LONG, toy, settings=s)
    pair = document.sentences[0]
    assert pair.translation == "The boy writes a letter And the girl reads a story"
    assert pair.has("sub-split")
    first, second = "The boy writes a letter", "And the girl reads a story"

    found = postedit.alternatives(LONG, toy, s, 4)
    assert found[0].text == pair.translation and found[0].alignment == pair.alignment
    for other in found[1:]:  # each changes one part only
        assert other.text.startswith(first + " ") or other.text.endswith(" " + second)

    # A prefix that repeats the first part goes on into the second; one that departs in the first stays there.
    assert postedit.complete(LONG, first + " And the old", toy, s).text == first + " And the old girl reads a story"
    assert postedit.complete(LONG, "A boy", toy, s).text == "A boy writes a letter " + second
    assert postedit.complete(LONG, "", toy, s).text == pair.translation
    assert all(t.text.startswith(first + " And the ") for t in postedit.next_words(LONG, first + " And the", toy, s, 3))

    # An edit is cut where the parts meet; an unchanged translation gets the pipeline's alignment.
    assert postedit.align(LONG, pair.translation, toy, s) == pair.alignment
    edited = postedit.align(LONG, "A boy writes a letter " + second, toy, s)
    second_pairs = {(source, target) for source, target in pair.alignment if source >= 3}
    assert second_pairs <= set(edited)  # the second part's share is the pipeline's, so are its pairs
    assert {(source, target) for source, target in edited if source >= 3} == second_pairs
    moved = postedit.align(LONG, "The boy writes a long letter " + second, toy, s)  # one word more in part one
    assert {(source, target - 1) for source, target in moved if source >= 3} == second_pairs


def test_passthrough_sentences_have_nothing_to_post_edit(toy):
    s = settings()
    assert [t.text for t in postedit.alternatives("BBC News 2024", toy, s, 3)] == ["BBC News 2024"]
    with pytest.raises(InputError, match="no Arabic letters"):
        postedit.complete("BBC News", "The", toy, s)
    assert postedit.align("BBC News", "BBC", toy, s) == ()
    assert postedit.align(BOY.source, "", toy, s) == ()


# ---- the glossary's fix: a target prefix where the alignment puts the term --------------------


class Recorder:
    """A translator that notes every text it is given as a source: the model's whole input."""

    def __init__(self, inner):
        self.inner = inner
        self.sources: list[str] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def translate_batch(self, sentences):
        self.sources += sentences
        return self.inner.translate_batch(sentences)

    def alternatives(self, sentence, n):
        self.sources.append(sentence)
        return self.inner.alternatives(sentence, n)

    def complete(self, sentence, prefix, avoid=()):
        self.sources.append(sentence)
        return self.inner.complete(sentence, prefix, avoid)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # The toy knows only its own English, so a glossary renames a word into another it knows.
        (Term("رسالة", "story"), "The small boy writes a new story."),  # aligned to "a" and "letter."
        (Term("الولد", "man"), "The small man writes a new letter."),  # aligned to "The" and "boy"
        (Term("ولد", "man"), "The small man writes a new letter."),  # matched through the article
        (Term("يكتب", "draws"), "The small boy draws a new letter."),
        (Term("جديدة", "red"), "The small boy writes a red letter."),  # "letter." shares the final "."
    ],
)
def test_a_glossary_term_is_put_where_the_alignment_places_it(toy, term, expected):
    s = settings()
    recorder = Recorder(toy)
    assert missing_terms(BOY.source, BOY.target, [term])
    fixed = fix_term(BOY.source, BOY.target, BOY.alignment, term, recorder, s)
    assert fixed is not None
    assert fixed.text == expected
    assert not missing_terms(BOY.source, fixed.text, [term])
    assert set(recorder.sources) == {BOY.source}  # no placeholder, no change: the model saw the sentence only


def test_a_term_the_sentence_lacks_has_nothing_to_fix(toy):
    assert fix_term(BOY.source, BOY.target, BOY.alignment, Term("الملك", "monarch"), toy, settings()) is None
