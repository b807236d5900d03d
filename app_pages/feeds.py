"""The Feeds page: subscribe and unsubscribe, check now with a progress bar, and each feed's status."""

from __future__ import annotations

import hashlib

import streamlit as st

from app_pages import shared
from reader.app import arabic, feeds, keys
from reader.app.messages import plain

try:
    library = shared.library()
    rows = feeds.feed_rows(library)
except Exception as exc:
    shared.show_error(exc)
    st.stop()

st.title("Feeds")
with st.form("subscribe", clear_on_submit=True, border=True):
    url = st.text_input("Feed URL", placeholder="https://example.com/feed.xml", key="feed_url")
    name = st.text_input("Name (optional)", key="feed_title")
    auto = st.checkbox("Translate new articles when feeds are checked", value=True, key="feed_auto")
    if st.form_submit_button("Subscribe"):
        st.session_state.pop(keys.NOT_A_FEED, None)
        try:
            done = feeds.subscribe(library, shared.settings(), url, title=name, auto=auto)
            if done.page is not None:
                st.session_state[keys.NOT_A_FEED] = (done.page, name, auto)
            else:
                st.session_state[keys.SUBSCRIBED] = done.feed
                rows = feeds.feed_rows(library)
        except Exception as exc:
            shared.show_error(exc)


def subscribe_found(url: str, name: str, auto: bool) -> None:
    """A feed the page named, subscribed (a button's callback: the page then reruns with it listed)."""
    st.session_state.pop(keys.NOT_A_FEED, None)
    try:
        done = feeds.subscribe(library, shared.settings(), url, title=name, auto=auto)
    except Exception as exc:
        shared.show_error(exc)
        return
    st.session_state[keys.SUBSCRIBED] = done.feed


if keys.NOT_A_FEED in st.session_state:
    probe, name, auto = st.session_state[keys.NOT_A_FEED]
    st.warning(plain(feeds.not_a_feed(probe)))
    for number, found in enumerate(probe.feeds):
        label = plain(f"Subscribe to {found}")
        st.button(label, key=f"found-{number}", on_click=subscribe_found, args=(found, name, auto))
    as_article = {"kind": "url", "url": probe.url}
    st.page_link(shared.ADD_PAGE, label="Add it as an article", icon=":material/article:", query_params=as_article)
if keys.SUBSCRIBED in st.session_state:
    subscribed = st.session_state.pop(keys.SUBSCRIBED)
    st.success(plain(f"Subscribed to {subscribed}. Press Check now to translate its articles."))

has_model = bool(shared.model_names())


def check(urls: list[str] | None) -> None:
    bar = st.progress(0.0, text="Fetching the feeds…")
    try:
        chosen = shared.settings()
        result = feeds.check_now(library, chosen, shared.translator(chosen), bar.progress, urls=urls)
    except Exception as exc:
        shared.show_error(exc)
        return
    kind, text = feeds.check_message(result)
    getattr(st, kind)(plain(text))


if not rows:
    st.info("No feeds yet: subscribe to an RSS or Atom feed above.")
    st.stop()
if st.button("Check now", type="primary", disabled=not has_model, key="check_all", help="Feeds with auto-translate on"):
    check(None)
    rows = feeds.feed_rows(library)

for row in rows:
    key = hashlib.sha256(row.url.encode("utf-8")).hexdigest()[:12]
    with st.container(border=True):
        about, actions = st.columns([4, 2])
        about.html(arabic.block(row.name, "strong"))
        about.caption(plain(f"{row.url} · {row.articles} articles, {row.unread} unread · {row.status}"))
        if row.error:
            about.error(plain(row.error))
        auto = actions.toggle("Auto-translate", value=row.auto_translate, key=f"auto-{key}")
        if auto != row.auto_translate:
            library.update_feed(row.url, auto_translate=auto)
        lead = actions.toggle(
            "Titles first",
            value=row.titles_first,
            key=f"lead-{key}",
            help="Translate each new article's title and first paragraph; the rest when opened or a watchlist hits",
        )
        if lead != row.titles_first:
            leads = library.set_titles_first(row.url, lead)
            if leads and not lead:
                about.info(f"{leads} titles-first articles are translated whole on the next check.")
        one, gone = actions.columns(2)
        if one.button("Check", key=f"check-{key}", disabled=not has_model):
            check([row.url])
            st.rerun()
        if gone.button("Remove", key=f"remove-{key}", help="Unsubscribe; its articles stay in the library"):
            library.unsubscribe(row.url)
            st.rerun()
