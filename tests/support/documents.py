"""Realistic translated Documents for export tests, built without a model.

``seed_document`` segments a seed article with simple rules (one paragraph per line, sentences
end at . ! ? ؟ before whitespace, not after a one-letter abbreviation such as "د.") and
"translates" it with the fake backend's transliteration, so layout code sees real Arabic of
real length; ``marks=False`` drops the optional vowel marks. ``translated_seed_document`` is
the central bank article with hand-written English, ``sample_document`` a short article with
hand-written English and alignments, ``hostile_document`` one full of markup, control
characters, emoji and bidi overrides, ``long_document`` the seeds repeated to a word count.
"""

from __future__ import annotations

import re
from pathlib import Path

from reader.document import Document, Flag, Metadata, Paragraph, SentencePair
from tests.support.fake import transliterate

SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"
_SENTENCE_END = re.compile(r"[.!?؟]+[\"'»”)]*(?=\s)")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_ABBREVIATION = re.compile(r"(?:^|\s)\w\.$")
MODEL = "Helsinki-NLP/opus-mt-ar-en"
_MARKS = dict.fromkeys(range(0x064B, 0x0653))
_LATIN_PUNCTUATION = str.maketrans({"،": ",", "؛": ";", "؟": "?", "ـ": None, "«": '"', "»": '"'} | _MARKS)


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]``, trimmed of surrounding whitespace."""
    spans = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if _ABBREVIATION.search(text, pos, match.start() + 1):
            continue  # "د." (Dr.) and other one-letter abbreviations end no sentence
        spans.append((pos, match.end()))
        pos = match.end()
    spans.append((pos, end))
    trimmed = []
    for s, e in spans:
        chunk = text[s:e]
        s += len(chunk) - len(chunk.lstrip())
        e -= len(chunk) - len(chunk.rstrip())
        if e > s:
            trimmed.append((s, e))
    return trimmed


def fake_pair(text: str, start: int, end: int, *, translate: bool = True) -> SentencePair:
    """A sentence "translated" word by word, aligned one to one, as the fake backend does.

    Arabic punctuation becomes Latin and short-vowel marks go, as in a real translation.
    """
    source = text[start:end]
    if not translate:
        return SentencePair(start, end, source, flags=(Flag.PENDING,))
    if not _ARABIC_LETTER.search(source):
        return SentencePair(start, end, source, translation=source, flags=(Flag.PASSTHROUGH,))
    words = [transliterate(w).translate(_LATIN_PUNCTUATION) or "-" for w in source.split()]
    return SentencePair(
        start,
        end,
        source,
        translation=" ".join(words),
        alignment=tuple((i, i) for i in range(len(words))),
        score=-0.25,
    )


def segment(text: str, meta: Metadata | None = None, *, translate: bool = True) -> Document:
    """Paragraph per non-blank line, rule-based sentences, fake translations."""
    paragraphs = []
    for line in re.finditer(r"[^\n]+", text):
        if not line.group().strip():
            continue
        spans = _sentence_spans(text, line.start(), line.end())
        pairs = tuple(fake_pair(text, s, e, translate=translate) for s, e in spans)
        paragraphs.append(Paragraph(pairs[0].start, pairs[-1].end, pairs))
    return Document(text=text, paragraphs=tuple(paragraphs), meta=meta or Metadata())


def seed_names() -> list[str]:
    return sorted(p.name for p in SEEDS.glob("*.ar.txt"))


def strip_marks(text: str) -> str:
    """Text without the optional vowel marks (tashkeel), U+064B to U+0652."""
    return text.translate(_MARKS)


def seed_document(name: str = "central-bank-rates.ar.txt", *, marks: bool = True) -> Document:
    text = (SEEDS / name).read_text(encoding="utf-8")
    if not marks:
        text = strip_marks(text)
    meta = Metadata(
        title=text.splitlines()[0].strip(),
        source=f"seeds/{name}",
        date="2024-11-21",
        model=MODEL,
    )
    return segment(text, meta)


# Hand translations of seeds/central-bank-rates.ar.txt, sentence by sentence.
CENTRAL_BANK_ENGLISH = [
    "Central bank holds interest rates for the third time in a row",
    "CAIRO - The Central Bank of Egypt decided on Thursday to keep its key interest rates unchanged at 27.25% "
    "for deposits and 28.25% for lending, for the third time in a row, a move expected by most of the analysts "
    "polled by Reuters.",
    'The Monetary Policy Committee said in a statement: "Annual inflation fell to 12.5% in October, compared with '
    '15.8% the month before, reflecting the effect of the measures taken over the past year."',
    'The statement added that the committee "will keep following economic developments closely and will not '
    'hesitate to use all the tools available" to keep prices stable over the medium term.',
    "Does this mean that the monetary easing cycle is near?",
    'Dr. Ahmed Salem, professor of economics at Cairo University, thinks that "the time has not come yet", '
    "pointing out that food prices are still high and that the pound's exchange rate against the US dollar (USD) "
    "depends on many external factors.",
    'For her part, Sara Mansour, chief economist at Capital Economics, said: "We expect the bank to start cutting '
    'rates in the first quarter of 2025, by 100 to 200 basis points."',
    "These decisions come at a time when the Egyptian economy faces major challenges, chief among them:",
    "- Rising external debt service.",
    "- Suez Canal revenues down by about 60% because of the tensions in the Red Sea.",
    "- The need to attract new foreign direct investment.",
    "The International Monetary Fund agreed last March to raise its loan programme for Egypt to 8 billion dollars!",
]


def translated_seed_document() -> Document:
    """The central bank article with real English, for pictures and verbatim checks."""
    document = seed_document()
    english = iter(CENTRAL_BANK_ENGLISH)
    paragraphs = tuple(
        Paragraph(
            p.start,
            p.end,
            tuple(SentencePair(s.start, s.end, s.source, next(english), (), score=-0.3) for s in p.sentences),
        )
        for p in document.paragraphs
    )
    if next(english, None) is not None:
        raise ValueError("the central bank article no longer segments into the translated sentences")
    return Document(document.text, paragraphs, document.meta)


def long_document(min_words: int = 5000, *, marks: bool = True) -> Document:
    """The seed articles repeated until the Arabic text has at least ``min_words`` words."""
    articles = [(SEEDS / n).read_text(encoding="utf-8").strip() for n in seed_names()]
    if not marks:
        articles = [strip_marks(a) for a in articles]
    parts: list[str] = []
    words = 0
    while words < min_words:
        for article in articles:
            parts.append(article)
            words += len(article.split())
    meta = Metadata(title="Long article", source="seeds/*.ar.txt", date="2024-11-21", model=MODEL)
    return segment("\n\n".join(parts) + "\n", meta)


def build(paragraphs: list[list[tuple[str, str, tuple[tuple[int, int], ...]]]], meta: Metadata) -> Document:
    """A Document from hand-written (source, translation, alignment) sentences, paragraph by paragraph."""
    text_parts: list[str] = []
    built = []
    pos = 0
    for sentences in paragraphs:
        pairs = []
        for i, (source, translation, alignment) in enumerate(sentences):
            if i:
                text_parts.append(" ")
                pos += 1
            pairs.append(
                SentencePair(pos, pos + len(source), source, translation, alignment, score=-0.4)
                if translation
                else SentencePair(pos, pos + len(source), source, flags=(Flag.PENDING,))
            )
            text_parts.append(source)
            pos += len(source)
        built.append(Paragraph(pairs[0].start, pairs[-1].end, tuple(pairs)))
        text_parts.append("\n\n")
        pos += 2
    return Document(text="".join(text_parts), paragraphs=tuple(built), meta=meta)


SAMPLE = [
    [
        (
            "البنك المركزي يثبت أسعار الفائدة للمرة الثالثة على التوالي",
            "The central bank holds interest rates for the third time in a row",
            ((0, 1), (1, 2), (2, 3), (3, 5), (4, 4), (5, 8), (6, 9), (7, 10), (8, 12)),
        )
    ],
    [
        (
            "قرر البنك المركزي المصري يوم الخميس الإبقاء على أسعار الفائدة دون تغيير عند 27.25%.",
            "The Central Bank of Egypt decided on Thursday to keep interest rates unchanged at 27.25%.",
            ((0, 5), (1, 1), (2, 2), (3, 4), (5, 7), (6, 9), (8, 11), (9, 10), (10, 12), (11, 12), (12, 13), (13, 14)),
        ),
        (
            "هل يعني ذلك أن دورة التيسير النقدي باتت قريبة؟",
            "Does this mean that the monetary easing cycle is near?",
            ((0, 0), (1, 2), (2, 1), (3, 3), (4, 7), (5, 6), (6, 5), (7, 8), (8, 9)),
        ),
    ],
    [
        (
            "وقال المتحدث إن شركة Microsoft ستفتتح مكتبا في دبي عام 2025.",
            "The spokesman said Microsoft will open an office in Dubai in 2025.",
            ((0, 2), (1, 1), (3, 3), (4, 3), (5, 5), (6, 7), (7, 8), (8, 9), (9, 10), (10, 11)),
        )
    ],
]


def sample_document() -> Document:
    meta = Metadata(
        title="The central bank holds rates",
        source="https://example.com/news/central-bank?id=1&lang=ar",
        date="2024-11-21",
        model=MODEL,
    )
    return build(SAMPLE, meta)


HOSTILE = [
    [
        (
            'قال <script>alert("x")</script> إن A & B < C > D و"اقتباس" و\'آخر\'.',
            'He said <script>alert("x")</script> that A & B < C > D and "quote" and \'other\'.',
            ((0, 1),),
        ),
        (
            "رمز تعبيري 🙂 وحرف فارغ \x00 وجرس \x07 | عمود * نجمة _ شرطة ` # عنوان [رابط](javascript:x) {nb}",
            "emoji 🙂 and NUL \x00 and bell \x07 | pipe * star _ under ` # heading [link](javascript:x) {nb}",
            ((0, 0),),
        ),
    ],
    [
        (
            "# ليس عنواناً\nسطر ثانٍ <b>عريض</b> &amp; \u202eمعكوس\u202c",
            "# not a heading\nsecond line <b>bold</b> &amp; \u202ereversed\u202c",
            (),
        ),
        ("جملة لم تترجم بعد.", "", ()),
    ],
]


def hostile_document() -> Document:
    meta = Metadata(
        title='<img src=x onerror=alert(1)> & "title" | *x*',
        source="file:///tmp/<evil>&\x00.txt",
        date="2024-11-21",
        model="model <b>&</b>",
    )
    return build(HOSTILE, meta)


def with_flags(document: Document, flags: dict[int, tuple[str, ...]]) -> Document:
    """``document`` with extra flags on the sentences at the given positions (document order)."""
    numbers = iter(range(len(document.sentences)))
    paragraphs = tuple(
        Paragraph(p.start, p.end, tuple(s.with_flags(*flags.get(next(numbers), ())) for s in p.sentences))
        for p in document.paragraphs
    )
    return Document(document.text, paragraphs, document.meta)


def make_document(paragraphs, meta: Metadata | None = None, sep: str = " ") -> Document:
    """Build a document whose offsets are right: sentences joined by ``sep``, paragraphs by a blank line.

    Each sentence is (source, translation, alignment, flags[, score]).
    """
    text = ""
    built = []
    for p_index, sentences in enumerate(paragraphs):
        if p_index:
            text += "\n\n"
        p_start = len(text)
        pairs = []
        for s_index, (source, translation, alignment, flags, *score) in enumerate(sentences):
            if s_index:
                text += sep
            start = len(text)
            text += source
            pairs.append(
                SentencePair(
                    start, len(text), source, translation, tuple(alignment), score[0] if score else -0.3, tuple(flags)
                )
            )
        built.append(Paragraph(p_start, len(text), tuple(pairs)))
    return Document(text=text, paragraphs=tuple(built), meta=meta or Metadata())


# Markup, template syntax and script that an article might carry, one per sentence.
HOSTILE_SNIPPETS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(2)>',
    '<a href="javascript:alert(3)">click</a>',
    "{{ constructor.constructor('alert(4)')() }}",
    "${alert(5)} `${document.cookie}`",
    "</div></main><iframe src=//evil.example>",
    "<!-- comment --> ]]> &amp; &lt;",
    "</script><script>alert(6)</script>",
]


def ranking_document() -> Document:
    """Three sentences whose hand-set alignments pick one meaning of a word each: العلم as "flag", then
    as "knowledge"; ذهب as "gold" (the word lookup ranks by them)."""
    return build(
        [
            [
                (
                    "رفع الجنود العلم فوق المبنى",
                    "The soldiers raised the flag over the building",
                    ((0, 2), (1, 0), (1, 1), (2, 3), (2, 4), (3, 5), (4, 6), (4, 7)),
                ),
                ("طلب العلم واجب", "Seeking knowledge is a duty", ((0, 0), (1, 1), (2, 2), (2, 3), (2, 4))),
            ],
            [
                (
                    "وقال ترامب إن الحكومة ستقرر ذهب",
                    "Trump said the government will decide gold",
                    ((0, 1), (1, 0), (3, 2), (3, 3), (4, 4), (4, 5), (5, 6)),
                ),
            ],
        ],
        Metadata(title="ranking"),
    )
