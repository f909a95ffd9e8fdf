"""Marp / Marpit decks: `marp: true` front matter, directives in HTML comments (`class`,
`_class`, `paginate`, ...), `![bg](...)` backgrounds, other comments as presenter notes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from deckpoll.importers.core import (
    ImportContext,
    Line,
    Slide,
    aspect_of,
    fence_mask,
    front_matter,
    is_dark,
    keep_classes,
    load_yaml,
    numbered,
    parse_ratio,
    split_at,
    take_comments,
    trim,
)
from deckpoll.importers.images import MD_IMAGE
from deckpoll.importers.passes import (
    columns,
    drop_raw_blocks,
    escape_deckpoll_syntax,
    setext_headings,
)

NAME = "marp"
CUT = "\x00cut"
HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
LOCAL = {
    "paginate",
    "header",
    "footer",
    "class",
    "backgroundColor",
    "backgroundImage",
    "backgroundPosition",
    "backgroundRepeat",
    "backgroundSize",
    "color",
    "transition",
    "headingDivider",
    "theme",
    "style",
    "size",
    "math",
    "title",
    "description",
    "author",
    "image",
    "keywords",
    "url",
    "marp",
    "lang",
}
CLASSES = {"invert": "dark", "lead": "center"}
SIDE = re.compile(r"^(left|right)(:\d+(\.\d+)?%)?$")
SIZE_KEYWORD = re.compile(
    r"^(?:(?:w|h|width|height):\S+|\d+(?:\.\d+)?%|fit|contain|cover|auto|vertical|"
    r"(?:blur|brightness|contrast|drop-shadow|grayscale|hue-rotate|invert|opacity|saturate|"
    r"sepia)(?::\S+)?)$"
)


def detect(text: str, meta: dict) -> int:
    if meta.get("marp") is True:
        return 100
    score = 0
    if re.search(r"<!--\s*_?(class|paginate|header|footer|backgroundColor|color)\s*:", text):
        score += 30
    if re.search(r"!\[[^\]]*\bbg\b[^\]]*\]\(", text):
        score += 30
    if {"paginate", "headingDivider", "size", "backgroundColor"} & set(meta):
        score += 20
    return score


def convert(path: Path, text: str, ctx: ImportContext) -> list[Slide]:
    meta, body = front_matter(numbered(text), path, ctx)
    inherited: dict = {}
    _directives(meta, path, 1, ctx, inherited, None)
    parts = _split(body, _levels(meta.get("headingDivider")))
    slides = []
    for part in parts:
        slide = Slide(path, part[0][0] if part else 1, [])
        lines, comments = take_comments(escape_deckpoll_syntax(part))
        local: dict = {}
        for comment in comments:
            data = _directive_data(comment.text)
            if data is None:
                if comment.text.strip() == "fit":
                    ctx.drop(path, comment.line, "`<!--fit-->`", "headings keep their size")
                else:
                    slide.notes.append((comment.line, comment.text))
                continue
            _directives(data, path, comment.line, ctx, inherited, local)
        _apply({**inherited, **local}, slide, ctx)
        lines = drop_raw_blocks(lines, slide, ctx)
        slide.body = _images(setext_headings(lines), slide, ctx)
        _numbered_steps(slide, ctx)
        slides.append(slide)
    return slides


def _split(lines: list[Line], levels: set[int]) -> list[list[Line]]:
    """Marp cuts at every horizontal rule (`---`, `***`, `___`), except `---` under a line of
    text (a heading there); `headingDivider` also cuts before headings of those levels once
    anything came before (even right after a rule, as Marpit does)."""
    lines = setext_headings(lines, dashes=True)
    marked: list[Line] = []
    content = False
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        heading = None if fenced else re.match(r"^ {0,3}(#{1,6})\s", text)
        if heading and len(heading.group(1)) in levels and content:
            marked.append((number, CUT))
        content = content or bool(text.strip())
        marked.append((number, text))
    return split_at(marked, lambda t: t == CUT or bool(HR.match(t)))


def _levels(value: object) -> set[int]:
    """`headingDivider: 2` -> {1, 2}; `[1, 3]` -> {1, 3}."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6:
        return set(range(1, value + 1))
    if isinstance(value, list):
        return {v for v in value if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 6}
    return set()


def _directive_data(text: str) -> dict | None:
    """A comment's directives, or None when it is a presenter note."""
    if not re.match(r"^\s*_?[A-Za-z]+\s*:", text):
        return None
    try:
        data = load_yaml(text)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(data, dict) or not all(str(k).lstrip("_") in LOCAL for k in data):
        return None
    return data


