"""Quiz: options with the correct one(s) (`correct:`), `points:` (default 1000) and a
`time_limit:` in seconds (default 20). One answer per voter, the first counts; an answer after
the limit (or after the reveal) gets 409 `time_up`.

Scoring: a correct answer given t seconds after the question opened, of a T-second limit,
earns round(points × (1 − t / (2T))): the full points at once, half at the limit; a wrong
answer earns nothing. The correct option and every score stay on the server until the
presenter reveals the question: the audience's manifest never has `correct`, and the
results carry only answer counts before the reveal."""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from deckpoll.errors import did_you_mean
from deckpoll.polls.base import Checked, Kind, Tally, is_int, only
from deckpoll.polls.choice import ChoiceKind, option_ids, option_rows
from deckpoll.server.validate import Invalid

if TYPE_CHECKING:
    from deckpoll.fields import Fields
    from deckpoll.stores.base import Answer, PollState

POINTS = 1000
TIME_LIMIT = 20  # seconds
LIMITS = (5, 600)  # the time limits an author may set, in seconds
GRACE = 0.5  # seconds: an answer sent as the countdown ends is still in time


def score(points: int, limit: float, elapsed: float, correct: bool) -> int:
    """Points for one answer: full points at once, half at the time limit, none if wrong."""
    if not correct:
        return 0
    t = min(max(elapsed, 0.0), limit)
    return round(points * (1 - t / (2 * limit)))


def correct_ids(poll: dict[str, Any]) -> list[str]:
    value = poll.get("correct") or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def settings(poll: dict[str, Any]) -> tuple[int, int]:
    points, limit = poll.get("points"), poll.get("time_limit")
    return (
        points if is_int(points) and points > 0 else POINTS,
        limit if is_int(limit) and limit > 0 else TIME_LIMIT,
    )


class QuizTally(Tally):
    """Answers per option, and each voter's score (one answer per voter)."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        super().__init__(kind, poll)
        self.counts: Counter[str] = Counter()
        self.correct = set(correct_ids(poll))
        self.points, self.limit = settings(poll)
        self.scores: dict[str, int] = {}
        self.right = 0

    def _score(self, answer: Answer) -> tuple[bool, int]:
        choice = answer.value.get("choice")
        ms = answer.value.get("ms")
        right = choice in self.correct
        elapsed = ms / 1000 if is_int(ms) else float(self.limit)
        return right, score(self.points, self.limit, elapsed, right)

    def _add(self, answer: Answer) -> None:
        self.counts[answer.value.get("choice", "")] += 1
        right, points = self._score(answer)
        self.scores[answer.voter] = self.scores.get(answer.voter, 0) + points
        self.right += right

    def _remove(self, answer: Answer) -> None:
        self.counts[answer.value.get("choice", "")] -= 1
        right, points = self._score(answer)
        left = self.scores[answer.voter] - points
        if answer.voter in self._per_voter:
            self.scores[answer.voter] = left
        else:
            del self.scores[answer.voter]
        self.right -= right

    def _view(self, presenter: bool) -> dict[str, Any]:
        return {
            "options": option_rows(self.poll, self.counts, self.voters),
            "points": self.points,
            "time_limit": self.limit,
        }

    def _reveal(self, presenter: bool) -> dict[str, Any]:
        return {"correct": sorted(self.correct), "right": self.right}


class Quiz(ChoiceKind):
    name = "quiz"
    keys = ("options", "correct", "points", "time_limit")
    scored = True

    def read(self, f: Fields) -> dict[str, Any]:
        fields = super().read(f)
        ids = [o.id for o in fields["options"]]
        correct = list(f.str_list("correct"))
        if not f.has("correct"):
            f.reporter.error(f.value_where("kind"), "a quiz needs `correct:` (an option id)")
        for value in correct:
            if ids and value not in ids:
                hint = did_you_mean(value, ids)
                known = (
                    f"did you mean {hint!r}?" if hint else "the option ids are " + ", ".join(ids)
                )
                f.error("correct", f"`correct` names {value!r}, not an option; {known}")
        points = f.int("points", POINTS, minimum=1)
        limit = f.int("time_limit", TIME_LIMIT, minimum=LIMITS[0])
        if limit is not None and limit > LIMITS[1]:
            f.error("time_limit", f"`time_limit` must be at most {LIMITS[1]} seconds")
        return {**fields, "correct": correct, "points": points, "time_limit": limit}

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        choice = only(data, "choice")
        if not isinstance(choice, str) or choice not in option_ids(poll):
            raise Invalid(422, "unknown_option", "choice is not one of the poll's options")
        _, limit = settings(poll)
        opened = state.opened_at if state is not None else None
        elapsed = time.time() - opened if opened is not None else 0.0
        if state is not None and (state.revealed or elapsed > limit + GRACE):
            raise Invalid(409, "time_up", "the time for this question is up")
        ms = round(min(max(elapsed, 0.0), limit) * 1000)
        # The first answer counts: another one is a duplicate (same key), not a change.
        return Checked({"choice": choice, "ms": ms}, "", False, 1)

    def tally(self, poll: dict[str, Any]) -> Tally:
        return QuizTally(self, poll)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        options = option_ids(poll)
        return {"choice": options[min(int(rng.expovariate(0.8)), len(options) - 1)]}

    def answer_text(self, poll: dict[str, Any], value: dict[str, Any]) -> str:
        text = super().answer_text(poll, {"choice": value.get("choice", "")})
        points, limit = settings(poll)
        right = value.get("choice") in correct_ids(poll)
        ms = value.get("ms")
        elapsed = ms / 1000 if is_int(ms) else float(limit)
        return f"{text} ({score(points, limit, elapsed, right)})"

    def export_rows(self, result: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
        correct = set(result.get("correct") or ())
        return [
            (o["label"] + (" ✓" if o["id"] in correct else ""), o["count"], o["percent"])
            for o in result["options"]
        ]


KIND = Quiz()
