"""Driving the Streamlit app in-process (Streamlit's AppTest): a session, a page, a paste, the reading view's page."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent.parent
ADD, READ, LIBRARY, FEEDS = "app_pages/add.py", "app_pages/read.py", "app_pages/library.py", "app_pages/feeds.py"


def new_app(page: str | None = None) -> AppTest:
    """A new session; on ``page`` (one of the app_pages files) when given, else on the Library."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    if page is not None:
        at.switch_page(page)
    return at


def view_data(at: AppTest) -> dict:
    """The reading view component's data (the last one on the page)."""
    views = at.get("bidi_component")
    assert views, "no reading view on the page"
    return json.loads(views[-1].proto.json)


def srcdoc(at: AppTest) -> str:
    """The HTML of the reading view: the page its sandboxed frame shows."""
    return view_data(at)["html"]


def translate_pasted(text: str) -> AppTest:
    """A new session that pastes ``text`` on the Add page and presses Translate (it ends on the Read page).

    The app itself switches to the Read page; AppTest is told too, so that later runs stay there.
    """
    at = new_app(ADD).run()
    at.text_area(key="paste").input(text)
    at.button(key="translate").click().run()
    if "doc" in at.query_params:
        at.switch_page(READ)
    return at


def shown(markdown: str) -> str:
    """What CommonMark shows for ``markdown`` made by ``reader.app.messages.plain``: the escapes resolved."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
