"""index.html: every translated article of an output folder, with links to its files.

Titles, dates and sources come from hostile pages, so every value is HTML-escaped, only
http(s) sources become links, file links are percent-encoded relative paths, and a
Content-Security-Policy forbids scripts altogether.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from reader.batch.manifest import Row
from reader.export import write_atomic

INDEX_NAME = "index.html"

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; }
ol { padding: 0; list-style: none; }
li { border-bottom: 1px solid #ddd; padding: .8rem 0; }
.title { font-size: 1.15rem; font-weight: 600; }
.headline { color: #333; margin: .2rem 0; }
.meta { color: #666; font-size: .9rem; }
.files a { margin-inline-end: .8rem; }
""".strip()


def render_index(rows: Sequence[Row]) -> str:
    """The page for these rows, newest date first (undated last), then by title."""
    ordered = sorted(rows, key=lambda r: (r.date == "", _negated(r.date), r.title or r.key))
    items = "\n".join(_item(row) for row in ordered)
    count = f"{len(ordered)} article{'s' if len(ordered) != 1 else ''}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Translated articles</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Translated articles <span class="meta">({count})</span></h1>
<ol>
{items}
</ol>
</body>
</html>
"""


def write_index(out_dir: Path, rows: Sequence[Row]) -> Path:
    path = out_dir / INDEX_NAME
    write_atomic(path, render_index(rows).encode("utf-8"))
    return path


def _item(row: Row) -> str:
    e = html.escape
    title = row.title or row.headline or row.key
    parts = [f'<li><div class="title" dir="auto" lang="ar">{e(title)}</div>']
    if row.headline and row.headline != title:
        parts.append(f'<div class="headline" dir="auto" lang="en">{e(row.headline)}</div>')
    meta = []
    if row.date:
        meta.append(f"<time>{e(row.date)}</time>")
    source = row.source or row.key
    if urlsplit(source).scheme.lower() in ("http", "https"):
        meta.append(f'<a href="{e(source)}" rel="noopener noreferrer nofollow">{e(source)}</a>')
    else:
        meta.append(f'<span dir="ltr">{e(source)}</span>')
    meta.append(f"{row.sentences} sentence{'s' if row.sentences != 1 else ''}")
    parts.append(f'<div class="meta">{" · ".join(meta)}</div>')
    links = " ".join(
        f'<a href="{e(quote(output))}">{e(PurePosixPath(output).suffix.lstrip(".").upper())}</a>'
        for output in row.outputs
    )
    parts.append(f'<div class="files">{links}</div></li>')
    return "".join(parts)


def _negated(date: str) -> tuple[int, ...]:
    """Sort key putting later ISO dates first."""
    return tuple(-ord(ch) for ch in date)
