"""Hostile articles through every HTML/XML output, and URL fetching rules not covered by test_fetch.

An article is translated by the real pipeline (fake backend, which copies Latin text through, so
the markup reaches both columns), rendered, and the output parsed the way a browser or an XML
reader would: no element, attribute, ``javascript:`` link or template expression may come from
the article. tests/test_html.py checks the renderer on hand-built documents and tests/test_fetch.py
the fetcher's own rules; this file covers the whole path and what those leave out.
"""

from __future__ import annotations

import gzip
import re
import socket
import threading
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import resources

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import export, fetch
from reader.app import add as inputs
from reader.app import read as reading
from reader.app import translating
from reader.cli import cli
from reader.config import Settings
from reader.document import Document, Flag, Metadata
from reader.errors import FetchError, InputError
from reader.export.html import render_page, render_view
from reader.ingest import read_text
from reader.pipeline import translate_text
from reader.translate.cache import SentenceCache
from reader.translate.cached import CachedTranslator
from reader.translate.shared import SharedTranslator
from tests.support.fake import FakeTranslator, transliterate
from tests.support.html_tree import Node, cells, page_script, parse, sentences
from tests.support.http_server import LocalServer, article_page, page

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '<a href="javascript:alert(3)">اضغط</a>',
    "[اضغط](javascript:alert(4))",
    "<javascript:alert(5)>",
    "{{ constructor.constructor('alert(6)')() }}",
    "${alert(7)}",
    "{% include '/etc/passwd' %}",
    "<%= system('id') %>",
    '"><svg onload=alert(8)>',
    "</span></div></main><script>alert(9)</script>",
    '<iframe src="javascript:alert(10)"></iframe><style>*{display:none}</style>',
    "<!-- تعليق --><![CDATA[ ]]> ]]> <?xml-stylesheet href='x'?>",
    "&lt;b&gt; &amp; &#60;script&#62; &#x3C;",
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
    "<base href=//evil.example/><meta http-equiv=refresh content=0;url=javascript:alert(11)>",
]
ARTICLE = "\n".join(f"قال الوزير {attack} ثم غادر." for attack in ATTACKS)
META = Metadata(
    title="<script>alert('title')</script>{{title}}",
    source="javascript:alert(document.cookie)",
    author='<img src=x onerror="alert(12)">',
    date="${date}",
    model='"><script>alert(13)</script>',
)

PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "dl", "div", "dt", "dd", "p"}
PAGE_TAGS |= {"span", "script", "details", "summary"}
VIEW_TAGS = PAGE_TAGS - {"html", "head", "meta", "title", "style", "body", "script"}
_BIDI_OVERRIDES = re.compile("[\u202a-\u202e]")


def hostile_document(text: str = ARTICLE, meta: Metadata = META) -> Document:
    return translate_text(text, FakeTranslator(), meta=meta, settings=Settings.load())


def assert_inert(tree: Node, document: Document, allowed_tags: set[str]) -> None:
    """Only the renderer's own elements and attributes; every sentence is there as plain text."""
    assert {n.tag for n in tree.iter()} - {"#document"} <= allowed_tags
    for node in tree.iter():
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (node.tag, name)
            if name == "href":  # only the document's own http(s) source becomes a link
                assert node.tag == "a" and value == document.meta.source and re.match(r"https?://", value)
            elif name == "http-equiv":
                assert node.tag == "meta" and value == "Content-Security-Policy"
            else:
                assert name not in {"src", "srcdoc", "action", "formaction", "style", "background"}, (node.tag, name)
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            assert "javascript:" not in squeezed, (node.tag, name, value)
            assert "{{" not in squeezed and "${" not in squeezed, (node.tag, name, value)
    ar = [s.text() for c in cells(tree, "ar") for s in sentences(c)]
    en = [s.text() for c in cells(tree, "en") for s in sentences(c)]
    assert ar == [_BIDI_OVERRIDES.sub("", s.source) for s in document.sentences]
    assert en == [_BIDI_OVERRIDES.sub("", s.translation) for s in document.sentences]


