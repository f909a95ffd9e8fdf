"""The feed follower: loads the session's state from the store, then applies the store's
change feed to it in order, and starts over (subscribe, reload) when the feed was lost or a
change is missing.

Every store numbers its changes 1, 2, 3, ... in commit order (`Change.seq`). The follower
subscribes first, reads the head (the last number), then loads: a change numbered up to the
head is in the load and skipped, the next ones are applied (applying one that the load
already had changes nothing), and a jump in the numbers means one was missed."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Callable

from deckpoll.server.mirror import Loaded, Mirror
from deckpoll.server.wordgroups import META as GROUPS
from deckpoll.server.workshop import WORKSHOP_META
from deckpoll.stores.base import Change, Feed, Store, StoreError

RESUBSCRIBE_SECONDS = 0.5  # between attempts to subscribe again after the feed was lost
SETTLE_SECONDS = 2.0  # a read waits this long at most for the feed to reach a change


async def load(store: Store, polls: list[str]) -> Loaded:
    """Read the head first, then everything (see the module's note)."""
    head = await store.head()
    state = await store.get_meta("state")
    found = await store.polls()
    answers = {pid: await store.answers(pid) for pid in polls}
    groups = {pid: raw for pid in polls if (raw := await store.get_meta(GROUPS + pid))}
    meta = {name: await store.get_meta(name) for name in WORKSHOP_META}
    return Loaded(head, state, found, answers, groups, meta)


class Follower:
    """Applies the feed to the mirror. `on_batch` runs once per batch of changes (the push
    coalescer's one wake-up per commit batch), `on_note` for a note from another server,
    `on_resync` after the state was reloaded (the clients need a fresh snapshot)."""

    def __init__(
        self,
        store: Store,
        mirror: Mirror,
        *,
        on_batch: Callable[[], None],
        on_note: Callable[[Change], None],
        on_resync: Callable[[], None],
    ) -> None:
        self.store = store
        self.mirror = mirror
        self.applied = 0  # the number of the last change the mirror has
        self.resyncs = 0  # times the feed was lost (or skipped a change) and all reloaded
        self.gaps = 0  # times a change was missing from the feed
        self._on_batch, self._on_note, self._on_resync = on_batch, on_note, on_resync
        self._feed: Feed | None = None
        self._task: asyncio.Task | None = None
        self._waiters: list[tuple[int, int, asyncio.Future]] = []  # heap by change number
        self._count = itertools.count()

    async def start(self) -> None:
        # Subscribe before loading: whatever is committed after the load is in the feed.
        self._feed = await self.store.subscribe()
        try:
            self._take(await load(self.store, list(self.mirror.polls)))
        except BaseException:
            await self._feed.close()
            self._feed = None
            raise
        self._task = asyncio.create_task(self._run(), name="deckpoll-follower")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._feed is not None:
            await self._feed.close()
            self._feed = None
        self._release(all_of_them=True)

    def _take(self, loaded: Loaded) -> None:
        self.mirror.replace(loaded)
        self.applied = loaded.head
        self._release()

    # -- following ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            if self._feed is None:
                await self._resubscribe()
                continue
            try:
                batch = await self._feed.batch()
            except StoreError:
                await self._lose()
                continue
            if not self.apply(batch):
                self.gaps += 1
                await self._lose()

    def apply(self, batch: list[Change]) -> bool:
        """Apply a batch in order; False if a change is missing (the rest is not applied)."""
        ok = True
        for change in batch:
            if change.kind == "note":
                self._on_note(change)
            elif change.seq == 0 or change.seq == self.applied + 1:
                # 0: a change from a server of a version that did not number them
                self.mirror.apply(change)
                self.applied = max(self.applied, change.seq)
            elif change.seq > self.applied + 1:
                ok = False
                break
            # below: already in the load
        self._release()
        self._on_batch()
        return ok

    async def _lose(self) -> None:
        if self._feed is not None:
            await self._feed.close()
            self._feed = None

    async def _resubscribe(self) -> None:
        while True:
            try:
                feed = await self.store.subscribe()
            except StoreError:
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
                continue
            try:
                loaded = await load(self.store, list(self.mirror.polls))
            except StoreError:
                await feed.close()
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
                continue
            self._feed = feed
            self._take(loaded)
            self.resyncs += 1
            self._on_resync()
            return

    # -- read your writes --------------------------------------------------------------------

    async def reached(self, seq: int, timeout: float | None = None) -> bool:
        """Wait until the mirror has every change up to `seq` (False after `timeout`, by
        default SETTLE_SECONDS: the feed is lost for now, and the mirror as it is is the
        best there is)."""
        if self.applied >= seq:
            return True
        timeout = SETTLE_SECONDS if timeout is None else timeout
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        heapq.heappush(self._waiters, (seq, next(self._count), waiter))
        timer = loop.call_later(timeout, _settle, waiter, False)
        try:
            return await waiter
        finally:
            timer.cancel()

    async def settle(self, timeout: float | None = None) -> bool:
        """Wait until the mirror has every change committed before this call (by any
        server): a read that follows an acknowledged write then sees it."""
        return await self.reached(await self.store.head(), timeout)

    def _release(self, all_of_them: bool = False) -> None:
        waiters = self._waiters
        while waiters and (all_of_them or waiters[0][0] <= self.applied):
            _settle(heapq.heappop(waiters)[2], True)


def _settle(waiter: asyncio.Future, value: bool) -> None:
    if not waiter.done():
        waiter.set_result(value)
