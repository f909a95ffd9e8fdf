"""remark decks (Markdown, or the `<textarea id="source">` of a remark HTML page): slide
properties (`class:`, `name:`, `layout: true`, `template:`, `background-image:`, `exclude:`),
`--` increments as steps, `???` notes, and `.class[...]` content classes."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from deckpoll.importers.core import (
    ImportContext,
    Line,
    Slide,
    fence_mask,
    keep_classes,
    numbered,
    split_at,
    take_comments,
    trim,
)
from deckpoll.importers.passes import (
    dash_bullets,
    drop_raw_blocks,
    escape_deckpoll_syntax,
    notes_are_div_safe,
    setext_headings,
)

NAME = "remark"
PROPERTY = re.compile(r"^([-\w]+):([^\n]*)$")
SEPARATOR = re.compile(r"^(---|<!--\s*break\s*-->)[ \t]*$")
CONTENT_CLASS = re.compile(r"(?<![\w\\])((?:\.[a-zA-Z_-][\w-]*)+)\[")
MACRO = re.compile(r"!\[:([^\] ]+)([^\]]*)\]\(([^)]*)\)")
CLASSES = {"inverse": "dark", "middle": "center", "center": "center", "left": "", "top": ""}
VARIABLE = re.compile(r"(\\)?(\{\{([^}\n]+)\}\})")
COLUMNS = {"left-column", "right-column", "pull-left", "pull-right", "col", "column"}


@dataclass
class RemarkSlide:
    line: int
    properties: dict[str, tuple[str, int]] = field(default_factory=dict)
    content: list[Line] = field(default_factory=list)
    notes: list[Line] = field(default_factory=list)


def detect(text: str, meta: dict) -> int:
    score = 0
    if re.search(r"^\?\?\?[ \t]*$", text, re.M):
        score += 50
    if re.search(r"^(class|layout|template|background-image|exclude|count):", text, re.M):
        score += 40
    if CONTENT_CLASS.search(text):
        score += 20
    if re.search(r"^--[ \t]*$", text, re.M):
        score += 10
    return score


def convert(path: Path, text: str, ctx: ImportContext) -> list[Slide]:
    lines = _dedent(numbered(text))
    raw = [_parse(part, path, ctx) for part in split_at(lines, lambda t: bool(SEPARATOR.match(t)))]
    slides: list[Slide] = []
    layout: RemarkSlide | None = None
    named: dict[str, RemarkSlide] = {}
    for item in raw:
        props = {k: v for k, (v, _) in item.properties.items()}
        template = named.get(props.get("template", "")) if "template" in props else None
        if props.get("layout") == "false":
            layout = None
        elif template is None and layout is not None and props.get("layout") != "true":
            template = layout
        if template is not None:
            item = _inherit(item, template)
        if "name" in props:
            named[props["name"]] = item
        if props.get("layout") == "true":
            layout = item
            continue
        if props.get("exclude", "").lower() == "true":
            continue
        slides.append(_slide(item, path, ctx))
    return slides


def _dedent(lines: list[Line]) -> list[Line]:
    """remark trims the indentation every line shares (HTML pages indent the textarea)."""
    text = textwrap.dedent("\n".join(t for _, t in lines))
    return [(n, t) for (n, _), t in zip(lines, text.split("\n"), strict=True)]


def _parse(part: list[Line], path: Path, ctx: ImportContext) -> RemarkSlide:
    slide = RemarkSlide(part[0][0] if part else 1)
    index = 0
    while index < len(part) and not part[index][1].strip():
        index += 1
    while index < len(part):
        match = PROPERTY.match(part[index][1])
        if not match:
            break
        slide.properties[match.group(1)] = (match.group(2).strip(), part[index][0])
        index += 1
    body = part[index:]
    mask = fence_mask(body)
    notes_at = next(
        (i for i, (_, t) in enumerate(body) if not mask[i] and t.strip() == "???"), None
    )
    if notes_at is not None:
        slide.notes, body = body[notes_at + 1 :], body[:notes_at]
    content, comments = take_comments(escape_deckpoll_syntax(body))
    for comment in comments:
        match = PROPERTY.match(comment.text)
        if match:
            slide.properties[match.group(1)] = (match.group(2).strip(), comment.line)
    slide.content = content
    return slide


def _inherit(slide: RemarkSlide, template: RemarkSlide) -> RemarkSlide:
    """A slide under a `layout: true` slide or with `template:` starts with its content
    (or fills its `{{content}}`) and takes its properties (classes add up)."""
    properties = dict(slide.properties)
    for key, (value, line) in template.properties.items():
        if key in ("name", "layout", "count"):
            continue
        if key == "class" and key in properties:
            properties[key] = (f"{value}, {properties[key][0]}", properties[key][1])
        properties.setdefault(key, (value, line))
    content: list[Line] = []
    placed = False
    for number, text in template.content:
        if "{{content}}" in text.replace(" ", "") and not placed:
            content += slide.content
            placed = True
        else:
            content.append((number, text))
    if not placed:
        content += slide.content
    return RemarkSlide(slide.line, properties, content, slide.notes or template.notes)


def _slide(item: RemarkSlide, path: Path, ctx: ImportContext) -> Slide:
    slide = Slide(path, item.line, [])
    for key, (value, line) in item.properties.items():
        if key == "class":
            keep_classes(re.split(r"[,\s]+", value), CLASSES, slide, line, ctx)
        elif key == "name" and re.fullmatch(r"[A-Za-z0-9][\w-]{0,63}", value):
            slide.id = value
        elif key == "background-image":
            match = re.fullmatch(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", value)
            if match:
                slide.background, slide.background_line = match.group(1), line
        elif key not in ("layout", "template", "count", "exclude", "name"):
            ctx.drop(path, line, f"slide property `{key}: {value}`")
    lines = drop_raw_blocks(setext_headings(dash_bullets(_expand(item))), slide, ctx)
    lines = _increments(lines)
    slide.body = _content_classes(_macros(lines, slide, ctx), slide, ctx)
    slide.notes = trim(item.notes)
    return slide


def _expand(item: RemarkSlide) -> list[Line]:
    """`{{name}}` becomes the slide's property of that name, as remark expands it (an empty
    `{{content}}` included); `\\{{x}}` stays literal."""

    def value(match: re.Match) -> str:
        if match.group(1):
            return match.group(2)
        name = match.group(3).strip()
        if name in item.properties:
            return item.properties[name][0]
        return "" if name == "content" else match.group(2)

    out = []
    for (number, text), fenced in zip(item.content, fence_mask(item.content), strict=True):
        out.append((number, text if fenced else VARIABLE.sub(value, text)))
    return out


def _increments(lines: list[Line]) -> list[Line]:
    """`--` shows the rest of the slide on the next step: a deckpoll pause."""
    out: list[Line] = []
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        if not fenced and text.strip() == "--":
            out += [(number, ""), (number, ". . ."), (number, "")]
        else:
            out.append((number, text))
    return out


def _macros(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    out = []
    for number, text in lines:
        for match in MACRO.finditer(text):
            ctx.drop(
                slide.path, number, f"macro `![:{match.group(1)}...]`", "the image is shown as is"
            )
        out.append((number, MACRO.sub(lambda m: f"![]({m.group(3)})", text)))
    return out


def _content_classes(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    """`.class[...]`: column classes become deckpoll columns; the others keep their content
    and lose the class (with a warning)."""
    text = "\n".join(t for _, t in lines)
    first = lines[0][0] if lines else slide.line
    safe = notes_are_div_safe(lines)  # else columns are left out (see core.columns)
    pieces: list[str] = []
    columns = 0
    pos = 0
    while True:
        match = CONTENT_CLASS.search(text, pos)
        if match is None or _in_code(text, match.start()):
            if match is None:
                pieces.append(text[pos:])
                break
            pieces.append(text[pos : match.end()])
            pos = match.end()
            continue
        end = _closing(text, match.end())
        if end < 0:
            pieces.append(text[pos:])
            break
        pieces.append(text[pos : match.start()])
        names = [n for n in match.group(1).split(".") if n]
        inner = text[match.end() : end]
        line = first + text[: match.start()].count("\n")
        if any(n in COLUMNS for n in names) and safe:
            pieces.append(f"\n::: column\n{inner.strip(chr(10))}\n:::\n")
            columns += 1
        else:
            for name in names:
                ctx.drop(
                    slide.path, line, f"content class .{name}[...]", "its text is kept, unstyled"
                )
            pieces.append(inner)
        pos = end + 1
    out = "".join(pieces)
    if columns:
        out = _wrap_columns(out)
    return [(first + i, t) for i, t in enumerate(out.split("\n"))]


def _wrap_columns(text: str) -> str:
    """Put each run of `::: column` blocks inside one `::: columns`."""
    blocks = re.split(r"(\n::: column\n.*?\n:::\n)", text, flags=re.S)
    out, run = [], []
    for block in blocks:
        if block.startswith("\n::: column\n"):
            run.append(block)
            continue
        if block.strip() or not run:
            if run:
                out.append("\n::: columns" + "".join(run) + ":::\n")
                run = []
            out.append(block)
    if run:
        out.append("\n::: columns" + "".join(run) + ":::\n")
    return "".join(out)


def _closing(text: str, start: int) -> int:
    depth = 1
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _in_code(text: str, pos: int) -> bool:
    before = text[:pos]
    fences = len(re.findall(r"^ {0,3}(```|~~~)", before, re.M))
    line = before[before.rfind("\n") + 1 :]
    return fences % 2 == 1 or line.count("`") % 2 == 1
