"""Slidev slide content: clicks (`<v-click>`, `<v-clicks>`, `v-click` attributes) become
deckpoll steps, slots (`::right::`) become columns, Vue components and bindings go."""

from __future__ import annotations

import re

from deckpoll.importers.core import (
    BULLET,
    ORDERED,
    ImportContext,
    Line,
    Slide,
    fence_mask,
    rewrite_prose,
    trim,
)
from deckpoll.importers.passes import (
    columns,
    fragment_at,
)

OPEN_CLICKS = re.compile(r"^\s*<v-clicks\b[^>]*>\s*$", re.IGNORECASE)
CLOSE_CLICKS = re.compile(r"^\s*</v-clicks\s*>\s*$", re.IGNORECASE)
CLICK_TAG = re.compile(r"</?v-(?:click|after|switch)\b[^>]*>", re.IGNORECASE)
CLICK_ATTR = re.compile(
    r"\s+v-(click|after)(\.[\w.-]+)?(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'))?(?=[\s/>]|$)"
)
OTHER_DIRECTIVE = re.compile(
    r"\s+v-(motion|mark|drag)(\.[\w.-]+)?(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'))?(?=[\s/>]|$)"
)
BINDING = re.compile(r"\s+(?:@|:|v-bind:|v-on:)[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*')")
VUE_COMPONENT = re.compile(
    r"</?([A-Z][\w-]*|arrow|v-drag-arrow|v-drag|roughmark|toc)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*/?>"
)
INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
ICON = re.compile(r"<([a-z][a-z0-9]*)[:-]([a-z0-9][a-z0-9:-]*)\b[^>]*/>")
MUSTACHE = re.compile(r"\{\{.*?\}\}")
SLOT = re.compile(r"^::([\w-]+)::\s*$")


STEP = " data-dp-import-step"
TAG = re.compile(r"<[a-zA-Z][\w:.-]*(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>")


def clicks(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    """Turn Slidev's click animations into deckpoll steps (run after `components`, which
    marks elements with a `v-click` attribute)."""
    out: list[Line] = []
    steps: list[int] = []  # indexes in `out` of blocks that appear on a later step
    in_clicks = pause_next = False
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        if fenced:
            out.append((number, text))
            continue
        if OPEN_CLICKS.match(text) or CLOSE_CLICKS.match(text):
            in_clicks = bool(OPEN_CLICKS.match(text))
            out.append((number, ""))
            continue
        stripped = CLICK_TAG.sub("", text)
        if stripped != text and not stripped.strip():
            pause_next = pause_next or bool(re.search(r"<v-click\b", text, re.I))
            out.append((number, ""))
            continue
        marked = STEP in stripped or (
            stripped != text and bool(re.search(r"<v-click\b", text, re.I))
        )
        text = stripped.replace(STEP, "")
        out.append((number, text))
        if not text.strip():
            continue
        if in_clicks and BULLET.match(text):
            steps.append(len(out) - 1)
        elif in_clicks and ORDERED.match(text) and not steps:
            steps.append(len(out) - 1)
        elif pause_next or marked:
            steps.append(len(out) - 1)
        pause_next = False
    for index in reversed(steps):
        out = fragment_at(out, index, slide, ctx)
    return out


def components(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    """Remove what only Vue renders (components, icons, `{{ }}`, bindings, directives) in the
    runs of lines outside code; an HTML tag may span lines."""
    return rewrite_prose(lines, lambda text, numbers: _components_run(text, numbers, slide, ctx))


def _components_run(text: str, numbers: list[int], slide: Slide, ctx: ImportContext) -> str:
    codes: list[str] = []

    def keep_code(match: re.Match) -> str:
        codes.append(match.group(0))
        return f"\x01{len(codes) - 1}\x01"

    text = INLINE_CODE.sub(keep_code, text)

    def line_of(pos: int) -> int:
        return numbers[min(text.count("\n", 0, pos), len(numbers) - 1)]

    def component(match: re.Match) -> str:
        if not match.group(0).startswith("</"):
            ctx.drop(
                slide.path,
                line_of(match.start()),
                f"component <{match.group(1)}>",
                "it needs Slidev",
            )
        return ""

    def dropped(what: str, why: str):
        def replace(match: re.Match) -> str:
            ctx.drop(slide.path, line_of(match.start()), what, why)
            return ""

        return replace

    def tag(match: re.Match) -> str:
        inner = BINDING.sub("", match.group(0))
        if OTHER_DIRECTIVE.search(inner):
            ctx.drop(
                slide.path,
                line_of(match.start()),
                "a Slidev motion/mark directive",
                "no equivalent",
            )
            inner = OTHER_DIRECTIVE.sub("", inner)
        click = CLICK_ATTR.search(inner)
        if click:
            if (click.group(2) or "").startswith(".hide"):
                ctx.drop(
                    slide.path, line_of(match.start()), "`v-click.hide`", "steps only add content"
                )
            inner = CLICK_ATTR.sub("", inner)
            if click.group(1) == "click":
                name = re.match(r"<[\w:.-]+", inner).group(0)
                inner = name + STEP + inner[len(name) :]
        return re.sub(r"\n[ \t]*(?=\n)", "", inner)  # no blank line inside a tag

    text = VUE_COMPONENT.sub(component, text)
    text = ICON.sub(dropped("an icon component", "it needs Slidev's icon set"), text)
    text = MUSTACHE.sub(dropped("a `{{ }}` expression", "it needs Vue"), text)
    text = TAG.sub(tag, text)
    return re.sub("\x01(\\d+)\x01", lambda m: codes[int(m.group(1))], text)


def slots(lines: list[Line], layout: str | None, slide: Slide, ctx: ImportContext) -> list[Line]:
    """`::right::` and friends: columns for the two-column layouts, else dropped markers."""
    mask = fence_mask(lines)
    parts: list[tuple[str, list[Line]]] = [("default", [])]
    for (number, text), fenced in zip(lines, mask, strict=True):
        match = None if fenced else SLOT.match(text)
        if match:
            parts.append((match.group(1), []))
            if layout is None:
                ctx.drop(
                    slide.path,
                    number,
                    f"slot marker ::{match.group(1)}::",
                    "the layout has no slots",
                )
        else:
            parts[-1][1].append((number, text))
    if layout is None:
        return [line for _, part in parts for line in part]
    named: dict[str, list[Line]] = {}
    for name, part in parts:
        key = name if name in ("default", "left", "right") else "left"
        if key != name:
            ctx.drop(
                slide.path,
                part[0][0] if part else slide.line,
                f"slot ::{name}::",
                "its content goes left",
            )
        named.setdefault(key, []).extend(part)
    header: list[Line] = []
    left = named.get("left", [])
    if layout == "two-cols-header":
        header = trim(named.get("default", []))
    else:
        left = named.get("default", []) + left
    return [*header, *columns([left, named.get("right", [])], slide, ctx)]
