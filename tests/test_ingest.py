"""Reading hostile input: encodings, binary files, size caps, HTML pages, stdin and URLs."""

from __future__ import annotations

import io
import sys
import zlib
from pathlib import Path

import pytest

from reader import extract, ingest
from reader.config import Settings
from reader.errors import FetchError, InputError
from reader.ingest import fetch_article, read_file, read_input, read_text
from tests.support.http_server import AD_TEXT, COMMENT_TEXT, NAV_TEXT, LocalServer, article_page, page

HEADLINE = "البنك المركزي يثبت أسعار الفائدة"
BODY = [
    "قرر البنك المركزي يوم الخميس الإبقاء على أسعار الفائدة الرئيسية دون تغيير للمرة الثالثة على التوالي.",
    "وقالت لجنة السياسة النقدية في بيان إن معدلات التضخم السنوية تراجعت في الشهر الماضي بشكل واضح.",
    "وأضاف البيان أن اللجنة ستواصل متابعة التطورات الاقتصادية عن كثب ولن تتردد في استخدام الأدوات المتاحة.",
]


@pytest.fixture
def settings() -> Settings:
    return Settings.load(allow_private_urls=True)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_utf8(tmp_path, settings):
    article = read_file(write(tmp_path, "a.txt", "مرحبا بالعالم.\n".encode()), settings)
    assert article.text == "مرحبا بالعالم.\n"
    assert article.source == str(tmp_path / "a.txt")
    assert article.warnings == ()


def test_bom_is_stripped(tmp_path, settings):
    article = read_file(write(tmp_path, "a.txt", b"\xef\xbb\xbf" + "مرحبا.".encode()), settings)
    assert article.text == "مرحبا."


def test_crlf_and_cr_become_lf(tmp_path, settings):
    article = read_file(write(tmp_path, "a.md", "سطر أول.\r\nسطر ثان.\r\n\r\nفقرة.\rأخيرة".encode()), settings)
    assert article.text == "سطر أول.\nسطر ثان.\n\nفقرة.\nأخيرة"


def test_invalid_utf8_replaced_with_warning_naming_the_offset(tmp_path, settings):
    good = "مرحبا ".encode()
    path = write(tmp_path, "a.txt", good + b"\xff" + "بالعالم".encode() + b"\xc3")
    article = read_file(path, settings)
    assert article.text == "مرحبا \ufffdبالعالم\ufffd"
    end = len(good) + 1 + len("بالعالم".encode())
    assert article.warnings == (f"{path}: invalid UTF-8 at byte offsets {len(good)}, {end} replaced with U+FFFD",)


def test_single_invalid_byte_warning(tmp_path, settings):
    path = write(tmp_path, "a.txt", b"abc \xfe def")
    assert read_file(path, settings).warnings == (f"{path}: invalid UTF-8 at byte offset 4 replaced with U+FFFD",)


def test_mostly_invalid_utf8_is_refused_with_advice(tmp_path, settings):
    path = write(tmp_path, "a.txt", "البنك المركزي يثبت أسعار الفائدة".encode("cp1256"))
    with pytest.raises(InputError) as info:
        read_file(path, settings)
    assert str(info.value) == (
        f"{path}: is not UTF-8 text (the first invalid byte is at offset 0); "
        "convert it to UTF-8 first, e.g. iconv -f WINDOWS-1256 -t UTF-8"
    )


def test_nul_bytes_refused(tmp_path, settings):
    path = write(tmp_path, "a.txt", "مرحبا".encode() + b"\x00\x00abc")
    with pytest.raises(InputError) as info:
        read_file(path, settings)
    assert str(info.value) == f"{path}: looks like a binary file (it contains NUL bytes), not text"


def test_png_renamed_txt_refused(tmp_path, settings):
    ihdr = b"IHDR" + (16).to_bytes(4, "big") + (16).to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    png = b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big")
    path = write(tmp_path, "photo.txt", png + zlib.compress(bytes(range(256)) * 8))
    with pytest.raises(InputError, match=r"photo\.txt: looks like a binary file"):
        read_file(path, settings)


