"""The live session: the presenter's position, poll states and results, mirrored in memory."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from deckpoll.server.events import Broadcaster
from deckpoll.server.tally import tally
from deckpoll.server.validate import Checked
from deckpoll.stores.base import NEW, OPEN, Answer, PollState, Receipt, Store

PUSH_INTERVAL = 0.25  # seconds: results are pushed at most four times a second
AUDIENCE_WORDS = 80  # words in the audience's copy of a word cloud (the presenter's has 120)
AUDIENCE_ENTRIES = 30  # newest open answers in the audience's copy (the presenter's has 200)


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
    is committed there first, then mirrored here and broadcast."""

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
        self.results: dict[str, dict[str, Any]] = {}
        # Every answer, mirrored from what the store committed (this process is the only
        # writer while it serves), so a push tallies without reading the store again.
        self.answers: dict[str, dict[int, Answer]] = {pid: {} for pid in self.polls}
        self.push_interval = push_interval
        self.broadcaster = Broadcaster(self.snapshot)
        self.broadcaster.on_change = self._presence_changed
        self._dirty: set[str] = set()
        self._presence_dirty = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- start and stop ------------------------------------------------------------------

    async def start(self) -> None:
        if self.manifest.get("hash"):
            await self.store.set_meta("manifest_hash", str(self.manifest["hash"]))
        saved = await self.store.get_meta("state")
        if saved:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                data = json.loads(saved)
                slide = int(data["slide"])
                if 1 <= slide <= self.slide_count:
                    self.state = {"slide": slide, "fragment": max(0, int(data["fragment"]))}
        for pid, state in (await self.store.polls()).items():
            if pid in self.polls:
                self.status[pid] = state
        for pid in self.polls:
            self.answers[pid] = {a.id: a for a in await self.store.answers(pid)}
            self.results[pid] = tally(
                self.polls[pid], list(self.answers[pid].values()), moderation=True
            )
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._pusher(), name="deckpoll-pusher")

    def end_streams(self) -> None:
        """From any thread: end every event stream (call before stopping the server)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.broadcaster.close_all)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.broadcaster.stop()

    # -- views ---------------------------------------------------------------------------

    def visible(self, pid: str) -> bool:
        """Whether the audience may see this poll's results."""
        mode = self.polls[pid].get("results") or "live"
        return mode == "live" or (mode == "on_reveal" and self.status[pid].revealed)

    def poll_view(self, pid: str) -> dict[str, Any]:
        state = self.status[pid]
        return {
            "id": pid,
            "status": "closed" if state.status == NEW else state.status,
            "opened": state.status != NEW,
            "revealed": state.revealed,
            "visible": self.visible(pid),
            "results": self.polls[pid].get("results") or "live",
        }

    def results_view(self, pid: str, presenter: bool) -> dict[str, Any]:
        full = self.results.get(pid) or tally(self.polls[pid], [], moderation=True)
        visible = self.visible(pid)
        if presenter:
            return {**full, "visible": visible}
        if not visible:
            return {
                "id": pid,
                "kind": full["kind"],
                "visible": False,
                "voters": full["voters"],
                "answers": full["answers"],
            }
        # Every phone gets every push: keep the audience copy small (phones show less).
        audience = {**full, "visible": True}
        if "words" in audience:
            audience["words"] = [
                {"text": w["text"], "count": w["count"]} for w in full["words"][:AUDIENCE_WORDS]
            ]
        if "entries" in audience:
            audience["entries"] = full["entries"][:AUDIENCE_ENTRIES]
        return audience

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
            "audience": self.broadcaster.audience_count(),
        }

    # -- changes (store first, then memory, then broadcast) -------------------------------

    async def set_slide(self, slide: int, fragment: int) -> dict[str, Any]:
        changed = slide != self.state["slide"]
        self.state = {"slide": slide, "fragment": fragment}
        await self.store.set_meta("state", json.dumps(self.state))
        self.broadcaster.publish("state", self.state_view())
        pid = self.slide_poll.get(slide)
        if changed and pid is not None and self.auto_opens(pid):
            await self.set_status(pid, OPEN, only_from=(NEW,))
        return self.state_view()

    def auto_opens(self, pid: str) -> bool:
        return self.deck_auto_open and self.polls[pid].get("auto_open", True) is not False

    async def set_status(
        self, pid: str, status: str, *, only_from: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        self._apply(await self.store.set_status(pid, status, only_from=only_from))
        return self.poll_view(pid)

    async def set_revealed(self, pid: str, revealed: bool) -> dict[str, Any]:
        self._apply(await self.store.set_revealed(pid, revealed))
        return self.poll_view(pid)

    async def reset(self, pid: str) -> dict[str, Any]:
        state = await self.store.reset_poll(pid)
        self.answers[pid] = {}
        self._apply(state)
        return self.poll_view(pid)

    def _apply(self, state: PollState) -> None:
        if state != self.status.get(state.id):
            self.status[state.id] = state
            self.broadcaster.publish("poll", self.poll_view(state.id))
        self.mark(state.id)

    async def answer(self, pid: str, voter: str, checked: Checked) -> Receipt:
        receipt = await self.store.add_answer(
            pid, voter, checked.value, key=checked.key, replace=checked.replace, limit=checked.limit
        )
        if not receipt.duplicate:
            mirror = self.answers[pid]
            for old in receipt.removed:
                mirror.pop(old, None)
            mirror[receipt.answer.id] = receipt.answer
            self.mark(pid)
        return receipt

    async def hide(self, pid: str, answer_id: int, hidden: bool = True) -> Answer | None:
        answer = await self.store.hide_answer(pid, answer_id, hidden)
        if answer is not None:
            self.answers[pid][answer.id] = answer
            self.mark(pid)
        return answer

    async def voter_answers(self, pid: str, voter: str) -> list[Answer]:
        return [a for a in self.answers[pid].values() if a.voter == voter]

    # -- coalesced pushes ----------------------------------------------------------------

    def mark(self, pid: str) -> None:
        self._dirty.add(pid)
        self._wake.set()

    def _presence_changed(self) -> None:
        self._presence_dirty = True
        self._wake.set()

    async def flush(self) -> None:
        """Recompute and push the results of every poll that changed since the last push."""
        dirty, self._dirty = self._dirty, set()
        for pid in sorted(dirty):
            answers = sorted(self.answers[pid].values(), key=lambda a: a.id)
            self.results[pid] = tally(self.polls[pid], answers, moderation=True)
            self.broadcaster.publish(
                "results", self.results_view(pid, False), self.results_view(pid, True)
            )
        if self._presence_dirty:
            self._presence_dirty = False
            # Only decks show the audience count: phones are not sent it.
            self.broadcaster.publish(
                "presence", {"audience": self.broadcaster.audience_count()}, phones=False
            )

    async def _pusher(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the store hiccupped: retry in a second
                await asyncio.sleep(1.0)
                self._wake.set()
            await asyncio.sleep(self.push_interval)
