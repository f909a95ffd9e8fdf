"""`deckpoll serve` as a user runs it: a subprocess that prints its links and serves them."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from deckpoll.server.run import GC_YOUNG, default_store_url, lan_address, public_host
from deckpoll.server.talk import join_code
from deckpoll.stores.base import open_store
from server_fixtures import minted, redis_url  # noqa: F401 - a fixture

DECK_YAML = "title: Run test\nlang: sv\nslides: [s.md]\npolls:\n  url: http://elsewhere.invalid:9\n"
SLIDES = "# Hej\n\n---\n\n```poll\nid: q\nkind: single\nquestion: Ja?\noptions: [Ja, Nej]\n```\n"


def test_lan_address_is_an_ipv4_address():
    address = ipaddress.ip_address(lan_address())
    assert address.version == 4
    assert public_host("0.0.0.0") == str(address)
    assert public_host("127.0.0.1") == "127.0.0.1"


def test_join_code_is_generated_once_and_kept(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"

    async def twice() -> tuple[str, str, str]:
        store = open_store(url, namespace="d")
        first = await join_code(store, None)
        await store.close()
        store = open_store(url, namespace="d")
        second = await join_code(store, None)
        configured = await join_code(store, "490296")
        await store.close()
        return first, second, configured

    first, second, configured = asyncio.run(twice())
    assert re.fullmatch(r"\d{6}", first) and first == second and configured == "490296"


def test_default_store_lives_in_the_deck_and_is_git_ignored(tmp_path):
    url = default_store_url(tmp_path)
    assert url == "sqlite:///" + str((tmp_path / ".deckpoll" / "answers.sqlite3").resolve())
    assert url.startswith("sqlite:////")
    assert (tmp_path / ".deckpoll" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_serve_prints_links_that_work(tmp_path):
    deck = tmp_path / "talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    (deck / "s.md").write_text(SLIDES)
    proc = subprocess.Popen(
        [sys.executable, "-m", "deckpoll", "serve", str(deck), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    try:
        lines = [proc.stdout.readline() for _ in range(5)]
        text = "".join(lines)
        # it says which event loop and HTTP parser it runs (uvicorn[standard] is a dependency)
        assert "Server:    uvicorn, uvloop event loop, httptools HTTP parser" in text, text
        presenter = re.search(r"Presenter: (http://127\.0\.0\.1:\d+/\?key=(\S+))", text)
        audience = re.search(r"Audience:  (http://127\.0\.0\.1:\d+/(\d{6}))", text)
        assert presenter and audience, text
        assert f"Join code: {audience.group(2)}" in text
        base = presenter.group(1).split("/?")[0]
        deadline = time.monotonic() + 15
        while True:
            try:
                page = httpx.get(presenter.group(1), timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert page.status_code == 200 and 'class="dp-deck"' in page.text
        # polls.url in deck.yaml names another backend; serve makes this server the backend
        assert '"url": ""' in page.text or '"url":""' in page.text
        assert audience.group(1) in page.text  # join link (and QR) on the poll slide
        phone = httpx.get(audience.group(1), timeout=5)
        assert phone.status_code == 200 and '<html lang="sv">' in phone.text
        auth = {"Authorization": f"Bearer {presenter.group(2)}"}
        r = httpx.post(f"{base}/api/v1/state", json={"slide": 2}, headers=auth, timeout=5)
        assert r.json()["poll"] == "q"
        r = httpx.post(
            f"{base}/api/v1/polls/q/answers",
            json={"choice": "ja"},
            headers={"X-Deckpoll-Voter": minted(base)},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        assert (deck / ".deckpoll" / "answers.sqlite3").exists()
        # a phone's event stream is open while the presenter presses Ctrl-C
        phone_stream = socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])))
        phone_stream.sendall(b"GET /api/v1/events?client=join HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        phone_stream.settimeout(5)
        received = b""
        while b"event: snapshot" not in received:
            received += phone_stream.recv(65536)
    finally:
        os.kill(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        rest = proc.stdout.read()
        proc.stdout.close()
    assert proc.returncode == 0
    assert "Exception" not in rest and "Traceback" not in rest, rest
    tail = b""
    while chunk := phone_stream.recv(65536):
        tail += chunk
    assert tail.endswith(b"0\r\n\r\n")  # the stream was ended, not cut
    phone_stream.close()


def test_serve_with_a_redis_store_and_export(tmp_path, redis_url):  # noqa: F811
    import json

    from deckpoll.results import export

    deck = tmp_path / "redistalk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    (deck / "s.md").write_text(SLIDES)
    proc = subprocess.Popen(
        [sys.executable, "-m", "deckpoll", "serve", str(deck), "--port", "0", "--store", redis_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    try:
        text = "".join(proc.stdout.readline() for _ in range(4))
        presenter = re.search(r"Presenter: (http://127\.0\.0\.1:\d+)/\?key=(\S+)", text)
        assert presenter and redis_url in text, text
        base, key = presenter.groups()
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{base}/api/v1/deck", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {key}"}
        assert httpx.post(f"{base}/api/v1/state", json={"slide": 2}, headers=auth).is_success
        r = httpx.post(
            f"{base}/api/v1/polls/q/answers",
            json={"choice": "nej"},
            headers={"X-Deckpoll-Voter": minted(base)},
        )
        assert r.status_code == 200, r.text
    finally:
        os.kill(proc.pid, signal.SIGINT)
        proc.wait(timeout=10)
        proc.stdout.close()
    assert proc.returncode == 0
    data = json.loads(export(deck, "json", redis_url))
    assert data["polls"][0]["tally"]["options"][1] == {
        "id": "nej",
        "label": "Nej",
        "count": 1,
        "percent": 100.0,
    }


def test_serve_uses_the_public_join_url_from_deck_yaml(tmp_path):
    deck = tmp_path / "talk"
    deck.mkdir()
    public = "https://poll.example.org/490296"
    (deck / "deck.yaml").write_text(
        f'title: Proxy\nlang: sv\nslides: [s.md]\npolls:\n  code: "490296"\n  join_url: {public}\n'
    )
    (deck / "s.md").write_text(SLIDES)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deckpoll",
            "serve",
            str(deck),
            "--port",
            "0",
            "--store",
            "memory://",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        text = "".join(proc.stdout.readline() for _ in range(4))
        assert f"Audience:  {public}\n" in text, text
        presenter = re.search(r"Presenter: (http://127\.0\.0\.1:\d+/\?key=\S+)", text).group(1)
        deadline = time.monotonic() + 15
        while True:
            try:
                page = httpx.get(presenter, timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert f'href="{public}"' in page.text  # on the poll slide, with its QR code
    finally:
        os.kill(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
        proc.stdout.close()


COLLECTOR_APP = r"""
import gc, json, socket, sys
from deckpoll.server.limits import Connections
from deckpoll.server.run import run_server

class App:
    def end_streams(self):
        pass

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = json.dumps({"young": gc.get_threshold()[0], "frozen": gc.get_freeze_count()})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body.encode()})

run_server(App(), socket.socket(fileno=int(sys.argv[1])), Connections(64))
"""


def test_served_requests_run_with_the_collector_tuned():
    """`serve` sets start-up's objects aside and collects the young generation less often
    (run.tune_collector): the bench found a sixth of the CPU per answer in the collector."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", COLLECTOR_APP, str(sock.fileno())], pass_fds=[sock.fileno()], env=env
    )
    sock.close()
    try:
        # The socket already listens: the request waits in its queue until the server reads.
        state = httpx.get(f"http://127.0.0.1:{port}/", timeout=30).json()
        assert state["young"] == GC_YOUNG != 700
        assert state["frozen"] > 1000  # the modules and the app, set aside
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
