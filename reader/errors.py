"""Typed errors. Library code raises these; only the edges (CLI, app) turn them into messages."""


class ReaderError(Exception):
    """An error whose message is meant for the user, shown without a traceback."""


class InputError(ReaderError):
    """The input cannot be read or is not acceptable (encoding, size, type)."""


class FetchError(ReaderError):
    """A URL could not be fetched safely."""


class ModelError(ReaderError):
    """A model failed to load, convert or run."""


class ModelNotFoundError(ModelError):
    """No usable model (missing, incomplete): the message says what to run to get one."""


class UnsupportedError(ReaderError):
    """The translator in use cannot do what was asked (a plugin backend without post-editing)."""


class CacheError(ReaderError):
    """The sentence cache could not be used."""


class LibraryError(ReaderError):
    """The reading library could not do what was asked (an unknown document, a feed subscribed twice...)."""


class ExportError(ReaderError):
    """A document could not be written in the requested format."""


def describe(exc: BaseException) -> str:
    """Why something failed, in one line: our own errors' messages, the type too for anything unexpected."""
    if isinstance(exc, ReaderError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return f"unexpected {type(exc).__name__}: {exc}"


def first_line(exc: BaseException) -> str:
    """A library's exception as one line for a message: its first line, without a closing full stop."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].rstrip(".")


class LookupUnavailableError(ReaderError):
    """The optional word-lookup analyzer is not installed: the message says how to install it."""
