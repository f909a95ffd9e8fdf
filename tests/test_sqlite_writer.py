"""The SQLite writer's batches: an answer runs without a savepoint of its own and reads its
poll's state from what the batch has read or written (stores/sqlite_writer.py). These
tests put several calls into one batch (queued while the writer sleeps in an op before
them) and check that nothing a rollback took back is believed afterwards."""

from __future__ import annotations

import asyncio
import sqlite3
import time

from deckpoll.stores.base import CLOSED, OPEN, PollClosed, PollState, StoreUnavailable
from deckpoll.stores.sqlite import SQLiteStore


def _store(tmp_path) -> SQLiteStore:
    return SQLiteStore(f"sqlite:///{tmp_path / 'answers.sqlite3'}")


async def _one_batch(store: SQLiteStore, *calls):
    """Run `calls` (coroutine factories) as one batch: queued, in order, while the writer
    is busy with a slow op queued before them."""
    slow = store._call(lambda conn: time.sleep(0.3), write=True)
    await asyncio.sleep(0.05)  # the writer has taken the slow op alone
    tasks = []
    for call in calls:
        tasks.append(asyncio.ensure_future(call()))
        await asyncio.sleep(0)  # queued in this order
    await slow
    return await asyncio.gather(*tasks, return_exceptions=True)


def _answer(store: SQLiteStore, voter: str):
    return lambda: store.add_answer("p", voter, {"choice": "a"}, key="a", replace=True, limit=1)


def test_an_answer_after_a_close_in_the_same_batch_is_refused(tmp_path):
    async def go():
        store = _store(tmp_path)
        try:
            await store.set_status("p", OPEN)
            return await _one_batch(
                store,
                _answer(store, "before"),
                lambda: store.set_status("p", CLOSED),
                _answer(store, "after"),
            )
        finally:
            await store.close()

    before, closed, after = asyncio.run(go())
    assert before.answer.voter == "before"
    assert closed.status == CLOSED
    assert isinstance(after, PollClosed)


def test_a_poll_state_taken_back_by_a_rollback_is_not_believed(tmp_path):
    """A call that wrote the poll's state and then failed is rolled back to its savepoint;
    an answer later in the batch must see the state in the file (open), not the one the
    failed call wrote (closed)."""

    class Refused(Exception):
        pass

    async def go():
        store = _store(tmp_path)

        def close_then_fail(conn: sqlite3.Connection) -> None:
            store._save_poll(conn, PollState("p", CLOSED))
            raise Refused

        try:
            await store.set_status("p", OPEN)
            results = await _one_batch(
                store,
                lambda: store._call(close_then_fail, write=True),
                _answer(store, "v1"),
            )
            return results, (await store.polls())["p"].status
        finally:
            await store.close()

    (failed, answered), status = asyncio.run(go())
    assert isinstance(failed, Refused)
    assert answered.answer.voter == "v1"
    assert status == OPEN


def test_an_unguarded_call_failing_in_sqlite_rolls_back_its_whole_batch(tmp_path):
    """A call without a savepoint that SQLite fails after it wrote: nothing of the batch is
    committed and every caller in it hears StoreUnavailable (none is told "saved")."""

    async def go():
        store = _store(tmp_path)

        def write_then_break(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO answers (ns, poll, voter, key, value, created) "
                "VALUES ('', 'p', 'w', 'k', '{}', 0)"
            )
            conn.execute("SELECT * FROM no_such_table")

        try:
            await store.set_status("p", OPEN)
            results = await _one_batch(
                store,
                _answer(store, "v1"),
                lambda: store._call(write_then_break, write=True, guard=False),
            )
            after = await store.add_answer(
                "p", "v2", {"choice": "a"}, key="a", replace=True, limit=1
            )
            return results, await store.answers("p"), after
        finally:
            await store.close()

    results, answers, after = asyncio.run(go())
    assert all(isinstance(r, StoreUnavailable) for r in results), results
    assert [a.voter for a in answers] == ["v2"]  # neither v1 nor the broken call's row
    assert after.answer.voter == "v2"


def test_a_batch_of_answers_commits_every_one(tmp_path):
    voters = 40

    async def go():
        store = _store(tmp_path)
        try:
            await store.set_status("p", OPEN)
            await _one_batch(store, *(_answer(store, f"v{n}") for n in range(voters)))
            return await store.answers("p")
        finally:
            await store.close()

    answers = asyncio.run(go())
    assert sorted(a.voter for a in answers) == sorted(f"v{n}" for n in range(voters))
