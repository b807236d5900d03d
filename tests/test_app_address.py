"""The app listens on loopback only: started exactly as `make run` starts it, nothing else can reach it.

The app reads, edits, subscribes feeds and starts translations for whoever opens it, with no login:
on every interface (Streamlit's default), anyone on the same network could. The command is taken from
`make -n run` (the Makefile's own recipe, not a copy of it); the socket table then says where it listens.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.browser import free_port
from tests.support.streamlit_server import stop

ROOT = Path(__file__).resolve().parent.parent
LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp*


def recipe(target: str, port: int) -> list[str]:
    """The `streamlit run` command of a Makefile target, as make would run it."""
    dry = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"PORT={port}"], capture_output=True, text=True, check=True
    )
    lines = [line for line in dry.stdout.replace("\\\n", " ").splitlines() if "streamlit run" in line]
    if len(lines) != 1:
        raise AssertionError(f"`make -n {target}` has {len(lines)} streamlit commands:\n{dry.stdout}")
    words = shlex.split(lines[0])
    return words[next(i for i, word in enumerate(words) if word.endswith("streamlit")) :]


def listening(port: int) -> set[str]:
    """The local addresses (hex, as the kernel writes them) that listen on ``port``, IPv4 and IPv6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == LISTEN and int(hex_port, 16) == port:
                found.add(address)
    return found


def outward_address() -> str | None:
    """This machine's address on its default route, if it has one (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
        except OSError:
            return None
        address = sock.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).text == "ok"
    except httpx.HTTPError:
        return False


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1


@pytest.mark.slow
@pytest.mark.parametrize("how", ["make run", "streamlit run streamlit_app.py"])
def test_the_app_listens_on_loopback_only(how: str, tmp_path: Path) -> None:
    port = free_port()
    if how == "make run":
        command = recipe("run", port)
        if not (ROOT / command[0]).exists():
            pytest.skip(f"{command[0]} is not installed here (make run installs it)")
    else:  # no address flag at all: the repository's .streamlit/config.toml decides
        command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port)]
    environment = dict(os.environ, READER_LIBRARY=str(tmp_path / "library"), STREAMLIT_SERVER_HEADLESS="true")
    with (tmp_path / "log").open("wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not healthy(port):
            assert server.poll() is None, (tmp_path / "log").read_text()
            assert time.monotonic() < deadline, "the app did not start within 120 s"
            time.sleep(0.3)
        assert listening(port) <= LOOPBACK, f"{how} listens on {listening(port)}, not only on loopback"
        outward = outward_address()
        if outward is not None:
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"http://{outward}:{port}/_stcore/health", timeout=10)
    finally:
        stop(server)


def test_the_offline_demo_listens_on_loopback_too() -> None:
    """`make demo` trains the toy model first, so its recipe is read rather than run."""
    assert recipe("demo", 8765)[-4:] == ["--server.address", "127.0.0.1", "--server.port", "8765"]
