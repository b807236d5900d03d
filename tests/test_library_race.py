"""Two Library objects on one folder (the app and a feed check, two server workers): a refresh by one never
drops a row the other has just added, whatever the interleaving."""

from __future__ import annotations

import threading
from pathlib import Path

from reader.document import Metadata
from reader.library import Library, store
from reader.library.layout import scan
from tests.support.documents import make_document


def document(n: int):
    key = f"https://news.example/race/{n}"
    meta = Metadata(title="", source=key, date="2024-11-21", model="toy")
    pairs = [("البنك المركزي يثبت الفائدة", f"The central bank holds rates {n}", [(0, 1), (1, 2)], [])]
    return key, make_document([pairs], meta)


def test_a_document_added_while_another_library_refreshes_keeps_its_row(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "library"
    with Library(root) as refresher, Library(root) as adder:
        refresher.open()
        adder.open()
        adder.add(*reversed(document(0)))  # the folder changed: the next refresh looks through it
        added = []
        real_scan = store.scan

        def scan_then_add(folder: Path):
            found = list(real_scan(folder))
            if not added:  # between this refresh's look at the folder and its reading of the index
                added.append(adder.add(*reversed(document(1))))
            return iter(found)

        monkeypatch.setattr(store, "scan", scan_then_add)
        refresher.refresh()
        assert added and refresher.index.row(added[0]) is not None
        assert set(refresher.index.stamps()) == {id_ for id_, _ in scan(root)}


def test_two_libraries_adding_and_refreshing_at_once_keep_every_row(tmp_path: Path) -> None:
    root = tmp_path / "library"
    with Library(root) as first, Library(root) as second:
        first.open()
        second.open()
        ids: list[str] = []
        failures: list[Exception] = []
        missing: set[str] = set()
        done = threading.Event()

        def add(lib: Library, numbers: range) -> None:
            try:
                for n in numbers:
                    key, doc = document(n)
                    ids.append(lib.add(doc, key))
            except Exception as exc:  # reported by the test below
                failures.append(exc)

        def refresh(lib: Library) -> None:
            try:
                while not done.is_set():
                    lib.refresh()
                    kept = set(ids)  # added before this look, so indexed whatever the refresh met
                    missing.update(kept - set(lib.index.stamps()))
            except Exception as exc:  # reported by the test below
                failures.append(exc)

        threads = [
            threading.Thread(target=add, args=(first, range(40))),
            threading.Thread(target=refresh, args=(second,)),
        ]
        for thread in threads:
            thread.start()
        threads[0].join(timeout=120)
        done.set()
        threads[1].join(timeout=120)
        assert not failures and not missing
        on_disk = {id_ for id_, _ in scan(root)}
        assert on_disk == set(ids)
        assert set(first.index.stamps()) == on_disk
