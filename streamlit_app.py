"""The reader app: ``streamlit run streamlit_app.py``.

The frame of every page: the navigation (Library first; ``/?doc=ID`` opens a document) and the
sidebar's settings. Each page is a file in ``app_pages/``; every decision is made in ``reader.app``.
"""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from reader.app import arabic, keys

st.set_page_config(page_title="reader · Arabic → English", layout="wide")

# No page icons: Streamlit would make the current one the tab's icon, fetched from Google's servers.
page = st.navigation(
    [
        st.Page(shared.LIBRARY_PAGE, title="Library", default=True),
        st.Page(shared.READ_PAGE, title="Read", url_path="read"),
        st.Page(shared.ADD_PAGE, title="Add", url_path="add"),
        st.Page(shared.FEEDS_PAGE, title="Feeds", url_path="feeds"),
        st.Page(shared.WATCH_PAGE, title=shared.watch_title(), url_path="watch"),
        st.Page(shared.DIGEST_PAGE, title="Digest", url_path="digest"),
    ],
    position="top",
)
if page.url_path != "read":
    st.session_state.pop(keys.VIEW_OPENED, None)  # coming back to Read opens at the position saved meanwhile
st.html(arabic.css())  # Arabic outside the reading view: right to left, in its font
try:
    figures = shared.sidebar()
except Exception as exc:
    shared.show_error(exc)
    st.stop()
page.run()
shared.cache_figures(figures)
