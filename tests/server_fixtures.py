"""Shared test helpers for the poll server: a hand-written manifest and an app runner."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace

import httpx
import pytest

from deckpoll.server.app import create_app
from deckpoll.stores.base import Store, open_store

KEY = "presenter-key-0123456789abcdef"
# The talk's secret the tests put in their stores, so that they can sign voter tokens the
# way the server does (POST /api/v1/voters) without asking it for each.
TEST_SECRET = bytes(range(32))


def signed(ident: str, deck_id: str = "test-deck") -> str:
    """A voter token the server accepts for `deck_id` in a store holding TEST_SECRET."""
    from deckpoll.server.voters import ID_CHARS, VoterTokens

    ident = (ident + "x" * ID_CHARS)[:ID_CHARS]
    return VoterTokens(deck_id, TEST_SECRET).sign(ident)


VOTERS = [signed(f"voter-{n:02d}-abcdefg") for n in range(40)]


def minted(base: str) -> str:
    """A voter token from a running server, as a phone gets one."""
    answer = httpx.post(f"{base}/api/v1/voters", timeout=5)
    answer.raise_for_status()
    return answer.json()["voter"]


async def with_test_secret(store: Store) -> Store:
    """`store`, holding TEST_SECRET as the talk's voter secret."""
    from deckpoll.server.voters import SECRET_META

    await store.set_meta(SECRET_META, TEST_SECRET.hex())
    return store


def manifest() -> dict:
    """A manifest as docs/html-contract.md describes it, with one poll of every kind."""
    polls = [
        {
            "id": "lunch",
            "slide": 2,
            "kind": "single",
            "question": "Lunch?",
            "options": [{"id": "soup", "label": "Soup"}, {"id": "salad", "label": "Salad"}],
        },
        {
            "id": "langs",
            "slide": 3,
            "kind": "multiple",
            "question": "Languages?",
            "options": [
                {"id": "py", "label": "Python"},
                {"id": "js", "label": "JS"},
                {"id": "rs", "label": "Rust"},
            ],
            "max_choices": 2,
        },
        {
            "id": "mood",
            "slide": 4,
            "kind": "scale",
            "question": "Mood?",
            "min": 1,
            "max": 5,
            "min_label": "Bad",
            "max_label": "Good",
            "results": "on_reveal",
        },
        {"id": "words", "slide": 5, "kind": "wordcloud", "question": "One word?", "max_answers": 3},
        {
            "id": "wall",
            "slide": 6,
            "kind": "open",
            "question": "Anything?",
            "max_answers": 2,
            "auto_open": False,
        },
        {
            "id": "secret",
            "slide": 7,
            "kind": "single",
            "question": "Secret?",
            "options": [{"id": "a", "label": "A"}],
            "results": "hidden",
        },
    ]
    base = {
        "options": [],
        "min": None,
        "max": None,
        "min_label": None,
        "max_label": None,
        "max_answers": None,
        "max_choices": None,
        "results": "live",
        "auto_open": True,
    }
    polls = [{**base, **p} for p in polls]
    slides = [
        {"index": 1, "id": "s1", "title": "Welcome", "text": "Welcome\nto the talk", "poll": None}
    ]
    slides += [
        {
            "index": p["slide"],
            "id": f"s{p['slide']}",
            "title": p["question"],
            "text": p["question"],
            "poll": p["id"],
        }
        for p in polls
    ]
    slides.append({"index": 8, "id": "s8", "title": "End", "text": "Thanks", "poll": None})
    return {
        "deckpoll": 1,
        "id": "test-deck",
        "title": "Test deck",
        "lang": "en",
        "authors": [],
        "polls_config": {"code": "123456", "url": None, "join_url": None, "auto_open": True},
        "slides": slides,
        "polls": polls,
        "hash": "sha256:test",
    }


def compiled(data: dict | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        html="<!doctype html><title>deck</title><main id=dp-deck></main>",
        manifest=data or manifest(),
        assets={"assets/pic.abc123.png": b"\x89PNG fake"},
    )


@contextlib.asynccontextmanager
async def running(
    store: Store | None = None, data: dict | None = None, **options
) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    """The app with its lifespan running, and an httpx client on the ASGI transport."""
    store = await with_test_secret(store or open_store("memory://"))
    app = create_app(compiled(data), store, presenter_key=KEY, **options)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app


def presenter() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def voter(n: int = 0) -> dict[str, str]:
    return {"X-Deckpoll-Voter": VOTERS[n]}


@contextlib.contextmanager
def live_server(app, port: int = 0) -> Iterator[str]:
    """Run `app` under a real uvicorn in a thread, on a port bound here; yields the base URL."""
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, timeout_graceful_shutdown=1, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        session = getattr(app.state, "session", None)  # another backend (examples/) has none
        if session is not None:
            session.end_streams()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, object]]:
    """Parse an SSE line iterator into (event, data) pairs; comments become ("ping", None)."""
    event, data = "message", []
    for line in lines:
        if line == "":
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif line.startswith(":"):
            yield "ping", None
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def listening(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> bool:
    """Wait until `proc` accepts connections on 127.0.0.1:`port`; False if it ended or
    did not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                return False
            time.sleep(0.05)


def _redis_unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true" or os.environ.get("E2E_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Redis required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 for the whole session (skipped if missing
    locally; a failure in CI, so that the redis contract suite never passes by skipping)."""
    try:
        import redis  # noqa: F401
    except ImportError:
        _redis_unavailable("the redis client is not installed (pip install -e '.[test]')")
    binary = shutil.which("redis-server")
    if binary is None:
        _redis_unavailable("redis-server is not installed (apt-get install -y redis-server)")
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not listening(port, proc):
            _redis_unavailable("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
