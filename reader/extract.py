"""The article in an HTML page: trafilatura, then what Arabic news pages need on top of it.

trafilatura finds the body, favouring precision (no navigation, ads, comments, tables, images or
links), with the title, author and date. Its other settings do not fix what goes wrong on news
pages: neither the default nor ``favor_recall`` brings back a lead block kept apart from the body
(tried on tests/data/pages), and ``prune_xpath`` can only remove. So four steps follow, on the
paragraphs it returns:

1. **Lead.** A lead or summary kept in its own element above the body (class or id ``lead``,
   ``summary``, ``article__lead``, ``standfirst``, ``intro``, ``excerpt``, ``announce``; a
   ``<p class="lead">``) and missing from the text is put back first.
2. **Title.** A first paragraph that repeats the title (an ``<h1>`` inside the article) is dropped;
   the title stays in the metadata.
3. **Boilerplate.** Paragraphs matching ``BOILERPLATE`` (comment policies, terms of use, copyright
   and newsletter lines, in Arabic and English) are dropped.
4. **Agency tags.** A tag at a paragraph's end naming a news agency (``--(بترا)``, ``(أ ف ب)``,
   ``(رويترز)``, see ``AGENCIES``), with any editor initials after it (``س ص/ م ت``), is cut from
   the text, and the agency goes into ``agency``; a dateline's tag (``بيروت (أ ف ب) -``) stays in the
   text and is recorded too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from reader.chars import undecorated
from reader.document import DATE_FROM_PAGE, Metadata

_ARABIC_LETTER = "\u0621-\u064a"

# Boilerplate that sites put inside or right below the article. Comment policies are distinctive
# enough to match anywhere in a paragraph of up to _POLICY_WORDS words; the site-chrome phrases
# (terms of use, copyright, newsletters) also occur in news about them, so they count only in a
# short paragraph of up to _CHROME_WORDS words, where they are all there is.
COMMENT_POLICIES = (
    r"(?:التعليقات|الآراء|المقالات|المقال)\s+(?:المنشورة\s+|الواردة\s+)?(?:لا\s+)?(?:تعبر|يعبر)\s+(?:إلا\s+)?عن\s+"
    r"(?:رأي|آراء|وجهة\s+نظر)",
    r"سياسة\s+(?:التعليقات|النشر\s+في\s+التعليقات)",
    r"(?:تخضع|ستخضع)\s+(?:جميع\s+)?التعليقات\s+(?:لل)?(?:مراجعة|رقابة|إشراف)",
    r"لن\s+(?:يتم\s+نشر|تنشر|ينشر)\s+(?:أي\s+)?(?:التعليقات|تعليق)",
    r"الالتزام\s+بآداب\s+(?:الحوار|التعليق)",
    r"views\s+expressed\s+in\s+(?:the\s+)?comments",
    r"comments?\s+(?:are|is)\s+(?:moderated|the\s+(?:sole\s+)?responsibility)",
    r"comment(?:ing)?\s+policy",
)
SITE_CHROME = (
    r"شروط\s+(?:الاستخدام|الاستعمال)",
    r"سياسة\s+الخصوصية",
    r"(?:جميع|كل)\s+الحقوق\s+محفوظة",
    r"حقوق\s+(?:النشر|الطبع)\s+محفوظة",
    r"اشترك\s+(?:في|ب)\s*(?:ال)?نشر(?:ة|تنا)",
    r"تابعونا\s+على",
    r"terms\s+of\s+(?:use|service)",
    r"privacy\s+policy",
    r"all\s+rights\s+reserved",
    r"sign\s+up\s+for\s+(?:our\s+)?newsletter",
    r"follow\s+us\s+on",
)
BOILERPLATE = COMMENT_POLICIES + SITE_CHROME
_POLICY_WORDS = 60
_CHROME_WORDS = 15
_POLICY = re.compile("|".join(COMMENT_POLICIES), re.IGNORECASE)
_CHROME = re.compile("|".join(SITE_CHROME), re.IGNORECASE)

# News agencies as Arabic and English pages credit them. Initials may be spaced or dotted (أ ف ب, أ.ف.ب).
AGENCIES = (
    "أ ف ب",
    "د ب أ",
    "أ ش أ",
    "و م ع",
    "أ ب",
    "بترا",
    "رويترز",
    "كونا",
    "وام",
    "واس",
    "سانا",
    "قنا",
    "بنا",
    "العمانية",
    "وأج",
    "وات",
    "سبأ",
    "وفا",
    "واع",
    "إرنا",
    "الأناضول",
    "شينخوا",
    "سبوتنيك",
    "AFP",
    "Reuters",
    "AP",
    "dpa",
    "KUNA",
    "WAM",
    "SPA",
    "QNA",
    "MENA",
    "Petra",
    "Xinhua",
    "Anadolu",
)


def _agency_pattern(name: str) -> str:
    letters = name.split()
    if len(letters) > 1:  # initials: أ ف ب, أ.ف.ب, أ. ف. ب, ا ف ب
        return r"[.\s]*".join(re.escape(letter).replace("أ", "[أا]") for letter in letters) + r"\.?"
    return re.escape(name)


_AGENCY = "|".join(_agency_pattern(name) for name in sorted(AGENCIES, key=len, reverse=True))
_TAG = rf"[(\[]\s*(?P<agency>{_AGENCY})\s*[)\]]"
# At the end: "…تطبيقها.--(بترا) س ص/ م ت", "… المبلغ (أ ف ب)"; editor initials may follow.
_END_TAG = re.compile(rf"(?:\s*[-–—]{{1,2}}\s*|\s*){_TAG}(?:[\s/]+[{_ARABIC_LETTER}]{{1,2}})*[\s/]*$", re.IGNORECASE)
# A dateline: "بيروت (أ ف ب) -", "عمان 14 آذار (بترا)--".
_DATELINE = re.compile(rf"^[^()\[\]\n]{{0,40}}?{_TAG}\s*[-–—]", re.IGNORECASE)

_LEAD_TOKENS = ("lead", "summary", "standfirst", "intro", "excerpt", "announce")
_LEAD_XPATH = (
    "//*[self::p or self::div or self::section or self::h2 or self::span]"
    "[re:test(concat(' ', @class, ' ', @id, ' '), '[ _-](?:" + "|".join(_LEAD_TOKENS) + ")[ _-]', 'i')]"
)
# Containers whose leads belong to other articles (related stories, teasers, comments).
_FOREIGN = re.compile(r"related|comment|sidebar|widget|promo|teaser|recommend|more-|newsletter|footer|menu", re.I)
_LEAD_MIN_WORDS = 6
_BODY_PREFIX = 30
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:]{1,2}\s+")


@dataclass(frozen=True)
class Extraction:
    """The article text (one paragraph per line) and the page's title, author, date and agency."""

    text: str
    meta: Metadata


