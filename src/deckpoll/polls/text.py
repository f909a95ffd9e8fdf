"""What the text kinds (word cloud, open) share: `max_answers`, and one text per entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from deckpoll.polls.base import Checked, Kind, is_int, only
from deckpoll.server.validate import check_text, text_key

if TYPE_CHECKING:
    from deckpoll.fields import Fields
    from deckpoll.stores.base import PollState

MOST_ANSWERS = 20


class TextKind(Kind):
    """Each voter sends up to `max_answers` texts; the same text twice is one entry."""

    keys = ("max_answers",)
    entries = True
    default_answers: ClassVar[int] = 1
    multiline: ClassVar[bool] = False

    def read(self, f: Fields) -> dict[str, Any]:
        most = f.int("max_answers", self.default_answers, minimum=1)
        if most is not None and most > MOST_ANSWERS:
            f.error("max_answers", f"`max_answers` must be at most {MOST_ANSWERS}")
        return {"max_answers": most}

    def limit(self, poll: dict[str, Any]) -> int:
        value = poll.get("max_answers")
        return value if is_int(value) and value > 0 else self.default_answers

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        text = check_text(only(data, "text"), multiline=self.multiline)
        return Checked({"text": text}, text_key(text), False, self.limit(poll))
