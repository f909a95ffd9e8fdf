"""The event stream: generator tests in-process, and one real uvicorn with timeouts."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from deckpoll.server.app import create_app
from deckpoll.server.events import QUEUE_SIZE, Broadcaster
from deckpoll.server.session import Session
from deckpoll.server.validate import check_answer
from deckpoll.stores.base import OPEN, open_store
from server_fixtures import KEY, compiled, live_server, manifest, sse_events


def run(coro):
    return asyncio.run(coro)


def parse(message: str) -> tuple[str, object]:
    if message.startswith(":"):
        return "ping", None
    lines = dict(line.split(": ", 1) for line in message.strip().split("\n"))
    return lines["event"], json.loads(lines["data"])


async def started(push_interval: float = 0.05) -> Session:
    session = Session(manifest(), open_store("memory://"), push_interval=push_interval)
    await session.start()
    return session


async def next_event(stream, timeout: float = 2.0) -> tuple[str, object]:
    return parse(await asyncio.wait_for(stream.__anext__(), timeout))


async def vote(session: Session, pid: str, voter: str, body: dict) -> None:
    await session.answer(pid, voter, check_answer(session.polls[pid], body))


def test_stream_starts_with_retry_and_a_full_snapshot():
    async def go():
        session = await started()
        stream = session.broadcaster.stream(presenter=False, role="join")
        assert (await asyncio.wait_for(stream.__anext__(), 1)).startswith("retry: ")
        event, data = await next_event(stream)
        assert event == "snapshot"
        assert data["state"] == {"slide": 1, "fragment": 0, "poll": None}
        assert set(data["polls"]) == set(data["results"]) == set(session.polls)
        assert data["results"]["mood"] == {
            "id": "mood",
            "kind": "scale",
            "visible": False,
            "voters": 0,
            "answers": 0,
        }
        await stream.aclose()
        await session.stop()

    run(go())


def test_events_follow_changes_and_results_are_pushed():
    async def go():
        session = await started()
        stream = session.broadcaster.stream(presenter=False, role="join")
        await stream.__anext__()
        await next_event(stream)  # snapshot
        assert await next_event(stream) == ("presence", {"audience": 1})
        await session.set_slide(2, 0)
        event, data = await next_event(stream)
        assert (event, data) == ("state", {"slide": 2, "fragment": 0, "poll": "lunch"})
        event, data = await next_event(stream)  # auto-opened
        assert event == "poll" and data["status"] == OPEN
        await next_event(stream)  # results pushed after the status change
        await vote(session, "lunch", "v" * 16, {"choice": "soup"})
        event, data = await next_event(stream)
        assert event == "results" and data["voters"] == 1 and data["options"][0]["count"] == 1
        await stream.aclose()
        assert session.broadcaster.clients == set()
        await session.stop()

    run(go())


def test_hidden_results_reach_the_presenter_only():
    async def go():
        session = await started()
        audience = session.broadcaster.stream(presenter=False, role="join")
        speaker = session.broadcaster.stream(presenter=True, role="deck")
        for s in (audience, speaker):
            await s.__anext__()
        await next_event(audience)
        await next_event(speaker)
        await session.set_status("mood", OPEN)
        await vote(session, "mood", "v" * 16, {"value": 4})
        seen: dict[str, list] = {"audience": [], "speaker": []}
        for name, s in (("audience", audience), ("speaker", speaker)):
            for _ in range(4):
                event, data = await next_event(s)
                if event == "results" and data["voters"] == 1:
                    seen[name].append(data)
                    break
        assert "distribution" not in seen["audience"][0] and not seen["audience"][0]["visible"]
        assert seen["speaker"][0]["average"] == 4
        for s in (audience, speaker):
            await s.aclose()
        await session.stop()

    run(go())


def test_ping_comment_when_idle():
    async def go():
        broadcaster = Broadcaster(lambda presenter: {"x": 1}, ping_seconds=0.05)
        stream = broadcaster.stream(presenter=False, role="join")
        await stream.__anext__()
        assert (await next_event(stream))[0] == "snapshot"
        assert await asyncio.wait_for(stream.__anext__(), 1) == ": ping\n\n"
        await stream.aclose()

    run(go())


def test_default_ping_interval_is_fifteen_seconds():
    assert Broadcaster(lambda presenter: {}).ping_seconds == 15.0


def test_a_slow_client_is_resynced_with_a_snapshot():
    async def go():
        counter = {"n": 0}

        def snapshot(presenter: bool) -> dict:
            counter["n"] += 1
            return {"n": counter["n"]}

        broadcaster = Broadcaster(snapshot)
        stream = broadcaster.stream(presenter=False, role="join")
        await stream.__anext__()
        assert await next_event(stream) == ("snapshot", {"n": 1})
        for i in range(QUEUE_SIZE + 10):
            broadcaster.publish("results", {"i": i})
        assert await next_event(stream) == ("snapshot", {"n": 2})
        broadcaster.publish("state", {"after": True})
        assert await next_event(stream) == ("state", {"after": True})
        await stream.aclose()

    run(go())


def test_result_pushes_are_coalesced():
    async def go():
        session = await started(push_interval=0.25)
        stream = session.broadcaster.stream(presenter=True, role="deck")
        await stream.__anext__()
        await next_event(stream)
        await next_event(stream)  # presence
        await session.set_status("words", OPEN)
        for n in range(60):
            await vote(session, "words", f"voter-{n:012d}", {"text": f"w{n % 7}"})
        pushes = []
        deadline = time.monotonic() + 1.2
        while time.monotonic() < deadline:
            try:
                event, data = await next_event(stream, timeout=deadline - time.monotonic())
            except TimeoutError:
                break
            if event == "results":
                pushes.append(data)
        assert pushes[-1]["answers"] == 60
        assert len(pushes) <= 6  # 60 answers, a handful of pushes
        await stream.aclose()
        await session.stop()

    run(go())


def test_real_server_stream_snapshot_and_live_results():
    app = create_app(compiled(), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        auth = {"Authorization": f"Bearer {KEY}"}
        httpx.post(f"{base}/api/v1/state", json={"slide": 2}, headers=auth, timeout=5)
        timeout = httpx.Timeout(5.0, read=3.0)
        with httpx.stream("GET", f"{base}/api/v1/events?client=join", timeout=timeout) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            events = sse_events(r.iter_lines())
            event, data = next(events)
            assert event == "snapshot" and data["state"]["poll"] == "lunch"
            assert data["polls"]["lunch"]["status"] == "open"
            sent = time.monotonic()
            answer = httpx.post(
                f"{base}/api/v1/polls/lunch/answers",
                json={"choice": "salad"},
                headers={"X-Deckpoll-Voter": "x" * 20},
                timeout=5,
            )
            assert answer.status_code == 200
            for event, data in events:
                if event == "results" and data["voters"] == 1:
                    break
            assert time.monotonic() - sent < 1.0
        # a reconnect starts from a snapshot that already holds the answer
        with httpx.stream("GET", f"{base}/api/v1/events", timeout=timeout) as r:
            event, data = next(sse_events(r.iter_lines()))
            assert event == "snapshot" and data["results"]["lunch"]["voters"] == 1


def test_audience_copy_of_a_long_wall_is_short():
    async def go():
        session = await started()
        await session.set_status("wall", OPEN)
        from deckpoll.server.tally import WALL_LIMIT

        session.polls["wall"]["max_answers"] = 300
        for n in range(WALL_LIMIT + 10):
            await vote(session, "wall", "v" * 16, {"text": f"entry {n}"})
        await session.flush()
        assert len(session.results_view("wall", True)["entries"]) == WALL_LIMIT
        audience = session.results_view("wall", False)["entries"]
        assert len(audience) == 30 and audience[0]["text"] == f"entry {WALL_LIMIT + 9}"
        await session.stop()

    run(go())


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_the_session_mirror_matches_the_store(kind, tmp_path):
    url = "memory://" if kind == "memory" else f"sqlite:///{tmp_path / 'a.db'}"

    async def go():
        store = open_store(url, namespace="test-deck")
        session = Session(manifest(), store, push_interval=0.01)
        await session.start()
        for pid in ("lunch", "words", "wall"):
            await session.set_status(pid, OPEN)
        await vote(session, "lunch", "a" * 16, {"choice": "soup"})
        await vote(session, "lunch", "a" * 16, {"choice": "salad"})  # replaces
        await vote(session, "lunch", "a" * 16, {"choice": "salad"})  # duplicate
        await vote(session, "lunch", "b" * 16, {"choice": "soup"})
        await vote(session, "words", "a" * 16, {"text": "Mod"})
        await vote(session, "words", "b" * 16, {"text": "mod"})
        await vote(session, "wall", "a" * 16, {"text": "one"})
        wall = await store.answers("wall")
        await session.hide("wall", wall[0].id)
        await session.reset("words")

        for pid in ("lunch", "words", "wall"):
            assert list(session.answers[pid].values()) == await store.answers(pid), pid
        await session.flush()
        assert session.results["lunch"]["voters"] == 2
        assert session.results["words"]["answers"] == 0
        assert session.results["wall"]["entries"] == []
        # a restart rebuilds the same mirror from the store
        await session.stop()
        again = Session(manifest(), store)
        await again.start()
        for pid in ("lunch", "words", "wall"):
            assert again.answers[pid] == session.answers[pid]
        await again.stop()
        await store.close()

    run(go())


def test_close_all_ends_every_stream():
    async def go():
        broadcaster = Broadcaster(lambda presenter: {})
        stream = broadcaster.stream(presenter=False, role="join")
        await stream.__anext__()
        await next_event(stream)
        broadcaster.close_all()
        broadcaster.publish("state", {"late": True})  # after the close: not sent
        try:
            await asyncio.wait_for(stream.__anext__(), 1)
        except StopAsyncIteration:
            pass
        else:
            raise AssertionError("the stream went on after close_all()")
        assert broadcaster.clients == set()

    run(go())
