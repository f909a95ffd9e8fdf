"""What a poll kind is: its keys, answer rules, incremental tally, views, rehearsal, export.

A kind is an instance of a `Kind` subclass in its own module (`KIND = Wordcloud()`); its tally
is a `Tally` subclass that updates in O(1) per answer added or removed (replace = remove +
add, hide = remove, unhide = add, reset = a new tally)."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from deckpoll.server.validate import Invalid

if TYPE_CHECKING:  # the build imports the kinds; only the server needs the store's module
    from deckpoll.fields import Fields
    from deckpoll.stores.base import Answer, PollState

PHONE_BYTES = 6_000  # kind data in a phone's results event (the event stays under 8 KB)
PRESENTER_BYTES = 48_000  # kind data in the presenter's event (it stays under 64 KB)


@dataclass(frozen=True)
class Checked:
    """A valid answer: what to store, its de-duplication key, and the store rules
    (`replace`: a new answer replaces the voter's old one; `limit`: entries per voter)."""

    value: dict[str, Any]
    key: str
    replace: bool
    limit: int


class Tally:
    """Results of one poll, kept up to date answer by answer. Subclasses add `_add`,
    `_remove` and `_view`; the counts of voters and answers are kept here."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        self.kind = kind
        self.poll = poll
        self._per_voter: Counter[str] = Counter()
        self.answers = 0
        self.pending = 0  # answers waiting for the presenter's approval (not counted)

    @property
    def voters(self) -> int:
        return len(self._per_voter)

    def add(self, answer: Answer) -> None:
        self._per_voter[answer.voter] += 1
        self.answers += 1
        self._add(answer)

    def remove(self, answer: Answer) -> None:
        n = self._per_voter[answer.voter] - 1
        if n > 0:
            self._per_voter[answer.voter] = n
        else:
            del self._per_voter[answer.voter]
        self.answers -= 1
        self._remove(answer)

    def enter(self, answer: Answer) -> None:
        """Take a stored answer in: counted when shown, `pending` while it waits for
        approval, left out when hidden."""
        if answer.hidden:
            return
        if answer.pending:
            self.pending += 1
        else:
            self.add(answer)

    def leave(self, answer: Answer) -> None:
        """Take back what `enter` did for this (unchanged) answer."""
        if answer.hidden:
            return
        if answer.pending:
            self.pending -= 1
        else:
            self.remove(answer)

    def view(self, *, presenter: bool, revealed: bool = False, deck: Any = None) -> dict[str, Any]:
        """The results a screen draws; bounded in size whatever the answers (the phone's
        copy is the smaller one: every phone gets every push). What only the reveal may
        show (a quiz's correct option) is added once `revealed`; `deck` gives a kind that
        sums up other polls (a leaderboard) their tallies (`deck.scored()`)."""
        head = {
            "id": self.poll["id"],
            "kind": self.kind.name,
            "voters": self.voters,
            "answers": self.answers,
            "pending": self.pending,
        }
        found = {**head, **self._view(presenter)}
        if deck is not None:
            found.update(self._deck(presenter, deck))
        return {**found, **self._reveal(presenter)} if revealed else found

    def summary(self) -> dict[str, Any]:
        """The results for an export (a file, not an event: not cut to a screen's size)."""
        return self.view(presenter=True, revealed=True)

    def group(self, group: str) -> list[int] | None:
        """Ids of the shown answers in one group of the presenter's view (a cloud word),
        in id order; None when the kind has no groups or the group is unknown."""
        return None

    def _add(self, answer: Answer) -> None:
        raise NotImplementedError

    def _remove(self, answer: Answer) -> None:
        raise NotImplementedError

    def _view(self, presenter: bool) -> dict[str, Any]:
        raise NotImplementedError

    def _reveal(self, presenter: bool) -> dict[str, Any]:
        """What the view adds once the presenter revealed the poll (a quiz's answer)."""
        return {}

    def _deck(self, presenter: bool, deck: Any) -> dict[str, Any]:
        """What the view adds from the deck's other polls (a leaderboard's standings)."""
        return {}


class Kind:
    """One poll kind. Class attributes describe it; methods are pure functions of the
    manifest poll (a dict) and the answer."""

    name: ClassVar[str]
    keys: ClassVar[tuple[str, ...]] = ()  # poll block keys it takes besides the common ones
    takes_answers: ClassVar[bool] = True  # False: a kind that only shows (a leaderboard)
    entries: ClassVar[bool] = False  # several entries per voter, none replaced (text kinds)
    votes: ClassVar[bool] = False  # the audience votes on answers, the presenter marks them (qa)
    scored: ClassVar[bool] = False  # its tally has `scores` (voter -> points) once revealed (quiz)
    follows: ClassVar[bool] = False  # its view sums up the scored polls (a leaderboard)

    def read(self, f: Fields) -> dict[str, Any]:
        """Its keys from the poll block (`f`), validated, reporting errors at their place;
        the result becomes the manifest poll's fields."""
        return {}

    def limit(self, poll: dict[str, Any]) -> int:
        """Answers (entries) one voter may have in the poll."""
        return 1

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        """A parsed answer body made into what is stored; raise Invalid (422) if wrong.
        `state` is the poll's lifecycle (when it opened: for kinds with a time limit)."""
        raise Invalid(422, "unsupported_kind", f"a {self.name} poll takes no answers")

    def tally(self, poll: dict[str, Any]) -> Tally:
        raise NotImplementedError

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        """The n-th simulated answer body (as a phone sends it) for a rehearsal."""
        raise NotImplementedError

    def answer_text(self, poll: dict[str, Any], value: dict[str, Any]) -> str:
        """One stored answer as export text."""
        return str(value.get("text", ""))

    def export_rows(self, result: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
        """(item, count, percent) rows summarising a full results view, for the exports."""
        return [("answers", result.get("answers", 0), None)]

    def export_list(self) -> bool:
        """Whether the Markdown export lists the answers instead of a table of rows."""
        return False

    def handout(self, poll: dict[str, Any], archived: dict[str, Any]) -> dict[str, Any]:
        """The final results a handout slide draws (templates/handout.html), from an
        archived poll (its `tally` and `answers`): `view` is `bars` (rows of label, count,
        percent; `average`), `cloud` (`words` of text and count), `wall` (`entries`) or
        `rows` (a table of `export_rows`, the default)."""
        return {"view": "rows", "rows": self.export_rows(archived["tally"])}


# -- helpers the kinds share --------------------------------------------------------------


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def only(data: Any, key: str) -> Any:
    """The one field an answer body must have."""
    if not isinstance(data, dict):
        raise Invalid(422, "not_an_object", "the answer must be a JSON object")
    extra = sorted(set(data) - {key})
    if extra:
        raise Invalid(422, "unknown_field", f"unexpected field {extra[0]!r}; send only {key!r}")
    if key not in data:
        raise Invalid(422, "missing_field", f"the answer needs {key!r}")
    return data[key]


def percent(count: int, total: int) -> float:
    return round(100.0 * count / total, 1) if total else 0.0


def size(value: Any) -> int:
    """Bytes of `value` in an event (compact JSON, UTF-8)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def fit(items: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    """The leading items whose JSON fits in `budget` bytes: a cap that holds whatever the
    audience typed (280 emoji are 1,120 bytes)."""
    kept, used = [], 2
    for item in items:
        used += size(item) + 1
        if used > budget:
            break
        kept.append(item)
    return kept


def shorten(text: str, limit: int) -> str:
    """`text` cut to about `limit` characters with an ellipsis (screens show no more)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
