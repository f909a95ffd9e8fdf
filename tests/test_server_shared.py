"""Several servers on one Redis deck: changes fan out through the store's feed, live."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest

from deckpoll.stores.base import open_store
from server_fixtures import presenter, running, signed, voter
from test_store_redis import RedisServer, redis_binary  # noqa: F401 - a fixture

SETTLE = 5.0  # seconds a converging test waits at most


@pytest.fixture
def redis_server(redis_binary, tmp_path):  # noqa: F811
    """A durable redis-server of the test's own (so a restart keeps the answers)."""
    server = RedisServer(redis_binary, tmp_path, durable=True)
    server.start()
    yield server
    server.stop()


def run(coro):
    return asyncio.run(coro)


def parse(chunk: bytes) -> list[tuple[str, object]]:
    found = []
    for message in chunk.decode().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in message.split("\n") if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


async def wait_for(stream, wanted, timeout: float = SETTLE) -> tuple[str, object]:
    """Read a stream until an event satisfies `wanted(event, data)`."""
    deadline = time.monotonic() + timeout
    while True:
        chunk = await asyncio.wait_for(stream.__anext__(), deadline - time.monotonic())
        for event, data in parse(chunk):
            if wanted(event, data):
                return event, data


async def until(check, timeout: float = SETTLE) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("did not converge")
        await asyncio.sleep(0.02)


def two_stores(url: str):
    namespace = f"shared-{uuid.uuid4().hex[:8]}"
    return open_store(url, namespace=namespace), open_store(url, namespace=namespace)


def test_an_answer_through_one_server_reaches_a_presenter_on_the_other(redis_server):
    async def go():
        store_a, store_b = two_stores(redis_server.url)
        async with (
            running(store_a, push_interval=0.05) as (client_a, app_a),
            running(store_b, push_interval=0.05) as (client_b, app_b),
        ):
            speaker = app_b.state.session.broadcaster.stream(presenter=True, role="deck")
            await speaker.__anext__()
            await speaker.__anext__()  # snapshot
            opened = await client_a.post("/api/v1/polls/lunch/open", headers=presenter())
            assert opened.status_code == 200
            await wait_for(speaker, lambda e, d: e == "poll" and d["status"] == "open")
            sent = await client_a.post(
                "/api/v1/polls/lunch/answers", json={"choice": "soup"}, headers=voter(1)
            )
            assert sent.status_code == 200
            _, data = await wait_for(speaker, lambda e, d: e == "results" and d["voters"] == 1)
            assert data["options"][0]["count"] == 1
            # the slide moves on A: B's phones follow
            moved = await client_a.post("/api/v1/state", json={"slide": 3}, headers=presenter())
            assert moved.status_code == 200
            await wait_for(speaker, lambda e, d: e == "state" and d["slide"] == 3)
            # a phone on A counts in B's audience
            phone = app_a.state.session.broadcaster.stream(presenter=False, role="join")
            await phone.__anext__()
            await phone.__anext__()
            await wait_for(speaker, lambda e, d: e == "presence" and d["audience"] == 1)
            await phone.aclose()
            await speaker.aclose()

    run(go())


def test_a_reset_through_one_server_empties_the_other(redis_server):
    async def go():
        store_a, store_b = two_stores(redis_server.url)
        async with (
            running(store_a, push_interval=0.05) as (client_a, app_a),
            running(store_b, push_interval=0.05) as (client_b, app_b),
        ):
            session_a = app_a.state.session
            await client_b.post("/api/v1/polls/words/open", headers=presenter())
            for n, word in enumerate(["Mod", "mod", "tid"]):
                r = await client_a.post(
                    "/api/v1/polls/words/answers", json={"text": word}, headers=voter(n)
                )
                assert r.status_code == 200
            await until(lambda: session_a.tallies["words"].answers == 3)
            r = await client_b.post("/api/v1/polls/words/reset", headers=presenter())
            assert r.status_code == 200 and r.json()["status"] == "open"
            await until(lambda: session_a.tallies["words"].answers == 0)
            assert session_a.answers["words"] == {}
            # an answer after the reset is kept by both (the feed is in commit order)
            r = await client_a.post(
                "/api/v1/polls/words/answers", json={"text": "ny"}, headers=voter(9)
            )
            assert r.status_code == 200
            session_b = app_b.state.session
            await until(lambda: session_b.tallies["words"].answers == 1)
            await until(lambda: session_a.tallies["words"].answers == 1)

    run(go())


OUTAGE_SECONDS = 10


