"""The session's state: the presenter's position, poll states, answers and tallies, changed
only by applying the store's committed changes (server/follower.py hands them over).

Nothing else writes here: a presenter action commits to the store, the store's feed brings
the change back, and `Mirror.apply` makes it. One path for one server and for many, so an
action that forgot a step fails the single-process tests too."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from deckpoll.polls import Tally, kind_of, tally
from deckpoll.server.wordgroups import META as GROUPS
from deckpoll.server.wordgroups import with_groups
from deckpoll.server.workshop import SHARE_META, TIMER_META, Workshop
from deckpoll.stores.base import NEW, OPEN, Answer, Change, PollState


def poll_of_slide(manifest: dict[str, Any]) -> dict[int, str]:
    """Slide index -> poll id, from `polls[].slide` and `slides[].poll`."""
    found: dict[int, str] = {}
    for slide in manifest.get("slides") or []:
        if slide.get("poll"):
            found[int(slide["index"])] = str(slide["poll"])
    for poll in manifest.get("polls") or []:
        if poll.get("slide") is not None:
            found.setdefault(int(poll["slide"]), str(poll["id"]))
    return found


@dataclass(frozen=True)
class Loaded:
    """Everything read from the store at once (start-up, and after the feed was lost):
    `head` was read first, so every change numbered above it may or may not be included."""

    head: int
    state: str | None
    polls: dict[str, PollState]
    answers: dict[str, list[Answer]]
    groups: dict[str, str] = field(default_factory=dict)  # poll -> its saved word groups
    # The workshop's meta values (server/workshop.py: the slide timer, the sharing round).
    meta: dict[str, str | None] = field(default_factory=dict)


class Mirror:
    """What the server knows right now. `publish(event, data)` sends the state and poll
    events at once; `mark(poll)` tells the push coalescer that a poll's results changed."""

    def __init__(
        self,
        manifest: dict[str, Any],
        publish: Callable[[str, Any], None],
        mark: Callable[[str], None],
    ) -> None:
        self.polls: dict[str, dict[str, Any]] = {
            str(p["id"]): p for p in manifest.get("polls") or []
        }
        self.slide_poll = poll_of_slide(manifest)
        # Polls open for the whole talk (`scope: deck`, a Q&A): opened with the first slide.
        self.deck_polls = [pid for pid, p in self.polls.items() if p.get("scope") == "deck"]
        # Polls whose results sum up the scored ones (a leaderboard over the quizzes).
        self.scored_polls = [pid for pid, p in self.polls.items() if kind_of(p).scored]
        self.followers = [pid for pid, p in self.polls.items() if kind_of(p).follows]
        self.slide_count = len(manifest.get("slides") or []) or 1
        self.state: dict[str, int] = {"slide": 1, "fragment": 0}
        self.status: dict[str, PollState] = {pid: PollState(pid) for pid in self.polls}
        # Every answer (a hide needs the answer it changes), each voter's answers, and each
        # poll's tally, kept up to date per change.
        self.answers: dict[str, dict[int, Answer]] = {pid: {} for pid in self.polls}
        self.by_voter: dict[str, dict[str, dict[int, None]]] = {pid: {} for pid in self.polls}
        self.tallies: dict[str, Tally] = {pid: tally(p, []) for pid, p in self.polls.items()}
        self._publish = publish
        self._marked = mark
        # The slide timer and the sharing round (store meta, applied like the position).
        self.workshop = Workshop(manifest, publish, self._mark, self.tallies.__getitem__, time.time)

    def _mark(self, pid: str) -> None:
        self._marked(pid)
        if pid in self.scored_polls:
            for follower in self.followers:  # the standings follow the scores
                self._marked(follower)

    def scored(self) -> list[tuple[Tally, bool]]:
        """The scored polls' tallies (quizzes) and whether each is revealed (a leaderboard)."""
        return [(self.tallies[pid], self.status[pid].revealed) for pid in self.scored_polls]

    # -- whole state ------------------------------------------------------------------------

    def replace(self, loaded: Loaded) -> None:
        """Take everything from a load, in one step (no event: the clients get snapshots)."""
        if loaded.state:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                self.state = self.parse_state(loaded.state)
        self.status = {pid: PollState(pid) for pid in self.polls}
        for pid, poll_state in loaded.polls.items():
            if pid in self.polls:
                self.status[pid] = poll_state
        for pid, poll in self.polls.items():
            if pid in loaded.groups:
                poll = self.polls[pid] = with_groups(poll, loaded.groups[pid])
            rows = loaded.answers.get(pid, [])
            self.answers[pid] = {a.id: a for a in rows}
            self.tallies[pid] = tally(poll, sorted(rows, key=lambda a: a.id))
            mine: dict[str, dict[int, None]] = {}
            for answer in rows:
                mine.setdefault(answer.voter, {})[answer.id] = None
            self.by_voter[pid] = mine
        self.workshop.load(loaded.meta.get(TIMER_META), loaded.meta.get(SHARE_META))

    def parse_state(self, raw: str) -> dict[str, int]:
        data = json.loads(raw)
        slide = int(data["slide"])
        if not 1 <= slide <= self.slide_count:
            raise ValueError("slide out of range")
        return {"slide": slide, "fragment": max(0, int(data["fragment"]))}

    # -- one change -------------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """Apply one committed change. Applying a change twice leaves the state as once (a
        change committed while loading is both loaded and in the feed)."""
        if change.kind == "answer" and change.answer is not None:
            self._answer(change.answer, change.removed)
        elif change.kind == "hide" and change.answer is not None:
            self._flags(change.answer)
        elif change.kind == "poll" and change.state is not None:
            self._poll(change.state, reset=change.reset)
        elif change.kind == "meta" and self.workshop.apply(change.name, change.value):
            pass  # the slide timer or the sharing round
        elif change.kind == "meta" and change.name == "state":
            with contextlib.suppress(ValueError, TypeError, KeyError):
                self._slide(self.parse_state(change.value))
        elif change.kind == "meta" and change.name.startswith(GROUPS):
            self._regroup(change.name[len(GROUPS) :], change.value)

    def _slide(self, state: dict[str, int]) -> None:
        if state != self.state:
            self.state = state
            self._publish("state", self.state_view())

    def _poll(self, state: PollState, reset: bool = False) -> None:
        if state.id not in self.polls:
            return
        if reset:
            self.answers[state.id] = {}
            self.by_voter[state.id] = {}
            self.tallies[state.id] = tally(self.polls[state.id], [])
            self.workshop.renew(state.id)  # a round on this poll goes on with the new tally
        if state != self.status.get(state.id):
            self.status[state.id] = state
            self._publish("poll", self.poll_view(state.id))
        self._mark(state.id)

    def _answer(self, answer: Answer, removed: tuple[int, ...]) -> None:
        mirror = self.answers.get(answer.poll)
        if mirror is None:
            return
        result, mine = self.tallies[answer.poll], self.by_voter[answer.poll]
        # An answer already here (loaded, then seen in the feed) is taken out first.
        for old_id in (*removed, answer.id):
            old = mirror.pop(old_id, None)
            if old is not None:
                mine.get(old.voter, {}).pop(old_id, None)
                result.leave(old)
        mirror[answer.id] = answer
        mine.setdefault(answer.voter, {})[answer.id] = None
        result.enter(answer)
        self._mark(answer.poll)

    def _regroup(self, pid: str, raw: str) -> None:
        """The presenter merged or split word groups: count the poll's answers again."""
        if pid not in self.polls:
            return
        self.polls[pid] = with_groups(self.polls[pid], raw)
        rows = sorted(self.answers[pid].values(), key=lambda a: a.id)
        self.tallies[pid] = tally(self.polls[pid], rows)
        self._mark(pid)

    def _flags(self, answer: Answer) -> None:
        """An answer hidden, shown again, approved, voted on or marked (a question)."""
        mirror = self.answers.get(answer.poll)
        old = mirror.get(answer.id) if mirror is not None else None
        if old is None or mirror is None:
            return
        mirror[answer.id] = answer
        if old != answer:
            result = self.tallies[answer.poll]
            result.leave(old)
            result.enter(answer)
            self._mark(answer.poll)

    # -- views ------------------------------------------------------------------------------

    def visible(self, pid: str, state: PollState | None = None) -> bool:
        """Whether the audience may see this poll's results."""
        mode = self.polls[pid].get("results") or "live"
        revealed = (state or self.status[pid]).revealed
        return mode == "live" or (mode == "on_reveal" and revealed)

    def poll_view(self, pid: str, state: PollState | None = None) -> dict[str, Any]:
        state = state or self.status[pid]
        return {
            "id": pid,
            "status": "closed" if state.status == NEW else state.status,
            "opened": state.status != NEW,
            "revealed": state.revealed,
            "visible": self.visible(pid, state),
            "results": self.polls[pid].get("results") or "live",
            "moderation": self.polls[pid].get("moderation") or "none",
            # Seconds since it opened, as the server counts (a quiz's countdown on phones).
            "elapsed": (
                round(time.time() - state.opened_at, 2)
                if state.status == OPEN and state.opened_at is not None
                else None
            ),
        }

    def results_view(self, pid: str, presenter: bool) -> dict[str, Any]:
        """The poll's results as a screen gets them: the kind's view, bounded in size (every
        phone gets every push; the presenter asks for a word's answer ids when needed)."""
        result = self.tallies[pid]
        visible = self.visible(pid)
        if presenter or visible:
            revealed = self.status[pid].revealed
            view = result.view(presenter=presenter, revealed=revealed, deck=self)
            return {**view, "visible": visible}
        return {
            "id": pid,
            "kind": result.kind.name,
            "visible": False,
            "voters": result.voters,
            "answers": result.answers,
        }

    def state_view(self) -> dict[str, Any]:
        slide = self.state["slide"]
        return {**self.state, "poll": self.slide_poll.get(slide)}

    def voter_answers(self, pid: str, voter: str) -> list[Answer]:
        mirror = self.answers[pid]
        return [mirror[i] for i in sorted(self.by_voter[pid].get(voter, ()))]
