"""The Digest page: what is new, by watchlist and by story, with the digest to download in each format."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from reader.app import digest as page
from reader.app.messages import plain
from reader.library.digest import build, parse_since, render

st.title("Digest")
span = st.radio("New in the", list(page.SPANS), horizontal=True, key="digest_span")
try:
    library = shared.library()
    digest = build(library, parse_since(page.SPANS[span]))
except Exception as exc:
    shared.show_error(exc)
    st.stop()

st.caption(f"{digest.articles} new articles in {len(digest.stories)} stories")
app_url = shared.base_settings().app_url
for column, fmt in zip(st.columns(4), ("html", "md", "pdf", "epub"), strict=True):
    if column.button(f"Prepare {fmt.upper()}", key=f"digest-{fmt}"):
        try:
            data = render(digest, fmt, app_url=app_url)
            column.download_button(f"Download {fmt.upper()}", data, file_name=f"digest.{fmt}", key=f"dl-{fmt}")
        except Exception as exc:
            shared.show_error(exc)
for heading, title, id_ in page.digest_lines(digest):
    if heading:
        st.subheader(plain(heading))
    else:
        st.markdown(f"[{plain(title)}](/read?doc={id_})")
