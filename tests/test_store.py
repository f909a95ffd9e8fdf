"""One contract suite for every store: memory, sqlite and redis (a throwaway redis-server)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest

from deckpoll.stores.base import (
    CLOSED,
    NEW,
    OPEN,
    AnswerLimit,
    Change,
    PollClosed,
    Rate,
    Store,
    TooFast,
    open_store,
)
from deckpoll.stores.sqlite import path_from_url
from server_fixtures import redis_url  # noqa: F401 - a fixture

_LOOP: asyncio.AbstractEventLoop | None = None


def run(coro):
    """Run on the test's own event loop (a Redis client belongs to the loop it started in)."""
    if _LOOP is None:
        return asyncio.run(coro)
    return _LOOP.run_until_complete(coro)


@pytest.fixture(autouse=True)
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    global _LOOP
    _LOOP = asyncio.new_event_loop()
    yield _LOOP
    _LOOP.run_until_complete(_LOOP.shutdown_asyncgens())
    _LOOP.close()
    _LOOP = None


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store_url(request, tmp_path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "redis":
        return request.getfixturevalue("redis_url")
    return f"sqlite:///{tmp_path / 'answers.sqlite3'}"


@pytest.fixture
def store(store_url, loop) -> Iterator[Store]:
    store = open_store(store_url, namespace=f"deck-{uuid.uuid4().hex}")
    yield store
    run(store.close())


def test_a_numbered_change_keeps_every_other_field():
    """Change.numbered builds the change field by field (it is on every answer's path): a
    field added to Change and not to it would be dropped here."""
    from dataclasses import fields, replace

    values = {f.name: f"<{f.name}>" for f in fields(Change)}
    change = Change(**values)
    assert change.numbered("o", 7) == replace(change, origin="o", seq=7)


def test_open_store_picks_the_class_by_scheme(store_url):
    store = open_store(store_url)
    assert isinstance(store, Store)
    expected = {"memory": "MemoryStore", "sqlite": "SQLiteStore", "redis": "RedisStore"}[
        store_url.split(":")[0]
    ]
    assert type(store).__name__ == expected
    run(store.close())


def test_open_store_rejects_unknown_scheme_and_missing_scheme():
    with pytest.raises(ValueError, match="no store for nosuch"):
        open_store("nosuch://x")
    with pytest.raises(ValueError, match="needs a scheme"):
        open_store("answers.db")


def test_sqlite_url_forms():
    assert str(path_from_url("sqlite:///rel/a.db")) == "rel/a.db"
    assert str(path_from_url("sqlite:////abs/a.db")) == "/abs/a.db"
    for bad in ("sqlite://", "sqlite:///", "sqlite://host/a.db", "memory://x"):
        with pytest.raises(ValueError):
            path_from_url(bad)


def test_polls_start_new_and_closed_to_answers(store):
    async def go():
        assert await store.polls() == {}
        with pytest.raises(PollClosed):
            await store.add_answer("p", "v1", {"choice": "a"}, key="", replace=True, limit=1)

    run(go())


def test_lifecycle_open_close_reopen(store):
    async def go():
        state = await store.set_status("p", OPEN)
        assert state.status == OPEN and state.opened_at is not None
        await store.add_answer("p", "v1", {"choice": "a"}, key="", replace=True, limit=1)
        state = await store.set_status("p", CLOSED)
        assert state.status == CLOSED and state.closed_at is not None
        with pytest.raises(PollClosed):
            await store.add_answer("p", "v2", {"choice": "a"}, key="", replace=True, limit=1)
        state = await store.set_status("p", OPEN)
        assert state.status == OPEN and state.closed_at is None
        assert len(await store.answers("p")) == 1
        assert (await store.polls())["p"].status == OPEN

    run(go())


def test_only_from_guards_auto_open(store):
    async def go():
        assert (await store.set_status("p", OPEN, only_from=(NEW,))).status == OPEN
        await store.set_status("p", CLOSED)
        assert (await store.set_status("p", OPEN, only_from=(NEW,))).status == CLOSED

    run(go())


def test_choice_answer_is_replaced_not_added(store):
    async def go():
        await store.set_status("p", OPEN)
        first = await store.add_answer("p", "v1", {"choice": "a"}, key="", replace=True, limit=1)
        assert not first.replaced
        again = await store.add_answer("p", "v1", {"choice": "a"}, key="", replace=True, limit=1)
        assert again.duplicate and again.answer.id == first.answer.id
        second = await store.add_answer("p", "v1", {"choice": "b"}, key="", replace=True, limit=1)
        assert second.replaced and second.removed == (first.answer.id,)
        assert first.removed == () and again.removed == ()
        await store.add_answer("p", "v2", {"choice": "a"}, key="", replace=True, limit=1)
        values = {(a.voter, a.value["choice"]) for a in await store.answers("p")}
        assert values == {("v1", "b"), ("v2", "a")}

    run(go())


def test_text_entries_up_to_limit_and_duplicates_ignored(store):
    async def go():
        await store.set_status("w", OPEN)
        for word in ("tid", "mod", "pengar"):
            await store.add_answer("w", "v1", {"text": word}, key=word, replace=False, limit=3)
        dup = await store.add_answer("w", "v1", {"text": "tid"}, key="tid", replace=False, limit=3)
        assert dup.duplicate
        with pytest.raises(AnswerLimit):
            await store.add_answer("w", "v1", {"text": "x"}, key="x", replace=False, limit=3)
        await store.add_answer("w", "v2", {"text": "tid"}, key="tid", replace=False, limit=3)
        assert len(await store.answers("w")) == 4

    run(go())


def test_parallel_identical_answers_leave_one(store):
    async def go():
        await store.set_status("p", OPEN)
        await store.set_status("w", OPEN)
        calls = [
            store.add_answer("p", "v1", {"choice": "a"}, key="", replace=True, limit=1)
            for _ in range(30)
        ] + [
            store.add_answer("w", "v1", {"text": "Mod"}, key="mod", replace=False, limit=3)
            for _ in range(30)
        ]
        receipts = await asyncio.gather(*calls)
        assert len({r.answer.id for r in receipts[:30]}) == 1
        assert len(await store.answers("p")) == 1
        assert len(await store.answers("w")) == 1

    run(go())


def test_one_voters_answers_at_once_see_each_other(store):
    """One voter's answers sent at once, a hide among them: each sees the ones before it
    (the SQLite writer commits them in one batch, Redis in one pipeline)."""

    async def go():
        await store.set_status("p", OPEN)
        await store.set_status("w", OPEN)
        seen = await store.add_answer("w", "v1", {"text": "a"}, key="a", replace=False, limit=3)
        words = ("a", "b", "b", "c", "d")  # the hidden one again, a repeat, one past the limit
        results = await asyncio.gather(
            *(store.add_answer("p", "v1", {"choice": c}, key="", replace=True, limit=1)
              for c in ("a", "b", "c")),
            store.hide_answer("w", seen.answer.id),
            *(store.add_answer("w", "v1", {"text": w}, key=w, replace=False, limit=3)
              for w in words),
            return_exceptions=True,
        )  # fmt: skip
        a, b, c = results[:3]
        assert not a.replaced and b.removed == (a.answer.id,) and c.removed == (b.answer.id,)
        assert [x.value["choice"] for x in await store.answers("p")] == ["c"]
        again_a, first_b, again_b, word_c, past = results[4:]
        assert again_a.duplicate and again_a.answer.id == seen.answer.id
        if not store.shared:  # one process: calls made at once run in the order made (Redis
            # runs the hide on a connection of its own, in no set order with the answers')
            assert again_a.answer.hidden  # as the hide before it left it
        assert again_b.duplicate and again_b.answer.id == first_b.answer.id
        assert not word_c.duplicate and isinstance(past, AnswerLimit)
        kept = {x.key: x.hidden for x in await store.answers("w")}
        assert kept == {"a": True, "b": False, "c": False}

    run(go())


def test_sqlite_new_voters_choice_runs_no_delete(tmp_path):
    """A new voter's single-choice answer has nothing to replace: no DELETE (every statement
    on the writer thread hands the GIL to the event loop and back)."""

    async def go():
        store = open_store(f"sqlite:///{tmp_path / 'a.db'}", namespace="d")
        await store.set_status("p", OPEN)
        statements: list[str] = []
        store._conn.set_trace_callback(statements.append)
        await store.add_answer("p", "v1", {"choice": "a"}, key="", replace=True, limit=1)
        first = [s.split()[0] for s in statements if s.split()[0] in ("DELETE", "INSERT")]
        statements.clear()
        await store.add_answer("p", "v1", {"choice": "b"}, key="", replace=True, limit=1)
        again = [s.split()[0] for s in statements if s.split()[0] in ("DELETE", "INSERT")]
        await store.close()
        return first, again

    first, again = run(go())
    assert first == ["INSERT"] and again == ["DELETE", "INSERT"]


def test_hide_answer_and_unknown_answer(store):
    async def go():
        await store.set_status("o", OPEN)
        r = await store.add_answer("o", "v1", {"text": "<b>x</b>"}, key="x", replace=False, limit=1)
        hidden = await store.hide_answer("o", r.answer.id)
        assert hidden is not None and hidden.hidden
        assert (await store.answers("o"))[0].hidden
        assert await store.hide_answer("o", 999_999) is None
        assert await store.hide_answer("other", r.answer.id) is None

    run(go())


def test_pending_answers_wait_for_approval(store):
    async def go():
        await store.set_status("o", OPEN)
        held = await store.add_answer(
            "o", "v1", {"text": "idé"}, key="idé", replace=False, limit=2, pending=True
        )
        free = await store.add_answer("o", "v1", {"text": "b"}, key="b", replace=False, limit=2)
        assert held.answer.pending and not free.answer.pending
        assert [a.pending for a in await store.answers("o")] == [True, False]
        again = await store.add_answer(
            "o", "v1", {"text": "idé"}, key="idé", replace=False, limit=2, pending=True
        )
        assert again.duplicate and again.answer.pending
        approved = await store.approve_answer("o", held.answer.id)
        assert approved is not None and not approved.pending and not approved.hidden
        assert approved.value == {"text": "idé"} and approved.voter == "v1"
        assert [a.pending for a in await store.answers("o")] == [False, False]
        hidden = await store.hide_answer("o", held.answer.id)
        assert hidden is not None and hidden.hidden and not hidden.pending
        assert await store.approve_answer("o", 999_999) is None
        assert await store.approve_answer("other", held.answer.id) is None

    run(go())


def test_votes_count_once_per_voter_and_come_back(store):
    """One vote per voter per answer: repeats and thirty parallel votes count once; a vote
    taken back (twice) counts nothing; the voter's own votes are listed."""

    async def go():
        await store.set_status("q", OPEN)
        a = await store.add_answer("q", "v1", {"text": "Varför?"}, key="a", replace=False, limit=3)
        b = await store.add_answer("q", "v2", {"text": "Hur?"}, key="b", replace=False, limit=3)
        qid = a.answer.id
        votes = await asyncio.gather(*(store.vote_answer("q", qid, "v9", True) for _ in range(30)))
        assert {v.votes for v in votes} >= {1} and votes[-1].votes == 1
        assert (await store.answers("q"))[0].votes == 1
        again = await store.vote_answer("q", qid, "v9", True)
        assert again is not None and again.votes == 1 and again.value == {"text": "Varför?"}
        assert (await store.vote_answer("q", qid, "v1", True)).votes == 2
        assert (await store.vote_answer("q", b.answer.id, "v9", True)).votes == 1
        assert await store.voted("q", "v9") == sorted([qid, b.answer.id])
        assert await store.voted("q", "v1") == [qid] and await store.voted("q", "v7") == []
        for _ in range(2):
            taken = await store.vote_answer("q", qid, "v9", False)
            assert taken is not None and taken.votes == 1
        assert await store.voted("q", "v9") == [b.answer.id]
        assert [x.votes for x in await store.answers("q")] == [1, 1]
        assert await store.vote_answer("q", 999_999, "v9", True) is None
        await store.set_status("q", CLOSED)
        with pytest.raises(PollClosed):
            await store.vote_answer("q", qid, "v5", True)
        assert [x.votes for x in await store.answers("q")] == [1, 1]

    run(go())


def test_marks_pin_and_answer_a_question(store):
    async def go():
        await store.set_status("q", OPEN)
        r = await store.add_answer("q", "v1", {"text": "Varför?"}, key="a", replace=False, limit=3)
        await store.vote_answer("q", r.answer.id, "v2", True)
        pinned = await store.mark_answer("q", r.answer.id, "pinned", True)
        assert pinned is not None and pinned.pinned and not pinned.answered
        assert pinned.votes == 1 and not pinned.hidden  # a mark keeps the rest
        done = await store.mark_answer("q", r.answer.id, "answered", True)
        assert done.pinned and done.answered
        unpinned = await store.mark_answer("q", r.answer.id, "pinned", False)
        assert not unpinned.pinned and unpinned.answered
        (stored,) = await store.answers("q")
        assert (stored.pinned, stored.answered, stored.votes) == (False, True, 1)
        assert await store.mark_answer("q", 999_999, "pinned", True) is None
        with pytest.raises(ValueError):
            await store.mark_answer("q", r.answer.id, "starred", True)

    run(go())


def test_reset_forgets_votes(store):
    async def go():
        await store.set_status("q", OPEN)
        r = await store.add_answer("q", "v1", {"text": "Varför?"}, key="a", replace=False, limit=3)
        await store.vote_answer("q", r.answer.id, "v2", True)
        await store.reset_poll("q")
        assert await store.voted("q", "v2") == []
        r = await store.add_answer("q", "v1", {"text": "Varför?"}, key="a", replace=False, limit=3)
        assert r.answer.votes == 0
        assert (await store.vote_answer("q", r.answer.id, "v2", True)).votes == 1

    run(go())


def test_reset_clears_answers_and_keeps_open_poll_open(store):
    async def go():
        await store.set_status("p", OPEN)
        await store.set_revealed("p", True)
        await store.add_answer("p", "v1", {"choice": "a"}, key="", replace=True, limit=1)
        state = await store.reset_poll("p")
        assert state.status == OPEN and not state.revealed
        assert await store.answers("p") == []
        await store.set_status("p", CLOSED)
        assert (await store.reset_poll("p")).status == NEW

    run(go())


def test_reveal_flag(store):
    async def go():
        assert (await store.set_revealed("p", True)).revealed
        assert (await store.polls())["p"].revealed
        assert not (await store.set_revealed("p", False)).revealed

    run(go())


def test_meta_round_trip(store):
    async def go():
        assert await store.get_meta("code") is None
        await store.set_meta("code", "123456")
        await store.set_meta("code", "654321")
        assert await store.get_meta("code") == "654321"

    run(go())


def test_setdefault_meta_keeps_the_first_value(store):
    async def go():
        assert await store.setdefault_meta("secret", "first") == "first"
        assert await store.setdefault_meta("secret", "second") == "first"
        assert await store.get_meta("secret") == "first"
        await store.set_meta("secret", "third")  # a rotation replaces it
        assert await store.setdefault_meta("secret", "fourth") == "third"

    run(go())


def test_setdefault_meta_from_many_at_once_agrees_on_one(store):
    async def go():
        values = await asyncio.gather(*(store.setdefault_meta("race", f"v{n}") for n in range(20)))
        assert len(set(values)) == 1
        assert await store.get_meta("race") == values[0]

    run(go())


def test_the_feed_numbers_every_change_in_commit_order(store):
    """Every store's feed: each committed change, numbered head+1, head+2, ... with no gap,
    in commit order, the same sequence for every subscriber; nothing for a refused or
    duplicate write; receipts carry their change's number; notes come unnumbered."""

    async def go():
        start = await store.head()
        first_feed, second_feed = await store.subscribe(), await store.subscribe()
        await store.set_status("p", OPEN)
        one = await store.add_answer("p", "v1", {"choice": "x"}, key="", replace=True, limit=1)
        again = await store.add_answer("p", "v1", {"choice": "x"}, key="", replace=True, limit=1)
        await store.set_status("p", OPEN, only_from=(NEW,))  # refused: changes nothing
        two = await store.add_answer("p", "v1", {"choice": "y"}, key="", replace=True, limit=1)
        await store.hide_answer("p", two.answer.id, True)
        assert await store.hide_answer("p", 999_999, True) is None  # nothing to change
        await store.approve_answer("p", two.answer.id)
        await store.reset_poll("p")
        await store.set_meta("state", '{"slide": 2, "fragment": 0}')
        await store.setdefault_meta("code", "1")
        await store.setdefault_meta("code", "2")  # there already: changes nothing
        await store.publish({"audience": 3})
        assert again.duplicate and again.seq == 0
        assert await store.head() == start + 8
        got = []
        while len(got) < 9:
            got += await asyncio.wait_for(first_feed.batch(), 5)
        seen = [await asyncio.wait_for(second_feed.get(), 5) for _ in range(9)]
        await first_feed.close()
        await second_feed.close()
        return start, one, two, got, seen

    start, one, two, got, seen = run(go())
    assert seen == got
    kinds = ["poll", "answer", "answer", "hide", "hide", "poll", "meta", "meta", "note"]
    assert [c.kind for c in got] == kinds
    assert [c.seq for c in got] == [start + n for n in range(1, 9)] + [0]
    assert {c.origin for c in got} == {store.origin}
    assert got[1].answer == one.answer and got[1].seq == one.seq
    assert got[2].answer == two.answer and got[2].removed == (one.answer.id,)
    assert got[2].seq == two.seq
    assert got[3].answer.hidden and got[3].answer.id == two.answer.id
    assert not got[4].answer.pending
    assert got[5].reset and got[5].state.status == OPEN
    assert (got[6].name, got[6].value) == ("state", '{"slide": 2, "fragment": 0}')
    assert (got[7].name, got[7].value) == ("code", "1")
    assert got[8].data == {"audience": 3}


def test_concurrent_writes_come_through_the_feed_without_gaps(store):
    """Writes committed together (SQLite's group commit, Redis from many connections) are
    still numbered one by one, in the order the feed hands them out."""

    async def go():
        await store.set_status("p", OPEN)
        start = await store.head()
        feed = await store.subscribe()
        receipts = await asyncio.gather(
            *(
                store.add_answer("p", f"v{n}", {"choice": "a"}, key="", replace=True, limit=1)
                for n in range(40)
            )
        )
        got = []
        while len(got) < 40:
            got += await asyncio.wait_for(feed.batch(), 5)
        await feed.close()
        return start, receipts, got

    start, receipts, got = run(go())
    assert [c.seq for c in got] == list(range(start + 1, start + 41))
    assert sorted(r.seq for r in receipts) == [c.seq for c in got]
    assert {r.seq: r.answer for r in receipts} == {c.seq: c.answer for c in got}


def test_a_closed_feed_gets_nothing_and_others_go_on(store):
    async def go():
        closed, open_feed = await store.subscribe(), await store.subscribe()
        await closed.close()
        await store.set_meta("code", "1")
        change = await asyncio.wait_for(open_feed.get(), 5)
        await open_feed.close()
        return change

    assert run(go()).name == "code"


def test_a_voters_rate_is_taken_with_the_answer(store):
    slow = Rate(burst=3, per_second=0.01)

    async def go():
        await store.set_status("p", OPEN)
        for choice in ("a", "b", "a"):
            await store.add_answer(
                "p", "v1", {"choice": choice}, key="", replace=True, limit=1, rate=slow
            )
        with pytest.raises(TooFast):
            await store.add_answer(
                "p", "v1", {"choice": "b"}, key="", replace=True, limit=1, rate=slow
            )
        assert [a.value for a in await store.answers("p")] == [{"choice": "a"}]  # nothing new
        # another voter has a bucket of its own; without a rate nothing is counted
        await store.add_answer("p", "v2", {"choice": "b"}, key="", replace=True, limit=1, rate=slow)
        await store.add_answer("p", "v1", {"choice": "b"}, key="", replace=True, limit=1)
        # a closed poll's answer costs a token too (every attempt counts)
        await store.set_status("q", CLOSED)
        for _ in range(3):
            with pytest.raises(PollClosed):
                await store.add_answer(
                    "q", "v3", {"choice": "a"}, key="", replace=True, limit=1, rate=slow
                )
        with pytest.raises(TooFast):
            await store.add_answer(
                "q", "v3", {"choice": "a"}, key="", replace=True, limit=1, rate=slow
            )

    run(go())


def test_take_empties_a_bucket_and_it_refills(store):
    async def go():
        # A slow refill (one token per 250 ms), so that a busy machine's pause between two
        # takes does not refill the bucket; the wait is 2.4 tokens' worth, capped at 2.
        rate = Rate(burst=2, per_second=4)
        assert await store.take("b", rate) and await store.take("b", rate)
        assert not await store.take("b", rate)
        assert await store.take("other", rate)
        await asyncio.sleep(0.6)
        assert await store.take("b", rate) and await store.take("b", rate)
        assert not await store.take("b", rate)

    run(go())


def test_two_redis_stores_of_one_talk_count_one_bucket(redis_url):  # noqa: F811
    tag = f"t{uuid.uuid4().hex}"
    a, b = open_store(redis_url, namespace=tag), open_store(redis_url, namespace=tag)
    rate = Rate(burst=4, per_second=0.01)

    async def go():
        taken = [await (a if n % 2 else b).take("voter:x", rate) for n in range(8)]
        assert taken == [True] * 4 + [False] * 4
        await a.set_status("p", OPEN)
        answers = []
        for n in range(8):
            try:
                await (a if n % 2 else b).add_answer(
                    "p", "y", {"choice": str(n)}, key="", replace=True, limit=1, rate=rate
                )
                answers.append(True)
            except TooFast:
                answers.append(False)
        assert answers == [True] * 4 + [False] * 4

    try:
        run(go())
    finally:
        run(a.close())
        run(b.close())


def test_purge_deletes_older_answers_of_every_poll_and_frees_their_slots(store_url):
    """Retention: answers created before the time go, in every poll of the namespace (also
    one no longer in the deck), later ones and other namespaces stay; a voter whose entries
    went may answer again (the per-voter index forgets them too)."""
    tag = uuid.uuid4().hex
    store = open_store(store_url, namespace=f"p{tag}")
    other = store if store_url.startswith("memory") else open_store(store_url, namespace=f"q{tag}")

    async def go():
        for poll in ("w", "gone"):
            await store.set_status(poll, OPEN)
        await store.add_answer("w", "v1", {"text": "old"}, key="old", replace=False, limit=2)
        await store.add_answer("w", "v1", {"text": "old2"}, key="old2", replace=False, limit=2)
        await store.add_answer("gone", "v2", {"choice": "x"}, key="", replace=True, limit=1)
        if other is not store:
            await other.set_status("w", OPEN)
            await other.add_answer("w", "v1", {"text": "old"}, key="old", replace=False, limit=2)
        await asyncio.sleep(0.05)
        cutoff = time.time()
        await asyncio.sleep(0.05)
        await store.add_answer("w", "v3", {"text": "new"}, key="new", replace=False, limit=2)
        assert await store.purge(cutoff) == 3
        assert [a.value["text"] for a in await store.answers("w")] == ["new"]
        assert await store.answers("gone") == []
        again = await store.add_answer("w", "v1", {"text": "x"}, key="x", replace=False, limit=2)
        await store.add_answer("w", "v1", {"text": "y"}, key="y", replace=False, limit=2)
        assert not again.duplicate
        if other is not store:
            assert len(await other.answers("w")) == 1
        assert await store.purge(cutoff) == 0

    run(go())
    run(store.close())
    if other is not store:
        run(other.close())


def test_namespaces_do_not_mix(store_url):
    if store_url.startswith("memory"):
        pytest.skip("each MemoryStore is its own namespace")
    tag = uuid.uuid4().hex
    a, b = open_store(store_url, namespace=f"a{tag}"), open_store(store_url, namespace=f"b{tag}")

    async def go():
        await a.set_status("p", OPEN)
        await a.add_answer("p", "v1", {"choice": "x"}, key="", replace=True, limit=1)
        assert await b.answers("p") == []
        assert await b.polls() == {}

    run(go())
    run(a.close())
    run(b.close())


def test_sqlite_answers_survive_reopen(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    first = open_store(url, namespace="d")

    async def write():
        await first.set_status("p", OPEN)
        await first.add_answer("p", "v1", {"value": 4}, key="", replace=True, limit=1)
        await first.close()

    run(write())
    second = open_store(url, namespace="d")

    async def read():
        assert (await second.polls())["p"].status == OPEN
        assert [a.value for a in await second.answers("p")] == [{"value": 4}]
        await second.close()

    run(read())


def test_sqlite_written_before_approval_gains_the_pending_column(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE answers (id INTEGER PRIMARY KEY AUTOINCREMENT, ns TEXT NOT NULL,"
        " poll TEXT NOT NULL, voter TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
        " created REAL NOT NULL, hidden INTEGER NOT NULL DEFAULT 0,"
        " UNIQUE (ns, poll, voter, key));"
        "INSERT INTO answers (ns, poll, voter, key, value, created)"
        " VALUES ('d', 'p', 'v1', '', '{\"value\": 4}', 1.0);"
    )
    conn.commit()
    conn.close()
    store = open_store(f"sqlite:///{path}", namespace="d")

    async def read():
        (answer,) = await store.answers("p")
        assert answer.value == {"value": 4} and not answer.pending
        assert (answer.votes, answer.pinned, answer.answered) == (0, False, False)
        await store.close()

    run(read())


def test_a_third_party_store_plugs_in_by_entry_point(monkeypatch):
    from importlib.metadata import EntryPoint

    import deckpoll.stores.base as base

    fake = EntryPoint("fake", "deckpoll.stores.memory:MemoryStore", base.ENTRY_POINT_GROUP)

    def entry_points(*, group):
        return [fake] if group == base.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(base, "entry_points", entry_points)
    store = open_store("fake://anything", namespace="n")
    assert type(store).__name__ == "MemoryStore" and store.url == "fake://anything"
    assert "fake" in base.store_factories()


def test_the_built_in_stores_are_registered_entry_points():
    from importlib.metadata import PackageNotFoundError, distribution, entry_points

    try:
        distribution("deckpoll")
    except PackageNotFoundError:
        pytest.skip("deckpoll is not installed (pip install -e .)")
    names = {ep.name: ep.value for ep in entry_points(group="deckpoll.stores")}
    assert names["memory"] == "deckpoll.stores.memory:MemoryStore"
    assert names["sqlite"] == "deckpoll.stores.sqlite:SQLiteStore"
