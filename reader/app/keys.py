"""The app's Streamlit session-state keys, named once: what one page or callback leaves for another to read.

Widgets whose value is only read where they are drawn keep their key beside them; a key that a second
place reads or writes (another page, a callback, the app's frame) is a constant or a function here, so a
rename cannot leave one side behind. The values are the strings the AppTest tests address.
"""

from __future__ import annotations

# The sidebar's settings (app_pages/shared.py), read by every page.
MODEL = "model"
SPEED = "speed"
WORD_ALIGNMENT = "word_alignment"
LAYOUT = "layout"

# Between pages.
LAST_DOC = "last_doc"
"""The document the Read page showed last (the Read tab without ?doc= opens it)."""
VIEW_OPENED = "view_opened"
"""(document id, sentence, pinned): where the Read page opened its view; cleared on leaving it (streamlit_app.py)."""
LIST_FILTERS = "list_filters"
"""The Library's filters, which the Read page's previous/next follow."""
TRANSLATED = "translated"
"""(document id, Reading): the Add page's translation, summed up once on the Read page."""

# The Library page.
LIBRARY_QUERY = "lib_query"
LIBRARY_PAGE = "lib_page"

# The Add page.
INPUT_KIND = "kind"
ARTICLE_URL = "url"
URL_GIVEN = "url_given"
"""The URL the Feeds page handed over (?url=), put in the box once."""

# The Feeds page.
NOT_A_FEED = "feed_not_a_feed"
SUBSCRIBED = "feed_subscribed"

# The Read page's side panel.
EDIT_PANEL_ERROR = "edit_panel_error"


def picked(doc_id: str) -> str:
    """The sentence whose side panel is open."""
    return f"picked-{doc_id}"


def position(doc_id: str) -> str:
    """The reading position last saved from this session."""
    return f"position-{doc_id}"


def edit_box(doc_id: str, index: int) -> str:
    """The panel's edit box (its buttons' keys are made from it)."""
    return f"edit-text-{doc_id}-{index}"


def alternatives(doc_id: str, index: int) -> str:
    return f"alternatives-{doc_id}-{index}"


def next_words(doc_id: str, index: int) -> str:
    return f"next-{doc_id}-{index}"


def completed(doc_id: str, index: int) -> str:
    """The model's completion, to tell a kept completion from a typed version."""
    return f"completed-{doc_id}-{index}"
