"""Incremental rebuilds: what one build of a deck can hand to the next (for `preview`).

A slide's compiled form depends only on its source text, where it stands (file, first
line, position), the deck's settings and the link reference definitions it looked up (they
may stand on other slides of the file); with all of those unchanged it is reused as is,
and so is its section HTML. A full build is the fallback and gives the same page.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from deckpoll.assets import Assets
from deckpoll.errors import Diagnostic
from deckpoll.model import Slide


@dataclass(frozen=True)
class CachedSlide:
    slide: Slide
    diagnostics: tuple[Diagnostic, ...]
    # (label, (href, title) or None if undefined) for each reference the slide looked up.
    references: tuple[tuple[str, tuple[str, str] | None], ...] = ()


@dataclass
class BuildCache:
    """Kept by the caller between builds of one deck; pass it to `compile_deck(cache=...)`."""

    settings: Hashable = None
    slides: dict[Hashable, CachedSlide] = field(default_factory=dict)
    sections: dict[tuple[Slide, int], str] = field(default_factory=dict)
    assets: Assets | None = None
    hits: int = 0
    misses: int = 0

    def reset(self) -> None:
        """Forget everything (an image or theme file changed on disk)."""
        self.settings, self.assets = None, None
        self.slides.clear()
        self.sections.clear()

    def assets_for(self, single_file: bool) -> Assets:
        """The registry of the deck's files, kept between builds (reset() forgets it)."""
        if self.assets is None or self.assets.single_file != single_file:
            self.assets = Assets(single_file=single_file)
        return self.assets

    def use(self, settings: Hashable) -> None:
        """Start a build with these deck settings (deck.yaml, theme, build options); what
        was built with other settings is dropped."""
        if settings != self.settings:
            self.slides.clear()
            self.sections.clear()
            self.settings = settings
        self.hits = self.misses = 0

    def prune(self, keep: set[Hashable], slides: list[Slide]) -> None:
        """Drop entries of slides that are no longer in the deck (memory stays flat)."""
        for key in [k for k in self.slides if k not in keep]:
            del self.slides[key]
        live = set(slides)
        for key in [k for k in self.sections if k[0] not in live]:
            del self.sections[key]