def extract_html(html: str, url: str | None = None) -> Extraction | None:
    """The article of an HTML page, or None when trafilatura finds no text at all."""
    import trafilatura

    tree = trafilatura.load_html(html)
    extracted = trafilatura_document(tree, url) if tree is not None else None
    if extracted is None:
        return None
    title = _clean(getattr(extracted, "title", ""))
    paragraphs = [line for line in str(getattr(extracted, "text", "") or "").splitlines() if line.strip()]
    paragraphs = _without_repeated_title(paragraphs, title)
    paragraphs = _lead(tree, paragraphs, title) + paragraphs
    paragraphs = [p for p in paragraphs if not is_boilerplate(p)]
    paragraphs, agencies = _without_agency_tags(paragraphs)
    date = _clean(getattr(extracted, "date", ""))
    meta = Metadata(
        title=title,
        author=_clean(getattr(extracted, "author", "")),
        date=date,
        agency=", ".join(agencies),
        date_source=DATE_FROM_PAGE if date else "",
    )
    return Extraction("\n".join(paragraphs), meta)


def trafilatura_document(html, url: str | None = None):
    """trafilatura's own extraction (an HTML string or tree) with reader's settings, or None.

    Precision first: no comments, tables, images or links; with the title, author and date.
    """
    import trafilatura

    return trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        with_metadata=True,
        # Only dates the page gives as its own (meta tags, <time>, the URL, a date by the headline): the
        # extensive search reads a footer's copyright year as 1 January of it. Published before modified.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )


