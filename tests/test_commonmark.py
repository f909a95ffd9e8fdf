"""The CommonMark 0.31.2 spec examples, and GFM's table and strikethrough examples, built as
decks: each renders exactly as markdown-it-py renders it (its commonmark preset; with tables
and strikethrough for the GFM ones), except the by-design differences listed below by number.

The examples are vendored in tests/fixtures/commonmark/ (see its README for their source and
licence). Two differences hold for every example and are taken out before comparing:

- code blocks are highlighted at build time (Pygments) and name their language in
  `data-dp-lang`: they are compared by language and text;
- images (Markdown and raw `<img>`) are copied next to the page under a content-hashed
  name: they are compared by the file they name (each example's deck folder holds the
  relative image files it names).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from deckpoll.build import compile_deck
from deckpoll.errors import DeckError
from deckpoll.markdown.parser import markdown
from deckpoll.markdown.scan import separators

DATA = Path(__file__).parent / "fixtures" / "commonmark"
SPEC = json.loads((DATA / "spec-0.31.2.json").read_text("utf-8"))
GFM = json.loads((DATA / "gfm-0.29-tables-strikethrough.json").read_text("utf-8"))

SEPARATOR = "`---` alone on a line separates slides; it is never a thematic break"
SETEXT = "setext headings are off (as in Marp), so an underlined line stays text"
FRAGMENTS = "items of a `*` list are fragments (class dp-fragment, data-dp-fragment)"
ABSOLUTE = "an image path from the machine's root is an error: the build reads only the deck"
GLUE = "a heading's last short word is joined to the word before it by a no-break space"
RAW_MEDIA = "a raw-HTML `<img>` naming a deck file is written anew, pointing at the copy"

# Every example that renders otherwise than in markdown-it-py, and why. The test fails if
# one of them stops differing, so that the list stays true.
BY_DESIGN: dict[int, str] = {
    **dict.fromkeys([43, 59, 85, 86, 89, 90, 92, 94, 96, 98, 100, 102, 104], SEPARATOR),
    **dict.fromkeys([103, 115, 141, 234, 300], SEPARATOR),
    **dict.fromkeys([80, 81, 82, 83, 84, 91, 95, 215], SETEXT),
    **dict.fromkeys([38, 60, 284, 315, 320, 325], FRAGMENTS),
    **dict.fromkeys([572, 574, 575, 579, *range(581, 590), 591], ABSOLUTE),
    475: RAW_MEDIA,
    **dict.fromkeys([74, 76], GLUE),
}
GFM_BY_DESIGN: dict[int, str] = {}

COMMONMARK = MarkdownIt("commonmark")
WITH_GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])

CODE = re.compile(
    r'<pre><code(?: class="language-([^"]*)")?>(.*?)</code></pre>'
    r'|<pre class="dp-code"(?: data-dp-lang="([^"]*)")?><code>(.*?)</code></pre>',
    re.DOTALL,
)
IMG_SRC = re.compile(r'(<img src=")([^"]*)(")')


def _file_part(src: str) -> str:
    return unquote(src.split("#")[0].split("?")[0])


def _image_files(page: str) -> set[str]:
    """The relative image files an example's HTML shows (those a deck may hold): Markdown
    images and raw `<img>` alike."""
    names = {_file_part(html.unescape(src)) for _, src, _ in IMG_SRC.findall(page)}
    return {name for name in names if name and not name.startswith("/") and ":" not in name}


def _normalise(page: str, assets: dict[str, bytes]) -> str:
    def code(match: re.Match) -> str:
        if match.group(4) is not None:  # deckpoll's: Pygments spans around escaped text
            lang, body = match.group(3) or "", re.sub(r"</?span[^>]*>", "", match.group(4))
        else:
            lang, body = match.group(1) or "", match.group(2)
        return f'<pre lang="{lang}">{html.escape(html.unescape(body), quote=False)}</pre>'

    def image(match: re.Match) -> str:
        src = html.unescape(match.group(2))
        name = assets[src].decode() if src in assets else _file_part(src)
        return f"{match.group(1)}file:{html.escape(name)}{match.group(3)}"

    return IMG_SRC.sub(image, CODE.sub(code, page))


def build(example: dict, folder: Path, reference: MarkdownIt) -> tuple[str, str]:
    """(what markdown-it-py gives, what a deck of this example gives), both normalised."""
    expected = reference.render(example["markdown"])
    for name in _image_files(expected):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name, "utf-8")  # content names the file: the hashed copy maps back
    (folder / "deck.yaml").write_text("title: Example\n", "utf-8")
    (folder / "slides.md").write_text(example["markdown"], "utf-8")
    try:
        compiled = compile_deck(folder)
    except DeckError as error:
        return _normalise(expected, {}), f"build failed: {error}"
    got = "".join(slide.html for slide in compiled.deck.slides)
    return _normalise(expected, {}), _normalise(got, compiled.assets)


EXAMPLES = [
    pytest.param(example, COMMONMARK, BY_DESIGN, id=f"{example['example']}-{example['section']}")
    for example in SPEC
] + [
    pytest.param(example, WITH_GFM, GFM_BY_DESIGN, id=f"gfm-{example['example']}")
    for example in GFM
]


@pytest.mark.parametrize(("example", "reference", "by_design"), EXAMPLES)
def test_example_renders_as_markdown_it_does(
    example: dict, reference: MarkdownIt, by_design: dict[int, str], tmp_path: Path
) -> None:
    expected, got = build(example, tmp_path, reference)
    reason = by_design.get(example["example"])
    if reason is None:
        assert got == expected
    else:
        assert got != expected, f"renders as markdown-it-py does now: drop it ({reason})"


def test_absolute_image_paths_fail_with_the_copy_hint(tmp_path: Path) -> None:
    for number in [n for n, reason in BY_DESIGN.items() if reason == ABSOLUTE]:
        _, got = build(SPEC[number - 1], tmp_path, COMMONMARK)
        assert "lies outside the deck folder" in got, number
        assert "copy the file into the deck folder" in got, number


# Texts where the splitter could go wrong: `---` and `:::` inside code, divs and comments.
TRICKY = [
    "::: notes\n  ```\n---\n  ```\n:::\n---\nx\n",
    "::: columns\n::: column\n```\n:::\n```\n---\n:::\n:::\n---\n",
    "  ::: notes\n---\n:::\n---\n",
    "<!-- a\n---\n-->\n---\n<!-- b -->\n---\n",
    "```` \n```\n---\n````\n---\n",
    "```x``` is code\n\n```\n---\n```\n---\n",
    "~~~ `ok`\n---\n~~~\n---\n",
    "> ```\n---\n```\n",
]


@pytest.mark.parametrize("text", [example["markdown"] for example in SPEC] + TRICKY)
def test_slides_split_where_markdown_it_sees_a_top_level_dash_rule(text: str) -> None:
    """The splitter cuts a file at exactly the `---` lines that markdown-it, parsing the file
    whole, takes for thematic breaks outside any container: it sees code, divs and comments
    as markdown-it does. (A `---` inside a raw HTML block such as `<div>` separates slides
    by design; no example here has one.)"""
    lines = text.split("\n")
    rules = {
        token.map[0]
        for token in markdown().parse(text)
        if token.type == "hr" and token.level == 0 and lines[token.map[0]].rstrip() == "---"
    }
    assert {text.count("\n", 0, start) for start, _ in separators(text)} == rules
