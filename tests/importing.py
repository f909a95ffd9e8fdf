"""Helpers for the import tests: the fixture decks and what a built deck's slides hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

FIXTURES = Path(__file__).parent / "fixtures" / "import"
# Text of another tool's syntax that must never reach a slide.
DIRECTIVE_LINES = (
    r"^\s*(layout|class|name|template|background-image|src|transition)\s*:",
    r"_class",
    r"\?\?\?",
    r"<!--",
    r"-->",
    r"^\s*--\s*$",
    r"^\s*----\s*$",
    r"^\s*::[\w-]+::\s*$",
    r"^\s*\[\.[\w-]+(:[^\]]*)?\]\s*$",
    r"\.(slide|element)\s*:",
    r"\{\{",
    r"<v-click",
    r"^\s*\^ ",
    r"\[fit\]",
    r"^\s*\.\s\.\s\.\s*$",
    r"^\s*:::",
)


def decks() -> list[dict]:
    """The fixture decks with what the source tool shows (tests/fixtures/import/decks.yaml)."""
    return yaml.safe_load((FIXTURES / "decks.yaml").read_text("utf-8"))


@dataclass
class BuiltSlide:
    """One `<section class="dp-slide">` of a built page."""

    index: int
    classes: list[str]
    layout: str
    fragments: int
    text: str = ""  # visible text outside code blocks
    code: str = ""
    notes: str = ""
    inner_classes: set[str] = field(default_factory=set)


class _Slides(HTMLParser):
    """Collects the slides of a built deck: their attributes, visible text and notes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.slides: list[BuiltSlide] = []
        self.depth = 0  # element depth inside the current slide (0: outside any slide)
        self.notes_depth = 0
        self.skip_depth = 0
        self.code_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "section" and "dp-slide" in classes:  # a new slide, however HTML nested
            self.slides.append(
                BuiltSlide(
                    int(values["data-dp-index"]),
                    classes,
                    values.get("data-dp-layout", ""),
                    int(values.get("data-dp-fragments", "0")),
                )
            )
            self.depth, self.notes_depth, self.skip_depth, self.code_depth = 1, 0, 0, 0
            return
        if not self.depth or tag in ("br", "img", "hr", "input", "meta", "link", "source", "wbr"):
            if self.depth and tag == "br":
                self.handle_data("\n")
            return
        self.depth += 1
        self.slides[-1].inner_classes.update(classes)
        if "dp-notes" in classes and not self.notes_depth:
            self.notes_depth = self.depth
        if tag in ("style", "script") and not self.skip_depth:
            self.skip_depth = self.depth
        if tag == "pre" and not self.code_depth:
            self.code_depth = self.depth

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or tag in ("br", "img", "hr", "input", "meta", "link", "source", "wbr"):
            return
        if self.notes_depth == self.depth:
            self.notes_depth = 0
        if self.skip_depth == self.depth:
            self.skip_depth = 0
        if self.code_depth == self.depth:
            self.code_depth = 0
        self.depth -= 1
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "pre", "tr"):
            self.handle_data("\n")

    def handle_data(self, data: str) -> None:
        if not self.depth or self.skip_depth:
            return
        slide = self.slides[-1]
        data = data.replace("\xa0", " ")  # a heading's glued last word reads as text
        if self.notes_depth:
            slide.notes += data
        elif self.code_depth:
            slide.code += data
        else:
            slide.text += data


def built_slides(html: str) -> list[BuiltSlide]:
    parser = _Slides()
    parser.feed(html)
    return parser.slides
