"""Post-editing, in one place: the reader's fixes of a translated sentence.

- ``engine``: alternatives, continue-from-here, next words and aligning an edit, for one displayed
  sentence over the backends' ``PostEditing`` (docs/post-editing.md);
- ``glossary``: Arabic terms the reader wants rendered a set way, found in a source sentence the way
  Arabic is written, and whether their rendering reached the translation (pure functions);
- ``fix``: re-decoding a sentence so that a term's rendering does;
- ``editing``: the actions the app's panel and the commands share, joining the above to the
  library (where edits and terms are kept: ``reader.library.edits``, ``reader.library.glossary``).
  It belongs to the library's stage; the rest to the document's.
"""
