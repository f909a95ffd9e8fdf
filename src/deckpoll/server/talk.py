"""What `serve` settles with the store before it serves: it waits for the store (Redis
started after deckpoll), then agrees with the other servers of the talk on the voter
secret, the presenter key and the join code (all kept in the store)."""

from __future__ import annotations

import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from deckpoll.errors import DeckpollError
from deckpoll.server.keys import KeySource

STORE_WAIT = 30.0  # seconds `serve` waits for an unreachable store (Redis) at start
STORE_RETRY = 1.0  # seconds between two attempts to reach it


async def join_code(store, configured: str | None) -> str:
    """The deck's join code, or a random six-digit one kept in the store across restarts."""
    if configured:
        return str(configured)
    saved = await store.get_meta("join_code")
    if saved:
        return saved
    code = f"{secrets.randbelow(900_000) + 100_000}"
    await store.set_meta("join_code", code)
    return code


def store_name(url: str) -> str:
    """`Redis at host:port` for a Redis URL (no password), else the URL's scheme."""
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        return f"Redis at {parts.hostname or 'localhost'}:{parts.port or 6379}"
    if parts.scheme == "unix":
        return f"Redis at {parts.path}"
    return f"the {parts.scheme}:// store"


def open_waiting(url: str, namespace: str, wait: float = STORE_WAIT) -> Any:
    """Open the store, waiting up to `wait` seconds for it to be reachable: one line per
    attempt on stderr ("waiting for Redis at host:port (attempt 3)"), no traceback; then a
    DeckpollError that says what to do. Redis started after deckpoll (a reboot, a
    container starting in parallel) is the common case; a wrong address is the other."""
    from deckpoll.stores.base import StoreUnavailable, open_store

    name, started, attempt = store_name(url), time.monotonic(), 0
    while True:
        attempt += 1
        try:
            return open_store(url, namespace=namespace)
        except StoreUnavailable as exc:
            reason = str(exc).removeprefix(f"{name}: ").rstrip(".")
            waited = time.monotonic() - started
            if waited + STORE_RETRY > wait:
                raise DeckpollError(
                    f"gave up waiting for {name} after {attempt} attempts in {waited:.0f} s "
                    f"({reason}): start it, check --store, or wait longer with --store-wait"
                ) from None
            sys.stderr.write(f"deckpoll: waiting for {name} (attempt {attempt}): {reason}\n")
            sys.stderr.flush()
            time.sleep(STORE_RETRY)


@dataclass(frozen=True)
class Talk:
    """What `serve` settles with the store before serving: shared by every server of it."""

    code: str
    shared: bool  # the store is shared live (workers, machines)
    found: Any  # answers left from an earlier run (archive.leftovers)
    archived: Path | None
    key: str | None  # the presenter key, when known here
    key_digest: str


def settle(
    url: str,
    namespace: str,
    manifest: dict,
    root: Path,
    *,
    fresh: bool,
    new_key: bool,
    keys: KeySource,
    wait: float,
) -> Talk:
    """Open the store (waiting for it), archive with --fresh, and agree with the other
    servers of the talk on its voter secret, presenter key and join code."""
    import asyncio

    from deckpoll.archive import leftovers, start_fresh
    from deckpoll.server.keys import talk_key
    from deckpoll.server.voters import talk_secret
    from deckpoll.stores.base import StoreError

    try:
        store = open_waiting(url, namespace, wait)
    except (ValueError, OSError) as exc:  # a bad URL, an unsupported Redis: no traceback
        raise DeckpollError(f"cannot open the store {url}: {exc}") from None

    async def run() -> Talk:
        # A store's connections may belong to the event loop that opened them: this one is
        # used here and closed; the server opens its own inside uvicorn's loop. No server
        # of ours writes to the store yet, so what --fresh archives is all there is.
        try:
            archived = await start_fresh(store, manifest, root) if fresh else None
            # made once here, before any worker could race for it; --fresh: a new talk
            await talk_secret(store, renew=fresh)
            key, key_digest = await talk_key(store, keys, new=new_key)
            found = await leftovers(store, manifest)
            config = manifest.get("polls_config") or {}
            code = await join_code(store, config.get("code"))
            shared = bool(getattr(store, "shared", False))
            return Talk(code, shared, found, archived, key, key_digest)
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except (ValueError, StoreError, OSError) as exc:
        raise DeckpollError(f"cannot open the store {url}: {exc}") from None
