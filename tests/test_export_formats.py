"""Markdown, TMX and JSON exports: exact output, escaping of hostile text, round trips, structure."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import etree
from markdown_it import MarkdownIt

from reader import export
from reader.document import Document, Flag, Metadata
from reader.errors import ExportError
from reader.export import json_format, markdown, tmx
from reader.export.pdf.layout import lay_out
from tests.support import documents

ALL_DOCUMENTS = {
    "sample": documents.sample_document,
    "hostile": documents.hostile_document,
    "seed": documents.seed_document,
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# The elements and attributes of the TMX 1.4b DTD (LISA, 2004) that this export can produce,
# transcribed with their content models and required attributes.
TMX14_DTD = """
<!ELEMENT tmx (header, body)>
<!ATTLIST tmx version CDATA #REQUIRED>
<!ELEMENT header (note|ude|prop)*>
<!ATTLIST header
  creationtool CDATA #REQUIRED
  creationtoolversion CDATA #REQUIRED
  segtype (block|paragraph|sentence|phrase) #REQUIRED
  o-tmf CDATA #REQUIRED
  adminlang CDATA #REQUIRED
  srclang CDATA #REQUIRED
  datatype CDATA #REQUIRED
  o-encoding CDATA #IMPLIED
  creationdate CDATA #IMPLIED
  creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED
  changeid CDATA #IMPLIED>
