"""Redis store: several workers or machines share one deck's polls (the `redis` extra)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from deckpoll.stores.base import (
    Answer,
    AnswerLimit,
    PollClosed,
    PollState,
    Receipt,
    StoreUnavailable,
    after_reset,
    next_state,
)

CONNECT_TIMEOUT = 2.0  # seconds to open a connection; `?socket_connect_timeout=` overrides
SOCKET_TIMEOUT = 5.0  # seconds to wait for a reply; `?socket_timeout=` overrides
MAX_CONNECTIONS = 32  # per store (per worker); `?max_connections=` overrides
POOL_WAIT = 5.0  # seconds a call waits for a free connection before failing (503)
RETRIES = 2  # reconnects after a dropped connection (a restarted Redis), then StoreUnavailable
CAS_ATTEMPTS = 50  # poll-state updates retried when another writer changed the poll meanwhile
SCHEMES = ("redis", "rediss", "unix")

# One answer, decided and written in one atomic step on the Redis server.
# KEYS: polls hash, answers hash (id -> record), voters hash (voter -> JSON list of ids), seq
# ARGV: poll, voter, value, key, replace ('1'/'0'), limit; voter/value/key are ASCII JSON.
# Records are built here with cjson from strings only (cjson would round floats: the time
# stamp travels as a string), so every string reads back byte for byte.
ADD_ANSWER = """
local state = redis.call('HGET', KEYS[1], ARGV[1])
if not state or cjson.decode(state)['status'] ~= 'open' then
  return {'closed'}
end
local mine = {}
local index = redis.call('HGET', KEYS[3], ARGV[2])
if index then mine = cjson.decode(index) end
local ids, rows = {}, {}
for i, id in ipairs(mine) do
  local raw = redis.call('HGET', KEYS[2], tostring(id))
  if raw then
    table.insert(ids, id)
    table.insert(rows, raw)
  end
end
local replace = ARGV[5] == '1'
local field = replace and 'value' or 'key'
local wanted = replace and ARGV[3] or ARGV[4]
for i, raw in ipairs(rows) do
  if cjson.decode(raw)[field] == wanted then
    return {'duplicate', tostring(ids[i]), raw}
  end
end
if replace then
  for i, id in ipairs(ids) do redis.call('HDEL', KEYS[2], tostring(id)) end
elseif #ids >= tonumber(ARGV[6]) then
  return {'limit'}
end
local id = redis.call('INCR', KEYS[4])
local now = redis.call('TIME')
local created = now[1] .. '.' .. string.format('%06d', tonumber(now[2]))
local record = cjson.encode({voter = ARGV[2], key = ARGV[4], value = ARGV[3],
                             created = created, hidden = false})
redis.call('HSET', KEYS[2], tostring(id), record)
local removed = ''
if replace then
  removed = table.concat(ids, ' ')
  ids = {id}
else
  table.insert(ids, id)
end
redis.call('HSET', KEYS[3], ARGV[2], cjson.encode(ids))
return {'ok', tostring(id), record, removed}
"""

# Compare-and-set of one poll's state; on success also delete KEYS[2..] (reset's answers).
# ARGV: poll, the state the caller read ('' for none), the new state.
SET_POLL = """
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return {0, current} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return {1, ARGV[3]}
"""

# KEYS: answers hash; ARGV: answer id, '1' to hide or '0' to show. Nothing for a missing id.
HIDE_ANSWER = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local record = cjson.decode(raw)
record['hidden'] = ARGV[2] == '1'
raw = cjson.encode(record)
redis.call('HSET', KEYS[1], ARGV[1], raw)
return raw
"""


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
    )


class RedisStore:
    """A Store in Redis, for several workers or machines serving one deck.

    `redis://[user:password@]host:port/db` (also `rediss://` for TLS, `unix:///path.sock`);
    query options of redis-py (`socket_timeout`, `max_connections`, ...) override the
    defaults. Keys are `deckpoll:{namespace}:...` (one hash tag, so one cluster slot).

    Every rule that must hold under concurrency runs in a Lua script on the server, so it
    is atomic across processes. The client runs on the store's own event-loop thread, so the
    store works from any event loop (uvicorn's, `asyncio.run` in the CLI, tests) the way the
    SQLite store's writer thread does. Any Redis failure is a `StoreUnavailable` (503).
    """

    def __init__(self, url: str, *, namespace: str = "") -> None:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in SCHEMES:
            raise ValueError(f"bad Redis store URL {url!r}: use redis://host:port/db")
        self.url = url
        self.namespace = namespace
        self.prefix = f"deckpoll:{{{namespace}}}:"
        self._closed = False
        self._loop = asyncio.new_event_loop()
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
        self._add = self._redis.register_script(ADD_ANSWER)
        self._set_poll = self._redis.register_script(SET_POLL)
        self._hide = self._redis.register_script(HIDE_ANSWER)
        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
        try:
            await self._redis.ping()
        except self._errors as exc:
            await pool.disconnect()
            raise StoreUnavailable(f"Redis at {self._where()}: {exc}") from None

    def _where(self) -> str:
        parts = urlsplit(self.url)
        if parts.scheme == "unix":
            return parts.path
        return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"

    async def _guarded(self, work: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await work
        except self._errors as exc:
            raise StoreUnavailable(f"Redis at {self._where()}: {exc}") from None

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
        await self._run(lambda: self._redis.hset(self._key("meta"), name, value))

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
                    keys=[polls, *drop], args=[poll, raw, _encode_state(new)]
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
        drop = (self._key("answers", poll), self._key("voters", poll))
        return await self._change_poll(poll, after_reset, drop)

    async def add_answer(
        self, poll: str, voter: str, value: dict[str, Any], *, key: str, replace: bool, limit: int
    ) -> Receipt:
        # ASCII JSON: exact comparisons in Lua, and no text can fail to encode on the wire.
        args = [
            poll,
            json.dumps(voter),
            json.dumps(value, sort_keys=True),
            json.dumps(key),
            "1" if replace else "0",
            str(int(limit)),
        ]
        keys = [
            self._key("polls"),
            self._key("answers", poll),
            self._key("voters", poll),
            self._key("seq"),
        ]
        reply = await self._run(lambda: self._add(keys=keys, args=args))
        outcome = reply[0]
        if outcome == "closed":
            raise PollClosed(poll)
        if outcome == "limit":
            raise AnswerLimit(poll)
        answer = _answer(poll, reply[1], reply[2])
        if outcome == "duplicate":
            return Receipt(answer, duplicate=True)
        removed = tuple(int(i) for i in reply[3].split())
        return Receipt(answer, replaced=bool(removed), removed=removed)

    async def hide_answer(self, poll: str, answer_id: int, hidden: bool = True) -> Answer | None:
        keys = [self._key("answers", poll)]
        args = [str(int(answer_id)), "1" if hidden else "0"]
        raw = await self._run(lambda: self._hide(keys=keys, args=args))
        return None if raw is None else _answer(poll, answer_id, raw)

    async def answers(self, poll: str) -> list[Answer]:
        rows = await self._run(lambda: self._redis.hgetall(self._key("answers", poll)))
        found = [_answer(poll, answer_id, raw) for answer_id, raw in rows.items()]
        return sorted(found, key=lambda a: a.id)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        async def disconnect() -> None:
            await self._redis.connection_pool.disconnect()

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(disconnect(), self._loop))
        await asyncio.to_thread(self._stop_loop)
