"""Calls of one Lua script sent to Redis in pipelines: the answer path's group commit.

A room answering at once makes hundreds of calls of the same script a second. Sent one by
one, each costs a thread hop to the store's loop and back, a connection from the pool, a
write and a read; most of a server's CPU per answer went there. Here the calls queue up,
the store's loop is woken once for everything waiting, sends it as one pipeline (one write,
one read; Redis still runs each script atomically, in order), and hands the replies back
with one `call_soon_threadsafe` per caller loop and batch, as the SQLite writer does."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
from collections.abc import Callable
from typing import Any

from deckpoll.stores.handback import hand_back

BATCH_LIMIT = 256  # calls in one pipeline at most


class Call:
    __slots__ = ("keys", "args", "loop", "future", "result", "error")

    def __init__(self, keys: list[str], args: list[str]) -> None:
        self.keys = keys
        self.args = args
        self.loop = asyncio.get_running_loop()
        self.future: asyncio.Future = self.loop.create_future()
        self.result: Any = None  # the script's reply
        self.error: BaseException | None = None  # or what the caller gets instead


class ScriptBatch:
    """Runs one script (`source`) for callers on any event loop, from the store's loop.

    `client()` gives the store's redis-py client; `fail(exc)` turns a Redis or connection
    error into the exception callers get (the store's StoreUnavailable)."""

    def __init__(
        self,
        source: str,
        loop: asyncio.AbstractEventLoop,
        client: Callable[[], Any],
        fail: Callable[[BaseException], BaseException],
        errors: tuple[type[BaseException], ...],
    ) -> None:
        self._source = source
        self._loop = loop
        self._client = client
        self._fail = fail
        self._errors = errors
        self._sha: str | None = None
        self._queue: collections.deque[Call] = collections.deque()
        self._lock = threading.Lock()
        self._awake = False  # a drain is scheduled or running: no need to wake the loop
        self._task: asyncio.Task | None = None

    def __call__(self, keys: list[str], args: list[str]) -> asyncio.Future:
        """Queue one call (from the caller's loop); its future gets the script's reply."""
        call = Call(keys, args)
        with self._lock:
            self._queue.append(call)
            wake, self._awake = not self._awake, True
        if wake:
            try:
                self._loop.call_soon_threadsafe(self._start)
            except RuntimeError:  # the store's loop is closed
                with self._lock:
                    self._awake = False
                call.future.set_exception(self._fail(ConnectionError("store is closed")))
        return call.future

    def _start(self) -> None:
        self._task = self._loop.create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._awake = False
                    return
                count = min(len(self._queue), BATCH_LIMIT)
                batch = [self._queue.popleft() for _ in range(count)]
            try:
                await self._send(batch)
            except asyncio.CancelledError:  # the store closes: nobody is left hanging
                self._fail_all(batch, ConnectionError("store is closing"))
                with self._lock:
                    self._awake = False
                raise
            except Exception as exc:  # Redis's, or a fault of ours: the next batch still runs
                self._fail_all(batch, exc)
            else:
                hand_back(batch)

    def _fail_all(self, batch: list[Call], exc: BaseException) -> None:
        failure = self._fail(exc)
        for call in batch:
            call.error = failure
        hand_back(batch)

    async def _send(self, batch: list[Call]) -> None:
        """Run the batch's calls in one pipeline; each call's reply in `call.result` (or
        what its caller gets instead in `call.error`). A script Redis does not know
        (restarted, or SCRIPT FLUSH) is loaded and the calls it refused sent again: a
        refused call did not run."""
        from redis.exceptions import NoScriptError

        todo = batch
        for _ in range(2):
            if self._sha is None:
                self._sha = await self._client().script_load(self._source)
            async with self._client().pipeline(transaction=False) as pipe:
                for call in todo:
                    pipe.evalsha(self._sha, len(call.keys), *call.keys, *call.args)
                replies = await pipe.execute(raise_on_error=False)
            again = []
            for call, reply in zip(todo, replies, strict=True):
                if isinstance(reply, NoScriptError):
                    again.append(call)
                elif isinstance(reply, BaseException):
                    call.error = self._fail(reply)
                else:
                    call.result = reply
            if not again:
                return
            todo, self._sha = again, None
        for call in todo:
            call.error = self._fail(ConnectionError("Redis keeps forgetting the script"))

    async def close(self) -> None:
        """On the store's loop: finish what is queued."""
        task = self._task
        if task is not None and not task.done():
            with contextlib.suppress(Exception):
                await task
