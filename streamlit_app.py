"""The reader app: ``streamlit run streamlit_app.py``.

Widgets only: every decision is made in ``reader.app``. Errors are shown as messages; the
broad ``except Exception`` clauses are the app's edge, where a traceback must never reach the page.
"""

from __future__ import annotations

import streamlit as st

from reader import app
from reader.config import Settings

st.set_page_config(page_title="reader · Arabic → English", layout="wide")


@st.cache_resource(show_spinner="Loading the model…", max_entries=2)
def shared_translator(model: str, backend: str, beam: int, cache_path: str) -> app.SharedTranslator:
    """Loaded once per process for each model, backend, beam and cache; shared by every session.

    At most two are kept, so trying other beam sizes cannot fill the memory with model copies.
    """
    return app.open_shared_translator(Settings.load(model=model, backend=backend, beam=beam, cache_path=cache_path))


try:
    base = Settings.load()
    choices = app.model_choices(base)
except Exception as exc:
    st.error(app.error_message(exc))
    st.stop()

with st.sidebar:
    st.header("Settings")
    if choices:
        model = st.selectbox("Model", choices, key="model")
    else:
        model = None
        st.warning("No model installed: see the panel on the right.")
    beam = st.number_input("Beam size", *app.BEAM_RANGE, value=min(max(base.beam, 1), 8), key="beam")
    word_alignment = st.toggle("Word alignment highlighting", value=True, key="word_alignment")
    st.subheader("Sentence cache")
    cache_panel = st.container()  # filled at the end, so the figures include this run's translation

st.html(app.INPUT_CSS)
st.title("Arabic → English reader")
if not choices:
    st.warning(app.no_model_help(base))

kind = st.radio("Input", app.INPUT_KINDS, horizontal=True, key="kind")
if kind == app.PASTE:
    value: object = st.text_area("Arabic text", height=180, key="paste")
elif kind == app.UPLOAD:
    uploaded = st.file_uploader(
        "A .txt, .md or .html file", type=list(app.UPLOAD_TYPES), max_upload_size=app.upload_limit_mb(base)
    )
    value = (uploaded.name, uploaded.getvalue()) if uploaded is not None else None
elif kind == app.URL:
    value = st.text_input("Article URL", placeholder="https://…", key="url")
else:
    value = st.selectbox("Sample article", app.seed_names(), key="seed")
go = st.button("Translate", type="primary", disabled=not choices, key="translate")

progress_slot = st.empty()
frame = st.empty()
if go:
    st.session_state.pop("reading", None)
    try:
        settings = Settings.load(model=model, beam=int(beam))
        article = app.read_article(kind, value, settings)
        shared = shared_translator(settings.model, settings.backend, settings.beam, str(settings.cache_path))
        for reading in app.translate(article, shared, settings):
            progress_slot.progress(reading.fraction, text=reading.status)
            frame.iframe(
                app.view_html(reading, word_alignment=word_alignment), height=app.view_height(reading.document)
            )
        st.session_state["reading"] = reading
        st.session_state["downloads"] = app.downloads(reading.document)
    except Exception as exc:
        st.error(app.error_message(exc))

reading = st.session_state.get("reading")
if reading is not None:
    if not go:
        frame.iframe(app.view_html(reading, word_alignment=word_alignment), height=app.view_height(reading.document))
    for message in reading.warnings:
        st.warning(app.plain(message))
    st.caption(reading.summary)
    downloads = st.session_state.get("downloads", [])
    for column, download in zip(st.columns(max(len(downloads), 1)), downloads, strict=False):
        if download.data is None:
            column.caption(f"{download.label} unavailable: {app.plain(download.error)}")
        else:
            column.download_button(
                f"Download {download.label}",
                download.data,
                file_name=download.file_name,
                mime=download.mime,
                key=f"download-{download.label}",
            )

with cache_panel:
    try:
        for label, figure in app.cache_figures(base):
            st.caption(f"{label}: **{figure}**")
    except Exception as exc:
        st.error(app.error_message(exc))
