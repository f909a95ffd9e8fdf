"""Slidev decks: headmatter and per-slide front matter (`layout:`, `class:`, `background:`,
`src:` imports, `hide:`), slots (`::right::`), `v-click`/`v-clicks`, Vue components, and the
last comment of a slide as its notes. Parsing follows @slidev/parser's rules."""

from __future__ import annotations

import re
from pathlib import Path

from deckpoll.importers.core import (
    ImportContext,
    Line,
    Slide,
    aspect_of,
    fence_mask,
    is_dark,
    keep_classes,
    numbered,
    parse_mapping,
    parse_ratio,
    read_source,
    take_comments,
    trim,
)
from deckpoll.importers.passes import (
    columns,
    dash_bullets,
    drop_raw_blocks,
    escape_deckpoll_syntax,
    setext_headings,
)
from deckpoll.importers.slidev_body import clicks, components, slots

NAME = "slidev"
MAX_DEPTH = 8
LAYOUTS = {
    "cover": ("title", None),
    "intro": ("title", None),
    "section": ("section", None),
    "quote": ("quote", None),
    "center": (None, "center"),
    "fact": (None, "center"),
    "statement": (None, "center"),
    "end": (None, "center"),
    "default": (None, None),
    "none": (None, None),
    "full": (None, None),
}
# Keys that change navigation or tooling only: nothing to see on the slide.
QUIET_KEYS = {
    "title",
    "name",
    "level",
    "hideInToc",
    "routeAlias",
    "preload",
    "info",
    "drawings",
    "highlighter",
    "lineNumbers",
    "monaco",
    "download",
    "exportFilename",
    "export",
    "mdc",
    "comark",
    "duration",
    "timer",
    "fonts",
    "favicon",
    "remoteAssets",
    "selectable",
    "record",
    "contextMenu",
    "wakeLock",
    "titleTemplate",
    "seoMeta",
    "addons",
    "routerMode",
    "canvasWidth",
    "presenter",
    "browserExporter",
    "twoslash",
    "css",
    "katex",
}


def detect(text: str, meta: dict) -> int:
    score = 0
    if {"highlighter", "drawings", "mdc", "canvasWidth", "aspectRatio", "colorSchema"} & set(meta):
        score += 60
    if isinstance(meta.get("layout"), str) or "transition" in meta or "info" in meta:
        score += 30
    if re.search(r"<v-clicks?\b|\bv-click\b|^::\w+::\s*$", text, re.M):
        score += 50
    if re.search(r"^---\n(layout|src|class|transition|background|hide):", text, re.M):
        score += 50
    if re.search(r"\{\{\s*\$slidev|^<<< @/|^```ya?ml\n(layout|class|transition):", text, re.M):
        score += 50
    return score


def convert(path: Path, text: str, ctx: ImportContext) -> list[Slide]:
    public = ctx.root / "public"
    ctx.public = public if public.is_dir() else None
    raw = _parse(path, text, ctx)
    if raw and raw[0][0]:
        _headmatter(raw[0][0], path, raw[0][2], ctx)
    slides: list[Slide] = []
    for index, (meta, body, line) in enumerate(raw):
        _load(path, meta, body, line, index == 0, {}, ctx, slides, (path.resolve(),))
    return slides


def _parse(path: Path, text: str, ctx: ImportContext) -> list[tuple[dict, list[Line], int]]:
    """Slides as (front matter, content lines, first line), cut as @slidev/parser cuts:
    a line starting `---` ends a slide; `---` with text on the next line opens front matter."""
    lines = numbered(text)
    slides: list[tuple[dict, list[Line], int]] = []
    meta: dict = {}
    current: list[Line] = []
    started = False
    index = 0
    in_comment = False
    meta_line = 0  # the front matter's first line: where warnings about its keys point
    while index < len(lines):
        number, raw = lines[index]
        line = raw.rstrip()
        if in_comment:
            in_comment = "-->" not in raw
            current.append((number, raw))
        elif line.startswith("---"):
            if started or current:
                slides.append((meta, current, meta_line or (current[0][0] if current else number)))
            started, meta, current, meta_line = True, {}, [], 0
            following = lines[index + 1][1] if index + 1 < len(lines) else ""
            if line[3:4] != "-" and following.strip():
                end = index + 1
                while end < len(lines) and lines[end][1].rstrip() != "---":
                    end += 1
                meta = parse_mapping(lines[index + 1 : end], path, ctx)
                meta_line = number + 1 if meta else 0
                index = end
        elif line.lstrip().startswith("```"):
            level = re.match(r"^\s*`+", line).group(0).lstrip()
            end = next(
                (j for j in range(index + 1, len(lines)) if lines[j][1].startswith(level)), None
            )
            stop = len(lines) - 1 if end is None else end
            current.extend(lines[index : stop + 1] if end is not None else lines[index : index + 1])
            index = stop if end is not None else index
        else:
            current.append((number, raw))
            in_comment = raw.rfind("<!--") > raw.rfind("-->")
        index += 1
    if started or current:
        slides.append((meta, current, meta_line or (current[0][0] if current else len(lines))))
    return [(*_yaml_front(m, body, path, ctx), line) for m, body, line in slides]