def test_both_servers_converge_after_redis_is_killed_and_restarted(redis_server):
    async def go():
        store_a, store_b = two_stores(redis_server.url)
        async with (
            running(store_a, push_interval=0.05) as (client_a, app_a),
            running(store_b, push_interval=0.05) as (client_b, app_b),
        ):
            session_a, session_b = app_a.state.session, app_b.state.session
            await client_a.post("/api/v1/polls/lunch/open", headers=presenter())
            r = await client_a.post(
                "/api/v1/polls/lunch/answers", json={"choice": "soup"}, headers=voter(0)
            )
            assert r.status_code == 200
            await until(lambda: session_b.tallies["lunch"].voters == 1)
            phone = session_b.broadcaster.stream(presenter=False, role="join")
            await phone.__anext__()
            await phone.__anext__()

            await asyncio.to_thread(redis_server.kill)
            # Redis stays down for 10 s: every answer meanwhile, on either server, is a 503,
            # never a false 200.
            statuses = []
            outage_ends = time.monotonic() + OUTAGE_SECONDS
            while time.monotonic() < outage_ends:
                for n, client in enumerate((client_a, client_b)):
                    down = await client.post(
                        "/api/v1/polls/lunch/answers",
                        json={"choice": "salad"},
                        headers=voter(n + 1),
                    )
                    statuses.append(down.status_code)
                await asyncio.sleep(0.5)
            assert len(statuses) >= 4 and set(statuses) == {503}
            await asyncio.to_thread(redis_server.start)
            # both subscribe again, reload and resync their clients with a snapshot
            await until(lambda: session_a.resyncs >= 1 and session_b.resyncs >= 1)
            event, data = await wait_for(phone, lambda e, d: e == "snapshot")
            assert data["results"]["lunch"]["voters"] == 1
            r = await client_b.post(
                "/api/v1/polls/lunch/answers", json={"choice": "salad"}, headers=voter(2)
            )
            assert r.status_code == 200
            for session in (session_a, session_b):
                await until(lambda s=session: s.tallies["lunch"].voters == 2)
                assert list(session.answers["lunch"].values()) == await store_a.answers("lunch")
            await phone.aclose()

    run(go())


def test_close_racing_answers_on_two_servers_counts_exactly_the_200s(redis_server):
    async def go():
        store_a, store_b = two_stores(redis_server.url)
        async with (
            running(store_a, push_interval=0.05) as (client_a, app_a),
            running(store_b, push_interval=0.05) as (client_b, app_b),
        ):
            await client_a.post("/api/v1/polls/lunch/open", headers=presenter())
            clients = (client_a, client_b)

            acked = 0
            some_in = asyncio.Event()

            async def send(n: int) -> int:
                nonlocal acked
                r = await clients[n % 2].post(
                    "/api/v1/polls/lunch/answers",
                    json={"choice": "soup" if n % 3 else "salad"},
                    headers={"X-Deckpoll-Voter": signed(f"race{n:012d}")},
                )
                if r.status_code == 200:
                    acked += 1
                    if acked >= 30:
                        some_in.set()
                return r.status_code

            async def close_meanwhile() -> int:
                await some_in.wait()  # close while answers are still coming in
                r = await client_b.post("/api/v1/polls/lunch/close", headers=presenter())
                return r.status_code

            async def sender(first: int) -> list[int]:
                # six senders, each one answer after the other: they go on after the close
                return [await send(n) for n in range(first, 300, 6)]

            *groups, closed = await asyncio.gather(
                *(sender(k) for k in range(6)), close_meanwhile()
            )
            statuses = [status for group in groups for status in group]
            assert closed == 200
            assert set(statuses) <= {200, 409} and 409 in statuses and 200 in statuses
            accepted = statuses.count(200)
            assert len(await store_a.answers("lunch")) == accepted
            for session in (app_a.state.session, app_b.state.session):
                await until(lambda s=session: s.tallies["lunch"].voters == accepted)
                assert session.status["lunch"].status == "closed"

    run(go())


def test_an_answer_held_on_one_server_is_approved_on_the_other(redis_server):
    from test_server_moderation import held_manifest

    async def go():
        store_a, store_b = two_stores(redis_server.url)
        data = held_manifest()
        async with (
            running(store_a, data=data, push_interval=0.05) as (client_a, app_a),
            running(store_b, data=data, push_interval=0.05) as (client_b, app_b),
        ):
            session_a, session_b = app_a.state.session, app_b.state.session
            await client_a.post("/api/v1/polls/wall/open", headers=presenter())
            r = await client_a.post(
                "/api/v1/polls/wall/answers", json={"text": "Fler pauser"}, headers=voter(1)
            )
            answer = r.json()["id"]
            await until(lambda: session_b.tallies["wall"].pending == 1)
            listed = await client_b.get("/api/v1/polls/wall/moderation", headers=presenter())
            assert [a["pending"] for a in listed.json()["answers"]] == [True]
            assert session_b.results_view("wall", True)["entries"] == []
            r = await client_b.post(
                f"/api/v1/polls/wall/answers/{answer}/approve", headers=presenter()
            )
            assert r.status_code == 200
            await until(lambda: session_a.tallies["wall"].answers == 1)
            assert [e["text"] for e in session_a.results_view("wall", True)["entries"]] == [
                "Fler pauser"
            ]
            mine = await client_a.get("/api/v1/polls/wall/answers", headers=voter(1))
            assert mine.json()["answers"][0]["pending"] is False

    run(go())
