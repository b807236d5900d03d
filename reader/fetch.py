"""Safe URL fetching: every page an article or feed comes from is fetched through here.

Articles come from URLs that strangers wrote (feeds, lists), so a fetch must not become a
way to probe the user's own network or to exhaust memory or time:

- only ``http`` and ``https``;
- the host is resolved and *every* address checked: loopback, private, link-local,
  multicast, reserved, unspecified and other non-global addresses are refused unless
  ``settings.allow_private_urls`` (tests enable it to reach their 127.0.0.1 server); the
  address actually connected to is checked again, so DNS answers that change between
  the check and the connection (rebinding) are caught too;
- redirects are followed by hand, at most ``MAX_REDIRECTS``, each hop validated like the first;
- ``settings.fetch_timeout`` bounds connecting and each read, and the whole fetch must end
  within ``TOTAL_TIMEOUT_FACTOR`` times that (a server trickling bytes cannot hold us);
- ``settings.fetch_max_bytes`` is enforced on Content-Length and on the bytes actually
  received (after decompression, so a compression bomb stops at the cap).

Every failure is a ``FetchError`` whose message names the URL and the reason.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from reader import __version__
from reader.errors import FetchError

if TYPE_CHECKING:
    import httpx

    from reader.config import Settings

MAX_REDIRECTS = 5
TOTAL_TIMEOUT_FACTOR = 3
USER_AGENT = f"reader/{__version__} (Arabic-English bilingual reader; batch translation)"
_ALLOWED_SCHEMES = ("http", "https")
_REDIRECT_CODES = (301, 302, 303, 307, 308)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchedPage:
    url: str
    """The URL that was asked for."""
    final_url: str
    """Where the content came from after redirects."""
    content_type: str
    """The media type without parameters, lower-cased ('' when the server sent none)."""
    body: bytes
    encoding: str | None
    """The charset the server declared, if any."""


def fetch_url(url: str, settings: Settings) -> FetchedPage:
    """GET ``url`` under the rules in the module docstring; raise FetchError on any failure."""
    import httpx

    deadline = time.monotonic() + settings.fetch_timeout * TOTAL_TIMEOUT_FACTOR
    timeout = httpx.Timeout(settings.fetch_timeout)
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    current = url
    # trust_env=False: no proxy from the environment may route around the address checks.
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False, trust_env=False) as client:
        for hop in range(MAX_REDIRECTS + 1):
            check_url(current, settings, original=url)
            if time.monotonic() > deadline:
                raise FetchError(f"cannot fetch {url}: took too long (over {TOTAL_TIMEOUT_FACTOR}x the timeout)")
            try:
                with client.stream("GET", current) as response:
                    _check_peer(response, current, settings, original=url)
                    if response.status_code in _REDIRECT_CODES:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(f"cannot fetch {url}: redirect from {current} without a Location")
                        current = urljoin(current, location.strip())
                        continue
                    if response.status_code >= 400:
                        phrase = response.reason_phrase or ""
                        raise FetchError(
                            f"cannot fetch {url}: the server answered HTTP {response.status_code} {phrase}".rstrip()
                        )
                    body = _read_capped(response, url, settings.fetch_max_bytes, deadline)
                    content_type = response.headers.get("content-type", "")
                    return FetchedPage(
                        url=url,
                        final_url=current,
                        content_type=content_type.split(";")[0].strip().lower(),
                        body=body,
                        encoding=response.charset_encoding,
                    )
            except httpx.TimeoutException:
                raise FetchError(
                    f"cannot fetch {url}: timed out after {settings.fetch_timeout:g} s"
                    + (f" (at {current})" if hop else "")
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(f"cannot fetch {url}: {_describe(exc)}") from None
    raise FetchError(f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects")


def check_url(url: str, settings: Settings, *, original: str | None = None) -> None:
    """Refuse a URL whose scheme or host is not allowed (resolving the host name)."""
    shown = original or url
    via = "" if original in (None, url) else f" (redirected to {url})"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"cannot fetch {shown}: malformed URL{via}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        shown_scheme = f"'{scheme}:'" if scheme else "no scheme"
        raise FetchError(f"cannot fetch {shown}{via}: only http and https URLs are allowed, not {shown_scheme}")
    host = parts.hostname
    if not host:
        raise FetchError(f"cannot fetch {shown}{via}: the URL has no host")
    if settings.allow_private_urls:
        return
    for address in _resolve(host, port or (443 if scheme == "https" else 80), shown):
        reason = refusal_reason(address)
        if reason:
            raise FetchError(
                f"cannot fetch {shown}{via}: {host} resolves to {reason} address {address}, which is refused "
                "(set READER_ALLOW_PRIVATE_URLS=1 to allow it)"
            )


def refusal_reason(address: IPAddress) -> str:
    """Why an address may not be fetched from ('' when it is a public address)."""
    # IPv6 forms that carry an IPv4 address (mapped, 6to4) are judged by that address.
    # (Teredo, 2001::/32, is already non-global.)
    for embedded in (getattr(address, name, None) for name in ("ipv4_mapped", "sixtofour")):
        if embedded is not None:
            return refusal_reason(embedded)
    checks = (
        ("a site-local", getattr(address, "is_site_local", False)),
        ("an unspecified", address.is_unspecified),
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
        ("a non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), "")


def _resolve(host: str, port: int, shown: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot fetch {shown}: cannot resolve host {host!r} ({exc})") from None
    addresses = []
    for info in infos:
        # Scope ids ("fe80::1%eth0") are not part of the address itself.
        addresses.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
    if not addresses:
        raise FetchError(f"cannot fetch {shown}: host {host!r} has no address")
    return addresses


def _check_peer(response: httpx.Response, url: str, settings: Settings, *, original: str) -> None:
    """Check the address actually connected to, closing the gap between resolving and connecting."""
    if settings.allow_private_urls:
        return
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        return
    address = ipaddress.ip_address(str(peer[0]).split("%")[0])
    reason = refusal_reason(address)
    if reason:
        raise FetchError(f"cannot fetch {original}: {url} connected to {reason} address {address}, which is refused")


def _read_capped(response: httpx.Response, url: str, limit: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise FetchError(
            f"cannot fetch {url}: the page is {int(declared):,} bytes, over the limit of {limit:,} "
            "(READER_FETCH_MAX_BYTES)"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(
                f"cannot fetch {url}: the page is over the limit of {limit:,} bytes (READER_FETCH_MAX_BYTES)"
            )
        if time.monotonic() > deadline:
            raise FetchError(f"cannot fetch {url}: took too long (over {TOTAL_TIMEOUT_FACTOR}x the timeout)")
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the HTTP protocol ({exc})"
    if isinstance(exc, httpx.DecodingError):
        return f"the response could not be decoded ({exc})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
