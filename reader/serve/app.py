"""The HTTP app: LibreTranslate's API, reader's own ``/v1`` API, and the errors, limits and guards of both.

``create_app(options)`` builds it; ``factory()`` builds it from the options in the environment (what
uvicorn calls in each worker process). The model is opened once per process when the app starts, through
the composition root (``reader.api.open_translator``), behind the sentence cache, and owned by the
batcher (``reader.serve.batcher``). Handlers only parse, check and wire to the library.
"""

from __future__ import annotations

import json
import logging
import os
import re
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi import Path as Path_
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from reader import __version__
from reader.config import Settings
from reader.document import Document, How
from reader.errors import ExportError, FetchError, InputError, LibraryError, ReaderError, first_line
from reader.serve import schemas
from reader.serve.batcher import Batcher, Busy, ServedTranslator
from reader.serve.guard import Guard, OriginGuard
from reader.serve.keys import ApiKey, KeyStore
from reader.serve.options import LOOPBACK_NAMES, ServeOptions, is_loopback

if TYPE_CHECKING:
    from reader.library import Library

log = logging.getLogger("reader.serve")

EXPORT_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "tmx": "application/x-tmx+xml",
    "pdf": "application/pdf",
    "epub": "application/epub+zip",
}
LANGUAGES = [
    {"code": "ar", "name": "Arabic", "targets": ["en"]},
    {"code": "en", "name": "English", "targets": []},
]
MAX_ALTERNATIVES = 3


class ApiError(Exception):
    """An answer other than 200, as LibreTranslate gives it: ``{"error": message}`` with its status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Server:
    """What every request shares in one process."""

    options: ServeOptions
    settings: Settings
    batcher: Batcher
    keys: KeyStore
    shelf: Library

    def translator(self) -> ServedTranslator:
        return ServedTranslator(self.batcher, self.options.timeout)

    def library(self) -> Library:
        """The process's one library, opened at start: a Library opened per request would refresh its index
        from the files while another request adds one, and could drop that row."""
        return self.shelf

    def authorize(self, key: str | None, *, chars: int = 0, write: bool = False) -> ApiKey | None:
        """The caller's key, checked: its validity, its rate and size limits, and write rights when asked."""
        found = self.keys.find(key) if key else None
        if key and found is None and (self.options.api_keys or self.keys.list()):
            raise ApiError(403, "Invalid API key")
        if found is None and self.options.api_keys:
            raise ApiError(400, "Please contact the server operator to get an API key")
        if write and found is None and self.keys.list():
            raise ApiError(403, "writing to the library needs an API key with write rights")
        if write and found is not None and not found.write:
            raise ApiError(403, "this API key has no write rights")
        if found is not None:
            wait = self.keys.count(found)  # before the size check, as LibreTranslate counts: oversized ones count too
            if wait:
                raise ApiError(
                    429,
                    f"Slowdown: {found.requests_per_minute} per 1 minute",
                    {"Retry-After": str(wait)},
                )
        limit = found.chars_per_request if found else self.options.char_limit
        if chars > limit:
            raise ApiError(400, f"Invalid request: request ({chars}) exceeds text limit ({limit})")
        return found


def factory() -> FastAPI:
    """The app for the options in the environment (uvicorn's ``--factory`` entry, in each worker)."""
    return create_app(ServeOptions.from_env())


