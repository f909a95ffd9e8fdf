"""The Store protocol: where poll state and answers live, chosen by URL scheme."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from importlib import import_module
from typing import Any, Protocol, runtime_checkable

from deckpoll.statedir import STATE_DIR  # noqa: F401  (the default store lives in it)

ENTRY_POINT_GROUP = "deckpoll.stores"

# Used only when the package is not installed (running from a source tree without
# `pip install -e .`), so that the two built-in stores still work.
_BUILTIN = {
    "memory": "deckpoll.stores.memory:MemoryStore",
    "sqlite": "deckpoll.stores.sqlite:SQLiteStore",
    "redis": "deckpoll.stores.redis:RedisStore",
    "rediss": "deckpoll.stores.redis:RedisStore",
    "unix": "deckpoll.stores.redis:RedisStore",
}

# Where a deck's own answers live by default: DECK/.deckpoll/answers.sqlite3 (git-ignored).
STORE_FILE = "answers.sqlite3"

NEW, OPEN, CLOSED = "new", "open", "closed"
STATUSES = (NEW, OPEN, CLOSED)


class StoreError(Exception):
    """Base class of the errors a store raises for a refused operation."""


class PollClosed(StoreError):
    """The poll is not open: it was never opened, or it was closed."""


class AnswerLimit(StoreError):
    """The voter already has as many entries in this poll as it allows."""


class StoreUnavailable(StoreError):
    """The store could not commit (disk full, locked for too long, closed)."""


class TooFast(StoreError):
    """The voter's token bucket is empty (`add_answer(..., rate=...)`): nothing was stored."""


@dataclass(frozen=True)
class Rate:
    """A token bucket's shape: `burst` takes at once, refilled at `per_second`."""

    burst: float
    per_second: float

    @property
    def full_after(self) -> float:
        """Seconds an emptied bucket takes to fill again (then it need not be kept)."""
        return self.burst / self.per_second


def voter_bucket(voter: str) -> str:
    """The bucket `add_answer(..., rate=...)` counts a voter's answers in."""
    return "voter:" + voter


class Buckets:
    """Token buckets counted in this process: the limits of the one-process stores (memory,
    SQLite). A store shared by several processes counts them where it is (Redis)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, name: str, rate: Rate, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(name, (rate.burst, now))
        tokens = min(rate.burst, tokens + max(0.0, now - last) * rate.per_second)
        if len(self._buckets) >= self.size and name not in self._buckets:
            self._prune(now, rate)
        allowed = tokens >= 1.0
        self._buckets[name] = (tokens - 1.0 if allowed else tokens, now)
        return allowed

    def _prune(self, now: float, rate: Rate) -> None:
        """Forget full buckets (they would start full anyway), then the oldest ones."""
        for name, (_, last) in list(self._buckets.items()):
            if now - last > rate.full_after:
                del self._buckets[name]
        while len(self._buckets) >= self.size:
            self._buckets.pop(next(iter(self._buckets)))


@dataclass(frozen=True)
class PollState:
    """Lifecycle of one poll: `new` (never opened), `open` or `closed`; results revealed."""

    id: str
    status: str = NEW
    revealed: bool = False
    opened_at: float | None = None
    closed_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "revealed": self.revealed,
            "opened_at": self.opened_at,
            "closed_at": self.closed_at,
        }


@dataclass(frozen=True)
class Answer:
    """One stored answer: a choice, choices, a scale value, or one text entry."""

    id: int
    poll: str
    voter: str
    value: dict[str, Any]
    key: str = ""
    created: float = field(default_factory=time.time)
    hidden: bool = False
    pending: bool = False  # waits for the presenter's approval (`moderation: approve`)
    # Audience questions (`kind: qa`): votes from other voters, and the presenter's marks.
    votes: int = 0
    pinned: bool = False
    answered: bool = False

    def flagged(self, **flags: bool | int) -> Answer:
        """The same answer with flags (`hidden`, `pending`, a mark) or `votes` changed."""
        return replace(self, **flags)


# Marks the presenter sets on an answer (`mark_answer`), each a boolean field of Answer.
MARKS = ("pinned", "answered")


@dataclass(frozen=True)
class Receipt:
    """What `add_answer` committed: the answer, and whether it replaced or repeated one."""

    answer: Answer
    replaced: bool = False
    duplicate: bool = False
    removed: tuple[int, ...] = ()  # ids of the answers the new one replaced
    seq: int = 0  # the change's number in the feed (0: nothing was committed)


@runtime_checkable
class Store(Protocol):
    """Everything the server keeps. Every method returns only after the change is durable.

    `add_answer` enforces the rules that must hold under concurrency: the voter is not too
    fast (`rate`), the poll is open,
    one answer per voter for choice polls (`replace=True`: a new choice replaces the old),
    at most `limit` distinct entries per voter for text polls (`key` identifies an entry;
    an entry with the same key is a duplicate and stores nothing new).

    The change feed: every committed change is numbered (`Change.seq`: 1, 2, 3, ... in
    commit order, no gaps) and handed to every feed from `subscribe` before the write
    returns. `head` is the number of the last change committed; `publish` sends a note to
    every subscriber (unnumbered). `shared`: other processes see the changes too (Redis).
    """

    origin: str  # names this store instance (the worker) in the changes it makes
    shared: bool

    async def head(self) -> int: ...

    async def subscribe(self) -> Feed: ...

    async def publish(self, data: dict[str, Any]) -> None: ...

    async def get_meta(self, name: str) -> str | None: ...

    async def set_meta(self, name: str, value: str) -> None: ...

    async def setdefault_meta(self, name: str, value: str) -> str:
        """Store `value` under `name` unless a value is there already; return the one that
        is there now, atomically (two servers starting at once agree on one secret)."""
        ...

    async def take(self, bucket: str, rate: Rate) -> bool:
        """Take one from the token bucket `bucket` (False: empty, try later). Counted for
        every server sharing the store: in Redis for a Redis store, in process for the
        one-process stores (memory, SQLite). Buckets are forgotten once full again."""
        ...

    async def polls(self) -> dict[str, PollState]: ...

    async def set_status(
        self, poll: str, status: str, *, only_from: tuple[str, ...] | None = None
    ) -> PollState: ...

    async def set_revealed(self, poll: str, revealed: bool) -> PollState: ...

    async def reset_poll(self, poll: str) -> PollState: ...

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
        """`rate`: first take one from the voter's bucket (as `take`), in the same atomic
        step (one round trip to Redis); `TooFast` when it is empty."""
        ...

    async def hide_answer(
        self, poll: str, answer_id: int, hidden: bool = True
    ) -> Answer | None: ...

    async def approve_answer(self, poll: str, answer_id: int) -> Answer | None:
        """Clear `pending` (the presenter approved it); None for an unknown answer. Its
        change in the feed is a `hide` change (an answer whose flags changed)."""
        ...

    async def vote_answer(self, poll: str, answer_id: int, voter: str, on: bool) -> Answer | None:
        """Add (`on`) or take back the voter's vote on an answer: one vote per voter per
        answer, so repeating either is a no-op (thirty parallel votes count once). Returns the
        answer with its vote count; None for an unknown answer; PollClosed unless the poll is
        open. A count that changed is a `hide` change in the feed (an answer changed)."""
        ...

    async def mark_answer(self, poll: str, answer_id: int, mark: str, on: bool) -> Answer | None:
        """Set or clear one of MARKS on an answer (the presenter pins a question, marks it
        answered); None for an unknown answer. Its change in the feed is a `hide` change."""
        ...

    async def voted(self, poll: str, voter: str) -> list[int]:
        """The ids of the answers this voter has a vote on, ascending."""
        ...

    async def answers(self, poll: str) -> list[Answer]: ...

    async def purge(self, before: float) -> int:
        """Delete every answer of the namespace (any poll, in the deck or not) created before
        `before` (epoch seconds); returns how many went (`deckpoll purge`, retention)."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Change:
    """One committed change (or note) read from a store's feed, in commit order.

    kind `answer` (poll, answer, removed), `hide` (poll, answer: its hidden or pending flag,
    a mark or its vote count changed), `poll` (state; reset: the
    poll's answers were deleted too), `meta` (name, value), `note` (data: what a server
    sent with `publish`). `origin` names the store instance (the worker) that made it;
    `seq` is its number in commit order (0 for a note).
    """

    kind: str
    origin: str = ""
    poll: str = ""
    answer: Answer | None = None
    removed: tuple[int, ...] = ()
    state: PollState | None = None
    reset: bool = False
    name: str = ""
    value: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def numbered(self, origin: str, seq: int) -> Change:
        """This change as `origin` committed it under number `seq`. Built field by field:
        it runs for every answer, at half the cost of `dataclasses.replace`."""
        return Change(
            self.kind, origin, self.poll, self.answer, self.removed, self.state,
            self.reset, self.name, self.value, self.data, seq,
        )  # fmt: skip


