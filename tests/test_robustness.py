"""Hostile input and misbehaving models, through the pipeline and the CLI (in-process, fake backend).

Each case of issue 7 has its own test. The CLI runs with click's runner and the registered fake
backend (``fake_model``), which records every sentence sent to it, so a test can say exactly what
the model saw.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader.app import inputs, messages
from reader.cli import cli
from reader.config import Settings
from reader.document import Document, Flag, Metadata
from reader.export.html import render_page, render_view
from reader.pipeline import Progress, iter_translate, translate_text
from reader.quality import assess, numbers
from reader.translate.base import Translation
from tests.support.fake import FakeModel, FakeTranslator, transliterate
from tests.support.html_tree import cells, parse, sentences
from tests.support.http_server import AD_TEXT, COMMENT_TEXT, NAV_TEXT, article_page


def tr(text: str) -> str:
    """What the fake backend makes of a model input."""
    return " ".join(transliterate(w) for w in text.split())


def settings(**overrides) -> Settings:
    return replace(Settings.load(), **overrides)


def sent(fake: FakeTranslator | FakeModel) -> list[str]:
    """Every input the model received, in order."""
    return [sentence for call in fake.calls for sentence in call]


def run(*args: str, input: bytes | str | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def translate_file(tmp_path: Path, data: bytes, name: str = "article.txt") -> tuple[Result, Document]:
    """Run ``reader translate FILE --format json --out DIR`` and read the document back."""
    path = write(tmp_path, name, data)
    result = run("translate", str(path), "--format", "json", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    stem = name.split(".")[0]
    return result, Document.from_json((tmp_path / "out" / f"{stem}.json").read_text(encoding="utf-8"))


def html_sentences(document: Document, side: str) -> list[str]:
    """The text of each sentence span in one column of the rendered view."""
    tree = parse(render_view(document))
    return [s.text() for c in cells(tree, side) for s in sentences(c)]


# ---- empty input --------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  ", b"\xef\xbb\xbf\r\n", "\u00a0\u2029\u3000".encode()])
def test_empty_or_whitespace_file_is_a_clear_cli_error(fake_model, tmp_path, content):
    path = write(tmp_path, "empty.txt", content)
    result = run("translate", str(path))
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: is empty (no text to translate)\n"
    assert fake_model.calls == []


def test_empty_stdin_is_a_clear_cli_error(fake_model):
    result = run("translate", "-", input=b" \r\n\t")
    assert result.exit_code == 1
    assert result.output == "Error: standard input: is empty (no text to translate)\n"
    assert fake_model.calls == []


@pytest.mark.parametrize("text", ["", "   ", " \n\r\n\t\u2029\u00a0 "])
def test_empty_text_through_the_pipeline_is_an_empty_document(text):
    steps = list(iter_translate(text, FakeTranslator(fail_on_call=True), settings=settings()))
    assert steps == [Progress(Document(text=text, paragraphs=(), meta=Metadata()), 0, 0)]
    assert translate_text(text, FakeTranslator(fail_on_call=True), settings=settings()).paragraphs == ()


# ---- byte order mark and line endings ----------------------------------------------------------


def test_utf8_bom_is_dropped_before_segmenting(fake_model, tmp_path):
    result, document = translate_file(tmp_path, b"\xef\xbb\xbf" + "قال الوزير.\nذهب.\n".encode())
    assert document.text == "قال الوزير.\nذهب.\n"
    assert [(s.start, s.source) for s in document.sentences] == [(0, "قال الوزير."), (12, "ذهب.")]
    assert sent(fake_model) == ["قال الوزير.", "ذهب."]
    assert "Warning" not in result.stderr


def test_bom_inside_the_text_stays_displayed_but_never_reaches_the_model(fake_translator):
    text = "قال الوزير.\n\ufeffذهب الرئيس."
    document = translate_text(text, fake_translator, settings=settings())
    assert sent(fake_translator) == ["قال الوزير.", "ذهب الرئيس."]
    assert document.sentences[1].source == "\ufeffذهب الرئيس."
    assert document.sentences[1].translation == tr("ذهب الرئيس.")
    assert document.sentences[1].alignment == ((0, 0), (1, 1))


def test_crlf_and_lone_cr_line_endings_in_the_cli(fake_model, tmp_path):
    data = "قال الوزير.\r\nذهب الرئيس.\r\n\r\nانتهى.\rتم.\r\n".encode()
    _, document = translate_file(tmp_path, data)
    assert document.text == "قال الوزير.\nذهب الرئيس.\n\nانتهى.\nتم.\n"
    assert [p.source for p in document.paragraphs] == ["قال الوزير.", "ذهب الرئيس.", "انتهى.", "تم."]
    stdout = run("translate", str(tmp_path / "article.txt")).stdout
    assert stdout.splitlines() == [tr(line) for line in ["قال الوزير.", "ذهب الرئيس.", "انتهى.", "تم."]]


def test_crlf_through_the_pipeline_keeps_offsets_and_sends_no_carriage_return(fake_translator):
    text = "قال الوزير.\r\nذهب الرئيس.\r\n"
    document = translate_text(text, fake_translator, settings=settings())
    assert [(s.start, s.end) for s in document.sentences] == [(0, 11), (13, 24)]
    assert all(document.text[s.start : s.end] == s.source for s in document.sentences)
    assert not any("\r" in s for s in sent(fake_translator))


# ---- invalid UTF-8, NUL bytes, binary files, size ----------------------------------------------

BROKEN = "قال ".encode() + b"\xff" + "الوزير إن النمو قوي.".encode()
"""One invalid byte at offset 7 (after the three two-byte letters and the space)."""


def test_invalid_utf8_in_the_cli_is_replaced_with_a_warning_naming_the_offset(fake_model, tmp_path):
    path = write(tmp_path, "broken.txt", BROKEN)
    result = run("translate", str(path))
    assert result.exit_code == 0
    assert "invalid UTF-8 at byte offset 7 replaced with U+FFFD" in result.stderr
    assert result.stderr.startswith("Warning: ")
    # The replacement character stays in the displayed text but never reaches the model.
    assert result.stdout == tr("قال الوزير إن النمو قوي.") + "\n"


def test_invalid_utf8_policy_is_the_same_for_stdin_and_the_app(fake_model, tmp_path):
    piped = run("translate", "-", input=BROKEN)
    assert piped.exit_code == 0
    assert "standard input: invalid UTF-8 at byte offset 7 replaced with U+FFFD" in piped.stderr
    uploaded = inputs.read_upload("broken.txt", BROKEN, settings())
    assert uploaded.warnings == ("broken.txt: invalid UTF-8 at byte offset 7 replaced with U+FFFD",)
    assert uploaded.text == "قال \ufffdالوزير إن النمو قوي."


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_nul_bytes_are_refused_as_binary(fake_model, tmp_path, where):
    data = "قال".encode() + b"\x00" + "الوزير.".encode()
    if where == "file":
        path = write(tmp_path, "nul.txt", data)
        result = run("translate", str(path))
        name = str(path)
    else:
        result = run("translate", "-", input=data)
        name = "standard input"
    assert result.exit_code == 1
    assert result.output == f"Error: {name}: looks like a binary file (it contains NUL bytes), not text\n"
    assert fake_model.calls == []


def _png() -> bytes:
    ihdr = b"IHDR" + (8).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_png() + zlib.compress(bytes(range(256)) * 4), "looks like a binary file"),
        (bytes(range(1, 32)) * 40, "looks like a binary file"),
        (bytes(range(128, 256)) * 40, "is not UTF-8 text (the first invalid byte is at offset 0)"),
        ("البنك المركزي يثبت أسعار الفائدة".encode("cp1256"), "is not UTF-8 text"),
    ],
    ids=["png", "control-characters", "high-bytes", "windows-1256"],
)
def test_binary_file_renamed_txt_is_a_clear_error(fake_model, tmp_path, data, reason):
    path = write(tmp_path, "photo.txt", data)
    result = run("translate", str(path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: {reason}")
    assert fake_model.calls == []


def test_input_over_the_size_limit_is_refused_by_the_cli(fake_model, tmp_path, monkeypatch):
    monkeypatch.setenv("READER_MAX_INPUT_BYTES", "100")
    path = write(tmp_path, "long.txt", "نص ".encode() * 40)  # 200 bytes
    result = run("translate", str(path))
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: is 200 bytes, over the limit of 100 (READER_MAX_INPUT_BYTES)\n"
    piped = run("translate", "-", input="نص ".encode() * 40)
    assert piped.exit_code == 1
    assert "standard input is over the limit of 100 bytes (READER_MAX_INPUT_BYTES)" in piped.output
    assert fake_model.calls == []


def test_pasted_text_over_the_size_limit_is_an_app_error(fake_model, monkeypatch):
    from tests.support.app import shown, translate_pasted

    monkeypatch.setenv("READER_MAX_INPUT_BYTES", "100")
    at = translate_pasted("نص " * 40)
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [
        "the pasted text: is 200 bytes, over the limit of 100 (READER_MAX_INPUT_BYTES)"
    ]
    assert fake_model.calls == [] and not at.get("bidi_component")


# ---- a 20,000-character sentence -----------------------------------------------------------------

VOCABULARY = [
    *("قال", "الوزير", "إن", "الاقتصاد", "ينمو", "بسرعة", "كبيرة", "وأضاف", "أن", "البطالة", "تراجعت", "في"),
    *("العام", "الماضي", "بينما", "ارتفعت", "الصادرات", "إلى", "مستويات", "قياسية", "مع", "تحسن", "الطلب"),
    *("العالمي", "على", "السلع", "والخدمات", "المحلية"),
]


class CountingTranslator(FakeTranslator):
    """The fake backend, counting how much text its tokenizer was asked to read."""

    def __init__(self, tokens: Callable[[str], int] | None = None) -> None:
        super().__init__()
        self.tokens = tokens or (lambda text: len(text.split()))
        self.counted_calls = 0
        self.counted_chars = 0

    def count_tokens(self, text: str) -> int:
        self.counted_calls += 1
        self.counted_chars += len(text)
        return self.tokens(text)


def test_20000_character_sentence_is_sub_split_and_translated_completely():
    rng = random.Random(7)
    words: list[str] = []
    while len(" ".join(words)) < 20_000:
        words.append(rng.choice(VOCABULARY))
    text = " ".join(words)
    translator = CountingTranslator()
    document = translate_text(text, translator, settings=settings(token_budget=100))
    (pair,) = document.sentences
    assert pair.has(Flag.SUB_SPLIT)
    # Nothing truncated: every source word is in the translation, in order, and aligned to its counterpart.
    assert pair.translation == tr(text)
    assert pair.alignment == tuple((i, i) for i in range(len(words)))
    # Every model input fits the budget and together they are exactly the sentence, once.
    inputs = sent(translator)
    assert all(translator.tokens(part) <= 100 for part in inputs)
    assert len(inputs) >= len(words) // 100
    assert sum(len(part.split()) for part in inputs) == len(words)
    # Bounded work: the tokenizer reads the sentence a small, fixed number of times over.
    assert translator.counted_chars <= 5 * len(text)
    assert translator.counted_calls <= 2 * len(words) + 2 * len(inputs) + 10


def test_20000_characters_without_spaces_are_cut_not_truncated():
    """Text run together (no spaces) is one word; the backend would cut it at 512 subwords."""
    rng = random.Random(11)
    word = "".join(rng.choice(VOCABULARY) for _ in range(4000))
    assert len(word) >= 20_000
    text = f"قال {word} انتهى"
    translator = CountingTranslator(lambda text: sum(len(w) // 4 + 1 for w in text.split()) + 1)
    document = translate_text(text, translator, settings=settings(token_budget=100))
    (pair,) = document.sentences
    inputs = sent(translator)
    assert all(translator.tokens(part) <= 100 for part in inputs)
    assert "".join("".join(part.split()) for part in inputs) == "".join(text.split())
    assert pair.translation.replace(" ", "") == tr(text).replace(" ", "")
    assert {s for s, _ in pair.alignment} == {0, 1, 2}
    assert len(pair.alignment) == len(pair.translation.split())
    assert translator.counted_chars <= 40 * len(text)


# ---- text the model must never see ---------------------------------------------------------------

PASSTHROUGH_INPUTS = {
    "punctuation": "... !!! ؟؟ ، ؛ «» — (*) [...]\n---\n؟!",
    "numbers": "2024\n١٢٣٬٤٥٦ ۱۴۰۲ 3.5% ٪٧٥\n+1 (555) 123-4567",
    "english": "The central bank held rates. Inflation fell to 3.5%!\nMore later.",
}


@pytest.mark.parametrize("kind", PASSTHROUGH_INPUTS)
def test_text_without_arabic_letters_passes_through_with_zero_model_calls(fake_model, tmp_path, kind):
    text = PASSTHROUGH_INPUTS[kind]
    document = translate_text(text, FakeTranslator(fail_on_call=True), settings=settings())
    assert document.sentences and all(s.flags == (Flag.PASSTHROUGH,) for s in document.sentences)
    assert all(s.translation == s.source and s.score is None for s in document.sentences)
    result = run("translate", str(write(tmp_path, "a.txt", text.encode())))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [line.strip() for line in text.splitlines() if line.strip()]
    assert "0 model calls" in result.stderr
    assert fake_model.calls == []


def test_mixed_arabic_english_and_french_paragraphs(fake_translator):
    text = (
        "قال الوزير إن النمو قوي.\n"
        "The minister said growth is strong.\n"
        "Le ministre a déclaré : « La croissance est forte. » Très bien.\n"
        "وأضاف أن شركة Microsoft ستفتح مكتبا في Paris.\n"
    )
    document = translate_text(text, fake_translator, settings=settings())
    assert sent(fake_translator) == ["قال الوزير إن النمو قوي.", "وأضاف أن شركة Microsoft ستفتح مكتبا في Paris."]
    english, *french, mixed = document.sentences[1:]
    assert english.translation == "The minister said growth is strong." and english.has(Flag.PASSTHROUGH)
    assert " ".join(s.source for s in french) == "Le ministre a déclaré : « La croissance est forte. » Très bien."
    assert all(s.has(Flag.PASSTHROUGH) and s.translation == s.source for s in french)
    assert mixed.translation == tr(mixed.source) and "Microsoft" in mixed.translation
    assert not mixed.has(Flag.PASSTHROUGH)


def test_emoji_are_kept_and_emoji_only_sentences_pass_through(fake_translator):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    text = f"قال 🙂 الوزير {family} إن النمو 🚀.\n🎉🎉 👍🏽"
    document = translate_text(text, fake_translator, settings=settings())
    first, emoji_only = document.sentences
    assert first.source == f"قال 🙂 الوزير {family} إن النمو 🚀."
    # The zero-width joiners are invisible controls: the model gets the emoji without them.
    assert sent(fake_translator) == ["قال 🙂 الوزير \U0001f468\U0001f469\U0001f467 إن النمو 🚀."]
    assert first.alignment == tuple((i, i) for i in range(7))
    assert emoji_only.has(Flag.PASSTHROUGH) and emoji_only.translation == "🎉🎉 👍🏽"
    assert html_sentences(document, "ar") == [first.source, emoji_only.source]


def test_bidi_controls_and_zero_width_characters_are_stripped_for_the_model_only(fake_translator):
    source = "قال \u202bالوزير\u202c إن\u200b النمو \u200f \u2067قوي\u2069\u200d."
    text = source + "\n\u202eevil\u202c"
    document = translate_text(text, fake_translator, settings=settings())
    assert sent(fake_translator) == ["قال الوزير إن النمو قوي."]
    pair, english = document.sentences
    assert pair.source == source and document.text == text
    assert english.has(Flag.PASSTHROUGH) and english.translation == "\u202eevil\u202c"
    # The word that was only a control (display word 4) is aligned to nothing; the others line up.
    assert pair.alignment == ((0, 0), (1, 1), (2, 2), (3, 3), (5, 4))
    # Rendering: the view keeps marks, isolates and zero-width characters, drops embeddings and
    # overrides (they could disguise the text), and isolates every sentence in its own span.
    ar = html_sentences(document, "ar")
    assert ar[0] == "قال الوزير إن\u200b النمو \u200f \u2067قوي\u2069\u200d."
    assert ar[1] == "evil"
    assert "\u202e" not in render_view(document) and "\u202b" not in render_view(document)
    tree = parse(render_view(document))
    assert all(s.attrs.get("dir") in (None, "auto") for c in cells(tree, "ar") for s in sentences(c))
    style = parse(render_page(document)).find_all("style")[0].text()
    assert re.search(r"\.s \{[^}]*unicode-bidi: isolate", style)
    assert not re.search(r"unicode-bidi:\s*bidi-override", style)


def test_diacritics_and_tatweel_are_not_sent_but_stay_displayed(fake_translator):
    vocalized = "قَالَ الوَزِيـــرُ إِنَّ النُّمُوَّ قَوِيٌّ."
    plain = "قال الوزير إن النمو قوي."
    text = f"{vocalized}\n{plain}"
    document = translate_text(text, fake_translator, settings=settings(strip_diacritics=True))
    # Both spellings are one model input, translated once.
    assert sent(fake_translator) == [plain]
    assert [s.source for s in document.sentences] == [vocalized, plain]
    assert document.sentences[0].translation == document.sentences[1].translation == tr(plain)
    assert document.sentences[0].alignment == tuple((i, i) for i in range(5))
    kept = FakeTranslator()
    translate_text(vocalized, kept, settings=settings(strip_diacritics=False))
    assert sent(kept) == ["قَالَ الوَزِيرُ إِنَّ النُّمُوَّ قَوِيٌّ."]


def test_eastern_arabic_and_persian_digits_reach_the_model_as_ascii_and_match(fake_translator):
    text = "ارتفع التضخم إلى ٣٫٥ بالمئة في ۱۴۰۲ وشمل ١٢٬٠٠٠ شخص."
    document = translate_text(text, fake_translator, settings=settings())
    assert sent(fake_translator) == ["ارتفع التضخم إلى 3.5 بالمئة في 1402 وشمل 12,000 شخص."]
    assert not document.sentences[0].has(Flag.NUMBER_MISMATCH)
    assert numbers("٣٫٥ و ١٢٬٠٠٠ و ۱۴۰۲") == numbers("3.5 and 12,000 and 1402") == {"3.5": 1, "12000": 1, "1402": 1}
    # Whichever digits each side uses, the same number is the same number.
    assert Flag.NUMBER_MISMATCH not in assess("ارتفع التضخم إلى ٣٫٥ بالمئة", "Inflation rose to 3.5 percent", -0.2)
    assert Flag.NUMBER_MISMATCH not in assess("ارتفع التضخم إلى 3.5 بالمئة", "Inflation rose to ٣٫٥ percent", -0.2)
    assert Flag.NUMBER_MISMATCH not in assess("في عام ۱۴۰۲ الماضي", "In the past year 1402", -0.2)
    assert Flag.NUMBER_MISMATCH in assess("ارتفع التضخم إلى ٣٫٥ بالمئة", "Inflation rose to 3.6 percent", -0.2)


def test_an_html_page_pasted_as_text_is_reduced_to_its_article(fake_model):
    headline = "البنك المركزي يثبت أسعار الفائدة"
    body = ["قرر البنك المركزي الإبقاء على أسعار الفائدة دون تغيير.", "وقال البيان إن التضخم تراجع."]
    page = article_page(headline, body)
    result = run("translate", "-", input=page.encode())
    assert result.exit_code == 0, result.output
    # The page's <h1> is inside <article>: the headline is the title, not a repeated first paragraph;
    # it is translated on its own, after the body, for the headers and the library.
    assert result.stdout.splitlines() == [tr(p) for p in body]
    assert sent(fake_model) == [*body, headline]
    for noise in (AD_TEXT, COMMENT_TEXT, *NAV_TEXT):
        assert all(noise not in s for s in sent(fake_model))
    pasted = inputs.read_article(inputs.PASTE, page, settings())
    assert pasted.text == "\n".join(body) and pasted.meta.title == headline


# ---- model failure modes ------------------------------------------------------------------------


class ScriptedTranslator(FakeTranslator):
    """A model whose output for each input is chosen by the test (one-to-one alignment where it can)."""

    def __init__(self, output: Callable[[str], str]) -> None:
        super().__init__()
        self.output = output

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        self.calls.append(list(sentences))
        out = []
        for sentence in sentences:
            text = self.output(sentence)
            n = min(len(sentence.split()), len(text.split()))
            out.append(Translation(text, tuple((i, i) for i in range(n)), -0.4))
        return out


SOURCE = "قال وزير المالية إن الحكومة ستخفض الضرائب على الشركات الصغيرة في العام المقبل"


def flags_after_round_trip(document: Document) -> list[tuple[str, ...]]:
    return [s.flags for s in Document.from_json(document.to_json()).sentences]


def shown_marks(document: Document) -> list[str]:
    """The titles of the marks shown next to each translated sentence in the HTML view."""
    tree = parse(render_view(document))
    return [m.attrs["title"] for m in tree.find_all("span", "mark") if m.attrs.get("title")]


@pytest.mark.parametrize(
    "looped",
    [
        "The minister said that that that that that that the government",
        "The minister of of the of the of the of the finance said",
        "The government will cut taxes, the government will cut taxes, the government will cut taxes",
        "I do not know what to say. I do not know what to say. I do not know what to say.",
    ],
    ids=["word", "bigram", "clause", "long-clause"],
)
def test_repetition_loop_is_flagged_stored_and_shown(looped):
    document = translate_text(SOURCE, ScriptedTranslator(lambda _: looped), settings=settings())
    assert document.sentences[0].has(Flag.REPETITION)
    assert Flag.REPETITION in flags_after_round_trip(document)[0]
    assert "repetition in the model output" in shown_marks(document)


def test_a_faithful_translation_with_a_repeated_phrase_in_the_source_is_not_flagged():
    source = "نعم نعم نعم نعم قال الوزير"
    document = translate_text(source, ScriptedTranslator(lambda _: "yes yes yes yes said the minister"))
    assert document.sentences[0].flags == ()


@pytest.mark.parametrize(
    ("output", "case"),
    [
        ("Taxes.", "far too short"),
        (" ".join(["the government said"] * 20 + ["and more words follow"] * 5), "far too long"),
        ("", "empty"),
    ],
)
def test_output_far_too_short_or_long_is_flagged(output, case):
    document = translate_text(SOURCE, ScriptedTranslator(lambda _: output), settings=settings())
    assert document.sentences[0].has(Flag.LENGTH_RATIO), case
    assert Flag.LENGTH_RATIO in flags_after_round_trip(document)[0]
    assert "translation unusually short or long for its source" in shown_marks(document)


def test_a_short_source_that_comes_back_as_a_paragraph_is_flagged():
    """Marian hallucinates on short segments ("Image copyright Getty Images" for a blank line)."""
    rambling = "Thank you all very much and I hope that you will join us again next week for more news from the region"
    document = translate_text("شكرا لكم", ScriptedTranslator(lambda _: rambling), settings=settings())
    assert document.sentences[0].has(Flag.LENGTH_RATIO)
    fine = translate_text("شكرا لكم", ScriptedTranslator(lambda _: "Thank you"), settings=settings())
    assert fine.sentences[0].flags == ()


def test_a_number_missing_from_the_translation_is_flagged():
    source = "ارتفع عدد السكان إلى ١٢٬٠٠٠ نسمة في عام ٢٠٢٣"
    missing = translate_text(source, ScriptedTranslator(lambda _: "The population rose to 12,000 people"))
    assert missing.sentences[0].has(Flag.NUMBER_MISMATCH)
    assert Flag.NUMBER_MISMATCH in flags_after_round_trip(missing)[0]
    assert "a number in the source is missing from the translation" in shown_marks(missing)
    complete = translate_text(source, ScriptedTranslator(lambda _: "The population rose to 12,000 people in 2023"))
    assert not complete.sentences[0].has(Flag.NUMBER_MISMATCH)


def test_every_quality_flag_is_stored_in_the_json_and_marked_in_the_html():
    outputs = {
        "قال الوزير إن النمو بلغ 3٪ هذا العام.": "The the the the minister said",
        "وأضاف أن التضخم تراجع بشكل واضح.": "And he added that inflation fell clearly.",
    }

    class Unsure(ScriptedTranslator):
        def translate_batch(self, sentences):
            return [replace(t, score=-2.5) if "inflation" in t.text else t for t in super().translate_batch(sentences)]

    document = translate_text("\n".join(outputs), Unsure(outputs.__getitem__), settings=settings())
    looped, unsure = document.sentences
    assert set(looped.flags) == {Flag.REPETITION, Flag.NUMBER_MISMATCH}
    assert unsure.flags == (Flag.LOW_SCORE,)
    assert Document.from_json(document.to_json()) == document
    marks = shown_marks(document)
    assert "repetition in the model output" in marks
    assert "a number in the source is missing from the translation" in marks
    assert "low model confidence (score -2.50)" in marks


def test_alignment_pairs_outside_the_words_from_a_backend_are_dropped():
    class Careless(FakeTranslator):
        def translate_batch(self, sentences):
            return [
                replace(t, alignment=((0, 0), (1, 1), (-1, 0), (0, -3), (1, 99), (99, 0)))
                for t in super().translate_batch(sentences)
            ]

    document = translate_text("قال الوزير.", Careless(), settings=settings())
    assert document.sentences[0].alignment == ((0, 0), (1, 1))


# ---- cache faults -------------------------------------------------------------------------------


def test_cli_keeps_working_on_a_garbage_cache_file(fake_model, tmp_path, isolated_settings):
    cache = isolated_settings / "cache.sqlite3"
    cache.write_bytes(b"\x00\xffthis is not a database\n" * 100)
    article = write(tmp_path, "a.txt", "قال الوزير.\nذهب الرئيس.\n".encode())
    first = run("translate", str(article))
    assert first.exit_code == 0
    assert first.stdout.splitlines() == [tr("قال الوزير."), tr("ذهب الرئيس.")]
    assert "Warning: the sentence cache" in first.stderr and "was damaged" in first.stderr
    assert len(list(cache.parent.glob("cache.sqlite3.corrupt-*"))) == 1
    # The rebuilt cache works: the second run needs no model and warns no more.
    second = run("translate", str(article))
    assert second.stdout == first.stdout
    assert "2 sentences, 2 from cache, 0 model calls" in second.stderr
    assert "Warning" not in second.stderr
    assert len(fake_model.calls) == 1


def test_cli_honours_the_cache_size_limit(fake_model, tmp_path, monkeypatch):
    monkeypatch.setenv("READER_CACHE_MAX_ENTRIES", "2")
    first = write(tmp_path, "a.txt", "قال الوزير.\nذهب الرئيس.\nعاد الوفد.\n".encode())
    assert run("translate", str(first)).exit_code == 0
    assert "entries: 2" in run("cache", "stats").stdout
    # The two most recent stay; the oldest was evicted and is translated again.
    again = run("translate", str(write(tmp_path, "b.txt", "عاد الوفد.\nقال الوزير.\n".encode())))
    assert "2 sentences, 1 from cache, 1 model calls" in again.stderr
    assert sent(fake_model)[-1:] == ["قال الوزير."]


def test_app_sidebar_keeps_working_on_a_garbage_cache_file(isolated_settings):
    from reader.cache import CacheWarning

    (isolated_settings / "cache.sqlite3").write_bytes(b"garbage" * 500)
    with pytest.warns(CacheWarning, match="was damaged"):
        figures = dict(messages.cache_figures(Settings.load()))
    assert figures["Cached sentences"] == "0"


# ---- the same input policy in batch and the app --------------------------------------------------


def test_batch_applies_the_same_input_policy_article_by_article(fake_model, tmp_path, monkeypatch):
    from reader.cli.batch import batch_command
    from reader.library import document_id as output_stem

    monkeypatch.setenv("READER_MAX_INPUT_BYTES", "300")
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    files = {
        "broken.txt": BROKEN,
        "bom-crlf.txt": b"\xef\xbb\xbf" + "قال الوزير.\r\nذهب الرئيس.\r\n".encode(),
        "empty.txt": b" \r\n ",
        "nul.txt": "قال".encode() + b"\x00",
        "photo.txt": _png(),
        "big.txt": "نص ".encode() * 100,
    }
    for name, data in files.items():
        write(src, name, data)
    result = CliRunner().invoke(batch_command, [str(src), "--out", str(out), "--format", "json"])
    assert "Traceback" not in result.output
    assert result.exit_code == 1  # some articles failed; the others were translated
    broken = str((src / "broken.txt").resolve())
    assert f"warning: {broken}: invalid UTF-8 at byte offset 7 replaced with U+FFFD" in result.output

    def document(name: str) -> Document:
        key = str((src / name).resolve())
        return Document.from_json((out / "articles" / f"{output_stem(key)}.json").read_text(encoding="utf-8"))

    assert document("broken.txt").sentences[0].source == "قال \ufffdالوزير إن النمو قوي."
    assert document("broken.txt").sentences[0].translation == tr("قال الوزير إن النمو قوي.")
    assert document("bom-crlf.txt").text == "قال الوزير.\nذهب الرئيس.\n"
    for name, reason in [
        ("empty.txt", "is empty (no text to translate)"),
        ("nul.txt", "looks like a binary file (it contains NUL bytes), not text"),
        ("photo.txt", "looks like a binary file"),
        ("big.txt", "is 500 bytes, over the limit of 300 (READER_MAX_INPUT_BYTES)"),
    ]:
        assert f"{(src / name).resolve()}: {reason}" in result.output, name


def test_app_shows_the_invalid_utf8_warning_and_translates(fake_model):
    from tests.support.app import ADD, new_app, shown

    at = new_app(ADD).run()
    at.radio(key="kind").set_value(inputs.UPLOAD).run()
    at.file_uploader[0].set_value(("broken.txt", BROKEN, "text/plain")).run()
    at.button(key="translate").click().run()
    assert not at.exception and not at.error
    assert [shown(w.value) for w in at.warning] == ["broken.txt: invalid UTF-8 at byte offset 7 replaced with U+FFFD"]
    assert sent(fake_model) == ["قال الوزير إن النمو قوي."]
