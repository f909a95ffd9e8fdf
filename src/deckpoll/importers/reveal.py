"""reveal.js Markdown and reveal-md decks: `---` between slides, `--`/`----` between vertical
slides (flattened in reading order), separators declared in the front matter, `Note:` and
`<aside class="notes">`, `<!-- .slide: ... -->` and `<!-- .element: class="fragment" -->`."""

from __future__ import annotations

import re
from pathlib import Path

from deckpoll.importers.core import (
    Comment,
    ImportContext,
    Line,
    Slide,
    aspect_of,
    fence_mask,
    front_matter,
    is_dark,
    keep_classes,
    numbered,
    split_at,
    take_comments,
)
from deckpoll.importers.passes import (
    dash_bullets,
    drop_raw_blocks,
    escape_deckpoll_syntax,
    fragment_at,
    setext_headings,
)

NAME = "reveal"
HORIZONTAL = r"---"
VERTICAL = r"--|----"
NOTES = r"\s*notes?:"
ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
COLOR = re.compile(r"^(#[0-9a-f]{3,8}|(rgb|hsl)a?\(.*\)|[a-z]+)$", re.IGNORECASE)
IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|svg|webp|avif)([?#].*)?$", re.IGNORECASE)
ASIDE = re.compile(
    r"<aside\b[^>]*class=[\"'][^\"']*\bnotes\b[^\"']*[\"'][^>]*>(.*?)</aside>", re.S | re.I
)
HTML_FRAGMENT = re.compile(r"^(\s*<\w+\b[^>]*\bclass=[\"'])([^\"']*\bfragment\b[^\"']*)([\"'])")


def detect(text: str, meta: dict) -> int:
    if {"revealOptions", "separator", "verticalSeparator", "notesSeparator"} & set(meta):
        return 100
    score = 0
    if re.search(r"<!--\s*\.(slide|element)\s*:", text):
        score += 60
    if re.search(r"^\s*notes?:", text, re.M | re.I) or re.search(r"<aside[^>]*notes", text):
        score += 20
    if re.search(r"^(--|----)[ \t]*$", text, re.M):
        score += 10
    return score


def convert(path: Path, text: str, ctx: ImportContext) -> list[Slide]:
    meta, body = front_matter(numbered(text), path, ctx)
    _settings(meta, path, ctx)
    horizontal = _line_pattern(meta.get("separator"), HORIZONTAL, path, ctx)
    vertical = _line_pattern(meta.get("verticalSeparator"), VERTICAL, path, ctx)
    notes = _line_pattern(meta.get("notesSeparator"), NOTES, path, ctx, whole=False)
    parts = split_at(body, lambda t: bool(horizontal.fullmatch(t) or vertical.fullmatch(t)))
    slides = []
    for part in parts:
        slide = Slide(path, part[0][0] if part else 1, [])
        lines, comments = take_comments(escape_deckpoll_syntax(dash_bullets(part)))
        lines = _apply_comments(lines, comments, slide, ctx)
        lines = _asides(lines, slide)
        lines = _notes(lines, notes, slide)
        lines = drop_raw_blocks(setext_headings(lines), slide, ctx)
        slide.body = _html_fragments(lines, slide, ctx)
        slides.append(slide)
    return slides


def _line_pattern(
    value: object, default: str, path: Path, ctx: ImportContext, whole: bool = True
) -> re.Pattern:
    """A separator regex of reveal (`\\r?\\n---\\r?\\n`, `^Note:`) as a pattern for one line."""
    if isinstance(value, str) and value.strip():
        source = re.sub(r"\\r\??|\\n|\(\?:\)|\^|\$", "", value)
        try:
            return re.compile(source, re.IGNORECASE if not whole else 0)
        except re.error:
            ctx.warn(
                path,
                1,
                f"separator {value!r} is not a regular expression Python reads; used the default",
            )
    return re.compile(
        f"(?:{default})[ \\t]*" if whole else default, re.IGNORECASE if not whole else 0
    )


def _settings(meta: dict, path: Path, ctx: ImportContext) -> None:
    for key in ("title", "description", "lang"):
        if isinstance(meta.get(key), str):
            ctx.config[key] = meta[key]
    if "author" in meta:
        ctx.config["authors"] = meta["author"]
    theme = meta.get("theme")
    if is_dark(theme) or (
        isinstance(theme, str)
        and Path(theme).stem in ("black", "night", "league", "blood", "moon", "dracula")
    ):
        ctx.config["theme"] = "dark"
    elif theme not in (None, "white", "simple", "default"):
        ctx.warn(
            path,
            1,
            f"reveal.js theme {theme!r} has no deckpoll equivalent; using the default theme",
        )
    options = meta.get("revealOptions") if isinstance(meta.get("revealOptions"), dict) else {}
    width, height = options.get("width"), options.get("height")
    if isinstance(width, int | float) and isinstance(height, int | float):
        aspect = aspect_of(width, height)
        if aspect:
            ctx.config["aspect"] = aspect
    if isinstance(options.get("slideNumber"), bool):
        ctx.config["slide_number"] = options["slideNumber"]
    ignored = sorted(str(k) for k in options if k not in ("width", "height", "slideNumber"))
    ignored += sorted(k for k in ("highlightTheme", "css", "scripts", "preprocessor") if k in meta)
    if ignored:
        ctx.drop(path, 1, f"reveal options {', '.join(ignored)}")


def _apply_comments(
    lines: list[Line], comments: list[Comment], slide: Slide, ctx: ImportContext
) -> list[Line]:
    for comment in sorted(comments, key=lambda c: -c.line):
        match = re.match(r"^\.(slide|element)\s*:(.*)$", comment.text, re.S)
        if not match:
            continue  # a plain comment: invisible in reveal.js too
        attrs = {
            m.group(1): m.group(2) or m.group(3) or m.group(4) or ""
            for m in ATTR.finditer(match.group(2))
        }
        if match.group(1) == "slide":
            _slide_attrs(attrs, slide, comment.line, ctx)
        else:
            lines = _element_attrs(attrs, lines, comment, slide, ctx)
    return lines


def _slide_attrs(attrs: dict, slide: Slide, line: int, ctx: ImportContext) -> None:
    for name, value in attrs.items():
        if name in ("data-background", "data-background-image") and (
            IMAGE_FILE.search(value) or not COLOR.match(value)
        ):
            slide.background, slide.background_line = value, line
        elif name == "class":
            keep_classes(value.split(), {}, slide, line, ctx)
        elif name == "id" and re.fullmatch(r"[A-Za-z0-9][\w-]{0,63}", value):
            slide.id = value
        else:
            ctx.drop(slide.path, line, f"slide attribute {name}={value!r}")


def _element_attrs(
    attrs: dict, lines: list[Line], comment: Comment, slide: Slide, ctx: ImportContext
) -> list[Line]:
    index = next((i for i, (n, _) in enumerate(lines) if n == comment.line), None)
    if index is not None and comment.alone:
        index -= 1
        while index >= 0 and not lines[index][1].strip():
            index -= 1
    classes = attrs.pop("class", "").split()
    for name in [
        c
        for c in classes
        if c != "fragment"
        and not c.startswith(("fade", "grow", "shrink", "highlight", "strike", "semi", "current"))
    ]:
        ctx.drop(slide.path, comment.line, f"element class {name!r}")
    for name in attrs:
        if name != "data-fragment-index":
            ctx.drop(slide.path, comment.line, f"element attribute {name}")
    if "fragment" in classes and index is not None and index >= 0:
        return fragment_at(list(lines), index, slide, ctx)
    return lines


def _asides(lines: list[Line], slide: Slide) -> list[Line]:
    """`<aside class="notes">` blocks become the slide's notes."""
    text = "\n".join(t for _, t in lines)
    if "<aside" not in text:
        return lines
    for match in ASIDE.finditer(text):
        line = lines[text[: match.start()].count("\n")][0] if lines else slide.line
        for offset, note in enumerate(match.group(1).strip("\n").split("\n")):
            slide.notes.append((line + offset, re.sub(r"</?(p|ul|li|br)\b[^>]*>", "", note)))
    stripped = ASIDE.sub(lambda m: "\n" * m.group(0).count("\n"), text).split("\n")
    return [(number, stripped[i]) for i, (number, _) in enumerate(lines)]


def _notes(lines: list[Line], pattern: re.Pattern, slide: Slide) -> list[Line]:
    for index, ((number, text), fenced) in enumerate(zip(lines, fence_mask(lines), strict=True)):
        match = None if fenced else pattern.match(text)
        if match:
            slide.notes = [*slide.notes, (number, text[match.end() :].strip()), *lines[index + 1 :]]
            return lines[:index]
    return lines


def _html_fragments(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    """A raw HTML element with class `fragment` appears on its own step."""
    for index in range(len(lines) - 1, -1, -1):
        number, text = lines[index]
        match = HTML_FRAGMENT.match(text)
        if match:
            rest = " ".join(c for c in match.group(2).split() if c != "fragment")
            lines[index] = (number, match.group(1) + rest + match.group(3) + text[match.end() :])
            lines = fragment_at(lines, index, slide, ctx)
    return lines
