"""Reference for bench/build.py: a bare markdown-it-py + Pygments pass over a deck's slides.md
that writes one HTML file and does nothing else (no slides, polls, theme or runtime).

    python bench/bare_pass.py DECK_FOLDER OUT_FILE [--required]

With `--required` it also does its small share of the job with the libraries deckpoll must
use besides these two (DESIGN.md §7: click for the command line, PyYAML for deck.yaml,
Jinja2 for the page): the floor a deckpoll build cannot go below, printed by
bench/build.py next to the build's own ratio.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound


def main() -> None:
    deck, out = Path(sys.argv[1]), Path(sys.argv[2])
    if "--required" in sys.argv[3:]:
        required(deck, out)
        return
    out.write_text(f"<!doctype html><title>bare</title>{body(deck)}", "utf-8")


def required(deck: Path, out: Path) -> None:
    """The bare pass through click, PyYAML and Jinja2 (see the module's note)."""
    import click
    import jinja2
    import yaml
    from markupsafe import Markup

    @click.command()
    def run() -> None:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        config = yaml.load((deck / "deck.yaml").read_text("utf-8"), Loader=loader)  # noqa: S506
        page = jinja2.Environment(autoescape=True).from_string(
            "<!doctype html><title>{{ title }}</title>{{ body }}"
        )
        html = page.render(title=config.get("title"), body=Markup(body(deck)))
        out.write_text(html, "utf-8")

    run.main([], standalone_mode=False)


def body(deck: Path) -> str:
    formatter = HtmlFormatter()

    @functools.cache
    def lexer(lang: str):
        try:
            return get_lexer_by_name(lang)
        except ClassNotFound:
            return None

    def highlight_code(code: str, lang: str, attrs: str) -> str:
        found = lexer(lang) if lang != "poll" else None  # poll blocks are data, not code
        return highlight(code, found, formatter) if found else ""

    md = MarkdownIt("commonmark", {"highlight": highlight_code})
    return md.render((deck / "slides.md").read_text("utf-8"))


if __name__ == "__main__":
    main()
