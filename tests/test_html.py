"""The bilingual HTML renderer: structure, alignment attributes, escaping of hostile articles."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from importlib import resources

import pytest

from reader import export
from reader.document import Document, Flag, Metadata, Paragraph
from reader.export.html import MARKS, render, render_page, render_view
from tests.support.documents import HOSTILE_SNIPPETS, make_document
from tests.support.html_tree import LOOKUP_BLOCK, Node, cells, page_script, parse, sentences

SAMPLE = make_document(
    [
        [("البنك المركزي يثبت الفائدة", "The central bank holds rates", [(0, 1), (1, 2), (2, 3), (3, 4)], [])],
        [
            (
                "قال المحافظ إن التضخم تراجع.",
                "The governor said inflation fell.",
                [(0, 2), (1, 1), (3, 3), (4, 4)],
                [Flag.CACHED],
            ),
            ("وارتفع الجنيه 2%.", "The pound rose 2%.", [(0, 2), (1, 1), (2, 3)], [Flag.LOW_SCORE], -2.5),
        ],
        [("GDP 3.5%", "GDP 3.5%", [(0, 0), (1, 1)], [Flag.PASSTHROUGH])],
    ],
    meta=Metadata(title="أسعار الفائدة", source="https://example.com/news?id=1&x=2", date="2024-05-02", model="opus"),
)


def test_columns_carry_direction_and_language():
    tree = parse(render(SAMPLE).decode())
    html = tree.find_all("html")[0]
    assert (html.attrs["lang"], html.attrs["dir"]) == ("en", "ltr")
    rows = [r for r in tree.find_all("div", "row") if "heads" not in r.classes]
    assert len(rows) == len(SAMPLE.paragraphs) == 3
    for row in rows:
        en, ar = [c for c in row.children if isinstance(c, Node)]
        assert en.classes == ["cell", "en"] and (en.attrs["dir"], en.attrs["lang"]) == ("ltr", "en")
        assert ar.classes == ["cell", "ar"] and (ar.attrs["dir"], ar.attrs["lang"]) == ("rtl", "ar")
    heads = tree.find_all("div", "colhead")
    assert [(h.attrs["dir"], h.attrs["lang"]) for h in heads] == [("ltr", "en"), ("rtl", "ar")]


def test_sentences_pair_up_by_index_in_the_same_row():
    tree = parse(render(SAMPLE).decode())
    rows = [r for r in tree.find_all("div", "row") if "heads" not in r.classes]
    assert [[s.attrs["data-s"] for s in sentences(r.children[0])] for r in rows] == [["0"], ["1", "2"], ["3"]]
    assert [[s.attrs["data-s"] for s in sentences(r.children[1])] for r in rows] == [["0"], ["1", "2"], ["3"]]
    for span in sentences(tree):
        assert span.attrs["tabindex"] == "0"


def test_text_round_trips_exactly():
    tree = parse(render(SAMPLE).decode())
    rows = [r for r in tree.find_all("div", "row") if "heads" not in r.classes]
    for row, paragraph in zip(rows, SAMPLE.paragraphs, strict=True):
        en, ar = row.children
        assert ar.text() == SAMPLE.text[paragraph.start : paragraph.end]
        assert en.text(skip=frozenset({"marks"})) == paragraph.translation
        for span, sentence in zip(sentences(ar), paragraph.sentences, strict=True):
            assert span.text() == sentence.source
        for span, sentence in zip(sentences(en), paragraph.sentences, strict=True):
            assert span.text() == sentence.translation


def _alignment_from(tree: Node, side: str) -> dict[int, set[tuple[int, int]]]:
    """Rebuild (source word, target word) pairs from one side's data-w / data-a attributes."""
    found: dict[int, set[tuple[int, int]]] = {}
    for cell in cells(tree, side):
        for word in cell.find_all("span", "w"):
            sid, index = map(int, word.attrs["data-w"].split(":"))
            others = [int(x) for x in (word.attrs.get("data-a") or "").split()]
            pairs = found.setdefault(sid, set())
            pairs.update((index, o) if side == "ar" else (o, index) for o in others)
    return found


def test_word_alignment_attributes_match_the_document_both_ways():
    tree = parse(render(SAMPLE).decode())
    expected = {i: set(s.alignment) for i, s in enumerate(SAMPLE.sentences)}
    assert _alignment_from(tree, "ar") == expected
    assert _alignment_from(tree, "en") == expected
    # Every word is a span, numbered in order, and its text is the word itself.
    for cell in cells(tree, "ar") + cells(tree, "en"):
        for span in sentences(cell):
            words = span.find_all("span", "w")
            assert [w.attrs["data-w"] for w in words] == [f"{span.attrs['data-s']}:{i}" for i in range(len(words))]
            assert [w.text() for w in words] == span.text().split()


