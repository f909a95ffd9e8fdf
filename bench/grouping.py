"""Grouping by meaning (grouping.py) against the plain text key it replaced, in one process:
the word cloud's tally fed 100,000 answers (3,000 distinct words, Swedish) both ways, and
the open answers' clusters of 200, 500 and 1,000 answers (the console's synthesis view and
the handout's). Prints times and the ratio to the reference.

    python bench/grouping.py
"""

from __future__ import annotations

import random
import time

from deckpoll import polls
from deckpoll.grouping import clusters, stems
from deckpoll.polls import wordcloud
from deckpoll.server.validate import text_key
from deckpoll.stores.base import Answer

STEMS = ["innovation", "ledning", "tillit", "mod", "samverkan", "kultur", "styrning", "data"]
ENDINGS = ["", "en", "ens", "et", "ar", "arna", "s"]


def words(n: int, rng: random.Random) -> list[str]:
    made = {
        rng.choice(STEMS) + rng.choice(STEMS) + rng.choice(ENDINGS) + str(i % 40)
        for i in range(n * 3)
    }
    return sorted(made)[:n]


def feed(poll: dict, texts: list[str], n: int) -> float:
    tally = polls.kind("wordcloud").tally(poll)
    start = time.perf_counter()
    for i in range(n):
        tally.add(Answer(i + 1, "ord", f"v{i}", {"text": texts[i % len(texts)]}))
    tally.view(presenter=True)
    return time.perf_counter() - start


def main() -> None:
    rng = random.Random(7)
    texts = words(3000, rng)
    poll = {"id": "ord", "kind": "wordcloud", "max_answers": 3, "lang": "sv"}
    original = wordcloud.group_key
    try:  # the reference: the plain text key (case, spacing, Unicode form) it had before
        wordcloud.group_key = lambda text, lang, groups=None: text_key(text)
        plain = feed(poll, texts, 100_000)
    finally:
        wordcloud.group_key = original
    stems.cache_clear()
    grouped = feed(poll, texts, 100_000)
    print(
        f"tally, 100,000 answers: text key {plain:.3f} s, by meaning {grouped:.3f} s "
        f"({grouped / plain:.2f}x)"
    )
    sentences = [
        f"{rng.choice(STEMS)}erna och {rng.choice(STEMS)} behöver vara med {i % 50}"
        for i in range(1000)
    ]
    for n in (200, 500, 1000):
        start = time.perf_counter()
        found = clusters(sentences[:n], "sv")
        took = time.perf_counter() - start
        print(f"clusters of {n} open answers: {took * 1000:.0f} ms, {len(found)} clusters")


if __name__ == "__main__":
    main()