@runtime_checkable
class Feed(Protocol):
    """A live subscription to a store's changes: every change committed after `subscribe`
    returned arrives, in commit order. `get` returns one change, `batch` every change
    waiting (at least one). Both raise `StoreUnavailable` once the subscription is lost
    (changes may have been missed: subscribe again and reload)."""

    async def get(self) -> Change: ...

    async def batch(self) -> list[Change]: ...

    async def close(self) -> None: ...


def next_state(current: PollState, status: str, now: float) -> PollState:
    """The poll state after a status change (shared by the stores, so they agree)."""
    if status not in STATUSES:
        raise ValueError(f"unknown poll status {status!r}")
    if status == current.status:
        return current
    if status == OPEN:
        return PollState(current.id, OPEN, current.revealed, now, None)
    if status == CLOSED:
        return PollState(current.id, CLOSED, current.revealed, current.opened_at, now)
    return PollState(current.id, NEW, False, None, None)


def after_reset(current: PollState) -> PollState:
    """Reset empties a poll: an open poll stays open, otherwise it is new again."""
    if current.status == OPEN:
        return PollState(current.id, OPEN, False, current.opened_at, None)
    return PollState(current.id, NEW)


def entry_points(**params: Any):
    """importlib.metadata's, imported on first use (a build never opens a store; the import
    brings email, zipfile and csv along)."""
    from importlib.metadata import entry_points as found

    return found(**params)


def store_factories() -> dict[str, str]:
    """Scheme -> 'module:attr' for every store registered in the entry-point group."""
    found = dict(_BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found[ep.name] = ep.value
    return found


def open_store(url: str, *, namespace: str = "") -> Store:
    """Open the store a URL names: `memory://`, `sqlite:///rel.db`, `sqlite:////abs.db`, ...

    The scheme picks a factory from the `deckpoll.stores` entry points; the factory is
    called as `factory(url, namespace=...)`. `namespace` separates decks sharing a store.
    """
    scheme, sep, _ = url.partition("://")
    if not sep or not scheme:
        raise ValueError(f"store URL {url!r} needs a scheme, e.g. sqlite:///answers.db")
    scheme = scheme.lower()
    target = None
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == scheme:
            target = ep.load()
            break
    if target is None:
        if scheme not in _BUILTIN:
            known = ", ".join(sorted(store_factories()))
            raise ValueError(f"no store for {scheme}:// (known: {known})")
        module, _, attr = _BUILTIN[scheme].partition(":")
        target = getattr(import_module(module), attr)
    return target(url, namespace=namespace)
