"""Site boilerplate the library learns: a paragraph standing in three articles of one site is dropped from its
new articles, flagged in the old ones, and never learned across sites or from two articles.

Three sites, each on its own local server (host:port is the site), in the styles of real ones: a
broadcaster's comment policy under every article, an opinion page's disclaimer, an agency's "follow
us" line. None of the three is in extraction's phrase lists; the library learns them from repetition.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from click.testing import CliRunner

from reader.app import read as reading
from reader.cli import cli
from reader.extract import is_boilerplate
from reader.ingest import Article
from reader.library import Library, document_id
from reader.library.boilerplate import paragraph_key, site
from tests.support.batching import batch, sentences_for
from tests.support.http_server import LocalServer, page

POLICY = (
    "ترحب الشبكة بالنقاش الحيوي والمفيد، ولكي لا نضطر إلى مراجعة التعليقات قبل نشرها ننصحك بقراءة إرشادات "
    "الاستخدام للتعرف على المعايير المتبعة، إذ تحذف التعليقات التي تحمل ألفاظا نابية أو تحريضا، وتخضع جميعها "
    "لشروط الموقع."
)
DISCLAIMER = "ما ينشر في هذه الزاوية يمثل وجهة نظر صاحبه وحده، ولا يتحمل الموقع أي مسؤولية عن مضمونه."
FOLLOW = "تابعوا آخر أخبار الوكالة عبر قناتها على تطبيق تلغرام وحساباتها على منصات التواصل."
TWICE = "وكان المجلس قد عقد جلسة طارئة الأسبوع الماضي لمناقشة الملف ذاته دون التوصل إلى قرار."


def broadcaster(title: str, body: list[str]) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (
        f'<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title} - الشبكة</title></head><body>'
        f'<div class="article"><h1>{title}</h1><div class="article__body">{paragraphs}'
        f'<div class="policy"><p>{POLICY}</p></div></div></div></body></html>'
    )


def opinion(title: str, body: list[str]) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (
        f'<html lang="ar"><head><meta charset="utf-8"><title>{title}</title></head><body><main>'
        f'<article><header><h1>{title}</h1><span class="author">كاتب</span></header>{paragraphs}'
        f"<p><em>{DISCLAIMER}</em></p></article></main></body></html>"
    )


def agency(title: str, body: list[str]) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (
        f'<html lang="ar"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<section id="content"><h2>{title}</h2>{paragraphs}<p>{FOLLOW}</p></section></body></html>'
    )


SITES = {"broadcaster": (broadcaster, POLICY), "opinion": (opinion, DISCLAIMER), "agency": (agency, FOLLOW)}


def body(number: int) -> list[str]:
    sentences = sentences_for(number, 6)
    return [" ".join(sentences[i : i + 2]) for i in range(0, 6, 2)]


def test_a_paragraph_in_three_articles_of_a_site_is_its_boilerplate(fake_model, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    assert not any(is_boilerplate(p) for p in (POLICY, DISCLAIMER, FOLLOW))  # no phrase list knows them
    root = tmp_path / "library"
    settings = fake_model.settings(allow_private_urls=True)
    servers = {name: LocalServer().__enter__() for name in SITES}
    try:
        urls: dict[str, list[str]] = {}
        for n, (name, (style, _)) in enumerate(SITES.items()):
            server = servers[name]
            urls[name] = []
            for k in range(5):
                number = 10 * n + k
                paragraphs = body(number) + ([TWICE] if k < 2 else [])
                if name == "opinion" and k == 4:
                    paragraphs.append(POLICY)  # another site's boilerplate, once here: not this site's
                server.routes[f"/a/{k}"] = page(style(f"خبر {number}", paragraphs))
                urls[name].append(server.url(f"/a/{k}"))
        first = [url for name in SITES for url in urls[name][:3]]
        assert batch(first, root, settings=settings, formats=["json"]).ok
        with Library(root) as library:
            for name, (_, repeated) in SITES.items():
                for url in urls[name][:3]:  # the old articles: the repeated paragraph is flagged, nothing else
                    document = library.get(document_id(url))
                    flagged = [document.paragraphs[i].source for i in library.boilerplate_paragraphs(document)]
                    assert flagged == [repeated], (name, url)
        later = [url for name in SITES for url in urls[name][3:]]
        assert batch(later, root, settings=settings, formats=["json"]).ok
        with Library(root) as library:
            for name, (_, repeated) in SITES.items():
                for url in urls[name][3:]:  # the new articles: dropped before translation, kept as dropped
                    document = library.get(document_id(url))
                    texts = [p.source for p in document.paragraphs]
                    assert repeated not in texts and document.meta.boilerplate == repeated, (name, url)
                    own = [t for t in texts if t != POLICY]
                    assert own[-3:] == body(int(document.title.split()[-1])), "the article itself is whole"
            old, new = (reading.open_view(library, document_id(urls["agency"][k])) for k in (0, 4))
            assert reading.boilerplate_note(old).startswith(f"Paragraph {len(old.document.paragraphs)}: this site")
            assert reading.boilerplate_note(new).startswith("Left out: 1 paragraph that this site repeats")
            odd = library.get(document_id(urls["opinion"][4]))
            assert POLICY in [p.source for p in odd.paragraphs]  # the broadcaster's policy, on another site
            # Translated again without it, an old article still counts: what was dropped is kept.
            assert len({site(u) for u in urls["broadcaster"]}) == 1
            assert paragraph_key(POLICY) in library.site_boilerplate(urls["broadcaster"][0])
            shown = CliRunner().invoke(cli, ["extract", urls["broadcaster"][4], "--library", str(root), "--json"])
            assert shown.exit_code == 0, shown.output
            extracted = json.loads(shown.stdout)
            assert (extracted["dropped"], extracted["paragraphs"]) == ([POLICY], body(4))
            text = CliRunner().invoke(cli, ["extract", urls["broadcaster"][4], "--library", str(root)]).stdout
            assert text.endswith(f"[dropped] {POLICY}\n") and "boilerplate (in 3 or more of its articles): 1" in text
            article = Article(text="\n".join([*body(99), POLICY]), url=urls["broadcaster"][0])
            cleaned = library.without_site_boilerplate(article)
            assert (cleaned.text, cleaned.meta.boilerplate) == ("\n".join(body(99)), POLICY)
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)


def test_folding_spacing_and_diacritics_do_not_hide_a_repeat() -> None:
    assert paragraph_key(DISCLAIMER) == paragraph_key("  " + DISCLAIMER.replace("الزاوية", "الزَّاوِيَةِ") + " ")
    assert paragraph_key("شارك الخبر") == ""  # too short to learn from
    assert site("https://www.example.com/x") == site("http://example.com/y") == "example.com"
    assert site("seeds/a.txt") == ""
