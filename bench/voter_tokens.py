"""Voter tokens for the benchmarks: the server only accepts tokens it signed (POST
/api/v1/voters), so the benchmarks put a known secret in the store before the server starts
and sign their own, as many as wrk needs, without a request each."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deckpoll.server.voters import ID_CHARS, SECRET_META, VoterTokens
from deckpoll.stores.base import open_store

BENCH_SECRET = bytes(range(100, 132))


def seed(store_url: str, namespace: str) -> None:
    """Put BENCH_SECRET in the store as the talk's secret (before `deckpoll serve` starts;
    it keeps the secret it finds)."""

    async def put() -> None:
        store = open_store(store_url, namespace=namespace)
        try:
            await store.set_meta(SECRET_META, BENCH_SECRET.hex())
        finally:
            await store.close()

    # In a thread of its own: the caller may be inside an event loop already.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, put()).result()


def token(deck_id: str, name: str) -> str:
    """The token for voter `name` (made 16 characters long) of deck `deck_id`."""
    ident = name[-ID_CHARS:].rjust(ID_CHARS, "x")  # its end holds what tells voters apart
    return VoterTokens(deck_id, BENCH_SECRET).sign(ident)


def token_file(path: Path, deck_id: str, prefix: str, count: int) -> Path:
    """`count` tokens, one a line, for a wrk script to read (one new voter per request)."""
    signer = VoterTokens(deck_id, BENCH_SECRET)
    lines = []
    for n in range(count):
        ident = f"{prefix}{n:0{ID_CHARS - len(prefix)}d}"
        lines.append(signer.sign(ident))
    path.write_text("\n".join(lines) + "\n")
    return path
