"""The SQLite store's writer thread: group commit, then one hand-back per batch.

Calls queue up; the thread runs everything waiting at that moment in one `BEGIN IMMEDIATE`
transaction (each call in its own savepoint, unless it refuses only before it writes),
commits, hands the batch's changes to the feed, and then resolves the callers' futures with
one `call_soon_threadsafe` per event loop and batch (not one per call: each costs the loop a
wake-up through its self-pipe)."""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from deckpoll.stores.base import Change, Receipt, StoreUnavailable
from deckpoll.stores.feed import ChangeHub
from deckpoll.stores.handback import hand_back

BATCH_LIMIT = 512  # operations committed together at most
CHECKPOINT_EVERY = 1.0  # seconds between background WAL checkpoints while writing

Op = Callable[[sqlite3.Connection], Any]
Describe = Callable[[Any], Change | None]  # an op's result -> the change it committed


class Job:
    """One queued call: the op, the caller's future (and its loop), whether it writes, and
    how to describe its change for the feed."""

    __slots__ = ("op", "loop", "future", "write", "describe", "guard", "result", "error")

    def __init__(self, op: Op, write: bool, describe: Describe | None, guard: bool) -> None:
        self.op = op
        self.loop = asyncio.get_running_loop()
        self.future: asyncio.Future = self.loop.create_future()
        self.write = write
        self.describe = describe
        self.guard = guard  # in a savepoint of its own (see Writer.submit)
        self.result: Any = None
        self.error: BaseException | None = None


class Writer:
    """The single writer of one SQLite connection (see the module's note)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        hub: ChangeHub,
        forget: Callable[[], None] = lambda: None,
    ) -> None:
        self._conn = conn
        self._hub = hub
        # Called at the start of every batch and after every rollback: the store may keep
        # what it read within one batch (the write lock is held), never longer.
        self._forget = forget
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.wrote = False
        self._thread = threading.Thread(target=self._run, name="deckpoll-sqlite", daemon=True)
        self._thread.start()

    def submit(
        self, op: Op, *, write: bool, describe: Describe | None = None, guard: bool = True
    ) -> asyncio.Future:
        """Queue `op`. `guard=False` for an op whose refusals (exceptions) all come before
        its first write, as an answer's: it runs without a savepoint of its own (two
        statements fewer on the busiest path); should SQLite itself fail it after a write,
        the whole batch rolls back and every caller in it gets StoreUnavailable."""
        job = Job(op, write, describe, guard)
        self._queue.put(job)
        return job.future

    def close(self) -> None:
        """Finish what is queued, checkpoint, close the connection (blocks: run in a thread)."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        last_checkpoint = time.monotonic()
        dirty = False
        while True:
            try:
                item = self._queue.get(timeout=CHECKPOINT_EVERY if dirty else None)
            except queue.Empty:
                self._checkpoint("PASSIVE")
                dirty, last_checkpoint = False, time.monotonic()
                continue
            if item is None:
                break
            batch, stop = self._take(item)
            wrote = self._run_batch(batch)
            dirty |= wrote
            self.wrote |= wrote
            if dirty and time.monotonic() - last_checkpoint > CHECKPOINT_EVERY:
                self._checkpoint("PASSIVE")
                dirty, last_checkpoint = False, time.monotonic()
            if stop:
                break
        if self.wrote:
            self._checkpoint("TRUNCATE")  # leave a compact file behind (readers skip this)
        self._conn.close()

    def _take(self, first: Job) -> tuple[list[Job], bool]:
        """`first` and everything else waiting (up to BATCH_LIMIT); True if told to stop."""
        batch = [first]
        while len(batch) < BATCH_LIMIT:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is None:
                return batch, True
            batch.append(more)
        return batch, False

    def _checkpoint(self, mode: str) -> None:
        try:
            self._conn.execute(f"PRAGMA wal_checkpoint({mode})")
        except sqlite3.Error:
            pass  # a reader holds the WAL; the next checkpoint catches up

    def _run_batch(self, batch: list[Job]) -> bool:
        """Run a batch in one transaction; True if it wrote anything."""
        conn = self._conn
        writes = any(job.write for job in batch)
        changes: list[tuple[Job, Change]] = []
        self._forget()
        try:
            conn.execute("BEGIN IMMEDIATE" if writes else "BEGIN")
            for job in batch:
                if job.guard:
                    self._guarded(job)
                else:
                    try:
                        job.result = job.op(conn)
                    except sqlite3.Error:
                        raise  # may have written: the batch rolls back (below)
                    except Exception as exc:  # noqa: BLE001 - a refusal, before any write
                        job.error = exc
                if job.error is None and job.describe is not None:
                    change = job.describe(job.result)
                    if change is not None:
                        changes.append((job, change))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._forget()
            failure = StoreUnavailable(f"SQLite: {exc}")
            for job in batch:
                job.result, job.error = None, failure
            hand_back(batch)
            return False
        self._announce(changes)
        hand_back(batch)
        return writes

    def _guarded(self, job: Job) -> None:
        """Run `job` in a savepoint: a refusal after a write takes back only its own."""
        conn = self._conn
        conn.execute("SAVEPOINT op")
        try:
            job.result = job.op(conn)
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            conn.execute("ROLLBACK TO op")
            self._forget()
            job.error = exc
        conn.execute("RELEASE op")

    def _announce(self, changes: list[tuple[Job, Change]]) -> None:
        """Hand the committed changes to the feed (before any caller hears back), and give
        each receipt its change's number."""
        if not changes:
            return
        last = self._hub.commit([change for _, change in changes])
        for seq, (job, _) in enumerate(changes, last - len(changes) + 1):
            if isinstance(job.result, Receipt):
                job.result = replace(job.result, seq=seq)
