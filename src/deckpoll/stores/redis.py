"""Redis store: several workers or machines share one deck's polls (the `redis` extra)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from deckpoll.stores.base import (
    MARKS,
    Answer,
    AnswerLimit,
    Change,
    PollClosed,
    PollState,
    Rate,
    Receipt,
    StoreUnavailable,
    TooFast,
    after_reset,
    next_state,
    voter_bucket,
)
from deckpoll.stores.feed import LOST, QueueFeed
from deckpoll.stores.redis_batch import ScriptBatch
from deckpoll.stores.redis_scripts import (
    ADD_ANSWER,
    FLAG_ANSWER,
    PURGE,
    SET_META,
    SET_POLL,
    SETDEFAULT_META,
    TAKE_ONE,
    VOTE_ANSWER,
)

CONNECT_TIMEOUT = 2.0  # seconds to open a connection; `?socket_connect_timeout=` overrides
SOCKET_TIMEOUT = 5.0  # seconds to wait for a reply; `?socket_timeout=` overrides
MAX_CONNECTIONS = 32  # per store (per worker); `?max_connections=` overrides
POOL_WAIT = 5.0  # seconds a call waits for a free connection before failing (503)
RETRIES = 2  # reconnects after a dropped connection (a restarted Redis), then StoreUnavailable
CAS_ATTEMPTS = 50  # poll-state updates retried when another writer changed the poll meanwhile
SCHEMES = ("redis", "rediss", "unix")
# Refused at start, with what to do (docs/deploy.md#redis-cluster-and-sentinel says why).
UNSUPPORTED = {
    "cluster": "runs Redis Cluster, which deckpoll does not support (a talk's change feed is "
    "pub/sub published from its Lua scripts, which a Cluster copies to every node): give the "
    "address of a plain Redis server (a primary, with replicas if you like)",
    "sentinel": "is a Redis Sentinel, not a Redis server; deckpoll does not follow Sentinel "
    "failovers: give the address of the current primary (SENTINEL get-master-addr-by-name)",
}

FEED_BATCH = 500  # changes handed to the subscriber's loop in one call at most


def _glob_escape(text: str) -> str:
    """`text` matched literally by a Redis glob (the namespace is in braces: a hash tag)."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def _encode_state(state: PollState) -> str:
    return json.dumps(
        {
            "status": state.status,
            "revealed": state.revealed,
            "opened_at": state.opened_at,
            "closed_at": state.closed_at,
        },
        sort_keys=True,
    )


def _decode_state(poll: str, raw: str | None) -> PollState:
    if not raw:
        return PollState(poll)
    data = json.loads(raw)
    return PollState(
        poll, data["status"], bool(data["revealed"]), data["opened_at"], data["closed_at"]
    )


def _answer(poll: str, answer_id: str | int, raw: str) -> Answer:
    record = json.loads(raw)
    return Answer(
        int(answer_id),
        poll,
        json.loads(record["voter"]),
        json.loads(record["value"]),
        json.loads(record["key"]),
        float(record["created"]),
        bool(record["hidden"]),
        bool(record.get("pending")),  # absent in records written before approval existed
        int(record.get("votes") or 0),
        bool(record.get("pinned")),
        bool(record.get("answered")),
    )


def _change(raw: str) -> Change | None:
    """A change as published on the channel (None for a message this version does not know)."""
    try:
        m = json.loads(raw)
        kind, origin, seq = m["t"], str(m.get("o") or ""), int(m.get("s") or 0)
        if kind == "answer":
            removed = tuple(int(i) for i in str(m["removed"]).split())
            answer = _answer(m["poll"], m["id"], m["record"])
            return Change(kind, origin, m["poll"], answer=answer, removed=removed, seq=seq)
        if kind == "hide":
            answer = _answer(m["poll"], m["id"], m["record"])
            return Change(kind, origin, m["poll"], answer=answer, seq=seq)
        if kind == "poll":
            state = _decode_state(m["poll"], m["state"])
            return Change(kind, origin, m["poll"], state=state, reset=bool(m["reset"]), seq=seq)
        if kind == "meta":
            return Change(kind, origin, name=str(m["name"]), value=str(m["value"]), seq=seq)
        if kind == "note" and isinstance(m["data"], dict):
            return Change(kind, origin, data=m["data"])
    except (ValueError, KeyError, TypeError):
        pass
    return None


