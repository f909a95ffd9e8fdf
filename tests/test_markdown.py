"""Markdown plugins, fixture style: input Markdown and the slides' HTML it must give."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from deckpoll.build import compile_deck
from deckpoll.errors import DeckError

FIXTURES = Path(__file__).parent / "fixtures" / "markdown.txt"
# A 1x1 PNG, present under these names in every fixture's deck folder (its stored name is
# `assets/<name>.497790947d.png`).
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
IMAGES = ("img/pixel.png", "bild_ö.png", "my photo.png")


def read_fixtures(path: Path) -> list[tuple[str, str, str]]:
    """markdown-it-py's fixture format: a title line, then `.`-separated input and output."""
    cases = []
    lines = path.read_text("utf-8").split("\n")
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        title = lines[index]
        assert lines[index + 1] == ".", f"fixture {title!r}: expected '.'"
        parts, block, index = [], [], index + 2
        while len(parts) < 2:
            if lines[index] == ".":
                parts.append("\n".join(block))
                block = []
            else:
                block.append(lines[index])
            index += 1
        cases.append((title, parts[0], parts[1]))
    return cases


def slides_html(markdown: str, tmp_path: Path) -> str:
    """The slides' HTML, or the build's diagnostics if it fails (the deck folder is TMP).
    The fixture's Markdown starts on line 4 of talk.md (after three lines of front matter)."""
    for name in IMAGES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(PIXEL)
    source = tmp_path / "talk.md"
    source.write_text("---\ntitle: Fixture\n---\n" + markdown + "\n", "utf-8")
    try:
        deck = compile_deck(source).deck
    except DeckError as error:
        return "\n".join(
            f"{d.location.path.name}:{d.location.line}:{d.location.col}: {d.severity}: {d.message}"
            for d in error.diagnostics
        ).replace(str(tmp_path.resolve()), "TMP")
    out = []
    for slide in deck.slides:
        text = slide.html.rstrip("\n")
        if slide.notes_html:
            text += "\n<!-- notes -->\n" + slide.notes_html.rstrip("\n")
        out.append(text)
    return "\n<!-- slide -->\n".join(out)


@pytest.mark.parametrize(
    ("title", "source", "expected"),
    read_fixtures(FIXTURES),
    ids=[case[0] for case in read_fixtures(FIXTURES)],
)
def test_fixture(title: str, source: str, expected: str, tmp_path: Path) -> None:
    assert slides_html(source, tmp_path) == expected


def test_fragment_count_and_title(tmp_path: Path) -> None:
    source = tmp_path / "talk.md"
    source.write_text("---\ntitle: T\n---\n## Heading *here*\n\n* a\n* b\n\n. . .\n\nc\n", "utf-8")
    (slide,) = compile_deck(source).deck.slides
    assert slide.fragments == 3
    assert slide.title == "Heading here"
    assert slide.text == "Heading here\na\nb\nc"
