"""The Add page: paste, upload, fetch or pick an article; it is translated, kept in the library and opened."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from reader.app import add as inputs
from reader.app import component, keys, models, translating
from reader.app import read as reading

base = shared.base_settings()
choices = shared.model_names()
st.html(inputs.INPUT_CSS)
st.title("Add an article")
if not choices:
    st.warning(models.no_model_help(base))

asked = {"sample": inputs.SAMPLE, "paste": inputs.PASTE, "url": inputs.URL}.get(st.query_params.get("kind", ""))
if asked and keys.INPUT_KIND not in st.session_state:
    st.session_state[keys.INPUT_KIND] = asked
given = st.query_params.get("url", "")  # a web page given as a feed on the Feeds page, added as an article
if asked == inputs.URL and given and st.session_state.get(keys.URL_GIVEN) != given:
    st.session_state.update({keys.INPUT_KIND: inputs.URL, keys.ARTICLE_URL: given, keys.URL_GIVEN: given})
kind = st.radio("Input", inputs.INPUT_KINDS, horizontal=True, key=keys.INPUT_KIND)
if kind == inputs.PASTE:
    value: object = st.text_area("Arabic text", height=180, key="paste")
elif kind == inputs.UPLOAD:
    uploaded = st.file_uploader(
        "A .txt, .md, .html, .pdf, .docx, .odt or .epub file",
        type=list(inputs.UPLOAD_TYPES),
        max_upload_size=inputs.upload_limit_mb(base),
    )
    value = (uploaded.name, uploaded.getvalue()) if uploaded is not None else None
elif kind == inputs.URL:
    value = st.text_input("Article URL", placeholder="https://…", key=keys.ARTICLE_URL)
else:
    value = st.selectbox("Sample article", inputs.seed_names(), key="seed")

if st.button("Translate", type="primary", disabled=not choices, key="translate"):
    try:
        chosen = shared.settings()
        article = shared.library().without_site_boilerplate(inputs.read_article(kind, value, chosen, shared.library()))
        model = shared.translator(chosen)
        bar = st.progress(0.0, text="Starting…")
        frame = st.empty()
        translation = None
        key = inputs.library_key(kind, value, article)
        steps = translating.translate_into(article, model, chosen, shared.library(), key)
        for step, translation in enumerate(steps):
            bar.progress(translation.fraction, text=translation.status)
            page = reading.draft_page(
                translation.document, word_alignment=shared.word_alignment(), layout=shared.layout()
            )
            data = component.view_data(page, sentences=len(translation.document.sentences))
            with frame:  # each step replaces the last: the sentences appear as they are translated
                shared.reading_view(f"draft-{step}", data)
        if translation is not None:
            doc_id = translating.keep(shared.library(), translation, key)
            st.session_state[keys.TRANSLATED] = (doc_id, translation)
            st.switch_page(shared.READ_PAGE, query_params={"doc": doc_id})
    except Exception as exc:
        shared.show_error(exc)
