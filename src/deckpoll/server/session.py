"""The live session of one deck: what the API calls. It is put together from three parts:

- `mirror.Mirror`, the state (position, poll states, answers, tallies) and its views;
- `follower.Follower`, which loads the state and applies the store's change feed to it;
- `pusher.Pusher`, the push coalescer (results of changed polls, the audience count).

One write path, for one server and for many: an action commits to the store and nothing
else; the store's feed brings the change back and the follower applies it. An action then
waits until the feed reached its change, so a read that follows sees it (read your writes).
A new presenter action is a method here that calls the store; its change is a `Change` kind
that `Mirror.apply` knows (docs/architecture.md, "The live session")."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from deckpoll.personal import in_answer
from deckpoll.polls import Checked, Tally
from deckpoll.polls.tables import table_ids
from deckpoll.server.events import Broadcaster
from deckpoll.server.follower import Follower
from deckpoll.server.mirror import Mirror, poll_of_slide
from deckpoll.server.pusher import PUSH_INTERVAL, Pusher
from deckpoll.server.workshop import SHARE_META, TIMER_META
from deckpoll.stores.base import NEW, OPEN, Answer, PollState, Rate, Receipt, Store, StoreError

__all__ = ["Session", "poll_of_slide", "PUSH_INTERVAL"]


class Session:
    """Everything the server knows right now. The store is the durable copy: every change
    is committed there first, then comes back through the feed into the mirror, and is
    pushed from there."""

    def __init__(
        self, manifest: dict[str, Any], store: Store, *, push_interval: float = PUSH_INTERVAL
    ) -> None:
        self.manifest = manifest
        self.store = store
        self.tables = table_ids(manifest)  # the room's tables, id -> label (polls.groups)
        config = manifest.get("polls_config") or {}
        self.deck_auto_open = config.get("auto_open", True) is not False
        # `polls.personal_data: allow`: answers that look like personal data are not held
        self.hold_personal = config.get("personal_data", "hold") != "allow"
        self.broadcaster = Broadcaster(self.snapshot)
        self.mirror = Mirror(manifest, self._publish, self._mark)
        self.pusher = Pusher(self.mirror, self.broadcaster, store, push_interval)
        self.broadcaster.on_change = self.pusher.presence_changed
        self.follower = Follower(
            store,
            self.mirror,
            on_batch=self.pusher.wake,
            on_note=self.pusher.note,
            on_resync=self.pusher.resync,
        )
        self._loop: Any = None

    def _publish(self, event: str, data: Any) -> None:
        self.broadcaster.publish(event, data)

    def _mark(self, pid: str) -> None:
        self.pusher.mark(pid)

    # -- the state, read ---------------------------------------------------------------------

    @property
    def polls(self) -> dict[str, dict[str, Any]]:
        return self.mirror.polls

    @property
    def slide_poll(self) -> dict[int, str]:
        return self.mirror.slide_poll

    @property
    def slide_count(self) -> int:
        return self.mirror.slide_count

    @property
    def state(self) -> dict[str, int]:
        return self.mirror.state

    @property
    def status(self) -> dict[str, PollState]:
        return self.mirror.status

    @property
    def answers(self) -> dict[str, dict[int, Answer]]:
        return self.mirror.answers

    @property
    def tallies(self) -> dict[str, Tally]:
        return self.mirror.tallies

    @property
    def resyncs(self) -> int:
        return self.follower.resyncs

    # -- start and stop ----------------------------------------------------------------------

    async def start(self) -> None:
        if self.manifest.get("hash"):
            await self.store.set_meta("manifest_hash", str(self.manifest["hash"]))
        await self.follower.start()
        self._loop = asyncio.get_running_loop()
        self.pusher.start()

    def end_streams(self) -> None:
        """From any thread: end every event stream (call before stopping the server)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.broadcaster.close_all)

    async def stop(self) -> None:
        await self.pusher.stop()
        await self.follower.stop()
        self.broadcaster.stop()

    async def settle(self) -> bool:
        """Wait until the state has every change committed before this call (a read then
        includes every write acknowledged before it, from this server or another). False
        if the store cannot say (unreachable): reads then answer from the state as it is."""
        try:
            return await self.follower.settle()
        except StoreError:
            return False

    async def flush(self) -> None:
        """Push what changed now (tests; the pusher does it on its own)."""
        await self.pusher.flush()

    # -- views -------------------------------------------------------------------------------

    def visible(self, pid: str, state: PollState | None = None) -> bool:
        return self.mirror.visible(pid, state)

    def poll_view(self, pid: str, state: PollState | None = None) -> dict[str, Any]:
        return self.mirror.poll_view(pid, state)

    def results_view(self, pid: str, presenter: bool) -> dict[str, Any]:
        return self.mirror.results_view(pid, presenter)

    def state_view(self) -> dict[str, Any]:
        return self.mirror.state_view()

    def snapshot(self, presenter: bool) -> dict[str, Any]:
        return {
            "deck": self.manifest.get("id"),
            "hash": self.manifest.get("hash"),
            "state": self.state_view(),
            "polls": {pid: self.poll_view(pid) for pid in self.polls},
            "results": {pid: self.results_view(pid, presenter) for pid in self.polls},
            "audience": self.audience(),
            "timer": self.mirror.workshop.timer,
            "now": time.time(),  # the server's clock: the timer counts down from its end
        }

    def audience(self) -> int:
        return self.pusher.audience()

    async def voter_answers(self, pid: str, voter: str) -> list[Answer]:
        return self.mirror.voter_answers(pid, voter)

    def held(self, pid: str) -> bool:
        """Whether new answers to this poll wait for the presenter (`moderation: approve`)."""
        return self.polls[pid].get("moderation") == "approve"

    def auto_opens(self, pid: str) -> bool:
        return self.deck_auto_open and self.polls[pid].get("auto_open", True) is not False

    # -- actions: the store, then wait for the feed -------------------------------------------

    async def set_slide(self, slide: int, fragment: int) -> dict[str, Any]:
        changed = slide != self.state["slide"]
        state = {"slide": slide, "fragment": fragment}
        await self.store.set_meta("state", json.dumps(state))
        pid = self.slide_poll.get(slide)
        if changed and pid is not None and self.auto_opens(pid):
            await self.store.set_status(pid, OPEN, only_from=(NEW,))
        for whole in self.mirror.deck_polls:
            if self.status[whole].status == NEW and self.auto_opens(whole):
                await self.store.set_status(whole, OPEN, only_from=(NEW,))
        await self.settle()
        if changed and slide in self.mirror.workshop.timers:
            await self.timer("reach", slide)  # a timer slide starts its countdown
        return {**state, "poll": pid}

    async def timer(self, action: str, slide: int) -> dict[str, Any]:
        """A presenter's timer action (or reaching a timer slide): the timer after it, with
        the server's time (server/workshop.py)."""
        workshop = self.mirror.workshop
        state = workshop.next_timer(action, slide)
        if state != workshop.timer:
            await self.store.set_meta(TIMER_META, json.dumps(state))
            await self.settle()
        return workshop.timer_event()

    async def share(self, pid: str, step: str) -> dict[str, Any] | None:
        """A step of the sharing round on a poll with tables: the round after it."""
        share = self.mirror.workshop.next_share(pid, step)
        await self.store.set_meta(SHARE_META, json.dumps(share))
        await self.settle()
        return share

    async def set_status(
        self, pid: str, status: str, *, only_from: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        state = await self.store.set_status(pid, status, only_from=only_from)
        await self.settle()
        return self.poll_view(pid, state)

    async def set_revealed(self, pid: str, revealed: bool) -> dict[str, Any]:
        state = await self.store.set_revealed(pid, revealed)
        await self.settle()
        return self.poll_view(pid, state)

    async def reset(self, pid: str) -> dict[str, Any]:
        state = await self.store.reset_poll(pid)
        await self.settle()
        return self.poll_view(pid, state)

    async def hide(self, pid: str, answer_id: int, hidden: bool = True) -> Answer | None:
        answer = await self.store.hide_answer(pid, answer_id, hidden)
        await self.settle()
        return answer

    async def approve(self, pid: str, answer_id: int) -> Answer | None:
        answer = await self.store.approve_answer(pid, answer_id)
        await self.settle()
        return answer

    async def vote(self, pid: str, answer_id: int, voter: str, on: bool) -> Answer | None:
        """A voter's vote on an answer (a Q&A question) given or taken back."""
        answer = await self.store.vote_answer(pid, answer_id, voter, on)
        await self.settle()
        return answer

    async def set_mark(self, pid: str, answer_id: int, mark: str, on: bool) -> Answer | None:
        """The presenter pins a question or marks it answered (or takes that back)."""
        answer = await self.store.mark_answer(pid, answer_id, mark, on)
        await self.settle()
        return answer

    async def answer(
        self, pid: str, voter: str, checked: Checked, rate: Rate | None = None
    ) -> Receipt:
        """Commit an answer; returns once the state has it (its change's number is in the
        receipt, so no extra round trip to the store). `rate`: the voter's, counted by the
        store with the answer (TooFast)."""
        receipt = await self.store.add_answer(
            pid,
            voter,
            checked.value,
            key=checked.key,
            replace=checked.replace,
            limit=checked.limit,
            # Personal data (a personnummer, an e-mail, a phone number) waits for the presenter,
            # unless the deck says `polls.personal_data: allow`.
            pending=self.held(pid) or (self.hold_personal and in_answer(checked.value) is not None),
            rate=rate,
        )
        if receipt.seq:
            await self.follower.reached(receipt.seq)
        return receipt
