"""Answers per table (`group: true` polls): the answer body's `group`, checked against the deck's
tables, and a tally that keeps the whole room's results and each table's beside them.

Any kind can collect per table: the table travels next to the kind's own fields in the stored
value (`{"text": "...", "group": "3"}`), and `TableTally` wraps the kind's tally, so a kind
needs no change for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deckpoll.polls.base import Kind, Tally
from deckpoll.server.validate import Invalid

if TYPE_CHECKING:  # the build imports the kinds; only the server needs the store
    from deckpoll.stores.base import Answer

FIELD = "group"


def table_ids(manifest: dict[str, Any]) -> dict[str, str]:
    """The deck's tables, id -> label, in the deck's order (`polls.groups`)."""
    groups = (manifest.get("polls_config") or {}).get("groups") or []
    return {str(g["id"]): str(g["label"]) for g in groups}


def take_table(poll: dict[str, Any], data: Any, tables: dict[str, str]) -> tuple[Any, str | None]:
    """The answer body without its `group` field, and the table it names (None: not given).
    A table the deck does not have, or a table sent to a poll that does not collect them, is
    a 422: the phone offers only the deck's tables."""
    if not isinstance(data, dict) or FIELD not in data:
        return data, None
    value = data[FIELD]
    rest = {k: v for k, v in data.items() if k != FIELD}
    if not poll.get("group"):
        raise Invalid(422, "unknown_field", "this poll does not collect tables; send no 'group'")
    if not isinstance(value, str) or value not in tables:
        known = ", ".join(list(tables)[:12]) + (", …" if len(tables) > 12 else "")
        raise Invalid(422, "unknown_group", f"group must be one of this deck's tables: {known}")
    return rest, value


def table_of(answer: Answer) -> str | None:
    value = answer.value.get(FIELD)
    return value if isinstance(value, str) else None


class TableTally:
    """A kind's tally of the whole room plus one per table; what the screens see can be one
    table's (`showing`: the sharing round) or the room's. It answers to the same calls as a
    `Tally` (enter, leave, view, summary, group, voters, answers), so the session and the
    exports use it unchanged."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        self.kind, self.poll = kind, poll
        self.room: Tally = kind.tally(poll)
        self.tables: dict[str, Tally] = {}
        # The sharing round on this poll (server/workshop.py): {"poll", "group"}, where group
        # is the table the screens show, or None for every table together; None: no round.
        self.sharing: dict[str, Any] | None = None

    @property
    def showing(self) -> str | None:
        """The table whose answers the screens show (None: the room's)."""
        return self.sharing.get("group") if self.sharing else None

    @property
    def voters(self) -> int:
        return self.room.voters

    @property
    def answers(self) -> int:
        return self.room.answers

    @property
    def pending(self) -> int:
        return self.room.pending

    def _table(self, answer: Answer) -> Tally | None:
        table = table_of(answer)
        if table is None:
            return None
        if table not in self.tables:
            self.tables[table] = self.kind.tally(self.poll)
        return self.tables[table]

    def enter(self, answer: Answer) -> None:
        self.room.enter(answer)
        if (one := self._table(answer)) is not None:
            one.enter(answer)

    def leave(self, answer: Answer) -> None:
        self.room.leave(answer)
        if (one := self._table(answer)) is not None:
            one.leave(answer)

    def counts(self) -> list[dict[str, Any]]:
        """Participants and answers per table (those with any), for the console and phones."""
        return [
            {"id": table, "voters": one.voters, "answers": one.answers}
            for table, one in self.tables.items()
            if one.voters or one.answers or one.pending
        ]

    def __getattr__(self, name: str) -> Any:
        # What else a kind's tally offers (a quiz's scores for the leaderboard, ...) is the
        # room's: only the screens' view and the exports break down by table.
        if name in ("room", "tables", "kind", "poll", "sharing"):
            raise AttributeError(name)
        return getattr(self.room, name)

    def view(self, *, presenter: bool, revealed: bool = False, deck: Any = None) -> dict[str, Any]:
        shown = self.tables.get(self.showing) if self.showing is not None else None
        if self.showing is not None and shown is None:
            shown = self.kind.tally(self.poll)  # a table with no answers yet: shown empty
        base = (shown or self.room).view(presenter=presenter, revealed=revealed, deck=deck)
        share = {"group": self.showing} if self.sharing else None
        room = {"voters": self.room.voters, "answers": self.room.answers}  # the console's counts
        return {**base, "share": share, "tables": self.counts(), "room": room}

    def summary(self) -> dict[str, Any]:
        """The room's results and each table's, for the exports and the handout."""
        return {
            **self.room.summary(),
            "tables": {table: one.summary() for table, one in self.tables.items()},
        }

    def group(self, group: str) -> list[int] | None:
        shown = self.tables.get(self.showing) if self.showing is not None else None
        return (shown or self.room).group(group)
