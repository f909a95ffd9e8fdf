"""The page loads nothing from other hosts: a check of rendered HTML with an HTML parser,
and the Content-Security-Policy that makes browsers hold to it too.

A denylist of regular expressions over the source misses `srcset`, `poster`, an SVG
`<image href>`, `https:host`, a leading space or an entity-encoded URL. Here the HTML is
parsed as a browser would read it (entities decoded), every attribute that makes the
browser fetch something is looked at, and so is CSS in `style` attributes and `<style>`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Attributes whose value the browser fetches (or submits to) without a click.
URL_ATTRS = frozenset(
    {
        "src",
        "poster",
        "data",
        "action",
        "formaction",
        "background",
        "ping",
        "manifest",
        "codebase",
        "lowsrc",
        "dynsrc",
        "longdesc",
        "xlink:href",
    }
)
SRCSET_ATTRS = frozenset({"srcset", "imagesrcset"})
# `href` loads something everywhere but on links the reader follows.
LINK_TAGS = frozenset({"a", "area"})
LOCAL_SCHEMES = ("data:", "about:")
CSS_URL = re.compile(r"url\(\s*(\"[^\"]*\"|'[^']*'|[^)\s]*)\s*\)", re.IGNORECASE)
CSS_IMAGE_SET = re.compile(r"image-set\(([^)]*)\)", re.IGNORECASE)
CSS_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|.)", re.DOTALL)
REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]*)", re.IGNORECASE)
# Browsers drop these from a URL before reading it (WHATWG URL parser).
URL_STRIPPED = re.compile(r"[\t\n\r]")


def is_external(url: str) -> bool:
    """Whether the browser would fetch `url` from somewhere other than the page's folder:
    any scheme but data:, or a scheme-relative `//host`."""
    url = (
        URL_STRIPPED.sub("", url)
        .strip(
            "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
            "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
            "\x19\x1a\x1b\x1c\x1d\x1e\x1f "
        )
        .lower()
    )
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        return True
    if url.startswith(LOCAL_SCHEMES):
        return False
    return bool(re.match(r"[a-z][a-z0-9+.-]*:", url))


def css_problems(css: str) -> list[str]:
    """The external URLs and `@import`s in a piece of CSS (escapes decoded first)."""
    css = CSS_ESCAPE.sub(_css_unescape, css)
    found = [m.group(0) for m in re.finditer(r"@import\b[^;]*", css, re.IGNORECASE)]
    for match in CSS_URL.finditer(css):
        if is_external(match.group(1).strip("\"'")):
            found.append(match.group(0))
    for match in CSS_IMAGE_SET.finditer(css):
        for string in CSS_STRING.finditer(match.group(1)):
            if is_external(string.group(1) or string.group(2) or ""):
                found.append(string.group(0))
    return found


def _css_unescape(match: re.Match) -> str:
    body = match.group(1)
    if re.fullmatch(r"[0-9a-fA-F]{1,6}\s?", body):
        code = int(body.strip(), 16)
        return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
    return body


def srcset_urls(value: str) -> list[str]:
    """The URLs of a `srcset` (a comma inside a data: URL splits it harmlessly)."""
    return [part.split()[0] for part in value.split(",") if part.split()]


# What markup that deckpoll generated (no raw HTML in the slide) may hold without a parse:
# links (`<a href>` is followed, not loaded) and images it copied (`src="assets/..."`, a
# relative path whatever the tag). Anything else that names an attribute which loads (after
# a space, `/` or quote, as the HTML parser reads attribute names), or a <style> element,
# sends the HTML through the parser. Searched in lower case: a tenth of an IGNORECASE scan.
_MAY_LOAD = re.compile(
    "[\\s/\"'](?:"
    + "|".join(sorted(URL_ATTRS | SRCSET_ATTRS | {"href", "style", "srcdoc", "content"}))
    + ")\\s*=|<style"
)


def may_load_external(generated_html: str) -> bool:
    """False when HTML made by deckpoll's renderers (not raw HTML from the slide, which can
    put a tag anywhere) cannot load anything: then external_refs need not parse it. Text
    in such HTML is escaped, so every `<` found is a tag of deckpoll's."""
    rest = generated_html.replace('<a href="', "").replace(' src="assets/', " ")
    return _MAY_LOAD.search(rest.lower()) is not None


def external_refs(html: str) -> list[str]:
    """What in `html` would make a browser load from another host: each as the attribute
    or CSS text that names it (decoded), in document order."""
    finder = _ExternalFinder()
    finder.feed(html)
    finder.close()
    return finder.found


class _ExternalFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in URL_ATTRS or (name == "href" and tag not in LINK_TAGS):
                urls = [value]
            elif name in SRCSET_ATTRS:
                urls = srcset_urls(value)
            elif name == "style":
                self.found.extend(css_problems(value))
                continue
            elif name == "srcdoc":  # a whole document inside an <iframe>
                self.found.extend(external_refs(value))
                continue
            else:
                continue
            self.found.extend(f'{name}="{url.strip()}"' for url in urls if is_external(url))
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            match = REFRESH_URL.search(values.get("content", ""))
            if match and is_external(match.group(1)):
                self.found.append(f'content="{values["content"].strip()}"')

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(css_problems(data))


def content_security_policy(poll_url: str | None) -> str:
    """The policy the page carries in a `<meta>`: nothing from other hosts, whether the page
    is opened from disk, a static host or the poll server; only the poll server (its own
    origin, or `polls.url`) may be talked to."""
    connect = "'self'"
    if poll_url:
        parts = urlsplit(poll_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            connect += f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self' data: blob:; "
        "script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline' data:; "
        "img-src 'self' data: blob:; "
        "media-src 'self' data: blob:; "
        "font-src 'self' data:; "
        f"connect-src {connect}; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'none'"
    )
