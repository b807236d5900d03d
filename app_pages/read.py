"""The Read page: one article side by side, full width, opened where the reader left it."""

from __future__ import annotations

import streamlit as st

from app_pages import edit_panel, shared
from reader.app import component, reading
from reader.app.messages import plain

doc_id = st.query_params.get("doc") or st.session_state.get("last_doc")
if not doc_id:
    st.info("Open an article from the Library, or add one.")
    st.page_link(shared.LIBRARY_PAGE, label="Library", icon=":material/local_library:")
    st.stop()

try:
    library = shared.library()
    view = reading.open_view(library, doc_id, st.session_state.get("list_filters"))
except Exception as exc:
    shared.show_error(exc)
    st.page_link(shared.LIBRARY_PAGE, label="Back to the Library", icon=":material/local_library:")
    st.stop()

st.query_params["doc"] = doc_id  # a reload, or the link copied, opens this article
st.session_state["last_doc"] = doc_id
reading.opened(library, view)
opened = st.session_state.get("view_opened")
if opened is None or opened[0] != doc_id or "s" in st.query_params:
    start, pin = reading.start_at(view, st.query_params.get("s"))
    opened = st.session_state["view_opened"] = (doc_id, start, pin)
    st.query_params.pop("s", None)  # the hit's sentence is for opening; a reload opens where the reader is
_, start, pin = opened

newer, title, older = st.columns([1, 6, 1])
if view.newer:
    newer.page_link(shared.READ_PAGE, label="← Newer", query_params={"doc": view.newer})
if view.older:
    older.page_link(shared.READ_PAGE, label="Older →", query_params={"doc": view.older})
title.markdown(f"**{plain(view.row.title_en or view.row.title)}**")

try:
    page = reading.view_page(library, view, word_alignment=shared.word_alignment(), layout=shared.layout())
except Exception as exc:
    shared.show_error(exc)
    st.stop()
data = component.view_data(page, sentences=view.sentences, start=start, pin=pin)
article, side = st.columns([3, 1])
with article:
    result = shared.reading_view(f"view-{doc_id}", data, position=start)
saved = st.session_state.get(f"position-{doc_id}", view.reading.position)
st.session_state[f"position-{doc_id}"] = reading.keep_position(library, view, result.position, saved)
for event in (result.select, result.edit):  # a click or "e" on a sentence opens its panel
    if component.sentence_event(event, view.sentences) is not None:
        st.session_state[f"picked-{doc_id}"] = event
if result.cancel:  # Esc
    edit_panel.close(doc_id)
picked = st.session_state.get(f"picked-{doc_id}")
with side:
    if picked is None:
        st.caption("Click a sentence (or press e on it) to see its versions and edit it.")
    else:
        edit_panel.show(library, doc_id, view.document, picked)

translated = st.session_state.pop("translated", None)
if translated is not None and translated[0] == doc_id:
    shared.show_translated(translated[1])

star, unread, remove = st.columns(3)
starred = star.toggle("Starred", value=view.reading.starred, key=f"star-{doc_id}")
if starred != view.reading.starred:
    library.star(doc_id, starred)
if unread.button("Mark unread", key=f"unread-{doc_id}"):
    library.mark_read(doc_id, False)
    st.switch_page(shared.LIBRARY_PAGE)
with remove.popover("Remove"):
    st.write("Remove this article and its files from the library?")
    if st.button("Remove it", type="primary", key=f"remove-{doc_id}"):
        library.remove(doc_id)
        st.session_state.pop("last_doc", None)
        st.switch_page(shared.LIBRARY_PAGE)

note = reading.lookup_note()
if note:
    st.caption(plain(note))
downloads = reading.downloads(view.document)
for column, download in zip(st.columns(max(len(downloads), 1)), downloads, strict=False):
    if download.render is None:
        column.caption(f"{download.label} unavailable: {plain(download.error)}")
    else:
        column.download_button(
            f"Download {download.label}",
            download.render,
            file_name=download.file_name,
            mime=download.mime,
            on_click="ignore",
            key=f"download-{download.label}",
        )
