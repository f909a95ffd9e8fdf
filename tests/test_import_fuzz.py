"""The importers never crash: any text, in any tool's dialect, imports or fails with a clear
DeckpollError, and what is imported builds (warnings allowed, no errors)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckpoll.build import compile_deck
from deckpoll.errors import DeckpollError
from deckpoll.importers import TOOLS, import_deck
from importing import FIXTURES

# Pieces of every dialect, so that random text is mostly near-miss syntax, not noise.
PIECES = [
    "---",
    "----",
    "--",
    "***",
    "___",
    "???",
    "^ note",
    "Note:",
    "Notes:",
    ". . .",
    ":::",
    "::: notes",
    "::right::",
    "::left::",
    "<!--",
    "-->",
    "<!-- _class: lead -->",
    "<!-- class: invert -->",
    '<!-- .slide: data-background="x.png" -->',
    '<!-- .element: class="fragment" -->',
    "<v-click>",
    "</v-click>",
    "<v-clicks>",
    "</v-clicks>",
    "<div v-click>",
    "</div>",
    "{{ $slidev.nav }}",
    "$0",  # dollars: deckpoll reads `$…$` as TeX, most tools as text
    "^$",
    "$$",
    "$x^$",
    "\\frac{",
    "layout: true",
    "layout: two-cols",
    "src: ./x.md",
    "src: ../../etc/passwd",
    "src: ./slides.md",
    "class: center, middle",
    "template: x",
    "name: x",
    "exclude: true",
    "hide: true",
    "background-image: url(x.png)",
    "[.column]",
    "[.build-lists: true]",
    "[fit]",
    "![bg](x.png)",
    "![bg left](https://e.com/x.png)",
    "![](https://e.com/x.png)",
    "![inline](x.png)",
    '<img src="//e.com/x">',
    '<iframe src="https://e.com">',
    "<style>",
    "</style>",
    "<script>",
    "```",
    "````",
    "~~~",
    "```yaml",
    "marp: true",
    "theme: gaia",
    "headingDivider: 2",
    "size: 4:3",
    "revealOptions:",
    "  width: 960",
    'separator: "("',
    "aspectRatio: 0/0",
    ".left-column[",
    "]",
    ".red[x]",
    "# Title",
    "* item",
    "- item",
    "1) item",
    "<<< @/x.ts#a",
    "\t",
    "",
    "key: [unclosed",
    "&amp;",
    "\x00",
    "\ufeff",
    "<",
    ">",
    "[",
    "!",
    "\\",
    "|",
    "é",
    "🙂",
]
line = st.one_of(st.sampled_from(PIECES), st.text(max_size=20))
deck_text = st.lists(line, max_size=40).map("\n".join)
front = st.sampled_from(["", "---\nmarp: true\n---\n", "---\ntheme: seriph\nlayout: cover\n---\n"])


def run(text: str, tool: str, name: str = "slides.md") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        (source / name).write_text(text, "utf-8", errors="surrogatepass")
        (source / "x.md").write_text(text[:200], "utf-8", errors="surrogatepass")
        (source / "x.png").write_bytes((FIXTURES / "deckset-basic/img/bg.png").read_bytes())
        try:
            imported = import_deck(source / name, Path(tmp) / "out", tool)
        except DeckpollError:
            return  # a clear, located message: fine
        compiled = compile_deck(imported.out)
        assert len(compiled.manifest["slides"]) == imported.slides


@pytest.mark.parametrize("tool", ["auto", *TOOLS])
@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(text=st.tuples(front, deck_text).map("".join))
def test_any_text_imports_and_builds(tool: str, text: str) -> None:
    run(text, tool)


@settings(max_examples=30, deadline=None, database=None)
@given(text=deck_text)
def test_html_pages_import_or_fail_cleanly(text: str) -> None:
    run(f'<html><textarea id="source">{text}</textarea></html>', "auto", "index.html")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe\x00\x00",
        b"---\n" * 50,
        b"\xc3\x28 latin-1 \xe9",
        b"<!--" * 1000,
        b"---\nmarp: true\n---\n\xef\xbb\xbf\n***",  # a BOM that is not at the start
    ],
)
def test_odd_bytes(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "slides.md").write_bytes(data)
    try:
        imported = import_deck(tmp_path / "slides.md", tmp_path / "out")
    except DeckpollError:
        return
    assert len(compile_deck(imported.out).manifest["slides"]) == imported.slides


# Inputs the fuzzing found, kept as regressions: each once broke the build or the count.
FOUND = [
    ("auto", "::: notes"),
    ("auto", '</style>\n---\n---\n```\n<img src="//e.com/x">'),
    ("deckset", "[.column]\n<style>"),
    ("deckset", "<!--\n---"),
    ("remark", "???\n<!--\n---"),
    ("slidev", '<div v-click>\n```\n<img src="//e.com/x">'),
    ("deckset", "<!--\n![bg left](https://e.com/x.png)"),
    ("reveal", "Note:\n```\n::: notes"),
    ("remark", "<v-click>\n```\n\t\n::: notes"),
    ("marp", "---"),
    ("remark", "---\ntheme: seriph\nlayout: cover\n---\n"),
    ("marp", "![bg left](https://e.com/x.png)\n```"),
    ("marp", "<!--\n```\n```"),  # a note spanning lines, with a fence in it
    ("remark", "$0\n^$"),  # text to remark, broken TeX to deckpoll (importers/tex.py)
    ("remark", "$$\n\\frac{\n$$\n$0 $x^$"),
]


@pytest.mark.parametrize(("tool", "text"), FOUND)
def test_inputs_fuzzing_found(tool: str, text: str) -> None:
    run(text, tool)
