"""Images and other embedded files of an imported deck: local ones inside the source deck's
folder are copied; external ones (and anything else the page would load from another host)
become a marked placeholder naming the URL, so that the deck builds and presents offline."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from deckpoll.importers.core import (
    ImportContext,
    Line,
    Slide,
    rewrite_prose,
)

MD_IMAGE = re.compile(
    r"!\[(?P<alt>(?:[^\]\\\n]|\\.|\[[^\]\n]*\])*)\]"
    r"\(\s*(?P<src><[^>\n]*>|[^)\s]+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"
)
HTML_IMG = re.compile(r"<img\b(?P<attrs>[^>]*)>", re.IGNORECASE)
ATTR = re.compile(
    r"""(?P<name>[\w:.-]+)\s*=\s*(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)'|(?P<u>[^\s"'>]+))"""
)
EMBED = re.compile(
    r"<(?P<tag>iframe|video|audio|source|track|embed|object|script|link|image|use|input|img|"
    r"picture|frame|meta)\b[^>]*?"
    r"\b(?:src|srcset|poster|href|xlink:href|data|content)\s*=\s*[\"']?[^\"'>]*?"
    r"(?P<url>(?:https?:)?//[^\"'\s>,]+)[^>]*>"
    r"(?:[^<]*</(?P=tag)>)?",
    re.IGNORECASE,
)
EXTERNAL_CSS = re.compile(r"url\(\s*[\"']?(?P<url>(?:https?:)?//[^\"')\s]+)[\"']?\s*\)|@import\b")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
STYLE = (
    "display:inline-block;border:2px dashed currentColor;padding:0.4em 0.8em;"
    "font-size:0.6em;max-width:100%;overflow-wrap:anywhere"
)


def placeholder(url: str, what: str = "External image") -> str:
    """Inline HTML naming what was left out; marked so that nobody takes it for content."""
    text = _markdown_safe(f"{what} not included: {url}")
    return f'<span class="dp-import-placeholder" role="img" style="{STYLE}">{text}</span>'


def _markdown_safe(text: str) -> str:
    escaped = html.escape(text, quote=True)
    for char, entity in (("*", "&#42;"), ("_", "&#95;"), ("`", "&#96;"), ("[", "&#91;")):
        escaped = escaped.replace(char, entity)
    return escaped.replace("]", "&#93;").replace("\\", "&#92;")


def is_external(src: str) -> bool:
    return bool(EXTERNAL.match(src)) and not src.lower().startswith("data:")


def localize(slide: Slide, ctx: ImportContext) -> None:
    """Copy the slide's local images, replace external ones by placeholders, make the rest of
    its raw HTML load nothing from other hosts."""
    slide.body = _lines(slide.body, slide, ctx)
    slide.notes = _lines(slide.notes, slide, ctx)
    if slide.background:
        src = slide.background
        if is_external(src):
            ctx.warn(
                slide.path,
                slide.background_line or slide.line,
                f"external background {src!r} replaced by a placeholder; save the file in the "
                "deck folder and set `background:` to use it",
            )
            slide.body = [*slide.body, (slide.background_line, ""), (0, placeholder(src))]
            slide.background = None
        else:
            slide.background = copy_image(src, slide, slide.background_line or slide.line, ctx)
            if slide.background is None:
                slide.body = [*slide.body, (0, ""), (0, placeholder(src, "Background image"))]


def _lines(lines: list[Line], slide: Slide, ctx: ImportContext) -> list[Line]:
    # Exact: what deckpoll reads as HTML must load nothing from other hosts.
    return rewrite_prose(lines, lambda text, numbers: _rewrite(text, numbers, slide, ctx), True)


def _rewrite(text: str, numbers: list[int], slide: Slide, ctx: ImportContext) -> str:
    def line_of(match: re.Match) -> int:
        return numbers[min(text.count("\n", 0, match.start()), len(numbers) - 1)]

    def markdown_image(match: re.Match) -> str:
        src = match.group("src").strip("<>")
        return _image(match.group("alt"), src, line_of(match))

    def html_image(match: re.Match) -> str:
        attrs = {
            m.group("name").lower(): m.group("d") or m.group("s") or m.group("u") or ""
            for m in ATTR.finditer(match.group("attrs"))
        }
        src = attrs.get("src", "")
        if not src:
            return match.group(0)
        extra = sorted(set(attrs) - {"src", "alt", "title"})
        if extra and not is_external(src):
            ctx.drop(
                slide.path,
                line_of(match),
                f"image attributes {', '.join(extra)}",
                "the image is shown at its own size",
            )
        return _image(attrs.get("alt", "").replace("]", ""), src, line_of(match))

    def _image(alt: str, src: str, number: int) -> str:
        if src.lower().startswith("data:"):
            return f"![{alt}]({src})"
        if is_external(src):
            ctx.warn(
                slide.path,
                number,
                f"external image {src!r} replaced by a placeholder; save it in the deck folder "
                "and link it by a relative path to show it",
            )
            return placeholder(src)
        local = copy_image(src, slide, number, ctx)
        return f"![{alt}]({_md_path(local)})" if local else placeholder(src, "Missing image")

    def embed(match: re.Match) -> str:
        ctx.warn(
            slide.path,
            line_of(match),
            f"external <{match.group('tag').lower()}> replaced by a placeholder",
        )
        return placeholder(match.group("url"), f"External {match.group('tag').lower()}")

    def css(match: re.Match) -> str:
        ctx.drop(
            slide.path,
            line_of(match),
            "an external CSS resource",
            "the page loads nothing from other hosts",
        )
        return "none" if match.group("url") else ""

    text = MD_IMAGE.sub(markdown_image, text)
    text = HTML_IMG.sub(html_image, text)
    text = EMBED.sub(embed, text)
    return EXTERNAL_CSS.sub(css, text)


def _md_path(path: str) -> str:
    return f"<{path}>" if re.search(r"[\s()<>]", path) else path


def copy_image(src: str, slide: Slide, line: int, ctx: ImportContext) -> str | None:
    """Record a local file for copying; its path in the new deck, or None (with a warning)
    when it is missing or lies outside the source deck's folder."""
    ref = unquote(src.split("#")[0].split("?")[0]).strip()
    if not ref:
        return None
    root = ctx.root.resolve()
    if ref.startswith("/"):
        base = ctx.public if ctx.public is not None else root
        candidate = base / ref.lstrip("/")
    else:
        candidate = slide.path.parent / ref
    try:
        path = candidate.resolve()
        inside = path.is_relative_to(root)
        found = inside and path.is_file()
    except (OSError, ValueError):
        inside = found = False
    if not inside:
        ctx.warn(
            slide.path,
            line,
            f"image {src!r} lies outside the deck folder; not read (placeholder shown)",
        )
        return None
    if not found:
        ctx.warn(
            slide.path, line, f"image {src!r} not found (looked for {path}); placeholder shown"
        )
        return None
    rel = path.relative_to(root).as_posix()
    if rel in ("deck.yaml", "slides.md") or "/" not in rel and rel.endswith((".md", ".yaml")):
        rel = "images/" + rel
    ctx.images[rel] = path
    return rel