SNIPPET = re.compile(r"^<<<\s+(?P<path>[^\s#]+)(?:#(?P<region>\S+))?(?:\s+(?P<lang>\w+))?.*$")
CLICK_MARKER = re.compile(r"^\s*\[click(?::\d+)?\]\s*")
YAML_BLOCK = re.compile(r"^\s*```ya?ml\s*$")


def _yaml_front(
    meta: dict, body: list[Line], path: Path, ctx: ImportContext
) -> tuple[dict, list[Line]]:
    """A ```yaml block opening a slide is its front matter (when it has none)."""
    start = next((i for i, (_, t) in enumerate(body) if t.strip()), None)
    if meta or start is None or not YAML_BLOCK.match(body[start][1]):
        return meta, body
    end = next(
        (i for i in range(start + 1, len(body)) if body[i][1].strip().startswith("```")), None
    )
    if end is None:
        return meta, body
    return parse_mapping(body[start + 1 : end], path, ctx), body[end + 1 :]


def _headmatter(meta: dict, path: Path, line: int, ctx: ImportContext) -> None:
    for key in ("title", "lang"):
        if isinstance(meta.get(key), str):
            ctx.config[key] = meta[key]
    if isinstance(meta.get("info"), str):
        ctx.config["description"] = re.sub(r"[#*_`\[\]]|\(\S*?\)", "", meta["info"]).strip()
    if "author" in meta:
        ctx.config["authors"] = meta["author"]
    theme, scheme = meta.get("theme"), meta.get("colorSchema")
    if scheme == "dark" or is_dark(theme):
        ctx.config["theme"] = "dark"
    elif theme not in (None, "default"):
        ctx.warn(
            path, 1, f"Slidev theme {theme!r} has no deckpoll equivalent; using the default theme"
        )
    ratio = parse_ratio(meta["aspectRatio"]) if "aspectRatio" in meta else None
    if ratio:
        aspect = aspect_of(*ratio)
        if aspect:
            ctx.config["aspect"] = aspect
        else:
            ctx.drop(
                path, 1, f"aspectRatio {meta['aspectRatio']!r}", "slides are 16:9, 4:3 or 16:10"
            )


def _load(
    path: Path,
    meta: dict,
    body: list[Line],
    line: int,
    first: bool,
    override: dict,
    ctx: ImportContext,
    slides: list[Slide],
    chain: tuple[Path, ...],
) -> None:
    """One parsed slide: skipped when hidden, inlined when it imports another file (`src:`),
    else converted and appended."""
    merged = {**meta, **override}
    if merged.get("hide") or merged.get("disabled"):
        ctx.warn(path, line, "hidden slide (`hide`/`disabled`) left out, as Slidev leaves it out")
        return
    src = meta.get("src")
    if isinstance(src, str) and src.strip():
        _inline(
            path,
            src.strip(),
            line,
            {k: v for k, v in merged.items() if k != "src"},
            ctx,
            slides,
            chain,
        )
        return
    slide = _slide(path, merged, body, line, first and not override, ctx)
    if slide is not None:
        slides.append(slide)


def _inline(
    path: Path,
    src: str,
    line: int,
    override: dict,
    ctx: ImportContext,
    slides: list[Slide],
    chain: tuple[Path, ...],
) -> None:
    """Inline the slides of another Markdown file of the deck (`src: ./pages/x.md#2-3`)."""
    raw_path, _, pages = src.partition("#")
    base = ctx.root if raw_path.startswith("/") else path.parent
    try:
        target = (base / raw_path.lstrip("/")).resolve()
        inside = target.is_relative_to(ctx.root.resolve())
        exists = inside and target.is_file()
    except (OSError, ValueError):
        inside = exists = False
    if not inside:
        ctx.warn(
            path, line, f"`src: {src}` lies outside the deck folder; not read (slide left out)"
        )
        return
    if not exists:
        ctx.warn(path, line, f"`src: {src}` not found; slide left out")
        return
    if target in chain or len(chain) > MAX_DEPTH:
        ctx.warn(path, line, f"`src: {src}` imports itself (a cycle); slide left out")
        return
    parsed = _parse(target, read_source(target, ctx), ctx)
    wanted = _pages(pages, len(parsed), path, line, ctx)
    for number in wanted:
        meta, body, sub_line = parsed[number - 1]
        _load(target, meta, body, sub_line, False, override, ctx, slides, (*chain, target))


