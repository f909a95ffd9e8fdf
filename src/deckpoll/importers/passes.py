"""Markdown passes the importers share: list markers, steps, columns, setext headings, raw
`<style>`/`<script>` blocks, and escapes for text deckpoll would read as its own syntax."""

from __future__ import annotations

import re

from deckpoll.importers.core import (
    BULLET,
    LIST_ITEM,
    ORDERED,
    ImportContext,
    Line,
    Slide,
    code_mask,
    fence_mask,
    open_fence,
    trim,
)


def dash_bullets(lines: list[Line]) -> list[Line]:
    """`*` bullets become `-`: in deckpoll a `*` list appears item by item, in most tools not."""
    out = []
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        match = None if fenced else BULLET.match(text)
        if match and match.group(2) == "*" and not re.fullmatch(r"[\s*]+", text):
            text = f"{match.group(1)}-{match.group(3)}{text[match.end() :]}"
        out.append((number, text))
    return out


def star_bullets(lines: list[Line]) -> list[Line]:
    """Every bullet list becomes a `*` list: each item appears on its own step."""
    out = []
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        match = None if fenced else BULLET.match(text)
        if match and not re.fullmatch(r"[\s*_-]+", text):
            text = f"{match.group(1)}*{match.group(3)}{text[match.end() :]}"
        out.append((number, text))
    return out


def fragment_at(lines: list[Line], index: int, slide: Slide, ctx: ImportContext) -> list[Line]:
    """Make the block at `index` appear on a later step: a bullet item gets the `*` marker
    (a list of its own), anything else gets a `. . .` pause before its paragraph."""
    number, text = lines[index]
    match = BULLET.match(text)
    if match:
        lines[index] = (number, f"{match.group(1)}*{match.group(3)}{text[match.end() :]}")
        return lines
    start = index
    if ORDERED.match(text):
        ctx.warn(
            slide.path,
            number,
            "a numbered item that appears on its own step has no deckpoll equivalent; "
            "the whole list appears at that step",
        )
        while start > 0 and lines[start - 1][1].strip() and not _is_block_start(lines[start - 1]):
            start -= 1
    while start > 0 and lines[start - 1][1].strip() and not LIST_ITEM.match(lines[start][1]):
        start -= 1
    return [*lines[:start], (number, ""), (number, ". . ."), (number, ""), *lines[start:]]


def _is_block_start(line: Line) -> bool:
    return bool(re.match(r"^\s*(#|>|```|~~~|<)", line[1]))


def protect_text(lines: list[Line]) -> list[Line]:
    """Escape lines deckpoll would read as its own syntax but the source tool showed as text:
    `Note:` (starts notes) and a slide separator left inside content."""
    out = []
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        if not fenced:
            if text.startswith("Note:"):
                text = "Note\\:" + text[5:]
            elif text.rstrip() == "---":
                text = "***"  # still a rule, no longer a slide break
        out.append((number, text))
    return out


DECKPOLL_SYNTAX = re.compile(r"^(\s*)(:{3,}|\. \. \.\s*$)")


def escape_deckpoll_syntax(lines: list[Line]) -> list[Line]:
    """Source text that deckpoll would read as its own syntax (`:::` blocks, `. . .` pauses)
    stays text, as it was in the source tool. Run before an importer adds such lines."""
    out = []
    for (number, text), fenced in zip(lines, code_mask(lines), strict=True):
        match = None if fenced else DECKPOLL_SYNTAX.match(text)
        out.append((number, f"{match.group(1)}\\{text[match.end(1) :]}" if match else text))
    return out


RAW_BLOCK = re.compile(r"<(style|script)\b[^>]*>", re.IGNORECASE)


def drop_raw_blocks(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    """Remove `<style>` and `<script>` blocks (a theme's CSS or a framework's code): they
    would restyle or script the whole deckpoll page, not the slide."""
    out: list[Line] = []
    closing: re.Pattern | None = None
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        if closing is not None:
            match = closing.search(text)
            if match:
                closing = None
                rest = text[match.end() :]
                if rest.strip():
                    out.append((number, rest))
            continue
        match = None if fenced else RAW_BLOCK.search(text)
        if not match:
            out.append((number, text))
            continue
        tag = match.group(1).lower()
        ctx.drop(slide.path, number, f"a <{tag}> block", "it would apply to the whole deck")
        end = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
        close = end.search(text, match.end())
        before = text[: match.start()]
        if close is None:
            closing = end
        else:
            before += text[close.end() :]
        if before.strip():
            out.append((number, before))
    return out


SETEXT_H1 = re.compile(r"^ {0,3}=+\s*$")
PARAGRAPH_LINE = re.compile(
    r"^\s{0,3}(?![#>|<]|[-*+]\s|\d{1,9}[.)]\s|```|~~~|([-*_])(?:[ \t]*\1){2,}[ \t]*$)\S"
)


def setext_headings(lines: list[Line], dashes: bool = False) -> list[Line]:
    """`Title` over `===` (and over `---` when `dashes`) becomes an ATX heading: deckpoll
    has setext headings off, so that `---` always separates slides."""
    out: list[Line] = []
    mask = fence_mask(lines)
    for index, (number, text) in enumerate(lines):
        under = SETEXT_H1.match(text) or (dashes and re.fullmatch(r" {0,3}-+\s*", text))
        if (
            under
            and not mask[index]
            and out
            and index
            and not mask[index - 1]
            and PARAGRAPH_LINE.match(out[-1][1])
        ):
            prev_number, prev = out.pop()
            out.append((prev_number, ("# " if "=" in text else "## ") + prev.strip()))
            continue
        out.append((number, text))
    return out


DIV_LINE = re.compile(r"^:{3,}")


def columns(parts: list[list[Line]], slide: Slide, ctx: ImportContext, line: int = 0) -> list[Line]:
    """`::: columns` with one `::: column` per part. deckpoll counts `:::` lines to match a
    div's end, code blocks included: a part whose code holds such a line stays outside
    columns (one under another), with a warning, rather than break the slide."""
    line = line or slide.line
    for part in parts:
        if not notes_are_div_safe(part):
            ctx.drop(slide.path, line, "the columns", "a code block in them has `:::` lines")
            return [row for part in parts for row in [*part, (line, "")]]
    out: list[Line] = [(line, ""), (line, "::: columns")]
    for part in parts:
        fence = open_fence(part)  # an unclosed fence would swallow the column's end
        closing = [(line, fence[0] * len(fence))] if fence else []
        out += [(line, "::: column"), *trim(part), *closing, (line, ":::")]
    return [*out, (line, ":::"), (line, "")]


def notes_are_div_safe(lines: list[Line]) -> bool:
    """Whether the lines can sit in a `:::` block: no code line of theirs starts `:::`."""
    mask = fence_mask(lines)
    return not any(mask[i] and DIV_LINE.match(text) for i, (_, text) in enumerate(lines))
