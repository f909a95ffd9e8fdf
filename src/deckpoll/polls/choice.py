"""What single and multiple choice share: the `options:` key and a count per option."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING, Any

from deckpoll.model import PollOption
from deckpoll.polls.base import Kind, Tally, percent

if TYPE_CHECKING:
    from deckpoll.fields import Fields
    from deckpoll.stores.base import Answer

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def option_ids(poll: dict[str, Any]) -> list[str]:
    return [str(o["id"]) for o in poll.get("options") or []]


def chosen(value: dict[str, Any]) -> list[str]:
    """The options an answer picks (`choice` or `choices`)."""
    return [value["choice"]] if "choice" in value else list(value.get("choices", ()))


def option_rows(poll: dict[str, Any], counts: Counter, voters: int) -> list[dict[str, Any]]:
    """Each option with its count and share of the voters, in the poll's order."""
    return [
        {
            "id": str(o["id"]),
            "label": o.get("label", o["id"]),
            "count": counts[str(o["id"])],
            "percent": percent(counts[str(o["id"])], voters),
        }
        for o in poll.get("options") or []
    ]


class OptionTally(Tally):
    """Answers per option; percent of the voters (a multiple-choice voter counts once)."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        super().__init__(kind, poll)
        self.counts: Counter[str] = Counter()

    def _add(self, answer: Answer) -> None:
        for option in chosen(answer.value):
            self.counts[option] += 1

    def _remove(self, answer: Answer) -> None:
        for option in chosen(answer.value):
            self.counts[option] -= 1

    def _view(self, presenter: bool) -> dict[str, Any]:
        return {"options": option_rows(self.poll, self.counts, self.voters)}


class ChoiceKind(Kind):
    """A kind whose answer picks among `options:`."""

    keys = ("options",)

    def read(self, f: Fields) -> dict[str, Any]:
        options = read_options(f)
        if not f.has("options"):
            f.reporter.error(f.value_where("kind"), f"a {self.name} poll needs `options:` (a list)")
        return {"options": options}

    def tally(self, poll: dict[str, Any]) -> Tally:
        return OptionTally(self, poll)

    def answer_text(self, poll: dict[str, Any], value: dict[str, Any]) -> str:
        labels = {str(o["id"]): o.get("label", o["id"]) for o in poll.get("options") or []}
        return "; ".join(labels.get(c, c) for c in chosen(value))

    def export_rows(self, result: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
        return [(o["label"], o["count"], o["percent"]) for o in result["options"]]

    def handout(self, poll: dict[str, Any], archived: dict[str, Any]) -> dict[str, Any]:
        return {"view": "bars", "rows": self.export_rows(archived["tally"])}


def read_options(f: Fields) -> tuple[PollOption, ...]:
    raw = f.data.get("options")
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) < 2:
        f.error("options", "`options` must be a list of at least two items")
        return ()
    options: list[PollOption] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f.doc.value_at(f.path + ("options", index))
        if isinstance(item, dict):
            unknown = set(item) - {"id", "label"}
            if unknown:
                f.reporter.warning(
                    where,
                    f"unknown option key {sorted(unknown)[0]!r}; an option takes `id` and `label`",
                )
            label = item.get("label")
            option_id = item.get("id")
            if not isinstance(label, str | int | float):
                f.reporter.error(where, "an option mapping needs `label:` text")
                continue
            label = f.scalar_text(("options", index, "label"), label)
            option_id = (
                f.scalar_text(("options", index, "id"), option_id)
                if option_id is not None
                else _slug(label, index)
            )
        elif isinstance(item, str | int | float):
            label = f.scalar_text(("options", index), item)
            option_id = _slug(label, index)
        else:
            f.reporter.error(where, "an option is text or a mapping `{id: x, label: Text}`")
            continue
        if not ID_PATTERN.match(option_id):
            f.reporter.error(where, f"option id {option_id!r} must be letters, digits, - or _")
            continue
        if option_id in seen:
            f.reporter.error(where, f"duplicate option id {option_id!r}; give each option its own")
            continue
        seen.add(option_id)
        options.append(PollOption(option_id, label.strip()))
    return tuple(options)


def _slug(label: str, index: int) -> str:
    """A stable option id from its label (ASCII-folded), e.g. 'Ja, gärna!' -> 'ja-garna'."""
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:48]
    return slug or f"option-{index + 1}"