def test_hostile_article_through_the_pipeline_and_the_html_export():
    document = hostile_document()
    assert all(attack in document.text for attack in ATTACKS)
    page = export.render(document, "html").decode("utf-8")
    tree = parse(page)
    assert_inert(tree, document, PAGE_TAGS)
    script = page_script(tree)
    assert script.text() == resources.files("reader.export").joinpath("static/reader.js").read_text("utf-8")
    assert not tree.find_all("a")  # the javascript: source is shown as text, never as a link
    assert tree.find_all("title")[0].text() == META.title
    assert [dd.text() for dd in tree.find_all("dd")] == [META.source, META.author, META.date, META.model]
    # Translations carry the markup too (the fake copies Latin text): it is text on that side as well.
    main = tree.find_all("main")[0].text()
    for attack in ATTACKS[:2]:
        assert main.count(attack) == 2


def test_the_apps_view_of_a_hostile_paste_is_inert(tmp_path):
    settings_ = Settings.load()
    article = read_text(ARTICLE, source="clipboard", settings=settings_)
    translator = CachedTranslator(FakeTranslator(), SentenceCache(tmp_path / "cache.sqlite3"))
    shared = SharedTranslator(translator)
    *_, done = translating.translate(article, shared, settings_)
    assert done.finished
    tree = parse(reading.draft_page(done.document))
    assert_inert(tree, done.document, PAGE_TAGS)
    page_script(tree)


