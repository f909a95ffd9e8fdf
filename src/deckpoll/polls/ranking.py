"""Ranking: each voter puts the options in order (all of them, or only the top `rank: k`);
the results are a Borda score and the average rank per option, best first.

Borda: with n options, the option a voter puts first gets n points, the second n - 1, …,
the k-th n - k + 1; an option a voter left out of a top-k ranking gets nothing from them.
The average rank is taken over the voters who ranked the option (1 = first)."""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING, Any

from deckpoll.polls.base import Checked, Kind, Tally, is_int, only, percent
from deckpoll.polls.choice import ChoiceKind, option_ids
from deckpoll.server.validate import Invalid

if TYPE_CHECKING:
    from deckpoll.fields import Fields
    from deckpoll.stores.base import Answer, PollState


def ranked(poll: dict[str, Any]) -> int:
    """How many options one answer orders: `rank`, or every option."""
    n = len(poll.get("options") or [])
    k = poll.get("rank")
    return min(k, n) if is_int(k) and k > 0 else n


class RankingTally(Tally):
    """Per option: Borda points, the sum of its ranks and how many voters ranked it (all
    three are sums, so adding or removing one answer is O(k))."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        super().__init__(kind, poll)
        self.n = len(poll.get("options") or [])
        self.points: Counter[str] = Counter()
        self.rank_sum: Counter[str] = Counter()
        self.ranked: Counter[str] = Counter()

    def _apply(self, answer: Answer, sign: int) -> None:
        for place, option in enumerate(answer.value.get("order", ())):
            self.points[option] += sign * (self.n - place)
            self.rank_sum[option] += sign * (place + 1)
            self.ranked[option] += sign

    def _add(self, answer: Answer) -> None:
        self._apply(answer, 1)

    def _remove(self, answer: Answer) -> None:
        self._apply(answer, -1)

    def _view(self, presenter: bool) -> dict[str, Any]:
        best = self.n * self.voters  # every voter put it first
        rows = []
        for index, o in enumerate(self.poll.get("options") or []):
            oid = str(o["id"])
            n = self.ranked[oid]
            rows.append(
                {
                    "id": oid,
                    "label": o.get("label", oid),
                    "score": self.points[oid],
                    "percent": percent(self.points[oid], best),
                    "average_rank": round(self.rank_sum[oid] / n, 2) if n else None,
                    "ranked": n,
                    "_index": index,
                }
            )
        # Best first: most points, then the better average rank, then the deck's order.
        rows.sort(key=lambda r: (-r["score"], r["average_rank"] or 1e9, r["_index"]))
        for row in rows:
            del row["_index"]
        return {"rank": ranked(self.poll), "options": rows}


class Ranking(ChoiceKind):
    name = "ranking"
    keys = ("options", "rank")

    def read(self, f: Fields) -> dict[str, Any]:
        fields = super().read(f)
        options = fields["options"]
        rank = f.int("rank", None, minimum=1)
        if rank is not None and options and rank > len(options):
            f.error("rank", f"`rank` is more than the {len(options)} options")
        return {**fields, "rank": rank}

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        order = only(data, "order")
        if not isinstance(order, list) or not all(isinstance(o, str) for o in order):
            raise Invalid(422, "invalid_order", "order must be a list of option ids")
        known = option_ids(poll)
        unknown = [o for o in order if o not in known]
        if unknown:
            raise Invalid(422, "unknown_option", f"{unknown[0][:64]!r} is not one of the options")
        if len(set(order)) != len(order):
            raise Invalid(422, "duplicate_option", "an option appears twice in the order")
        k = ranked(poll)
        if len(order) != k:
            which = "every option" if k == len(known) else f"the top {k} options"
            raise Invalid(422, "incomplete_order", f"order must list {which}, each once")
        return Checked({"order": order}, "", True, 1)

    def tally(self, poll: dict[str, Any]) -> Tally:
        return RankingTally(self, poll)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        options = option_ids(poll)
        # A shared taste plus noise, so that the order on the screen is clear but not unanimous.
        noisy = sorted(options, key=lambda o: options.index(o) + rng.gauss(0, 1.2))
        return {"order": noisy[: ranked(poll)]}

    def answer_text(self, poll: dict[str, Any], value: dict[str, Any]) -> str:
        labels = {str(o["id"]): o.get("label", o["id"]) for o in poll.get("options") or []}
        return " > ".join(str(labels.get(o, o)) for o in value.get("order", ()))

    def export_rows(self, result: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
        rows: list[tuple[str, Any, float | None]] = []
        for o in result["options"]:
            average = o["average_rank"]
            label = f"{o['label']} (⌀ {average:g})" if average is not None else o["label"]
            rows.append((label, o["score"], o["percent"]))
        return rows


KIND = Ranking()