def test_out_of_range_alignment_pairs_are_dropped():
    doc = make_document([[("واحد اثنان", "one two", [(0, 0), (1, 1), (2, 0), (0, 7), (-1, 0)], [])]])
    tree = parse(render_view(doc))
    assert _alignment_from(tree, "ar") == {0: {(0, 0), (1, 1)}}
    assert _alignment_from(tree, "en") == {0: {(0, 0), (1, 1)}}


def test_word_links_are_left_out_when_the_shown_words_differ_from_the_aligned_ones():
    # The original text has a stray zero-width word the model never saw: indices would be off by one.
    doc = make_document([[("واحد اثنان", "one two", [(0, 0), (1, 1)], [])]])
    text = "واحد \u200b اثنان"
    sentence = replace(doc.paragraphs[0].sentences[0], end=len(text))
    doc = Document(text, (Paragraph(0, len(text), (sentence,)),))
    tree = parse(render_view(doc))
    assert tree.find_all("span", "w") == []
    assert [s.text() for s in sentences(tree)] == ["one two", text]


def test_word_alignment_can_be_switched_off():
    tree = parse(render(SAMPLE, word_alignment=False).decode())
    assert tree.find_all("span", "w") == []
    assert len(sentences(tree)) == 2 * len(SAMPLE.sentences)


def test_passthrough_sentences_take_their_own_direction_inside_the_arabic_column():
    tree = parse(render_view(SAMPLE))
    ar = [s for c in cells(tree, "ar") for s in sentences(c)]
    assert [s.attrs.get("dir") for s in ar] == [None, None, None, "auto"]


def test_marks_explain_flags_and_a_pending_sentence_shows_a_placeholder():
    doc = make_document(
        [
            [
                ("جملة أولى.", "First sentence.", [], [Flag.CACHED, Flag.SUB_SPLIT]),
                ("رقم 5", "number", [], [Flag.NUMBER_MISMATCH, Flag.LOW_SCORE], -3.25),
                ("لم تترجم بعد", "", [], [Flag.PENDING]),
                ("علم غريب", "odd flag", [], ['"><b onclick=x>new-flag']),
            ]
        ]
    )
    tree = parse(render_view(doc))
    marks = [
        [(m.text(), m.attrs["title"]) for m in group.find_all("span", "mark")]
        for group in tree.find_all("span", "marks")
    ]
    assert marks == [
        [("•", "from the cache"), ("✂", "sub-split: too long for the model, translated in parts")],
        [
            ("#", "a number in the source is missing from the translation"),
            ("?", "low model confidence (score -3.25)"),
        ],
        [("·", '"><b onclick=x>new-flag')],  # a flag this renderer does not know: shown by name, escaped
    ]
    assert not tree.find_all("b")
    pending = [s for s in sentences(tree) if "pending" in s.classes]
    assert [(s.attrs["data-s"], s.text()) for s in pending] == [("2", "…")]
    legend = tree.find_all("p", "legend")[0]
    assert [m.text() for m in legend.find_all("span", "mark")] == ["•", "✂", "?", "#"]


def _hostile_document() -> Document:
    sentences_ = [
        (f"قال {text} انتهى", f"He said {text} end", [(0, 0), (1, 2)], [Flag.CACHED]) for text in HOSTILE_SNIPPETS
    ]
    return make_document(
        [sentences_[:4], sentences_[4:]],
        meta=Metadata(
            title="<script>alert('title')</script>{{x}}",
            source="javascript:alert(document.domain)",
            author='<img src=x onerror="alert(7)">',
            date="${date}",
            model='"><script>alert(8)</script>',
        ),
    )


@pytest.mark.parametrize("standalone", [True, False])
def test_hostile_article_text_and_metadata_never_become_markup(standalone):
    doc = _hostile_document()
    page = render(doc, standalone=standalone).decode()
    tree = parse(page)
    tags = {n.tag for n in tree.iter()} - {"#document"}
    assert tags == {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "header",
        "h1",
        "dl",
        "div",
        "dt",
        "dd",
        "p",
        "span",
        "script",
        "details",  # the model's name and fingerprint, folded away
        "summary",
    }
    script = page_script(tree)
    assert script.text() == resources.files("reader.export").joinpath("static/reader.js").read_text("utf-8")
    for node in tree.iter():
        if node.tag == "script" and node.attrs == LOOKUP_BLOCK:
            continue
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (node.tag, name)
            assert name in {
                "lang",
                "dir",
                "class",
                "charset",
                "http-equiv",
                "content",
                "name",
                "aria-hidden",
                "data-s",
                "data-w",
                "data-a",
                "tabindex",
                "title",
            }, name
            if name.startswith("data-"):
                assert re.fullmatch(r"[0-9: ]+", value), value
    assert not tree.find_all("a")
    # What the article said is all there, as text.
    body_text = tree.find_all("main")[0].text(skip=frozenset({"marks", "colhead", "legend"}))
    for text in HOSTILE_SNIPPETS:
        assert text in body_text
    meta_values = [dd.text() for dd in tree.find_all("dd")]
    assert meta_values == [doc.meta.source, doc.meta.author, doc.meta.date, doc.meta.model]
    assert tree.find_all("h1")[0].text() == doc.meta.title
    assert tree.find_all("title")[0].text() == doc.meta.title