<!ELEMENT note (#PCDATA)>
<!ATTLIST note xml:lang CDATA #IMPLIED o-encoding CDATA #IMPLIED>
<!ELEMENT prop (#PCDATA)>
<!ATTLIST prop type CDATA #REQUIRED xml:lang CDATA #IMPLIED o-encoding CDATA #IMPLIED>
<!ELEMENT ude (map+)>
<!ATTLIST ude name CDATA #REQUIRED base CDATA #IMPLIED>
<!ELEMENT map EMPTY>
<!ATTLIST map unicode CDATA #REQUIRED code CDATA #IMPLIED ent CDATA #IMPLIED subst CDATA #IMPLIED>
<!ELEMENT body (tu*)>
<!ELEMENT tu ((note|prop)*, tuv+)>
<!ATTLIST tu
  tuid CDATA #IMPLIED
  o-encoding CDATA #IMPLIED
  datatype CDATA #IMPLIED
  usagecount CDATA #IMPLIED
  lastusagedate CDATA #IMPLIED
  creationtool CDATA #IMPLIED
  creationtoolversion CDATA #IMPLIED
  creationdate CDATA #IMPLIED
  creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED
  segtype (block|paragraph|sentence|phrase) #IMPLIED
  changeid CDATA #IMPLIED
  o-tmf CDATA #IMPLIED
  srclang CDATA #IMPLIED>
<!ELEMENT tuv ((note|prop)*, seg)>
<!ATTLIST tuv
  xml:lang CDATA #REQUIRED
  o-encoding CDATA #IMPLIED
  datatype CDATA #IMPLIED
  usagecount CDATA #IMPLIED
  lastusagedate CDATA #IMPLIED
  creationtool CDATA #IMPLIED
  creationtoolversion CDATA #IMPLIED
  creationdate CDATA #IMPLIED
  creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED
  o-tmf CDATA #IMPLIED
  changeid CDATA #IMPLIED>
<!ELEMENT seg (#PCDATA)>
"""


def md_to_html(text: str) -> str:
    """Render as a GitHub-like viewer would: CommonMark with raw HTML, tables and strikethrough."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)


class Tree(HTMLParser):
    """Just enough of the rendered HTML: every element, and each block's text and direction.

    A block counts as right to left when it, an ancestor or an element inside it has dir="rtl".
    """

    BLOCKS: ClassVar[set[str]] = {"h1", "h2", "p", "li", "th", "td"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: list[tuple[str, str, bool]] = []
        self.rtl_depth: list[bool] = []
        self.text: list[str] = []
        self.block_rtl = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        rtl = dict(attrs).get("dir") == "rtl"
        if tag in self.BLOCKS:
            self.text = []
            self.block_rtl = any(self.rtl_depth)
        self.block_rtl = self.block_rtl or rtl
        self.rtl_depth.append(rtl)

    def handle_endtag(self, tag: str) -> None:
        self.rtl_depth.pop()
        if tag in self.BLOCKS:
            self.blocks.append((tag, "".join(self.text), self.block_rtl))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shown(text: str) -> str:
    """What a reader should see of ``text`` in Markdown: one line, no controls or overrides."""
    return " ".join(re.sub("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", "", text).split())


SAMPLE_INTERLEAVED = """\
# The central bank holds rates

- **Source:** https://example.com/news/central-bank?id=1\\&lang=ar
- **Date:** 2024-11-21

<div dir="rtl" lang="ar">

البنك المركزي يثبت أسعار الفائدة للمرة الثالثة على التوالي

</div>

The central bank holds interest rates for the third time in a row

<div dir="rtl" lang="ar">

قرر البنك المركزي المصري يوم الخميس الإبقاء على أسعار الفائدة دون تغيير عند 27.25%. \
هل يعني ذلك أن دورة التيسير النقدي باتت قريبة؟

</div>

The Central Bank of Egypt decided on Thursday to keep interest rates unchanged at 27.25%. \
Does this mean that the monetary easing cycle is near?

<div dir="rtl" lang="ar">

وقال المتحدث إن شركة Microsoft ستفتتح مكتبا في دبي عام 2025.

</div>

The spokesman said Microsoft will open an office in Dubai in 2025.

## Translation details

- **Model:** Helsinki-NLP/opus-mt-ar-en
"""


def test_markdown_interleaved_exact_output() -> None:
    assert markdown.render(documents.sample_document()).decode("utf-8") == SAMPLE_INTERLEAVED


def test_markdown_table_exact_rows() -> None:
    text = markdown.render(documents.sample_document(), layout="table").decode("utf-8")
    lines = text.splitlines()
    start = lines.index("| English | العربية |")
    table = lines[start : lines.index("", start)]
    assert table[1] == "| :--- | ---: |"
    assert table[3] == (
        "| The Central Bank of Egypt decided on Thursday to keep interest rates unchanged at 27.25%. "
        '| <span dir="rtl" lang="ar">قرر البنك المركزي المصري يوم الخميس الإبقاء على أسعار الفائدة '
        "دون تغيير عند 27.25%.</span> |"
    )
    assert len(table) == 2 + len(documents.sample_document().sentences)


def test_markdown_interleaved_renders_hostile_text_literally_and_arabic_rtl() -> None:
    document = documents.hostile_document()
    tree = Tree(md_to_html(markdown.render(document).decode("utf-8")))
    allowed = {"h1", "h2", "ul", "li", "strong", "div", "p", "em"}
    assert {tag for tag, _ in tree.elements} <= allowed, tree.elements
    assert all(set(attrs) <= {"dir", "lang"} for _, attrs in tree.elements)
    blocks = [(tag, text, rtl) for tag, text, rtl in tree.blocks]
    assert blocks[0] == ("h1", shown(document.meta.title), False)
    assert ("li", f"Source: {shown(document.meta.source)}", False) in blocks
    # The model's name, hostile too, comes last, under its own heading, as typed.
    assert blocks[-2:] == [("h2", "Translation details", False), ("li", f"Model: {document.meta.model}", False)]
    paragraphs = [(text, rtl) for tag, text, rtl in blocks if tag == "p"]
    expected = []
    for paragraph in document.paragraphs:
        expected.append((shown(paragraph.source), True))
        english = " ".join(shown(s.translation) or "(not translated)" for s in paragraph.sentences)
        expected.append((english, False))
    assert paragraphs == expected


def test_markdown_table_keeps_two_cells_per_row_whatever_the_text() -> None:
    document = documents.hostile_document()
    tree = Tree(md_to_html(markdown.render(document, layout="table").decode("utf-8")))
    assert {tag for tag, _ in tree.elements} <= {
        "h1",
        "h2",
        "ul",
        "li",
        "strong",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "span",
        "em",
    }
    cells = [(text, rtl) for tag, text, rtl in tree.blocks if tag == "td"]
    expected = []
    for sentence in document.sentences:
        expected.append((shown(sentence.translation) or "(not translated)", False))
        expected.append((shown(sentence.source), True))
    assert cells == expected
    aligns = [attrs.get("style") for tag, attrs in tree.elements if tag == "th"]
    assert aligns == ["text-align:left", "text-align:right"]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("12. not a list", "12\\. not a list"),
        ("> not a quote", "\\> not a quote"),
        (
            "a *b* _c_ `d` [e](f) <g> &amp; | ~~h~~ $x$ \\",
            "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) \\<g\\> \\&amp; \\| \\~\\~h\\~\\~ \\$x\\$ \\\\",
        ),
        ("line one\nline two\x00\u202e", "line one line two"),
    ],
)
def test_markdown_escape(text: str, escaped: str) -> None:
    assert markdown.escape(text) == escaped
    assert Tree(md_to_html(escaped)).blocks == [("p", shown(text), False)]


def test_markdown_accepts_the_pdf_name_for_two_columns() -> None:
    document = documents.sample_document()
    assert markdown.render(document, layout="side-by-side") == markdown.render(document, layout="table")


def test_markdown_unknown_layout() -> None:
    with pytest.raises(ExportError, match="layout"):
        markdown.render(documents.sample_document(), layout="columns")


def tmx_root(document: Document) -> ET.Element:
    return ET.fromstring(tmx.render(document))


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_tmx_is_valid_against_the_tmx14_dtd(name: str) -> None:
    data = tmx.render(ALL_DOCUMENTS[name]())
    dtd = etree.DTD(io.StringIO(TMX14_DTD))
    tree = etree.fromstring(data)
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_tmx_structure_and_round_trip(name: str) -> None:
    document = ALL_DOCUMENTS[name]()
    root = tmx_root(document)
    assert root.tag == "tmx" and root.get("version") == "1.4"
    assert [child.tag for child in root] == ["header", "body"]
    header = root.find("header")
    assert header is not None
    assert {k: header.get(k) for k in ("segtype", "srclang", "datatype", "adminlang", "creationtool", "o-tmf")} == {
        "segtype": "sentence",
        "srclang": "ar",
        "datatype": "plaintext",
        "adminlang": "en",
        "creationtool": "reader",
        "o-tmf": "reader",
    }
    assert header.get("creationtoolversion")
    units = root.findall("body/tu")
    pairs = [s for s in document.sentences if tmx.xml_text(s.translation).strip()]
    assert len(units) == len(pairs)
    for unit, sentence in zip(units, pairs, strict=True):
        tuvs = unit.findall("tuv")
        assert [t.get(XML_LANG) for t in tuvs] == ["ar", "en"]
        assert all(len(t.findall("seg")) == 1 and len(t) == 1 for t in tuvs)
        source, target = (t.find("seg").text for t in tuvs)
        assert source == tmx.xml_text(sentence.source)
        assert target == tmx.xml_text(sentence.translation)


def test_tmx_keeps_markup_as_text_and_drops_what_xml_cannot_hold() -> None:
    document = documents.hostile_document()
    data = tmx.render(document)
    assert b"<script>" not in data and b"&lt;script&gt;" in data
    assert b"\x00" not in data and b"\x07" not in data
    segs = [seg.text for seg in tmx_root(document).iter("seg")]
    assert 'He said <script>alert("x")</script> that A & B < C > D and "quote" and \'other\'.' in segs
    assert "emoji 🙂 and NUL  and bell  | pipe * star _ under ` # heading [link](javascript:x) {nb}" in segs
    assert "second line <b>bold</b> &amp; \u202ereversed\u202c" in segs[5]  # entity text stays text
    # The untranslated sentence has no unit; the others are numbered by position.
    assert [tu.get("tuid") for tu in tmx_root(document).iter("tu")] == ["p1s1", "p1s2", "p2s1"]


def test_tmx_carries_score_flags_and_metadata() -> None:
    document = documents.seed_document()
    root = tmx_root(document)
    props = {p.get("type"): p.text for p in root.findall("header/prop")}
    assert props == {
        "x-title": document.meta.title,
        "x-source": "seeds/central-bank-rates.ar.txt",
        "x-date": "2024-11-21",
        "x-model": documents.MODEL,
    }
    first = root.find("body/tu")
    assert first is not None
    assert [(p.get("type"), p.text) for p in first.findall("prop")] == [("x-score", "-0.2500")]


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_json_round_trip(name: str) -> None:
    document = ALL_DOCUMENTS[name]()
    assert Document.from_json(json_format.render(document).decode("utf-8")) == document


@pytest.mark.parametrize(("fmt", "suffix"), [("md", ".md"), ("tmx", ".tmx"), ("json", ".json")])
def test_registry_writes_each_format(tmp_path: Path, fmt: str, suffix: str) -> None:
    document = documents.sample_document()
    path = export.write(document, fmt, tmp_path / f"out{suffix}")
    assert path.read_bytes() == export.render(document, fmt)
    assert "البنك المركزي" in path.read_text(encoding="utf-8")


def test_empty_document_exports() -> None:
    empty = Document(text="", meta=Metadata(title="Empty"))
    assert markdown.render(empty) == b"# Empty\n"
    assert tmx_root(empty).findall("body/tu") == []


def test_markdown_source_without_arabic_is_left_to_right() -> None:
    document = documents.build([[("Is it 2025?", "Is it 2025?", ())]], Metadata(title="t"))
    assert '<div dir="ltr">\n\nIs it 2025?\n\n</div>' in markdown.render(document).decode("utf-8")
    assert '<span dir="ltr">Is it 2025?</span>' in markdown.render(document, layout="table").decode("utf-8")


SAMPLE_FLAGS = {
    0: (Flag.CACHED,),
    1: (Flag.NUMBER_MISMATCH, Flag.LOW_SCORE),
    2: (Flag.SUB_SPLIT,),
    3: (Flag.PASSTHROUGH,),
}


def test_markdown_marks_flagged_sentences_and_explains_them_after_the_metadata() -> None:
    text = markdown.render(documents.with_flags(documents.sample_document(), SAMPLE_FLAGS)).decode("utf-8")
    legend = (
        "**Marks:** <sup>=</sup> passthrough: no Arabic letters, copied without the model"
        " · <sup>÷</sup> sub-split: too long for the model, translated in parts"
        " · <sup>?</sup> low model confidence"
        " · <sup>#</sup> a number in the source is missing from the translation"
    )
    expected = (
        SAMPLE_INTERLEAVED.replace(
            "- **Date:** 2024-11-21\n", f"- **Date:** 2024-11-21\n\n{legend}\n"
        )
        .replace("unchanged at 27.25%. Does", "unchanged at 27.25%.<sup>?#</sup> Does")
        .replace("is near?\n", "is near?<sup>÷</sup>\n")
        .replace("Dubai in 2025.\n", "Dubai in 2025.<sup>=</sup>\n")
    )
    assert text == expected != SAMPLE_INTERLEAVED  # the cached first sentence has no mark
    flagged = documents.with_flags(documents.sample_document(), SAMPLE_FLAGS)
    table = markdown.render(flagged, layout="table").decode("utf-8")
    assert legend in table
    assert "| The central bank holds interest rates for the third time in a row | " in table
    assert "| Does this mean that the monetary easing cycle is near?<sup>÷</sup> | " in table


def test_markdown_without_printed_flags_has_no_legend() -> None:
    plain = documents.sample_document()
    cached = documents.with_flags(plain, dict.fromkeys(range(len(plain.sentences)), (Flag.CACHED,)))
    for layout in markdown.LAYOUTS:
        assert "Marks" not in markdown.render(plain, layout=layout).decode("utf-8")
        assert markdown.render(cached, layout=layout) == markdown.render(plain, layout=layout)


@pytest.mark.parametrize("layout", markdown.LAYOUTS)
def test_markdown_marks_on_hostile_sentences_render_as_superscripts_only(layout: str) -> None:
    """A sentence ending in a backslash, "<" or an open link still renders as typed, its marks raised after it."""
    document = documents.build(
        [[("أ", "ends in a backslash \\", ()), ("ب", "ends in <", ()), ("ج", "[x](javascript:y", ())]],
        Metadata(title="t"),
    )
    document = documents.with_flags(document, dict.fromkeys(range(3), (Flag.REPETITION, Flag.LENGTH_RATIO)))
    html = md_to_html(markdown.render(document, layout=layout).decode("utf-8"))
    tree = Tree(html)
    allowed = {"h1", "p", "strong", "sup", "div", "table", "thead", "tbody", "tr", "th", "td", "span"}
    assert {tag for tag, _ in tree.elements} <= allowed
    assert all(not attrs or set(attrs) <= {"dir", "lang", "style"} for _, attrs in tree.elements)
    assert html.count("<sup>×±</sup>") == 3 and "<sup>×</sup> repetition in the model output" in html
    english = [text for tag, text, rtl in tree.blocks if tag in ("p", "td") and not rtl and "Marks" not in text]
    expected = ["ends in a backslash \\×±", "ends in <×±", "[x](javascript:y×±"]
    assert english == (expected if layout == "table" else [" ".join(expected)])


def test_every_export_names_the_models_fingerprint_when_it_is_known() -> None:
    document = documents.sample_document()
    known = replace(document, meta=replace(document.meta, model_fingerprint="3556e2ad923ad9f0"))
    assert b"3556e2ad923ad9f0" not in export.render(document, "md") + export.render(document, "tmx")
    md = export.render(known, "md").decode()
    model = "- **Model:** Helsinki-NLP/opus-mt-ar-en"
    assert md.endswith(f"## Translation details\n\n{model}\n- **Model fingerprint:** 3556e2ad923ad9f0\n")
    assert '<prop type="x-model-fingerprint">3556e2ad923ad9f0</prop>' in export.render(known, "tmx").decode()
    assert "<dt>Model fingerprint</dt><dd dir=\"auto\">3556e2ad923ad9f0</dd>" in export.render(known, "html").decode()
    assert json.loads(export.render(known, "json"))["meta"]["model_fingerprint"] == "3556e2ad923ad9f0"


@pytest.mark.parametrize(
    ("source", "words"),
    [("seeds/central-bank-rates.ar.txt", "Sample article"), ("/home/reader/news/تقرير.docx", "تقرير.docx")],
)
def test_a_file_source_is_named_in_words_in_the_header_and_its_path_told_in_the_details(source, words) -> None:
    document = documents.sample_document()
    document = replace(document, meta=replace(document.meta, source=source))
    md = export.render(document, "md").decode()
    header, details = md.split("## Translation details")
    assert f"- **Source:** {words}\n" in header and source not in header
    assert details == f"\n\n- **Source file:** {source}\n- **Model:** Helsinki-NLP/opus-mt-ar-en\n"
    page = export.render(document, "html").decode()
    head, folded = page.split('<details class="doc-details">')
    assert f'<dt>Source</dt><dd dir="auto">{words}</dd>' in head and source not in head
    assert f'<dt>Source file</dt><dd dir="auto">{source}</dd>' in folded.split("</details>")[0]


def test_the_epub_cover_names_the_source_in_words_and_a_last_page_the_file_and_the_model() -> None:
    document = documents.sample_document()
    meta = replace(document.meta, source="seeds/central-bank-rates.ar.txt", model_fingerprint="3556e2ad923ad9f0")
    with zipfile.ZipFile(io.BytesIO(export.render(replace(document, meta=meta), "epub"))) as book:
        cover, nav, opf = (book.read(f"OEBPS/{name}").decode() for name in ("cover.xhtml", "nav.xhtml", "content.opf"))
        details = book.read("OEBPS/details.xhtml").decode()
    assert "<td>Source</td><td>Sample article</td>" in cover and "<td>Date</td><td>2024-11-21</td>" in cover
    assert "Model" not in cover and "seeds/" not in cover
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", details)
    assert "<h1>Translation details</h1>" in details and rows == [
        ("Source file", "seeds/central-bank-rates.ar.txt"),
        ("Model", "Helsinki-NLP/opus-mt-ar-en"),
        ("Model fingerprint", "3556e2ad923ad9f0"),
    ]
    assert opf.index('<itemref idref="chapter-1"/>') < opf.index('<itemref idref="details"/></spine>')
    assert '<a href="details.xhtml">Translation details</a>' in nav
    bare = replace(document, meta=Metadata(title="t"))  # nothing to tell: no such page
    with zipfile.ZipFile(io.BytesIO(export.render(bare, "epub"))) as book:
        assert "OEBPS/details.xhtml" not in book.namelist()
        assert "details" not in book.read("OEBPS/content.opf").decode()


def test_the_agency_is_shown_with_the_other_metadata() -> None:
    document = documents.sample_document()
    credited = Document(document.text, document.paragraphs, Metadata(**{**vars(document.meta), "agency": "أ ف ب <b>"}))
    md = export.render(credited, "md").decode("utf-8")
    assert "- **Date:** 2024-11-21\n- **Agency:** أ ف ب \\<b\\>\n\n<div" in md
    page = export.render(credited, "html").decode("utf-8")
    assert '<dt>Agency</dt><dd dir="auto">أ ف ب &lt;b&gt;</dd>' in page
    assert b"Agency" not in export.render(document, "md") and b"Agency" not in export.render(document, "html")


def test_every_header_shows_the_titles_translation_when_the_text_does_not_start_with_it() -> None:
    document = documents.sample_document()
    titled = replace(document, meta=replace(document.meta, title="عنوان", title_translation="Rates <held>"))
    assert titled.title_en == "Rates <held>"
    assert "- **English title:** Rates \\<held\\>" in export.render(titled, "md").decode()
    assert '<dt>English title</dt><dd dir="auto">Rates &lt;held&gt;</dd>' in export.render(titled, "html").decode()
    assert '<prop type="x-title-en">Rates &lt;held&gt;</prop>' in export.render(titled, "tmx").decode()
    pdf = lay_out(titled, "side-by-side", "A4")
    assert "English title: Rates <held>" in [box.text for box in pdf.pages[0]]
    assert b"English title" not in export.render(document, "md")  # nothing to show: no empty field
