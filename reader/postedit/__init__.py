"""Post-editing, in one place: the reader's fixes of a translated sentence.

- ``engine``: alternatives, continue-from-here, next words and aligning an edit, for one displayed
  sentence over the backends' ``PostEditing`` (docs/post-editing.md);
- ``glossary``: Arabic terms the reader wants rendered a set way, found in a source sentence the way
  Arabic is written, and whether their rendering reached the translation (pure functions);
- ``fix``: re-decoding a sentence so that a term's rendering does.

The storage side is the library's: the reader's edits and terms (``reader.library.edits``,
``reader.library.glossary``) and the actions the app's panel and the commands share
(``reader.library.editing``), which join this engine to the library.
"""
