"""Reference for bench/build.py: a bare markdown-it-py + Pygments pass over a deck's slides.md
that writes one HTML file and does nothing else (no slides, polls, theme or runtime).

    python bench/bare_pass.py DECK_FOLDER OUT_FILE
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
    html = md.render((deck / "slides.md").read_text("utf-8"))
    out.write_text(f"<!doctype html><title>bare</title>{html}", "utf-8")


if __name__ == "__main__":
    main()
