"""The reading library: every translated document in one folder, searchable in both languages.

``Library(folder)`` (``store.py``) keeps the documents (``articles/<id>.json``, the interchange
format), a derived index (``index.py``: the list and FTS5 search, rebuilt from the files at any
time) and the reader's own data (``state.py``: read/unread, stars, reading positions, feed
subscriptions). ``search.py`` turns what the user types into a safe query and FTS5's matches into
marked words on both sides of a sentence pair; ``layout.py`` is the folder's shape, which is also
what ``reader batch --out`` writes. ``edits.py`` and ``glossary.py`` are post-editing's side: the
reader's versions of sentences, kept by sentence and shown in every document holding one, and the
glossary's terms (docs/post-editing.md). See docs/library.md.
"""

from reader.library.index import Filters, Row
from reader.library.layout import document_id, library_key
from reader.library.search import ALIGNED, MATCH, Hit, parse_query
from reader.library.state import Feed, LibraryWarning, Reading
from reader.library.store import Library, ListPage, RefreshReport, Result, SearchPage, open_library

__all__ = [
    "ALIGNED",
    "MATCH",
    "Feed",
    "Filters",
    "Hit",
    "Library",
    "LibraryWarning",
    "ListPage",
    "Reading",
    "RefreshReport",
    "Result",
    "Row",
    "SearchPage",
    "document_id",
    "library_key",
    "open_library",
    "parse_query",
]
