"""`deckpoll protocol-check`: docs/protocol.md as rules run against any running backend.

A rule is a function registered with `@rule(...)` in rules.py (routes, presenter auth,
closed polls, one answer per voter, visibility, event streams) or bad_input.py: a new route
or promise of the protocol is one more function there. runner.py runs them in order."""

from __future__ import annotations

# Importing the rule modules registers their rules, rules.py's first (bad_input imports it).
from deckpoll.conformance.bad_input import BAD_ANSWERS
from deckpoll.conformance.runner import RULES, Outcome, Report, run

__all__ = ["BAD_ANSWERS", "Outcome", "Report", "check"]


def check(base: str, key: str | None = None, *, timeout: float = 10.0) -> Report:
    """Every rule of the protocol against the backend at `base` (its base URL)."""
    return run(RULES, base, key, timeout=timeout)
