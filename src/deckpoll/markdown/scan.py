"""One line scanner for deckpoll's own block structure: slide separators (`---`) and fenced
divs (`:::`), found outside fenced code and HTML comments.

The slide splitter and the fenced-div rule both ask this module, so they cannot disagree on
where a div or a slide ends (a `:::` or `---` line shown inside a code block is code). One
regular expression finds the few lines that matter, so the cost barely grows with the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

LINE = re.compile(
    r"^(?: {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)"
    r"|[ \t]*(?P<comment><!--)"
    r"| {0,3}(?P<div>:{3,}[^\n]*)"
    r"|(?P<separator>---)[ \t]*$)",
    re.MULTILINE,
)
OPENER = re.compile(r"^(:{3,})[ \t]*\{?\.?([A-Za-z][\w-]*)\}?[ \t]*:*[ \t]*$")
CLOSER = re.compile(r"^:{3,}[ \t]*$")


@functools.cache
def _fence_closer(fence: str) -> re.Pattern[str]:
    return re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)


def marks(text: str, pos: int = 0) -> Iterator[tuple[str, int, int]]:
    """`("open" | "close" | "separator", line start, line end)` for each div opener, div
    closer and `---` line from `pos` on, skipping fenced code and HTML comments. An unclosed
    fence or comment runs to the end of the text, as in CommonMark."""
    while True:
        match = LINE.search(text, pos)
        if match is None:
            return
        end = text.find("\n", match.start())
        end = len(text) if end < 0 else end
        pos = end + 1
        fence, div = match["fence"], match["div"]
        if fence:
            if fence[0] == "`" and "`" in match["info"]:
                continue  # not a fence: a backtick fence's info has no backtick (CommonMark 145)
            closed = _fence_closer(fence).search(text, pos)
            if closed is None:
                return
            pos = closed.end() + 1
        elif match["comment"]:
            if "-->" not in text[match.start("comment") : end]:
                close = text.find("-->", pos)
                if close < 0:
                    return
                next_line = text.find("\n", close)
                pos = len(text) if next_line < 0 else next_line + 1
        elif div:
            if OPENER.match(div):
                yield "open", match.start(), end
            elif CLOSER.match(div):
                yield "close", match.start(), end
        else:
            yield "separator", match.start(), end


def separators(text: str) -> Iterator[tuple[int, int]]:
    """(line start, line end) of each `---` line that separates slides: outside code, HTML
    comments and divs. After an unclosed div there are none."""
    depth = 0
    for kind, start, end in marks(text):
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif depth == 0:
            yield start, end


def div_end(text: str) -> int | None:
    """Where the line closing a div starts, given the text after its opener line; None when
    nothing closes it. Divs nest: each opener inside needs its own closer."""
    depth = 1
    for kind, start, _ in marks(text):
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0:
                return start
    return None
