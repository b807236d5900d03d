"""What every page shares: the settings the sidebar chose, the library, the one loaded model, the reading view.

Widgets and caching only; every decision is made in ``reader.app``. The broad ``except Exception``
clauses are the app's edge, where a traceback must never reach the page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from reader.app import component, keys, messages, models
from reader.app import read as reading
from reader.app.translating import Reading
from reader.config import Settings
from reader.library import Library
from reader.translate.shared import SharedTranslator

READ_PAGE = "app_pages/read.py"
LIBRARY_PAGE = "app_pages/library.py"
ADD_PAGE = "app_pages/add.py"
FEEDS_PAGE = "app_pages/feeds.py"
WATCH_PAGE = "app_pages/watch.py"
DIGEST_PAGE = "app_pages/digest.py"

_view = st.components.v2.component(component.NAME, html=component.HTML, css=component.CSS, js=component.script())


@st.cache_resource(show_spinner="Loading the model…", max_entries=2)
def _translator(model: str, backend: str, beam: int, cache_path: str) -> SharedTranslator:
    """Loaded once per process for each model, backend, beam and cache; shared by every session.

    At most two are kept, so switching between Best and Fast cannot fill the memory with model copies.
    """
    return models.open_shared_translator(Settings.load(model=model, backend=backend, beam=beam, cache_path=cache_path))


@st.cache_resource(show_spinner="Opening the library…")
def _library(root: str) -> Library:
    """One library per folder and process: opened (and brought up to date with its files) once."""
    return Library(Path(root)).open()


def watch_title() -> str:
    """The Watch page's name in the navigation, with the unread hits: "Watch (3)"."""
    from reader.app.watch import unread_total

    try:
        unread = unread_total(library())
    except Exception:
        return "Watch"  # the library's error is shown by the page itself
    return f"Watch ({unread})" if unread else "Watch"


def base_settings() -> Settings:
    return Settings.load()


def settings() -> Settings:
    """The settings with the sidebar's model and speed."""
    base = base_settings()
    speed = st.session_state.get(keys.SPEED, models.default_speed(base))
    return Settings.load(model=st.session_state.get(keys.MODEL) or None, beam=models.beam_for(speed, base))


def translator(chosen: Settings) -> SharedTranslator:
    return _translator(chosen.model, chosen.backend, chosen.beam, str(chosen.cache_path))


def library() -> Library:
    return _library(str(base_settings().library))


def model_names() -> list[str]:
    return models.model_choices(base_settings())


def sidebar() -> st.delta_generator.DeltaGenerator:
    """The settings every page shares; returns the slot for the cache figures (filled after the page ran)."""
    base = base_settings()
    choices = model_names()
    with st.sidebar:
        st.header("Settings")
        if choices:
            st.selectbox("Model", choices, key=keys.MODEL, format_func=models.shown_name)
        else:
            st.warning("No model installed: see the Add page.")
        st.radio(
            "Translation",
            models.SPEEDS,
            index=models.SPEEDS.index(models.default_speed(base)),
            format_func=lambda speed: models.speed_label(speed, base),
            key=keys.SPEED,
            help="Greedy decoding is several times faster on a CPU; beam search reads a little better.",
        )
        st.toggle("Word alignment highlighting", value=True, key=keys.WORD_ALIGNMENT)
        st.selectbox("Layout", reading.LAYOUTS, key=keys.LAYOUT, format_func=reading.LAYOUT_LABELS.get)
        return st.container()


def cache_figures(slot: st.delta_generator.DeltaGenerator) -> None:
    """The cache's figures under their heading, once the page has run (a page that stops shows neither)."""
    with slot:
        st.subheader("Sentence cache")
        try:
            for label, figure in messages.cache_figures(base_settings()):
                st.caption(f"{label}: **{figure}**")
        except Exception as exc:
            st.error(messages.error_message(exc))


def word_alignment() -> bool:
    return bool(st.session_state.get(keys.WORD_ALIGNMENT, True))


def layout() -> str:
    return str(st.session_state.get(keys.LAYOUT, reading.LAYOUTS[0]))


def _ignore() -> None:
    """The component's events are read from its result on the rerun they cause."""


def reading_view(key: str, data: dict[str, object], position: int = 0):
    """The sandboxed reading view (``reader.app.component``); its result has position, select, edit and cancel."""
    return _view(
        key=key,
        data=data,
        default={"position": position},
        on_position_change=_ignore,
        on_select_change=_ignore,
        on_edit_change=_ignore,
        on_cancel_change=_ignore,
    )


def show_error(exc: BaseException) -> None:
    st.error(messages.error_message(exc))


def show_translated(reading: Reading | None) -> None:
    """After a translation: what it cost, and the warnings about its input."""
    if reading is None:
        return
    for warning in reading.warnings:
        st.warning(messages.plain(warning))
    st.caption(reading.summary)
    with st.expander("Translation details"):
        st.caption(reading.details)
