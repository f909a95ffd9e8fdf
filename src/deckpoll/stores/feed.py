"""The change feed every store offers: committed changes, numbered in commit order.

Redis publishes its changes on a channel (stores/redis.py); the memory and SQLite stores,
written by one process only, hand theirs to a `ChangeHub` right after they commit. Either
way a subscriber gets them through a `QueueFeed`, a batch (what one commit, or one read of
the channel, brought) at a time, on the subscriber's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections import deque
from typing import Any

from deckpoll.stores.base import Change, StoreUnavailable

LOST = object()  # put in a feed when its subscription is gone (changes may have been missed)


class QueueFeed:
    """One subscriber's changes, waiting in commit order. `deliver` runs on the subscriber's
    loop; `get` returns the next change, `batch` everything waiting (at least one)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._items: deque[Any] = deque()
        self._waiter: asyncio.Future | None = None
        self.closed = False
        self.on_close: Any = None  # called once by close() (the store lets go of the feed)

    def deliver(self, items: list[Any]) -> None:
        if self.closed:
            return
        self._items.extend(items)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def deliver_threadsafe(self, items: list[Any]) -> None:
        """From any thread (or the subscriber's loop itself)."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.deliver(items)
            return
        with contextlib.suppress(RuntimeError):  # the subscriber's loop is gone
            self.loop.call_soon_threadsafe(self.deliver, items)

    async def _wait(self) -> None:
        while not self._items:
            self._waiter = self.loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self._items[0] is LOST:
            raise StoreUnavailable("the change feed was lost; changes may be missed")

    async def get(self) -> Change:
        await self._wait()
        return self._items.popleft()

    async def batch(self) -> list[Change]:
        """Every change waiting now, in order (stops before a loss, which the next call
        raises): the subscriber wakes once per commit batch, not once per change."""
        await self._wait()
        out: list[Change] = []
        while self._items and self._items[0] is not LOST:
            out.append(self._items.popleft())
        return out

    async def close(self) -> None:
        self.closed = True
        if self.on_close is not None:
            self.on_close()
            self.on_close = None


class ChangeHub:
    """The change feed of a store only this process writes (memory, SQLite): `commit` numbers
    the changes of one commit and hands them to every subscriber before the writers hear
    back, so a change is in every feed before its write is acknowledged."""

    shared = False  # other processes do not see these changes

    def __init__(self) -> None:
        self.origin = uuid.uuid4().hex[:12]
        self.head = 0  # sequence number of the last committed change
        self._feeds: list[QueueFeed] = []
        self._lock = threading.Lock()  # SQLite commits on its writer thread

    def subscribe(self) -> QueueFeed:
        feed = QueueFeed(asyncio.get_running_loop())
        with self._lock:
            self._feeds.append(feed)
        feed.on_close = lambda: self._drop(feed)
        return feed

    def _drop(self, feed: QueueFeed) -> None:
        with self._lock:
            if feed in self._feeds:
                self._feeds.remove(feed)

    def commit(self, changes: list[Change]) -> int:
        """Number and hand out the changes of one commit; the sequence number of the last."""
        if not changes:
            return self.head
        with self._lock:
            numbered = []
            for change in changes:
                self.head += 1
                numbered.append(change.numbered(self.origin, self.head))
            feeds = list(self._feeds)
            head = self.head
        for feed in feeds:
            feed.deliver_threadsafe(numbered)
        return head

    def note(self, data: dict[str, Any]) -> None:
        """A note to every subscriber (unnumbered: it changes nothing stored)."""
        with self._lock:
            feeds = list(self._feeds)
        for feed in feeds:
            feed.deliver_threadsafe([Change("note", self.origin, data=dict(data))])

    def lose(self) -> None:
        """The store closed: every feed reports the loss."""
        with self._lock:
            feeds, self._feeds = self._feeds, []
        for feed in feeds:
            feed.deliver_threadsafe([LOST])