class TagCollector(HTMLParser):
    """Every start tag and its attributes, balanced or not: what a lenient browser would build."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_article_in_the_markdown_export_renders_as_text():
    pytest.importorskip("reader.export.markdown", reason="the Markdown export is still being written")
    from markdown_it import MarkdownIt

    document = hostile_document()
    markdown = export.render(document, "md").decode("utf-8")
    # Site generators (Jekyll/Liquid, Hugo, Jinja) run these before any Markdown renderer sees the file.
    for template in ("{{", "{%", "${"):
        assert template not in markdown, template
    # A renderer that passes raw HTML through and does not vet link targets, as many do.
    renderer = MarkdownIt("commonmark")
    renderer.validateLink = lambda url: True
    collector = TagCollector()
    collector.feed(renderer.render(markdown))
    collector.close()
    for tag, attrs in collector.tags:
        assert tag not in {"script", "img", "iframe", "svg", "style", "base", "meta", "object", "embed", "form"}, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":
            assert re.match(r"https?://", attrs.get("href") or ""), attrs
    shown = "".join(collector.text)
    for attack in ("<script>alert(1)</script>", "onerror=alert(2)", "javascript:alert(4)"):
        assert attack in shown


def test_hostile_article_in_the_tmx_export_is_well_formed_xml_with_text_segments():
    pytest.importorskip("reader.export.tmx", reason="the TMX export is still being written")
    from tests.support.documents import hostile_document as with_control_characters

    document = hostile_document()
    data = export.render(document, "tmx")
    assert b"<!ENTITY" not in data and b"<?xml-stylesheet" not in data
    root = ET.fromstring(data)
    assert root.tag == "tmx"
    assert {e.tag for e in root.iter()} <= {"tmx", "header", "body", "tu", "tuv", "seg", "prop", "note"}
    pairs = []
    for tu in root.iter("tu"):
        segs = {}
        for tuv in tu.iter("tuv"):
            lang = tuv.get("{http://www.w3.org/XML/1998/namespace}lang") or tuv.get("lang") or ""
            (seg,) = tuv.iter("seg")
            assert len(seg) == 0, "a segment holds text only, no elements"
            segs[lang.lower()[:2]] = seg.text or ""
        pairs.append((segs["ar"], segs["en"]))
    # Every translated sentence is there, as text (an exporter may leave out passthrough ones).
    expected = [(s.source, s.translation) for s in document.sentences]
    assert [p for p in expected if p in pairs] == pairs
    assert all(p in pairs for s, p in zip(document.sentences, expected, strict=True) if not s.has(Flag.PASSTHROUGH))
    # NUL and other C0 controls cannot appear in XML 1.0 at all: the file must still parse.
    ET.fromstring(export.render(with_control_characters(), "tmx"))


HOSTILE_PIECES = st.sampled_from(
    [
        *ATTACKS,
        *("<", ">", "&", '"', "'", "`", "=", "/", "\\", "{{", "}}", "${", "\u202e", "\u2067", "\u200f", "\x00"),
        *("قال", "الوزير", "ثم", "غادر", ".", "؟", " ", "\n", "\r\n", "onerror", "javascript:", "data-s=1"),
    ]
)


@given(st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=5)), max_size=40), st.text(max_size=30))
@settings(max_examples=150, deadline=None)
def test_any_article_and_metadata_render_as_text_only(pieces, title):
    text = "".join(pieces)
    document = hostile_document(text, Metadata(title=title, source=title, author=title))
    assert_inert(parse(render_view(document)), document, VIEW_TAGS)


def test_page_title_cannot_break_out_of_the_head():
    document = hostile_document("قال.", Metadata(title="</title><script>alert(1)</script>"))
    tree = parse(render_page(document))
    page_script(tree)
    assert tree.find_all("title")[0].text() == "</title><script>alert(1)</script>"


# ---- uploads -------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x08\x00\x00\x00\x08\x08\x02\x00\x00\x00"


@pytest.mark.parametrize("name", ["photo.html", "photo.md", "photo.htm"])
def test_uploads_are_checked_by_content_not_only_by_extension(name):
    with pytest.raises(InputError, match="looks like a binary file"):
        inputs.read_upload(name, PNG, Settings.load())


def test_html_upload_keeps_only_article_text():
    body = ["قال الوزير إن الاقتصاد ينمو بسرعة كبيرة هذا العام.", "وأضاف أن البطالة تراجعت في العام الماضي."]
    page_ = article_page("عنوان", body).replace(
        "</article>", "<script>alert(1)</script><img src=x onerror=alert(2)></article>"
    )
    article = inputs.read_upload("news.html", page_.encode(), Settings.load())
    assert "alert" not in article.text and "<" not in article.text


@pytest.mark.parametrize(
    "source", ["../../.ssh/authorized_keys", "/etc/<x>|&.txt", "..\\..\\win.ini", "C:\\x\\..\\y", ".", ""]
)
def test_download_names_never_leave_the_download_folder(source):
    stem = reading.download_stem(hostile_document("قال.", Metadata(source=source)))
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.ar-en", stem), stem


# ---- URL fetching: what tests/test_fetch.py leaves out ------------------------------------------


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def test_cli_refuses_a_loopback_url_with_a_message_unless_allowed(fake_model, server, monkeypatch):
    body = ["قال الوزير إن الاقتصاد ينمو بسرعة كبيرة هذا العام.", "وأضاف أن البطالة تراجعت في العام الماضي."]
    server.routes["/news"] = page(article_page("عنوان الخبر", body))
    url = server.url("/news")
    refused = CliRunner().invoke(cli, ["translate", url])
    assert refused.exit_code == 1
    assert refused.output == (
        f"Error: cannot fetch {url}: 127.0.0.1 resolves to a loopback address 127.0.0.1, which is refused "
        "(set READER_ALLOW_PRIVATE_URLS=1 to allow it)\n"
    )
    assert server.requests == []
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    allowed = CliRunner().invoke(cli, ["translate", url])
    assert allowed.exit_code == 0, allowed.output
    # The page's <h1> repeats the title, so the body starts with the first paragraph.
    assert allowed.stdout.splitlines() == [" ".join(transliterate(w) for w in line.split()) for line in body]


@pytest.mark.parametrize("spec", ["file:///etc/passwd", "javascript:alert(1)", "data:text/plain,قال", "gopher://x/"])
def test_cli_refuses_other_schemes_with_a_message(fake_model, spec):
    result = CliRunner().invoke(cli, ["translate", spec])
    assert result.exit_code == 1
    scheme = spec.split(":")[0]
    assert result.output == f"Error: cannot fetch {spec}: only http and https URLs are allowed, not '{scheme}:'\n"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.1/",
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://017700000001/",
        "http://[0:0:0:0:0:0:0:1]/",
        "http://news.example@127.0.0.1/",
        "http://127.0.0.1:80#@news.example/",
        "http://news.example\\@127.0.0.1/",
    ],
)
def test_other_spellings_of_loopback_are_refused_before_connecting(url, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("a refused address must not be connected to")

    monkeypatch.setattr(socket.socket, "connect", no_connection)
    with pytest.raises(FetchError) as info:
        fetch.fetch_url(url, Settings.load(allow_private_urls=False))
    assert "a loopback address" in str(info.value) and "which is refused" in str(info.value)


def test_app_refuses_a_private_url_by_default(server):
    server.routes["/a"] = page("<p>نص</p>")
    with pytest.raises(FetchError, match=r"loopback address 127\.0\.0\.1, which is refused"):
        inputs.read_article(inputs.URL, server.url("/a"), Settings.load())
    assert server.requests == []


def _gzip_bomb(request, _stop: threading.Event) -> None:
    body = gzip.compress(b"a" * 20_000_000, compresslevel=9)
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Content-Encoding", "gzip")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def test_a_compression_bomb_stops_at_the_size_cap(server):
    server.routes["/bomb"] = _gzip_bomb
    url = server.url("/bomb")
    with pytest.raises(FetchError) as info:
        fetch.fetch_url(url, Settings.load(allow_private_urls=True, fetch_max_bytes=1_000_000))
    assert str(info.value) == (
        f"cannot fetch {url}: the page is over the limit of 1,000,000 bytes (READER_FETCH_MAX_BYTES)"
    )


def _trickle(request, stop: threading.Event) -> None:
    """A byte at a time, for ever: each read is quick, so only the overall deadline can stop it."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.end_headers()
    try:
        while not stop.wait(0.01):
            request.wfile.write(b"a")
            request.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        return


