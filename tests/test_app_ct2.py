"""The app end to end on the CTranslate2 backend: the toy model, converted, read in the app."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from reader.config import Settings
from reader.models.convert import convert_to_ct2
from tests.support.app import srcdoc, translate_pasted
from tests.support.html_tree import cells, parse
from tests.support.toy import TOY_ARTICLE, TOY_ARTICLE_EN

MARK_CLASSES = frozenset({"marks"})  # the per-sentence flag marks after each sentence


def test_app_reads_the_toy_article_with_the_ct2_backend(toy_model_dir: Path, monkeypatch):
    settings = Settings.load()
    converted = convert_to_ct2(toy_model_dir, settings.models_dir / "toy-ct2-float32", quantization="float32")
    monkeypatch.setenv("READER_MODEL", str(converted))
    monkeypatch.setenv("READER_THREADS", "1")
    st.cache_resource.clear()
    at = translate_pasted(TOY_ARTICLE)
    assert not at.exception and not at.error
    english = [" ".join(cell.text(skip=MARK_CLASSES).split()) for cell in cells(parse(srcdoc(at)), "en")]
    assert english == [p for p in TOY_ARTICLE_EN.split("\n") if p]
    assert "model calls: 2" in " ".join(c.value for c in at.caption)  # the first sentence alone, then the rest
    st.cache_resource.clear()
