"""Post-editing kept in the library, through the real CLI in-process on the toy model.

Edits outlive the document (the same sentence in another article shows them, retranslating with
another beam or model keeps them, the sentence cache can be cleared), they export and import,
bad input is one line, and the glossary is kept, flagged and applied.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader import export
from reader.cli import cli
from reader.document import Flag, How
from reader.library import Library
from tests.support.toy import make_example, spec

pytestmark = pytest.mark.slow

BOY = make_example(spec("boy", "writes", "letter", subject_adj="small", obj_adj="new", period=True))
"""يكتب الولد الصغير رسالة جديدة. -> The small boy writes a new letter."""
QUEEN = make_example(spec("queen", "buys", "house", adverb="today", period=True))
EDIT = "Today the queen buys a house."


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def ok(*args: str, input: str | None = None):
    result = run(*args, input=input)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def toy_env(toy_model_dir: Path, monkeypatch, isolated_settings: Path) -> Path:
    monkeypatch.setenv("READER_MODEL", str(toy_model_dir))
    monkeypatch.setenv("READER_BACKEND", "transformers")
    monkeypatch.setenv("READER_THREADS", "1")
    monkeypatch.setenv("READER_DEVICE", "cpu")
    monkeypatch.setenv("READER_EDITOR", "Hala")
    return isolated_settings / "library"


def articles(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "first.txt"
    first.write_text(f"{QUEEN.source} {BOY.source}\n", encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_text(f"{BOY.source}\n{QUEEN.source.replace('الملكة', 'المَلِكة')}\n", encoding="utf-8")
    return first, second


def ids(library_dir: Path) -> dict[str, str]:
    with Library(library_dir).open() as library:
        return {Path(r.source).stem: r.id for r in library.page().rows}


def test_an_edit_is_kept_shown_everywhere_and_outlives_retranslation(toy_env, tmp_path, toy_model_dir, tiny_model_dir):
    first, second = articles(tmp_path)
    ok("translate", first, second)
    found = ids(toy_env)
    with Library(toy_env).open() as library:
        assert library.get(found["first"]).sentences[0].translation == QUEEN.target

    shown = ok("edit", found["first"], "--sentence", 0, "--text", EDIT)
    assert shown.stdout.strip() == EDIT
    with Library(toy_env).open() as library:
        pair = library.get(found["first"]).sentences[0]
        assert pair.shown == EDIT and pair.translation == QUEEN.target and pair.has(Flag.EDITED)
        assert pair.edit.how == How.TYPED and pair.edit.by == "Hala" and pair.edit.at.endswith("Z")
        assert pair.edit.replaced_model == toy_model_dir.name
        words = QUEEN.target.rstrip(".").split()
        order = [len(words) - 1, *range(len(words) - 1)]
        gold = {(s, order.index(t)) for s, t in QUEEN.alignment}
        assert gold <= set(pair.edit.alignment)  # the moved word keeps its own source
        # The same sentence in another article (written with diacritics there) shows the edit.
        other = library.get(found["second"]).sentences[1]
        assert other.shown == EDIT and other.has(Flag.EDITED)
        # Search reads the human version.
        hits = library.search("today the queen")
        assert {r.row.id for r in hits.results} == {found["first"], found["second"]}
        tmx = export.render(library.get(found["first"]), "tmx").decode()
        assert EDIT in tmx and "changedate=" in tmx and 'changeid="Hala"' in tmx

    # Another beam, another model, the cache cleared: the edit stays.
    ok("translate", first, "--beam", 1)
    ok("cache", "clear", "--yes")
    ok("translate", first, "--model", tiny_model_dir)
    with Library(toy_env).open() as library:
        pair = library.get(found["first"]).sentences[0]
        assert pair.shown == EDIT and pair.translation != QUEEN.target  # the tiny model's machine version
        assert pair.edit.replaced_model == tiny_model_dir.name
    # Only when asked.
    ok("translate", first, "--discard-edits")
    with Library(toy_env).open() as library:
        assert library.get(found["first"]).sentences[0].edit is None
        assert library.get(found["second"]).sentences[1].edit is None
        assert library.edits() == []


def test_alternatives_complete_and_revert(toy_env, tmp_path):
    first, _ = articles(tmp_path)
    ok("translate", first)
    (doc,) = ids(toy_env).values()
    listed = ok("alternatives", doc, "--sentence", 1, "-n", 3).stdout.splitlines()
    assert listed[0] == BOY.target and 1 < len(listed) <= 3 and len(set(listed)) == len(listed)
    assert ok("complete", doc, "-s", 1, "--prefix", "The small").stdout.strip() == BOY.target
    completed = ok("complete", doc, "-s", 1, "--prefix", "A small boy", "--save").stdout.strip()
    assert completed == "A small boy writes a new letter."
    with Library(toy_env).open() as library:
        pair = library.get(doc).sentences[1]
        assert pair.shown == completed and pair.edit.how == How.COMPLETION
    ok("edit", doc, "-s", 1, "--revert")
    with Library(toy_env).open() as library:
        assert library.get(doc).sentences[1].edit is None
    ok("edit", doc, "-s", 1, "--text", "Something else.")
    assert ok("edit", doc, "-s", 1, "--text", "   ").stderr.strip() == "machine version"  # empty is a revert


def test_bad_input_is_one_line_and_markup_or_length_is_kept_as_text(toy_env, tmp_path):
    first, _ = articles(tmp_path)
    ok("translate", first)
    (doc,) = ids(toy_env).values()
    for args, message in [
        (("edit", doc, "-s", 2, "--text", "x"), "no sentence 2: this document has 2 sentence(s)"),
        (("edit", doc, "-s", -1, "--text", "x"), "no sentence -1"),
        (("edit", "nope-0000000000", "-s", 0, "--text", "x"), "no document 'nope-0000000000'"),
        (("alternatives", doc, "-s", 9), "no sentence 9"),
        (("complete", "nope", "-s", 0, "--prefix", "The"), "no document 'nope'"),
        (("edit", doc, "-s", 0, "--text", "x" * 30_000), "at most 20,000 are kept"),
    ]:
        result = run(*args)
        assert result.exit_code == 1 and message in result.output, result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    hostile = '<script>alert(1)</script> & <img src=x onerror="alert(2)">'
    ok("edit", doc, "-s", 0, "--text", hostile)
    long = " ".join(["word"] * 2000)
    ok("edit", doc, "-s", 1, "--text", long)  # over the model's positions: kept, without word links
    with Library(toy_env).open() as library:
        document = library.get(doc)
        assert document.sentences[0].shown == hostile
        assert document.sentences[1].shown == long and document.sentences[1].edit.alignment == ()
        html = export.render(document, "html").decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img" not in html


def test_edits_export_and_import_round_trip_and_report_conflicts_and_bad_lines(toy_env, tmp_path):
    first, second = articles(tmp_path)
    ok("translate", first)
    (doc,) = ids(toy_env).values()
    ok("edit", doc, "-s", 0, "--text", EDIT)
    ok("edit", doc, "-s", 1, "--text", "A small boy writes a new letter.")
    for suffix in ("jsonl", "csv"):
        path = tmp_path / f"edits.{suffix}"
        assert "exported 2 edit(s)" in ok("edits", "export", path).stdout
        other = tmp_path / f"other-{suffix}"
        ok("translate", second, "--library", other)
        imported = ok("edits", "import", path, "--library", other).stdout
        assert "imported 2 edit(s); 0 conflict(s), 0 bad line(s)" in imported
        with Library(other).open() as library:
            (row,) = library.page().rows
            document = library.get(row.id)
            assert [s.shown for s in document.sentences] == ["A small boy writes a new letter.", EDIT]
            mine = {(r.source, r.edit.text, r.edit.alignment, r.edit.how, r.edit.by) for r in library.edits()}
        with Library(toy_env).open() as library:
            assert mine == {(r.source, r.edit.text, r.edit.alignment, r.edit.how, r.edit.by) for r in library.edits()}
        again = ok("edits", "import", path, "--library", other).stdout
        assert "imported 0 edit(s); 0 conflict(s)" in again

    # A conflict keeps the library's version unless --replace; bad lines are reported, the rest imported.
    records = [json.loads(line) for line in (tmp_path / "edits.jsonl").read_text(encoding="utf-8").splitlines()]
    records[0]["text"] = "The queen buys a house today, they say."
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps(records[0], ensure_ascii=False)
        + "\nnot json\n"
        + json.dumps({"source": "قال", "text": ""})
        + "\n"
        + json.dumps({"source": "غادر الوفد.", "text": "The delegation left."})
        + "\n",
        encoding="utf-8",
    )
    result = ok("edits", "import", bad)
    assert "imported 1 edit(s); 1 conflict(s), 2 bad line(s)" in result.stdout
    assert "bad.jsonl line 2: not an edit" in result.stderr
    assert "bad.jsonl line 3: not an edit (an empty edit)" in result.stderr
    assert "conflict:" in result.stderr
    assert "imported 1 edit(s); 0 conflict(s)" in ok("edits", "import", bad, "--replace").stdout
    with Library(toy_env).open() as library:
        assert library.get(doc).sentences[0].shown == "The queen buys a house today, they say."
    assert "an edits file is .jsonl or .csv" in run("edits", "import", first).output


def test_the_glossary_is_kept_flags_what_lacks_it_and_is_applied(toy_env, tmp_path):
    first, _ = articles(tmp_path)
    ok("translate", first)
    (doc,) = ids(toy_env).values()
    assert "1 document(s) re-flagged" in ok("glossary", "add", "رسالة", "story").stdout
    ok("glossary", "add", "البيت", "home", "--feed", "https://example.org/feed")
    listed = ok("glossary", "list").stdout.splitlines()
    assert listed == ["رسالة\tstory", "البيت\thome\thttps://example.org/feed"]
    with Library(toy_env).open() as library:
        pair = library.get(doc).sentences[1]
        assert pair.has(Flag.GLOSSARY) and pair.glossary == ("رسالة",)
        assert not library.get(doc).sentences[0].has(Flag.GLOSSARY)  # the feed's term is not this article's
        assert library.page().rows[0].flags == {"glossary": 1}
    applied = ok("glossary", "apply", doc)
    assert f"{doc} sentence 1: The small boy writes a new story." in applied.stdout
    with Library(toy_env).open() as library:
        pair = library.get(doc).sentences[1]
        assert pair.shown == "The small boy writes a new story." and pair.edit.how == How.GLOSSARY
        assert not pair.has(Flag.GLOSSARY) and pair.glossary == ()

    exported = tmp_path / "glossary.csv"
    ok("glossary", "export", exported)
    assert exported.read_text(encoding="utf-8").splitlines()[0] == "arabic,english,feed"
    ok("glossary", "remove", "رسالة")
    assert "no glossary term 'رسالة'" in run("glossary", "remove", "رسالة").output
    assert "imported 2 term(s)" in ok("glossary", "import", exported).stdout
    for content, message in [
        ("ar,en\nرسالة,story\n", "bad.csv line 1: the columns must be arabic,english[,feed]"),
        ("arabic,english\nرسالة,story\nالرسالة,note\nرِسالة,note\n", "bad.csv line 4: the term 'رِسالة' is on line 2"),
        ("arabic,english\nرسالة,story\nletter,story\n", "bad.csv line 3: the glossary term 'letter' is not Arabic"),
        ("arabic,english\nرسالة,\n", "bad.csv line 2: the glossary term 'رسالة' has no English rendering"),
        ("arabic,english\nرسالة,story,extra\n", "bad.csv line 2: 3 column(s), the header has 2"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(content, encoding="utf-8")
        result = run("glossary", "import", bad)
        assert result.exit_code == 1 and message in result.output, result.output
