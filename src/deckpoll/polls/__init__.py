"""Poll kinds: one module per kind, found by name through the `deckpoll.kinds` entry points.

Everything outside this package asks the registry (`kind(name)`) instead of knowing kinds;
docs/poll-kinds.md is the checklist for adding one."""

from __future__ import annotations

import functools
import json
import os
import sys
from dataclasses import replace
from importlib import import_module
from typing import TYPE_CHECKING, Any

from deckpoll.polls.base import Checked, Kind, Tally
from deckpoll.polls.tables import FIELD, TableTally, take_table
from deckpoll.server.validate import Invalid

if TYPE_CHECKING:  # the build imports the kinds; only the server needs the store
    from deckpoll.stores.base import Answer, PollState

ENTRY_POINT_GROUP = "deckpoll.kinds"

# Used only when the package is not installed (a source tree without `pip install -e .`).
_BUILTIN = {
    "single": "deckpoll.polls.single:KIND",
    "multiple": "deckpoll.polls.multiple:KIND",
    "scale": "deckpoll.polls.scale:KIND",
    "wordcloud": "deckpoll.polls.wordcloud:KIND",
    "open": "deckpoll.polls.open:KIND",
    "ranking": "deckpoll.polls.ranking:KIND",
    "qa": "deckpoll.polls.qa:KIND",
    "quiz": "deckpoll.polls.quiz:KIND",
    "leaderboard": "deckpoll.polls.leaderboard:KIND",
}

__all__ = [
    "ENTRY_POINT_GROUP",
    "Checked",
    "Kind",
    "Tally",
    "check_answer",
    "kind",
    "kind_of",
    "kinds",
    "names",
    "tally",
]


def _load(target: str) -> Kind:
    module, _, attr = target.partition(":")
    value: Any = import_module(module.strip())
    for name in attr.strip().split("."):
        value = getattr(value, name)
    return value


def entry_points(**params: Any):
    """importlib.metadata's, imported on first use: it brings email, zipfile and csv along,
    a tenth of a small deck's build (see _plugins)."""
    from importlib.metadata import entry_points as found

    return found(**params)


def _plugins() -> dict[str, str]:
    """name -> "module:attr" of every installed `deckpoll.kinds` entry point. Asking
    importlib.metadata means importing it and reading every installed package's metadata,
    so the answer is kept in the user's cache, keyed by the packages' metadata folders on the
    import path and their modification times (installing, upgrading or removing a package
    writes its folder anew)."""
    from deckpoll import usercache

    stamp = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                for item in found:
                    if item.name.endswith((".dist-info", ".egg-info")):
                        stamp.append([item.path, item.stat().st_mtime_ns])
        except OSError:
            continue  # a zip file, a folder that is gone
    path = usercache.folder() / "kinds.json"
    try:
        kept = json.loads(path.read_bytes())
        if kept["stamp"] == stamp:
            return dict(kept["plugins"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or unreadable: ask again
    plugins = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    usercache.write_atomically(path, json.dumps({"stamp": stamp, "plugins": plugins}).encode())
    return plugins


@functools.cache
def kinds() -> dict[str, Kind]:
    """Every known kind by name: the built-ins, then plugins (a plugin may replace one)."""
    found = {name: _load(target) for name, target in _BUILTIN.items()}
    for name, target in _plugins().items():
        if target not in _BUILTIN.values():
            found[name] = _load(target)
    for name, value in found.items():
        if not isinstance(value, Kind) or value.name != name:
            raise TypeError(f"poll kind {name!r} must be a deckpoll.polls.Kind named {name!r}")
    return found


def names() -> tuple[str, ...]:
    return tuple(kinds())


def kind(name: str | None) -> Kind | None:
    """The kind called `name`, or None."""
    return kinds().get(name or "")


def kind_of(poll: dict[str, Any]) -> Kind:
    """The kind of a manifest poll; a manifest naming a kind not installed here is refused."""
    found = kind(poll.get("kind"))
    if found is None:
        raise Invalid(422, "unsupported_kind", f"poll kind {poll.get('kind')!r} is not installed")
    return found


def check_answer(
    poll: dict[str, Any],
    data: Any,
    state: PollState | None = None,
    tables: dict[str, str] | None = None,
) -> Checked:
    """Validate a parsed answer body for a manifest poll (raise Invalid if wrong). With the
    deck's `tables` (polls.groups), a poll with tables keeps the voter's table beside the
    kind's fields in what is stored (polls/tables.py)."""
    body, table = take_table(poll, data, tables) if tables is not None else (data, None)
    checked = kind_of(poll).check(poll, body, state)
    if table is None:
        return checked
    return replace(checked, value={**checked.value, FIELD: table})


def tally(poll: dict[str, Any], answers: list[Answer]) -> Tally | TableTally:
    """A poll's tally built from its stored answers at once (hidden ones left out, those
    waiting for approval only counted as pending); a `group: true` poll's counts each table
    too (polls/tables.py)."""
    kind = kind_of(poll)
    result = TableTally(kind, poll) if poll.get("group") else kind.tally(poll)
    for answer in answers:
        result.enter(answer)
    return result
