"""In-memory store for previews and tests: fast, gone when the process ends."""

from __future__ import annotations

import time
from typing import Any

from deckpoll.stores.base import (
    OPEN,
    Answer,
    AnswerLimit,
    PollClosed,
    PollState,
    Receipt,
    after_reset,
    next_state,
)


class MemoryStore:
    """A Store in process memory. Methods never await inside, so each one is atomic."""

    def __init__(self, url: str = "memory://", *, namespace: str = "") -> None:
        self.url = url
        self.namespace = namespace
        self._meta: dict[str, str] = {}
        self._polls: dict[str, PollState] = {}
        self._answers: dict[str, dict[int, Answer]] = {}
        self._next_id = 1

    async def get_meta(self, name: str) -> str | None:
        return self._meta.get(name)

    async def set_meta(self, name: str, value: str) -> None:
        self._meta[name] = value

    async def setdefault_meta(self, name: str, value: str) -> str:
        return self._meta.setdefault(name, value)

    async def polls(self) -> dict[str, PollState]:
        return dict(self._polls)

    def _poll(self, poll: str) -> PollState:
        return self._polls.get(poll) or PollState(poll)

    async def set_status(
        self, poll: str, status: str, *, only_from: tuple[str, ...] | None = None
    ) -> PollState:
        current = self._poll(poll)
        if only_from is not None and current.status not in only_from:
            return current
        state = next_state(current, status, time.time())
        self._polls[poll] = state
        return state

    async def set_revealed(self, poll: str, revealed: bool) -> PollState:
        current = self._poll(poll)
        state = PollState(poll, current.status, revealed, current.opened_at, current.closed_at)
        self._polls[poll] = state
        return state

    async def reset_poll(self, poll: str) -> PollState:
        state = after_reset(self._poll(poll))
        self._polls[poll] = state
        self._answers.pop(poll, None)
        return state

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
    ) -> Receipt:
        if self._poll(poll).status != OPEN:
            raise PollClosed(poll)
        rows = self._answers.setdefault(poll, {})
        mine = [a for a in rows.values() if a.voter == voter]
        now = time.time()
        if replace:
            for old in mine:
                if old.value == value:
                    return Receipt(old, duplicate=True)
            for old in mine:
                del rows[old.id]
            answer = self._insert(rows, poll, voter, value, key, now, pending)
            return Receipt(answer, replaced=bool(mine), removed=tuple(a.id for a in mine))
        for old in mine:
            if old.key == key:
                return Receipt(old, duplicate=True)
        if len(mine) >= limit:
            raise AnswerLimit(poll)
        return Receipt(self._insert(rows, poll, voter, value, key, now, pending))

    def _insert(
        self,
        rows: dict[int, Answer],
        poll: str,
        voter: str,
        value: dict,
        key: str,
        now: float,
        pending: bool,
    ) -> Answer:
        answer = Answer(self._next_id, poll, voter, dict(value), key, now, False, pending)
        self._next_id += 1
        rows[answer.id] = answer
        return answer

    async def hide_answer(self, poll: str, answer_id: int, hidden: bool = True) -> Answer | None:
        return self._flag(poll, answer_id, hidden=hidden)

    async def approve_answer(self, poll: str, answer_id: int) -> Answer | None:
        return self._flag(poll, answer_id, pending=False)

    def _flag(self, poll: str, answer_id: int, **flags: bool) -> Answer | None:
        rows = self._answers.get(poll, {})
        old = rows.get(answer_id)
        if old is None:
            return None
        rows[answer_id] = new = old.flagged(**flags)
        return new

    async def answers(self, poll: str) -> list[Answer]:
        return sorted(self._answers.get(poll, {}).values(), key=lambda a: a.id)

    async def close(self) -> None:
        return None