def _new_loop() -> asyncio.AbstractEventLoop:
    """The store's own loop: uvloop's where installed (`uvicorn[standard]` brings it), whose
    sockets cost the Redis client's thread far less per command than asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _settle(future: asyncio.Future, error: BaseException | None) -> None:
    if not future.done():
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


class RedisStore:
    """A Store in Redis, for several workers or machines serving one deck.

    `redis://[user:password@]host:port/db` (also `rediss://` for TLS, `unix:///path.sock`);
    query options of redis-py (`socket_timeout`, `max_connections`, ...) override the
    defaults. Keys are `deckpoll:{namespace}:...` (one hash tag, so one cluster slot).

    Every rule that must hold under concurrency runs in a Lua script on the server, so it
    is atomic across processes. The client runs on the store's own event-loop thread, so the
    store works from any event loop (uvicorn's, `asyncio.run` in the CLI, tests) the way the
    SQLite store's writer thread does. Any Redis failure is a `StoreUnavailable` (503).

    A change feed (`subscribe`, `publish`): every committed change is numbered and published
    on `deckpoll:{namespace}:events` by the script that commits it, so several servers on
    one deck apply each other's changes in commit order. `origin` tells this store's own apart.
    """

    shared = True  # every process on this Redis deck sees every change

    def __init__(self, url: str, *, namespace: str = "") -> None:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in SCHEMES:
            raise ValueError(f"bad Redis store URL {url!r}: use redis://host:port/db")
        self.url = url
        self.namespace = namespace
        self.prefix = f"deckpoll:{{{namespace}}}:"
        self.channel = self._key("events")
        self.origin = uuid.uuid4().hex[:12]
        self._closed = False
        self._loop = _new_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="deckpoll-redis", daemon=True
        )
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._connect(), self._loop).result()
        except BaseException:
            self._stop_loop()
            raise

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    # -- the store's own event loop --------------------------------------------------------

    async def _connect(self) -> None:
        from redis.asyncio import BlockingConnectionPool, Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import RedisError

        options: dict[str, Any] = {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
            "max_connections": MAX_CONNECTIONS,
            "timeout": POOL_WAIT,
            "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), RETRIES),
            "decode_responses": True,
        }
        try:
            pool = BlockingConnectionPool.from_url(self.url, **options)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"bad Redis store URL {self.url!r}: {exc}") from None
        self._redis = Redis(connection_pool=pool)
        self._set_poll = self._redis.register_script(SET_POLL)
        self._flag_script = self._redis.register_script(FLAG_ANSWER)
        self._setdefault = self._redis.register_script(SETDEFAULT_META)
        self._set_meta = self._redis.register_script(SET_META)
        self._take = self._redis.register_script(TAKE_ONE)
        self._vote_script = self._redis.register_script(VOTE_ANSWER)
        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
        # The answer path: calls pipelined from the store's loop (redis_batch.py).
        self._add = ScriptBatch(
            ADD_ANSWER, self._loop, lambda: self._redis, self._unavailable, self._errors
        )
        try:
            await self._redis.ping()
            mode = await self._mode()
        except self._errors as exc:
            await pool.disconnect()
            raise StoreUnavailable(f"Redis at {self._where()}: {exc}") from None
        if mode in UNSUPPORTED:
            await pool.disconnect()
            raise ValueError(f"{self._where()} {UNSUPPORTED[mode]}")

    async def _mode(self) -> str:
        """`standalone`, `cluster` or `sentinel` (INFO's redis_mode); `standalone` when the
        server does not tell (INFO renamed or disabled, as some hosted services do)."""
        from redis.exceptions import ResponseError

        try:
            info = await self._redis.info("server")
        except ResponseError:
            return "standalone"
        return str(info.get("redis_mode") or "standalone")

    def _where(self) -> str:
        parts = urlsplit(self.url)
        if parts.scheme == "unix":
            return parts.path
        return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        return StoreUnavailable(f"Redis at {self._where()}: {exc}")

    async def _guarded(self, work: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await work
        except self._errors as exc:
            raise self._unavailable(exc) from None

    async def _run(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        """Run `make()` on the store's loop and wait for it from the caller's loop."""
        if self._closed:
            raise StoreUnavailable("store is closed")
        future = asyncio.run_coroutine_threadsafe(self._guarded(make()), self._loop)
        return await asyncio.wrap_future(future)

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    # -- the Store protocol ----------------------------------------------------------------

    async def get_meta(self, name: str) -> str | None:
        return await self._run(lambda: self._redis.hget(self._key("meta"), name))

    async def set_meta(self, name: str, value: str) -> None:
        keys = [self._key("meta"), self._key("head")]
        args = [name, value, self.channel, self.origin]
        await self._run(lambda: self._set_meta(keys=keys, args=args))

    async def setdefault_meta(self, name: str, value: str) -> str:
        keys = [self._key("meta"), self._key("head")]
        args = [name, value, self.channel, self.origin]
        return await self._run(lambda: self._setdefault(keys=keys, args=args))

    async def take(self, bucket: str, rate: Rate) -> bool:
        keys = [self._key("rate", bucket)]
        args = [repr(float(rate.burst)), repr(float(rate.per_second))]
        return bool(await self._run(lambda: self._take(keys=keys, args=args)))

    async def polls(self) -> dict[str, PollState]:
        rows = await self._run(lambda: self._redis.hgetall(self._key("polls")))
        return {poll: _decode_state(poll, raw) for poll, raw in rows.items()}

    async def _change_poll(
        self, poll: str, change: Callable[[PollState], PollState | None], drop: tuple[str, ...] = ()
    ) -> PollState:
        """Read, change and compare-and-set one poll's state (retried on a race)."""
        polls = self._key("polls")

        async def work() -> PollState:
            raw = await self._redis.hget(polls, poll) or ""
            for _ in range(CAS_ATTEMPTS):
                current = _decode_state(poll, raw)
                new = change(current)
                if new is None:
                    return current
                done, raw = await self._set_poll(
                    keys=[polls, self._key("head"), *drop],
                    args=[poll, raw, _encode_state(new), self.channel, self.origin],
                )
                if int(done):
                    return new
            raise StoreUnavailable(f"poll {poll!r} kept changing under another writer")

        return await self._run(work)

    async def set_status(
        self, poll: str, status: str, *, only_from: tuple[str, ...] | None = None
    ) -> PollState:
        if status not in ("new", "open", "closed"):
            raise ValueError(f"unknown poll status {status!r}")

        def change(current: PollState) -> PollState | None:
            if only_from is not None and current.status not in only_from:
                return None
            return next_state(current, status, time.time())

        return await self._change_poll(poll, change)

    async def set_revealed(self, poll: str, revealed: bool) -> PollState:
        def change(cur: PollState) -> PollState:
            return PollState(poll, cur.status, revealed, cur.opened_at, cur.closed_at)

        return await self._change_poll(poll, change)

    async def reset_poll(self, poll: str) -> PollState:
        drop = (
            self._key("answers", poll),
            self._key("voters", poll),
            self._key("votes", poll),
            self._key("voted", poll),
        )
        return await self._change_poll(poll, after_reset, drop)

    async def add_answer(
        self,
        poll: str,
        voter: str,
        value: dict[str, Any],
        *,
        key: str,
        replace: bool,
        limit: int,
        pending: bool = False,
        rate: Rate | None = None,
    ) -> Receipt:
        # ASCII JSON: exact comparisons in Lua, and no text can fail to encode on the wire.
        args = [
            poll,
            json.dumps(voter),
            json.dumps(value, sort_keys=True),
            json.dumps(key),
            "1" if replace else "0",
            str(int(limit)),
            self.channel,
            self.origin,
            "1" if pending else "0",
            repr(float(rate.burst)) if rate is not None else "",
            repr(float(rate.per_second)) if rate is not None else "",
        ]
        keys = [
            self._key("polls"),
            self._key("answers", poll),
            self._key("voters", poll),
            self._key("seq"),
            self._key("head"),
            self._key("rate", voter_bucket(voter)),
        ]
        if self._closed:
            raise StoreUnavailable("store is closed")
        reply = await self._add(keys, args)
        outcome = reply[0]
        if outcome == "too_fast":
            raise TooFast(poll)
        if outcome == "closed":
            raise PollClosed(poll)
        if outcome == "limit":
            raise AnswerLimit(poll)
        answer = _answer(poll, reply[1], reply[2])
        if outcome == "duplicate":
            return Receipt(answer, duplicate=True)
        removed = tuple(int(i) for i in reply[3].split())
        return Receipt(answer, replaced=bool(removed), removed=removed, seq=int(reply[4]))

    async def hide_answer(self, poll: str, answer_id: int, hidden: bool = True) -> Answer | None:
        return await self._flag(poll, answer_id, "hidden", hidden)

    async def approve_answer(self, poll: str, answer_id: int) -> Answer | None:
        return await self._flag(poll, answer_id, "pending", False)

    async def _flag(self, poll: str, answer_id: int, flag: str, on: bool) -> Answer | None:
        keys = [self._key("answers", poll), self._key("head")]
        args = [str(int(answer_id)), "1" if on else "0", poll, self.channel, self.origin, flag]
        raw = await self._run(lambda: self._flag_script(keys=keys, args=args))
        return None if raw is None else _answer(poll, answer_id, raw)

    async def vote_answer(self, poll: str, answer_id: int, voter: str, on: bool) -> Answer | None:
        keys = [
            self._key("polls"),
            self._key("answers", poll),
            self._key("votes", poll),
            self._key("voted", poll),
            self._key("head"),
        ]
        args = [poll, str(int(answer_id)), json.dumps(voter), "1" if on else "0"]
        args += [self.channel, self.origin]
        reply = await self._run(lambda: self._vote_script(keys=keys, args=args))
        if reply[0] == "closed":
            raise PollClosed(poll)
        return None if reply[0] == "missing" else _answer(poll, answer_id, reply[1])

    async def mark_answer(self, poll: str, answer_id: int, mark: str, on: bool) -> Answer | None:
        if mark not in MARKS:
            raise ValueError(f"unknown mark {mark!r}")
        return await self._flag(poll, answer_id, mark, on)

    async def voted(self, poll: str, voter: str) -> list[int]:
        raw = await self._run(lambda: self._redis.hget(self._key("voted", poll), json.dumps(voter)))
        return sorted(int(i) for i in (raw or "").split())

    async def answers(self, poll: str) -> list[Answer]:
        rows = await self._run(lambda: self._redis.hgetall(self._key("answers", poll)))
        found = [_answer(poll, answer_id, raw) for answer_id, raw in rows.items()]
        return sorted(found, key=lambda a: a.id)

    async def purge(self, before: float) -> int:
        # Every poll's answers, also of polls no longer in the deck: found by key pattern.
        prefix = self._key("answers", "")

        async def work() -> int:
            gone = 0
            async for key in self._redis.scan_iter(match=_glob_escape(prefix) + "*"):
                poll = key[len(prefix) :]
                keys = [key, self._key("voters", poll)]
                gone += int(await self._redis.eval(PURGE, 2, *keys, repr(before)))
            return gone

        return await self._run(work)

    # -- the change feed -------------------------------------------------------------------

    async def head(self) -> int:
        """The number of the last change committed (by any server on this deck)."""
        return int(await self._run(lambda: self._redis.get(self._key("head"))) or 0)

    async def publish(self, data: dict[str, Any]) -> None:
        """Send a note to every subscriber (this store's included)."""
        note = json.dumps({"t": "note", "o": self.origin, "data": data})
        await self._run(lambda: self._redis.publish(self.channel, note))

    async def subscribe(self) -> QueueFeed:
        """Subscribe to this deck's changes; returns once Redis confirmed the subscription,
        so that every change committed afterwards arrives through the feed."""
        if self._closed:
            raise StoreUnavailable("store is closed")
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        feed = QueueFeed(loop)
        task = asyncio.run_coroutine_threadsafe(self._listen(feed, loop, ready), self._loop)
        feed.on_close = task.cancel
        try:
            await ready
        except BaseException:
            task.cancel()
            raise
        return feed

    async def _listen(
        self, feed: QueueFeed, loop: asyncio.AbstractEventLoop, ready: asyncio.Future
    ) -> None:
        """On the store's loop: read the channel until the feed closes or the link drops."""

        def hand(function: Callable[..., None], *args: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the subscriber's loop is gone
                loop.call_soon_threadsafe(function, *args)

        pubsub = self._redis.pubsub()
        confirmed = False
        try:
            await pubsub.subscribe(self.channel)
            while not feed.closed:
                message = await pubsub.get_message(timeout=1.0)
                batch: list[Any] = []
                while message is not None:
                    if message["type"] == "subscribe":
                        if confirmed:
                            # redis-py reconnected and subscribed again by itself: whatever
                            # was published in between is lost to this feed.
                            raise ConnectionError("the subscription was renewed")
                        confirmed = True
                        hand(_settle, ready, None)
                    elif message["type"] == "message":
                        change = _change(message["data"])
                        if change is not None:
                            batch.append(change)
                    if len(batch) >= FEED_BATCH:
                        break
                    message = await pubsub.get_message(timeout=0)
                if batch:
                    hand(feed.deliver, batch)
        except self._errors as exc:
            lost = StoreUnavailable(f"Redis at {self._where()}: {exc}")
            hand(_settle, ready, lost)
            hand(feed.deliver, [LOST])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        async def disconnect() -> None:
            await self._add.close()  # what was queued before the close still commits
            await self._redis.connection_pool.disconnect()

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(disconnect(), self._loop))
        await asyncio.to_thread(self._stop_loop)
