"""Errors and diagnostics: every user-facing problem says where (file:line:col) and what to do."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    path: Path
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a deck's sources."""

    severity: Severity
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


def display_path(path: Path) -> str:
    """The path relative to the working folder when it lies below it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# How alike a word must be to a known one for a "did you mean" hint (difflib's ratio).
# difflib's default, 0.6, points `size` at `slides` and `mermaid` at `email`: noise.
HINT_CUTOFF = 0.75
# Words people bring from other tools, and the key they mean here.
SYNONYMS = {
    "size": "aspect",
    "ratio": "aspect",
    "aspect_ratio": "aspect",
    "classes": "class",
    "bg": "background",
    "author": "authors",
    "language": "lang",
    "type": "kind",
    "choices": "options",
    "answers": "options",
}


def did_you_mean(word: str, known: Iterable[str]) -> str | None:
    """The known word `word` is most likely a slip for, if one is close enough."""
    known = tuple(known)
    synonym = SYNONYMS.get(word.lower())
    if synonym in known:
        return synonym
    hits = difflib.get_close_matches(word, known, n=1, cutoff=HINT_CUTOFF)
    return hits[0] if hits else None


class DeckpollError(Exception):
    """Base of every error deckpoll reports to a user (printed without a traceback)."""


class DeckError(DeckpollError):
    """A deck's sources have errors; `diagnostics` holds all of them, warnings included."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        super().__init__("\n".join(str(d) for d in self.diagnostics) or "invalid deck")
        self.error_count = len(errors)


class Reporter:
    """Collects diagnostics so that a build reports all problems at once."""

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        self.diagnostics: list[Diagnostic] = []

    def error(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic("error", location, message))

    def warning(self, location: Location, message: str) -> None:
        severity: Severity = "error" if self.strict else "warning"
        self.diagnostics.append(Diagnostic(severity, location, message))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.has_errors:
            self.diagnostics.sort(key=lambda d: (str(d.location.path), d.location.line))
            raise DeckError(self.diagnostics)