def test_control_characters_without_nul_refused(tmp_path, settings):
    path = write(tmp_path, "a.txt", bytes(range(1, 32)) * 50 + "نص".encode())
    with pytest.raises(InputError, match=r"looks like a binary file \(\d+ control characters\)"):
        read_file(path, settings)


def test_tabs_and_form_feeds_are_text(tmp_path, settings):
    assert read_file(write(tmp_path, "a.txt", "أ\tب\fج\n".encode()), settings).text == "أ\tب\fج\n"


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t  ", b"\xef\xbb\xbf\n"])
def test_empty_file_refused(tmp_path, settings, content):
    path = write(tmp_path, "a.txt", content)
    with pytest.raises(InputError) as info:
        read_file(path, settings)
    assert str(info.value) == f"{path}: is empty (no text to translate)"


def test_empty_html_file_refused(tmp_path, settings):
    path = write(tmp_path, "a.html", b"\n")
    with pytest.raises(InputError, match=r"a\.html: is empty"):
        read_file(path, settings)


def test_size_cap(tmp_path):
    path = write(tmp_path, "a.txt", "ا".encode() * 100)
    with pytest.raises(InputError) as info:
        read_file(path, Settings.load(max_input_bytes=199))
    assert str(info.value) == f"{path}: is 200 bytes, over the limit of 199 (READER_MAX_INPUT_BYTES)"
    assert read_file(path, Settings.load(max_input_bytes=200)).text == "ا" * 100


@pytest.mark.parametrize("name", ["a.odt", "a.doc", "noext"])
def test_unknown_extension_refused(tmp_path, settings, name):
    path = write(tmp_path, name, b"text")
    with pytest.raises(InputError, match="unsupported file type"):
        read_file(path, settings)


@pytest.mark.parametrize(("name", "reason"), [("a.pdf", "not a readable PDF"), ("a.docx", "not a readable zip")])
def test_a_document_that_is_not_one_is_refused_in_one_line(tmp_path, settings, name, reason):
    path = write(tmp_path, name, b"text")
    with pytest.raises(InputError, match=reason):
        read_file(path, settings)


def test_missing_file_and_folder(tmp_path, settings):
    with pytest.raises(InputError, match="no such file"):
        read_file(tmp_path / "missing.txt", settings)
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_file(tmp_path / "dir.txt", settings)


def test_html_file_main_text_only(tmp_path, settings):
    path = write(tmp_path, "page.HTML", article_page(HEADLINE, BODY).encode())
    article = read_file(path, settings)
    assert article.text == "\n".join(BODY)
    assert (article.meta.title, article.meta.author, article.meta.date) == (HEADLINE, "سارة أحمد", "2024-11-21")
    for noise in (AD_TEXT, COMMENT_TEXT, *NAV_TEXT):
        assert noise not in article.text


def test_html_file_meta_charset(tmp_path, settings):
    html = article_page(HEADLINE, BODY).replace('<meta charset="utf-8">', '<meta charset="windows-1256">')
    article = read_file(write(tmp_path, "page.htm", html.encode("cp1256")), settings)
    assert article.text == "\n".join(BODY)
    assert article.warnings == ()


def test_html_without_article_text(tmp_path, settings):
    path = write(tmp_path, "a.html", b"<html><head><title>t</title></head><body><script>x=1</script></body></html>")
    with pytest.raises(InputError, match="no article text could be extracted"):
        read_file(path, settings)


def test_pasted_html_page_is_extracted():
    article = read_text("\n  " + article_page(HEADLINE, BODY), source="clipboard")
    assert article.text == "\n".join(BODY)
    assert article.meta.title == HEADLINE
    assert article.source == "clipboard"


def test_pasted_html_fragment_is_extracted():
    fragment = "".join(f"<p>{p}</p>" for p in BODY)
    assert read_text(fragment).text == "\n".join(BODY)


