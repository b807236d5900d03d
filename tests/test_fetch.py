"""Safe fetching: schemes, private addresses, timeouts, size caps and redirects (all on 127.0.0.1)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from reader import fetch
from reader.config import Settings
from reader.errors import FetchError
from reader.fetch import MAX_REDIRECTS, fetch_url
from tests.support.http_server import LocalServer, page, redirect, stall, stream


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def allowed(**overrides) -> Settings:
    return Settings.load(allow_private_urls=True, **overrides)


def strict(**overrides) -> Settings:
    return Settings.load(allow_private_urls=False, **overrides)


def test_fetches_page_with_metadata_and_user_agent(server):
    server.routes["/a"] = page("<p>مرحبا</p>", content_type="text/html; charset=windows-1256")
    result = fetch_url(server.url("/a"), allowed())
    assert result.body == "<p>مرحبا</p>".encode()
    assert result.content_type == "text/html"
    assert result.encoding == "windows-1256"
    assert result.url == result.final_url == server.url("/a")
    assert server.headers[0]["User-Agent"].startswith("reader/")


def test_allow_private_urls_comes_from_the_environment(monkeypatch, server):
    server.routes["/a"] = page("ok")
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    assert fetch_url(server.url("/a"), Settings.load()).body == b"ok"
    monkeypatch.delenv("READER_ALLOW_PRIVATE_URLS")
    with pytest.raises(FetchError, match="loopback"):
        fetch_url(server.url("/a"), Settings.load())


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "'file:'"),
        ("ftp://example.com/article.txt", "'ftp:'"),
        ("javascript:alert(1)", "'javascript:'"),
        ("data:text/html,<script>alert(1)</script>", "'data:'"),
        ("example.com/article", "no scheme"),
    ],
)
def test_only_http_and_https(url, scheme):
    with pytest.raises(FetchError) as info:
        fetch_url(url, allowed())
    assert str(info.value) == f"cannot fetch {url}: only http and https URLs are allowed, not {scheme}"


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "a loopback"),
        ("localhost", "a loopback"),
        ("[::1]", "a loopback"),
        ("2130706433", "a loopback"),  # 127.0.0.1 written as one number
        ("[::ffff:127.0.0.1]", "a loopback"),
        ("10.1.2.3", "a private"),
        ("192.168.0.10", "a private"),
        ("169.254.169.254", "a link-local"),
        ("224.0.0.1", "a multicast"),
        ("0.0.0.0", "an unspecified"),
        ("240.0.0.1", "a reserved"),
        ("100.64.0.1", "a non-public"),
    ],
)
def test_private_addresses_refused_before_connecting(host, kind, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("a refused address must not be connected to")

    monkeypatch.setattr(socket.socket, "connect", no_connection)
    with pytest.raises(FetchError) as info:
        fetch_url(f"http://{host}/latest/meta-data", strict())
    message = str(info.value)
    assert message.startswith(f"cannot fetch http://{host}/latest/meta-data: ")
    assert f"resolves to {kind} address" in message
    assert "READER_ALLOW_PRIVATE_URLS=1" in message


def test_every_resolved_address_is_checked(monkeypatch):
    """A host with one public and one private address is refused."""

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(FetchError, match=r"news\.example resolves to a private address 10\.0\.0\.7"):
        fetch_url("https://news.example/article", strict())


def test_unresolvable_host(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(
        FetchError, match=r"cannot fetch https://nowhere\.example/x: cannot resolve host 'nowhere\.example'"
    ):
        fetch_url("https://nowhere.example/x", strict())


def test_connected_address_is_checked_again(server, monkeypatch):
    """DNS rebinding: the check saw a public address, the connection reached loopback."""
    server.routes["/a"] = page("secret")
    monkeypatch.setattr(fetch, "_resolve", lambda host, port, shown: [ipaddress.ip_address("93.184.215.14")])
    with pytest.raises(FetchError, match=r"connected to a loopback address 127\.0\.0\.1, which is refused"):
        fetch_url(server.url("/a"), strict())


def refusal(server, handler, **flags) -> tuple[str, str]:
    """The URL of a page ``handler`` serves, and the one-line FetchError that fetching it (with ``flags``) gives."""
    server.routes["/page"] = handler
    url = server.url("/page")
    with pytest.raises(FetchError) as info:
        fetch_url(url, allowed(**flags))
    return url, str(info.value)


def test_stalling_server_times_out(server):
    url, message = refusal(server, stall(10), fetch_timeout=0.5)
    assert message == f"cannot fetch {url}: timed out after 0.5 s"


def test_server_stalling_mid_body_times_out(server):
    server.routes["/slow"] = stall(10, after_headers=True)
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        fetch_url(server.url("/slow"), allowed(fetch_timeout=0.5))


@pytest.mark.parametrize(
    ("size", "declared", "why"),
    [
        (1_000_000, True, "the page is 1,000,000 bytes, over the limit of 100,000"),  # refused from its header
        (50_000_000, False, "the page is over the limit of 100,000 bytes"),  # stopped while streaming
    ],
)
def test_a_page_over_the_size_cap_is_refused(server, size, declared, why):
    url, message = refusal(server, stream(size, declare_length=declared), fetch_max_bytes=100_000)
    assert message == f"cannot fetch {url}: {why} (READER_FETCH_MAX_BYTES)"


def test_size_at_cap_is_fine(server):
    server.routes["/ok"] = stream(100_000, declare_length=False)
    assert len(fetch_url(server.url("/ok"), allowed(fetch_max_bytes=100_000)).body) == 100_000


def test_redirects_followed_up_to_the_limit(server):
    for i in range(MAX_REDIRECTS):
        server.routes[f"/r{i}"] = redirect(f"/r{i + 1}", status=301 if i % 2 else 302)
    server.routes[f"/r{MAX_REDIRECTS}"] = page("arrived")
    result = fetch_url(server.url("/r0"), allowed())
    assert result.body == b"arrived"
    assert result.final_url == server.url(f"/r{MAX_REDIRECTS}")


def test_too_many_redirects(server):
    server.routes["/loop"] = redirect("/loop")
    url = server.url("/loop")
    with pytest.raises(FetchError) as info:
        fetch_url(url, allowed())
    assert str(info.value) == f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects"
    assert len(server.requests) == MAX_REDIRECTS + 1


def test_redirect_to_private_address_refused(server, monkeypatch):
    """The test server itself counts as public here; the redirect target must still be checked."""
    real = fetch.refusal_reason
    monkeypatch.setattr(fetch, "refusal_reason", lambda a: "" if a == ipaddress.ip_address("127.0.0.1") else real(a))
    server.routes["/go"] = redirect("http://169.254.169.254/latest/meta-data/")
    url = server.url("/go")
    with pytest.raises(FetchError) as info:
        fetch_url(url, strict())
    assert str(info.value) == (
        f"cannot fetch {url} (redirected to http://169.254.169.254/latest/meta-data/): 169.254.169.254 "
        "resolves to a link-local address 169.254.169.254, which is refused "
        "(set READER_ALLOW_PRIVATE_URLS=1 to allow it)"
    )


def test_redirect_to_other_scheme_refused(server):
    server.routes["/go"] = redirect("file:///etc/passwd")
    url = server.url("/go")
    with pytest.raises(FetchError) as info:
        fetch_url(url, allowed())
    assert str(info.value) == (
        f"cannot fetch {url} (redirected to file:///etc/passwd): only http and https URLs are allowed, not 'file:'"
    )


def test_http_error_status(server):
    url = server.url("/missing")
    with pytest.raises(FetchError) as info:
        fetch_url(url, allowed())
    assert str(info.value) == f"cannot fetch {url}: the server answered HTTP 404 Not Found"


def test_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    with pytest.raises(FetchError, match=rf"^cannot fetch {url}: cannot connect"):
        fetch_url(url, allowed())
