"""Post-editing one displayed sentence: alternatives, continue-from-here, next words, and aligning an edit.

The backends post-edit one model input (``reader.translate.base.PostEditing``). Here a displayed
sentence is planned first, exactly as the pipeline plans it (``reader.plan``), so the model sees
the same normalized text and every alignment comes back over the words the reader sees. The
machine version of each part comes through the translator as usual (from the sentence cache when
it is there); nothing else is cached: the storage side keeps the version the reader chose.

A sentence too long for one model input is translated in parts (flag ``sub-split``), each decoded
on its own. For such a sentence:

- alternatives change one part at a time: the machine version, then the best of the sentences
  that differ from it in one part's alternative, by their score. A reader fixing a long sentence
  fixes one clause at a time, and combining changes is what editing is for;
- continue-from-here follows the reader's prefix through the parts: a part whose machine English
  the prefix repeats word for word is kept, the part where the prefix departs from the machine
  version is completed from the rest of the prefix, and the parts after it keep their machine
  translations. A prefix that departs in the first part therefore continues the first part;
- an edit is cut where the machine translation's parts meet (the cuts carried over to the edit by a
  word diff: an edit keeps most machine words), and each share is aligned to its part by forced
  decoding. An unchanged translation so gets exactly the pipeline's alignment.

A passthrough sentence (no Arabic letters) has no model behind it: its alternative is its copy,
completing it is refused, and an edit of it gets no alignment.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from reader.assemble import copied, join
from reader.chars import bare_word
from reader.config import Settings
from reader.errors import InputError
from reader.plan import Plan, plan_sentence
from reader.translate.base import PostEditing, Translation, Translator, post_editing
from reader.translate.candidates import check_count


class EditingTranslator(Translator, PostEditing, Protocol):
    """What post-editing a displayed sentence needs: the machine version, token counts, and the model's decoding."""


def alternatives(source: str, translator: EditingTranslator, settings: Settings, n: int) -> list[Translation]:
    """Up to ``n`` translations of the displayed sentence ``source``, the machine version first."""
    check_count(n)
    plan = plan_sentence(source, translator, settings)
    machine = _machine(plan, translator)
    if plan.passthrough:
        return [join(plan, machine)]
    editor = post_editing(translator)
    if len(plan.parts) == 1:
        return [join(plan, [t]) for t in editor.alternatives(plan.parts[0].text, n)]
    variants = [
        join(plan, [*machine[:i], other, *machine[i + 1 :]])
        for i, part in enumerate(plan.parts)
        if not part.passthrough
        for other in editor.alternatives(part.text, n)
        if other.text != machine[i].text
    ]
    return [join(plan, machine), *sorted(variants, key=lambda t: -t.score)[: n - 1]]


def complete(
    source: str, prefix: str, translator: EditingTranslator, settings: Settings, avoid: Sequence[str] = ()
) -> Translation:
    """The translation of ``source`` that starts with the reader's ``prefix`` (its last word may be extended).

    The model's continuation never says a word of ``avoid``.
    """
    (completed,) = _from_prefix(
        source, prefix, translator, settings, lambda editor, text, rest: [editor.complete(text, rest, avoid)]
    )
    return completed


def next_words(
    source: str, prefix: str, translator: EditingTranslator, settings: Settings, n: int
) -> list[Translation]:
    """Up to ``n`` completions of ``prefix``, each with a different next word, best first."""
    check_count(n)
    return _from_prefix(
        source, prefix, translator, settings, lambda editor, text, rest: editor.next_words(text, rest, n)
    )


def align(
    source: str, translation: str, translator: EditingTranslator, settings: Settings
) -> tuple[tuple[int, int], ...]:
    """(source word, target word) pairs for ``translation`` (the reader's edit) over the displayed words.

    Each part is aligned by forced decoding to its share of the edit (see the module docstring); the
    words the edit keeps from the machine version keep the machine's pairs (``carried``).
    Empty when there is nothing to align; a part the model cannot take (an edit over its positions)
    gets no pairs rather than guessed ones.
    """
    return forced(source, translation, translator, settings).alignment


def forced(source: str, translation: str, translator: EditingTranslator, settings: Settings) -> Translation:
    """``translation`` as the model reads it for ``source``: its alignment (as ``align``) and its score."""
    plan = plan_sentence(source, translator, settings)
    words = translation.split()
    if plan.passthrough or not words:
        return Translation(" ".join(words))
    editor = post_editing(translator)
    machine = _machine(plan, translator)
    shares = _shares(words, [t.text.split() for t in machine])
    aligned = []
    for part, share in zip(plan.parts, shares, strict=True):
        text = " ".join(share)
        if part.passthrough:
            aligned.append(copied(part) if text == part.text else Translation(text))
            continue
        try:
            aligned.append(editor.align(part.text, text) if share else Translation(""))
        except InputError:
            aligned.append(Translation(text))
    decoded = join(plan, aligned)
    return replace(decoded, alignment=carried(decoded, join(plan, machine)))


