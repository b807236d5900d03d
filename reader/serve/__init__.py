"""``reader serve``: an HTTP server over the same translator, sentence cache and library as the app.

- ``app.py``: the routes: LibreTranslate's API (``/translate``, ``/languages``, ``/detect``) so its
  clients work unchanged, and reader's own ``/v1`` API (documents with alignments, streamed; the
  library, its exports, feeds and edits), with OpenAPI at ``/openapi.json``;
- ``batcher.py``: concurrent requests' sentences batched together for the model, in arrival order;
- ``texts.py``: plain text and HTML as LibreTranslate translates them, through reader's pipeline;
- ``keys.py``, ``options.py``, ``guard.py``: API keys and their limits, the start checks (loopback
  unless keys are on), body caps and browser origins;
- ``run.py``: uvicorn, one model per worker process.

See docs/api.md.
"""
