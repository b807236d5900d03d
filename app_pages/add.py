"""The Add page: paste, upload, fetch or pick an article; it is translated, kept in the library and opened."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from reader.app import component, inputs, models, reading, translating

base = shared.base_settings()
choices = shared.model_names()
st.html(inputs.INPUT_CSS)
st.title("Add an article")
if not choices:
    st.warning(models.no_model_help(base))

asked = {"sample": inputs.SAMPLE, "paste": inputs.PASTE, "url": inputs.URL}.get(st.query_params.get("kind", ""))
if asked and "kind" not in st.session_state:
    st.session_state["kind"] = asked
kind = st.radio("Input", inputs.INPUT_KINDS, horizontal=True, key="kind")
if kind == inputs.PASTE:
    value: object = st.text_area("Arabic text", height=180, key="paste")
elif kind == inputs.UPLOAD:
    uploaded = st.file_uploader(
        "A .txt, .md, .html, .pdf, .docx or .epub file",
        type=list(inputs.UPLOAD_TYPES),
        max_upload_size=inputs.upload_limit_mb(base),
    )
    value = (uploaded.name, uploaded.getvalue()) if uploaded is not None else None
elif kind == inputs.URL:
    value = st.text_input("Article URL", placeholder="https://…", key="url")
else:
    value = st.selectbox("Sample article", inputs.seed_names(), key="seed")

if st.button("Translate", type="primary", disabled=not choices, key="translate"):
    try:
        chosen = shared.settings()
        article = inputs.read_article(kind, value, chosen)
        model = shared.translator(chosen)
        bar = st.progress(0.0, text="Starting…")
        frame = st.empty()
        translation = None
        for step, translation in enumerate(translating.translate(article, model, chosen)):
            bar.progress(translation.fraction, text=translation.status)
            page = reading.draft_page(translation.document, word_alignment=shared.word_alignment())
            data = component.view_data(page, sentences=len(translation.document.sentences))
            with frame:  # each step replaces the last: the sentences appear as they are translated
                shared.reading_view(f"draft-{step}", data)
        if translation is not None:
            doc_id = translating.keep(shared.library(), translation, inputs.library_key(kind, value, article))
            st.session_state["translated"] = (doc_id, translation)
            st.switch_page(shared.READ_PAGE, query_params={"doc": doc_id})
    except Exception as exc:
        shared.show_error(exc)
