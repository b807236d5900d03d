"""The reading library: one folder of translated documents, their index, and the reader's own data.

``Library(root)`` is the one way in, for the app, the CLI and batch alike. It keeps three rules:

1. **A document is its file.** ``articles/<id>.json`` is written first (atomically: a temporary
   file renamed), then indexed in one transaction. The index is derived: ``refresh`` (run when the
   library opens) indexes every file it lacks or that changed, drops rows whose file is gone, and
   skips with a warning a file that is not a reader document. So after a kill at any moment every
   indexed document has its file, and every file is indexed after the next open.
2. **A removal is recorded before anything goes.** The id is marked removed in the reader's data,
   its index rows are deleted, then its files; a removal cut short is finished on the next open,
   and feed checks never bring a removed document back.
3. **The reader's data is never derived.** Read/unread, stars, positions and feeds live in
   ``library.sqlite3``, which no rebuild touches; the index (``library-index.sqlite3``) may be
   deleted at any time and is rebuilt by itself.

Several processes may share one library (the app and a ``reader feeds check --watch``): every
write is a short SQLite transaction (WAL, retried while locked) or an atomic rename.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.document import DATE_FIRST_SEEN, SCOPE_LEAD, Document, Edit, SentencePair
from reader.errors import InputError, LibraryError, describe
from reader.export import write_atomic
from reader.library import boilerplate
from reader.library.alerts import MAX_ATTEMPTS, alert, alert_rows, deliver, deliver_later
from reader.library.edits import Record, checked_text, edit_key, fitted
from reader.library.edits import apply as apply_edits
from reader.library.edits import without as drop_edits
from reader.library.glossary import Entry, term_key
from reader.library.glossary import applying as glossary_applying
from reader.library.index import EVERYTHING, RELEVANCE, SORTS, Filters, Index, Match, Row
from reader.library.layout import (
    ARTICLES_DIR,
    INDEX_NAME,
    STATE_NAME,
    FileStamp,
    document_file,
    document_id,
    files_of,
    scan,
    stamp,
)
from reader.library.search import Hit, mark_hit, parse_query
from reader.library.state import Feed, LibraryWarning, Reading, StateStore
from reader.library.watch import MAX_TERMS as MAX_WATCH_TERMS
from reader.library.watch import Matcher, WatchHit, Watchlist, check_name, parse_term, watchlists_from_rows
from reader.postedit.glossary import Term, check
from reader.sqlite import Closing

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.ingest import Article
    from reader.translate.base import Translator

T = TypeVar("T")

REFRESH_BATCH = 50
"""Files indexed per progress step during a refresh (each document is still its own transaction)."""
SETTLED_NS = 2_000_000_000
"""A folder time this old is trusted to change with the next change (file times tick coarsely, in milliseconds)."""


@dataclass(frozen=True)
class ListPage:
    rows: list[Row]
    total: int
    """Documents the filters select, over all pages."""


@dataclass(frozen=True)
class Result:
    """One document that matches a search, with its first matching sentence pairs."""

    row: Row
    hits: list[Hit]
    more: bool
    """More sentences of it match than ``hits`` shows."""


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: list[Result]
    total: int
    """Documents that match (with the filters), over all pages."""


@dataclass
class RefreshReport:
    indexed: int = 0
    dropped: int = 0
    """Index rows whose file was gone."""
    skipped: list[str] = field(default_factory=list)
    """Files that are not reader documents (each also warned about once)."""


class Library(Closing):
    """One library folder (see the module docstring); nothing touches the disk until the first call."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser()
        self.state = StateStore(self.root / STATE_NAME)
        self.index = Index(self.root / INDEX_NAME, self.state.path)
        self._ready = False
        self._replacements = 0
        self._matcher: Matcher | None = None
        self._matcher_rows: list[tuple[str, str, str, str, str]] = []

    @classmethod
    def for_settings(cls, settings: Settings) -> Library:
        return cls(settings.library)

    def close(self) -> None:
        self.index.close()
        self.state.close()

    def open(self) -> Library:
        """Create or check the folder and both databases, and bring the index up to date with the files.

        An index found damaged in use was replaced by an empty one: the next call fills it again.
        """
        if self._ready and self.index.db.replacements != self._replacements:
            self._replacements = self.index.db.replacements
            self.refresh()
        if not self._ready:
            try:
                (self.root / ARTICLES_DIR).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LibraryError(
                    f"cannot create the library folder {self.root}: {exc.strerror or exc}; "
                    "set READER_LIBRARY (or --library) to another folder"
                ) from None
            self.state.prepare()
            self._ready = True
            self.refresh()
        return self

    # ---- documents ---------------------------------------------------------------------------

    def add(self, document: Document, key: str) -> str:
        """Keep ``document`` (translated from the article at ``key``, a path or URL) and return its id.

        The same key always gives the same id and file: adding an article again replaces it, and the
        reader's data for it (read, starred, position) is kept.
        """
        self.open()
        id_ = document_id(key)
        self.state.unremove(id_)
        self._keep(id_, self.shown(document))
        return id_

    def _keep(self, id_: str, document: Document) -> None:
        file = document_file(id_)
        from reader.export import json_format

        write_atomic(self.root / file, json_format.render(document))
        self.index.put(id_, document, stamp(self.root, file))
        self._watch(id_, document)

    def indexed(self, id_: str, document: Document) -> None:
        """Index a document whose file batch has just written (``articles/<id>.json``)."""
        self.open()
        self.index.put(id_, document, stamp(self.root, document_file(id_)))
        self._watch(id_, document)

    def iter_complete(self, id_: str, translator: Translator, settings: Settings) -> Iterator[Document]:
        """A titles-first document (``meta.scope``) translated whole as it fills in (each step as shown),
        then kept (file, index, watchlists); a whole document is yielded as it is, once."""
        from reader.api import iter_rest

        document = self.get(id_)
        if not document.meta.scope:
            yield self.shown(document)
            return
        for step in iter_rest(document, translator, settings):
            document = self.shown(step.document)
            yield document
        self._keep(id_, document)

    def complete(self, id_: str, translator: Translator, settings: Settings) -> Document:
        """``iter_complete`` to its end: the whole document, kept."""
        *_, document = self.iter_complete(id_, translator, settings)
        return document

    def leads(self, feeds: Collection[str] | None = None) -> list[str]:
        """The titles-first documents still partial (``meta.scope``), of these feeds (None: of any), oldest first."""
        pending = self._whole(self.index.pending)
        return [id_ for id_, feed in pending if (feeds is None or feed in feeds) and self._scope(id_) == SCOPE_LEAD]

    def watched_leads(self) -> list[str]:
        """The titles-first documents a watchlist hit that are still partial: a hit translates them whole, as
        a feed check does (``reader watch add --scan`` and the Watch page after ``rewatch``)."""
        return [id_ for id_ in self.leads() if self.state.hits(id_)]

    def complete_watched(self, translator: Callable[[], Translator], settings: Settings) -> int:
        """Translate whole the titles-first documents a watchlist hit (``watched_leads``), as a feed check does
        after a hit; how many. ``translator()`` opens the model, only when there is one to translate."""
        ids = self.watched_leads()
        if ids:
            opened = translator()
            for id_ in ids:
                self.complete(id_, opened, settings)
        return len(ids)

    def set_titles_first(self, url: str, titles_first: bool) -> int:
        """Switch a feed to titles first or back to full translation; how many of its articles are still
        titles first: once it is back to full, the next check of the feed translates them whole (the lead
        from the sentence cache), as it does the feed's new entries."""
        url = url.strip()
        self.update_feed(url, titles_first=titles_first)
        return len(self.leads({url}))

    def _scope(self, id_: str) -> str:
        try:
            return self.get(id_).meta.scope
        except LibraryError:  # removed meanwhile
            return ""

    def get(self, id_: str) -> Document:
        """The document, read from its file; LibraryError when it is not in the library (any more)."""
        self.open()
        file = self.index.file(id_)
        if file is None:
            raise LibraryError(f"no document {id_!r} in the library at {self.root}")
        try:
            return Document.from_json((self.root / file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.index.delete([id_])
            raise LibraryError(f"the document {id_!r} is no longer in the library (its file was removed)") from None
        except (OSError, UnicodeDecodeError, InputError) as exc:
            raise LibraryError(f"the document {id_!r} cannot be read ({self.root / file}): {describe(exc)}") from None

    def row(self, id_: str) -> Row:
        self.open()
        row = self.index.row(id_)
        if row is None:
            raise LibraryError(f"no document {id_!r} in the library at {self.root}")
        return row

    def file_stamp(self, id_: str) -> FileStamp | None:
        """The document file's current stamp (for caching what is rendered from it), None when it has none."""
        file = self.index.file(id_)
        if file is None:
            return None
        try:
            return stamp(self.root, file)
        except FileNotFoundError:
            return None

    def remove(self, id_: str) -> None:
        """Remove a document: its index rows and its files (JSON and every export), and its reading state."""
        self.open()
        if self.index.file(id_) is None and not files_of(self.root, id_):
            raise LibraryError(f"no document {id_!r} in the library at {self.root}")
        self.state.mark_removed([id_])
        self._finish_removals([id_])

    def removed(self) -> set[str]:
        """Ids the reader removed: batch and feed checks skip them."""
        self.open()
        return self.state.removed_ids()

    def _finish_removals(self, ids: Sequence[str]) -> None:
        self.index.delete(ids)
        for id_ in ids:
            for path in files_of(self.root, id_):
                path.unlink(missing_ok=True)
        self.state.forget(ids)
        self.state.removal_done(ids)

    # ---- the reader's edits (reader.library.edits) --------------------------------------------

    def shown(self, document: Document) -> Document:
        """``document`` as the library keeps it: the reader's edits of its sentences shown, and the glossary
        flags of what it then shows (the terms global and of its feed). Every document kept here gets it."""
        self.open()
        found = self.state.edits({edit_key(s.source) for s in document.sentences})
        edited = apply_edits(document, {key: edit for key, (_, edit) in found.items()})
        return _glossary_checked(edited, self.terms(edited.meta.feed))

    def save_edit(self, id_: str, index: int, edit: Edit) -> Document:
        """Keep ``edit`` as the reader's version of sentence ``index`` of ``id_``, and show it wherever that
        sentence is in the library; the document as it is now. An empty edit is a revert."""
        document = self.get(id_)
        pair = sentence_at(document, index)
        text = checked_text(edit.text)
        if not text:
            return self.revert_edit(id_, index)
        edit = fitted(replace(edit, text=text), pair)
        key = edit_key(pair.source)
        self.state.put_edits([(key, " ".join(pair.source.split()), edit)])
        self._spread([key], first=id_)
        return self.get(id_)

    def revert_edit(self, id_: str, index: int) -> Document:
        """Show the machine version of sentence ``index`` of ``id_`` again, here and wherever the sentence is."""
        document = self.get(id_)
        key = edit_key(sentence_at(document, index).source)
        self.state.drop_edits([key])
        self._spread([key], first=id_)
        return self.get(id_)

    def edits(self) -> list[Record]:
        """Every edit the reader made, oldest first."""
        self.open()
        return [Record(source, edit) for source, edit in self.state.edits().values() if edit.text]

    def import_edits(self, records: Sequence[Record], *, replace_existing: bool = False) -> tuple[int, list[str]]:
        """Merge edits (``reader edits import``): (how many were taken, one message per conflict).

        A sentence edited here already, differently, is a conflict: the library's version is kept,
        unless ``replace_existing``.
        """
        self.open()
        wanted = {edit_key(r.source): r for r in records}
        here = self.state.edits(wanted)
        conflicts = []
        taken = []
        for key, record in wanted.items():
            mine = here.get(key)
            if mine is not None and mine[1].text == record.edit.text:
                continue
            if mine is not None and mine[1].text and not replace_existing:
                conflicts.append(
                    f"conflict: {_short(record.source)!r} is edited here as {_short(mine[1].text)!r}; "
                    f"kept (the file says {_short(record.edit.text)!r})"
                )
                continue
            taken.append((key, record.source, record.edit))
        self.state.put_edits(taken)
        self._spread([key for key, _, _ in taken])
        return len(taken), conflicts

    def forget_edits(self, document: Document) -> int:
        """Drop the reader's edits of ``document``'s sentences (``--discard-edits``): how many there were."""
        self.open()
        keys = {edit_key(s.source) for s in document.sentences}
        dropped = self.state.drop_edits(keys)
        if dropped:
            self._spread(keys)
        return dropped

    def _spread(self, keys: Iterable[str], first: str | None = None) -> None:
        """Bring every library document holding one of these sentences in step with the edits table.

        The keys were marked unspread with the change itself; they are cleared once every document is
        rewritten, and a spread cut short by a kill is finished when the library next opens.
        """
        keys = set(keys)
        if not keys:
            return
        stored = self.state.edits(keys)
        sources = {key: source for key, (source, _) in stored.items()}
        ids: dict[str, None] = dict.fromkeys([first] if first else [])
        for key in keys:
            for id_ in self.index.holding(sources.get(key, key)):
                ids.setdefault(id_)
        edits = {key for key, (_, edit) in stored.items() if edit.text}
        for id_ in ids:
            try:
                document = self.get(id_)
            except LibraryError:
                continue  # removed meanwhile
            updated = self.shown(drop_edits(document, keys - set(edits)))
            if updated != document:
                self._keep(id_, updated)
        self.state.spread(keys)

    # ---- the glossary (reader.library.glossary) ------------------------------------------------

    def glossary(self) -> list[Entry]:
        self.open()
        return [Entry(Term(arabic, english), feed) for arabic, english, feed in self.state.glossary()]

    def terms(self, feed: str = "") -> list[Term]:
        """The terms that apply to an article of ``feed`` (the global ones and its feed's)."""
        self.open()
        rows = self.state.glossary(feed)
        return glossary_applying([Entry(Term(arabic, english), f) for arabic, english, f in rows], feed)

    def add_terms(self, entries: Sequence[Entry]) -> int:
        """Keep these terms (a term already there gets the new rendering); the documents whose flags changed."""
        self.open()
        self.state.put_terms([(term_key(e.term.arabic), e.feed, e.term.arabic, e.term.english) for e in entries])
        return self._recheck_glossary()

    def remove_term(self, arabic: str, feed: str = "") -> int:
        self.open()
        if not self.state.drop_term(term_key(arabic), feed.strip()):
            where = f" for the feed {feed}" if feed.strip() else ""
            raise LibraryError(f"no glossary term {' '.join(arabic.split())!r}{where}")
        return self._recheck_glossary()

    def _recheck_glossary(self) -> int:
        """Set the glossary flags of every document again: one pass over the files, writing only what changed.

        The change that asked for it marked the flags unchecked; a pass cut short is done again on the next open.
        """
        changed = 0
        for row in self.index.page(EVERYTHING, offset=0, limit=1 << 40)[0]:
            try:
                document = self.get(row.id)
            except LibraryError:
                continue
            checked = _glossary_checked(document, self.terms(document.meta.feed))
            if checked != document:
                self._keep(row.id, checked)
                changed += 1
        self.state.glossary_checked()
        return changed

    # ---- watchlists (reader.library.watch, reader.library.alerts) -----------------------------

    def watchlists(self) -> list[Watchlist]:
        self.open()
        return watchlists_from_rows(self.state.watchlists())

    def watch(
        self, name: str, terms: Sequence[str], *, feeds: Sequence[str] = (), webhook: str = "", email: str = ""
    ) -> Watchlist:
        """Keep a watchlist (replacing one of the same name); documents are matched against it as they enter."""
        self.open()
        watchlist = Watchlist(
            check_name(name),
            tuple(dict.fromkeys(parse_term(t) for t in terms)),
            tuple(dict.fromkeys(f.strip() for f in feeds if f.strip())),
            webhook.strip(),
            email.strip(),
        )
        if not watchlist.terms or len(watchlist.terms) > MAX_WATCH_TERMS:
            raise LibraryError(f"a watchlist needs 1 to {MAX_WATCH_TERMS} terms")
        if watchlist.webhook and not watchlist.webhook.lower().startswith(("http://", "https://")):
            raise LibraryError(f"not a webhook URL: {watchlist.webhook!r} (it must start with http:// or https://)")
        if watchlist.email and ("@" not in watchlist.email or any(c.isspace() for c in watchlist.email)):
            raise LibraryError(f"not an e-mail address: {watchlist.email!r}")
        self.state.put_watchlist(
            watchlist.name,
            json.dumps([str(t) for t in watchlist.terms], ensure_ascii=False),
            json.dumps(watchlist.feeds),
            watchlist.webhook,
            watchlist.email,
        )
        return watchlist

    def unwatch(self, name: str) -> None:
        """Drop a watchlist, its hits and its undelivered alerts."""
        self.open()
        self.state.remove_watchlist(" ".join(name.split()))

    def rewatch(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Match every document in the library again (after a watchlist is added): how many have hits."""
        rows = self.page(EVERYTHING, limit=1 << 40).rows
        matched = 0
        for done, row in enumerate(rows, start=1):
            try:
                matched += bool(self._watch(row.id, self.get(row.id), alerts=False))
            except LibraryError:
                continue
            if progress is not None:
                progress(done, len(rows))
        return matched

    def watch_hits(self, id_: str) -> list[WatchHit]:
        """The document's watch hits, to mark them when it is opened."""
        self.open()
        return [WatchHit.from_row(r) for r in self.state.hits(id_)]

    def watch_ids(self, name: str, limit: int = 50) -> list[str]:
        """The documents with a hit of the watchlist, the latest hit first (its feed, ``reader.publish``)."""
        self.open()
        return self.state.watched_ids(name, limit)

    def watch_counts(self) -> dict[str, tuple[int, int]]:
        """Per watchlist: (documents with a hit, of them unread)."""
        self.open()
        return self.state.watch_counts()

    def deliver_alerts(self) -> list[str]:
        """Send the alerts not delivered yet, now (``reader watch send``): one line per failure (also warned
        about); a failed one stays in the outbox and is tried again next time, up to MAX_ATTEMPTS."""
        self.open()
        return deliver(self.state)

    def deliver_alerts_later(self) -> None:
        """Send the alerts owed in the background (``alerts.deliver_later``): a slow webhook or SMTP server never
        holds up the check or request that added the document. Also retries the ones that failed before."""
        self.open()
        if any(row[4] < MAX_ATTEMPTS for row in self.state.outbox()):
            deliver_later(self.state.path)

    def _watch(self, id_: str, document: Document, *, alerts: bool = True) -> int:
        """Match a document entering the library against every watchlist; its hits replace what it had.

        The alerts it owes are stored with the hits, then delivered in the background (a failure is kept and
        retried by the next delivery).
        """
        rows = self.state.watchlists()  # read each time: another process (the CLI, the app) may have changed them
        if self._matcher is None or self._matcher_rows != rows:
            self._matcher, self._matcher_rows = Matcher(watchlists_from_rows(rows)), rows
        matcher = self._matcher
        if not matcher.watchlists:
            return 0
        hits = matcher.match(id_, document)
        now = time.time()
        meta = document.meta

        def owed(names: set[str]) -> list[tuple[str, str, str]]:
            if not alerts:
                return []
            said = alert(id_, meta.title or document.title, meta.title_translation or document.title_en,
                         meta.source, meta.date, hits)  # fmt: skip
            return alert_rows(matcher.watchlists, names, said)

        new = self.state.replace_hits(id_, [h.row(now) for h in hits], owed)
        if new and alerts:
            deliver_later(self.state.path)
        return len(hits)

    # ---- the list, search, reading state -----------------------------------------------------

    def page(self, filters: Filters = EVERYTHING, *, offset: int = 0, limit: int = 50) -> ListPage:
        rows, total = self._whole(lambda: self.index.page(filters, offset=offset, limit=limit))
        return ListPage(rows, total)

    def stories(self, filters: Filters = EVERYTHING, *, offset: int = 0, limit: int = 50) -> ListPage:
        """One row per story (``reader.library.stories``): its earliest document, ``Row.sources`` saying how many
        it holds; the story with the latest document first."""
        rows, total = self._whole(lambda: self.index.story_page(filters, offset=offset, limit=limit))
        return ListPage(rows, total)

    def story(self, id_: str) -> list[Row]:
        """The documents of ``id_``'s story, the earliest first."""
        self.open()
        return self.index.story(id_)

    def split_story(self, id_: str) -> list[Row]:
        """The reader says ``id_`` is not the same story as the others grouped with it: it leaves the story, and is
        never grouped with them again (kept in the reader's data, so a rebuilt index keeps it). Its story now."""
        others = [row.id for row in self.story(id_) if row.id != id_]
        if not others:
            raise LibraryError(f"the document {id_!r} is a story of its own already")
        self.state.set_apart((id_, other) for other in others)
        self.index.place_again(id_)
        return self.index.story(id_)

    def _whole(self, read: Callable[[], T]) -> T:
        """``read()`` from the index; again once the index is rebuilt, when it was found damaged meanwhile
        (its new, empty file would have answered part of it)."""
        self.open()
        before = self.index.db.replacements
        result = read()
        if self.index.db.replacements != before:
            self.open()
            result = read()
        return result

    def search(
        self,
        text: str,
        filters: Filters = EVERYTHING,
        *,
        offset: int = 0,
        limit: int = 20,
        per_document: int = 3,
        sort: str = RELEVANCE,
    ) -> SearchPage:
        """Documents with a sentence (or title) matching ``text``, each with its best hits: the best first
        (``sort`` RELEVANCE: bm25, newest first among equals) or the newest first (NEWEST).

        Whatever ``text`` is, this never fails on its syntax: see ``reader.library.search``; it raises
        LibraryError (one line) only when there is nothing to search for, or the sort is not one of SORTS.
        """
        if sort not in SORTS:
            raise LibraryError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
        self.open()
        query = parse_query(text, known=self.index.token_counts)

        def read() -> tuple[list[Row], int, dict[str, list[Match]]]:
            rows, total = self.index.page(filters, search=query, offset=offset, limit=limit, sort=sort)
            return rows, total, self.index.matches([r.id for r in rows], query, per_document=per_document + 1)

        rows, total, matches = self._whole(read)
        results = []
        for row in rows:
            found = matches.get(row.id, [])
            alignments = self._alignments(row.id, {m.sentence for m in found[:per_document]}) if found else {}
            hits = [
                mark_hit(
                    m.id,
                    m.sentence,
                    m.source,
                    m.translation,
                    source_highlighted=m.source_highlighted,
                    translation_highlighted=m.translation_highlighted,
                    alignment=alignments.get(m.sentence, ()),
                )
                for m in found[:per_document]
            ]
            results.append(Result(row, hits, len(found) > per_document))
        return SearchPage(query.text, results, total)

    def _alignments(self, id_: str, wanted: set[int | None]) -> dict[int | None, tuple[tuple[int, int], ...]]:
        """The word alignment of the ``wanted`` sentences, from the document file (hits mark counterparts with it).

        Read from the JSON directly, without building the whole document: a page of hits reads twenty files.
        """
        file = self.index.file(id_)
        try:
            data = json.loads((self.root / file).read_bytes()) if file else {}
            sentences = [s for p in data.get("paragraphs", []) for s in p.get("sentences", [])]
            pairs = {n: _shown_alignment(sentences[n]) for n in wanted if n is not None}
            return {n: tuple((int(a), int(b)) for a, b in alignment) for n, alignment in pairs.items()}
        except (OSError, ValueError, TypeError, AttributeError, IndexError, KeyError):
            return {}  # the hit is shown without its counterparts

    def neighbours(self, id_: str, filters: Filters = EVERYTHING) -> tuple[str | None, str | None]:
        """(newer, older): the documents before and after ``id_`` in the list."""
        self.open()
        return self.index.neighbours(id_, filters)

    def reading(self, id_: str) -> Reading:
        self.open()
        return self.state.reading(id_)

    def mark_read(self, id_: str, read: bool = True) -> None:
        self.open()
        self.state.set_read(id_, read)

    def star(self, id_: str, starred: bool = True) -> None:
        self.open()
        self.state.set_starred(id_, starred)

    def set_position(self, id_: str, position: int) -> None:
        self.open()
        self.state.set_position(id_, position)

    def first_seen(self, id_: str, article: Article, today: str) -> Article:
        """An article that neither its page nor its feed dates is dated by the day it was first seen: ``today``,
        or the day its earlier translation in the library was first seen."""
        if article.meta.date:
            return article
        seen = today
        with contextlib.suppress(LibraryError):  # not in the library yet
            before = self.get(id_).meta
            if before.date_source == DATE_FIRST_SEEN and before.date:
                seen = before.date
        return replace(article, meta=replace(article.meta, date=seen, date_source=DATE_FIRST_SEEN))

    # ---- site boilerplate (reader.library.boilerplate) -----------------------------------------

    def site_boilerplate(self, source: str) -> frozenset[str]:
        """The paragraph keys the library has learned are boilerplate on ``source``'s site."""
        host = boilerplate.site(source)
        return self._whole(lambda: self.index.site_boilerplate(host)) if host else frozenset()

    def without_site_boilerplate(self, article: Article) -> Article:
        """The article without the paragraphs its site repeats in every article; they go to ``meta.boilerplate``."""
        text, dropped = boilerplate.split(article.text, self.site_boilerplate(article.url or article.source))
        if not dropped:
            return article
        kept = "\n".join(p for p in [article.meta.boilerplate, *dropped] if p)
        return replace(article, text=text, meta=replace(article.meta, boilerplate=kept))

    def boilerplate_paragraphs(self, document: Document) -> list[int]:
        """The paragraphs of an older document that its site's boilerplate has since been learned to be."""
        return boilerplate.flagged(document, self.site_boilerplate(document.meta.source))

    # ---- feeds -------------------------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        self.open()
        return self.state.feeds()

    def subscribe(self, url: str, *, title: str = "", auto_translate: bool = True, titles_first: bool = False) -> Feed:
        """Add a feed; LibraryError when it is not an http(s) URL or is subscribed already."""
        self.open()
        url = url.strip()
        if not url.lower().startswith(("http://", "https://")) or len(url) < 10 or any(c.isspace() for c in url):
            raise LibraryError(f"not a feed URL: {url!r} (it must start with http:// or https://)")
        return self.state.add_feed(url, " ".join(title.split()), auto_translate, titles_first)

    def unsubscribe(self, url: str) -> None:
        """Forget a feed; its articles stay in the library."""
        self.open()
        self.state.remove_feed(url.strip())

    def update_feed(self, url: str, **values: object) -> None:
        self.open()
        self.state.update_feed(url, **values)

    def feed_counts(self) -> dict[str, tuple[int, int]]:
        self.open()
        return self.index.feed_counts()

    # ---- keeping the index in step -----------------------------------------------------------

    def refresh(self, progress: Callable[[int, int], None] | None = None) -> RefreshReport:
        """Finish interrupted removals, then index new or changed files and drop rows whose file is gone.

        Skipped when the articles folder has not changed since the index was last in step with it.
        """
        self.open()
        report = RefreshReport()
        pending = self.state.pending_removals()
        if pending:
            self._finish_removals(pending)
        unspread = self.state.unspread()
        if unspread:
            self._spread(unspread)  # an edit saved when the process was killed: it reaches every document now
        if self.state.glossary_unchecked():
            self._recheck_glossary()  # likewise a glossary change
        try:
            folder_time = os.stat(self.root / ARTICLES_DIR).st_mtime_ns
        except FileNotFoundError:
            folder_time = None
        if not pending and folder_time is not None and self.index.scanned(ARTICLES_DIR) == folder_time:
            return report
        on_disk = dict(scan(self.root))
        indexed = self.index.stamps()
        report.dropped = len(self.index.drop_missing([id_ for id_ in indexed if id_ not in on_disk], self.root))
        unreadable = self.index.unreadable()
        self.index.forget_unreadable([f for f in unreadable if f not in {s.file for s in on_disk.values()}])
        todo = [
            (id_, found)
            for id_, found in sorted(on_disk.items())
            if indexed.get(id_) != found and unreadable.get(found.file) != found
        ]
        for done, (id_, found) in enumerate(todo, start=1):
            problem = self._index_file(id_, found)
            if problem is None:
                report.indexed += 1
            else:
                report.skipped.append(found.file)
            if progress is not None and (done % REFRESH_BATCH == 0 or done == len(todo)):
                progress(done, len(todo))
        settled = folder_time is not None and time.time_ns() - folder_time > SETTLED_NS
        self.index.set_scanned(ARTICLES_DIR, folder_time if settled else None)
        return report

    def _index_file(self, id_: str, found: FileStamp) -> str | None:
        """Index one file; the reason it is not a reader document (warned about) or None."""
        path = self.root / found.file
        try:
            document = Document.from_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None  # removed meanwhile: the next refresh drops its row, if any
        except (OSError, UnicodeDecodeError, InputError) as exc:
            self.index.set_unreadable(found, describe(exc))
            return _skipped(path, exc)
        self.index.put(id_, document, found)
        self._watch(id_, document)  # a file written by a run that was killed before it was matched, or copied in
        return None

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> RefreshReport:
        """Rebuild the index from the files (the reader's own data is untouched)."""
        self.open()
        self.index.reset()
        report = self.refresh(progress)
        self.index.optimize()
        return report

    # ---- adopting a batch folder -------------------------------------------------------------

    def import_folder(self, folder: Path) -> tuple[int, int]:
        """Copy another library's (or batch folder's) documents here: (imported, already here and as new).

        Each document comes with the exports beside it; one that is here already is replaced only
        when the other copy is newer. Files that are not reader documents are skipped with a warning.
        """
        self.open()
        folder = Path(folder).expanduser()
        if not (folder / ARTICLES_DIR).is_dir():
            raise LibraryError(f"{folder} is not a library or batch output folder (it has no {ARTICLES_DIR}/)")
        if folder.resolve() == self.root.resolve():
            raise LibraryError(f"{folder} is this library")
        imported = kept = 0
        for id_, found in sorted(scan(folder)):
            source = folder / found.file
            try:
                document = Document.from_json(source.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, InputError) as exc:
                _skipped(source, exc)
                continue
            here = self.root / found.file
            if here.exists() and here.stat().st_mtime_ns >= found.mtime_ns:
                kept += 1
                continue
            self.state.unremove(id_)
            for path in files_of(folder, id_):
                _copy_atomic(path, self.root / ARTICLES_DIR / path.name)
            self.index.put(id_, document, stamp(self.root, found.file))
            self._watch(id_, document)
            imported += 1
        return imported, kept


def _skipped(path: Path, exc: BaseException) -> str:
    """Warn that a file in the articles folder is not a reader document; the reason."""
    reason = describe(exc)
    warnings.warn(LibraryWarning(f"{path}: skipped, not a readable reader document ({reason})"), stacklevel=3)
    return reason


def _copy_atomic(source: Path, target: Path) -> None:
    """A copy (with its modification time) that appears whole or not at all."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        shutil.copy2(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _shown_alignment(sentence: dict) -> list:
    """The alignment of what a sentence's JSON shows: its edit's, when it has one (``SentencePair.shown_alignment``)."""
    edit = sentence.get("edit")
    return edit.get("alignment", []) if isinstance(edit, dict) else sentence.get("alignment", [])


def _glossary_checked(document: Document, terms: Sequence[Term]) -> Document:
    paragraphs = tuple(replace(p, sentences=tuple(check(s, terms) for s in p.sentences)) for p in document.paragraphs)
    checked = replace(document, paragraphs=paragraphs)
    return document if checked == document else checked


def sentence_at(document: Document, index: int) -> SentencePair:
    """Sentence ``index`` (from 0, in document order); a one-line error when there is none."""
    sentences = document.sentences
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(sentences):
        raise InputError(
            f"no sentence {index}: this document has {len(sentences)} sentence(s), numbered 0 to {len(sentences) - 1}"
        )
    return sentences[index]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def open_library(settings: Settings) -> Library:
    """The library the settings name (READER_LIBRARY / --library), opened and up to date."""
    return Library.for_settings(settings).open()
