"""Single choice: one option per voter; a new choice replaces the old one."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from deckpoll.polls.base import Checked, only
from deckpoll.polls.choice import ChoiceKind, option_ids
from deckpoll.server.validate import Invalid

if TYPE_CHECKING:  # the build imports the kinds; only the server needs the store
    from deckpoll.stores.base import PollState


class Single(ChoiceKind):
    name = "single"

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        choice = only(data, "choice")
        if not isinstance(choice, str) or choice not in option_ids(poll):
            raise Invalid(422, "unknown_option", "choice is not one of the poll's options")
        return Checked({"choice": choice}, "", True, 1)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        options = option_ids(poll)
        # Skewed, so the bars differ: the first option is the most popular.
        return {"choice": options[min(int(rng.expovariate(0.8)), len(options) - 1)]}


KIND = Single()
