"""Multiple choice: a set of options per voter (at most `max_choices`), replaced as a whole."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from deckpoll.polls.base import Checked, is_int, only
from deckpoll.polls.choice import ChoiceKind, option_ids
from deckpoll.server.validate import Invalid

if TYPE_CHECKING:
    from deckpoll.fields import Fields
    from deckpoll.stores.base import PollState


class Multiple(ChoiceKind):
    name = "multiple"
    keys = ("options", "max_choices")

    def read(self, f: Fields) -> dict[str, Any]:
        fields = super().read(f)
        options = fields["options"]
        max_choices = f.int("max_choices", None, minimum=1)
        if max_choices is not None and options and max_choices > len(options):
            f.error("max_choices", f"`max_choices` is more than the {len(options)} options")
        return {**fields, "max_choices": max_choices}

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        choices = only(data, "choices")
        if not isinstance(choices, list) or not choices:
            raise Invalid(422, "invalid_choices", "choices must be a non-empty list")
        known = option_ids(poll)
        if not all(isinstance(c, str) and c in known for c in choices):
            raise Invalid(422, "unknown_option", "a choice is not one of the poll's options")
        if len(set(choices)) != len(choices):
            raise Invalid(422, "duplicate_option", "an option is chosen twice")
        limit = poll.get("max_choices")
        if is_int(limit) and len(choices) > limit:
            raise Invalid(422, "too_many_choices", f"choose at most {limit} options")
        return Checked({"choices": [c for c in known if c in choices]}, "", True, 1)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        options = option_ids(poll)
        most = poll.get("max_choices") or len(options)
        return {"choices": rng.sample(options, rng.randint(1, max(1, min(most, len(options)))))}


KIND = Multiple()