def _directives(
    data: dict, path: Path, line: int, ctx: ImportContext, inherited: dict, local: dict | None
) -> None:
    """Sort directives into deck settings, this slide's (`_x`) and the following slides'."""
    for key, value in data.items():
        key = str(key)
        name = key.lstrip("_")
        if name in ("title", "description", "lang") and isinstance(value, str):
            ctx.config.setdefault(name, value)
        elif name == "author":
            ctx.config.setdefault("authors", value)
        elif name == "theme":
            _theme(value, path, line, ctx)
        elif name == "size":
            ratio = parse_ratio(value)
            aspect = aspect_of(*ratio) if ratio else None
            if aspect:
                ctx.config["aspect"] = aspect
            else:
                ctx.drop(path, line, f"size {value!r}", "deckpoll slides are 16:9, 4:3 or 16:10")
        elif key == "paginate" and local is None and isinstance(value, bool):
            ctx.config["slide_number"] = value
        elif name in ("marp", "headingDivider", "math"):
            continue
        elif (
            name == "class" and isinstance(value, str) and not key.startswith("_") and local is None
        ):
            # A class in the front matter holds for every slide; invert means a dark deck.
            if value.split() == ["invert"]:
                ctx.config["theme"] = "dark"
            else:
                inherited[name] = (value, line)
        elif name in ("class", "backgroundImage"):
            target = local if key.startswith("_") and local is not None else inherited
            target[name] = (value, line)
        else:
            ctx.drop(path, line, f"the `{key}` directive")


def _theme(value: object, path: Path, line: int, ctx: ImportContext) -> None:
    if is_dark(value):
        ctx.config["theme"] = "dark"
    elif value not in (None, "default"):
        ctx.warn(
            path, line, f"Marp theme {value!r} has no deckpoll equivalent; using the default theme"
        )


def _apply(directives: dict, slide: Slide, ctx: ImportContext) -> None:
    if "class" in directives:
        value, line = directives["class"]
        names = value.split() if isinstance(value, str) else []
        keep_classes(names, CLASSES, slide, line, ctx)
    if "backgroundImage" in directives:
        value, line = directives["backgroundImage"]
        match = re.fullmatch(r"\s*url\(\s*['\"]?([^'\")]+)['\"]?\s*\)\s*", str(value))
        if match:
            slide.background, slide.background_line = match.group(1), line
        else:
            ctx.drop(
                slide.path,
                line,
                f"backgroundImage {value!r}",
                "only an image file can be a background",
            )


def _images(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    """`![bg](x)` becomes the slide's background (`bg left`/`right`: the image in a column
    beside the content); size and filter keywords are dropped with a warning."""
    out: list[Line] = []
    side: tuple[str, str, int] | None = None
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        if fenced:
            out.append((number, text))
            continue

        def image(match: re.Match, number: int = number) -> str:
            nonlocal side
            words = match.group("alt").split()
            keywords = [w for w in words if w == "bg" or SIDE.match(w) or SIZE_KEYWORD.match(w)]
            alt = " ".join(w for w in words if w not in keywords)
            src = match.group("src").strip("<>")
            if "bg" not in keywords:
                if keywords:
                    ctx.drop(slide.path, number, f"image keywords {' '.join(keywords)!r}")
                return f"![{alt}]({match.group('src')})"
            extra = [w for w in keywords if w not in ("bg", "left", "right", "cover")]
            if extra:
                ctx.drop(slide.path, number, f"background keywords {' '.join(extra)!r}")
            split = next((w.split(":")[0] for w in keywords if SIDE.match(w)), None)
            if split and side is None and not slide.background:
                side = (split, src, number)
            elif slide.background is None and side is None:
                slide.background, slide.background_line = src, number
            else:
                ctx.drop(slide.path, number, f"background {src!r}", "a slide has one background")
            return ""

        replaced = MD_IMAGE.sub(image, text)
        out.append((number, replaced if replaced.strip() or not text.strip() else ""))
    if side is None:
        return out
    where, src, number = side
    figure: list[Line] = [(number, f"![]({src})")]
    content = trim(out)
    return columns([figure, content] if where == "left" else [content, figure], slide, ctx, number)


def _numbered_steps(slide: Slide, ctx: ImportContext) -> None:
    """Marp shows `1)` lists item by item; deckpoll steps only through `*` lists."""
    for (number, text), fenced in zip(slide.body, fence_mask(slide.body), strict=True):
        if not fenced and re.match(r"^\s*\d{1,9}\)\s", text):
            ctx.drop(slide.path, number, "the step-by-step `1)` list", "it appears at once")
            return
