"""Word cloud: short texts, several per voter; words equal in meaning (grouping.word_key:
stems in the deck's language, case, spacing, stop words) are one word, shown in the
spelling sent most often, as often as it was sent."""

from __future__ import annotations

import hashlib
import heapq
import random
from typing import TYPE_CHECKING, Any

from deckpoll.grouping import group_key
from deckpoll.polls.base import PHONE_BYTES, PRESENTER_BYTES, Kind, Tally, fit, shorten
from deckpoll.polls.text import TextKind

if TYPE_CHECKING:  # the build imports the kinds; only the server needs the store
    from deckpoll.stores.base import Answer

SCREEN_CHARS = 40  # a word on a screen: about this many characters, then an ellipsis
PHONE_WORDS = 60
PRESENTER_WORDS = 120


class Group:
    """One word: its answers by spelling."""

    __slots__ = ("count", "forms", "id", "key")

    def __init__(self, key: str) -> None:
        self.key = key
        self.id = hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()
        self.count = 0
        self.forms: dict[str, set[int]] = {}

    def text(self) -> str:
        """The spelling sent most often (ties: the one sent first)."""
        most = max(len(ids) for ids in self.forms.values())
        tied = [text for text, ids in self.forms.items() if len(ids) == most]
        return tied[0] if len(tied) == 1 else min(tied, key=lambda text: min(self.forms[text]))

    def ids(self) -> list[int]:
        return sorted(i for ids in self.forms.values() for i in ids)


class CloudTally(Tally):
    """Groups keyed once by their text key, and kept in buckets by count, so that an answer
    moves its group one bucket up or down (O(1)) and the top words are read off the fullest
    buckets instead of sorting every group."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        super().__init__(kind, poll)
        self.groups: dict[str, Group] = {}
        self.by_id: dict[str, Group] = {}
        self.buckets: dict[int, set[str]] = {}

    def _move(self, group: Group, step: int) -> None:
        if group.count:
            bucket = self.buckets[group.count]
            bucket.discard(group.key)
            if not bucket:
                del self.buckets[group.count]
        group.count += step
        if group.count:
            self.buckets.setdefault(group.count, set()).add(group.key)

    def key(self, answer: Answer) -> str:
        text = answer.value.get("text", "")
        return group_key(text, self.poll.get("lang"), self.poll.get("groups"))

    def _add(self, answer: Answer) -> None:
        key = self.key(answer)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(key)
            self.by_id[group.id] = group
        self._move(group, 1)
        group.forms.setdefault(answer.value.get("text", ""), set()).add(answer.id)

    def _remove(self, answer: Answer) -> None:
        key = self.key(answer)
        group = self.groups[key]
        self._move(group, -1)
        text = answer.value.get("text", "")
        ids = group.forms[text]
        ids.discard(answer.id)
        if not ids:
            del group.forms[text]
        if not group.count:
            del self.groups[key]
            del self.by_id[group.id]

    def top(self, n: int) -> list[Group]:
        """The n most sent words (ties: in text-key order)."""
        found: list[Group] = []
        for count in sorted(self.buckets, reverse=True):
            keys = self.buckets[count]
            need = n - len(found)
            chosen = sorted(keys) if len(keys) <= need else heapq.nsmallest(need, keys)
            found.extend(self.groups[k] for k in chosen)
            if len(found) >= n:
                break
        return found

    def _view(self, presenter: bool) -> dict[str, Any]:
        groups = self.top(PRESENTER_WORDS if presenter else PHONE_WORDS)
        words = []
        for group in groups:
            word: dict[str, Any] = {
                "text": shorten(group.text(), SCREEN_CHARS),
                "count": group.count,
            }
            if presenter:
                word["group"] = group.id
            words.append(word)
        budget = PRESENTER_BYTES if presenter else PHONE_BYTES
        return {"distinct": len(self.groups), "words": fit(words, budget)}

    def summary(self) -> dict[str, Any]:
        words = [{"text": g.text(), "count": g.count} for g in self.top(len(self.groups))]
        return {**self.view(presenter=False), "words": words}

    def group(self, group: str) -> list[int] | None:
        found = self.by_id.get(group)
        return found.ids() if found is not None else None


class Wordcloud(TextKind):
    name = "wordcloud"
    default_answers = 3

    def tally(self, poll: dict[str, Any]) -> Tally:
        return CloudTally(self, poll)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        from deckpoll.rehearse import WORDS

        return {"text": rng.choice(WORDS)}

    def export_rows(self, result: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
        return [(w["text"], w["count"], None) for w in result["words"]]

    def handout(self, poll: dict[str, Any], archived: dict[str, Any]) -> dict[str, Any]:
        return {"view": "cloud", "words": archived["tally"]["words"]}  # every word


KIND = Wordcloud()
