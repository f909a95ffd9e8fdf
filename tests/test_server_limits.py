"""Idle and half-sent connections cannot lock the presenter out (issue #12, item 6)."""

from __future__ import annotations

import re
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deckpoll.server.limits import Connections, raise_open_files

DECK_YAML = "title: Limits\nlang: en\n"
SLIDES = "# One\n\n---\n\n# Two\n\n---\n\n# Three\n"
IDLE = 1100


def _serve(
    deck: Path, open_files: int, args: tuple[str, ...] = ("--store", "memory://")
) -> tuple[subprocess.Popen, str, str, str]:
    """`deckpoll serve` in a process whose open-file limit is `open_files` (soft and hard:
    as under `ulimit -n`, where raising it is not possible); returns the process, its
    base URL, the presenter key and what it printed."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deckpoll",
            "serve",
            str(deck),
            "--port",
            "0",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=limit,
    )
    lines = []
    while not any(line.startswith("  Capacity:") for line in lines):
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("serve ended: " + "".join(lines))
        lines.append(line)
    text = "".join(lines)
    found = re.search(r"Presenter: (http://127\.0\.0\.1:\d+)/\?key=(\S+)", text)
    assert found, text
    return proc, found.group(1), found.group(2), text


def _stop(proc: subprocess.Popen) -> str:
    """End the server; returns what it printed after the links."""
    proc.terminate()
    try:
        rest, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, _ = proc.communicate()
    return rest


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(base + "/api/v1/deck", timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    folder = tmp_path / "deck"
    folder.mkdir()
    (folder / "deck.yaml").write_text(DECK_YAML)
    (folder / "slides.md").write_text(SLIDES)
    return folder


def test_presenter_gets_through_1100_idle_connections_at_ulimit_1024(deck: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < IDLE + 200:
        pytest.skip(f"this test needs {IDLE + 200} open files; the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, IDLE + 200), hard))
    proc, base, key, printed = _serve(deck, 1024)
    idle: list[socket.socket] = []
    try:
        assert re.search(r"Capacity:  about \d+ phones at once \(open-file limit 1024\)", printed)
        _wait_up(base)
        port = int(base.rsplit(":", 1)[1])
        for index in range(IDLE):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            if index % 2:
                sock.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # half a request
            idle.append(sock)
        time.sleep(0.5)  # let the server accept what it can
        started = time.monotonic()
        answer = httpx.post(
            base + "/api/v1/state",
            json={"slide": 2, "fragment": 0},
            headers={"Authorization": f"Bearer {key}"},
            timeout=2.0,
        )
        assert answer.status_code == 200, answer.text
        assert time.monotonic() - started < 2.0
        assert httpx.get(base + "/api/v1/deck", timeout=5).json()["live"]["state"]["slide"] == 2
    finally:
        for sock in idle:
            sock.close()
        printed_later = _stop(proc)
    assert "Too many open files" not in printed_later


def test_a_connection_that_sends_no_headers_is_closed(deck: Path) -> None:
    proc, base, _, _ = _serve(deck, 1024)
    try:
        _wait_up(base)
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127")  # never finished
            sock.settimeout(15)
            started = time.monotonic()
            assert sock.recv(100) == b""  # closed by the server
            assert time.monotonic() - started < 12
    finally:
        _stop(proc)


def test_raise_open_files_goes_to_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        lowered = min(soft, 256) if hard == resource.RLIM_INFINITY else min(hard, 256)
        resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
        raised = raise_open_files()
        assert raised == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        assert raised == hard or hard == resource.RLIM_INFINITY
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class _Transport:
    closed = False

    def close(self) -> None:
        self.closed = True


def test_past_capacity_the_oldest_waiting_connection_is_evicted() -> None:
    connections = Connections(capacity=2)
    first, second, third = _Transport(), _Transport(), _Transport()
    for index, transport in enumerate((first, second, third)):
        connections.waiting[index] = transport  # type: ignore[assignment]
        connections.opened(transport)  # type: ignore[arg-type]
    assert first.closed and not second.closed and not third.closed
