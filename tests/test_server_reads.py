"""Read your writes: the results route includes every answer acknowledged before the request,
on every store, and with two servers on one Redis deck (answer through one, read the other)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from deckpoll.stores.base import open_store
from server_fixtures import presenter, redis_url, running, signed  # noqa: F401 - a fixture

ROUNDS = 60  # answers, each read back at once
LAG = 0.02  # seconds the reading server's feed is held back (a slower link to Redis)


def lagging(app) -> None:
    """Hold back what the feed of `app`'s session delivers by LAG, in order: the server
    that reads then hears of a change later than the one that wrote it acknowledged it."""
    feed = app.state.session.follower._feed
    deliver, waiting = feed.deliver, []
    loop = asyncio.get_running_loop()

    def flush() -> None:
        batches = list(waiting)
        waiting.clear()
        for items in batches:
            deliver(items)

    def later(items) -> None:
        waiting.append(items)
        if len(waiting) == 1:
            loop.call_later(LAG, flush)

    feed.deliver = later


def store_urls(kind: str, request, tmp_path) -> tuple[str, bool]:
    """The store's URL, and whether a second server reads (Redis only: shared live)."""
    if kind == "memory":
        return "memory://", False
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'a.db'}", False
    return request.getfixturevalue("redis_url"), kind == "redis-two"


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis-one", "redis-two"])
def test_results_include_every_acknowledged_answer(kind, request, tmp_path):
    url, two = store_urls(kind, request, tmp_path)
    namespace = f"reads-{uuid.uuid4().hex[:8]}"

    async def go():
        async with contextlib.AsyncExitStack() as stack:
            writer, _ = await stack.enter_async_context(
                running(open_store(url, namespace=namespace))
            )
            reader = writer
            if two:
                reader, app = await stack.enter_async_context(
                    running(open_store(url, namespace=namespace))
                )
                lagging(app)
            opened = await writer.post("/api/v1/polls/wall/open", headers=presenter())
            assert opened.status_code == 200
            missed = []
            for n in range(ROUNDS):
                voter = {"X-Deckpoll-Voter": signed(f"reader-{n:03d}-abcdefg")}
                sent = await writer.post(
                    "/api/v1/polls/wall/answers", json={"text": f"entry {n}"}, headers=voter
                )
                assert sent.status_code == 200, sent.text
                got = await reader.get("/api/v1/polls/wall/results", headers=presenter())
                assert got.status_code == 200
                if got.json()["answers"] != n + 1:
                    missed.append(n)
            assert missed == [], f"{len(missed)} of {ROUNDS} reads missed an acknowledged answer"

    asyncio.run(go())


def test_a_presenter_action_is_in_the_next_read_on_the_other_server(request):
    """Open or close through one server, read the deck through the other at once."""
    url = request.getfixturevalue("redis_url")
    namespace = f"reads-{uuid.uuid4().hex[:8]}"

    async def go():
        async with (
            running(open_store(url, namespace=namespace)) as (one, _),
            running(open_store(url, namespace=namespace)) as (other, app),
        ):
            lagging(app)
            missed = 0
            for n in range(30):
                action = "open" if n % 2 == 0 else "close"
                done = await one.post(f"/api/v1/polls/wall/{action}", headers=presenter())
                assert done.status_code == 200
                deck = (await other.get("/api/v1/deck", headers=presenter())).json()
                missed += deck["live"]["polls"]["wall"]["status"] != (
                    "open" if n % 2 == 0 else "closed"
                )
            assert missed == 0

    asyncio.run(go())
