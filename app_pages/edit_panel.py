"""The Read page's side panel (``reader.app.edit_panel``): widgets and callbacks only.

Every action runs in a widget callback, before the page reruns, so the rerun opens the document
as saved. An error is kept for the rerun and shown in the panel, never as a traceback.
"""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from reader.app import arabic, keys
from reader.app import edit_panel as panels
from reader.app.messages import error_message, plain
from reader.document import How
from reader.library import Library, editing


def _translator():
    return shared.translator(shared.settings()).for_run()


def _run(action, *args) -> None:
    try:
        action(*args)
    except Exception as exc:  # the app's edge: shown in the panel
        st.session_state[keys.EDIT_PANEL_ERROR] = exc


def _box(doc_id: str, index: int) -> str:
    return keys.edit_box(doc_id, index)


def _reopen_at(doc_id: str, index: int) -> None:
    """The view reloads with the saved page: open it at the edited sentence."""
    st.session_state[keys.VIEW_OPENED] = (doc_id, index, False)


def _save(library: Library, doc_id: str, index: int, text: str, how: str) -> None:
    try:
        translator = _translator()
    except Exception:  # no model installed: the edit is kept without word links
        translator = None
    editing.save(library, doc_id, index, text, how, translator, shared.settings())
    st.session_state.pop(_box(doc_id, index), None)
    st.session_state.pop(keys.alternatives(doc_id, index), None)
    st.session_state.pop(keys.next_words(doc_id, index), None)
    _reopen_at(doc_id, index)


def _save_typed(library: Library, doc_id: str, index: int) -> None:
    """Save the box; what the model completed and the reader left as it was is a completion."""
    text = st.session_state.get(_box(doc_id, index), "")
    how = How.COMPLETION if text and text == st.session_state.pop(keys.completed(doc_id, index), None) else How.TYPED
    _save(library, doc_id, index, text, how)


def _revert(library: Library, doc_id: str, index: int) -> None:
    editing.revert(library, doc_id, index)
    st.session_state.pop(_box(doc_id, index), None)
    _reopen_at(doc_id, index)


def _alternatives(library: Library, doc_id: str, index: int) -> None:
    found = editing.alternatives(library, doc_id, index, _translator(), shared.settings(), panels.ALTERNATIVES + 1)
    pair = library.get(doc_id).sentences[index]
    st.session_state[keys.alternatives(doc_id, index)] = panels.other_versions(found, pair.translation, pair.shown)


def _continue(library: Library, doc_id: str, index: int) -> None:
    """Complete from what the box holds; offer the next words the model would write after it."""
    key = _box(doc_id, index)
    prefix = st.session_state.get(key, "")
    settings, translator = shared.settings(), _translator()
    completed = editing.complete(library, doc_id, index, prefix, translator, settings)
    found = editing.next_words(library, doc_id, index, prefix, translator, settings, panels.NEXT_WORDS)
    st.session_state[key] = completed.text
    st.session_state[keys.completed(doc_id, index)] = completed.text
    st.session_state[keys.next_words(doc_id, index)] = panels.next_word_choices(prefix, found)


def _take(doc_id: str, index: int, text: str) -> None:
    st.session_state[_box(doc_id, index)] = text


def _fix_glossary(library: Library, doc_id: str, index: int) -> None:
    fixed = editing.apply_glossary(library, doc_id, _translator(), shared.settings(), [index])
    if not any(f.text for f in fixed):
        st.session_state[keys.EDIT_PANEL_ERROR] = (
            "No translation with the glossary's rendering was found for this sentence."
        )
    _reopen_at(doc_id, index)


def close(doc_id: str) -> None:
    st.session_state.pop(keys.picked(doc_id), None)


def show(library: Library, doc_id: str, document, index: int) -> None:
    """The panel of sentence ``index`` of the open document."""
    panel = panels.panel(library, document, index)
    if panel is None:
        return
    error = st.session_state.pop(keys.EDIT_PANEL_ERROR, None)
    if error is not None:
        st.error(plain(error) if isinstance(error, str) else error_message(error))
    st.caption(plain(panel.details))
    st.html(arabic.block(panel.source))
    st.markdown("**Machine version**")
    st.text(panel.machine)
    if panel.edited:
        st.caption(plain(panel.about))
    args = (library, doc_id, index)
    box = _box(doc_id, index)
    if box not in st.session_state:
        st.session_state[box] = panel.shown
    st.text_area(
        f"{panels.EDIT_BOX} {index + 1}", key=box, height=120, help="Type your translation; Esc closes the panel."
    )
    # One under the other: side by side, "Continue from here" did not fit the panel's width at 1024 px.
    st.button("Save", type="primary", key=f"save-{box}", on_click=_run, args=(_save_typed, *args))
    st.button(
        "Continue from here",
        key=f"continue-{box}",
        on_click=_run,
        args=(_continue, *args),
        help="The model finishes the sentence from the words in the box.",
    )
    choices = st.session_state.get(keys.next_words(doc_id, index))
    completed = st.session_state.get(keys.completed(doc_id, index))
    if completed and st.session_state.get(box) == completed:
        st.caption("Save to keep the completion.")
    if choices:
        st.caption("Or the next word:")
        for n, (word, text) in enumerate(choices):
            st.button(plain(word), key=f"next-{box}-{n}", on_click=_take, args=(doc_id, index, text))
    if panel.edited:
        st.button("Revert to the machine version", key=f"revert-{box}", on_click=_run, args=(_revert, *args))
    st.button("Alternatives", key=f"alts-{box}", on_click=_run, args=(_alternatives, *args))
    others = st.session_state.get(keys.alternatives(doc_id, index))
    if others == []:
        st.caption("The model has no other version of this sentence.")
    for n, text in enumerate(others or []):
        st.markdown(f"{n + 1}\\. {plain(text)}")
        st.button(
            "Use this one",
            key=f"use-{box}-{n}",
            on_click=_run,
            args=(_save, library, doc_id, index, text, How.ALTERNATIVE),
        )
    if panel.terms:
        st.markdown("**Glossary**")
        for term in panel.terms:
            st.html(panels.term_html(term))
        if panel.glossary_missing:
            st.button("Fix with the glossary", key=f"fix-{box}", on_click=_run, args=(_fix_glossary, *args))
    if panel.technical:
        with st.expander("Details"):
            for line in panel.technical:
                st.caption(plain(line))
    st.button("Close", key=f"close-{box}", on_click=close, args=(doc_id,))
