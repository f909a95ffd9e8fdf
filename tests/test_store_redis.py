"""The Redis store against a real redis-server: workers sharing a deck, restarts, outages."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from deckpoll.stores.base import (
    OPEN,
    AnswerLimit,
    PollClosed,
    Store,
    StoreUnavailable,
    open_store,
)

VOTER = "voter-0123456789abcdef"


def run(coro):
    return asyncio.run(coro)


def required() -> bool:
    """CI (and E2E runs) must not pass by skipping the Redis tests."""
    return os.environ.get("E2E_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


def need(what: str) -> None:
    if required():
        pytest.fail(f"{what} (required: CI=true or E2E_REQUIRE_BROWSER=1)")
    pytest.skip(what)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """One redis-server process on 127.0.0.1, restartable on the same port and folder."""

    def __init__(self, binary: str, folder: Path, *, durable: bool) -> None:
        self.binary = binary
        self.folder = folder
        self.durable = durable
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always"]
            if self.durable
            else ["--appendonly", "no"]
        )
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + persistence
            + ["--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers_ping():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                need(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def answers_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def kill(self) -> None:
        """kill -9: no shutdown, no final fsync."""
        if self.proc is not None:
            self.signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture(scope="session")
def redis_binary() -> str:
    try:
        import redis  # noqa: F401
    except ImportError:
        need("the redis Python package is missing (pip install -e '.[redis]')")
    binary = shutil.which("redis-server")
    if binary is None:
        need("redis-server is not installed (apt-get install redis-server)")
    return binary


@pytest.fixture(scope="module")
def shared_server(redis_binary, tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(redis_binary, tmp_path_factory.mktemp("redis"), durable=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_server(redis_binary, tmp_path) -> Iterator[RedisServer]:
    """A server of the test's own, with an append-only file fsynced at every write."""
    server = RedisServer(redis_binary, tmp_path, durable=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def namespace() -> str:
    return f"deck-{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def opened(url: str, namespace: str) -> Iterator[Store]:
    from deckpoll.stores.redis import RedisStore

    store = RedisStore(url, namespace=namespace)
    try:
        yield store
    finally:
        run(store.close())


def test_open_store_finds_redis_by_its_entry_point(monkeypatch, shared_server, namespace):
    from importlib.metadata import EntryPoint

    import deckpoll.stores.base as base

    # The line pyproject.toml registers under [project.entry-points."deckpoll.stores"].
    line = EntryPoint("redis", "deckpoll.stores.redis:RedisStore", base.ENTRY_POINT_GROUP)
    monkeypatch.setattr(base, "entry_points", lambda *, group: [line])
    store = open_store(shared_server.url, namespace=namespace)
    assert isinstance(store, Store) and type(store).__name__ == "RedisStore"
    run(store.close())
    with pytest.raises(StoreUnavailable):
        run(store.get_meta("x"))  # closed stays closed


def test_bad_urls_are_refused():
    from deckpoll.stores.redis import RedisStore

    for bad in ("http://127.0.0.1:6379", "redis://127.0.0.1:notaport/0"):
        with pytest.raises(ValueError):
            RedisStore(bad)


def test_keys_stay_inside_the_namespace(shared_server, namespace):
    import redis

    with opened(shared_server.url, namespace) as store:

        async def go():
            await store.set_meta("code", "123456")
            await store.set_status("p", OPEN)
            await store.add_answer("p", VOTER, {"choice": "a"}, key="", replace=True, limit=1)

        run(go())
    with redis.Redis(port=shared_server.port) as client:
        keys = {k.decode() for k in client.keys("*")}
    mine = {k for k in keys if namespace in k}
    assert mine and all(k.startswith(f"deckpoll:{{{namespace}}}:") for k in mine)


def test_two_workers_share_one_deck(shared_server, namespace):
    """Two stores on one namespace act like two worker processes: the rules hold across them."""
    with opened(shared_server.url, namespace) as a, opened(shared_server.url, namespace) as b:

        async def go():
            await a.set_status("p", OPEN)
            await b.set_status("w", OPEN)
            assert (await b.polls())["p"].status == OPEN
            same = [
                (a if n % 2 else b).add_answer(
                    "p", VOTER, {"choice": "x"}, key="", replace=True, limit=1
                )
                for n in range(30)
            ]
            receipts = await asyncio.gather(*same)
            assert len({r.answer.id for r in receipts}) == 1
            assert sum(not r.duplicate for r in receipts) == 1
            assert len(await a.answers("p")) == 1
            # Four different words from one voter at once, limit 3: exactly three stored.
            words = [
                (a if n % 2 else b).add_answer(
                    "w", VOTER, {"text": word}, key=word, replace=False, limit=3
                )
                for n, word in enumerate(("tid", "mod", "pengar", "kaffe"))
            ]
            outcomes = await asyncio.gather(*words, return_exceptions=True)
            assert sum(isinstance(o, AnswerLimit) for o in outcomes) == 1
            assert len(await b.answers("w")) == 3
            # A reset through one worker is seen by the other at once.
            await b.reset_poll("p")
            assert await a.answers("p") == []
            await a.set_status("p", "closed")
            with pytest.raises(PollClosed):
                await b.add_answer("p", VOTER, {"choice": "x"}, key="", replace=True, limit=1)

        run(go())


def test_text_and_time_stamps_read_back_exactly(shared_server, namespace):
    texts = ['a/b "c" \\ d', "rad ett\nrad två", "Åäö 😀 \u2028 ＫＡＦＦＥ", "\ud800 lone"]
    with opened(shared_server.url, namespace) as store:

        async def go():
            await store.set_status("o", OPEN)
            before = time.time()
            for n, text in enumerate(texts):
                voter = f"{VOTER}-{n}"
                await store.add_answer("o", voter, {"text": text}, key=text, replace=False, limit=1)
            after = time.time()
            stored = await store.answers("o")
            assert [a.value["text"] for a in stored] == texts
            assert [a.key for a in stored] == texts
            assert all(before - 1 <= a.created <= after + 1 for a in stored)
            assert len({a.created for a in stored}) == len(texts)  # microseconds, not seconds
            hidden = await store.hide_answer("o", stored[0].id)
            assert hidden is not None and hidden.hidden and hidden.value == stored[0].value
            assert await store.hide_answer("o", 2**70) is None

        run(go())


def test_acknowledged_answers_survive_kill_9(own_server, namespace):
    """Answers acknowledged before Redis is killed (-9) are there after it restarts."""
    acknowledged: list[int] = []
    with opened(own_server.url, namespace) as store:

        async def write() -> None:
            await store.set_status("p", OPEN)
            killer = threading.Timer(0.3, own_server.kill)
            killer.start()
            try:
                for n in range(100_000):
                    receipt = await store.add_answer(
                        "p", f"{VOTER}-{n}", {"value": n % 5 + 1}, key="", replace=True, limit=1
                    )
                    acknowledged.append(receipt.answer.id)
            except StoreUnavailable:
                pass
            finally:
                killer.join()

        run(write())
        assert len(acknowledged) > 20
        own_server.start()

        async def read() -> None:
            assert (await store.polls())["p"].status == OPEN
            stored = {a.id for a in await store.answers("p")}
            assert set(acknowledged) <= stored

        run(read())


def test_redis_down_is_store_unavailable_at_once(own_server, namespace):
    from deckpoll.stores.redis import RedisStore

    with opened(own_server.url, namespace) as store:
        run(store.set_status("p", OPEN))
        own_server.kill()
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            run(store.add_answer("p", VOTER, {"choice": "a"}, key="", replace=True, limit=1))
        with pytest.raises(StoreUnavailable):
            run(store.answers("p"))
        assert time.monotonic() - started < 5
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        RedisStore(own_server.url, namespace=namespace)
    assert time.monotonic() - started < 5


def test_a_hung_redis_fails_within_the_socket_timeout(own_server, namespace):
    """A frozen server (SIGSTOP) costs a bounded wait, then 503; nothing hangs."""
    url = own_server.url + "?socket_timeout=0.3"
    with opened(url, namespace) as store:
        run(store.set_status("p", OPEN))
        own_server.signal(signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                run(store.add_answer("p", VOTER, {"choice": "a"}, key="", replace=True, limit=1))
            assert time.monotonic() - started < 5
        finally:
            own_server.signal(signal.SIGCONT)
        # The failed call may still have run once Redis woke up: retrying is safe.
        receipt = run(store.add_answer("p", VOTER, {"choice": "a"}, key="", replace=True, limit=1))
        assert receipt.answer.value == {"choice": "a"}
        assert len(run(store.answers("p"))) == 1


def test_the_feed_brings_every_change_in_commit_order(shared_server, namespace):
    with opened(shared_server.url, namespace) as a, opened(shared_server.url, namespace) as b:
        assert a.shared and b.shared and a.origin != b.origin

        async def go():
            feed = await b.subscribe()
            await a.set_status("p", OPEN)
            first = await a.add_answer("p", VOTER, {"choice": "x"}, key="", replace=True, limit=1)
            again = await a.add_answer("p", VOTER, {"choice": "x"}, key="", replace=True, limit=1)
            assert again.duplicate  # stores nothing, publishes nothing
            second = await a.add_answer("p", VOTER, {"choice": "y"}, key="", replace=True, limit=1)
            await a.hide_answer("p", second.answer.id, True)
            await a.hide_answer("p", 999_999, True)  # no such answer: nothing published
            await a.reset_poll("p")
            await a.set_meta("state", '{"slide": 2, "fragment": 0}')
            await b.publish({"audience": 3})
            got = [await asyncio.wait_for(feed.get(), 2) for _ in range(7)]
            await feed.close()
            return first, second, got

        first, second, got = run(go())
    assert [c.kind for c in got] == ["poll", "answer", "answer", "hide", "poll", "meta", "note"]
    assert {c.origin for c in got[:6]} == {a.origin} and got[6].origin == b.origin
    assert got[0].state.status == OPEN and not got[0].reset
    assert got[1].answer == first.answer
    assert got[2].answer == second.answer and got[2].removed == (first.answer.id,)
    assert got[3].answer.hidden and got[3].answer.id == second.answer.id
    assert got[4].reset and got[4].state.status == OPEN
    assert (got[5].name, got[5].value) == ("state", '{"slide": 2, "fragment": 0}')
    assert got[6].data == {"audience": 3}


def test_the_feed_carries_pending_answers_and_their_approval(shared_server, namespace):
    with opened(shared_server.url, namespace) as a, opened(shared_server.url, namespace) as b:

        async def go():
            feed = await b.subscribe()
            await a.set_status("p", OPEN)
            held = await a.add_answer(
                "p", VOTER, {"text": "x"}, key="x", replace=False, limit=3, pending=True
            )
            await a.approve_answer("p", held.answer.id)
            got = [await asyncio.wait_for(feed.get(), 2) for _ in range(3)]
            await feed.close()
            return held, got

        held, got = run(go())
    assert [c.kind for c in got] == ["poll", "answer", "hide"]
    assert got[1].answer == held.answer and got[1].answer.pending
    assert got[2].answer.id == held.answer.id and not got[2].answer.pending


def test_votes_on_two_workers_count_exactly_once_and_reach_the_feed(shared_server, namespace):
    """Thirty parallel votes by one voter through two workers count once; two voters count
    twice; every change of the count is published once, with the new count."""
    with opened(shared_server.url, namespace) as a, opened(shared_server.url, namespace) as b:

        async def go():
            feed = await b.subscribe()
            await a.set_status("q", OPEN)
            asked = await a.add_answer(
                "q", VOTER, {"text": "Varför?"}, key="v", replace=False, limit=3
            )
            qid = asked.answer.id
            votes = [
                (a if n % 2 else b).vote_answer("q", qid, voter, True)
                for n in range(60)
                for voter in (("v1",) if n < 30 else ("v2",))
            ]
            await asyncio.gather(*votes)
            assert [x.votes for x in await a.answers("q")] == [2]
            assert await b.voted("q", "v1") == [qid] and await a.voted("q", "v2") == [qid]
            await asyncio.gather(*(b.vote_answer("q", qid, "v1", False) for _ in range(10)))
            assert [x.votes for x in await b.answers("q")] == [1]
            await a.mark_answer("q", qid, "pinned", True)
            got = [await asyncio.wait_for(feed.get(), 2) for _ in range(6)]
            await feed.close()
            return got

        got = run(go())
    assert [c.kind for c in got] == ["poll", "answer", "hide", "hide", "hide", "hide"]
    assert [c.answer.votes for c in got[2:]] == [1, 2, 1, 1]
    assert got[-1].answer.pinned and got[-1].answer.value == {"text": "Varför?"}


def test_a_feed_reports_its_loss_when_redis_goes_away(own_server, namespace):
    with opened(own_server.url, namespace) as store:

        async def lose():
            feed = await store.subscribe()
            await asyncio.to_thread(own_server.kill)
            with pytest.raises(StoreUnavailable):
                await asyncio.wait_for(feed.get(), 10)
            with pytest.raises(StoreUnavailable):
                await feed.get()  # and stays lost
            with pytest.raises(StoreUnavailable):
                await store.subscribe()  # Redis is still down
            await feed.close()

        run(lose())
        own_server.start()

        async def again():
            feed = await store.subscribe()
            await store.publish({"back": True})
            change = await asyncio.wait_for(feed.get(), 2)
            await feed.close()
            return change

        assert run(again()).data == {"back": True}


def test_unix_and_rediss_schemes_are_registered(redis_binary, tmp_path):
    """`unix://` reaches a redis-server on its socket; `rediss://` is the Redis store too
    (TLS: against a server without TLS it is a clear 'unavailable', never 'no store')."""
    from deckpoll.stores.base import StoreUnavailable, open_store, store_factories

    assert {"redis", "rediss", "unix"} <= set(store_factories())
    sock = tmp_path / "redis.sock"
    proc = subprocess.Popen(
        [
            redis_binary,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        store = open_store(f"unix://{sock}?db=0", namespace="unix-deck")

        async def go():
            await store.set_status("q", "open")
            receipt = await store.add_answer(
                "q", "voter-aaaaaaaaaaaaaaaa", {"text": "hej"}, key="hej", replace=False, limit=1
            )
            assert [a.id for a in await store.answers("q")] == [receipt.answer.id]
            await store.close()

        asyncio.run(go())
        port = free_port()
        plain = subprocess.Popen(
            [redis_binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                time.sleep(0.05)
            with pytest.raises(StoreUnavailable, match="Redis at 127.0.0.1"):
                open_store(f"rediss://127.0.0.1:{port}/0", namespace="tls-deck")
        finally:
            plain.terminate()
            plain.wait(timeout=10)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _count_commands(store) -> list[str]:
    """From now on, the name of every command `store` sends, alone or in a pipeline."""
    sent: list[str] = []
    client = store._redis
    send, pipeline = client.execute_command, client.pipeline

    async def counted(*args, **options):
        sent.append(str(args[0]))
        return await send(*args, **options)

    def counted_pipeline(*args, **options):
        pipe = pipeline(*args, **options)
        execute = pipe.execute

        async def counted_execute(*args, **options):
            sent.extend(str(command[0][0]) for command in pipe.command_stack)
            return await execute(*args, **options)

        pipe.execute = counted_execute
        return pipe

    client.execute_command, client.pipeline = counted, counted_pipeline
    return sent


def test_an_answer_with_its_rate_is_one_round_trip(shared_server, namespace):
    """The voter's rate limit is counted inside the answer's script: no extra command."""
    from deckpoll.stores.base import Rate, TooFast

    rate = Rate(burst=5, per_second=0.01)
    with opened(shared_server.url, namespace) as store:
        run(store.set_status("p", OPEN))
        warm_up = store.add_answer("p", "x", {"choice": "x"}, key="", replace=True, limit=1)
        run(warm_up)  # the first call loads the script into Redis (SCRIPT LOAD)
        sent = _count_commands(store)  # every command the store sends, pipelined or not

        async def go() -> list[str]:
            outcomes = []
            for n in range(8):
                try:
                    await store.add_answer(
                        "p", VOTER, {"choice": str(n)}, key="", replace=True, limit=1, rate=rate
                    )
                    outcomes.append("ok")
                except TooFast:
                    outcomes.append("too fast")
            return outcomes

        assert run(go()) == ["ok"] * 5 + ["too fast"] * 3
        assert sent == ["EVALSHA"] * 8  # one per answer, its limit included
