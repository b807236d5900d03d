"""Arabic proclitics: the one set of rules for seeing a word through the letters written onto its front.

In Arabic the conjunctions و ف, the prepositions ب ل ك and the article ال are written as part of
the next word, in that order (وبالرئيس, فللرئيس): an exact-string match misses most occurrences
of a word. The glossary matcher (``reader.postedit.glossary``), the library's search
(``reader.library.search``) and watchlists all use these rules, so a term, a query and a watched
word find the same forms. Enclitic pronouns (ـه ـها ـهم) are not looked through: they change what
the word refers to.

Words here are folded (``letters``: ``reader.chars.fold_arabic``, punctuation around them gone).
"""

from __future__ import annotations

from reader.chars import bare_word, fold_arabic

ARTICLE = "ال"
CONJUNCTIONS = ("", "و", "ف")
PREPOSITIONS = ("", "ب", "ل", "ك")
MIN_STEM = 2
"""Letters a word keeps after its clitics are taken off: no reading strips a word to one letter."""


def _proclitics() -> tuple[str, ...]:
    """Every written proclitic sequence, longest first: conjunction, preposition, article.

    ل before the article drops the article's alef: ل + الرئيس is written للرئيس.
    """
    found = set()
    for conjunction in CONJUNCTIONS:
        for preposition in PREPOSITIONS:
            found.add(conjunction + preposition)
            found.add(conjunction + ("لل" if preposition == "ل" else preposition + ARTICLE))
    return tuple(sorted(found, key=lambda clitics: (-len(clitics), clitics)))


PROCLITICS = _proclitics()
"""Every proclitic sequence as written (the empty one included), longest first."""
WITH_ARTICLE = frozenset(c for c in PROCLITICS if c.endswith(ARTICLE) or c.endswith("لل"))
"""The sequences that carry the article: what follows them is a noun's stem, never part of the word itself."""
NO_ARTICLE = tuple(c for c in PROCLITICS if c not in WITH_ARTICLE)


def letters(word: str) -> str:
    """A word folded, without the punctuation and quotes around it: «الرئيس، -> الرييس."""
    return bare_word(fold_arabic(word))


def article_variants(word: str) -> list[str]:
    """A folded word, and without its article when it has one: الرييس -> [الرييس, رييس]."""
    if word.startswith(ARTICLE) and len(word) - len(ARTICLE) >= MIN_STEM:
        return [word, word[len(ARTICLE) :]]
    return [word]


def split_readings(word: str) -> dict[str, str]:
    """What a folded word may be under its proclitics: {stem: the proclitics written before it}, itself included.

    وبالرييس -> {وبالرييس: "", بالرييس: و, الرييس: وب, رييس: وبال}.
    """
    found = {word: ""}
    for clitics in PROCLITICS:
        if clitics and word.startswith(clitics) and len(word) - len(clitics) >= MIN_STEM:
            found.setdefault(word[len(clitics) :], clitics)
    return found


def readings(word: str) -> set[str]:
    """A folded word and every stem a proclitic sequence leaves of it."""
    return set(split_readings(word))


def written_forms(stem: str) -> list[str]:
    """Every way ``stem`` (folded, without clitics) is written with proclitics, itself first: the inverse of
    ``readings``, so ``stem in readings(form)`` for each form (رييس -> رييس, ورييس, الرييس, للرييس, وبالرييس...)."""
    forms = [clitics + stem for clitics in reversed(PROCLITICS) if clitics + stem != stem]
    return [stem, *forms]


def phrase_stems(phrase: str) -> tuple[frozenset[str], ...]:
    """Per word of an Arabic phrase, the folded forms a text word may reduce to: as written, and without its article."""
    return tuple(frozenset(article_variants(letters(word))) for word in phrase.split())


def find_phrases(source: str, phrases: list[tuple[frozenset[str], ...]]) -> list[tuple[int, int, int]]:
    """Where each phrase (``phrase_stems``) occurs in ``source``: (phrase index, first word, end word), in word order.

    Whole words only; the first word is looked at through its proclitics (``readings``), the others
    through their article, as ``str.split()`` counts words.
    """
    if not phrases:
        return []
    words = [letters(word) for word in source.split()]
    word_readings = [readings(word) for word in words]
    found = []
    for number, stems in enumerate(phrases):
        for start in range(len(words) - len(stems) + 1):
            rest = zip(stems[1:], words[start + 1 : start + len(stems)], strict=True)
            if word_readings[start] & stems[0] and all(stem & set(article_variants(word)) for stem, word in rest):
                found.append((number, start, start + len(stems)))
    return sorted(found, key=lambda f: (f[1], -(f[2] - f[1])))
