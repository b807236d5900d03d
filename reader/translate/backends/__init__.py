"""Translation backends: small adapters from a model library to the Translator contract.

Each backend module is imported lazily through ``reader.translate.registry``, so importing
reader never pulls in torch, transformers or CTranslate2. What a model folder holds, and its
fingerprint, is ``reader.models.folder``'s to say: backends import nothing else from reader.models.
"""
