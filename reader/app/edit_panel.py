"""The Read page's side panel: one sentence's versions, the model's help, and the glossary, without Streamlit.

Clicking a sentence (or ``e`` on it) opens the panel; ``Esc`` closes it. It shows the machine
version, the reader's version when there is one (how, who, when), the alternatives, an edit box
with "continue from here" and the next words the model would write, the glossary terms that
apply, and save / revert. Every action goes through ``reader.library.editing`` (the CLI's path too), so an
edit saved here is the library's: shown in every article holding the sentence, in every export.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from reader.app import arabic
from reader.app.read import sentence_details, technical_details
from reader.document import Document, Edit, How
from reader.library import Library
from reader.library.editing import terms_of
from reader.postedit.glossary import has_rendering
from reader.translate.base import Translation

HOW_SAID = {
    How.TYPED: "typed",
    How.ALTERNATIVE: "a chosen alternative",
    How.COMPLETION: "completed from your first words",
    How.GLOSSARY: "the glossary fix",
}
ALTERNATIVES = 5
NEXT_WORDS = 5
EDIT_BOX = "Your version of sentence"
"""The edit box's label, then the sentence's number from 1: ``e`` in the view focuses it (static/reading_view.js)."""


@dataclass(frozen=True)
class Term:
    arabic: str
    english: str
    present: bool
    """Whether what is shown says the rendering."""


@dataclass(frozen=True)
class Panel:
    index: int
    details: str
    """"Sentence 4 of 36 · …" (``reader.app.read.sentence_details``)."""
    technical: tuple[str, ...]
    """The model, its fingerprint and the sentence's score, for a details area."""
    source: str
    machine: str
    shown: str
    edit: Edit | None
    terms: tuple[Term, ...]
    glossary_missing: bool
    """A term's rendering is missing: the "Fix with the glossary" action applies."""

    @property
    def edited(self) -> bool:
        return self.edit is not None

    @property
    def about(self) -> str:
        """How the reader's version was made, by whom and when, in words; empty for the machine version."""
        if self.edit is None:
            return ""
        parts = [f"Your version: {HOW_SAID.get(self.edit.how, str(self.edit.how))}"]
        if self.edit.by:
            parts.append(f"by {self.edit.by}")
        if self.edit.at:
            parts.append(self.edit.at.replace("T", " ").replace("Z", " UTC"))
        return ", ".join(parts)


def term_html(term: Term) -> str:
    """A glossary term's line: the Arabic right to left in its font, escaped; whether the version says it."""
    mark = "✓" if term.present else "missing"
    return f"<small>{arabic.inline(term.arabic)} → {escape(term.english)} ({mark})</small>"


def panel(library: Library, document: Document, index: int) -> Panel | None:
    """The panel of sentence ``index``; None when there is no such sentence."""
    sentences = document.sentences
    if not 0 <= index < len(sentences):
        return None
    pair = sentences[index]
    terms = tuple(
        Term(term.arabic, term.english, has_rendering(pair.shown, term.english))
        for term in terms_of(library, document, pair)
    )
    return Panel(
        index,
        sentence_details(document, index),
        tuple(technical_details(document, index)),
        pair.source,
        pair.translation,
        pair.shown,
        pair.edit,
        terms,
        bool(pair.glossary),
    )


def other_versions(found: list[Translation], machine: str, shown: str) -> list[str]:
    """The alternatives worth offering, best first: never the machine version or what is shown again."""
    return list(dict.fromkeys(t.text for t in found if t.text.strip() and t.text not in (machine, shown)))


def next_word_choices(prefix: str, found: list[Translation]) -> list[tuple[str, str]]:
    """(the next word, the completion it starts) for each of the model's next-word completions of ``prefix``."""
    typed = len(prefix.split())
    choices = []
    for translation in found:
        words = translation.text.split()
        if len(words) > typed:
            choices.append((words[typed], translation.text))
    return choices
