"""The reading view's component: what the Streamlit layer registers, the data it is given, the events it relays.

The component (``static/reading_view.js``, a Streamlit custom component v2) is our own trusted
script with no document data in it: it puts the page ``reader.export.html.render_page`` renders
into a sandboxed ``srcdoc`` frame (scripts allowed, no same origin), so the article stays under
the page's strict CSP, and relays only validated sentence numbers the frame posts back:

- ``position`` (a state value): the sentence at the top of the view, as the reader scrolls;
- ``select`` and ``edit`` (trigger values): a sentence clicked, or ``e`` pressed on it;
- ``cancel`` (a trigger value, ``True``): ``Esc`` pressed in the frame or anywhere on the app's page,
  which closes the side panel (``reader.app.edit_panel``);
- and, for the frame itself, the page's height, which sizes the frame up to the window's.

The other way, ``start`` in the data is the sentence to open at (a saved position, a search hit),
sent into the frame once it has loaded; a changed ``start`` with the same page scrolls the frame
without reloading it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

NAME = "reader.reading_view"
HTML = '<div class="reading-view"></div>'
CSS = """
.reading-view iframe {
  display: block; width: 100%; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  height: max(420px, calc(100vh - 14rem)); background: #fff;
}
/* Until the page in the frame says how tall it is (then the script sets the frame's height). */
"""
STATE_EVENTS = ("position",)
TRIGGER_EVENTS = ("select", "edit", "cancel")


@lru_cache(maxsize=1)
def script() -> str:
    return (resources.files("reader.app") / "static" / "reading_view.js").read_text(encoding="utf-8")


def view_data(page: str, *, sentences: int, start: int | None = None, pin: bool = False) -> dict[str, object]:
    """The component's data: the page (shown in the frame only), how many sentences it has, where to open."""
    return {
        "html": page,
        "digest": hashlib.sha256(page.encode("utf-8")).hexdigest(),
        "sentences": int(sentences),
        "start": None if start is None else int(start),
        "pin": bool(pin),
    }


def sentence_event(value: object, sentences: int) -> int | None:
    """An event's sentence number, checked again on this side: an index into the document, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < sentences else None
