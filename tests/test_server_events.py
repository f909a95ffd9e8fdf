"""The event stream: generator tests in-process, and one real uvicorn with timeouts."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from deckpoll.polls import check_answer
from deckpoll.server.app import create_app
from deckpoll.server.events import BUFFER_BYTES, QUEUE_SIZE, Broadcaster
from deckpoll.server.session import Session
from deckpoll.stores.base import OPEN, open_store
from server_fixtures import KEY, compiled, live_server, manifest, minted, sse_events


def run(coro):
    return asyncio.run(coro)


def parse(message: bytes | str) -> tuple[str, object]:
    text = message.decode() if isinstance(message, bytes) else message
    if text.startswith(":"):
        return "ping", None
    lines = dict(line.split(": ", 1) for line in text.strip().split("\n"))
    return lines["event"], json.loads(lines["data"])


_BUFFERED: dict[int, list[bytes]] = {}


async def started(push_interval: float = 0.05) -> Session:
    session = Session(manifest(), open_store("memory://"), push_interval=push_interval)
    await session.start()
    return session


async def next_event(stream, timeout: float = 2.0) -> tuple[str, object]:
    """The next message of a stream; one chunk may carry several (they are batched)."""
    buffered = _BUFFERED.setdefault(id(stream), [])
    if not buffered:
        chunk = await asyncio.wait_for(stream.__anext__(), timeout)
        assert chunk.endswith(b"\n\n")
        buffered.extend(part + b"\n\n" for part in chunk[:-2].split(b"\n\n"))
    return parse(buffered.pop(0))


async def vote(session: Session, pid: str, voter: str, body: dict) -> None:
    await session.answer(pid, voter, check_answer(session.polls[pid], body))


def test_stream_starts_with_retry_and_a_full_snapshot():
    async def go():
        session = await started()
        stream = session.broadcaster.stream(presenter=False, role="join")
        assert (await asyncio.wait_for(stream.__anext__(), 1)).startswith(b"retry: ")
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
        await next_event(stream)  # snapshot (a phone is not sent presence events)
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
        assert await asyncio.wait_for(stream.__anext__(), 1) == b": ping\n\n"
        await stream.aclose()

    run(go())


def test_default_ping_interval_is_fifteen_seconds():
    assert Broadcaster(lambda presenter: {}).ping_seconds == 15.0


def test_a_client_too_far_behind_is_dropped_and_resyncs_on_reconnect():
    async def go():
        counter = {"n": 0}
        cut = []

        def snapshot(presenter: bool) -> dict:
            counter["n"] += 1
            return {"n": counter["n"]}

        broadcaster = Broadcaster(snapshot)
        stream = broadcaster.stream(presenter=False, role="join", abort=lambda: cut.append(1))
        await stream.__anext__()
        assert await next_event(stream) == ("snapshot", {"n": 1})
        other = broadcaster.stream(presenter=False, role="join")
        await other.__anext__()
        await next_event(other)
        for i in range(QUEUE_SIZE):
            broadcaster.publish("results", {"i": i})
        assert len(broadcaster.clients) == 2  # full, not yet over
        broadcaster.publish("results", {"i": QUEUE_SIZE})  # one too many for both
        assert broadcaster.clients == set() and broadcaster.dropped == 2 and cut == [1]
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(stream.__anext__(), 1)
        again = broadcaster.stream(presenter=False, role="join")
        await again.__anext__()
        assert await next_event(again) == ("snapshot", {"n": 3})
        broadcaster.publish("state", {"after": True})
        assert await next_event(again) == ("state", {"after": True})
        for s in (again, other):
            await s.aclose()

    run(go())


def test_each_event_is_encoded_once_per_role_and_batched_per_client():
    async def go():
        broadcaster = Broadcaster(lambda presenter: {"presenter": presenter})
        phones = [broadcaster.stream(presenter=False, role="join") for _ in range(3)]
        speaker = broadcaster.stream(presenter=True, role="deck")
        for s in [*phones, speaker]:
            await s.__anext__()
            await next_event(s)
        broadcaster.publish("results", {"who": "audience"}, {"who": "presenter"})
        broadcaster.publish("presence", {"audience": 3}, phones=False)
        queued = [c.pending[0] for c in broadcaster.clients if not c.presenter]
        assert all(q is queued[0] for q in queued)  # one bytes object shared by every phone
        assert await next_event(phones[0]) == ("results", {"who": "audience"})
        chunk = await asyncio.wait_for(speaker.__anext__(), 1)  # both events in one write
        assert chunk.count(b"event: ") == 2 and b'"presenter"' in chunk and b"presence" in chunk
        for s in [*phones, speaker]:
            await s.aclose()

    run(go())


def test_a_client_whose_write_is_stuck_is_dropped_after_the_stall_time():
    async def go():
        cut = []
        broadcaster = Broadcaster(lambda presenter: {}, stall_seconds=0.2)
        stream = broadcaster.stream(presenter=False, role="join", abort=lambda: cut.append(1))
        await stream.__anext__()
        await next_event(stream)
        broadcaster.publish("state", {"x": 1})
        await stream.__anext__()  # handed to the server, which never asks for the next one
        await asyncio.sleep(0.6)
        assert broadcaster.clients == set() and cut == [1] and broadcaster.dropped == 1
        await stream.aclose()

    run(go())


def phone_stream(base: str):
    """A raw phone event stream with a tiny receive buffer (it takes little at a time)."""
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    sock.sendall(b"GET /api/v1/events?client=join HTTP/1.1\r\nHost: x\r\n\r\n")
    return sock


def test_a_real_client_that_stops_reading_is_cut_and_memory_stays_bounded():

    session_app = create_app(compiled(), open_store("memory://"), presenter_key=KEY)
    broadcaster = session_app.state.session.broadcaster
    broadcaster.stall_seconds = 1.0
    with live_server(session_app) as base:
        sock = phone_stream(base)
        deadline = time.monotonic() + 5
        while len(broadcaster.clients) != 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(broadcaster.clients) == 1
        loop = session_app.state.session._loop
        big = {"text": "x" * 50_000}
        most = 0
        deadline = time.monotonic() + 10
        while broadcaster.clients and time.monotonic() < deadline:
            loop.call_soon_threadsafe(broadcaster.publish, "results", big)
            for c in list(broadcaster.clients):
                waiting = c.transport.get_write_buffer_size() if c.transport else 0
                most = max(most, waiting)
            time.sleep(0.01)
        assert broadcaster.clients == set() and broadcaster.dropped == 1
        # what waits in the server for this client stays bounded: the limit plus one event
        assert most <= BUFFER_BYTES + 60_000
        # the connection was reset, not left open: reading ends (reset or end of data)
        sock.settimeout(5)
        try:
            while sock.recv(65536):
                pass
        except ConnectionResetError:
            pass
        sock.close()


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
            # under uvicorn, events are written straight into the connection's transport
            # (switched to once the snapshot's write returned on the server: may lag a bit)
            clients = app.state.session.broadcaster.clients
            deadline = time.monotonic() + 5
            while next(iter(clients)).transport is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(clients) == 1 and next(iter(clients)).transport is not None
            sent = time.monotonic()
            answer = httpx.post(
                f"{base}/api/v1/polls/lunch/answers",
                json={"choice": "salad"},
                headers={"X-Deckpoll-Voter": minted(base)},
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
        from deckpoll.polls.open import PHONE_ENTRIES, PRESENTER_ENTRIES

        session.polls["wall"]["max_answers"] = 300
        for n in range(PRESENTER_ENTRIES + 10):
            await vote(session, "wall", "v" * 16, {"text": f"entry {n}"})
        await session.flush()
        assert len(session.results_view("wall", True)["entries"]) == PRESENTER_ENTRIES
        audience = session.results_view("wall", False)["entries"]
        assert len(audience) == PHONE_ENTRIES
        assert audience[0]["text"] == f"entry {PRESENTER_ENTRIES + 9}"
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
        assert session.tallies["lunch"].voters == 2
        assert session.tallies["words"].answers == 0
        assert session.results_view("wall", True)["entries"] == []
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


def test_a_direct_stream_whose_bytes_stay_unsent_is_cut_after_the_stall_time(monkeypatch):

    from deckpoll.server import events

    monkeypatch.setattr(events, "BUFFER_BYTES", 50_000_000)  # only the stall time can cut it
    app = create_app(compiled(), open_store("memory://"), presenter_key=KEY)
    broadcaster = app.state.session.broadcaster
    broadcaster.stall_seconds = 1.0
    with live_server(app) as base:
        sock = phone_stream(base)
        deadline = time.monotonic() + 5
        while not broadcaster.clients and time.monotonic() < deadline:
            time.sleep(0.02)
        (client,) = broadcaster.clients
        assert client.transport is not None
        loop = app.state.session._loop
        event = {"text": "y" * 50_000}
        deadline = time.monotonic() + 15
        stuck_at = None
        while broadcaster.clients and time.monotonic() < deadline:
            loop.call_soon_threadsafe(broadcaster.publish, "results", event)
            if stuck_at is None and client.writing_since is not None:
                stuck_at = time.monotonic()
            time.sleep(0.01)
        assert broadcaster.clients == set() and broadcaster.dropped == 1
        assert stuck_at is not None and time.monotonic() - stuck_at < 5
        sock.close()


def test_a_slow_client_is_never_cut_because_of_results_and_gets_the_newest():
    """Results pushed far faster than a client reads are held back, the newest per poll,
    until its connection has sent everything: it falls behind by at most one event per poll,
    is never cut, and ends with the newest results."""
    import threading

    app = create_app(compiled(), open_store("memory://"), presenter_key=KEY)
    broadcaster = app.state.session.broadcaster
    broadcaster.stall_seconds = 5.0
    with live_server(app) as base:
        sock = phone_stream(base)
        received = bytearray()
        reading = threading.Event()
        reading.set()

        def read_slowly() -> None:  # at most 800 KB/s
            sock.settimeout(0.5)
            while reading.is_set():
                try:
                    data = sock.recv(8192)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                received.extend(data)
                time.sleep(0.01)

        reader = threading.Thread(target=read_slowly, daemon=True)
        reader.start()
        deadline = time.monotonic() + 5
        while not broadcaster.clients and time.monotonic() < deadline:
            time.sleep(0.02)
        loop = app.state.session._loop
        for n in range(300):  # 50 KB results, 100 a second, for 3 s: ~5 MB/s
            event = {"n": n, "text": "z" * 50_000}
            loop.call_soon_threadsafe(
                lambda e=event: broadcaster.publish("results", e, key="lunch")
            )
            time.sleep(0.01)
        deadline = time.monotonic() + 30
        while b'"n":299' not in received and time.monotonic() < deadline:
            time.sleep(0.1)
        reading.clear()
        assert broadcaster.dropped == 0 and len(broadcaster.clients) == 1
        assert b'"n":299' in received  # the newest arrived
        assert received.count(b"event: results") < 300  # older ones were skipped
        sock.close()


def test_a_change_seen_twice_counts_once():
    """A change committed between subscribing and loading is both loaded and in the feed:
    the follower skips a change numbered up to what it has, and applying one again leaves
    the tallies as they were."""
    from dataclasses import replace

    from deckpoll.stores.base import Change

    async def go():
        session = await started()
        await session.set_status("words", OPEN)
        receipt = await session.answer(
            "words", "v" * 16, check_answer(session.polls["words"], {"text": "Mod"})
        )
        change = Change("answer", poll="words", answer=receipt.answer, seq=receipt.seq)
        assert session.follower.applied == receipt.seq  # acknowledged = in the state
        assert session.follower.apply([change])  # numbered as applied: skipped
        session.mirror.apply(replace(change, seq=0))  # applied again: no effect
        cloud = session.tallies["words"]
        assert (cloud.voters, cloud.answers) == (1, 1)
        assert session.results_view("words", True)["words"][0]["count"] == 1
        await session.stop()

    run(go())


def test_a_missing_change_makes_the_follower_reload():
    """A jump in the changes' numbers means one was missed: the follower does not apply
    past it, subscribes again, reloads from the store and the clients get snapshots."""
    from deckpoll.stores.base import Change

    async def go():
        store = open_store("memory://")
        session = Session(manifest(), store, push_interval=0.01)
        await session.start()
        await session.set_status("words", OPEN)
        receipt = await session.answer(
            "words", "v" * 16, check_answer(session.polls["words"], {"text": "Mod"})
        )
        # a change from the future (number head + 2): the one before it never came
        ghost = Change("answer", poll="words", answer=receipt.answer, seq=receipt.seq + 2)
        ahead = session.follower.apply([ghost])
        assert not ahead and session.follower.applied == receipt.seq
        # the same through the feed: the follower resyncs from the store
        session.follower._feed.deliver([ghost])
        for _ in range(100):
            if session.resyncs:
                break
            await asyncio.sleep(0.02)
        assert session.resyncs == 1 and session.follower.gaps == 1
        assert session.tallies["words"].answers == 1
        await session.answer("words", "w" * 16, check_answer(session.polls["words"], {"text": "x"}))
        assert session.tallies["words"].answers == 2  # the new feed is followed
        await session.stop()

    run(go())


def test_the_state_changes_only_through_the_feed(monkeypatch):
    """No action writes the session's state itself (one write path for one server and for
    many): with the store's feed silenced, every presenter action and an answer are
    committed in the store, but the state, and so every view, stays as it was."""
    import deckpoll.server.follower as follower_module

    monkeypatch.setattr(follower_module, "SETTLE_SECONDS", 0.05)

    async def go():
        store = open_store("memory://")
        session = Session(manifest(), store, push_interval=0.01)
        await session.start()
        store._hub._feeds.clear()  # the feed says nothing from now on
        await session.set_slide(3, 0)
        await session.set_status("wall", OPEN)
        await session.set_revealed("mood", True)
        sent = await session.answer(
            "wall", "v" * 16, check_answer(session.polls["wall"], {"text": "hello"})
        )
        await session.hide("wall", sent.answer.id)
        await session.reset("langs")
        assert (await store.polls())["wall"].status == OPEN
        assert [a.id for a in await store.answers("wall")] == [sent.answer.id]
        assert session.state == {"slide": 1, "fragment": 0}
        assert session.status["wall"].status == "new" and not session.status["mood"].revealed
        assert session.answers["wall"] == {} and session.tallies["wall"].answers == 0
        await session.stop()

    run(go())


def test_stop_ends_the_pusher_even_when_its_cancel_is_swallowed(monkeypatch):
    """Python 3.11's asyncio.wait_for can swallow a cancel that meets the wake-up it waits
    for; the pusher waits that way (it tells the other servers its count every few
    seconds), so stop() must not rely on cancel() alone (it hung about one run in ten)."""
    import deckpoll.server.pusher as pusher_module

    real_wait_for = asyncio.wait_for

    async def swallowing_wait_for(awaitable, timeout):
        try:
            return await real_wait_for(awaitable, timeout)
        except asyncio.CancelledError:
            return None  # the race: the wake-up won, the cancel is lost

    monkeypatch.setattr(pusher_module.asyncio, "wait_for", swallowing_wait_for)

    async def go():
        session = Session(manifest(), open_store("memory://"), push_interval=0.01)
        session.pusher.start()
        pusher = session.pusher._task
        await asyncio.sleep(0.05)
        stopping = asyncio.create_task(session.stop())
        await asyncio.wait({stopping}, timeout=5)
        assert stopping.done() and pusher.done()

    run(go())