def _pages(spec: str, count: int, path: Path, line: int, ctx: ImportContext) -> list[int]:
    """`2-3,5` -> [2, 3, 5] (all slides when empty), within 1..count."""
    if not spec.strip():
        return list(range(1, count + 1))
    pages: list[int] = []
    for part in spec.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d*)\s*)?", part)
        if not match:
            ctx.warn(path, line, f"slide range {spec!r} not understood; use e.g. 2-3,5")
            continue
        low = int(match.group(1))
        high = low if match.group(2) is None else int(match.group(2) or count)
        pages += [n for n in range(low, min(high, count) + 1) if n >= 1 and n not in pages]
    return pages


def _slide(
    path: Path, meta: dict, body: list[Line], line: int, first: bool, ctx: ImportContext
) -> Slide | None:
    slide = Slide(path, line, [])
    lines, comments = take_comments(escape_deckpoll_syntax(body))
    if (
        comments
        and comments[-1].alone
        and not any(text.strip() for number, text in lines if number > comments[-1].line)
    ):
        note = comments[-1]
        slide.notes = [
            (note.line + i, CLICK_MARKER.sub("", t)) for i, t in enumerate(note.text.split("\n"))
        ]
    lines = drop_raw_blocks(setext_headings(dash_bullets(lines)), slide, ctx)
    lines = clicks(components(_snippets(lines, slide, ctx), slide, ctx), slide, ctx)
    layout = (
        meta.get("layout")
        if isinstance(meta.get("layout"), str)
        else ("cover" if first else "default")
    )
    lines = _layout(layout, meta, lines, slide, ctx)
    classes = meta.get("class")
    if isinstance(classes, str):
        keep_classes(classes.split(), {"text-center": ""}, slide, line, ctx)
    background = meta.get("background")
    if isinstance(background, str) and background.strip() and not slide.background:
        slide.background, slide.background_line = background.strip(), line
    for key in sorted(
        set(meta)
        - QUIET_KEYS
        - {
            "layout",
            "class",
            "background",
            "image",
            "src",
            "url",
            "theme",
            "colorSchema",
            "aspectRatio",
            "author",
            "lang",
            "hide",
            "disabled",
        }
    ):
        if not first or key not in ("transition", "themeConfig", "htmlAttrs"):
            ctx.drop(path, line, f"`{key}:`")
        elif first:
            ctx.drop(path, 1, f"`{key}:`")
    slide.body = lines
    return slide


def _layout(
    layout: str, meta: dict, lines: list[Line], slide: Slide, ctx: ImportContext
) -> list[Line]:
    if layout in LAYOUTS:
        slide.layout, css = LAYOUTS[layout]
        if css:
            slide.classes.append(css)
        return slots(lines, None, slide, ctx)
    if layout in ("two-cols", "two-cols-header"):
        return slots(lines, layout, slide, ctx)
    image = meta.get("image") if isinstance(meta.get("image"), str) else None
    if layout == "image" and image:
        slide.background, slide.background_line = image, slide.line
        return slots(lines, None, slide, ctx)
    if layout in ("image-left", "image-right") and image:
        column = [(slide.line, f"![]({image})")]
        content = trim(slots(lines, None, slide, ctx))
        return columns(
            [column, content] if layout == "image-left" else [content, column], slide, ctx
        )
    if layout.startswith("iframe") and isinstance(meta.get("url"), str):
        from deckpoll.importers.images import placeholder

        ctx.warn(slide.path, slide.line, f"embedded page {meta['url']!r} replaced by a placeholder")
        return [
            *slots(lines, None, slide, ctx),
            (slide.line, ""),
            (slide.line, placeholder(meta["url"], "Embedded page")),
        ]
    ctx.drop(
        slide.path, slide.line, f"layout {layout!r}", "the slide uses deckpoll's default layout"
    )
    return slots(lines, None, slide, ctx)


def _snippets(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    """`<<< @/snippets/x.ts#region` becomes the code block it stands for (files inside the
    deck folder only)."""
    out: list[Line] = []
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        match = None if fenced else SNIPPET.match(text)
        if match is None:
            out.append((number, text))
            continue
        ref = match.group("path")
        base = ctx.root if ref.startswith("@/") else slide.path.parent
        try:
            target = (base / ref.removeprefix("@/")).resolve()
            ok = target.is_relative_to(ctx.root.resolve()) and target.is_file()
        except (OSError, ValueError):
            ok = False
        if not ok or target.stat().st_size > 1_000_000:
            ctx.drop(
                slide.path, number, f"code snippet {ref!r}", "the file is not in the deck folder"
            )
            continue
        code = read_source(target, ctx).split("\n")
        region = match.group("region")
        if region:
            marks = [
                i
                for i, t in enumerate(code)
                if re.search(rf"#(end)?region\s+{re.escape(region)}\b", t)
            ]
            if len(marks) >= 2:
                code = code[marks[0] + 1 : marks[1]]
        lang = match.group("lang") or target.suffix.lstrip(".")
        out += [(number, f"```{lang}"), *((number, t) for t in code), (number, "```")]
    return out