class _Clock:
    """The fetcher's clock, one second later at every look: time runs out after a known number of reads."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1.0
        return self.now


def test_a_server_trickling_bytes_cannot_hold_the_fetch(server, monkeypatch):
    server.routes["/slow"] = _trickle
    url = server.url("/slow")
    clock = _Clock()
    monkeypatch.setattr(fetch, "time", clock)  # only reader.fetch's view of time; the sockets keep real time
    settings_ = Settings.load(allow_private_urls=True, fetch_timeout=5)
    with pytest.raises(FetchError) as info:
        fetch.fetch_url(url, settings_)
    assert str(info.value) == f"cannot fetch {url}: took too long (over {fetch.TOTAL_TIMEOUT_FACTOR}x the timeout)"
    assert clock.now > settings_.fetch_timeout * fetch.TOTAL_TIMEOUT_FACTOR


def test_a_feed_entry_pointing_at_a_private_address_is_refused(fake_model, tmp_path, monkeypatch, server):
    """The feed's server counts as public here; the entry it lists must still be checked."""
    from reader.batch import BatchOptions, run_batch

    real = fetch.refusal_reason
    monkeypatch.setattr(fetch, "refusal_reason", lambda a: "" if str(a) == "127.0.0.1" else real(a))
    body = ["قال الوزير إن الاقتصاد ينمو بسرعة كبيرة هذا العام.", "وأضاف أن البطالة تراجعت في العام الماضي."]
    server.routes["/ok"] = page(article_page("عنوان", body))
    items = [server.url("/ok"), "http://169.254.169.254/latest/meta-data/"]
    entries = "".join(f"<item><title>t{i}</title><link>{link}</link></item>" for i, link in enumerate(items))
    server.routes["/feed"] = page(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{entries}</channel></rss>',
        content_type="application/rss+xml",
    )
    summary = run_batch([server.url("/feed")], tmp_path / "out", BatchOptions(Settings.load(), formats=["json"]))
    assert summary.new == [server.url("/ok")]
    ((key, reason),) = [(f.key, f.reason) for f in summary.failed]
    assert key == items[1]
    assert "169.254.169.254 resolves to a link-local address 169.254.169.254, which is refused" in reason
    assert sorted(server.requests) == ["/feed", "/ok"]


def test_cli_output_names_from_hostile_urls_stay_in_the_output_folder(fake_model, server, tmp_path, monkeypatch):
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    server.routes["/a/..%2F..%2Fevil"] = page(
        article_page("عنوان", ["قال الوزير إن الاقتصاد ينمو بسرعة كبيرة هذا العام."])
    )
    out = tmp_path / "out"
    before = set(tmp_path.rglob("*"))
    result = CliRunner().invoke(
        cli, ["translate", server.url("/a/..%2F..%2Fevil"), "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    model_folder = fake_model.folder  # where the model store memoises the weights' fingerprint
    written = [p for p in set(tmp_path.rglob("*")) - before if p.is_file() and model_folder not in p.parents]
    assert len(written) == 1 and written[0].parent == out


@pytest.mark.parametrize(
    "address, reason",
    [
        ("2002:7f00:1::1", "a loopback"),  # 6to4 wrapping 127.0.0.1
        ("2002:c0a8:101::1", "a private"),  # 6to4 wrapping 192.168.1.1
        ("fec0::1", "a site-local"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a private"),  # Teredo
        ("2606:4700::1111", ""),
    ],
)
def test_ipv6_forms_that_wrap_private_ipv4_are_refused(address, reason):
    import ipaddress

    assert fetch.refusal_reason(ipaddress.ip_address(address)) == reason
