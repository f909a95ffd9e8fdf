"""Authoring syntax beyond CommonMark (math, image sizes, code steps), fixture style."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from test_markdown import read_fixtures, slides_html

FIXTURES = Path(__file__).parent / "fixtures"
CASES = [
    (f"{name}: {title}", source, expected)
    for name in ("math",)
    for title, source, expected in read_fixtures(FIXTURES / f"{name}.txt")
]


@pytest.mark.parametrize(("title", "source", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fixture(title: str, source: str, expected: str, tmp_path: Path) -> None:
    assert slides_html(source, tmp_path) == expected


class _Elements(HTMLParser):
    """Start tags of a page as (tag, attributes, depth inside <math>)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None], int]] = []
        self.math_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs), self.math_depth))
        if tag == "math" or self.math_depth:
            self.math_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.math_depth:
            self.math_depth -= 1


def _page(tmp_path: Path, body: str) -> list[tuple[str, dict[str, str | None], int]]:
    from deckpoll.build import build

    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    (folder / "slides.md").write_text("---\ntitle: Math\n---\n" + body, "utf-8")
    parser = _Elements()
    parser.feed((build(folder / "slides.md", folder / "out") / "index.html").read_text("utf-8"))
    return parser.tags


def test_math_is_mathml_in_the_built_page_and_adds_no_script(tmp_path: Path) -> None:
    plain = _page(tmp_path, "## Formula\n\nNo math here.\n")
    tags = _page(tmp_path, "## Formula\n\n$$\n\\frac{a}{b^2}\n$$\n\nand $\\sqrt{x}$\n")
    maths = [attrs for tag, attrs, _ in tags if tag == "math"]
    assert [m.get("display") for m in maths] == ["block", "inline"]
    inside = [tag for tag, _, depth in tags if depth]
    assert inside[:5] == ["mrow", "mfrac", "mrow", "mi", "mrow"] and "msup" in inside
    assert "msqrt" in inside
    scripts = [attrs for tag, attrs, _ in tags if tag == "script"]
    assert scripts == [attrs for tag, attrs, _ in plain if tag == "script"]
