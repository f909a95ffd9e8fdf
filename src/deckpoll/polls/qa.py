"""Q&A: the audience asks questions (≤ 280 characters, optionally signed with a display name)
and votes on each other's; the presenter pins, marks answered, hides or approves them.

A question's votes and the presenter's marks live on its stored answer (`Answer.votes`,
`.pinned`, `.answered`), so the tally gets a changed question as remove + add like any
other change. With `scope: deck` one Q&A stays open for the whole talk: the phones show it
as a tab on every slide."""

from __future__ import annotations

import heapq
import random
from typing import TYPE_CHECKING, Any

from deckpoll.polls.base import PHONE_BYTES, PRESENTER_BYTES, Kind, Tally, fit, shorten, size
from deckpoll.polls.text import TextKind
from deckpoll.server.validate import Invalid, check_text

if TYPE_CHECKING:
    from deckpoll.fields import Fields
    from deckpoll.polls.base import Checked
    from deckpoll.stores.base import Answer, PollState

MAX_NAME = 40  # characters of a display name
# A phone's copy shortens what is very long (280 emoji are 1,120 bytes), so that even then
# several questions fit in its event; the presenter's copy and the export keep every word.
PHONE_TEXT, PHONE_NAME = 160, 24
SCOPES = ("slide", "deck")
# Questions per screen: the top by votes, and (phones sort by newest too) the newest.
PHONE_TOP, PHONE_NEWEST, PHONE_ANSWERED = 30, 20, 10
PRESENTER_TOP, PRESENTER_NEWEST, PRESENTER_ANSWERED = 200, 50, 50
NAMES = ["Anna", "Erik", "Sara", "Ali", "Maja", "Johan", "Lina", "Omar"]
# Rehearsal questions: short and long ones, an emoji, a right-to-left name, markup as text.
QUESTIONS = (
    "Hur mäter ni om satsningarna faktiskt ökar innovationsförmågan?",
    "Vilka av piloterna i höst är öppna för kommuner att delta i?",
    "Finns det stöd för mindre kommuner som saknar egen innovationsledare?",
    "Hur undviker vi att goda exempel stannar i en enda verksamhet? 🤔",
    "Vad har ni lärt er av det som inte fungerade?",
    "Kan upphandlare och jurister gå Innovationsledarlyftet också?",
    "När kommer den externa utvärderingen, och blir den offentlig?",
    "Hur samverkar ni med regionerna kring spridning och implementering av nya lösningar, "
    "och vem äger frågan när en pilot ska bli ordinarie verksamhet?",
    "<b>Fet</b> fråga – syns taggarna som text?",
    "Vilket är ert viktigaste råd till en chef som vill börja i morgon?",
)


def rank(answer: Answer) -> tuple[bool, int, int]:
    """The big screen's order: pinned first, then most votes, then asked first."""
    return (not answer.pinned, -answer.votes, answer.id)


def item(answer: Answer, presenter: bool) -> dict[str, Any]:
    text, name = answer.value.get("text", ""), answer.value.get("name")
    if not presenter:
        text, name = shorten(text, PHONE_TEXT), name and shorten(name, PHONE_NAME)
    found = {
        "id": answer.id,
        "text": text,
        "votes": answer.votes,
        "pinned": answer.pinned,
        "answered": answer.answered,
        "at": answer.created,
    }
    if name:
        found["name"] = name
    return found


class QATally(Tally):
    """The shown questions by id, open and answered apart; the order is made per view (a
    bounded top-k: O(n log k) at most four times a second, whatever arrives meanwhile)."""

    def __init__(self, kind: Kind, poll: dict[str, Any]) -> None:
        super().__init__(kind, poll)
        self.open: dict[int, Answer] = {}
        self.done: dict[int, Answer] = {}
        self.votes = 0

    def _add(self, answer: Answer) -> None:
        (self.done if answer.answered else self.open)[answer.id] = answer
        self.votes += answer.votes

    def _remove(self, answer: Answer) -> None:
        del (self.done if answer.answered else self.open)[answer.id]
        self.votes -= answer.votes

    def _view(self, presenter: bool) -> dict[str, Any]:
        top, newest, answered = (
            (PRESENTER_TOP, PRESENTER_NEWEST, PRESENTER_ANSWERED)
            if presenter
            else (PHONE_TOP, PHONE_NEWEST, PHONE_ANSWERED)
        )
        best = heapq.nsmallest(top, self.open.values(), key=rank)
        seen = {a.id for a in best}
        recent = heapq.nlargest(newest, self.open, key=int)
        best += sorted((self.open[i] for i in recent if i not in seen), key=rank)
        done = heapq.nsmallest(answered, self.done.values(), key=rank)
        budget = PRESENTER_BYTES if presenter else PHONE_BYTES
        answered = fit([item(a, presenter) for a in done], budget // 5)
        questions = fit([item(a, presenter) for a in best], budget - size(answered))
        return {
            "questions": questions,
            "answered": answered,
            "open": len(self.open),
            "done": len(self.done),
            "votes": self.votes,
        }


class QA(TextKind):
    name = "qa"
    keys = ("max_answers", "scope")
    default_answers = 3
    multiline = True
    votes = True

    def read(self, f: Fields) -> dict[str, Any]:
        return {**super().read(f), "scope": f.choice("scope", SCOPES, "slide") or "slide"}

    def check(self, poll: dict[str, Any], data: Any, state: PollState | None = None) -> Checked:
        if not isinstance(data, dict):
            raise Invalid(422, "not_an_object", "the question must be a JSON object")
        extra = sorted(set(data) - {"text", "name"})
        if extra:
            raise Invalid(422, "unknown_field", f"unexpected field {extra[0]!r}; send text, name")
        if "text" not in data:
            raise Invalid(422, "missing_field", "the question needs 'text'")
        checked = super().check(poll, {"text": data["text"]}, state)
        name = data.get("name")
        if name is not None and not (isinstance(name, str) and not name.strip()):
            name = check_text(name, field="name")
            if len(name) > MAX_NAME:
                raise Invalid(422, "too_long", f"name is longer than {MAX_NAME} characters")
            return type(checked)(
                {**checked.value, "name": name}, checked.key, checked.replace, checked.limit
            )
        return checked

    def tally(self, poll: dict[str, Any]) -> Tally:
        return QATally(self, poll)

    def rehearse(self, poll: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
        text = QUESTIONS[n % len(QUESTIONS)] if n < len(QUESTIONS) else rng.choice(QUESTIONS)
        return {"text": text, "name": rng.choice(NAMES)} if n % 3 == 0 else {"text": text}

    def answer_text(self, poll: dict[str, Any], value: dict[str, Any]) -> str:
        text = str(value.get("text", ""))
        return f"{text} — {value['name']}" if value.get("name") else text

    def export_rows(self, result: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
        return [
            ("questions", result["open"] + result["done"], None),
            ("answered", result["done"], None),
            ("votes", result["votes"], None),
        ]

    def export_list(self) -> bool:
        return True


def deck_scoped(poll: dict[str, Any]) -> bool:
    """A Q&A open for the whole talk (a tab on the phones on every slide)."""
    return poll.get("kind") == "qa" and poll.get("scope") == "deck"


KIND = QA()