def test_pasted_text_with_some_markup_is_kept_as_is():
    text = "قال <b>الوزير</b> إن a < b.\r\nسطر"
    assert read_text(text).text == "قال <b>الوزير</b> إن a < b.\nسطر"


def test_pasted_text_checks():
    assert read_text("\ufeffمرحبا").text == "مرحبا"
    with pytest.raises(InputError, match="the pasted text: is empty"):
        read_text(" \n ")
    with pytest.raises(InputError, match="the pasted text: looks like a binary file"):
        read_text("abc\x00def")
    with pytest.raises(InputError, match="over the limit of 10"):
        read_text("ا" * 6, settings=Settings.load(max_input_bytes=10))


def test_read_input_stdin(monkeypatch, settings):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf" + "نص\r\n".encode())))
    article = read_input("-", settings)
    assert (article.text, article.source) == ("نص\n", "-")


def test_read_input_stdin_size_cap(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a" * 11)))
    with pytest.raises(InputError, match="standard input is over the limit of 10 bytes"):
        read_input("-", Settings.load(max_input_bytes=10))


def test_read_input_paths_and_schemes(tmp_path, settings):
    path = write(tmp_path, "a.txt", "نص".encode())
    assert read_input(str(path), settings).text == "نص"
    with pytest.raises(InputError, match="no such file"):
        read_input(str(tmp_path / "nope.txt"), settings)
    with pytest.raises(FetchError, match="only http and https URLs are allowed, not 'ftp:'"):
        read_input("ftp://example.com/a.txt", settings)


def test_fetch_article_extracts_body_and_metadata(settings):
    with LocalServer() as server:
        server.routes["/news/1"] = page(article_page(HEADLINE, BODY))
        article = read_input(server.url("/news/1"), settings)
    assert article.text == "\n".join(BODY)
    assert (article.meta.title, article.meta.author, article.meta.date) == (HEADLINE, "سارة أحمد", "2024-11-21")
    assert article.url == article.source == server.url("/news/1")


def test_fetch_article_plain_text_and_refusals(settings):
    with LocalServer() as server:
        server.routes["/t"] = page("نص عادي".encode(), content_type="text/plain; charset=utf-8")
        server.routes["/img"] = page(b"\x89PNG\r\n", content_type="image/png")
        server.routes["/empty"] = page("<html><body><img src='a.png'></body></html>")
        server.routes["/bin"] = page(b"<html>\x00\x00</html>", content_type="text/html")
        assert fetch_article(server.url("/t"), settings).text == "نص عادي"
        with pytest.raises(FetchError) as info:
            fetch_article(server.url("/img"), settings)
        assert str(info.value) == f"{server.url('/img')}: not an article page (content type 'image/png')"
        with pytest.raises(FetchError) as info:
            fetch_article(server.url("/empty"), settings)
        assert str(info.value) == f"{server.url('/empty')}: no article text could be extracted from the HTML"
        with pytest.raises(FetchError, match="looks like a binary file"):
            fetch_article(server.url("/bin"), settings)


def test_fetch_article_uses_declared_charset(settings):
    with LocalServer() as server:
        html = article_page(HEADLINE, BODY).replace('<meta charset="utf-8">', "")
        server.routes["/a"] = page(html.encode("cp1256"), content_type="text/html; charset=windows-1256")
        assert fetch_article(server.url("/a"), settings).text.startswith(BODY[0])


def test_utf8_page_mislabelled_as_latin1_is_read_as_utf8(settings):
    with LocalServer() as server:
        server.routes["/a"] = page(article_page(HEADLINE, BODY).encode(), content_type="text/html; charset=ISO-8859-1")
        article = fetch_article(server.url("/a"), settings)
    assert article.text == "\n".join(BODY)


def test_looks_like_html():
    assert ingest.looks_like_html("<!-- x -->\n<!DOCTYPE html><html></html>")
    assert ingest.looks_like_html("<HTML><body>")
    assert not ingest.looks_like_html("قال <b>الوزير</b>")
    assert not ingest.looks_like_html("<p>واحد</p>")


# --- article extraction: lead, repeated title, boilerplate, agency tags (reader.extract) ----------

PAGES = Path(__file__).resolve().parent / "data" / "pages"


def expected_page(name: str) -> tuple[dict[str, str], list[str]]:
    header, paragraphs = {}, []
    for line in (PAGES / f"{name}.expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            key, _, value = line[2:].partition(":")
            header[key.strip()] = value.strip()
        elif line.strip():
            paragraphs.append(line)
    return header, paragraphs


@pytest.mark.parametrize(
    "name",
    [
        "lead-block",  # a lead in its own block above the body (article__lead), an agency tag (أ ف ب)
        "p-lead",  # a <p class="lead"> in the article header, the body in another block
        "summary-comments",  # a summary block, a comment-policy box in the comments
        "h1-in-article",  # the <h1> inside the article body, a comment-policy box and terms of use in it
        "agency-petra",  # a dateline (بترا)-- and a --(بترا) tag with editor initials at the end
        "wire-english-boilerplate",  # (رويترز) and (أ ف ب) tags, English comment policy and site chrome
    ],
)
def test_page_structures_extract_to_the_article(tmp_path, settings, name):
    header, paragraphs = expected_page(name)
    article = read_file(PAGES / f"{name}.html", settings)
    assert article.text.splitlines() == paragraphs
    assert (article.meta.title, article.meta.agency) == (header["title"], header["agency"])


def lead_page(lead: str, *, before: str = "", after: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return f"""<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>{HEADLINE}</title></head>
<body><main><h1>{HEADLINE}</h1>{before}<div class="article-body">{body}</div>{after}</main></body></html>""".replace(
        "LEAD", lead
    )


LEAD = "أعلن البنك المركزي في بيان صدر صباح اليوم قراره بشأن أسعار الفائدة للربع المقبل."


@pytest.mark.parametrize(
    "block", ['<p class="lead">LEAD</p>', '<div class="summary">LEAD</div>', '<div class="news-lead"><p>LEAD</p></div>']
)
def test_a_lead_block_above_the_body_comes_first(block):
    assert read_text(lead_page(LEAD, before=block)).text.splitlines() == [LEAD, *BODY]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", '<div class="summary">LEAD</div>'),  # below the body: not a lead
        ('<div class="related"><p class="lead">LEAD</p></div>', ""),  # another article's lead
        ('<aside><p class="summary">LEAD</p></aside>', ""),
        ('<p class="lead">قصير جدا</p>', ""),  # too short to be a lead
    ],
)
def test_blocks_that_are_not_this_articles_lead_stay_out(before, after):
    assert read_text(lead_page(LEAD, before=before, after=after)).text.splitlines() == BODY


def test_a_lead_block_holding_the_heading_gives_its_paragraphs():
    page = lead_page(LEAD).replace(f"<h1>{HEADLINE}</h1>", f'<div class="intro"><h1>{HEADLINE}</h1><p>{LEAD}</p></div>')
    assert read_text(page.replace("<body>", '<body class="right-sidebar">')).text.splitlines() == [LEAD, *BODY]


def test_a_lead_already_in_the_body_is_not_repeated():
    page = lead_page(LEAD, before=f'<p class="lead">{BODY[0]}</p>')
    assert read_text(page).text.splitlines() == BODY


def test_only_a_first_paragraph_that_repeats_the_title_is_dropped():
    def page(title: str, paragraphs: list[str]) -> str:
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        head = f'<head><meta property="og:title" content="{title}"></head>'
        return f"<html>{head}<body><article>{body}</article></body></html>"

    assert read_text(page(HEADLINE, [HEADLINE + ".", *BODY])).text.splitlines() == BODY
    assert read_text(page(f"{HEADLINE} | صحيفة الخبر", [HEADLINE, *BODY])).text.splitlines() == BODY
    assert read_text(page(HEADLINE, [BODY[0], HEADLINE, *BODY[1:]])).text.splitlines() == [BODY[0], HEADLINE, *BODY[1:]]


@pytest.mark.parametrize(
    "paragraph",
    [
        "التعليقات المنشورة تعبر عن آراء أصحابها ولا تعبر بالضرورة عن رأي الموقع.",
        "المقالات لا تعبر إلا عن رأي كتابها",
        "تخضع جميع التعليقات للمراجعة قبل النشر، ولن يتم نشر التعليقات التي تتضمن إساءات.",
        "نرجو الالتزام بآداب الحوار.",
        "سياسة التعليقات",
        "جميع الحقوق محفوظة © 2025",
        "شروط الاستخدام | سياسة الخصوصية | اتصل بنا",
        "اشترك في نشرتنا البريدية",
        "تابعونا على فيسبوك وتويتر",
        "The views expressed in the comments are those of their authors.",
        "Comments are moderated.",
        "Terms of Use | Privacy Policy | © 2025 Gulf Daily. All rights reserved.",
    ],
)
def test_boilerplate_paragraphs_are_recognized(paragraph):
    assert extract.is_boilerplate(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        # Site-chrome phrases in the news itself, in paragraphs longer than a line of chrome.
        "وعدلت الشركة شروط الاستخدام الخاصة بتطبيقها للمراسلة، ما أثار انتقادات واسعة من منظمات تدافع عن"
        " الحق في الخصوصية وتطالب بمراجعة القوانين.",
        "وقالت الهيئة إن سياسة الخصوصية الجديدة ستدخل حيز التنفيذ الشهر المقبل بعد مشاورات استمرت عاما كاملا"
        " مع الشركات والمستخدمين.",
        "قال الوزير إن التعليقات على القرار كانت إيجابية.",
    ],
)
def test_news_about_the_same_things_is_not_boilerplate(paragraph):
    assert not extract.is_boilerplate(paragraph)


