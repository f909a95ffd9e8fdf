"""Answers left in the store by an earlier run (a rehearsal): count them for the warning that
`deckpoll serve` prints, and for `--fresh` archive them to DECK/results/ before clearing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from deckpoll.errors import DeckpollError

RESULTS_DIR = "results"


@dataclass(frozen=True)
class Leftovers:
    """What the store already holds for this deck: answers per poll and when they came."""

    counts: tuple[tuple[str, int], ...] = ()
    first: float | None = None
    last: float | None = None

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


async def leftovers(store: Any, manifest: dict[str, Any]) -> Leftovers:
    """Count the answers the store holds for each poll of the deck."""
    counts, times = [], []
    for poll in manifest.get("polls") or []:
        answers = await store.answers(str(poll["id"]))
        if answers:
            counts.append((str(poll["id"]), len(answers)))
            times += [a.created for a in answers]
    return Leftovers(tuple(counts), min(times, default=None), max(times, default=None))


def _when(stamp: float | None) -> str:
    return "?" if stamp is None else datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def warning(found: Leftovers, deck: Path) -> str:
    """The start-up warning: how many answers, from when, and how to start clean."""
    polls = ", ".join(f"{pid} {n}" for pid, n in found.counts)
    span = _when(found.first)
    if found.last is not None and _when(found.last) != span:
        last = _when(found.last)
        span += " to " + (last[11:] if last[:10] == span[:10] else last)
    return (
        f"deckpoll: warning: the store already holds {found.total} answers to this deck "
        f"({polls}; {span}). They will be on the screens.\n"
        f"  Rehearsed? Start clean with: deckpoll serve {deck} --fresh\n"
        f"  (the old answers are archived in {deck / RESULTS_DIR}/ first, nothing is lost)\n"
    )


def archive_path(deck_root: Path, now: datetime | None = None) -> Path:
    """DECK/results/<date>-<time>.json, never an existing file."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%d-%H%M%S")
    folder = deck_root / RESULTS_DIR
    path = folder / f"{stamp}.json"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stamp}-{n}.json"
    return path


def write_archive(data: dict[str, Any], path: Path) -> None:
    """Write and fsync the archive before anything is cleared (a crash keeps both)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise DeckpollError(
            f"cannot archive the old answers to {path}: {exc}; nothing was cleared"
        ) from None


async def start_fresh(store: Any, manifest: dict[str, Any], deck_root: Path) -> Path | None:
    """Archive every answer of the deck (the `deckpoll results` JSON: voters as p1, p2, …),
    then empty its polls and put the presenter back on slide 1. None when nothing was kept."""
    from deckpoll.results import collect_from
    from deckpoll.stores.base import NEW

    found = await leftovers(store, manifest)
    states = await store.polls()
    if not found.total and not states:
        return None
    path = None
    if found.total:
        path = archive_path(deck_root)
        write_archive(await collect_from(manifest, store), path)
    for poll in manifest.get("polls") or []:
        pid = str(poll["id"])
        await store.reset_poll(pid)
        await store.set_status(pid, NEW)
    await store.set_meta("state", json.dumps({"slide": 1, "fragment": 0}))
    return path
