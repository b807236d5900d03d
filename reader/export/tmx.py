"""TMX 1.4 export: one translation unit per sentence pair, for translators' CAT tools.

Every sentence with both a source and a translation becomes a ``<tu>``: passthrough sentences
(numbers, Latin text copied as is) are kept, since a CAT tool can use them too; sentences not
yet translated are left out, as a unit needs both sides. Each unit carries its position
(``tuid`` "p<paragraph>s<sentence>", from 1), the model score and the quality flags as props.

A sentence the reader edited has their version as the target, its ``<tuv>`` with ``changedate``
(when) and ``changeid`` (who, when the editor setting names them); the machine version it replaced
is kept as the prop ``x-machine-translation``, with ``x-edit-how`` and ``x-replaced-model``.

The XML is built and serialized by ElementTree, so markup in the article is escaped; the
characters XML 1.0 cannot hold at all (NUL and other C0 controls but tab and newline, lone
surrogates, U+FFFE and U+FFFF) are dropped rather than written into an invalid file, and
carriage returns become newlines, as an XML parser would read them anyway.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from reader import __version__
from reader.document import Document, Edit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(document: Document) -> bytes:
    """The document as a TMX 1.4 file (UTF-8)."""
    meta = document.meta
    source_lang = meta.source_lang or "ar"
    target_lang = meta.target_lang or "en"
    root = ET.Element("tmx", version="1.4")
    header = ET.SubElement(
        root,
        "header",
        {
            "creationtool": "reader",
            "creationtoolversion": __version__,
            "segtype": "sentence",
            "o-tmf": "reader",
            "adminlang": "en",
            "srclang": source_lang,
            "datatype": "plaintext",
            "o-encoding": "UTF-8",
        },
    )
    props = (
        ("title", meta.title),
        ("title-en", meta.title_translation),
        ("source", meta.source),
        ("scope", meta.scope),
        ("date", meta.date),
        ("model", meta.model),
        ("model-fingerprint", meta.model_fingerprint),
    )
    for name, value in props:
        if xml_text(value):
            ET.SubElement(header, "prop", type=f"x-{name}").text = xml_text(value)
    body = ET.SubElement(root, "body")
    for p_index, paragraph in enumerate(document.paragraphs, start=1):
        for s_index, sentence in enumerate(paragraph.sentences, start=1):
            source, target = xml_text(sentence.source), xml_text(sentence.shown)
            if not source.strip() or not target.strip():
                continue
            tu = ET.SubElement(body, "tu", tuid=f"p{p_index}s{s_index}")
            if sentence.score is not None:
                ET.SubElement(tu, "prop", type="x-score").text = f"{sentence.score:.4f}"
            if sentence.shown_flags:
                ET.SubElement(tu, "prop", type="x-flags").text = xml_text(" ".join(sentence.shown_flags))
            edit = sentence.edit
            if edit is not None:
                for name, value in (
                    ("machine-translation", sentence.translation),
                    ("edit-how", edit.how),
                    ("replaced-model", edit.replaced_model),
                ):
                    if xml_text(value):
                        ET.SubElement(tu, "prop", type=f"x-{name}").text = xml_text(value)
            ET.SubElement(ET.SubElement(tu, "tuv", {XML_LANG: source_lang}), "seg").text = source
            target_tuv = ET.SubElement(tu, "tuv", {XML_LANG: target_lang, **_change(edit)})
            ET.SubElement(target_tuv, "seg").text = target
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _change(edit: Edit | None) -> dict[str, str]:
    """``changedate`` (TMX's YYYYMMDDThhmmssZ) and ``changeid`` of a reader's version; none for the machine's."""
    if edit is None:
        return {}
    found = {}
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", edit.at):
        found["changedate"] = edit.at.replace("-", "").replace(":", "")
    if xml_text(edit.by).strip():
        found["changeid"] = xml_text(edit.by)
    return found


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow, its line ends as a parser reads them."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
