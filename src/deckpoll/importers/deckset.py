"""Deckset decks: global commands in the first lines (`slidenumbers:`, `build-lists:`,
`theme:`, `slide-dividers:`), `[.command]` lines per slide, `[.column]`, `^` notes,
`[fit]` headings, and images that are backgrounds unless marked `inline`."""

from __future__ import annotations

import re
from pathlib import Path

from deckpoll.importers.core import (
    ImportContext,
    Line,
    Slide,
    fence_mask,
    numbered,
    split_at,
    take_comments,
    trim,
)
from deckpoll.importers.images import MD_IMAGE
from deckpoll.importers.passes import (
    columns as make_columns,
)
from deckpoll.importers.passes import (
    dash_bullets,
    drop_raw_blocks,
    escape_deckpoll_syntax,
    setext_headings,
    star_bullets,
)

NAME = "deckset"
GLOBAL = re.compile(
    r"^(footer|slidenumbers|slidecount|autoscale|theme|build-lists|slide-transition|"
    r"presenter-notes|slide-dividers|footer-style|text|text-strong|text-emphasis|header|"
    r"header-strong|header-emphasis|code|code-highlight|background-color|list|quote|"
    r"quote-author|table|table-separator|link|fit-header|link-style|image-size|"
    r"scale-text|build-lists-steps|paragraph-spacing):\s*(.*)$",
    re.IGNORECASE,
)
COMMAND = re.compile(r"^\s*\[\.([\w-]+)(?:\s*:\s*([^\]]*))?\]\s*$")
SEPARATOR = re.compile(r"^-{3,}[ \t]*$")
KEYWORD = re.compile(r"^(inline|fit|fill|left|right|filtered|original|corner-radius\(\d+\)|\d+%)$")


def detect(text: str, meta: dict) -> int:
    score = 0
    head = text.lstrip("\n").split("\n\n", 1)[0]
    if head and all(GLOBAL.match(line) for line in head.split("\n") if line.strip()):
        score += 60
    if re.search(
        r"^\s*\[\.(column|build-lists|hide-footer|background-color|slidenumbers|autoscale)",
        text,
        re.M,
    ):
        score += 60
    if re.search(r"^\^ ", text, re.M) or re.search(r"^#+\s*\[fit\]", text, re.M):
        score += 40
    if re.search(r"!\[(inline|fit|left|right|filtered)[^\]]*\]\(", text):
        score += 20
    return score


def convert(path: Path, text: str, ctx: ImportContext) -> list[Slide]:
    lines = numbered(text)
    start = 0
    while start < len(lines) and not lines[start][1].strip():
        start += 1
    settings: dict[str, tuple[str, int]] = {}
    while start < len(lines) and GLOBAL.match(lines[start][1]):
        match = GLOBAL.match(lines[start][1])
        settings[match.group(1).lower()] = (match.group(2).strip(), lines[start][0])
        start += 1
    _globals(settings, path, ctx)
    build_lists = settings.get("build-lists", ("", 0))[0].lower() == "true"
    dividers = _dividers(settings.get("slide-dividers", ("", 0))[0])
    body = _divide(lines[start:], dividers)
    slides = []
    for part in split_at(body, lambda t: bool(SEPARATOR.match(t))):
        slides.append(_slide(part, path, build_lists, ctx))
    return slides


def _globals(settings: dict[str, tuple[str, int]], path: Path, ctx: ImportContext) -> None:
    for key, (value, line) in settings.items():
        if key == "slidenumbers":
            ctx.config["slide_number"] = value.lower() == "true"
        elif key == "theme":
            ctx.warn(
                path,
                line,
                f"Deckset theme {value!r} has no deckpoll equivalent; using the default theme",
            )
        elif key not in ("build-lists", "slide-dividers", "autoscale"):
            ctx.drop(path, line, f"the `{key}:` setting")


def _dividers(value: str) -> set[int]:
    return {
        len(level.strip()) for level in value.split(",") if re.fullmatch(r"\s*#{1,6}\s*", level)
    }


def _divide(lines: list[Line], levels: set[int]) -> list[Line]:
    """`slide-dividers: #, ##` starts a slide at each heading of those levels."""
    if not levels:
        return lines
    out: list[Line] = []
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        heading = None if fenced else re.match(r"^(#{1,6})\s", text)
        if (
            heading
            and len(heading.group(1)) in levels
            and any(t.strip() for _, t in out[_last_cut(out) :])
        ):
            out.append((number, "---"))
        out.append((number, text))
    return out


def _last_cut(lines: list[Line]) -> int:
    for index in range(len(lines) - 1, -1, -1):
        if SEPARATOR.match(lines[index][1]):
            return index + 1
    return 0


def _slide(part: list[Line], path: Path, build_lists: bool, ctx: ImportContext) -> Slide:
    slide = Slide(path, part[0][0] if part else 1, [])
    lines: list[Line] = []
    columns: list[list[Line]] = []
    part = drop_raw_blocks(escape_deckpoll_syntax(take_comments(part)[0]), slide, ctx)
    for (number, text), fenced in zip(part, fence_mask(part), strict=True):
        command = None if fenced else COMMAND.match(text)
        if command:
            name, value = command.group(1).lower(), (command.group(2) or "").strip().lower()
            if name == "column":
                columns.append([])
            elif name == "build-lists":
                build_lists = value != "false"
            else:
                ctx.drop(path, number, f"the `[.{command.group(1)}]` command")
            continue
        if not fenced and text.startswith("^"):
            slide.notes.append((number, text[1:].strip()))
            continue
        if not fenced and re.match(r"^\s*#{1,6}\s*\[fit\]", text, re.I):
            ctx.drop(path, number, "`[fit]`", "headings keep their size")
            text = re.sub(r"\[fit\]\s*", "", text, count=1, flags=re.I)
        (columns[-1] if columns else lines).append((number, text))
    body = lines
    if columns:
        body = [*lines, *make_columns(columns, slide, ctx)]
    body = setext_headings(body)
    body = star_bullets(body) if build_lists else dash_bullets(body)
    slide.body = _images(body, slide, ctx)
    return slide


def _images(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    """An image alone in its paragraph is a background in Deckset unless marked `inline`."""
    out: list[Line] = []
    split: tuple[str, str, int] | None = None
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        match = None if fenced else MD_IMAGE.fullmatch(text.strip())
        if match is None:
            out.append((number, text))
            continue
        words = [w for w in re.split(r"[,\s]+", match.group("alt")) if w]
        keywords = [w for w in words if KEYWORD.match(w.lower())]
        alt = " ".join(w for w in words if w not in keywords)
        src = match.group("src")
        if "inline" in (k.lower() for k in keywords):
            out.append((number, f"![{alt}]({src})"))
            continue
        side = next((k.lower() for k in keywords if k.lower() in ("left", "right")), None)
        if side and split is None:
            split = (side, src, number)
        elif slide.background is None and split is None:
            slide.background, slide.background_line = src.strip("<>"), number
        else:
            ctx.drop(slide.path, number, f"background {src!r}", "a slide has one background")
        out.append((number, ""))
    if split is None:
        return out
    side, src, number = split
    pair = [[(number, f"![]({src})")], trim(out)]
    if side == "right":
        pair.reverse()
    return make_columns(pair, slide, ctx, number)
