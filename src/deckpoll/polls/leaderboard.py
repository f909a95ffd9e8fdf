"""Leaderboard: a slide with the top 10 by total points over the deck's quizzes (only those
the presenter has revealed: a total must not give an answer away). Players tie when their
totals are equal: they share a place ("1, 2, 2, 4"), and everyone placed within the top
`top` is shown (at most three times as many rows).

Its answers are the players' nicknames (optional, ≤ 24 characters, one per voter, replaced
when changed, moderated like any answer: a hidden nickname is not shown). A player without
one is shown by a short tag derived from their token. The leaderboard is open for the whole
talk (`scope: deck`) so that a nickname can be set on any slide."""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING, Any

from deckpoll.polls.base import PHONE_BYTES, PRESENTER_BYTES, Checked, Kind, Tally, fit, only
from deckpoll.server.validate import Invalid, check_text

if TYPE_CHECKING:
    from deckpoll.fields import Fields
    from deckpoll.stores.base import Answer, PollState

TOP = 10
MAX_NICKNAME = 24
NICKNAMES = ["Räven", "Kaffekoppen", "Team Norr", "Ugglan", "Ada", "Björn", "Stjärnan"]


def tag(voter: str) -> str:
    """A short stable tag for a player without a nickname (not the token: it proves nothing)."""
    return hashlib.sha256(voter.encode()).hexdigest()[:4]


def standings(totals: dict[str, int], top: int) -> list[tuple[int, str, int]]:
    """(place, voter, points), best first; equal totals share a place ("1, 2, 2, 4"); those
    placed within `top`, at most 3 × top rows (ties in voter order)."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    rows: list[tuple[int, str, int]] = []
    for n, (voter, points) in enumerate(ordered):
        place = rows[-1][0] if rows and rows[-1][2] == points else n + 1
        if place > top or len(rows) >= 3 * top:
            break
        rows.append((place, voter, points))
    return rows


class LeaderboardTally(Tally):
    """The shown nicknames by voter; the standings come from the deck's scored polls."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        super().__init__(kind, poll)
        self.names: dict[str, str] = {}

    def _add(self, answer: Answer) -> None:
        self.names[answer.voter] = str(answer.value.get("nickname", ""))

    def _remove(self, answer: Answer) -> None:
        self.names.pop(answer.voter, None)

    def _view(self, presenter: bool) -> dict[str, Any]:
        return {"top": self.poll.get("top") or TOP}

    def _deck(self, presenter: bool, deck: Any) -> dict[str, Any]:
        totals: dict[str, int] = {}
        counted = 0
        for scored, revealed in deck.scored():
            if not revealed:
                continue
            counted += 1
            for voter, points in scored.scores.items():
                if points:  # a player with no points yet is not on the board
                    totals[voter] = totals.get(voter, 0) + points
        rows = []
        for place, voter, points in standings(totals, self.poll.get("top") or TOP):
            row: dict[str, Any] = {"place": place, "points": points, "tag": tag(voter)}
            if self.names.get(voter):
                row["name"] = self.names[voter]
            rows.append(row)
        budget = PRESENTER_BYTES if presenter else PHONE_BYTES
        return {"players": len(totals), "quizzes": counted, "standings": fit(rows, budget)}


class Leaderboard(Kind):
    name = "leaderboard"
    keys = ("top",)
    follows = True

    def read(self, f: Fields) -> dict[str, Any]:
        top = f.int("top", TOP, minimum=1)
        if top is not None and top > 50:
            f.error("top", "`top` must be at most 50")
        return {"top": top, "scope": "deck"}

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        nickname = check_text(only(data, "nickname"), field="nickname")
        if len(nickname) > MAX_NICKNAME:
            raise Invalid(422, "too_long", f"nickname is longer than {MAX_NICKNAME} characters")
        return Checked({"nickname": nickname}, "", True, 1)

    def tally(self, poll: dict[str, Any]) -> Tally:
        return LeaderboardTally(self, poll)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        return {"nickname": f"{rng.choice(NICKNAMES)} {n + 1}"}

    def answer_text(self, poll: dict[str, Any], value: dict[str, Any]) -> str:
        return str(value.get("nickname", ""))

    def export_rows(self, result: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
        return [("nicknames", result.get("voters", 0), None)]

    def export_list(self) -> bool:
        return True


KIND = Leaderboard()