class HideKeys(logging.Filter):
    """Access log lines show ``api_key=***``: a feed reader can only send its key in the URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(KEY_IN_URL.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        return True


KEY_IN_URL = re.compile(r"((?:^|[?&])api_key=)[^&\s]*")


def create_app(options: ServeOptions) -> FastAPI:
    logging.getLogger("uvicorn.access").addFilter(HideKeys())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        server = await run_in_threadpool(_open, options)
        app.state.server = server
        try:
            yield
        finally:
            server.batcher.close()
            server.keys.close()
            server.shelf.close()

    app = FastAPI(
        title="reader",
        version=__version__,
        summary="Arabic-to-English translation: LibreTranslate's API, and reader's documents and library (/v1).",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    _errors(app)
    _libretranslate_routes(app)
    _v1_routes(app)
    _feed_routes(app)
    if options.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(options.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    app.add_middleware(OriginGuard, allowed=frozenset(options.cors_origins))
    if is_loopback(options.host):
        # A page whose name is re-pointed at 127.0.0.1 (DNS rebinding) sends its own Host: refused.
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=[h.strip("[]") for h in LOOPBACK_NAMES])
    app.add_middleware(Guard, max_body=options.max_body_bytes)
    return app


def _open(options: ServeOptions) -> Server:
    from reader.api import open_translator
    from reader.library import Library

    settings = Settings.load(**options.settings)
    translator = open_translator(settings)()
    _lone_input_on_every_core(translator.inner)
    batcher = Batcher(
        translator, wait=options.batch_wait_ms / 1000, max_batch=options.max_batch, max_pending=options.queue
    )
    library = Library.for_settings(settings).open()
    return Server(options, settings, batcher, KeyStore(options.keys_path()), library)


PROBE = "أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد الوطني وتوفير فرص العمل للشباب في جميع المحافظات"
"""A news sentence of usual length, for timing the model at start."""
LONE_PROBES = 5
"""Timings of the probe each way at start, after one each to warm up (twelve translations of one sentence)."""


def _lone_input_on_every_core(backend: Any) -> None:
    """A lone request is one batch of one, which CTranslate2's workers run on one core: give it a copy of the
    model that runs on every core, when that is faster. Measured at start, because it is not always: for a
    small model (or on a busy machine) the threads' hand-offs cost more than they save. The two ways take
    turns, ``LONE_PROBES`` times each, and the medians are compared, so that a moment of load on a shared
    machine does not decide it."""
    every_core = getattr(backend, "use_every_core_alone", None)
    if every_core is None:
        return
    every_core()
    copy = backend.solo
    if copy is None:
        return
    times: dict[bool, list[float]] = {True: [], False: []}
    for turn in range(LONE_PROBES + 1):
        for alone in (True, False):
            backend.solo = copy if alone else None
            started = time.perf_counter()
            backend.translate_batch([PROBE])
            if turn:  # the first turn warms both copies up
                times[alone].append(time.perf_counter() - started)
    alone, one_core = statistics.median(times[True]), statistics.median(times[False])
    backend.solo = copy if alone < one_core else None
    log.info(
        "a lone sentence: %.0f ms on every core, %.0f ms on one: %s",
        alone * 1000,
        one_core * 1000,
        "every core" if backend.solo else "one core",
    )


def _server(request: Request) -> Server:
    return request.app.state.server


ServerDep = Annotated[Server, Depends(_server)]


def _bearer(request: Request) -> str | None:
    """The key from ``Authorization: Bearer KEY`` or the ``api_key`` query parameter."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.query_params.get("api_key") or None


# ---- errors --------------------------------------------------------------------------------------


