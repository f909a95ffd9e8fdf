"""SQLite store: stdlib sqlite3, WAL, BEGIN IMMEDIATE, group commit on one writer thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sqlite3
import time
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
    StoreUnavailable,
    TooFast,
    after_reset,
    next_state,
    voter_bucket,
)
from deckpoll.stores.feed import ChangeHub, QueueFeed
from deckpoll.stores.sqlite_schema import ADDED_COLUMNS, COLUMNS, SCHEMA, WIDTH, path_from_url
from deckpoll.stores.sqlite_writer import Describe, Op, Writer

# Made once: json.dumps with options builds an encoder per call (every answer is encoded).
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


class SQLiteStore:
    """A Store in one SQLite file. Writes queue up for a single writer thread
    (`sqlite_writer.Writer`), which runs everything waiting at that moment in one
    `BEGIN IMMEDIATE` transaction (each call in its own savepoint), commits, hands the
    batch's changes to the feed (`ChangeHub`, one delivery per commit) and only then
    resolves the callers' futures. Reads run on a connection of their own."""

    shared = False  # one process writes the file: its changes feed this process only

    def __init__(self, url: str, *, namespace: str = "") -> None:
        self.url = url
        self.namespace = namespace
        self.path = path_from_url(url)
        self._buckets = Buckets()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        self._conn.execute("PRAGMA busy_timeout=10000")
        mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreUnavailable(f"{self.path}: cannot switch SQLite to WAL mode ({mode})")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        self._conn.executescript(SCHEMA)
        self._add_columns()
        self._hub = ChangeHub()
        self.origin = self._hub.origin
        self._closed = False
        self._reader = concurrent.futures.ThreadPoolExecutor(1, "deckpoll-sqlite-read")
        self._reader_conn: sqlite3.Connection | None = None
        # The polls' states as read or written within the writer's current batch (writer
        # thread only): an answer checks its poll is open without a query each time.
        self._batch_polls: dict[str, PollState] = {}
        self._writer = Writer(self._conn, self._hub, self._batch_polls.clear)

    def _add_columns(self) -> None:
        for table, column, kind in ADDED_COLUMNS:
            have = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def _read(self, op: Op) -> asyncio.Future:
        """Reads run on their own connection and thread: WAL lets them see every committed
        write without waiting behind the writer's queue."""
        if self._closed:
            raise StoreUnavailable("store is closed")

        def run() -> Any:
            if self._reader_conn is None:
                self._reader_conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=10.0
                )
                self._reader_conn.execute("PRAGMA busy_timeout=10000")
            try:
                return op(self._reader_conn)
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite: {exc}") from exc

        return asyncio.wrap_future(self._reader.submit(run))

    def _call(
        self, op: Op, *, write: bool, change: Describe | None = None, guard: bool = True
    ) -> asyncio.Future:
        if self._closed:
            raise StoreUnavailable("store is closed")
        return self._writer.submit(op, write=write, describe=change, guard=guard)

    # -- the change feed -------------------------------------------------------------------

    async def head(self) -> int:
        return self._hub.head

    async def subscribe(self) -> QueueFeed:
        if self._closed:
            raise StoreUnavailable("store is closed")
        return self._hub.subscribe()

    async def publish(self, data: dict[str, Any]) -> None:
        self._hub.note(data)

    # -- the Store protocol --------------------------------------------------------------

    async def get_meta(self, name: str) -> str | None:
        def op(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                "SELECT value FROM meta WHERE ns=? AND name=?", (self.namespace, name)
            ).fetchone()
            return row[0] if row else None

        return await self._read(op)

    async def set_meta(self, name: str, value: str) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO meta (ns, name, value) VALUES (?, ?, ?) "
                "ON CONFLICT (ns, name) DO UPDATE SET value=excluded.value",
                (self.namespace, name, value),
            )

        await self._call(op, write=True, change=lambda _: Change("meta", name=name, value=value))

    async def setdefault_meta(self, name: str, value: str) -> str:
        def op(conn: sqlite3.Connection) -> tuple[str, bool]:
            cursor = conn.execute(
                "INSERT INTO meta (ns, name, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (self.namespace, name, value),
            )
            row = conn.execute(
                "SELECT value FROM meta WHERE ns=? AND name=?", (self.namespace, name)
            ).fetchone()
            return row[0], cursor.rowcount == 1

        def change(result: tuple[str, bool]) -> Change | None:
            return Change("meta", name=name, value=value) if result[1] else None

        found, _ = await self._call(op, write=True, change=change)
        return found

    async def take(self, bucket: str, rate: Rate) -> bool:
        return self._buckets.take(bucket, rate)

    def _poll(self, conn: sqlite3.Connection, poll: str) -> PollState:
        """The poll's state, within the writer's batch (cached for the batch: the batch
        holds the write lock, and the writer forgets it on every rollback)."""
        known = self._batch_polls.get(poll)
        if known is not None:
            return known
        row = conn.execute(
            "SELECT status, revealed, opened_at, closed_at FROM polls WHERE ns=? AND id=?",
            (self.namespace, poll),
        ).fetchone()
        state = PollState(poll, row[0], bool(row[1]), row[2], row[3]) if row else PollState(poll)
        self._batch_polls[poll] = state
        return state

    def _save_poll(self, conn: sqlite3.Connection, state: PollState) -> None:
        self._batch_polls[state.id] = state
        conn.execute(
            "INSERT INTO polls (ns, id, status, revealed, opened_at, closed_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ns, id) DO UPDATE SET "
            "status=excluded.status, revealed=excluded.revealed, "
            "opened_at=excluded.opened_at, closed_at=excluded.closed_at",
            (
                self.namespace,
                state.id,
                state.status,
                int(state.revealed),
                state.opened_at,
                state.closed_at,
            ),
        )

    async def polls(self) -> dict[str, PollState]:
        def op(conn: sqlite3.Connection) -> dict[str, PollState]:
            rows = conn.execute(
                "SELECT id, status, revealed, opened_at, closed_at FROM polls WHERE ns=?",
                (self.namespace,),
            ).fetchall()
            return {r[0]: PollState(r[0], r[1], bool(r[2]), r[3], r[4]) for r in rows}

        return await self._read(op)

    async def set_status(
        self, poll: str, status: str, *, only_from: tuple[str, ...] | None = None
    ) -> PollState:
        def op(conn: sqlite3.Connection) -> tuple[PollState, bool]:
            current = self._poll(conn, poll)
            if only_from is not None and current.status not in only_from:
                return current, False
            state = next_state(current, status, time.time())
            self._save_poll(conn, state)
            return state, True

        state, _ = await self._call(op, write=True, change=_poll_change)
        return state

    async def set_revealed(self, poll: str, revealed: bool) -> PollState:
        def op(conn: sqlite3.Connection) -> tuple[PollState, bool]:
            cur = self._poll(conn, poll)
            state = PollState(poll, cur.status, revealed, cur.opened_at, cur.closed_at)
            self._save_poll(conn, state)
            return state, True

        state, _ = await self._call(op, write=True, change=_poll_change)
        return state

    async def reset_poll(self, poll: str) -> PollState:
        def op(conn: sqlite3.Connection) -> PollState:
            state = after_reset(self._poll(conn, poll))
            self._save_poll(conn, state)
            conn.execute("DELETE FROM answers WHERE ns=? AND poll=?", (self.namespace, poll))
            conn.execute("DELETE FROM votes WHERE ns=? AND poll=?", (self.namespace, poll))
            return state

        def change(state: PollState) -> Change:
            return Change("poll", poll=poll, state=state, reset=True)

        return await self._call(op, write=True, change=change)

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
        # One process owns this store (several workers need Redis): counted here, in memory.
        if rate is not None and not self._buckets.take(voter_bucket(voter), rate):
            raise TooFast(poll)
        encoded = _encode(value)

        def op(conn: sqlite3.Connection) -> Receipt:
            if self._poll(conn, poll).status != OPEN:
                raise PollClosed(poll)
            mine = conn.execute(
                f"SELECT {COLUMNS} FROM answers WHERE ns=? AND poll=? AND voter=? ORDER BY id",
                (self.namespace, poll, voter),
            ).fetchall()
            now = time.time()
            if replace:
                for row in mine:
                    if row[2] == encoded:
                        return Receipt(self._row(poll, voter, row), duplicate=True)
                if mine:  # a new voter has nothing to replace: one statement fewer
                    conn.execute(
                        "DELETE FROM answers WHERE ns=? AND poll=? AND voter=?",
                        (self.namespace, poll, voter),
                    )
                answer = self._insert(conn, poll, voter, key, encoded, now, pending)
                return Receipt(answer, bool(mine), removed=tuple(row[0] for row in mine))
            for row in mine:
                if row[1] == key:
                    return Receipt(self._row(poll, voter, row), duplicate=True)
            if len(mine) >= limit:
                raise AnswerLimit(poll)
            return Receipt(self._insert(conn, poll, voter, key, encoded, now, pending))

        # Every refusal above comes before the first write: no savepoint needed.
        return await self._call(op, write=True, change=_answer_change, guard=False)

    def _insert(
        self,
        conn: sqlite3.Connection,
        poll: str,
        voter: str,
        key: str,
        encoded: str,
        now: float,
        pending: bool,
    ) -> Answer:
        cursor = conn.execute(
            "INSERT INTO answers (ns, poll, voter, key, value, created, pending) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.namespace, poll, voter, key, encoded, now, int(pending)),
        )
        value = json.loads(encoded)
        return Answer(int(cursor.lastrowid), poll, voter, value, key, now, False, pending)

    @staticmethod
    def _row(poll: str, voter: str, row: tuple) -> Answer:
        """An Answer from the COLUMNS of one row."""
        value = json.loads(row[2])
        flags = (bool(row[4]), bool(row[5]), row[6], bool(row[7]), bool(row[8]))
        return Answer(row[0], poll, voter, value, row[1], row[3], *flags)

    async def hide_answer(self, poll: str, answer_id: int, hidden: bool = True) -> Answer | None:
        return await self._flag(poll, answer_id, "hidden", hidden)

    async def approve_answer(self, poll: str, answer_id: int) -> Answer | None:
        return await self._flag(poll, answer_id, "pending", False)

    async def _flag(self, poll: str, answer_id: int, column: str, on: bool) -> Answer | None:
        def op(conn: sqlite3.Connection) -> Answer | None:
            return self._update(conn, poll, answer_id, f"{column}=?", int(on))

        def change(answer: Answer | None) -> Change | None:
            return None if answer is None else Change("hide", poll=poll, answer=answer)

        return await self._call(op, write=True, change=change)

    def _update(
        self, conn: sqlite3.Connection, poll: str, answer_id: int, change: str, *args: Any
    ) -> Answer | None:
        """`UPDATE answers SET <change>` of one answer; the answer as it is now, or None."""
        cursor = conn.execute(
            f"UPDATE answers SET {change} WHERE ns=? AND poll=? AND id=? "
            f"RETURNING {COLUMNS}, voter",
            (*args, self.namespace, poll, answer_id),
        )
        row = cursor.fetchone()
        cursor.fetchall()
        return None if row is None else self._row(poll, row[WIDTH], row[:WIDTH])

    async def vote_answer(self, poll: str, answer_id: int, voter: str, on: bool) -> Answer | None:
        def op(conn: sqlite3.Connection) -> Answer | None:
            if self._poll(conn, poll).status != OPEN:
                raise PollClosed(poll)
            known = conn.execute(
                "SELECT 1 FROM answers WHERE ns=? AND poll=? AND id=?",
                (self.namespace, poll, answer_id),
            ).fetchone()
            if known is None:
                return None
            key = (self.namespace, poll, answer_id, voter)
            if on:
                sql = "INSERT OR IGNORE INTO votes (ns, poll, answer, voter) VALUES (?, ?, ?, ?)"
            else:
                sql = "DELETE FROM votes WHERE ns=? AND poll=? AND answer=? AND voter=?"
            # The primary key makes a repeated vote change nothing; the count moves only
            # when a row came or went, in the same transaction.
            step = conn.execute(sql, key).rowcount * (1 if on else -1)
            moved[0] = step != 0
            return self._update(conn, poll, answer_id, "votes=votes+?", step)

        def change(answer: Answer | None) -> Change | None:
            # a repeated vote changed nothing: nothing goes into the feed
            return Change("hide", poll=poll, answer=answer) if answer and moved[0] else None

        moved = [False]
        return await self._call(op, write=True, change=change)

    async def mark_answer(self, poll: str, answer_id: int, mark: str, on: bool) -> Answer | None:
        if mark not in MARKS:
            raise ValueError(f"unknown mark {mark!r}")
        return await self._flag(poll, answer_id, mark, on)

    async def voted(self, poll: str, voter: str) -> list[int]:
        def op(conn: sqlite3.Connection) -> list[int]:
            rows = conn.execute(
                "SELECT answer FROM votes WHERE ns=? AND poll=? AND voter=? ORDER BY answer",
                (self.namespace, poll, voter),
            ).fetchall()
            return [r[0] for r in rows]

        return await self._read(op)

    async def answers(self, poll: str) -> list[Answer]:
        def op(conn: sqlite3.Connection) -> list[Answer]:
            rows = conn.execute(
                f"SELECT {COLUMNS}, voter FROM answers WHERE ns=? AND poll=? ORDER BY id",
                (self.namespace, poll),
            ).fetchall()
            return [self._row(poll, r[WIDTH], r[:WIDTH]) for r in rows]

        return await self._read(op)

    async def purge(self, before: float) -> int:
        def op(conn: sqlite3.Connection) -> int:
            # Deleted text would linger in free pages: overwrite it (the WAL is truncated
            # when the store closes).
            conn.execute("PRAGMA secure_delete=ON")
            try:
                cursor = conn.execute(
                    "DELETE FROM answers WHERE ns=? AND created<?", (self.namespace, before)
                )
                return cursor.rowcount
            finally:
                conn.execute("PRAGMA secure_delete=OFF")

        return await self._call(op, write=True)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await asyncio.to_thread(self._writer.close)
        self._hub.lose()
        await asyncio.to_thread(self._reader.submit(self._close_reader).result)
        self._reader.shutdown(wait=False)

    def _close_reader(self) -> None:
        if self._reader_conn is not None:
            self._reader_conn.close()
            self._reader_conn = None


def _poll_change(result: tuple[PollState, bool]) -> Change | None:
    state, changed = result
    return Change("poll", poll=state.id, state=state) if changed else None


def _answer_change(receipt: Receipt) -> Change | None:
    if receipt.duplicate:
        return None
    answer = receipt.answer
    return Change("answer", poll=answer.poll, answer=answer, removed=receipt.removed)
