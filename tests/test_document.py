"""The document model and its JSON round trip (the interchange format)."""

from __future__ import annotations

import json

import pytest

from reader.document import Document, Flag, Metadata, Paragraph, SentencePair, word_spans
from reader.errors import InputError

TEXT = "عنوان الخبر\nقال الوزير: «نعم». ثم غادر!"


def sample() -> Document:
    return Document(
        text=TEXT,
        paragraphs=(
            Paragraph(0, 11, (SentencePair(0, 11, "عنوان الخبر", "News headline", ((0, 1), (1, 0)), -0.4, ()),)),
            Paragraph(
                12,
                len(TEXT),
                (
                    SentencePair(
                        12, 29, TEXT[12:29], 'The minister said: "Yes".', ((0, 2), (1, 1)), -0.2, (Flag.CACHED,)
                    ),
                    SentencePair(30, len(TEXT), TEXT[30:], "Then he left!", (), None, (Flag.PASSTHROUGH,)),
                ),
            ),
        ),
        meta=Metadata(title="T <b>", source="https://example.com/a?b=1&c=2", date="2026-11-29", model="toy"),
    )


def test_json_round_trip_is_exact():
    document = sample()
    restored = Document.from_json(document.to_json())
    assert restored == document
    assert restored.to_json() == document.to_json()


def test_json_keeps_arabic_readable_and_offsets_index_the_text():
    data = json.loads(sample().to_json())
    assert "عنوان" in sample().to_json()
    for paragraph in data["paragraphs"]:
        for sentence in paragraph["sentences"]:
            assert data["text"][sentence["start"] : sentence["end"]] == sentence["source"]


@pytest.mark.parametrize(
    "payload, message",
    [
        ("[1, 2]", "not a reader document"),
        ('{"format": "other"}', "not a reader document"),
        ('{"format": "reader.document", "version": 99}', "unsupported document version"),
        ('{"format": "reader.document", "version": 1}', "malformed"),
        ("{not json", "not valid JSON"),
    ],
)
def test_bad_json_gives_clear_errors(payload, message):
    with pytest.raises(InputError, match=message):
        Document.from_json(payload)


def test_word_spans_define_alignment_indices():
    assert word_spans("  قال  الوزير\tنعم ") == [(2, 5), (7, 13), (14, 17)]


def test_paragraph_text_helpers_and_title_fallback():
    document = sample()
    assert document.paragraphs[1].translation == 'The minister said: "Yes". Then he left!'
    assert len(document.sentences) == 3
    assert Document(text=TEXT, paragraphs=document.paragraphs).title == "عنوان الخبر"
    assert document.title == "T <b>"


def test_flags_are_sorted_and_deduplicated():
    pair = SentencePair(0, 1, "x").with_flags("b", "a", "b")
    assert pair.flags == ("a", "b")
    assert pair.has("a") and not pair.has("c")


def test_flags_are_their_json_strings_and_unknown_flags_are_kept():
    pair = SentencePair(0, 3, "قال", "said", flags=(Flag.CACHED, Flag.LOW_SCORE, "from-the-future"))
    document = Document("قال", (Paragraph(0, 3, (pair,)),))
    data = json.loads(document.to_json())
    assert data["paragraphs"][0]["sentences"][0]["flags"] == ["cached", "low-score", "from-the-future"]
    loaded = Document.from_json(document.to_json()).sentences[0]
    assert loaded.flags == ("cached", "low-score", "from-the-future")
    assert [type(f) for f in loaded.flags] == [Flag, Flag, str]
    assert loaded.has("cached") and loaded.has(Flag.CACHED)


def test_agency_round_trips_and_files_written_before_it_still_load():
    document = Document(text="قال.", meta=Metadata(title="t", agency="أ ف ب"))
    assert Document.from_json(document.to_json()).meta.agency == "أ ف ب"
    old = document.to_dict()
    del old["meta"]["agency"]
    old["version"] = 1
    assert Document.from_dict(old).meta == Metadata(title="t")


def test_a_pasted_articles_title_is_its_first_sentence_cut_at_a_word() -> None:
    from reader.document import headline
    from tests.support.documents import make_document

    first = ("قال الوزير إن النمو قوي.", "The minister said growth is strong.", [], [])
    second = ("وأضاف أن التضخم تراجع في العام الماضي.", "He added inflation fell last year.", [], [])
    document = make_document([[first, second], [second]])
    assert (document.title, document.title_en) == (first[0], first[1])  # not the whole first paragraph
    one = make_document([[("خبر " * 60, "news " * 60, [], [])]])
    assert one.title == "خبر " * 24 + "خبر…" and len(one.title_en) <= 101 and one.title_en.endswith("news…")
    assert headline("a" * 150) == "a" * 100 + "…" and headline("short one") == "short one"
