"""The Watch page: watchlists (add, remove), each with its articles, unread count and latest hits."""

from __future__ import annotations

import hashlib

import streamlit as st

from app_pages import shared
from reader.app import watch as page
from reader.app.messages import plain

try:
    library = shared.library()
    rows = page.watch_rows(library)
except Exception as exc:
    shared.show_error(exc)
    st.stop()

st.title("Watch")
st.caption(
    "Articles that mention these terms are marked as they arrive, by feed checks and everything else that adds "
    "to the library. Arabic terms are found with و ف ب ل ك ال attached; ARABIC=ENGLISH matches either side."
)
with st.form("watch", clear_on_submit=True, border=True):
    name = st.text_input("Name", key="watch_name")
    terms = st.text_area("Terms, one a line or separated by commas", key="watch_terms", placeholder="السيسي=Sisi")
    scan = st.checkbox("Also look through the articles already in the library", value=True, key="watch_scan")
    if st.form_submit_button("Watch"):
        try:
            watchlist = library.watch(name, page.parse_terms(terms))
            found = library.rewatch() if scan else 0
            if scan and shared.model_names():  # titles-first articles it hits are translated whole, as a check does
                chosen = shared.settings()
                library.complete_watched(lambda: shared.translator(chosen).for_run(), chosen)
            st.success(plain(f"Watching {watchlist.name}: {found} article(s) in the library match."))
            rows = page.watch_rows(library)
        except Exception as exc:
            shared.show_error(exc)

if not rows:
    st.info("No watchlists yet: name one and give it the people, places or topics to watch for.")
    st.stop()

for row in rows:
    key = hashlib.sha256(row.name.encode("utf-8")).hexdigest()[:12]
    with st.container(border=True):
        about, actions = st.columns([5, 1])
        about.markdown(f"**{plain(row.name)}** · {row.articles} articles, {row.unread} unread")
        about.caption(plain(row.terms + (f" · feeds: {row.feeds}" if row.feeds else "")))
        if actions.button("Remove", key=f"unwatch-{key}"):
            library.unwatch(row.name)
            st.rerun()
        for document, matched in row.latest:
            mark = "● " if document.unread else ""
            title = plain(document.title_en or document.title)
            about.markdown(f"{mark}[{title}](/read?doc={document.id}) · {plain(document.date)} · {plain(matched)}")
