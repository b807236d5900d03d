"""A web page on another loopback origin cannot call ``reader serve`` from a browser unless its origin is listed.

Two pages, each served from its own port (so its own origin), call the API with ``fetch``: a JSON POST
(which the browser preflights) and a form POST (which it does not). The server lists one origin only.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support import serve
from tests.support.toy import heldout_pairs

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CALLS = """async (api) => {
  const results = {};
  const attempts = {
    json: () => fetch(api + "/translate", {method: "POST", headers: {"Content-Type": "application/json"},
                 body: JSON.stringify({q: SENTENCE, source: "ar", target: "en"})}),
    form: () => fetch(api + "/translate", {method: "POST",
                 body: new URLSearchParams({q: SENTENCE, source: "ar", target: "en"})}),
    languages: () => fetch(api + "/languages"),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    try {
      const answer = await attempt();
      results[name] = {status: answer.status, body: await answer.text()};
    } catch (error) {
      results[name] = {error: String(error)};
    }
  }
  return results;
}"""


def _static_site(folder: Path) -> ThreadingHTTPServer:
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>page</title><p>a page</p>", encoding="utf-8")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    return site


def test_only_a_listed_origin_can_call_the_api(browser, tmp_path: Path, toy_model_dir: Path):
    listed, other = _static_site(tmp_path / "listed"), _static_site(tmp_path / "other")
    listed_origin = f"http://127.0.0.1:{listed.server_address[1]}"
    other_origin = f"http://127.0.0.1:{other.server_address[1]}"
    sentence = heldout_pairs()[0].source
    try:
        with serve.reader_serve(tmp_path, toy_model_dir, cors_origins=[listed_origin]) as served:
            results = {}
            for origin in (listed_origin, other_origin):
                page = browser.new_page()
                page.goto(f"{origin}/index.html")
                results[origin] = page.evaluate(CALLS.replace("SENTENCE", repr(sentence)), served.url)
                page.close()
    finally:
        listed.shutdown()
        other.shutdown()

    allowed = results[listed_origin]
    assert allowed["json"]["status"] == 200 and "translatedText" in allowed["json"]["body"]
    assert allowed["form"]["status"] == 200 and allowed["languages"]["status"] == 200
    refused = results[other_origin]
    assert all("error" in refused[name] and "Failed to fetch" in refused[name]["error"] for name in refused), refused