def carried(edit: Translation, machine: Translation) -> tuple[tuple[int, int], ...]:
    """The edit's alignment: the machine version's pairs for the words the reader kept, forced decoding's for the rest.

    Forced decoding reads the alignment head at the step that predicts each word, before the model
    has seen it, so a word moved to where the model expected another would get that one's source.
    A word the reader kept from the machine version (the same word, any case or punctuation, moved
    or not) keeps the machine's pairs instead: the words are matched in order first (a word diff),
    then a kept word that moved is matched k-th occurrence to k-th occurrence.
    """
    matched = kept_words(edit.text.split(), machine.text.split())
    from_machine = {(s, matched[t]) for s, t in machine.alignment if t in matched}
    if not from_machine:
        return edit.alignment
    new = {(s, t) for s, t in edit.alignment if t not in matched.values()}
    return tuple(sorted(from_machine | new))


def kept_words(edited: list[str], machine: list[str]) -> dict[int, int]:
    """machine word index -> edited word index, for the machine's words the edit keeps (see ``carried``)."""
    a, b = [_word_key(w) for w in machine], [_word_key(w) for w in edited]
    matched: dict[int, int] = {}
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        matched.update((block.a + k, block.b + k) for k in range(block.size))
    taken = set(matched.values())
    left: dict[str, list[int]] = {}
    for j, key in enumerate(b):
        if j not in taken:
            left.setdefault(key, []).append(j)
    for i, key in enumerate(a):
        if i not in matched and left.get(key):
            matched[i] = left[key].pop(0)
    return matched


def _word_key(word: str) -> str:
    return (bare_word(word) or word).casefold()


def _shares(words: list[str], parts: list[list[str]]) -> list[list[str]]:
    """``words`` cut where the machine translation's ``parts`` meet, the cuts carried over by a word diff.

    An edit keeps most of the machine's words, so a cut between two kept words stays between them;
    a cut inside a rewritten stretch moves in proportion.
    """
    machine = [word for part in parts for word in part]
    opcodes = difflib.SequenceMatcher(a=machine, b=words, autojunk=False).get_opcodes()
    cuts = [0]
    offset = 0
    for part in parts[:-1]:
        offset += len(part)
        cuts.append(max(cuts[-1], _carry(offset, opcodes)))
    cuts.append(len(words))
    return [words[a:b] for a, b in itertools.pairwise(cuts)]


def _carry(position: int, opcodes: list[tuple[str, int, int, int, int]]) -> int:
    """Where a cut before machine word ``position`` falls in the edit."""
    for _tag, a1, a2, b1, b2 in opcodes:
        if a1 <= position < a2 or (position == a2 and a1 == a2):
            return b1 + round((position - a1) * (b2 - b1) / (a2 - a1)) if a2 > a1 else b2
    return opcodes[-1][4] if opcodes else 0


_Decode = Callable[[PostEditing, str, str], list[Translation]]


def _from_prefix(
    source: str, prefix: str, translator: EditingTranslator, settings: Settings, decode: _Decode
) -> list[Translation]:
    """Route ``prefix`` to the part where it departs from the machine version, decode that part, join."""
    plan = plan_sentence(source, translator, settings)
    if plan.passthrough:
        raise InputError(
            "this sentence has no Arabic letters: it is copied, not translated, so there is nothing to continue"
        )
    machine = _machine(plan, translator)
    words = prefix.split()
    at = 0
    while at < len(plan.parts) - 1:
        kept = machine[at].text.split()
        if words[: len(kept)] != kept:
            break
        words = words[len(kept) :]
        at += 1
    part = plan.parts[at]
    if part.passthrough:
        # The reader rewrote text that is copied, not translated: their words stand for it.
        found = [Translation(" ".join(words), (), 0.0)]
    else:
        found = decode(post_editing(translator), part.text, " ".join(words))
    return [join(plan, [*machine[:at], translation, *machine[at + 1 :]]) for translation in found]


def _machine(plan: Plan, translator: Translator) -> list[Translation]:
    """Each part's machine translation (one call, answered from the cache where it can be)."""
    texts = [part.text for part in plan.parts if not part.passthrough]
    found = dict(zip(texts, translator.translate_batch(texts), strict=True)) if texts else {}
    return [copied(part) if part.passthrough else found[part.text] for part in plan.parts]
