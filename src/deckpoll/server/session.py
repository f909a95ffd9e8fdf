"""The live session: the presenter's position, poll states and results, mirrored in memory.

With a store that has a change feed (Redis), several servers share one deck: each applies
every committed change from the feed, in commit order, its own included."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from deckpoll.polls import Checked, Tally, tally
from deckpoll.server.events import Broadcaster
from deckpoll.stores.base import (
    NEW,
    OPEN,
    Answer,
    Change,
    Feed,
    PollState,
    Receipt,
    Store,
    StoreError,
    has_feed,
)

PUSH_INTERVAL = 0.25  # seconds: results are pushed at most four times a second
RESUBSCRIBE_SECONDS = 0.5  # between attempts to subscribe again after the feed was lost
PRESENCE_SECONDS = 10.0  # each server tells the others its audience count this often


def poll_of_slide(manifest: dict[str, Any]) -> dict[int, str]:
    """Slide index -> poll id, from `polls[].slide` and `slides[].poll`."""
    found: dict[int, str] = {}
    for slide in manifest.get("slides") or []:
        if slide.get("poll"):
            found[int(slide["index"])] = str(slide["poll"])
    for poll in manifest.get("polls") or []:
        if poll.get("slide") is not None:
            found.setdefault(int(poll["slide"]), str(poll["id"]))
    return found


class Session:
    """Everything the server knows right now. The store is the durable copy: every change
    is committed there first, then mirrored here and broadcast.

    Without a feed this process is the deck's only writer and mirrors its own changes. With
    a feed the mirror follows the feed only: it was loaded after subscribing, and the feed
    brings every later change in commit order (applying them out of order could, say, let a
    reset seen late wipe an answer committed after it).
    """

    def __init__(
        self, manifest: dict[str, Any], store: Store, *, push_interval: float = PUSH_INTERVAL
    ) -> None:
        self.manifest = manifest
        self.store = store
        self.polls: dict[str, dict[str, Any]] = {
            str(p["id"]): p for p in manifest.get("polls") or []
        }
        self.slide_poll = poll_of_slide(manifest)
        self.slide_count = len(manifest.get("slides") or []) or 1
        config = manifest.get("polls_config") or {}
        self.deck_auto_open = config.get("auto_open", True) is not False
        self.state: dict[str, int] = {"slide": 1, "fragment": 0}
        self.status: dict[str, PollState] = {pid: PollState(pid) for pid in self.polls}
        # Every answer, mirrored from what the store committed (a hide needs the answer it
        # changes), each voter's answers, and each poll's tally, kept up to date per change.
        self.answers: dict[str, dict[int, Answer]] = {pid: {} for pid in self.polls}
        self.by_voter: dict[str, dict[str, dict[int, None]]] = {pid: {} for pid in self.polls}
        self.tallies: dict[str, Tally] = {pid: tally(p, []) for pid, p in self.polls.items()}
        self.shared = has_feed(store)  # other servers may write to this deck
        self.origin = str(getattr(store, "origin", ""))
        self.resyncs = 0  # times the feed was lost and everything reloaded
        self._feed: Feed | None = None
        self._follower: asyncio.Task | None = None
        self._others: dict[str, tuple[int, float]] = {}  # origin -> (audience, when told)
        self._told_audience = -1
        self.push_interval = push_interval
        self.broadcaster = Broadcaster(self.snapshot)
        self.broadcaster.on_change = self._presence_changed
        self._dirty: set[str] = set()
        self._presence_dirty = False
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- start and stop ------------------------------------------------------------------

    async def start(self) -> None:
        if self.shared:
            # Subscribe before loading: whatever is committed after the load is in the feed.
            self._feed = await self.store.subscribe()  # type: ignore[attr-defined]
        if self.manifest.get("hash"):
            await self.store.set_meta("manifest_hash", str(self.manifest["hash"]))
        await self._load()
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._pusher(), name="deckpoll-pusher")
        if self.shared:
            self._follower = asyncio.create_task(self._follow(), name="deckpoll-follower")

    async def _load(self) -> None:
        """Read everything from the store, then replace the mirror in one step."""
        state = dict(self.state)
        saved = await self.store.get_meta("state")
        if saved:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                state = self._parse_state(saved)
        status = {pid: PollState(pid) for pid in self.polls}
        for pid, poll_state in (await self.store.polls()).items():
            if pid in self.polls:
                status[pid] = poll_state
        answers = {pid: {a.id: a for a in await self.store.answers(pid)} for pid in self.polls}
        self.state, self.status, self.answers = state, status, answers
        for pid, mirror in answers.items():
            self.tallies[pid] = tally(self.polls[pid], sorted(mirror.values(), key=lambda a: a.id))
            mine: dict[str, dict[int, None]] = {}
            for answer in mirror.values():
                mine.setdefault(answer.voter, {})[answer.id] = None
            self.by_voter[pid] = mine

    def _parse_state(self, raw: str) -> dict[str, int]:
        data = json.loads(raw)
        slide = int(data["slide"])
        if not 1 <= slide <= self.slide_count:
            raise ValueError("slide out of range")
        return {"slide": slide, "fragment": max(0, int(data["fragment"]))}

    def end_streams(self) -> None:
        """From any thread: end every event stream (call before stopping the server)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.broadcaster.close_all)

    async def stop(self) -> None:
        # The flag, not only cancel(): on Python 3.11 a cancel that meets the wake-up inside
        # asyncio.wait_for is swallowed, and the pusher would loop on (stop hung for good).
        self._stopping = True
        self._wake.set()
        for task in (self._task, self._follower):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._follower = None
        if self._feed is not None:
            await self._feed.close()
            self._feed = None
        self.broadcaster.stop()

    # -- views ---------------------------------------------------------------------------

    def visible(self, pid: str, state: PollState | None = None) -> bool:
        """Whether the audience may see this poll's results."""
        mode = self.polls[pid].get("results") or "live"
        revealed = (state or self.status[pid]).revealed
        return mode == "live" or (mode == "on_reveal" and revealed)

    def poll_view(self, pid: str, state: PollState | None = None) -> dict[str, Any]:
        state = state or self.status[pid]
        return {
            "id": pid,
            "status": "closed" if state.status == NEW else state.status,
            "opened": state.status != NEW,
            "revealed": state.revealed,
            "visible": self.visible(pid, state),
            "results": self.polls[pid].get("results") or "live",
            "moderation": self.polls[pid].get("moderation") or "none",
        }

    def results_view(self, pid: str, presenter: bool) -> dict[str, Any]:
        """The poll's results as a screen gets them: the kind's view, bounded in size (every
        phone gets every push; the presenter asks for a word's answer ids when needed)."""
        result = self.tallies[pid]
        visible = self.visible(pid)
        if presenter or visible:
            return {**result.view(presenter=presenter), "visible": visible}
        return {
            "id": pid,
            "kind": result.kind.name,
            "visible": False,
            "voters": result.voters,
            "answers": result.answers,
        }

    def state_view(self) -> dict[str, Any]:
        slide = self.state["slide"]
        return {**self.state, "poll": self.slide_poll.get(slide)}

    def snapshot(self, presenter: bool) -> dict[str, Any]:
        return {
            "deck": self.manifest.get("id"),
            "hash": self.manifest.get("hash"),
            "state": self.state_view(),
            "polls": {pid: self.poll_view(pid) for pid in self.polls},
            "results": {pid: self.results_view(pid, presenter) for pid in self.polls},
            "audience": self.audience(),
        }

    def audience(self) -> int:
        """Phones connected to this server and, for a shared deck, to the others."""
        now = time.monotonic()
        for origin, (_, when) in list(self._others.items()):
            if now - when > 3 * PRESENCE_SECONDS:
                del self._others[origin]  # that server stopped telling: it is gone
        return self.broadcaster.audience_count() + sum(n for n, _ in self._others.values())

    # -- changes (store first, then memory, then broadcast) -------------------------------

    async def set_slide(self, slide: int, fragment: int) -> dict[str, Any]:
        changed = slide != self.state["slide"]
        state = {"slide": slide, "fragment": fragment}
        await self.store.set_meta("state", json.dumps(state))
        if not self.shared:
            self._apply_slide(state)
        pid = self.slide_poll.get(slide)
        if changed and pid is not None and self.auto_opens(pid):
            await self.set_status(pid, OPEN, only_from=(NEW,))
        return {**state, "poll": pid}

    def _apply_slide(self, state: dict[str, int]) -> None:
        if state != self.state:
            self.state = state
            self.broadcaster.publish("state", self.state_view())

    def auto_opens(self, pid: str) -> bool:
        return self.deck_auto_open and self.polls[pid].get("auto_open", True) is not False

    async def set_status(
        self, pid: str, status: str, *, only_from: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        state = await self.store.set_status(pid, status, only_from=only_from)
        if not self.shared:
            self._apply_poll(state)
        return self.poll_view(pid, state)

    async def set_revealed(self, pid: str, revealed: bool) -> dict[str, Any]:
        state = await self.store.set_revealed(pid, revealed)
        if not self.shared:
            self._apply_poll(state)
        return self.poll_view(pid, state)

    async def reset(self, pid: str) -> dict[str, Any]:
        state = await self.store.reset_poll(pid)
        if not self.shared:
            self._apply_poll(state, reset=True)
        return self.poll_view(pid, state)

    def _apply_poll(self, state: PollState, reset: bool = False) -> None:
        if state.id not in self.polls:
            return
        if reset:
            self.answers[state.id] = {}
            self.by_voter[state.id] = {}
            self.tallies[state.id] = tally(self.polls[state.id], [])
        if state != self.status.get(state.id):
            self.status[state.id] = state
            self.broadcaster.publish("poll", self.poll_view(state.id))
        self.mark(state.id)

    async def answer(self, pid: str, voter: str, checked: Checked) -> Receipt:
        receipt = await self.store.add_answer(
            pid,
            voter,
            checked.value,
            key=checked.key,
            replace=checked.replace,
            limit=checked.limit,
            pending=self.held(pid),
        )
        if not receipt.duplicate and not self.shared:
            self._apply_answer(receipt.answer, receipt.removed)
        return receipt

    def _apply_answer(self, answer: Answer, removed: tuple[int, ...]) -> None:
        mirror = self.answers.get(answer.poll)
        if mirror is None:
            return
        result, mine = self.tallies[answer.poll], self.by_voter[answer.poll]
        # An answer already mirrored (committed between subscribing and loading, so both
        # loaded and in the feed) is taken out first: a change applies once, whatever comes.
        for old_id in (*removed, answer.id):
            old = mirror.pop(old_id, None)
            if old is not None:
                mine.get(old.voter, {}).pop(old_id, None)
                result.leave(old)
        mirror[answer.id] = answer
        mine.setdefault(answer.voter, {})[answer.id] = None
        result.enter(answer)
        self.mark(answer.poll)

    async def hide(self, pid: str, answer_id: int, hidden: bool = True) -> Answer | None:
        answer = await self.store.hide_answer(pid, answer_id, hidden)
        if answer is not None and not self.shared:
            self._apply_hidden(answer)
        return answer

    def held(self, pid: str) -> bool:
        """Whether new answers to this poll wait for the presenter (`moderation: approve`)."""
        return self.polls[pid].get("moderation") == "approve"

    async def approve(self, pid: str, answer_id: int) -> Answer | None:
        answer = await self.store.approve_answer(pid, answer_id)
        if answer is not None and not self.shared:
            self._apply_hidden(answer)
        return answer

    def _apply_hidden(self, answer: Answer) -> None:
        """An answer hidden, shown again or approved."""
        mirror = self.answers.get(answer.poll)
        old = mirror.get(answer.id) if mirror is not None else None
        if old is None or mirror is None:
            return
        mirror[answer.id] = answer
        if (old.hidden, old.pending) != (answer.hidden, answer.pending):
            result = self.tallies[answer.poll]
            result.leave(old)
            result.enter(answer)
            self.mark(answer.poll)

    # -- the feed (a store shared with other servers) -----------------------------------

    def apply(self, change: Change) -> None:
        """Apply one committed change from the feed (the same path as a local change)."""
        if change.kind == "answer" and change.answer is not None:
            self._apply_answer(change.answer, change.removed)
        elif change.kind == "hide" and change.answer is not None:
            self._apply_hidden(change.answer)
        elif change.kind == "poll" and change.state is not None:
            self._apply_poll(change.state, reset=change.reset)
        elif change.kind == "meta" and change.name == "state":
            with contextlib.suppress(ValueError, TypeError, KeyError):
                self._apply_slide(self._parse_state(change.value))
        elif change.kind == "note" and change.origin != self.origin:
            audience = change.data.get("audience")
            if isinstance(audience, int) and not isinstance(audience, bool) and audience >= 0:
                self._others[change.origin] = (audience, time.monotonic())
                self._presence_changed()

    async def _follow(self) -> None:
        """Apply the feed; after losing it (Redis restarted), subscribe again, reload
        everything and send every client a fresh snapshot."""
        while True:
            if self._feed is None:
                await self._resubscribe()
                continue
            try:
                change = await self._feed.get()
            except StoreError:
                await self._feed.close()
                self._feed = None
                continue
            self.apply(change)

    async def _resubscribe(self) -> None:
        while True:
            try:
                feed = await self.store.subscribe()  # type: ignore[attr-defined]
            except StoreError:
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
                continue
            try:
                await self._load()
            except StoreError:
                await feed.close()
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
                continue
            self._feed = feed
            self.resyncs += 1
            self._told_audience = -1  # tell the others again
            for pid in self.polls:
                self._dirty.add(pid)
            self.broadcaster.resync_all()
            self._wake.set()
            return

    async def voter_answers(self, pid: str, voter: str) -> list[Answer]:
        mirror = self.answers[pid]
        return [mirror[i] for i in sorted(self.by_voter[pid].get(voter, ()))]

    # -- coalesced pushes ----------------------------------------------------------------

    def mark(self, pid: str) -> None:
        self._dirty.add(pid)
        self._wake.set()

    def _presence_changed(self) -> None:
        self._presence_dirty = True
        self._wake.set()

    async def flush(self) -> None:
        """Push the results of every poll that changed since the last push (the tallies are
        already up to date: only their views are made, of the changed polls only)."""
        dirty, self._dirty = self._dirty, set()
        for pid in sorted(dirty):
            self.broadcaster.publish(
                "results", self.results_view(pid, False), self.results_view(pid, True), key=pid
            )
        if self._presence_dirty:
            self._presence_dirty = False
            # Only decks show the audience count: phones are not sent it.
            self.broadcaster.publish("presence", {"audience": self.audience()}, phones=False)
        if self.shared and self._told_audience != self.broadcaster.audience_count():
            await self.tell_audience()

    async def tell_audience(self) -> None:
        """Tell the other servers how many phones are connected here."""
        count = self.broadcaster.audience_count()
        await self.store.publish({"audience": count})  # type: ignore[attr-defined]
        self._told_audience = count

    async def _pusher(self) -> None:
        told = time.monotonic()
        while not self._stopping:
            if self.shared:
                # Wake at least every PRESENCE_SECONDS: the others forget a silent server.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), PRESENCE_SECONDS / 2)
                if time.monotonic() - told >= PRESENCE_SECONDS:
                    told = time.monotonic()
                    self._told_audience = -1
                    self._presence_dirty = True  # others may have expired meanwhile
            else:
                await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the store hiccupped: retry in a second
                await asyncio.sleep(1.0)
                self._wake.set()
            await asyncio.sleep(self.push_interval)
