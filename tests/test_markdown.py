"""Markdown plugins, fixture style: input Markdown and the slides' HTML it must give."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckpoll.build import compile_deck

FIXTURES = Path(__file__).parent / "fixtures" / "markdown.txt"


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
    source = tmp_path / "talk.md"
    source.write_text("---\ntitle: Fixture\n---\n" + markdown + "\n", "utf-8")
    deck = compile_deck(source).deck
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
