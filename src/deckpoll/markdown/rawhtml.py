"""Raw HTML in Markdown: media it names by a relative path (`<img src="x.png">`, `<video
poster>`, `<source srcset>`) is copied or inlined like a Markdown image, and the slide as
rendered is checked for anything that would load from another host."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from html.parser import HTMLParser

from deckpoll.offline import is_external

MEDIA_TAGS = frozenset({"img", "video", "audio", "source", "track", "input"})
MEDIA_ATTRS = ("src", "poster", "srcset")

# (attribute value, 0-based offset of its tag in the HTML) -> the URL to use, or None to
# leave the attribute as written (an error was reported, or it is not a local file).
Localize = Callable[[str, int], "str | None"]


def localize_media(html: str, localize: Localize) -> str:
    """`html` with the local file references of its media tags replaced by `localize`."""
    if "<" not in html:
        return html
    finder = _MediaFinder(html, localize)
    finder.feed(html)
    finder.close()
    out = html
    for start, old, new in reversed(finder.edits):
        out = out[:start] + new + out[start + len(old) :]
    return out


def is_local(url: str) -> bool:
    """A reference to a file of the deck (not data:, not a fragment, not another host)."""
    url = url.strip()
    return bool(url) and not url.startswith(("data:", "#")) and not is_external(url)


class _MediaFinder(HTMLParser):
    def __init__(self, html: str, localize: Localize) -> None:
        super().__init__(convert_charrefs=True)
        self.localize = localize
        self.line_starts = [0]
        for index, char in enumerate(html):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.edits: list[tuple[int, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, " /")

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        if tag not in MEDIA_TAGS:
            return
        line, col = self.getpos()
        offset = self.line_starts[line - 1] + col
        changed = False
        out: list[tuple[str, str | None]] = []
        for name, value in attrs:
            if name in MEDIA_ATTRS and value:
                new = self._value(name, value, offset)
                changed |= new != value
                value = new
            out.append((name, value))
        if changed:
            text = "".join(
                f" {name}" if value is None else f' {name}="{escape(value)}"' for name, value in out
            )
            self.edits.append((offset, self.get_starttag_text() or "", f"<{tag}{text}{close}>"))

    def _value(self, name: str, value: str, offset: int) -> str:
        if name != "srcset":
            return (self.localize(value, offset) or value) if is_local(value) else value
        parts = []
        for candidate in value.split(","):
            words = candidate.split()
            if words and is_local(words[0]):
                words[0] = self.localize(words[0], offset) or words[0]
            parts.append(" ".join(words))
        return ", ".join(parts)
