"""The Redis store's answer path sends the answers waiting at one moment as one pipeline
(stores/redis_batch.py). Every answer still gets its own reply, from any event loop; a
script Redis forgot is loaded again; nothing queued is lost when the store closes."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import Iterator

from deckpoll.stores.base import OPEN, AnswerLimit
from server_fixtures import redis_url  # noqa: F401 - a fixture


def run(coro):
    return asyncio.run(coro)


@contextlib.contextmanager
def opened(url: str) -> Iterator:
    from deckpoll.stores.redis import RedisStore

    store = RedisStore(url, namespace=f"deck-{uuid.uuid4().hex[:12]}")
    try:
        yield store
    finally:
        run(store.close())


def _answer(store, voter: str, choice: str = "a", limit: int = 1):
    return store.add_answer("p", voter, {"choice": choice}, key=choice, replace=False, limit=limit)


def _count_pipelines(store) -> list[int]:
    """From now on, the number of commands in each pipeline the store sends."""
    sizes: list[int] = []
    client = store._redis
    pipeline = client.pipeline

    def counted(*args, **options):
        pipe = pipeline(*args, **options)
        execute = pipe.execute

        async def counted_execute(*args, **options):
            sizes.append(len(pipe.command_stack))
            return await execute(*args, **options)

        pipe.execute = counted_execute
        return pipe

    client.pipeline = counted
    return sizes


def test_answers_arriving_together_share_pipelines_and_each_gets_its_reply(redis_url):  # noqa: F811
    with opened(redis_url) as store:
        run(store.set_status("p", OPEN))
        run(_answer(store, "warm-up"))  # loads the script
        sizes = _count_pipelines(store)

        async def room() -> list:
            return await asyncio.gather(
                *(_answer(store, f"v{n}") for n in range(200)),
                _answer(store, "v0", "b"),  # over the limit: refused, alone
                return_exceptions=True,
            )

        *receipts, refused = run(room())
        assert isinstance(refused, AnswerLimit)
        assert sorted(r.answer.voter for r in receipts) == sorted(f"v{n}" for n in range(200))
        assert len({r.answer.id for r in receipts}) == 200
        assert sum(sizes) == 201
        assert len(sizes) < 201 / 4  # batched: far fewer round trips than answers
        stored = run(store.answers("p"))
        assert len(stored) == 201  # the warm-up's and the room's


def test_a_script_redis_forgot_is_loaded_again(redis_url):  # noqa: F811
    with opened(redis_url) as store:
        run(store.set_status("p", OPEN))
        run(_answer(store, "v1"))
        run(store._run(lambda: store._redis.script_flush()))  # as a restarted Redis
        receipt = run(_answer(store, "v2"))
        assert receipt.answer.voter == "v2"
        assert [a.voter for a in run(store.answers("p"))] == ["v1", "v2"]


def test_answers_from_two_event_loops_each_get_their_own_replies(redis_url):  # noqa: F811
    """Two threads with loops of their own (as the CLI and a server could) share the
    store's batches; each reply reaches the loop that asked."""
    with opened(redis_url) as store:
        run(store.set_status("p", OPEN))
        got: dict[str, list[str]] = {}

        def loop_of(name: str) -> None:
            async def go() -> list[str]:
                done = await asyncio.gather(*(_answer(store, f"{name}{n}") for n in range(50)))
                return [r.answer.voter for r in done]

            got[name] = asyncio.run(go())

        threads = [threading.Thread(target=loop_of, args=(name,)) for name in "xy"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert got == {name: [f"{name}{n}" for n in range(50)] for name in "xy"}


def test_answers_queued_before_a_close_are_committed(redis_url):  # noqa: F811
    with opened(redis_url) as store:
        run(store.set_status("p", OPEN))

        async def answer_then_close() -> list:
            # Redis holds writes for a moment: the batch is still in flight at the close.
            await store._run(lambda: store._redis.client_pause(400, all=False))
            pending = [asyncio.ensure_future(_answer(store, f"v{n}")) for n in range(30)]
            await asyncio.sleep(0)  # all queued
            await store.close()
            return await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), 5)

        replies = run(answer_then_close())
        assert all(not isinstance(r, BaseException) for r in replies), replies
        namespace = store.namespace
    from deckpoll.stores.redis import RedisStore

    again = RedisStore(redis_url, namespace=namespace)
    try:
        assert len(run(again.answers("p"))) == 30
    finally:
        run(again.close())


def test_a_failed_batch_fails_its_callers_and_the_next_batch_still_runs(redis_url):  # noqa: F811
    """Whatever breaks a batch (Redis, or a fault in the client) is each of its callers'
    503; the answers after it are not left waiting."""
    from deckpoll.stores.base import StoreUnavailable

    with opened(redis_url) as store:
        run(store.set_status("p", OPEN))
        batch = store._add
        send = batch._send

        async def broken(calls):
            batch._send = send  # once
            raise TypeError("a fault in the client")

        batch._send = broken
        try:
            run(_answer(store, "v1"))
        except StoreUnavailable as exc:
            assert "a fault in the client" in str(exc)
        else:
            raise AssertionError("the failed batch's caller was told it was saved")
        assert run(asyncio.wait_for(_answer(store, "v2"), 5)).answer.voter == "v2"
