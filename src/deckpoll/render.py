"""Render stage: the Deck model to the page's HTML (Jinja2 templates, theme overrides)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from deckpoll import __version__, strings
from deckpoll.model import Deck, Poll, Slide
from deckpoll.offline import content_security_policy
from deckpoll.qr import qr_svg
from deckpoll.theme import Theme, runtime_files


@dataclass(frozen=True)
class Join:
    """How the audience joins: the code on every poll slide, a URL and QR code when known."""

    code: str | None
    url: str | None


@functools.lru_cache(maxsize=8)
def environment(theme_folders: tuple[Path, ...]) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(f)) for f in theme_folders]
    loaders.append(jinja2.PackageLoader("deckpoll", "templates"))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Compiled templates cached per user in the temp folder: saves ~25 ms a build.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        autoescape=True,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


_MARKS = re.compile(r"\{(url|code)\}|`([^`]+)`")


def text_parts(text: str) -> list[tuple[str, str]]:
    """A translated string cut into (kind, text) parts for a template to mark up: "text",
    "url" and "code" (its {url} and {code} placeholders) and "literal" (a `code span`)."""
    parts: list[tuple[str, str]] = []
    pos = 0
    for match in _MARKS.finditer(text):
        if match.start() > pos:
            parts.append(("text", text[pos : match.start()]))
        parts.append((match.group(1), "") if match.group(1) else ("literal", match.group(2)))
        pos = match.end()
    if pos < len(text):
        parts.append(("text", text[pos:]))
    return parts


class PollRenderer:
    """Renders poll blocks; one per build, so the QR code and strings are computed once.
    The markup of the join line is poll.html's (text_parts). A poll slide tells the audience
    how to join, never the author how to serve: it reads the same from disk or on paper."""

    def __init__(self, theme: Theme, lang: str, join: Join, handout: Any = None) -> None:
        self.template = environment(theme.folders).get_template("poll.html")
        # A handout build (handout.Handout): archived results instead of the live block.
        self.handout = handout
        text = None
        shown = re.sub(r"^https?://", "", join.url) if join.url else None
        # A link that holds the code asks for nothing to type; the code is marked inside it.
        in_url = bool(join.code and shown and shown.endswith(join.code))
        if join.url:
            key = "join_link" if in_url else "join_text"
            text = strings.say(lang, "slides", key) if join.code else "{url}"
        elif join.code:
            text = strings.say(lang, "slides", "join_code_only")
        self.join = {
            "code": join.code,
            "url": join.url,
            "shown_url": shown,
            "url_prefix": shown[: -len(join.code)] if in_url and shown and join.code else None,
            "parts": text_parts(text) if text else [],
            "qr": qr_svg(join.url, join.url) if join.url else None,
        }

    def __call__(self, poll: Poll) -> str:
        if self.handout is not None:
            return self.handout.render(poll)
        return self.template.render(poll=poll, join=self.join)


@dataclass(frozen=True)
class Page:
    """The page, its slides' <section> HTML in order, and a digest of everything else (the
    frame: head, theme, runtime, config), which tells a preview when to reload."""

    html: str
    sections: list[str]
    frame: str
    # Makes the page for the audience: without what only the presenter may see (speaker
    # notes). Called only by a server: `deckpoll build` writes the presenter's page alone.
    audience: Callable[[], str] | None = None


SECTIONS_MARK = "<!--dp:sections-->"


def render_page(
    deck: Deck,
    theme: Theme,
    join: Join,
    poll_url: str | None,
    asset_css: str = "",
    section_cache: dict[tuple[Slide, int], str] | None = None,
    font_css: str = "",
    live: bool = True,
) -> Page:
    """The page; `live` False (a handout) leaves out the live-poll script and join details."""
    env = environment(theme.folders)
    config = deck.config
    # The runtime's strings go into the page's config; the slides' own are rendered in.
    runtime_strings = strings.section(config.lang, "deck")
    if not live:  # the console's and live polls' words go with their scripts
        runtime_strings = {
            k: v for k, v in runtime_strings.items() if not k.startswith(("con_", "poll_"))
        }
    texts = {**strings.section(config.lang, "slides"), **runtime_strings}
    width, height = config.size
    slide_template = env.get_template("slide.html")
    total = len(deck.slides)
    label = strings.say(config.lang, "deck", "slide_label")

    def slide_html(slide: Slide) -> str:
        if section_cache is not None:
            cached = section_cache.get((slide, total))
            if cached is None:
                cached = section_cache[(slide, total)] = render_section(slide)
            return cached
        return render_section(slide)

    def render_section(slide: Slide) -> str:
        classes = " ".join(
            (
                "dp-slide",
                f"dp-layout-{slide.layout}",
                *slide.classes,
                *(("dp-has-bg",) if slide.background and not slide.split else ()),
                *((f"dp-split-{slide.split[0]}",) if slide.split else ()),
                *((f"dp-bg-{slide.fill}",) if slide.fill else ()),
            )
        )
        return str(
            slide_template.render(
                slide=slide,
                classes=classes,
                strings=texts,
                label=strings.fill(label, n=slide.index, total=total),
            )
        )

    page_config = {
        "deck_id": deck.id,
        "title": config.title,
        "lang": config.lang,
        "width": width,
        "height": height,
        "count": total,
        "progress": config.progress,
        "slide_number": config.slide_number,
        "polls": {
            "code": join.code,
            "url": poll_url if poll_url is not None else config.polls.url,
            "join_url": join.url,
            "auto_open": config.polls.auto_open,
            "groups": [{"id": i, "label": label} for i, label in config.polls.groups],
        }
        if live
        else {},
        "duration": config.duration,
        "timer_sound": config.timer_sound,
        "strings": runtime_strings,
        "strings_lang": strings.base_language(config.lang),  # the plural rules to apply
    }
    css, js = runtime_files(bool(deck.polls), live)
    frame = env.get_template("page.html").render(
        deck=deck,
        config=config,
        version=__version__,
        theme_name=theme.name,
        theme_css=Markup(theme.css),
        runtime_css=Markup(css),
        asset_css=Markup(asset_css),
        font_css=Markup(font_css),
        runtime_js=Markup(js),
        width=width,
        height=height,
        sections=Markup(SECTIONS_MARK),
        page_config=Markup(script_json(page_config)),
        csp=content_security_policy(page_config["polls"].get("url")),
    )
    sections = [slide_html(slide) for slide in deck.slides]
    head, tail = frame.split(SECTIONS_MARK, 1)
    digest = hashlib.sha256(frame.encode()).hexdigest()
    html = "".join([head, *sections, tail])  # one join: no 5,000-slide intermediate copies

    def audience() -> str:
        # Only slides with notes are rendered again (without them), through the same
        # template, so a theme's own slide.html cannot leak them either.
        public = [
            render_section(dataclasses.replace(slide, notes_html=""))
            if slide.notes_html
            else section
            for slide, section in zip(deck.slides, sections, strict=True)
        ]
        return "".join([head, *public, tail]) if public != sections else html

    return Page(html, sections, digest, audience)


def script_json(data: object) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