def is_boilerplate(paragraph: str) -> bool:
    """A comment policy, or a short line of site chrome (terms of use, copyright, newsletter)."""
    words = len(paragraph.split())
    return bool(
        (words <= _POLICY_WORDS and _POLICY.search(paragraph)) or (words <= _CHROME_WORDS and _CHROME.search(paragraph))
    )


def split_agency_tag(paragraph: str) -> tuple[str, str]:
    """The paragraph without an agency tag at its end, and the agency ('' when there is none)."""
    match = _END_TAG.search(paragraph)
    if match is None:
        return paragraph, ""
    return paragraph[: match.start()].rstrip(), _clean(match.group("agency"))


def _without_agency_tags(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    agencies: list[str] = []
    kept = []
    for index, paragraph in enumerate(paragraphs):
        rest, agency = split_agency_tag(paragraph)
        if index == 0 and (dateline := _DATELINE.search(rest)):
            agencies.append(_clean(dateline.group("agency")))
        if agency:
            agencies.append(agency)
        if rest.strip():
            kept.append(rest)
    return kept, list(dict.fromkeys(agencies))


def _without_repeated_title(paragraphs: list[str], title: str) -> list[str]:
    """Drop a first paragraph that says the title again (unless it is all the text there is)."""
    if len(paragraphs) < 2 or not title:
        return paragraphs
    first = _key(paragraphs[0])
    names = {_key(title), *(_key(part) for part in _TITLE_SEPARATORS.split(title))}
    return paragraphs[1:] if first in names else paragraphs


def _lead(tree, paragraphs: list[str], title: str) -> list[str]:
    """The paragraphs of a lead block that the extraction left out, else [].

    Only a block between the page's first ``<h1>`` (when it has one) and the start of the extracted
    body counts, outside navigation, asides, footers and related-story boxes.
    """
    from lxml.etree import XPath

    if not paragraphs:
        return []
    positions = {element: position for position, element in enumerate(tree.iter())}
    body_start = _body_start(tree, paragraphs[0], positions)
    heading = tree.find(".//h1")
    after = positions[heading] if heading is not None else -1
    known = _key("\n".join(paragraphs))
    for element in XPath(_LEAD_XPATH, namespaces={"re": "http://exslt.org/regular-expressions"})(tree):
        position = positions[element]
        if position > body_start:
            break
        holds_heading = heading is not None and any(d is heading for d in element.iterdescendants())
        if (position < after and not holds_heading) or _in_foreign_box(element):
            continue
        blocks = element.findall(".//p") or ([] if holds_heading else [element])
        lead = [p for p in (_clean(" ".join(block.itertext())) for block in blocks) if p]
        key = _key(" ".join(lead))
        if len(key.split()) >= _LEAD_MIN_WORDS and key not in known and key != _key(title):
            return lead
    return []


def _in_foreign_box(element) -> bool:
    """Inside navigation, an aside, a footer or a box of other stories (the page's own classes aside)."""
    return any(
        ancestor.tag in ("nav", "aside", "footer")
        or _FOREIGN.search(f"{ancestor.get('class', '')} {ancestor.get('id', '')}")
        for ancestor in element.iterancestors()
        if ancestor.tag not in ("html", "body")
    )


def _body_start(tree, first_paragraph: str, positions: dict) -> int:
    """The document position where the extracted body begins (the end of the page if not found)."""
    prefix = _key(first_paragraph)[:_BODY_PREFIX]
    for element in tree.iter():
        inner = isinstance(element.tag, str) and element.tag not in ("html", "body")
        if inner and _key(_text_start(element)).startswith(prefix):
            return positions[element]
    return len(positions)


def _text_start(element) -> str:
    """The first few hundred characters of an element's text, without reading all of a large one."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        parts.append(piece)
        size += len(piece)
        if size > 8 * _BODY_PREFIX:
            break
    return " ".join(parts)


def _key(text: str) -> str:
    """Text compared for sameness: NFKC, bare letters, single spaces, case-folded, without end punctuation."""
    return " ".join(undecorated(unicodedata.normalize("NFKC", text)).split()).casefold().strip(" .:!?؟،,-–—|\"'«»")


def _clean(value: object) -> str:
    return " ".join(str(value or "").split())
