"""`deckpoll import`: turn a Marp, reveal.js/reveal-md, Slidev, remark or Deckset deck into a
deckpoll deck folder. One module per tool reads its dialect into slides (core.Slide); the
shared passes copy images and write deck.yaml and slides.md."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from deckpoll.errors import DeckpollError, Diagnostic, Reporter
from deckpoll.importers.core import ImportContext, numbered, parse_mapping, read_source, text_title
from deckpoll.importers.images import localize
from deckpoll.importers.output import deck_yaml, slides_markdown, write_deck
from deckpoll.importers.tex import keep_math_buildable

TOOLS = ("marp", "reveal", "slidev", "remark", "deckset")
ENTRY_NAMES = ("slides.md", "index.md", "presentation.md", "deck.md", "PITCHME.md", "index.html")


@dataclass(frozen=True)
class Imported:
    """What an import wrote, and what it could not carry over."""

    out: Path
    tool: str
    slides: int
    images: int
    warnings: tuple[Diagnostic, ...]


def import_deck(src: Path | str, out: Path | str | None = None, tool: str = "auto") -> Imported:
    """Read the deck at `src` (a file, or a folder holding one) and write a deckpoll deck to
    `out` (default: `<name>-deckpoll/`); raises DeckpollError for what stops the import."""
    path = entry_file(Path(src))
    reporter = Reporter()
    ctx = ImportContext(root=path.parent.resolve(), reporter=reporter, tool=tool)
    text = read_source(path, ctx)
    if path.suffix.lower() in (".html", ".htm"):
        text, first_line = _embedded_markdown(text, path)
        text = "\n" * (first_line - 1) + text
    if tool == "auto":
        tool = detect(text, path, ctx)
    if tool not in TOOLS:
        raise DeckpollError(f"unknown tool {tool!r}; use one of auto, {', '.join(TOOLS)}")
    ctx.tool = tool
    slides = import_module(f"deckpoll.importers.{tool}").convert(path, text, ctx)
    if not slides:
        raise DeckpollError(f"{path}: no slides found; is this a {tool} deck?")
    for slide in slides:
        localize(slide, ctx)
        keep_math_buildable(slide, ctx)
    ctx.config.setdefault("title", text_title(slides) or path.stem)
    target = Path(out) if out is not None else Path(f"{_name(path)}-deckpoll")
    write_deck(target, deck_yaml(ctx.config, tool, path), slides_markdown(slides), ctx.images)
    warnings = sorted(reporter.warnings, key=lambda d: (str(d.location.path), d.location.line))
    return Imported(target, tool, len(slides), len(ctx.images), tuple(warnings))


def entry_file(src: Path) -> Path:
    """The deck's Markdown (or remark/reveal HTML) file: `src` itself, or the usual name in a
    folder, or the folder's only Markdown file."""
    if src.is_file():
        return src
    if not src.is_dir():
        raise DeckpollError(f"{src}: no such file or folder; give a deck's Markdown file")
    for name in ENTRY_NAMES:
        if (src / name).is_file():
            return src / name
    found = sorted(p for p in src.glob("*.md") if p.name.lower() != "readme.md")
    if len(found) == 1:
        return found[0]
    listed = ", ".join(p.name for p in found[:8]) or "none"
    raise DeckpollError(
        f"{src}: cannot tell which file is the deck (Markdown files: {listed}); "
        "give the file instead of the folder"
    )


def detect(text: str, path: Path, ctx: ImportContext) -> str:
    """The tool a deck was written for, from its front matter and syntax."""
    lines = numbered(text)
    meta: dict = {}
    if lines and lines[0][1].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i][1].rstrip() in ("---", "...")), 0)
        if end:
            meta = parse_mapping(lines[1:end], path, ImportContext(ctx.root, Reporter(), "auto"))
    scores = {
        name: import_module(f"deckpoll.importers.{name}").detect(text, meta) for name in TOOLS
    }
    best = max(TOOLS, key=lambda name: scores[name])
    if scores[best] <= 0:
        ctx.warn(
            path,
            1,
            "could not tell which tool this deck was written for; read it as Marp "
            "(say which with --from)",
        )
        return "marp"
    return best


TEXTAREA = re.compile(
    r"<(textarea|script)\b[^>]*(?:id=[\"']source[\"']|data-template|type=[\"']text/template)"
    r"[^>]*>(.*?)</\1>",
    re.DOTALL | re.IGNORECASE,
)


def _embedded_markdown(text: str, path: Path) -> tuple[str, int]:
    """The Markdown inside a remark (`<textarea id="source">`) or reveal.js
    (`<section data-markdown><textarea data-template>`) HTML page, and its first line."""
    import html

    found = list(TEXTAREA.finditer(text))
    if not found:
        raise DeckpollError(
            f"{path}: no Markdown found in this HTML file (looked for remark's "
            '<textarea id="source"> and reveal.js\'s <textarea data-template>)'
        )
    first = text[: found[0].start(2)].count("\n") + 1
    if len(found) == 1:
        # Pages indent the textarea with the markup; remark and reveal.js trim that.
        return textwrap.dedent(html.unescape(found[0].group(2))), first
    # reveal.js: one <section data-markdown> per slide; join them as `---` separated slides.
    parts = (textwrap.dedent(html.unescape(m.group(2))).strip("\n") for m in found)
    return "\n\n---\n\n".join(parts), first


def _name(path: Path) -> str:
    stem = path.parent.name if path.stem.lower() in ("slides", "index", "readme") else path.stem
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "deck"
