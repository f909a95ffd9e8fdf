"""The imported deck as deckpoll source: deck.yaml, slides.md and the copied images."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from deckpoll.errors import DeckpollError
from deckpoll.importers.core import (
    Line,
    Slide,
    open_fence,
    take_comments,
    trim,
)
from deckpoll.importers.passes import (
    escape_deckpoll_syntax,
    notes_are_div_safe,
    protect_text,
)

EMPTY = "<!-- slide: {} -->"
LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}")


def slides_markdown(slides: list[Slide]) -> str:
    """deckpoll Markdown for the slides, separated by `---`."""
    # An empty slide keeps an (empty) options comment: deckpoll reads nothing before a
    # leading `---` as no slide at all, where the source tool showed an empty one.
    return "\n\n---\n\n".join(_slide(slide) or EMPTY for slide in slides) + "\n"


def _slide(slide: Slide) -> str:
    options: dict[str, str] = {}
    if slide.layout:
        options["layout"] = slide.layout
    if slide.classes:
        options["class"] = " ".join(slide.classes)
    if slide.id:
        options["id"] = slide.id
    if slide.background:
        options["background"] = slide.background
    parts = []
    if options:
        flow = yaml.safe_dump(options, default_flow_style=True, width=10**6, sort_keys=False)
        parts.append(f"<!-- slide: {flow.strip()} -->")
    # Comments left in the content were invisible in the source tool; an unclosed one would
    # hide the slides after it from deckpoll's slide splitter.
    body = _closed(protect_text(trim(take_comments(slide.body)[0])))
    if body:
        parts.append("\n".join(text for _, text in body))
    notes = _closed(
        protect_text(escape_deckpoll_syntax(trim(take_comments(_one_per_line(slide.notes))[0])))
    )
    if notes and notes_are_div_safe(notes):
        parts.append("::: notes\n" + "\n".join(t for _, t in notes) + "\n:::")
    elif notes:  # deckpoll's other notes syntax: from a `Note:` paragraph to the slide's end
        parts.append("Note:\n\n" + "\n".join(t for _, t in notes))
    return "\n\n".join(parts)


def _one_per_line(lines: list[Line]) -> list[Line]:
    """Notes taken from a comment or an attribute may span lines; the fence and comment
    passes read one line at a time, so a fence inside such a note looked open forever."""
    return [
        (n + k if n else 0, part) for n, text in lines for k, part in enumerate(text.split("\n"))
    ]


def _closed(lines: list[Line]) -> list[Line]:
    """Close a code fence left open, so that it cannot swallow the slides after it."""
    fence = open_fence(lines)
    return [*lines, (0, fence[0] * len(fence))] if fence else lines


def deck_yaml(config: dict, tool: str, source: Path) -> str:
    """deck.yaml text; only keys deckpoll knows, with values of the right shape."""
    clean: dict = {}
    for key in ("title", "description", "date"):
        value = config.get(key)
        if isinstance(value, str | int | float) and str(value).strip():
            clean[key] = str(value).strip()[:500]
    lang = config.get("lang")
    if isinstance(lang, str) and LANG_TAG.fullmatch(lang.strip()):
        clean["lang"] = lang.strip()
    authors = config.get("authors")
    if isinstance(authors, str):
        authors = [authors]
    if isinstance(authors, list):
        names = [str(a).strip() for a in authors if isinstance(a, str | int) and str(a).strip()]
        if names:
            clean["authors"] = names[:50]
    clean["theme"] = config.get("theme", "default")
    aspect = config.get("aspect")
    if isinstance(config.get("slide_number"), bool):
        clean["slide_number"] = config["slide_number"]
    clean["slides"] = ["slides.md"]
    header = f"# Imported from a {tool} deck ({source.name}) by `deckpoll import`.\n"
    text = yaml.safe_dump(clean, sort_keys=False, allow_unicode=True, width=100)
    # Quoted by hand: `4:3` unquoted is a base-60 number to a YAML 1.1 reader.
    return header + text + (f'aspect: "{aspect}"\n' if aspect in ("16:9", "4:3", "16:10") else "")


def write_deck(out: Path, yaml_text: str, markdown: str, images: dict[str, Path]) -> None:
    """Write the deck folder; refuses a folder that already holds files."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DeckpollError(f"{out} exists and is not empty; choose another folder with -o")
    out.mkdir(parents=True, exist_ok=True)
    (out / "deck.yaml").write_text(yaml_text, "utf-8")
    (out / "slides.md").write_text(markdown, "utf-8")
    for rel, source in sorted(images.items()):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
