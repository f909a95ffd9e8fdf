"""Loop time of a big word cloud: 100,000 answers over 7,300 distinct words, in-process.

Measures, on one event loop with the memory store: what an answer plus its push costs the
loop (the store's commit, the feed, applying it to the tally, then the results views for
phones and presenter + encoding), and how long the
presenter's slide change takes while 100 answers a second arrive. Prints figures and the
same with a full re-tally per push (what the server did before incremental tallies), as a
reference measured in the same run. Usage: python bench/cloud.py [answers] [distinct]
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time

from deckpoll.polls import check_answer, tally
from deckpoll.server.events import sse
from deckpoll.server.session import Session
from deckpoll.stores.base import OPEN
from deckpoll.stores.memory import MemoryStore

POLL = {
    "id": "w",
    "slide": 2,
    "kind": "wordcloud",
    "question": "?",
    "max_answers": 3,
    "results": "live",
    "auto_open": False,
}
MANIFEST = {
    "id": "bench",
    "hash": "sha256:x",
    "polls": [POLL],
    "slides": [{"index": 1, "poll": None}, {"index": 2, "poll": "w"}],
}


async def commit(session: Session, voter: str, text: str) -> None:
    """An answer the way the API sends it: the store commits it, its feed brings it back,
    the follower applies it (the memory store: no disk, only the loop's work)."""
    await session.answer("w", voter, check_answer(POLL, {"text": text}))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


async def main(total: int, distinct: int) -> None:
    rng = random.Random(1)
    words = [f"ord{n} {'x' * rng.randint(0, 30)}" for n in range(distinct)]
    session = Session(dict(MANIFEST), MemoryStore(), push_interval=0.25)
    await session.start()
    await session.set_status("w", OPEN)
    for n in range(total):
        popular = min(distinct - 1, int(rng.paretovariate(1.2)))
        text = words[popular if n % 2 else (n // 2) % distinct]
        await commit(session, f"voter-{n:012d}-bench", text)
    await session.flush()

    # an answer plus its push, as the loop runs them
    costs = []
    for n in range(300):
        text = words[rng.randrange(distinct)]
        started = time.perf_counter()
        await commit(session, f"extra-{n:012d}-bench", text)
        await session.flush()
        costs.append(time.perf_counter() - started)
    phone = len(sse("results", session.results_view("w", False)))
    presenter = len(sse("results", session.results_view("w", True)))

    # the same push with a full re-tally (the old path), for reference
    answers = sorted(session.answers["w"].values(), key=lambda a: a.id)
    full = []
    for _ in range(5):
        started = time.perf_counter()
        view = tally(POLL, answers).view(presenter=True)
        sse("results", view)
        full.append(time.perf_counter() - started)

    # slide changes while 100 answers/s arrive (the pusher runs every 250 ms)
    stop = asyncio.Event()

    async def audience() -> None:
        n = 0
        while not stop.is_set():
            await commit(session, f"live-{n:012d}-bench", words[rng.randrange(distinct)])
            n += 1
            await asyncio.sleep(0.01)

    feeder = asyncio.create_task(audience())
    changes = []
    for n in range(100):
        started = time.perf_counter()
        await session.set_slide(1 + n % 2, 0)
        await asyncio.sleep(0)  # let the loop run what is due
        changes.append(time.perf_counter() - started)
        await asyncio.sleep(0.03)
    stop.set()
    await feeder
    await session.stop()
    cloud = session.tallies["w"]
    print("load average: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"cloud: {cloud.answers} answers, {len(cloud.groups)} distinct words")
    print(
        f"answer + push loop time: median {statistics.median(costs) * 1000:.2f} ms, "
        f"p99 {pct(costs, 0.99):.2f} ms (target <= 5 ms)"
    )
    print(f"full re-tally per push (before): median {statistics.median(full) * 1000:.0f} ms")
    print(
        f"slide change while 100 answers/s arrive: p50 {pct(changes, 0.5):.2f} ms, "
        f"p99 {pct(changes, 0.99):.2f} ms (target <= 20 ms)"
    )
    print(f"results event: phone {phone} bytes (<= 8 KB), presenter {presenter} bytes (<= 64 KB)")


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 7_300,
        )
    )
