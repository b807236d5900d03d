"""The Library page: every translated article, newest first, filtered and searched in both languages."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from reader.app import keys, models
from reader.app import library as listing
from reader.app.messages import plain
from reader.errors import ReaderError
from reader.library import SearchPage

if "doc" in st.query_params:  # a deep link, /?doc=ID: that document
    st.switch_page(shared.READ_PAGE, query_params=st.query_params.to_dict())

try:
    library = shared.library()
    empty = library.page(limit=1).total == 0
except Exception as exc:
    shared.show_error(exc)
    st.stop()

st.html(listing.CSS)
st.title("Library")
if not shared.model_names():  # where the reader looks first, as on the Add page
    st.warning(models.no_model_help(shared.base_settings()))
if empty:
    st.info(listing.EMPTY_HELP)
    first, second, third = st.columns(3)
    first.page_link(shared.FEEDS_PAGE, label="Subscribe to a feed", icon=":material/rss_feed:")
    second.page_link(shared.ADD_PAGE, label="Paste an article", icon=":material/content_paste:")
    sample = {"kind": "sample"}
    third.page_link(shared.ADD_PAGE, label="Open a sample article", icon=":material/article:", query_params=sample)
    st.stop()

search = st.text_input("Search", key="lib_search", placeholder="A word in Arabic or English: الرئيس, breach…")
feeds = listing.feed_options(library)
left, middle, right = st.columns([2, 2, 3])
feed = left.selectbox("Source", list(feeds), format_func=feeds.__getitem__, key="lib_feed")
when = middle.date_input("Dates", value=(), key="lib_dates", format="YYYY-MM-DD")
with right:
    unread, starred, flagged = st.columns(3)
    only_unread = unread.toggle("Unread", key="lib_unread")
    only_starred = starred.toggle("Starred", key="lib_starred")
    only_flagged = flagged.toggle("Flagged", key="lib_flagged", help="With quality warnings")
since, until = listing.dates(when)
watched = listing.watch_options(library)
watchlist = (
    st.selectbox("Watchlist", list(watched), format_func=watched.__getitem__, key="lib_watch")
    if len(watched) > 1
    else ""
)
by_story = st.toggle("One row per story", key="lib_stories", help="Articles that report one story, grouped")
query = listing.Query(
    search, feed or None, only_unread, only_starred, only_flagged, since, until, watchlist or None, by_story
)
st.session_state[keys.LIST_FILTERS] = query.filters()  # the Read page's previous/next follow this list
if st.session_state.get(keys.LIBRARY_QUERY) != query:
    st.session_state[keys.LIBRARY_QUERY] = query
    st.session_state[keys.LIBRARY_PAGE] = 0
number = st.session_state.get(keys.LIBRARY_PAGE, 0)

try:
    found = listing.fetch(library, query, number)
except ReaderError as exc:
    st.warning(plain(str(exc)))
    st.stop()

st.caption(listing.counts(found, number, stories=by_story and not isinstance(found, SearchPage)))
results = found.results if isinstance(found, SearchPage) else [None] * len(found.rows)
rows = [r.row for r in found.results] if isinstance(found, SearchPage) else found.rows
for row, result in zip(rows, results, strict=True):
    with st.container(border=True):
        english, original = st.columns([3, 2])  # the English title first, the Arabic beside it
        english.page_link(shared.READ_PAGE, label=plain(listing.link_label(row)), query_params={"doc": row.id})
        original.html(listing.title_html(row))
        st.caption(plain(listing.row_meta(row, feeds)))
        for hit in result.hits if result else []:
            st.html(listing.hit_html(hit))
            target = {"doc": row.id} if hit.sentence is None else {"doc": row.id, "s": str(hit.sentence)}
            st.page_link(shared.READ_PAGE, label="Open at this sentence", query_params=target)
        if result and result.more:
            st.caption("More sentences of this article match.")
        if row.sources > 1:
            with st.expander(f"{row.sources} sources, the earliest first"):
                for member in library.story(row.id):
                    link, undo = st.columns([5, 1])
                    label = plain(f"{member.date} · {listing.link_label(member)}")
                    link.page_link(shared.READ_PAGE, label=label, query_params={"doc": member.id})
                    if member.id != row.id and undo.button("Not this story", key=f"split-{member.id}"):
                        library.split_story(member.id)
                        st.rerun()

total_pages = listing.pages(found.total)
if total_pages > 1:
    back, where, forward = st.columns([1, 2, 1])
    if back.button("← Newer", disabled=number == 0, key="lib_back"):
        st.session_state[keys.LIBRARY_PAGE] = number - 1
        st.rerun()
    where.caption(f"Page {number + 1} of {total_pages}")
    if forward.button("Older →", disabled=number + 1 >= total_pages, key="lib_forward"):
        st.session_state[keys.LIBRARY_PAGE] = number + 1
        st.rerun()
