"""One row per story (reader.library.stories): rewrites grouped as they arrive, other stories about the same
people kept apart, and a grouping the reader undoes stays undone (benchmarks/stories.py measures the set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.errors import LibraryError
from reader.library import Library
from tests.support.stories import WANTED, labelled


@pytest.fixture
def library(tmp_path: Path) -> Library:
    with Library(tmp_path / "library") as lib:
        yield lib


def grouping(library: Library) -> set[frozenset[str]]:
    return {frozenset(m.source for m in library.story(row.id)) for row in library.stories(limit=100).rows}


def expected(articles) -> set[frozenset[str]]:
    return {frozenset(key for s, key, _ in articles if s == story) for story in WANTED}


def test_rewrites_are_one_row_and_other_stories_about_the_same_people_are_not(library: Library) -> None:
    articles = labelled()
    for _, key, document in articles:
        library.add(document, key)
    assert grouping(library) == expected(articles)
    page = library.stories()
    assert page.total == 4 and sorted(r.sources for r in page.rows) == [2, 2, 3, 3]
    for row in page.rows:
        members = library.story(row.id)
        assert members[0].id == row.id  # the row is the story's earliest article
        assert [m.date for m in members] == sorted(m.date for m in members)
    assert library.page().total == len(articles)  # the plain list still has every article


def test_an_undone_grouping_stays_undone_even_after_a_rebuild(library: Library) -> None:
    articles = labelled()
    ids = {key: library.add(document, key) for _, key, document in articles}
    rates = [key for story, key, _ in articles if story == "cbe-rates"]
    alone = ids[rates[1]]
    assert [r.id for r in library.split_story(alone)] == [alone]
    with pytest.raises(LibraryError, match="a story of its own already"):
        library.split_story(alone)
    after = expected(articles) - {frozenset(rates)} | {frozenset([rates[0], rates[2]]), frozenset([rates[1]])}
    assert grouping(library) == after
    library.reindex()
    assert grouping(library) == after
    _, key, document = next(a for a in articles if a[1] == rates[1])
    library.add(document, key)  # translated again: still apart
    assert grouping(library) == after
