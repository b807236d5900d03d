"""Models: what a model folder holds (``folder``, the leaf everyone else builds on), the catalog of
known models (``catalog``), the installed ones (``store``: resolve, pull, import) and conversion
to CTranslate2 (``convert``). Translation backends import only ``folder`` from here.
"""
