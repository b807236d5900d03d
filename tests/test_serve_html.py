"""LibreTranslate's format=html in reader serve: only text is translated, the rest comes back as written."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

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


@given(fragments)
def test_markup_without_arabic_comes_back_byte_for_byte(fragment):
    fragment = fragment.replace("قال", "said").replace("الرئيس", "chief").replace("&#1576;", "&#65;")
    asked: list[list[str]] = []
    assert translate_html([fragment], lambda texts: asked.append(texts) or texts) == [fragment]
    assert asked == [[]]


@given(fragments)
def test_translating_text_as_itself_leaves_what_a_parser_sees_unchanged(fragment):
    (same,) = translate_html([fragment], lambda texts: texts)
    assert Events(same).events == Events(fragment).events


def test_text_is_translated_escaped_and_tags_attributes_links_kept():
    fragment = '<div class="s"><p>قال الرئيس <a href="https://e.com/?a=1&amp;b=2">الخبر</a></p><pre>نص</pre></div>'
    (out,) = translate_html([fragment], lambda texts: [f"<{t}>" for t in texts])
    assert out == (
        '<div class="s"><p>&lt;قال الرئيس&gt; <a href="https://e.com/?a=1&amp;b=2">&lt;الخبر&gt;</a></p>'
        "<pre>نص</pre></div>"
    )


def test_detect_tells_arabic_script_from_the_rest():
    assert detect("قال الرئيس إن الاقتصاد مستقر") == ("ar", 100.0)
    assert detect("The president said")[0] == "en"
    assert detect("123 ...") == ("en", 0.0)
