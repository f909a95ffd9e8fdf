"""No IP address or user agent is stored anywhere: a real server on SQLite and on Redis
takes phones' answers (and a presenter's moderation), then every table and column of the
SQLite file and every Redis key of the deck is read and searched."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import httpx
import pytest

from deckpoll.server.app import create_app
from deckpoll.stores.base import open_store
from deckpoll.stores.sqlite import path_from_url
from server_fixtures import KEY, compiled, live_server, redis_url  # noqa: F401 - a fixture

AGENT = "Mozilla/5.0 (Probe; deckpoll-tracking-test-7f3a) Mobile"
ADDRESS = "127.0.0.1"


def use_the_server(store) -> None:
    """Phones join and answer every kind; the presenter opens, hides and approves."""
    app = create_app(compiled(), store, presenter_key=KEY)
    boss = {"Authorization": f"Bearer {KEY}"}
    with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as http:
        for poll in ("lunch", "mood", "words", "wall"):
            assert http.post(f"/api/v1/polls/{poll}/open", headers=boss).status_code == 200
        for n in range(3):
            phone = {"User-Agent": AGENT, "X-Forwarded-For": "203.0.113.9"}
            token = http.post("/api/v1/voters", headers=phone).json()["voter"]
            phone["X-Deckpoll-Voter"] = token
            http.get("/api/v1/deck", headers=phone)
            for poll, body in (
                ("lunch", {"choice": "soup"}),
                ("mood", {"value": 3}),
                ("words", {"text": f"ord{n}"}),
                ("wall", {"text": f"svar {n} anna@example.se" if n == 2 else f"svar {n}"}),
            ):
                r = http.post(f"/api/v1/polls/{poll}/answers", json=body, headers=phone)
                assert r.status_code == 200, r.text
        http.post("/api/v1/polls/wall/answers/1/hide", headers=boss)
        http.post("/api/v1/state", json={"slide": 2}, headers=boss)


def everything_in_sqlite(url: str) -> str:
    path = path_from_url(url)
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"meta", "polls", "answers"} <= set(tables)
        rows = [repr(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables]
    raw = [p.read_bytes().decode("latin-1") for p in path.parent.iterdir() if p.is_file()]
    return "\n".join(rows + raw)


def everything_in_redis(url: str, namespace: str) -> str:
    import redis

    client = redis.Redis.from_url(url, decode_responses=True)
    found = []
    keys = [k for k in client.scan_iter() if namespace in k]
    assert any("answers" in k for k in keys), keys
    for key in keys:
        kind = client.type(key)
        read = {
            "string": client.get,
            "hash": client.hgetall,
            "list": lambda k: client.lrange(k, 0, -1),
            "set": client.smembers,
            "zset": lambda k: client.zrange(k, 0, -1, withscores=True),
            "stream": lambda k: client.xrange(k),
        }[kind]
        found.append(f"{key} {read(key)!r}")
    client.close()
    return "\n".join(found)


def assert_untracked(text: str) -> None:
    assert "ord1" in text or "svar 1" in text  # the search reads real content
    for needle in (ADDRESS, "203.0.113.9", AGENT, "deckpoll-tracking-test", "Mozilla"):
        assert needle not in text, needle


def test_sqlite_stores_no_address_or_user_agent(tmp_path):
    url = f"sqlite:///{tmp_path / 'state' / 'answers.sqlite3'}"
    (tmp_path / "state").mkdir()
    use_the_server(open_store(url, namespace="test-deck"))
    assert_untracked(everything_in_sqlite(url))


def test_redis_stores_no_address_or_user_agent(redis_url):  # noqa: F811
    namespace = f"track-{uuid.uuid4().hex[:8]}"
    use_the_server(open_store(redis_url, namespace=namespace))
    assert_untracked(everything_in_redis(redis_url, namespace))


def test_the_search_would_find_an_address_if_one_were_stored(tmp_path):
    """The probe can fail: an address written into the store is found."""
    url = f"sqlite:///{tmp_path / 'answers.sqlite3'}"
    store = open_store(url, namespace="x")
    asyncio.run(store.set_meta("last_client", ADDRESS))
    asyncio.run(store.close())
    with pytest.raises(AssertionError):
        assert_untracked(everything_in_sqlite(url) + " ord1")
