"""Scale: one whole number per voter between `min` and `max` (end labels optional)."""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING, Any

from deckpoll.polls.base import Checked, Kind, Tally, is_int, only, percent
from deckpoll.server.validate import Invalid

if TYPE_CHECKING:
    from deckpoll.fields import Fields
    from deckpoll.stores.base import Answer, PollState

LOW, HIGH = 1, 5  # the default range, here only
MAX_STEPS = 11


def scale_range(poll: dict[str, Any]) -> tuple[int, int]:
    low, high = poll.get("min"), poll.get("max")
    return (low if is_int(low) else LOW, high if is_int(high) else HIGH)


class ScaleTally(Tally):
    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        super().__init__(kind, poll)
        self.low, self.high = scale_range(poll)
        self.counts: Counter[int] = Counter()
        self.total = 0
        self.n = 0

    def _value(self, answer: Answer) -> int | None:
        value = answer.value.get("value")
        return value if is_int(value) and self.low <= value <= self.high else None

    def _add(self, answer: Answer) -> None:
        value = self._value(answer)
        if value is not None:
            self.counts[value] += 1
            self.total += value
            self.n += 1

    def _remove(self, answer: Answer) -> None:
        value = self._value(answer)
        if value is not None:
            self.counts[value] -= 1
            self.total -= value
            self.n -= 1

    def _view(self, presenter: bool) -> dict[str, Any]:
        return {
            "min": self.low,
            "max": self.high,
            "distribution": [
                {"value": v, "count": self.counts[v], "percent": percent(self.counts[v], self.n)}
                for v in range(self.low, self.high + 1)
            ],
            "average": round(self.total / self.n, 2) if self.n else None,
        }


class Scale(Kind):
    name = "scale"
    keys = ("min", "max", "min_label", "max_label")

    def read(self, f: Fields) -> dict[str, Any]:
        low, high = f.int("min", LOW), f.int("max", HIGH)
        if low is not None and high is not None and not 1 <= high - low + 1 <= MAX_STEPS:
            f.error("max", f"a scale needs `max` above `min` and at most {MAX_STEPS} steps")
        return {
            "min": low,
            "max": high,
            "min_label": f.str("min_label"),
            "max_label": f.str("max_label"),
        }

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        value = only(data, "value")
        low, high = scale_range(poll)
        if not is_int(value):
            raise Invalid(422, "invalid_value", "value must be an integer")
        if not low <= value <= high:
            raise Invalid(422, "out_of_range", f"value must be between {low} and {high}")
        return Checked({"value": value}, "", True, 1)

    def tally(self, poll: dict[str, Any]) -> Tally:
        return ScaleTally(self, poll)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        low, high = scale_range(poll)
        ends = (low, high) if n % 7 == 0 else ()
        return {"value": ends[n % 2] if ends else round(rng.triangular(low, high, high - 1))}

    def answer_text(self, poll: dict[str, Any], value: dict[str, Any]) -> str:
        return str(value.get("value", ""))

    def export_rows(self, result: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
        rows: list[tuple[str, Any, float | None]] = [
            (str(d["value"]), d["count"], d["percent"]) for d in result["distribution"]
        ]
        return [*rows, ("average", result["average"], None)]

    def handout(self, poll: dict[str, Any], archived: dict[str, Any]) -> dict[str, Any]:
        result = archived["tally"]
        names = {result["min"]: poll.get("min_label"), result["max"]: poll.get("max_label")}
        rows = [
            (f"{d['value']} – {names[d['value']]}" if names.get(d["value"]) else str(d["value"]),)
            + (d["count"], d["percent"])
            for d in result["distribution"]
        ]
        return {"view": "bars", "rows": rows, "average": result["average"]}


KIND = Scale()
