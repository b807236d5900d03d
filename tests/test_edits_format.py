"""Format version 2: the reader's version of a sentence beside the machine's, in the view, every export and search.

``tests/data/document-v1.json`` is a real version 1 file, written by ``reader translate --format json``
on the toy model before version 2 existed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from reader import export
from reader.document import FORMAT_VERSION, Document, Edit, Flag, How
from reader.export.marks import FLAG_MARKS

V1 = Path(__file__).parent / "data" / "document-v1.json"
EDIT = Edit(
    "The tall teacher sells a <b>story</b> & more in the garden.",
    ((0, 4), (1, 1), (1, 2), (2, 2), (3, 5)),
    How.TYPED,
    "2026-12-02T01:02:03Z",
    "Hala",
    "toy-a223e50ff8d0",
    "f6aef54f94ee0f60",
)


def v1() -> Document:
    return Document.from_json(V1.read_text(encoding="utf-8"))


def edited() -> Document:
    document = v1()
    first = document.sentences[0]
    paragraph = document.paragraphs[0]
    sentences = (replace(first, edit=EDIT, flags=(Flag.LOW_SCORE,)), *paragraph.sentences[1:])
    return replace(document, paragraphs=(replace(paragraph, sentences=sentences), *document.paragraphs[1:]))


def test_a_version_1_file_loads_as_a_document_without_edits_and_is_written_as_version_2():
    data = json.loads(V1.read_text(encoding="utf-8"))
    assert data["version"] == 1
    document = v1()
    assert len(document.sentences) == 5
    assert all(s.edit is None and s.shown == s.translation for s in document.sentences)
    assert document.sentences[0].shown == "And the red teacher sells a story in the garden."
    again = document.to_dict()
    assert again["version"] == FORMAT_VERSION == 2
    assert "edit" not in again["paragraphs"][0]["sentences"][0]
    assert Document.from_dict(again) == document


def test_an_edit_round_trips_and_is_what_the_reader_sees():
    document = edited()
    pair = document.sentences[0]
    assert pair.translation == "And the red teacher sells a story in the garden."  # the machine's, kept
    assert pair.shown == EDIT.text and pair.shown_alignment == EDIT.alignment
    assert pair.shown_flags == (Flag.EDITED,)  # the machine's warnings are not the reader's
    assert pair.has(Flag.EDITED) and not pair.has(Flag.LOW_SCORE)
    assert Flag.EDITED not in pair.flags  # derived, never stored
    data = document.to_dict()
    stored = data["paragraphs"][0]["sentences"][0]
    assert stored["edit"]["how"] == "typed" and stored["edit"]["by"] == "Hala"
    assert stored["translation"] == pair.translation
    assert Document.from_dict(data) == document
    assert document.paragraphs[0].translation.startswith(EDIT.text)


def test_every_export_shows_the_edit_escaped_with_its_mark_and_legend():
    document = edited()
    html = export.render(document, "html").decode()
    assert "&lt;b&gt;story&lt;/b&gt;" in html and "<b>story" not in html
    assert FLAG_MARKS[Flag.EDITED].description.replace("'", "&#x27;") in html
    assert '<span class="mark edited" title="edited' in html  # the readable size and contrast of reader.css
    assert "red teacher" not in html
    md = export.render(document, "md").decode()
    assert "The tall teacher" in md and "red teacher" not in md and "<b>" not in md
    assert FLAG_MARKS[Flag.EDITED].printed in md
    assert json.loads(export.render(document, "json"))["paragraphs"][0]["sentences"][0]["edit"]["text"] == EDIT.text


def test_the_tmx_target_is_the_human_version_with_changedate_and_changeid_and_the_machine_version_a_prop():
    root = ET.fromstring(export.render(edited(), "tmx"))
    tu = root.find("body/tu")
    target = tu.findall("tuv")[1]
    assert target.find("seg").text == EDIT.text
    assert target.get("changedate") == "20261202T010203Z" and target.get("changeid") == "Hala"
    props = {p.get("type"): p.text for p in tu.findall("prop")}
    assert props["x-machine-translation"] == "And the red teacher sells a story in the garden."
    assert props["x-edit-how"] == "typed" and props["x-flags"] == "edited"
    assert root.findall("body/tu")[1].findall("tuv")[1].get("changedate") is None


def test_the_pdf_prints_the_edit(tmp_path):
    pytest.importorskip("fpdf")
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    path = export.write(edited(), "pdf", tmp_path / "doc.pdf")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "The tall teacher sells" in " ".join(text.split())
    assert FLAG_MARKS[Flag.EDITED].description in " ".join(text.split())
    assert text.count("✎") >= 2 and "\ufffd" not in text  # the view's own mark, by the sentence and in the legend
