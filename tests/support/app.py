"""Driving the Streamlit app in-process (Streamlit's AppTest): a session, a paste, the reading view's page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent.parent


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)


def srcdoc(at: AppTest) -> str:
    """The HTML of the reading view (the one iframe)."""
    (frame,) = at.get("iframe")
    return frame.proto.srcdoc


def translate_pasted(text: str) -> AppTest:
    """A new session that pastes ``text`` and presses Translate."""
    at = new_app().run()
    at.text_area(key="paste").input(text)
    at.button(key="translate").click().run()
    return at
