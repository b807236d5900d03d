"""Typed errors. Library code raises these; only the edges (CLI, app) turn them into messages."""


class ReaderError(Exception):
    """An error whose message is meant for the user, shown without a traceback."""


class InputError(ReaderError):
    """The input cannot be read or is not acceptable (encoding, size, type)."""


class FetchError(ReaderError):
    """A URL could not be fetched safely."""


class ModelNotFoundError(ReaderError):
    """No usable model: the message says what to run to get one."""


class ModelError(ReaderError):
    """A model was found but failed to load or run."""


class CacheError(ReaderError):
    """The sentence cache could not be used."""


class ExportError(ReaderError):
    """A document could not be written in the requested format."""


class LookupUnavailableError(ReaderError):
    """The optional word-lookup analyzer is not installed: the message says how to install it."""
