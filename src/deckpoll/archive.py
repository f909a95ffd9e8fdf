"""Archives of a deck's answers in DECK/results/<date>-<time>.json (the format of
docs/results.md: no voter tokens), written by `deckpoll results --save`, by `serve` when it
stops and by `--fresh` before it clears; and the answers an earlier run (a rehearsal) left
in the store, counted for the warning `deckpoll serve` prints."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deckpoll.errors import DeckpollError

RESULTS_DIR = "results"
# The JSON export is also the archive format (docs/results.md): named and versioned so that
# `deckpoll results` and `deckpoll build --results` can read an archive years later.
FORMAT_NAME = "deckpoll-results"
FORMAT_VERSION = 1


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


def deck_root(deck_path: Path) -> Path:
    """The deck folder of a deck path (a folder, or a single .md file in one)."""
    deck_path = Path(deck_path)
    return deck_path if deck_path.is_dir() else deck_path.parent


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


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


async def collect_from(manifest: dict[str, Any], store: Any) -> dict[str, Any]:
    """`collect` from a store already open (the caller closes it)."""
    from deckpoll.polls import kind_of, tally
    from deckpoll.polls.tables import table_ids
    from deckpoll.server.wordgroups import META, parse
    from deckpoll.stores.base import NEW, PollState

    served_hash = await store.get_meta("manifest_hash")
    states = await store.polls()
    labels = table_ids(manifest)
    polls = []
    for poll in manifest.get("polls") or []:
        pid = str(poll["id"])
        answers = await store.answers(pid)
        state = states.get(pid) or PollState(pid)
        kind = kind_of(poll)
        groups = await store.get_meta(META + pid)  # the presenter's merges and splits
        if groups:
            poll = {**poll, "groups": parse(groups)}
        # Pseudonyms per poll: one person's answers to two polls cannot be linked.
        pseudonyms: dict[str, str] = {}
        rows = []
        for answer in answers:
            voter = pseudonyms.setdefault(answer.voter, f"p{len(pseudonyms) + 1}")
            row = {
                "id": answer.id,
                "voter": voter,
                "created": _iso(answer.created),
                "hidden": answer.hidden,
                "approved": not answer.pending,
                "answer": kind.answer_text(poll, answer.value),
                "value": answer.value,
                "group": answer.value.get("group"),  # the table (polls.groups), or None
            }
            if kind.votes:  # a Q&A's question: its votes and the presenter's marks
                row.update(votes=answer.votes, pinned=answer.pinned, answered=answer.answered)
            rows.append(row)
        result = _summary(tally(poll, answers))
        per_table = result.pop("tables", None)
        polls.append(
            {
                "id": pid,
                "slide": poll.get("slide"),
                "kind": poll.get("kind"),
                "question": poll.get("question"),
                "definition": poll,
                "status": "not opened" if state.status == NEW else state.status,
                "opened_at": _iso(state.opened_at),
                "closed_at": _iso(state.closed_at),
                "tally": result,
                "hidden_answers": sum(1 for a in answers if a.hidden),
                "answers": rows,
                **({"tables": _tables(per_table, labels)} if poll.get("group") else {}),
            }
        )
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "deck": manifest.get("id"),
        "title": manifest.get("title"),
        "lang": manifest.get("lang"),
        "hash": manifest.get("hash"),
        "served_hash": served_hash,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "polls": polls,
    }


def _summary(result: Any) -> dict[str, Any]:
    """A tally as an archive keeps it (times as ISO text; id and kind are the poll's)."""
    return _plain(result.summary())


def _plain(summary: dict[str, Any]) -> dict[str, Any]:
    summary.pop("id", None)
    summary.pop("kind", None)
    for entry in summary.get("entries", []):
        entry["at"] = _iso(entry["at"])
    for one in (summary.get("tables") or {}).values():  # a poll with tables: each table's
        _plain(one)
    return summary


def _tables(per_table: dict[str, Any] | None, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Each table's own tally, in the deck's order of tables (those with answers)."""
    found = per_table or {}
    return [
        {"id": table, "label": label, "tally": found[table]}
        for table, label in labels.items()
        if table in found
    ]


def answers_of(poll: dict[str, Any]) -> list[Any]:
    """An archived poll's answers as the store's Answer objects (pseudonyms for voters), so
    that a kind can tally them again (a purge, a handout, grouping)."""
    from deckpoll.stores.base import Answer

    found = []
    for row in poll.get("answers") or []:
        created = row.get("created")
        stamp = datetime.fromisoformat(created).timestamp() if created else 0.0
        found.append(
            Answer(
                int(row["id"]),
                str(poll["id"]),
                str(row["voter"]),
                dict(row.get("value") or {}),
                "",  # kinds group by their text when there is no key
                stamp,
                bool(row.get("hidden")),
                not row.get("approved", True),
            )
        )
    return found


def retally(data: dict[str, Any]) -> None:
    """Sum every poll's answers again into its `tally` and `hidden_answers` (in place)."""
    from deckpoll.polls import tally

    for poll in data["polls"]:
        answers = answers_of(poll)
        poll["tally"] = _summary(tally(poll["definition"], answers))
        poll["hidden_answers"] = sum(1 for a in answers if a.hidden)


def is_archive(path: Path) -> bool:
    """Whether `path` is a results archive (a JSON file naming the format), not a deck."""
    if path.suffix.lower() != ".json" or not path.is_file() or path.name == "deckpoll.json":
        return False
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == "deckpoll-results"


def read_archive(path: Path) -> dict[str, Any]:
    """An archive's data, checked to be one this deckpoll can read."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DeckpollError(f"{path}: not a readable results archive ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise DeckpollError(f"{path}: not a deckpoll results archive (no format {FORMAT_NAME!r})")
    version = data.get("version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise DeckpollError(
            f"{path}: results format version {version!r}; this deckpoll reads up to "
            f"{FORMAT_VERSION}: upgrade deckpoll"
        )
    if not isinstance(data.get("polls"), list):
        raise DeckpollError(f"{path}: the archive has no list of polls")
    return data


def latest(deck_root: Path) -> Path:
    """The newest archive in DECK/results/ (names sort by time)."""
    folder = deck_root / RESULTS_DIR
    found = sorted(p for p in folder.glob("*.json") if is_archive(p)) if folder.is_dir() else []
    if not found:
        raise DeckpollError(
            f"no results archive in {folder}/; save one with `deckpoll results --save`"
        )
    return max(found, key=lambda p: (p.stat().st_mtime, p.name))


def _same_answers(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two results hold the same answers and states (stamps aside)."""

    def strip(data: dict[str, Any]) -> Any:
        return [{k: v for k, v in p.items() if k != "tally"} for p in data.get("polls", [])]

    return a.get("hash") == b.get("hash") and strip(a) == strip(b)


def save(data: dict[str, Any], deck_root: Path, *, unless_same: bool = False) -> Path | None:
    """Write `data` (the results) as a new archive; with `unless_same`, not when the newest
    archive already holds the same answers (a server stopped twice saves once), nor when
    there is no answer at all. Returns the new file or None."""
    if unless_same:
        if not any(p["answers"] for p in data["polls"]):
            return None
        try:
            if _same_answers(read_archive(latest(deck_root)), data):
                return None
        except DeckpollError:
            pass
    path = archive_path(deck_root)
    write_archive(data, path)
    return path


async def save_from(store: Any, manifest: dict[str, Any], deck_root: Path) -> Path | None:
    """Archive what the store holds for the deck when `serve` stops (see `save`)."""
    return save(await collect_from(manifest, store), deck_root, unless_same=True)


async def start_fresh(store: Any, manifest: dict[str, Any], deck_root: Path) -> Path | None:
    """Archive every answer of the deck (the `deckpoll results` JSON: voters as p1, p2, …),
    then empty its polls and put the presenter back on slide 1. None when nothing was kept."""
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
