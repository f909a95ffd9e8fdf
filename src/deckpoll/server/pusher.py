"""The push coalescer: results events at most every `push_interval`, of the polls that
changed only, and the audience count (this server's phones plus what the others told).

It wakes once per batch of applied changes (the follower calls `wake`), not once per
answer; the tallies are already up to date, so a push only makes the changed polls' views."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

from deckpoll.server.events import Broadcaster
from deckpoll.server.mirror import Mirror
from deckpoll.stores.base import Change, Store

PUSH_INTERVAL = 0.25  # seconds: results are pushed at most four times a second
PRESENCE_SECONDS = 10.0  # each server tells the others its audience count this often


class Pusher:
    """Pushes what changed to every open event stream, coalesced."""

    def __init__(
        self, mirror: Mirror, broadcaster: Broadcaster, store: Store, push_interval: float
    ) -> None:
        self.mirror = mirror
        self.broadcaster = broadcaster
        self.store = store
        self.push_interval = push_interval
        self._dirty: set[str] = set()
        self._presence_dirty = False
        self._others: dict[str, tuple[int, float]] = {}  # origin -> (audience, when told)
        self._told_audience = -1
        self._reactions: Counter[str] = Counter()  # since the last push (never stored)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task | None = None

    # -- what changed ------------------------------------------------------------------------

    def mark(self, pid: str) -> None:
        """A poll's results changed (the wake-up comes once per batch, from `wake`)."""
        self._dirty.add(pid)

    def wake(self) -> None:
        if self._dirty or self._presence_dirty:
            self._wake.set()

    def react(self, emoji: str) -> None:
        """A reaction from a phone: counted, pushed with the next batch as one event."""
        self._reactions[emoji] += 1
        self._wake.set()

    def presence_changed(self) -> None:
        self._presence_dirty = True
        self._wake.set()

    def resync(self) -> None:
        """The state was reloaded: every client gets a snapshot, the others our count."""
        self._told_audience = -1
        self._dirty.update(self.mirror.polls)
        self.broadcaster.resync_all()
        self._wake.set()

    def note(self, change: Change) -> None:
        """A note from another server (this one's own are not news)."""
        if change.origin == self.store.origin:
            return
        counts = change.data.get("reactions")
        if isinstance(counts, dict) and 0 < len(counts) <= 16:  # another server's batch
            valid = {k: v for k, v in counts.items() if isinstance(v, int) and 0 < v < 10**6}
            if valid:
                self.broadcaster.publish("reactions", {"counts": valid}, phones=False)
        audience = change.data.get("audience")
        if isinstance(audience, int) and not isinstance(audience, bool) and audience >= 0:
            self._others[change.origin] = (audience, time.monotonic())
            self.presence_changed()

    def audience(self) -> int:
        """Phones connected to this server and to the others on the same deck."""
        now = time.monotonic()
        for origin, (_, when) in list(self._others.items()):
            if now - when > 3 * PRESENCE_SECONDS:
                del self._others[origin]  # that server stopped telling: it is gone
        return self.broadcaster.audience_count() + sum(n for n, _ in self._others.values())

    # -- pushing -----------------------------------------------------------------------------

    async def flush(self) -> None:
        """Push the results of every poll that changed since the last push."""
        dirty, self._dirty = self._dirty, set()
        view = self.mirror.results_view
        for pid in sorted(dirty):
            self.broadcaster.publish("results", view(pid, False), view(pid, True), key=pid)
        if self._reactions:
            # One event per push for all of this server's phones; the other servers of the
            # deck get the same counts through the store's notes (never as answers).
            counts, self._reactions = dict(self._reactions), Counter()
            self.broadcaster.publish("reactions", {"counts": counts}, phones=False)
            await self.store.publish({"reactions": counts})
        if self._presence_dirty:
            self._presence_dirty = False
            # Only decks show the audience count: phones are not sent it.
            self.broadcaster.publish("presence", {"audience": self.audience()}, phones=False)
        if self._told_audience != self.broadcaster.audience_count():
            await self.tell_audience()

    async def tell_audience(self) -> None:
        """Tell the other servers how many phones are connected here."""
        count = self.broadcaster.audience_count()
        await self.store.publish({"audience": count})
        self._told_audience = count

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="deckpoll-pusher")

    async def stop(self) -> None:
        # The flag, not only cancel(): on Python 3.11 a cancel that meets the wake-up inside
        # asyncio.wait_for is swallowed, and the pusher would loop on (stop hung for good).
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        told = time.monotonic()
        while not self._stopping:
            # Wake at least every PRESENCE_SECONDS / 2: the others forget a silent server.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), PRESENCE_SECONDS / 2)
            if time.monotonic() - told >= PRESENCE_SECONDS:
                told = time.monotonic()
                self._told_audience = -1
                self._presence_dirty = True  # others may have expired meanwhile
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the store hiccupped: retry in a second
                await asyncio.sleep(1.0)
                self._wake.set()
            await asyncio.sleep(self.push_interval)
