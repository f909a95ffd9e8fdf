"""Open text: sentences (several lines allowed), shown newest first on the answer wall."""

from __future__ import annotations

import bisect
import random
from typing import TYPE_CHECKING, Any

from deckpoll.grouping import clusters
from deckpoll.polls.base import PHONE_BYTES, PRESENTER_BYTES, Kind, Tally, fit
from deckpoll.polls.text import TextKind

if TYPE_CHECKING:  # the build imports the kinds; only the server needs the store
    from deckpoll.stores.base import Answer

PHONE_ENTRIES = 30
PRESENTER_ENTRIES = 200


class WallTally(Tally):
    """Shown answers by id, and their ids in order (ids mostly arrive in order, so keeping
    the list sorted is an append; an unhidden old answer is one insertion)."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        super().__init__(kind, poll)
        self.shown: dict[int, Answer] = {}
        self.order: list[int] = []

    def _add(self, answer: Answer) -> None:
        self.shown[answer.id] = answer
        if not self.order or answer.id > self.order[-1]:
            self.order.append(answer.id)
        else:
            bisect.insort(self.order, answer.id)

    def _remove(self, answer: Answer) -> None:
        del self.shown[answer.id]
        at = bisect.bisect_left(self.order, answer.id)
        del self.order[at]

    def _view(self, presenter: bool) -> dict[str, Any]:
        n = PRESENTER_ENTRIES if presenter else PHONE_ENTRIES
        entries = []
        for answer_id in reversed(self.order[-n:]):
            answer = self.shown[answer_id]
            entries.append(
                {"text": answer.value.get("text", ""), "at": answer.created, "id": answer.id}
            )
        return {"entries": fit(entries, PRESENTER_BYTES if presenter else PHONE_BYTES)}


class Open(TextKind):
    name = "open"
    multiline = True

    def tally(self, poll: dict[str, Any]) -> Tally:
        return WallTally(self, poll)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        from deckpoll.rehearse import SENTENCES

        return {"text": rng.choice(SENTENCES)}

    def export_list(self) -> bool:
        return True

    def handout(self, poll: dict[str, Any], archived: dict[str, Any]) -> dict[str, Any]:
        # Every answer shown at the end, oldest first (the tally keeps only a screen's worth).
        rows = [a for a in archived["answers"] if not a["hidden"] and a["approved"]]
        shown = [a["answer"] for a in rows]
        # A poll answered per table (polls.groups, #19): each table's answers after the room's.
        tables = [
            {
                "label": t["label"],
                "entries": [a["answer"] for a in rows if a.get("group") == t["id"]],
            }
            for t in archived.get("tables") or []
        ]
        return {
            "view": "wall",
            "entries": shown,
            "clusters": clusters(shown, poll.get("lang")),
            "tables": [t for t in tables if t["entries"]],
        }


KIND = Open()
