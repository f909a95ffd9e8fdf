"""Workshop mode on the server: the slide timer and the sharing round, as presenter actions.

Both are kept as store meta values (`timer`, `share`), written by the presenter's calls and
applied from the store's change feed like the presenter's position: every server of a talk,
and every screen, sees the same. The timer's times are the server's clock (`time.time()`),
and every event that carries them carries `now` too, so a screen counts down from the same
end whatever its own clock says; a reload gets the running state, not a new countdown.

The timer's rules are the browser's for a deck opened from disk (runtime/65-timer.js)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

TIMER_META = "timer"
SHARE_META = "share"
WORKSHOP_META = (TIMER_META, SHARE_META)  # what a load of the store reads for this
ADD_SECONDS = 60
MAX_SECONDS = 24 * 3600
TIMER_ACTIONS = ("reach", "start", "pause", "toggle", "add", "reset")
SHARE_STEPS = ("next", "prev", "all", "off")

Timer = dict[str, Any]  # {slide, total, running, ends (epoch s) | None, left (s) | None}


def slide_timers(manifest: dict[str, Any]) -> dict[int, int]:
    """Slide index -> its countdown in seconds (`timer:` on the slide)."""
    return {
        int(s["index"]): int(s["timer"])
        for s in manifest.get("slides") or []
        if isinstance(s.get("timer"), int) and s["timer"] > 0
    }


def _fresh(slide: int, seconds: int, now: float) -> Timer:
    return {"slide": slide, "total": seconds, "running": True, "ends": now + seconds, "left": None}


def change_timer(
    state: Timer | None, action: str, slide: int, timers: dict[int, int], now: float
) -> Timer | None:
    """The timer after `action` with the presenter on `slide`: `reach` (the presenter arrived:
    a timer slide starts its countdown unless it is the one already kept), `toggle` (`t`:
    start, pause or resume; on a timer slide after another slide's timer, start this one),
    `start`, `pause`, `add` (a minute more, also after the end), `reset` (the slide's full
    time, paused)."""
    full = timers.get(slide, 0)
    if action == "reach":
        return (
            _fresh(slide, full, now)
            if full and (state is None or state["slide"] != slide)
            else state
        )
    if state is None:
        return _fresh(slide, full, now) if full and action in ("toggle", "start") else None
    if action == "toggle" and full and state["slide"] != slide:
        return _fresh(slide, full, now)
    left = state["ends"] - now if state["running"] else state["left"]
    if action == "toggle":
        action = "pause" if state["running"] else "start"
    if action == "pause" and state["running"]:
        return {**state, "running": False, "ends": None, "left": max(0.0, left)}
    if action == "start" and not state["running"]:
        rest = state["left"] if state["left"] > 0 else state["total"]
        return {**state, "running": True, "ends": now + rest, "left": None}
    if action == "add":
        more = min(max(0.0, left) + ADD_SECONDS, MAX_SECONDS)
        total = min(state["total"] + ADD_SECONDS, MAX_SECONDS)
        moved = {"ends": now + more} if state["running"] else {"left": more}
        return {**state, "total": total, **moved}
    if action == "reset":
        seconds = timers.get(state["slide"]) or state["total"]
        return {
            "slide": state["slide"],
            "total": seconds,
            "running": False,
            "ends": None,
            "left": seconds,
        }
    return state


def parse_timer(raw: str | None, slides: int) -> Timer | None:
    """A stored timer, checked (a value this code did not write is ignored, not trusted)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        if data is None:
            return None
        slide, total, running = int(data["slide"]), float(data["total"]), bool(data["running"])
        ends = None if data.get("ends") is None else float(data["ends"])
        left = None if data.get("left") is None else float(data["left"])
    except (ValueError, TypeError, KeyError):
        return None
    if not 1 <= slide <= slides or not 0 < total <= MAX_SECONDS + ADD_SECONDS:
        return None
    if (ends if running else left) is None or not all(
        math.isfinite(x) for x in (total, ends or 0.0, left or 0.0)
    ):
        return None
    return {"slide": slide, "total": total, "running": running, "ends": ends, "left": left}


def step_share(
    share: dict[str, Any] | None, poll: str, step: str, tables: list[str]
) -> dict[str, Any] | None:
    """The sharing round after `step` on `poll`, over `tables` (those that answered, in the
    deck's order): `next` starts at the first table, goes on table by table and after the
    last to everyone together (`group: None`); `prev` goes back (from the first table out of
    the round); `all` shows everyone; `off` ends the round."""
    everyone = {"poll": poll, "group": None}
    if step == "off":
        return None
    if step == "all" or not tables:
        return everyone
    in_round = share is not None and share.get("poll") == poll
    current = share.get("group") if in_round and share else None
    if not in_round:
        at: int | None = 0 if step == "next" else len(tables) - 1
    elif current is None:  # everyone: next stays there, prev goes back to the last table
        at = None if step == "next" else len(tables) - 1
    else:
        i = tables.index(current) if current in tables else -1
        at = i + 1 if step == "next" else i - 1
        if step == "prev" and at < 0:
            return None
        if at >= len(tables):
            at = None
    return everyone if at is None else {"poll": poll, "group": tables[at]}


def parse_share(raw: str | None, polls: dict[str, Any], tables: dict[str, str]) -> dict | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        poll, group = str(data["poll"]), data.get("group")
    except (ValueError, TypeError, KeyError):
        return None
    if poll not in polls or (group is not None and group not in tables):
        return None
    return {"poll": poll, "group": group}


class Workshop:
    """The timer and the sharing round as this server knows them (applied from the feed).
    `publish(event, data)` sends an event to every screen; `mark(poll)` pushes a poll's
    results again (the sharing round changes what they show); `tally(poll)` is its tally."""

    def __init__(
        self,
        manifest: dict[str, Any],
        publish: Callable[[str, Any], None],
        mark: Callable[[str], None],
        tally: Callable[[str], Any],
        clock: Callable[[], float],
    ) -> None:
        self.timers = slide_timers(manifest)
        self.slides = len(manifest.get("slides") or []) or 1
        self.polls = {str(p["id"]): p for p in manifest.get("polls") or []}
        groups = (manifest.get("polls_config") or {}).get("groups") or []
        self.tables = {str(g["id"]): str(g["label"]) for g in groups}
        self.timer: Timer | None = None
        self.share: dict[str, Any] | None = None
        self._publish, self._mark, self._tally, self.clock = publish, mark, tally, clock

    def load(self, timer: str | None, share: str | None) -> None:
        """Take both from a load of the store (after the tallies were rebuilt)."""
        self.timer = parse_timer(timer, self.slides)
        self.share = None
        self._show(parse_share(share, self.polls, self.tables), quiet=True)

    def apply(self, name: str, raw: str) -> bool:
        """A committed meta change; False when it is none of ours."""
        if name == TIMER_META:
            timer = parse_timer(raw, self.slides)
            if timer != self.timer:
                self.timer = timer
                self._publish("timer", self.timer_event())
            return True
        if name == SHARE_META:
            self._show(parse_share(raw, self.polls, self.tables))
            return True
        return False

    def _show(self, share: dict[str, Any] | None, quiet: bool = False) -> None:
        before = self.share
        self.share = share
        for pid in {p["poll"] for p in (before, share) if p}:
            tally = self._tally(pid)
            if hasattr(tally, "sharing"):  # a poll with tables (polls/tables.py)
                tally.sharing = share if share and share["poll"] == pid else None
            if not quiet:
                self._mark(pid)

    def renew(self, pid: str) -> None:
        """A poll's tally was made anew (a reset): it shows the round's table again."""
        tally = self._tally(pid)
        if hasattr(tally, "sharing"):
            tally.sharing = self.share if self.share and self.share["poll"] == pid else None

    def timer_event(self) -> dict[str, Any]:
        return {"timer": self.timer, "now": self.clock()}

    def next_timer(self, action: str, slide: int) -> Timer | None:
        return change_timer(self.timer, action, slide, self.timers, self.clock())

    def next_share(self, poll: str, step: str) -> dict[str, Any] | None:
        """The round's next step on `poll`: only tables that answered it, in the deck's order."""
        tally = self._tally(poll)
        answered = {t["id"] for t in tally.counts()} if hasattr(tally, "counts") else set()
        tables = [t for t in self.tables if t in answered]
        return step_share(self.share, poll, step, tables)
