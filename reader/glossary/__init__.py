"""The glossary: Arabic terms the reader wants rendered a set way, matched the way Arabic is written.

``match`` finds terms in a source sentence and checks that their rendering reached the translation
(pure functions, no storage); ``fix`` re-decodes a sentence so that it does.
"""
