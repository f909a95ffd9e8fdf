"""Run the protocol's rules against a backend, in order, and report each: pass, fail or skip.

The rules are functions registered with `@rule` (rules.py, bad_input.py). A rule gets the
Context (the backend, the deck it serves, fresh voter tokens, the polls to use) and raises
Failed or Skipped, or returns a short note of what it saw."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from deckpoll.conformance.client import Answer, Backend


class Failed(Exception):
    """The backend broke the rule; the message says what was expected and what came."""


class Skipped(Exception):
    """The rule cannot run here (no presenter key, no poll of the kind it needs)."""


@dataclass(frozen=True)
class Rule:
    group: str  # the headings: routes, auth, answers, closed, events, visibility, input
    name: str
    says: str  # the promise of docs/protocol.md, in one line
    run: Callable[[Context], str | None]
    needs_key: bool = False

    @property
    def id(self) -> str:
        return f"{self.group}/{self.name}"


SETTLE_SECONDS = 2.0  # how long a read may lag the write before it (Context.settled)
RULES: list[Rule] = []  # in the order registered: GET api/v1/deck first, it finds the deck


def rule(group: str, name: str, says: str, *, needs_key: bool = False):
    """Register a rule: one function per promise of docs/protocol.md."""

    def register(fn: Callable[[Context], str | None]) -> Callable[[Context], str | None]:
        RULES.append(Rule(group, name, says, fn, needs_key))
        return fn

    return register


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    result: str  # "pass" | "fail" | "skip"
    note: str = ""


@dataclass
class Report:
    base: str
    outcomes: list[Outcome] = field(default_factory=list)
    deck: str | None = None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "fail"]

    def lines(self) -> Iterator[str]:
        yield f"deckpoll protocol-check {self.base}" + (f" (deck {self.deck})" if self.deck else "")
        width = max((len(o.rule.id) for o in self.outcomes), default=0)
        for o in self.outcomes:
            text = o.rule.says + (f": {o.note}" if o.note else "")
            yield f"  {o.result.upper():4}  {o.rule.id:{width}}  {text}"
        counts = {r: sum(o.result == r for o in self.outcomes) for r in ("pass", "fail", "skip")}
        yield f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped"


class Context:
    """What the rules share: the backend, the deck it serves (GET api/v1/deck), and the
    state to put back when the check ends (the slide, each poll touched)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.deck: dict[str, Any] | None = None
        self.touched: dict[str, dict[str, Any]] = {}  # poll id -> its view before the check
        self.start_state: dict[str, Any] | None = None

    # -- requests --------------------------------------------------------------------------

    def get(self, path: str, **kw: Any) -> Answer:
        return self.backend.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.backend.request("POST", path, body, **kw)

    def voter(self) -> str:
        """A new voter token from the backend (POST api/v1/voters)."""
        got = self.post("api/v1/voters")
        data = got.json()
        if (
            got.status != 200
            or not isinstance(data, dict)
            or not isinstance(data.get("voter"), str)
        ):
            raise Failed(f'POST api/v1/voters: expected 200 {{"voter": …}}, got {got.describe()}')
        return data["voter"]

    def answer(self, poll: dict[str, Any], body: Any, voter: str, **kw: Any) -> Answer:
        headers = {"X-Deckpoll-Voter": voter, **kw.pop("headers", {})}
        return self.post(f"api/v1/polls/{poll['id']}/answers", body, headers=headers, **kw)

    def act(self, poll: dict[str, Any], action: str) -> dict[str, Any]:
        """A presenter action on a poll (open, close, reveal, conceal, reset): its poll view."""
        self.remember(poll)
        got = self.post(f"api/v1/polls/{poll['id']}/{action}", presenter=True)
        expect(got, 200, f"POST api/v1/polls/{poll['id']}/{action} with the key")
        return got.json()

    def results(self, poll: dict[str, Any], presenter: bool = True) -> Answer:
        return self.get(f"api/v1/polls/{poll['id']}/results", presenter=presenter)

    @staticmethod
    def settled(check: Callable[[], Any], seconds: float = SETTLE_SECONDS) -> Any:
        """`check()` once what was just written can be read back: a backend whose servers
        share a store may answer a read from state that follows its change feed a moment
        after the write was acknowledged. Retried until it passes or `seconds` are over."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                return check()
            except Failed:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    # -- polls -----------------------------------------------------------------------------

    def polls(self) -> list[dict[str, Any]]:
        if self.deck is None:
            raise Skipped("GET api/v1/deck did not give the deck")
        return [p for p in self.deck.get("polls") or [] if isinstance(p, dict)]

    def poll(self, *kinds: str, results: tuple[str, ...] = ()) -> dict[str, Any]:
        """The deck's first poll of one of `kinds` (in that order of preference)."""
        for mode in results or (None,):
            for kind in kinds:
                for poll in self.polls():
                    if poll.get("kind") == kind and mode in (None, poll.get("results")):
                        return poll
        wanted = " or ".join(kinds) + (f" with results {'/'.join(results)}" if results else "")
        raise Skipped(f"the deck has no {wanted} poll")

    def slide_of(self, poll: dict[str, Any]) -> int:
        for slide in self.deck.get("slides") or []:
            if slide.get("poll") == poll["id"]:
                return slide["index"]
        return int(poll.get("slide") or 1)

    def move(self, slide: int, fragment: int = 0) -> Answer:
        """The presenter to `slide` (noting the poll there: arriving may open it)."""
        for entry in (self.deck or {}).get("slides") or []:
            if entry.get("index") == slide and entry.get("poll"):
                self.remember({"id": entry["poll"]})
        return self.post("api/v1/state", {"slide": slide, "fragment": fragment}, presenter=True)

    def remember(self, poll: dict[str, Any]) -> None:
        """Note a poll the check is about to change (also by moving onto its slide, which
        may open it), with its view before the check, to put it back at the end."""
        if poll["id"] not in self.touched:
            live = (self.deck or {}).get("live") or {}
            self.touched[poll["id"]] = (live.get("polls") or {}).get(poll["id"]) or {}

    @contextmanager
    def fresh(self, poll: dict[str, Any], status: str = "open") -> Iterator[None]:
        """The poll reset (no answers) and opened (or closed) for one rule."""
        self.act(poll, "reset")
        self.act(poll, "open" if status == "open" else "close")
        yield

    def restore(self) -> None:
        """Put back what the check changed, as far as the protocol allows: every poll it
        touched is reset (its test answers go) and returned to its status; the slide too."""
        if not self.backend.key:
            return
        for pid, view in self.touched.items():
            self.post(f"api/v1/polls/{pid}/close", presenter=True)
            self.post(f"api/v1/polls/{pid}/reset", presenter=True)  # a closed poll: new again
            if view.get("status") == "open":
                self.post(f"api/v1/polls/{pid}/open", presenter=True)
            elif view.get("opened"):
                self.post(f"api/v1/polls/{pid}/close", presenter=True)
            if view.get("revealed"):
                self.post(f"api/v1/polls/{pid}/reveal", presenter=True)
        if self.start_state:
            body = {k: self.start_state[k] for k in ("slide", "fragment") if k in self.start_state}
            self.post("api/v1/state", body, presenter=True)