def test_hostile_text_round_trips_per_sentence():
    doc = _hostile_document()
    tree = parse(render_view(doc))
    ar = [s for c in cells(tree, "ar") for s in sentences(c)]
    en = [s for c in cells(tree, "en") for s in sentences(c)]
    assert [s.text() for s in ar] == [s.source for s in doc.sentences]
    assert [s.text() for s in en] == [s.translation for s in doc.sentences]


@pytest.mark.parametrize(
    ("source", "header"),
    [
        ("JavaScript:alert(1)", "JavaScript:alert(1)"),
        (" javascript:alert(1)", " javascript:alert(1)"),
        ("java\nscript:alert(1)", "java\nscript:alert(1)"),
        ("data:text/html,<script>alert(1)</script>", "data:text/html,<script>alert(1)</script>"),
        ("https://ok.example/ javascript:alert(1)", "https://ok.example/ javascript:alert(1)"),
        ("//evil.example/x", "//evil.example/x"),
        ("/home/user/article.txt", "article.txt"),  # a file: its name, the path under "Translation details"
    ],
)
def test_only_plain_http_urls_become_links(source, header):
    tree = parse(render_view(replace(SAMPLE, meta=Metadata(source=source))))
    assert tree.find_all("a") == []
    values = [dd.text() for dd in tree.find_all("dd")]
    assert values == ([header] if header == source else [header, source])


def test_http_source_is_an_escaped_link():
    url = 'https://example.com/a?b=1&c="2"<x>'
    tree = parse(render_view(replace(SAMPLE, meta=Metadata(source=url))))
    (link,) = tree.find_all("a")
    assert link.attrs["href"] == url and link.text() == url
    assert link.attrs["rel"] == "noopener noreferrer nofollow"


def test_bidi_overrides_are_dropped_but_marks_and_isolates_kept():
    source = "قال \u202eevil\u202c و\u200fكذا \u2067x\u2069"
    doc = make_document([[(source, "said \u202dx\u202c", [], [])]])
    tree = parse(render_view(doc))
    ar, en = [s for c in cells(tree, "ar") for s in sentences(c)], [s for c in cells(tree, "en") for s in sentences(c)]
    assert ar[0].text() == "قال evil و\u200fكذا \u2067x\u2069"
    assert en[0].text() == "said x"
    page = render(doc).decode()
    assert not re.search("[\u202a-\u202e]", page)
    assert not re.search(r"unicode-bidi:\s*bidi-override", page)


def test_inconsistent_offsets_fall_back_to_the_sentence_text():
    doc = replace(SAMPLE, text="short")
    tree = parse(render_view(doc))
    ar = [s for c in cells(tree, "ar") for s in sentences(c)]
    assert [s.text() for s in ar] == [s.source for s in SAMPLE.sentences]


def test_standalone_page_is_offline_with_a_strict_policy():
    page = render(SAMPLE).decode()
    tree = parse(page)
    (csp,) = [m for m in tree.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in csp.attrs["content"].split(";"))
    style = tree.find_all("style")[0].text()
    script = page_script(tree).text()

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert policy == {
        "default-src": "'none'",
        "script-src": digest(script),
        "style-src": digest(style),
        "font-src": "data:",
        "img-src": "data:",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    # The Arabic face is embedded, byte for byte; nothing else is fetched.
    embedded = re.search(r"url\(data:font/ttf;base64,([A-Za-z0-9+/=]+)\)", style).group(1)
    font = resources.files("reader").joinpath("fonts/NotoNaskhArabic-Regular.ttf").read_bytes()
    assert base64.b64decode(embedded) == font
    assert not re.search(r"url\((?!data:)|@import|https?://(?!example\.com)", page)
    assert tree.find_all("html")[0].classes == ["standalone"]
    assert parse(render_page(SAMPLE, standalone=False)).find_all("html")[0].classes == ["embedded"]


def test_export_registry_uses_this_renderer():
    assert export.render(SAMPLE, "html") == render(SAMPLE)


def test_every_flag_but_pending_has_a_mark():
    assert set(Flag) - {Flag.PENDING} == set(MARKS)


def test_the_model_and_its_fingerprint_are_folded_away_under_translation_details():
    meta = Metadata(source="https://a.example/x", model="opus-mt-ar-en", model_fingerprint="5864cae4")
    tree = parse(render_view(replace(SAMPLE, meta=meta)))
    (details,) = tree.find_all("details")
    assert [s.text() for s in details.find_all("summary")] == ["Translation details"]
    assert [dt.text() for dt in details.find_all("dt")] == ["Model", "Model fingerprint"]
    assert [dt.text() for dt in tree.find_all("dt")] == ["Source", "Model", "Model fingerprint"]
