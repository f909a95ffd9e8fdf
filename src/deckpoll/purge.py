"""`deckpoll purge`: the answers older than the retention period (`polls.retention`, or
`--older-than`) leave the deck's store and its archives in DECK/results/."""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from deckpoll.errors import DeckpollError


@dataclass(frozen=True)
class Purged:
    """What `purge` deleted: answers in the store, archives deleted or rewritten."""

    answers: int = 0
    archives_deleted: tuple[Path, ...] = ()
    archives_trimmed: tuple[Path, ...] = ()
    archived_answers: int = 0


def _stamp(text: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(text)).timestamp()
    except ValueError:
        return None


def purge_archive(path: Path, before: float) -> tuple[bool, int]:
    """Delete the answers older than `before` from one archive: the file goes when none is
    left, else it is rewritten (atomically) without them. Returns (file deleted, answers)."""
    from deckpoll.archive import read_archive

    data = read_archive(path)
    dropped, left = 0, 0
    for poll in data["polls"]:
        kept = []
        for answer in poll.get("answers") or []:
            stamp = _stamp(answer.get("created"))
            if stamp is None or stamp < before:  # no readable time: old enough to go
                dropped += 1
            else:
                kept.append(answer)
        poll["answers"] = kept
        left += len(kept)
    if not dropped:
        return False, 0
    if not left:
        path.unlink()
        return True, dropped
    # The tallies summed answers now deleted: recount from what is left.
    from deckpoll.archive import retally

    retally(data)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    os.replace(temporary, path)
    return False, dropped


def purge(deck: Path, older_than: int, store_url: str | None) -> Purged:
    """`deckpoll purge`: answers older than `older_than` seconds leave the deck's store
    (default: its own SQLite file, when there is one) and every archive in DECK/results/."""
    from deckpoll.archive import RESULTS_DIR, deck_root, is_archive
    from deckpoll.results import load_manifest
    from deckpoll.stores.base import STATE_DIR, STORE_FILE, StoreError, open_store

    before = time.time() - older_than
    root = deck_root(deck)
    answers = 0
    url = store_url
    if url is None and (root / STATE_DIR / STORE_FILE).exists():
        url = "sqlite:///" + str((root / STATE_DIR / STORE_FILE).resolve())
    if url is not None:
        namespace = str(load_manifest(Path(deck)).get("id") or "")

        async def go() -> int:
            store = open_store(url, namespace=namespace)
            try:
                return await store.purge(before)
            finally:
                await store.close()

        try:
            answers = asyncio.run(go())
        except (ValueError, StoreError, OSError) as exc:
            raise DeckpollError(f"cannot purge the store {url}: {exc}") from None
    deleted, trimmed, archived = [], [], 0
    folder = root / RESULTS_DIR
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if not is_archive(path):
            continue
        gone, n = purge_archive(path, before)
        archived += n
        if gone:
            deleted.append(path)
        elif n:
            trimmed.append(path)
    return Purged(answers, tuple(deleted), tuple(trimmed), archived)
