"""In-memory store for previews and tests: fast, gone when the process ends."""

from __future__ import annotations

import time
from dataclasses import replace as replaced
from typing import Any

from deckpoll.stores.base import (
    MARKS,
    OPEN,
    Answer,
    AnswerLimit,
    Buckets,
    Change,
    PollClosed,
    PollState,
    Rate,
    Receipt,
    TooFast,
    after_reset,
    next_state,
    voter_bucket,
)
from deckpoll.stores.feed import ChangeHub, QueueFeed


class MemoryStore:
    """A Store in process memory. Methods never await inside, so each one is atomic; each
    change goes to the feed (`ChangeHub`) as it is made, before the method returns."""

    shared = False

    def __init__(self, url: str = "memory://", *, namespace: str = "") -> None:
        self.url = url
        self.namespace = namespace
        self._meta: dict[str, str] = {}
        self._polls: dict[str, PollState] = {}
        self._answers: dict[str, dict[int, Answer]] = {}
        # poll -> voter -> that voter's answer ids: an answer looks at its voter's only
        self._voters: dict[str, dict[str, list[int]]] = {}
        self._votes: dict[str, dict[int, set[str]]] = {}  # poll -> answer -> its voters
        self._next_id = 1
        self._hub = ChangeHub()
        self.origin = self._hub.origin
        self._buckets = Buckets()

    # -- the change feed -------------------------------------------------------------------

    async def head(self) -> int:
        return self._hub.head

    async def subscribe(self) -> QueueFeed:
        return self._hub.subscribe()

    async def publish(self, data: dict[str, Any]) -> None:
        self._hub.note(data)

    # -- the Store protocol ----------------------------------------------------------------

    async def get_meta(self, name: str) -> str | None:
        return self._meta.get(name)

    async def set_meta(self, name: str, value: str) -> None:
        self._meta[name] = value
        self._hub.commit([Change("meta", name=name, value=value)])

    async def setdefault_meta(self, name: str, value: str) -> str:
        if name in self._meta:
            return self._meta[name]
        await self.set_meta(name, value)
        return value

    async def take(self, bucket: str, rate: Rate) -> bool:
        return self._buckets.take(bucket, rate)

    async def polls(self) -> dict[str, PollState]:
        return dict(self._polls)

    def _poll(self, poll: str) -> PollState:
        return self._polls.get(poll) or PollState(poll)

    def _save_poll(self, state: PollState, reset: bool = False) -> PollState:
        self._polls[state.id] = state
        self._hub.commit([Change("poll", poll=state.id, state=state, reset=reset)])
        return state

    async def set_status(
        self, poll: str, status: str, *, only_from: tuple[str, ...] | None = None
    ) -> PollState:
        current = self._poll(poll)
        if only_from is not None and current.status not in only_from:
            return current
        return self._save_poll(next_state(current, status, time.time()))

    async def set_revealed(self, poll: str, revealed: bool) -> PollState:
        current = self._poll(poll)
        state = PollState(poll, current.status, revealed, current.opened_at, current.closed_at)
        return self._save_poll(state)

    async def reset_poll(self, poll: str) -> PollState:
        self._answers.pop(poll, None)
        self._votes.pop(poll, None)
        self._voters.pop(poll, None)
        return self._save_poll(after_reset(self._poll(poll)), reset=True)

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
        if rate is not None and not self._buckets.take(voter_bucket(voter), rate):
            raise TooFast(poll)
        if self._poll(poll).status != OPEN:
            raise PollClosed(poll)
        rows = self._answers.setdefault(poll, {})
        ids = self._voters.setdefault(poll, {}).setdefault(voter, [])
        mine = [rows[i] for i in ids]
        if replace:
            for old in mine:
                if old.value == value:
                    return Receipt(old, duplicate=True)
            for old in mine:
                del rows[old.id]
            ids.clear()
        else:
            for old in mine:
                if old.key == key:
                    return Receipt(old, duplicate=True)
            if len(mine) >= limit:
                raise AnswerLimit(poll)
        answer = Answer(self._next_id, poll, voter, dict(value), key, time.time(), False, pending)
        self._next_id += 1
        rows[answer.id] = answer
        ids.append(answer.id)
        removed = tuple(a.id for a in mine) if replace else ()
        receipt = Receipt(answer, replaced=bool(removed), removed=removed)
        seq = self._hub.commit([Change("answer", poll=poll, answer=answer, removed=removed)])
        return replaced(receipt, seq=seq)

    async def hide_answer(self, poll: str, answer_id: int, hidden: bool = True) -> Answer | None:
        return self._flag(poll, answer_id, hidden=hidden)

    async def approve_answer(self, poll: str, answer_id: int) -> Answer | None:
        return self._flag(poll, answer_id, pending=False)

    def _flag(self, poll: str, answer_id: int, **flags: bool | int) -> Answer | None:
        rows = self._answers.get(poll, {})
        old = rows.get(answer_id)
        if old is None:
            return None
        rows[answer_id] = new = old.flagged(**flags)
        self._hub.commit([Change("hide", poll=poll, answer=new)])
        return new

    async def vote_answer(self, poll: str, answer_id: int, voter: str, on: bool) -> Answer | None:
        if self._poll(poll).status != OPEN:
            raise PollClosed(poll)
        if answer_id not in self._answers.get(poll, {}):
            return None
        voters = self._votes.setdefault(poll, {}).setdefault(answer_id, set())
        if (voter in voters) == on:  # a repeat: nothing changes, nothing is published
            return self._answers[poll][answer_id]
        if on:
            voters.add(voter)
        else:
            voters.discard(voter)
        return self._flag(poll, answer_id, votes=len(voters))

    async def mark_answer(self, poll: str, answer_id: int, mark: str, on: bool) -> Answer | None:
        if mark not in MARKS:
            raise ValueError(f"unknown mark {mark!r}")
        return self._flag(poll, answer_id, **{mark: on})

    async def voted(self, poll: str, voter: str) -> list[int]:
        votes = self._votes.get(poll, {})
        return sorted(i for i, voters in votes.items() if voter in voters)

    async def answers(self, poll: str) -> list[Answer]:
        return sorted(self._answers.get(poll, {}).values(), key=lambda a: a.id)

    async def purge(self, before: float) -> int:
        gone = 0
        for poll, rows in self._answers.items():
            old = {i for i, a in rows.items() if a.created < before}
            for answer_id in old:
                del rows[answer_id]
            for ids in self._voters.get(poll, {}).values():  # the per-voter index forgets them
                ids[:] = [i for i in ids if i not in old]
            gone += len(old)
        return gone

    async def close(self) -> None:
        self._hub.lose()