def expect(got: Answer, status: int, what: str, error: str | None = None) -> Answer:
    """Fail unless the answer has `status` (and, for a refusal, a JSON `error` code)."""
    if got.status != status or (error is not None and got.error != error):
        wanted = f"{status}" + (f" {error}" if error else "")
        raise Failed(f"{what}: expected {wanted}, got {got.describe()}")
    if status >= 400 and not isinstance(got.error, str):
        raise Failed(
            f'{what}: a refusal must be JSON {{"error", "message"}}, got {got.body[:80]!r}'
        )
    return got


def run(
    rules: Sequence[Rule], base: str, key: str | None = None, *, timeout: float = 10.0
) -> Report:
    """Run `rules` in order against the backend at `base`; `key`: the presenter key
    (without it, the rules that need it are skipped). What they changed is put back."""
    backend = Backend(base, key, timeout)
    context = Context(backend)
    report = Report(backend.base)
    try:
        for item in rules:
            report.outcomes.append(_run(item, context))
            if context.deck is not None and report.deck is None:
                report.deck = context.deck.get("id")
    finally:
        try:
            context.restore()
        except OSError:
            pass
    return report


def _run(item: Rule, context: Context) -> Outcome:
    if item.needs_key and not context.backend.key:
        return Outcome(item, "skip", "needs the presenter key (--key)")
    started = time.monotonic()
    try:
        note = item.run(context)
    except Failed as exc:
        return Outcome(item, "fail", str(exc))
    except Skipped as exc:
        return Outcome(item, "skip", str(exc))
    except (OSError, ValueError) as exc:  # refused, reset, timed out, not HTTP
        return Outcome(item, "fail", f"{type(exc).__name__}: {exc}")
    took = time.monotonic() - started
    return Outcome(item, "pass", (note or "") + (f" ({took:.1f} s)" if took > 2 else ""))
