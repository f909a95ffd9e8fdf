"""Errors and diagnostics: every user-facing problem says where (file:line:col) and what to do."""

from __future__ import annotations

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
