"""The Read page: one article side by side, full width, opened where the reader left it."""

from __future__ import annotations

import streamlit as st

from app_pages import edit_panel, shared
from reader.app import component, keys
from reader.app import read as reading
from reader.app.messages import plain

doc_id = st.query_params.get("doc") or st.session_state.get(keys.LAST_DOC)
if not doc_id:
    st.info("Open an article from the Library, or add one.")
    st.page_link(shared.LIBRARY_PAGE, label="Library", icon=":material/local_library:")
    st.stop()

try:
    library = shared.library()
    view = reading.open_view(library, doc_id, st.session_state.get(keys.LIST_FILTERS))
except Exception as exc:
    shared.show_error(exc)
    st.page_link(shared.LIBRARY_PAGE, label="Back to the Library", icon=":material/local_library:")
    st.stop()

if view.document.meta.scope and shared.model_names():  # titles first: the rest is translated now it is opened
    bar = st.progress(0.0, text="Translating the rest of the article (its feed is checked titles first)…")
    try:
        chosen = shared.settings()
        view = reading.complete(library, view, shared.translator(chosen), chosen, bar.progress)
    except Exception as exc:
        shared.show_error(exc)
    bar.empty()

st.query_params["doc"] = doc_id  # a reload, or the link copied, opens this article
st.session_state[keys.LAST_DOC] = doc_id
reading.opened(library, view)
opened = st.session_state.get(keys.VIEW_OPENED)
if opened is None or opened[0] != doc_id or "s" in st.query_params:
    start, pin = reading.start_at(view, st.query_params.get("s"))
    opened = st.session_state[keys.VIEW_OPENED] = (doc_id, start, pin)
    st.query_params.pop("s", None)  # the hit's sentence is for opening; a reload opens where the reader is
_, start, pin = opened

# The title is the view's own header: shown once. The links and the side panel keep room for their labels at 1024 px.
newer, _, older = st.columns([2, 5, 2])
if view.newer:
    newer.page_link(shared.READ_PAGE, label="← Newer", query_params={"doc": view.newer})
if view.older:
    older.page_link(shared.READ_PAGE, label="Older →", query_params={"doc": view.older})

try:
    page = reading.view_page(library, view, word_alignment=shared.word_alignment(), layout=shared.layout())
except Exception as exc:
    shared.show_error(exc)
    st.stop()
data = component.view_data(page, sentences=view.sentences, start=start, pin=pin)
article, side = st.columns([5, 2])
with article:
    result = shared.reading_view(f"view-{doc_id}", data, position=start)
saved = st.session_state.get(keys.position(doc_id), view.reading.position)
st.session_state[keys.position(doc_id)] = reading.keep_position(library, view, result.position, saved)
for event in (result.select, result.edit):  # a click or "e" on a sentence opens its panel
    if component.sentence_event(event, view.sentences) is not None:
        st.session_state[keys.picked(doc_id)] = event
if result.cancel:  # Esc
    edit_panel.close(doc_id)
picked = st.session_state.get(keys.picked(doc_id))
with side:
    if picked is None:
        st.caption("Click a sentence (or press e on it) to see its versions and edit it.")
    else:
        edit_panel.show(library, doc_id, view.document, picked)

translated = st.session_state.pop(keys.TRANSLATED, None)
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
        st.session_state.pop(keys.LAST_DOC, None)
        st.switch_page(shared.LIBRARY_PAGE)

site_note = reading.boilerplate_note(view)
if site_note:
    st.caption(plain(site_note))
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