def _errors(app: FastAPI) -> None:
    def answer(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status, headers=headers)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return answer(exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return answer(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        where = ".".join(str(part) for part in errors[0].get("loc", ())) if errors else ""
        message = errors[0].get("msg", "invalid") if errors else "invalid"
        return answer(400, f"Invalid request: {where}: {message}".replace(": : ", ": "))

    @app.exception_handler(Busy)
    async def busy(_: Request, exc: Busy) -> JSONResponse:
        return answer(429, f"Slowdown: {exc}", {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(TimeoutError)
    async def timeout(_: Request, exc: TimeoutError) -> JSONResponse:
        return answer(503, "the translation took too long; try again later", {"Retry-After": "5"})

    @app.exception_handler(ReaderError)
    async def reader_error(_: Request, exc: ReaderError) -> JSONResponse:
        status = 404 if isinstance(exc, LibraryError) and "no document" in str(exc) else _status_of(exc)
        return answer(status, first_line(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return answer(500, "internal error: the server's log has the details")


def _status_of(exc: ReaderError) -> int:
    """The caller's mistakes (bad input, an unfetchable URL, a query with nothing to search) are 400s."""
    if isinstance(exc, InputError | FetchError | ExportError | LibraryError):
        return 400
    return 500


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": schemas.Error, "description": text}
    for status, text in {
        400: "Invalid request",
        403: "Invalid API key, or no write rights",
        429: "Slow down (Retry-After says when)",
        500: "Translation error",
        503: "Timed out (Retry-After says when)",
    }.items()
}


# ---- LibreTranslate ------------------------------------------------------------------------------


async def _fields(request: Request) -> dict[str, Any]:
    """A LibreTranslate request's fields from JSON or a form (a form's repeated ``q`` is an array)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(await request.body() or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Invalid JSON format") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Invalid JSON format")
        return data
    fields: dict[str, list[str]] = {}
    if kind == "multipart/form-data":
        try:
            form = await request.form()
        except (AssertionError, ValueError) as exc:  # starlette's multipart parser raises these on bad input
            raise ApiError(400, f"Invalid request: {first_line(exc)}") from None
        for name in form:
            fields[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    else:
        # Parsed here, not by starlette: `curl -d q=مرحبا` sends raw UTF-8, which starlette reads as Latin-1.
        try:
            fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise ApiError(400, "Invalid request: the form is not UTF-8") from None
    values: dict[str, Any] = {}
    for name in set(fields) | set(request.query_params.keys()):
        items = fields.get(name) or request.query_params.getlist(name)
        values[name] = items if (name == "q" and len(items) > 1) else (items[0] if items else None)
    return values


def _text_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None or value == "":
        raise ApiError(400, f"Invalid request: missing {name} parameter")
    if not isinstance(value, str):
        raise ApiError(400, f"Invalid request: {name} must be a string")
    return value


def _queries(data: dict[str, Any], options: ServeOptions) -> list[str] | str:
    q = data.get("q")
    if q is None or q == "" or q == []:
        raise ApiError(400, "Invalid request: missing q parameter")
    if isinstance(q, list):
        if not all(isinstance(item, str) for item in q):
            raise ApiError(400, "Invalid request: q must be a string or an array of strings")
        if len(q) > options.batch_limit:
            raise ApiError(400, f"Invalid request: request ({len(q)}) exceeds text limit ({options.batch_limit})")
        return q
    if not isinstance(q, str):
        raise ApiError(400, "Invalid request: q must be a string or an array of strings")
    return q


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        raise ApiError(400, "Invalid request: alternatives must be a whole number") from None


def _libretranslate_routes(app: FastAPI) -> None:
    @app.get("/languages", response_model=list[schemas.Language], tags=["LibreTranslate"])
    def languages() -> list[dict[str, Any]]:
        """The languages: Arabic, translated to English."""
        return LANGUAGES

    @app.post(
        "/translate",
        response_model=schemas.LtTranslation,
        response_model_exclude_none=True,
        responses=ERRORS,
        tags=["LibreTranslate"],
        openapi_extra=schemas.body_of(schemas.LT_TRANSLATE_BODY),
    )
    async def translate(request: Request, server: ServerDep) -> dict[str, Any]:
        """Translate text(s), as LibreTranslate does: ``translatedText`` has ``q``'s shape."""
        data = await _fields(request)
        q = _queries(data, server.options)
        source = _text_field(data, "source")
        target = _text_field(data, "target")
        text_format = data.get("format") or "text"
        alternatives = _count(data.get("alternatives"))
        if source not in ("ar", "auto"):
            raise ApiError(400, f"{source} is not supported")
        if target != "en":
            raise ApiError(400, f"{target} is not supported")
        if text_format not in ("text", "html"):
            raise ApiError(400, f"{text_format} format is not supported")
        if alternatives > MAX_ALTERNATIVES:
            raise ApiError(400, f"Invalid request: alternatives ({alternatives}) exceeds limit ({MAX_ALTERNATIVES})")
        texts = q if isinstance(q, list) else [q]
        server.authorize(data.get("api_key") or _bearer(request), chars=sum(len(t) for t in texts))
        return await run_in_threadpool(_lt_translate, server, q, source, text_format, alternatives)

    @app.post(
        "/detect",
        response_model=list[schemas.DetectedLanguage],
        responses=ERRORS,
        tags=["LibreTranslate"],
        openapi_extra=schemas.body_of(schemas.LT_DETECT_BODY),
    )
    async def detect(request: Request, server: ServerDep) -> list[dict[str, Any]]:
        """Arabic script or not, with a confidence from 0 to 100."""
        from reader.serve.texts import detect as detect_language

        data = await _fields(request)
        q = _text_field(data, "q")
        server.authorize(data.get("api_key") or _bearer(request), chars=len(q))
        language, confidence = detect_language(q)
        return [{"language": language, "confidence": confidence}]

    @app.get("/frontend/settings", tags=["LibreTranslate"])
    def frontend_settings(server: ServerDep) -> dict[str, Any]:
        """LibreTranslate's settings for its web page, which some clients read."""
        return {
            "charLimit": server.options.char_limit,
            "frontendTimeout": int(server.options.timeout * 1000),
            "apiKeys": server.options.api_keys,
            "keyRequired": server.options.api_keys,
            "suggestions": False,
            "filesTranslation": False,
            "supportedFilesFormat": [],
            "language": {"source": {"code": "ar", "name": "Arabic"}, "target": {"code": "en", "name": "English"}},
        }

    @app.get("/health", response_model=schemas.Health, tags=["LibreTranslate"])
    def health(server: ServerDep) -> dict[str, Any]:
        """The model this process serves, and what its batcher has done."""
        return {
            "status": "ok",
            "model": server.settings.model,
            "fingerprint": server.batcher.translator.fingerprint,
            "process": os.getpid(),
            "lone_sentence": "every core" if getattr(server.batcher.translator.inner, "solo", None) else "one core",
            "batcher": server.batcher.report(),
        }


def _lt_translate(server: Server, q: list[str] | str, source: str, text_format: str, alternatives: int) -> dict:
    from reader.serve.texts import detect, english, translate_documents, translate_html

    texts = q if isinstance(q, list) else [q]
    translator = server.translator()
    library = server.library()
    alternates: list[list[str]] = [[] for _ in texts]
    with server.batcher.session():
        if text_format == "html":

            def plain(pieces: list[str]) -> list[Document]:
                return [library.shown(d) for d in translate_documents(pieces, translator, server.settings)]

            translated = translate_html(texts, plain)
        else:
            documents = [library.shown(d) for d in translate_documents(texts, translator, server.settings)]
            translated = [english(d) for d in documents]
            if alternatives:
                alternates = [_alternatives(d, translator, server.settings, alternatives) for d in documents]
    answer: dict[str, Any] = {"translatedText": translated if isinstance(q, list) else translated[0]}
    if alternatives:
        answer["alternatives"] = alternates if isinstance(q, list) else alternates[0]
    if source == "auto":
        detected = [dict(zip(("language", "confidence"), detect(text), strict=True)) for text in texts]
        answer["detectedLanguage"] = detected if isinstance(q, list) else detected[0]
    return answer


def _alternatives(document: Document, translator: ServedTranslator, settings: Settings, n: int) -> list[str]:
    """Up to ``n`` other translations of the whole text: the k-th takes each sentence's k-th alternative
    (its own translation where it has fewer), as LibreTranslate combines Argos's hypotheses."""
    from reader.postedit import engine as postedit
    from reader.serve.texts import english

    per_sentence = [
        [t.text for t in postedit.alternatives(pair.source, translator, settings, n + 1)]
        if pair.translation and not pair.edit
        else [pair.shown]
        for pair in document.sentences
    ]
    found: list[str] = []
    for k in range(1, n + 1):
        choice = iter([options[k] if k < len(options) else options[0] for options in per_sentence])
        paragraphs = tuple(_with_sentences(p, [next(choice) for _ in p.sentences]) for p in document.paragraphs)
        text = english(Document(document.text, paragraphs, document.meta))
        if text not in found and text != english(document):
            found.append(text)
    return found


def _with_sentences(paragraph: Any, texts: list[str]) -> Any:
    from dataclasses import replace

    return replace(
        paragraph,
        sentences=tuple(replace(s, translation=t, edit=None) for s, t in zip(paragraph.sentences, texts, strict=True)),
    )


# ---- reader's own API (/v1) ----------------------------------------------------------------------

StreamKind = Literal["none", "ndjson", "sse"]


def _stream(server: Server, article: Any, kind: StreamKind, save: bool, key: str = "") -> Response:
    """The translated document: whole, or streamed sentence by sentence (NDJSON lines or SSE events). A long
    document saved to the library goes in a part at a time (``_in_parts``)."""
    from reader.api import iter_article
    from reader.library import parts

    translator = server.translator()
    in_parts = save and parts.is_long(article, server.settings.part_pages)

    def events() -> Iterator[tuple[str, dict[str, Any]]]:
        with server.batcher.session():
            if in_parts:
                yield from _in_parts(server, article, translator, key or _key(article))
                return
            sent: set[int] = set()
            document = None
            for progress in iter_article(article, translator, server.settings):
                if document is None:
                    yield "start", {"total": progress.total, "document": progress.document.to_dict()}
                document = progress.document
                for index, pair in enumerate(document.sentences):
                    if index not in sent and pair.translation and "pending" not in pair.flags:
                        sent.add(index)
                        yield "sentence", {"index": index, "sentence": _sentence(pair)}
            if document is None:
                return
            body = document.to_dict()
            if save:
                library = server.library()
                id_ = library.add(document, _key(article))
                body = library.get(id_).to_dict() | {"id": id_}
            yield "done", {"document": body}

    if kind == "none":
        *_, (_, last) = events()
        return JSONResponse(last["document"])

    def lines() -> Iterator[str]:
        try:
            for name, payload in events():
                data = json.dumps({"type": name, **payload}, ensure_ascii=False)
                yield f"event: {name}\ndata: {data}\n\n" if kind == "sse" else data + "\n"
        except Exception as exc:
            message = first_line(exc) if isinstance(exc, ReaderError) else "internal error"
            if not isinstance(exc, ReaderError | TimeoutError):
                log.exception("unexpected error while streaming")
            data = json.dumps({"type": "error", "error": message})
            yield f"event: error\ndata: {data}\n\n" if kind == "sse" else data + "\n"

    media = "text/event-stream" if kind == "sse" else "application/x-ndjson"
    return StreamingResponse(lines(), media_type=media, headers={"Cache-Control": "no-store"})


def _in_parts(server: Server, article: Any, translator: Any, key: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A long document into the library part by part (``reader.library.parts``), resumed where a run before
    stopped: ``start`` with the pages already there, the sentences of each part as it is committed, a ``pages``
    event after each part (``GET /v1/documents/{id}`` reads the pages so far meanwhile), then ``done``."""
    from reader.library import document_id, parts

    library = server.library()
    id_ = document_id(key)
    sent = -1  # before the start event
    for step in parts.iter_into(library, key, article, translator, server.settings):
        sentences = step.document.sentences
        if sent < 0:
            yield "start", {"total": step.total, "done": step.done, "unit": "pages", "id": id_,
                            "document": step.document.to_dict()}
        else:
            for index in range(sent, len(sentences)):
                yield "sentence", {"index": index, "sentence": _sentence(sentences[index])}
            yield "pages", {"done": step.done, "total": step.total, "id": id_}
        sent = len(sentences)
    yield "done", {"document": library.get(id_).to_dict() | {"id": id_}}


def _upload_key(path: Path, name: str) -> str:
    """A saved upload's library key, known before it is read: its bytes' digest, so that the same long document
    sent again after a stop goes on where it stopped."""
    from reader.ingest import file_digest
    from reader.library import library_key

    return library_key(name=f"api:{file_digest(path)[:16]}/{name}")


def _sentence(pair: Any) -> dict[str, Any]:
    return {
        "start": pair.start,
        "end": pair.end,
        "source": pair.source,
        "translation": pair.translation,
        "shown": pair.shown,
        "alignment": [list(p) for p in pair.alignment],
        "score": pair.score,
        "flags": list(pair.flags),
    }


def _key(article: Any) -> str:
    from reader.library import library_key

    url = article.url or (article.source if article.source.startswith(("http://", "https://")) else "")
    return library_key(url=url, text=article.text, origin="api")


STREAM_QUERY = Query(
    "none", description="none: one JSON document; ndjson or sse: a start event, one per sentence, then done"
)
DOCUMENT_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "model": schemas.DocumentOut,
        "content": {"application/x-ndjson": {}, "text/event-stream": {}},
        "description": "The document, or its events when streamed",
    },
    **ERRORS,
}


DocId = Annotated[str, Path_(pattern=r"^[a-z0-9-]{1,80}$", description="A library document's id")]
WITH_404: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": schemas.Error, "description": "No such document"}}


def _v1_routes(app: FastAPI) -> None:
    @app.post("/v1/translate", responses=DOCUMENT_ANSWER, response_model=None, tags=["documents"])
    def translate_text(
        body: schemas.TextRequest, server: ServerDep, request: Request, stream: StreamKind = STREAM_QUERY
    ) -> Response:
        """Translate Arabic text (or an HTML page's article) into a document with sentence pairs and alignments."""
        from reader import ingest

        server.authorize(_bearer(request), chars=len(body.text), write=body.save)
        article = ingest.read_text(body.text, source="api", settings=server.settings)
        if body.title:
            from dataclasses import replace

            article = replace(article, meta=replace(article.meta, title=body.title))
        return _stream(server, article, stream, body.save)

    @app.post("/v1/translate/url", responses=DOCUMENT_ANSWER, response_model=None, tags=["documents"])
    def translate_url(
        body: schemas.UrlRequest, server: ServerDep, request: Request, stream: StreamKind = STREAM_QUERY
    ) -> Response:
        """Fetch a page through reader's safe fetcher (no private addresses), and translate its article."""
        from reader import ingest

        server.authorize(_bearer(request), write=body.save)
        article = ingest.fetch_article(body.url, server.settings)
        server.authorize(None, chars=len(article.text))
        return _stream(server, article, stream, body.save)

    @app.post("/v1/translate/file", responses=DOCUMENT_ANSWER, response_model=None, tags=["documents"])
    def translate_file(
        server: ServerDep,
        request: Request,
        file: Annotated[UploadFile, File(description="A file `reader translate` reads (.txt, .md, .html...)")],
        save: Annotated[bool, Form()] = False,
        stream: StreamKind = STREAM_QUERY,
    ) -> Response:
        """Translate an uploaded file."""
        from reader import ingest

        server.authorize(_bearer(request), write=save)
        name = Path(file.filename or "upload.txt").name
        suffix = Path(name).suffix.lower()[:10] or ".txt"
        from reader import documents
        from reader.library import parts

        key = ""
        with tempfile.TemporaryDirectory(prefix="reader-upload-") as folder:
            path = Path(folder) / f"upload{suffix}"
            # Read past the text limit: a document has its own (READER_MAX_DOCUMENT_BYTES), checked when it is read.
            limit = max(server.settings.max_input_bytes, server.settings.max_document_bytes)
            path.write_bytes(file.file.read(limit + 1))
            if save and documents.kind_of(path):
                key = _upload_key(path, name)
            # A long PDF a stopped run left in the library is read only from where it stopped.
            resumed = parts.resume_article(server.library(), key, path, server.settings) if key else None
            article = resumed or ingest.read_file(path, server.settings)
        from dataclasses import replace

        article = replace(article, source=name, meta=replace(article.meta, source=name))
        server.authorize(None, chars=len(article.text))
        return _stream(server, article, stream, save, key)

    @app.get("/v1/documents", response_model=schemas.DocumentList, tags=["library"])
    def documents(
        server: ServerDep,
        request: Request,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> dict[str, Any]:
        """The library's documents, newest first."""
        server.authorize(_bearer(request))
        page = server.library().page(offset=offset, limit=limit)
        return {"total": page.total, "documents": [row.to_dict() for row in page.rows]}

    @app.get("/v1/search", response_model=schemas.SearchPage, responses=ERRORS, tags=["library"])
    def search(
        server: ServerDep,
        request: Request,
        q: Annotated[str, Query(min_length=1, max_length=500)],
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """Search the library in Arabic or English; each result with its first matching sentence pairs."""
        server.authorize(_bearer(request))
        page = server.library().search(q, offset=offset, limit=limit)
        return {
            "query": page.query,
            "total": page.total,
            "results": [
                {
                    "document": result.row.to_dict(),
                    "hits": [
                        {"sentence": h.sentence, "source": h.source, "translation": h.translation} for h in result.hits
                    ],
                    "more": result.more,
                }
                for result in page.results
            ],
        }

    @app.get(
        "/v1/documents/{doc_id}.{fmt}",
        response_class=Response,
        responses={200: {"content": {t.split(";")[0]: {} for t in EXPORT_TYPES.values()}}, **WITH_404},
        tags=["library"],
    )
    def export(
        doc_id: DocId,
        fmt: Literal["json", "html", "md", "tmx", "pdf", "epub"],
        server: ServerDep,
        request: Request,
    ) -> Response:
        """A library document as PDF, EPUB, HTML, Markdown, TMX or the interchange JSON."""
        from reader import export as exports

        server.authorize(_bearer(request))
        data = exports.render(server.library().get(doc_id), fmt)
        return Response(data, media_type=EXPORT_TYPES[fmt], headers={"X-Content-Type-Options": "nosniff"})

    @app.get(
        "/v1/documents/{doc_id}",
        response_model=schemas.DocumentOut,
        response_model_exclude_unset=True,  # the interchange format as written, no defaults added
        responses=WITH_404,
        tags=["library"],
    )
    def document(doc_id: DocId, server: ServerDep, request: Request) -> dict:
        """A library document in the interchange format, the reader's edits shown."""
        server.authorize(_bearer(request))
        return server.library().get(doc_id).to_dict() | {"id": doc_id}

    @app.get("/v1/documents/{doc_id}/edits", response_model=list[schemas.EditOut], responses=WITH_404, tags=["edits"])
    def edits(doc_id: DocId, server: ServerDep, request: Request) -> list[dict]:
        """Every sentence of a document: its machine translation, what is shown, and the reader's edit."""
        server.authorize(_bearer(request))
        return [_edit_out(i, pair) for i, pair in enumerate(server.library().get(doc_id).sentences)]

    @app.put(
        "/v1/documents/{doc_id}/edits/{index}",
        response_model=schemas.EditOut,
        responses=WITH_404,
        tags=["edits"],
    )
    def save_edit(
        doc_id: DocId,
        index: Annotated[int, Path_(ge=0, le=1_000_000)],
        body: schemas.EditRequest,
        server: ServerDep,
        request: Request,
    ) -> dict:
        """Keep the reader's version of sentence ``index`` (aligned by the model); an empty text reverts it."""
        from reader.library import editing

        server.authorize(_bearer(request), chars=len(body.text), write=True)
        library = server.library()
        with server.batcher.session():
            document = editing.save(library, doc_id, index, body.text, How.TYPED, server.translator(), server.settings)
        return _edit_out(index, document.sentences[index])

    @app.get("/v1/feeds", response_model=list[schemas.FeedOut], tags=["feeds"])
    def feeds(server: ServerDep, request: Request) -> list[dict]:
        """The feeds the library follows."""
        server.authorize(_bearer(request))
        return [_feed_out(feed) for feed in server.library().feeds()]

    @app.post("/v1/feeds", response_model=schemas.FeedOut, responses=ERRORS, tags=["feeds"])
    def subscribe(body: schemas.FeedRequest, server: ServerDep, request: Request) -> dict:
        """Follow a feed (``reader feeds check`` or the app translates its new articles)."""
        server.authorize(_bearer(request), write=True)
        return _feed_out(server.library().subscribe(body.url, title=body.title, auto_translate=body.auto_translate))

    @app.delete("/v1/feeds", response_model=list[schemas.FeedOut], responses=WITH_404, tags=["feeds"])
    def unsubscribe(
        url: Annotated[str, Query(min_length=1, max_length=4000)], server: ServerDep, request: Request
    ) -> list[dict]:
        """Stop following a feed; the feeds left."""
        server.authorize(_bearer(request), write=True)
        library = server.library()
        library.unsubscribe(url)
        return [_feed_out(feed) for feed in library.feeds()]


def _edit_out(index: int, pair: Any) -> dict[str, Any]:
    return {
        "sentence": index,
        "source": pair.source,
        "translation": pair.translation,
        "shown": pair.shown,
        "edit": pair.edit.to_dict() if pair.edit else None,
    }


def _feed_out(feed: Any) -> dict[str, Any]:
    return {
        "url": feed.url,
        "title": feed.title,
        "auto_translate": feed.auto_translate,
        "last_checked": feed.last_checked,
        "last_error": feed.last_error,
    }


FEED_FORMATS = {"atom": "application/atom+xml", "json": "application/feed+json"}


def _feed_routes(app: FastAPI) -> None:
    """Translated feeds out (``reader.publish``), at the same names as the static files in ``LIB/feeds/``."""

    @app.get("/feeds/", response_model=list[schemas.FeedLink], tags=["feeds"])
    def feed_index(server: ServerDep, request: Request) -> list[dict[str, str]]:
        """Every translated feed: the whole library's, and one per source feed."""
        from reader.publish import source_feeds
        from reader.publish.static import LIBRARY_STEM, feed_stem

        server.authorize(_bearer(request))
        stems = [("", LIBRARY_STEM)] + [(url, feed_stem(url)) for url in source_feeds(server.library())]
        return [{"source": url, "atom": f"/feeds/{stem}.atom", "json": f"/feeds/{stem}.json"} for url, stem in stems]

    @app.get(
        "/feeds/{stem}.{fmt}",
        response_class=Response,
        responses={200: {"content": {t: {} for t in FEED_FORMATS.values()}}, **WITH_404},
        tags=["feeds"],
    )
    def feed(
        stem: Annotated[str, Path_(pattern=r"^[a-z0-9-]{1,80}$")],
        fmt: Literal["atom", "json"],
        server: ServerDep,
        request: Request,
    ) -> Response:
        """A translated feed, as Atom 1.0 or JSON Feed 1.1: ``library``, or a source feed's name from /feeds/."""
        from reader import publish
        from reader.publish.static import LIBRARY_STEM, feed_stem

        server.authorize(_bearer(request))
        library = server.library()
        if stem == LIBRARY_STEM:
            translated = publish.library_feed(library)
        else:
            url = next((u for u in publish.source_feeds(library) if feed_stem(u) == stem), None)
            if url is None:
                raise ApiError(404, f"no translated feed {stem!r}: /feeds/ lists them")
            translated = publish.source_feed(library, url)
        data = publish.render(translated, fmt, self_url=str(request.url.remove_query_params("api_key")))
        return Response(data, media_type=publish.media_type(fmt), headers={"X-Content-Type-Options": "nosniff"})
