"""Authoring syntax beyond CommonMark (math, image sizes, code steps), fixture style."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from test_markdown import PIXEL, read_fixtures, slides_html

FIXTURES = Path(__file__).parent / "fixtures"
CASES = [
    (f"{name}: {title}", source, expected)
    for name in ("math", "images", "code")
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


def _page(
    tmp_path: Path, body: str, files: dict[str, bytes] | None = None, front: str = ""
) -> list[tuple[str, dict[str, str | None], int]]:
    from deckpoll.build import build

    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    for name, data in (files or {}).items():
        (folder / name).write_bytes(data)
    (folder / "slides.md").write_text("---\ntitle: Math\n" + front + "---\n" + body, "utf-8")
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


def _sections(tmp_path: Path, body: str, front: str = "") -> list[dict[str, str | None]]:
    tags = _page(tmp_path, body, {"x.png": PIXEL}, front)
    return [
        attrs for tag, attrs, _ in tags if tag == "section" and "dp-slide" in str(attrs["class"])
    ]


def test_bg_images_become_backgrounds_split_or_contained(tmp_path: Path) -> None:
    sections = _sections(
        tmp_path,
        "![bg left:40%](x.png)\n\n## A\n\n---\n\n![bg right contain](x.png)\n\n## B\n\n"
        "---\n\n![bg fit](x.png)\n\n## C\n\n---\n\n## D\n",
    )
    classes = [set(str(s["class"]).split()) for s in sections]
    styles = [str(s.get("style") or "") for s in sections]
    assert {"dp-split-left"} <= classes[0] and "dp-has-bg" not in classes[0]
    assert "--dp-slide-bg: url(" in styles[0] and styles[0].endswith("--dp-split: 40%")
    assert {"dp-split-right", "dp-bg-contain"} <= classes[1] and styles[1].endswith("50%")
    assert {"dp-has-bg", "dp-bg-contain"} <= classes[2] and "--dp-split" not in styles[2]
    assert not classes[3] & {"dp-has-bg", "dp-split-left", "dp-split-right"} and not styles[3]


def test_a_second_background_is_a_warning_and_the_first_one_wins(tmp_path: Path) -> None:
    from deckpoll.build import compile_deck

    (tmp_path / "x.png").write_bytes(PIXEL)
    (tmp_path / "slides.md").write_text(
        "---\ntitle: T\n---\n![bg](x.png)\n![bg contain](x.png)\n\n## A\n", "utf-8"
    )
    compiled = compile_deck(tmp_path / "slides.md")
    (slide,) = compiled.deck.slides
    assert slide.background and slide.fill is None
    assert [(w.location.line, w.location.col) for w in compiled.warnings] == [(5, 1)]


def test_align_center_from_the_deck_and_per_slide(tmp_path: Path) -> None:
    sections = _sections(
        tmp_path,
        "## Deck default\n\n---\n\n<!-- slide: {align: top} -->\n\n## Own choice\n",
        front="align: center\n",
    )
    assert ["dp-align-center" in str(s["class"]).split() for s in sections] == [True, False]
    sections = _sections(tmp_path, "## A\n\n---\n\n<!-- slide: {align: center} -->\n\n## B\n")
    assert ["dp-align-center" in str(s["class"]).split() for s in sections] == [False, True]


def test_bad_align_is_an_error_with_its_choices(tmp_path: Path) -> None:
    out = slides_html("<!-- slide: {align: middle} -->\n\n## A\n", tmp_path)
    assert out.startswith("talk.md:4:") and "align" in out and "center" in out, out
