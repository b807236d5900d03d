"""Arabic outside the reading view (the side panel, the Library's titles and hits, feed names): right to left,
right-aligned, in the reading view's Arabic font; text mixing scripts takes its direction from its first letter.

Streamlit's own text elements (``st.text``, captions, Markdown) are left to right, which put an Arabic
sentence's final "." on the wrong side; Arabic goes through ``block``/``inline`` here instead, always escaped.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from reader.chars import has_arabic_letters

FONT_STACK = '"Reader Naskh", "Noto Naskh Arabic", "Noto Sans Arabic", serif'
CLASS = "reader-ar"


@lru_cache(maxsize=1)
def css() -> str:
    """The page's style for Arabic text, with the font embedded (once per page)."""
    from reader.export.html import arabic_font_face

    rules = (
        f".{CLASS} {{ font-family: {FONT_STACK}; font-size: 1.15rem; line-height: 1.8; unicode-bidi: isolate; }}\n"
        f'.{CLASS}[dir="rtl"] {{ direction: rtl; text-align: right; }}\n'
        f'.{CLASS}[dir="auto"] {{ text-align: start; }}\n'
        "textarea { unicode-bidi: plaintext; text-align: start; }\n"
    )
    return f"<style>{arabic_font_face()}{rules}</style>"


def direction(text: str) -> str:
    """'rtl' for Arabic text, 'auto' for text mixing Arabic and Latin letters, 'ltr' for none."""
    if not has_arabic_letters(text):
        return "ltr"
    return "auto" if any("a" <= ch.lower() <= "z" for ch in text) else "rtl"


def block(text: str, tag: str = "div") -> str:
    """``text`` escaped in an element with its direction, right-aligned and in the Arabic font when it is Arabic."""
    way = direction(text)
    if way == "ltr":
        return f"<{tag}>{escape(text)}</{tag}>"
    return f'<{tag} class="{CLASS}" dir="{way}" lang="ar">{escape(text)}</{tag}>'


def inline(text: str) -> str:
    """``text`` escaped as an isolated span (inside a line of English)."""
    return block(text, "span")
