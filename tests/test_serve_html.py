"""LibreTranslate's format=html in reader serve: only text is translated, the rest comes back as written."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from reader.document import Document, Paragraph, SentencePair, word_spans
from reader.serve.texts import detect, translate_html

PIECES = ["<p>", "</p>", '<a href="/x?a=1&amp;b=2">', "</a>", "<br/>", "<!-- note -->", "<script>", "</script>",
          "<pre>", "</pre>", "&amp;", "&lt;", "&nbsp;", "&#1576;", " ", "\n", ">", "<", "x", "word", "قال",
          "الرئيس", ".", "؟"]  # fmt: skip
fragments = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


class Events(HTMLParser):
    """What a browser's parser makes of a fragment: tags with attributes, comments, text."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, object]] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", (tag, attrs)))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if self.events and self.events[-1][0] == "data":
            self.events[-1] = ("data", self.events[-1][1] + data)
        else:
            self.events.append(("data", data))

    def handle_comment(self, data):
        self.events.append(("comment", data))


def translated_as(translate, aligned: bool = True):
    """Texts to documents of one sentence each, translated by ``translate`` (word by word when ``aligned``)."""

    def documents(texts: list[str]) -> list[Document]:
        out = []
        for text in texts:
            english = translate(text)
            words = min(len(word_spans(text)), len(word_spans(english))) if aligned else 0
            pair = SentencePair(0, len(text), text, english, tuple((n, n) for n in range(words)))
            out.append(Document(text, (Paragraph(0, len(text), (pair,)),)))
        return out

    return documents


def parsed(fragment: str) -> tuple[Counter, str]:
    """The tags, comments and the text a parser sees (the text between tags may move with the words)."""
    events = Events(fragment).events
    return Counter(repr(e) for e in events if e[0] != "data"), "".join(str(e[1]) for e in events if e[0] == "data")


@given(fragments)
def test_markup_without_arabic_comes_back_byte_for_byte(fragment):
    fragment = fragment.replace("قال", "said").replace("الرئيس", "chief").replace("&#1576;", "&#65;")
    asked: list[list[str]] = []
    assert translate_html([fragment], lambda texts: asked.append(texts) or translated_as(str)(texts)) == [fragment]
    assert asked == [[]]


@given(fragments)
def test_translating_text_as_itself_keeps_every_tag_and_all_the_text(fragment):
    (same,) = translate_html([fragment], translated_as(str))
    assert parsed(same) == parsed(fragment)
    (unaligned,) = translate_html([fragment], translated_as(str, aligned=False))
    assert parsed(unaligned) == parsed(fragment)


def test_text_is_translated_escaped_and_tags_attributes_links_kept():
    fragment = '<div class="s"><p>قال الرئيس <a href="https://e.com/?a=1&amp;b=2">الخبر</a></p><pre>نص</pre></div>'
    (out,) = translate_html([fragment], translated_as(lambda t: f"<{t}>", aligned=False))
    assert out == (
        '<div class="s"><p><a href="https://e.com/?a=1&amp;b=2">&lt;قال الرئيس الخبر&gt;</a></p><pre>نص</pre></div>'
    )


def test_a_sentence_cut_by_inline_tags_is_one_text_and_the_tags_follow_the_aligned_words():
    english = {"قال الرئيس الجديد أمس": "the new president said yesterday"}
    reordered = [(0, 3), (1, 2), (2, 1), (3, 4)]

    def documents(texts: list[str]) -> list[Document]:
        assert texts == list(english)  # one text, not three pieces
        pair = SentencePair(0, len(texts[0]), texts[0], english[texts[0]], tuple(reordered))
        return [Document(texts[0], (Paragraph(0, len(texts[0]), (pair,)),))]

    fragment = '<p>قال <b>الرئيس</b> <a href="/n?a=1&amp;b=2"><i>الجديد</i> أمس</a></p>'
    assert translate_html([fragment], documents) == [
        '<p>the <a href="/n?a=1&amp;b=2"><i>new</i> <b>president</b> said yesterday</a></p>'
    ]


def test_detect_tells_arabic_script_from_the_rest():
    assert detect("قال الرئيس إن الاقتصاد مستقر") == ("ar", 100.0)
    assert detect("The president said")[0] == "en"
    assert detect("123 ...") == ("en", 0.0)


def test_with_the_toy_model_tags_wrap_the_english_of_their_words(toy_model_dir, tmp_path):
    from reader.api import open_translator
    from reader.config import Settings
    from reader.serve.texts import english, translate_documents

    settings = Settings.load(model=str(toy_model_dir), cache_path=tmp_path / "cache.sqlite3")
    translator = open_translator(settings)()

    def documents(texts: list[str]) -> list[Document]:
        return translate_documents(texts, translator, settings)

    source = "يأخذ الولد قلم."  # The boy takes a pen.
    (plain,) = [english(d) for d in documents([source])]
    fragment = '<p>يأخذ <b>الولد</b> <a href="https://e.com/?a=1&amp;b=2">قلم</a>.</p>'
    (out,) = translate_html([fragment], documents)
    assert parsed(out) == (parsed(fragment)[0], plain)  # the same tags, around the sentence translated whole
    bold = out.split("<b>", 1)[1].split("</b>", 1)[0]
    link = out.split('<a href="https://e.com/?a=1&amp;b=2">', 1)[1].split("</a>", 1)[0]
    assert "boy" in bold and "pen" not in bold and "takes" not in bold, out
    assert "pen" in link and "boy" not in link and "takes" not in link, out
