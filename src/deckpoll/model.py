"""The deck model: frozen dataclasses that every later stage reads."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deckpoll.errors import Diagnostic

RESULTS_MODES = ("live", "on_reveal", "hidden")
LAYOUTS = ("title", "section", "default", "quote", "two-columns", "image", "poll")
ASPECTS = {"16:9": (1280, 720), "4:3": (960, 720), "16:10": (1152, 720)}


@dataclass(frozen=True)
class PollOption:
    id: str
    label: str


@dataclass(frozen=True)
class Poll:
    """A question put to the audience; `id` is stable, answers are keyed by it."""

    id: str
    kind: str
    question: str
    options: tuple[PollOption, ...] = ()
    min: int | None = None
    max: int | None = None
    min_label: str | None = None
    max_label: str | None = None
    max_answers: int | None = None
    max_choices: int | None = None
    results: str = "live"
    auto_open: bool = True
    moderation: str = "none"  # "approve": answers reach the screens once approved
    group: bool = False  # answers carry the table they come from (`polls.groups`)
    # What a kind reads beyond the fields above ((key, value) pairs, in the manifest as is):
    # a new kind brings its own keys without a change here.
    settings: tuple[tuple[str, object], ...] = ()

    def to_manifest(self, slide: int) -> dict:
        return {
            **dict(self.settings),
            "id": self.id,
            "slide": slide,
            "kind": self.kind,
            "question": self.question,
            "options": [{"id": o.id, "label": o.label} for o in self.options],
            "min": self.min,
            "max": self.max,
            "min_label": self.min_label,
            "max_label": self.max_label,
            "max_answers": self.max_answers,
            "max_choices": self.max_choices,
            "results": self.results,
            "auto_open": self.auto_open,
            "moderation": self.moderation,
            "group": self.group,
        }


@dataclass(frozen=True)
class PollSettings:
    code: str | None = None
    url: str | None = None
    join_url: str | None = None
    auto_open: bool = True
    retention: int | None = None  # seconds answers are kept (`polls.retention`, e.g. 30d)
    privacy: str | None = None  # the join page's privacy notice, replacing the default
    # The room's tables, (id, label): `polls.groups: 12` numbers them ("3", "Table 3"),
    # a list names them (the name is the id: reordering the list keeps answers' tables).
    groups: tuple[tuple[str, str], ...] = ()
    group_all: bool = False  # every poll collects answers per table
    # "hold": an answer that looks like personal data waits for the presenter; "allow": not
    personal_data: str = "hold"


@dataclass(frozen=True)
class DeckConfig:
    """What deck.yaml (or a single file's front matter) says."""

    title: str
    lang: str = "en"
    authors: tuple[str, ...] = ()
    date: str | None = None
    description: str | None = None
    theme: str = "default"
    aspect: str = "16:9"
    slides: tuple[str, ...] = ()
    polls: PollSettings = field(default_factory=PollSettings)
    progress: bool = True
    slide_number: bool = True
    align: str = "top"  # the slides' default vertical alignment: top or center
    font: str = "system"  # a bundled family (fonts.FAMILIES) inlined in the page, or system
    reactions: tuple[str, ...] = ()  # emoji the phones may send on any slide (off: none)
    duration: int | None = None  # the talk's planned length in seconds (speaker view pace)
    timer_sound: bool = False  # a slide timer's end also sounds (it is always shown)

    @property
    def size(self) -> tuple[int, int]:
        return ASPECTS[self.aspect]


@dataclass(frozen=True)
class Slide:
    """One rendered slide; `html` and `notes_html` are trusted output of the compiler."""

    index: int
    id: str
    title: str
    layout: str
    classes: tuple[str, ...]
    html: str
    notes_html: str
    text: str
    fragments: int
    background: str | None = None
    poll: Poll | None = None
    split: tuple[str, str] | None = (
        None  # ("left" or "right", "40%"): the background beside the text
    )
    fill: str | None = None  # how the background fills its area: cover (default), contain, auto
    timer: int | None = None  # a countdown in seconds (`timer: 15m`), started on reaching it
    minutes: float | None = None  # planned minutes on this slide (the speaker view's pace)


@dataclass(frozen=True)
class Deck:
    """A whole deck, ready to render."""

    id: str
    root: Path
    config: DeckConfig
    slides: tuple[Slide, ...]

    @property
    def polls(self) -> tuple[tuple[Slide, Poll], ...]:
        return tuple((s, s.poll) for s in self.slides if s.poll is not None)


@dataclass
class Compiled:
    """A built deck in memory: the page, its manifest and the files beside it (what
    `build.compile_deck` returns, `write` puts on disk and the server serves)."""

    html: str
    manifest: dict
    assets: dict[str, bytes]
    warnings: list[Diagnostic] = field(default_factory=list)
    deck: Deck | None = None
    sections: list[str] = field(default_factory=list)
    frame: str = ""
    # Folders the build read from: the deck's, and its theme's (with those it extends).
    folders: tuple[Path, ...] = ()
    # What the server gives the audience: the page without speaker notes (made on first
    # use: a build that only writes files never needs it), and the notes (slide index ->
    # HTML), which only the presenter's key fetches.
    audience: Callable[[], str] | None = field(default=None, repr=False)
    notes: dict[int, str] = field(default_factory=dict)

    @functools.cached_property
    def audience_html(self) -> str:
        return self.audience() if self.audience is not None else self.html
