"""The compile pipeline: load → parse → model → render, and `build` which also writes."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from deckpoll import schema
from deckpoll.assets import Assets
from deckpoll.errors import Diagnostic, Location, Reporter
from deckpoll.load import DeckSource, locate, slide_files
from deckpoll.markdown.parser import markdown, render
from deckpoll.markdown.slides import SlideParts, SourceContext, process, resolve_asset, split
from deckpoll.model import Deck, DeckConfig, Slide
from deckpoll.render import Join, PollRenderer, render_page
from deckpoll.theme import Theme, load_theme
from deckpoll.yamlsrc import YamlDoc, parse_yaml

MANIFEST_VERSION = 1


@dataclass
class Compiled:
    """A built deck in memory: the page, its manifest and the files beside it."""

    html: str
    manifest: dict
    assets: dict[str, bytes]
    warnings: list[Diagnostic] = field(default_factory=list)
    deck: Deck | None = None


def compile_deck(
    deck_path: Path | str,
    *,
    join_url: str | None = None,
    poll_url: str | None = None,
    single_file: bool = False,
    strict: bool = False,
) -> Compiled:
    """Compile the deck at `deck_path`; raises DeckError with every problem found."""
    reporter = Reporter(strict=strict)
    source = locate(Path(deck_path))
    assets = Assets(single_file=single_file)
    config, doc = _config(source, reporter)
    theme = load_theme(config.theme, source.root, doc.key_at(("theme",)) if doc else
                       source.config_origin, reporter, assets)
    join = Join(config.polls.code, join_url or config.polls.join_url or _join_from(config))
    deck = _deck(source, config, doc, reporter, assets, theme, join)
    reporter.raise_if_errors()
    html = render_page(deck, theme, join, poll_url)
    manifest = build_manifest(deck, join, html)
    return Compiled(html, manifest, dict(assets.files), reporter.warnings, deck)


def build(deck_path: Path | str, out_dir: Path | str | None = None, **options) -> Path:
    """Compile and write `index.html`, `deckpoll.json` and assets; returns the output folder."""
    from deckpoll.write import write_output

    compiled = compile_deck(deck_path, **options)
    out = Path(out_dir) if out_dir is not None else Path("dist") / compiled.manifest["id"]
    write_output(compiled, out)
    return out


def _join_from(config: DeckConfig) -> str | None:
    if not config.polls.url:
        return None
    return config.polls.url.rstrip("/") + "/join"


def _config(source: DeckSource, reporter: Reporter) -> tuple[DeckConfig, YamlDoc | None]:
    doc = parse_yaml(source.config_text, source.config_origin, reporter)
    if doc is None:
        return DeckConfig(title=source.name), None
    if doc.data is None and source.single_file is None:
        reporter.error(source.config_origin, "deck.yaml is empty; it needs at least `title:`")
    return schema.deck_config(doc, reporter, default_title=source.name), doc


def _deck(source: DeckSource, config: DeckConfig, doc: YamlDoc | None, reporter: Reporter,
          assets: Assets, theme: Theme, join: Join) -> Deck:
    files = slide_files(source, config.slides,  reporter,
                        doc.key_at(("slides",)) if doc else source.config_origin)
    poll_renderer = PollRenderer(theme, config.lang, join)
    parts: list[tuple[SourceContext, SlideParts]] = []
    md = markdown()
    for file in files:
        lines = file.text.split("\n")
        ctx = SourceContext(file.path, lines, config, reporter, assets)
        env: dict = {}
        tokens = md.parse(file.text, env)
        for line, name in env.get("unclosed_divs", []):
            reporter.error(ctx.at(line), f"`::: {name}` is never closed; end it with a line `:::`")
        for start, slide_tokens in split(tokens, lines):
            parts.append((ctx, process(slide_tokens, start, ctx)))
    slides: list[Slide] = []
    slide_ids: dict[str, Location] = {}
    poll_ids: dict[str, Location] = {}
    for index, (ctx, part) in enumerate(parts, 1):
        where = ctx.at(part.start_line)
        slide_id = part.options.get("id") or f"s{index}"
        if slide_id in slide_ids:
            reporter.error(where, f"duplicate slide id {slide_id!r} (also at "
                                  f"{slide_ids[slide_id]}); slide ids must be unique")
        slide_ids.setdefault(slide_id, where)
        if part.poll is not None:
            if part.poll.id in poll_ids:
                reporter.error(where, f"duplicate poll id {part.poll.id!r} (also at "
                                      f"{poll_ids[part.poll.id]}); votes are keyed by the id, "
                                      "so each poll needs its own")
            poll_ids.setdefault(part.poll.id, where)
        background = None
        if part.options.get("background"):
            background = resolve_asset(part.options["background"], ctx,
                                       part.options.get("background_at") or where)
        env = {"render_poll": poll_renderer}
        slides.append(Slide(
            index=index,
            id=slide_id,
            title=part.title,
            layout=part.options.get("layout") or _default_layout(index, part),
            classes=part.options.get("classes", ()),
            html=render(part.body, env),
            notes_html=render(part.notes, env) if part.notes else "",
            text=part.text,
            fragments=part.fragments,
            background=background,
            poll=part.poll,
        ))
    return Deck(id=_slug(source.name), root=source.root, config=config, slides=tuple(slides))


def _default_layout(index: int, part: SlideParts) -> str:
    if part.poll is not None:
        return "poll"
    return "title" if index == 1 else "default"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "deck"


def build_manifest(deck: Deck, join: Join, html: str) -> dict:
    """The manifest a server reads instead of Markdown (see docs/html-contract.md)."""
    config = deck.config
    manifest = {
        "deckpoll": MANIFEST_VERSION,
        "id": deck.id,
        "title": config.title,
        "lang": config.lang,
        "authors": list(config.authors),
        "polls_config": {
            "code": config.polls.code,
            "url": config.polls.url,
            "join_url": join.url,
            "auto_open": config.polls.auto_open,
        },
        "slides": [
            {"index": s.index, "id": s.id, "title": s.title, "text": s.text,
             "poll": s.poll.id if s.poll else None}
            for s in deck.slides
        ],
        "polls": [poll.to_manifest(slide.index) for slide, poll in deck.polls],
    }
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode())
    digest.update(html.encode())
    manifest["hash"] = "sha256:" + digest.hexdigest()
    return manifest