SAID = "وقال إن الحكومة ستقيم الأثر"


@pytest.mark.parametrize(
    ("tail", "agency"),
    [
        (".--(بترا)", "بترا"),
        (".--(بترا) س ص/ م ت", "بترا"),
        (". (أ ف ب)", "أ ف ب"),
        (". (أ.ف.ب)", "أ.ف.ب"),
        (". - (رويترز)", "رويترز"),
        (". [د ب أ]", "د ب أ"),
        (". (AFP)", "AFP"),
        (".(كونا)", "كونا"),
    ],
)
def test_an_agency_tag_at_a_paragraphs_end_is_cut_and_named(tail, agency):
    assert extract.split_agency_tag(SAID + tail) == (SAID + ".", agency)
    assert extract.split_agency_tag(SAID + tail.removeprefix(".")) == (SAID, agency)


@pytest.mark.parametrize(
    "paragraph",
    [
        "وقال المتحدث (الصورة)",
        "وبلغت الأرباح 3 ملايين دينار (2024)",
        "بيروت (أ ف ب) - أعلنت الوزارة فتح الطريق",
        "ونقلت وكالة رويترز عن مصادر أن الاجتماع تأجل",
    ],
)
def test_other_brackets_and_mentions_of_agencies_stay(paragraph):
    assert extract.split_agency_tag(paragraph) == (paragraph, "")


def test_tags_datelines_and_tag_only_paragraphs_make_the_agency():
    body = "".join(
        f"<p>{p}</p>" for p in ["بيروت (أ ف ب) - " + BODY[0], BODY[1] + " (رويترز)", "(أ ف ب)", BODY[2] + ".--(أ ف ب)"]
    )
    article = read_text(f"<html><body><article>{body}</article></body></html>")
    assert article.text.splitlines() == ["بيروت (أ ف ب) - " + BODY[0], BODY[1], BODY[2] + "."]
    assert article.meta.agency == "أ ف ب, رويترز"
