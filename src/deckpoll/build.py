"""The compile pipeline: load → parse → model → render, and `build` which also writes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from deckpoll import fonts, schema
from deckpoll.assets import Assets
from deckpoll.compose import SlideCompiler, chunks_of, compile_slides
from deckpoll.errors import Location, Reporter
from deckpoll.incremental import BuildCache, load_cache, save_cache
from deckpoll.load import DeckSource, locate, slide_files
from deckpoll.model import Compiled, Deck, DeckConfig
from deckpoll.phone import static_join_page
from deckpoll.render import Join, PollRenderer, environment, render_page
from deckpoll.theme import Theme, load_theme
from deckpoll.write import write_output
from deckpoll.yamlsrc import YamlDoc, parse_yaml

MANIFEST_VERSION = 1
JOIN_PAGE = "join.html"  # the phone page's file beside the deck (build --join-page)


def compile_deck(
    deck_path: Path | str,
    *,
    join_url: str | None = None,
    poll_url: str | None = None,
    single_file: bool = False,
    strict: bool = False,
    jobs: int = 1,
    cache: BuildCache | None = None,
    persist: bool = False,
    results: dict | None = None,
) -> Compiled:
    """Compile the deck at `deck_path`; raises DeckError with every problem found.

    `jobs` > 1 (or 0: auto, see compose.processes) compiles a large deck's slides in forked
    processes; `cache` reuses what an earlier build of the same deck compiled (incremental.py);
    `persist` loads it from the deck's .deckpoll/cache and saves it there after a good build.
    `results` (an archive's data) makes a handout (handout.py): compiled in this process and
    without the cache, since its poll slides are not the live deck's."""
    if results is not None:
        cache, persist, jobs = None, False, 1
    reporter = Reporter(strict=strict)
    source = locate(Path(deck_path))
    if persist and cache is None:
        cache = load_cache(source.root)
    config, doc = _config(source, reporter)
    assets = cache.assets_for(single_file) if cache else Assets(single_file=single_file)
    assets.roots = source.roots
    theme = load_theme(
        config.theme,
        source.root,
        doc.key_at(("theme",)) if doc else source.config_origin,
        reporter,
        assets,
    )
    join = Join(config.polls.code, join_url or config.polls.join_url or _join_from(config))
    if cache is not None:
        cache.use(
            (config, join, single_file, strict, theme.name, theme.css, theme.folders)
            + (theme.layouts, _template_stamps(theme.folders))
        )
    handout = None
    if results is not None:
        from deckpoll.handout import Handout

        template = environment(theme.folders).get_template("handout.html")
        handout = Handout(results, config.lang, template)
        join = Join(None, None)  # no join details in a handout
    deck = _deck(source, config, doc, reporter, assets, theme, join, jobs, cache, handout)
    reporter.raise_if_errors()
    page = render_page(
        deck,
        theme,
        join,
        poll_url,
        assets.stylesheet(),
        cache.sections if cache else None,
        fonts.for_deck(deck, cache.fonts if cache else None),
        live=handout is None,
    )
    if persist and cache is not None:
        save_cache(cache, source.root)
    manifest = build_manifest(deck, join, page.html)
    return Compiled(
        page.html,
        manifest,
        assets.to_write(),
        reporter.warnings,
        deck,
        page.sections,
        page.frame,
        (source.root, *theme.folders),
        page.audience,
        {slide.index: slide.notes_html for slide in deck.slides if slide.notes_html},
    )


def build(deck_path: Path | str, out_dir: Path | str | None = None, **options) -> Path:
    """Compile and write `index.html`, `deckpoll.json` and assets; returns the output folder."""
    return build_compiled(deck_path, out_dir, **options)[0]


def build_compiled(
    deck_path: Path | str,
    out_dir: Path | str | None = None,
    *,
    join_page: bool = False,
    **options,
) -> tuple[Path, Compiled]:
    """`build`, also returning what was compiled (for its warnings and counts).

    `join_page`: also write the phone page as `join.html` (always done when the deck names
    a `polls.url`: a backend other than `deckpoll serve` then needs it, docs/protocol.md)."""
    compiled = compile_deck(deck_path, **options)
    handout = options.get("results") is not None
    name = compiled.manifest["id"] + ("-handout" if handout else "")
    out = Path(out_dir) if out_dir is not None else Path("dist") / name
    extra = {}
    # A handout has no live polls: no phone page beside it either.
    if not handout and (join_page or compiled.manifest["polls_config"].get("url")):
        extra[JOIN_PAGE] = static_join_page(compiled.manifest)
    write_output(compiled, out, extra)
    return out, compiled


def slide_of(deck_path: Path | str, where: Location) -> int | None:
    """The number of the slide whose source holds `where`, or None when it lies outside
    every slide (deck.yaml, a theme file): the preview shows the slide with an error. The
    deck's files are split as a build splits them, so a slide added by the broken save
    counts too."""
    reporter = Reporter()
    source = locate(Path(deck_path))
    config, _ = _config(source, reporter)
    target = Path(where.path).resolve()
    number, found = 0, None
    for file in slide_files(source, config.slides, reporter, source.config_origin):
        chunks = chunks_of(file.path, file.text)
        if Path(file.path).resolve() == target:
            before = [i for i, chunk in enumerate(chunks, 1) if chunk.start < where.line]
            found = number + before[-1] if before else None
        number += len(chunks)
    return found


def _template_stamps(folders: tuple[Path, ...]) -> tuple:
    """(name, mtime, size) of a theme's own templates: a cached slide's HTML came from them
    (deckpoll's built-in templates count as its code: see incremental._code_stamp)."""
    stamps = []
    for folder in folders:
        for path in sorted(folder.glob("*.html")):
            stat = path.stat()
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


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


def _deck(
    source: DeckSource,
    config: DeckConfig,
    doc: YamlDoc | None,
    reporter: Reporter,
    assets: Assets,
    theme: Theme,
    join: Join,
    jobs: int,
    cache: BuildCache | None = None,
    handout=None,
) -> Deck:
    files = slide_files(
        source,
        config.slides,
        reporter,
        doc.key_at(("slides",)) if doc else source.config_origin,
        (lambda index: doc.value_at(("slides", index))) if doc else None,
    )
    chunks = [chunk for file in files for chunk in chunks_of(file.path, file.text)]
    polls = PollRenderer(theme, config.lang, join, handout)
    compiler = SlideCompiler(config, polls, reporter, assets, cache, theme.layouts)
    slides = compile_slides(chunks, compiler, jobs)
    if cache is not None:
        cache.prune(compiler.keys, slides)
    slide_ids: dict[str, Location] = {}
    poll_ids: dict[str, Location] = {}
    for slide, chunk in zip(slides, chunks, strict=True):
        _unique(
            slide_ids,
            slide.id,
            chunk.location,
            reporter,
            "slide id {!r}",
            "slide ids must be unique",
        )
        if slide.poll is not None:
            _unique(
                poll_ids,
                slide.poll.id,
                chunk.location,
                reporter,
                "poll id {!r}",
                "votes are keyed by the id, so each poll needs its own",
            )
    if handout is not None:
        slides = handout.expand(slides)
    return Deck(id=_slug(source.name), root=source.root, config=config, slides=tuple(slides))


def _unique(
    seen: dict[str, Location], key: str, where: Location, reporter: Reporter, what: str, why: str
) -> None:
    if key in seen:
        reporter.error(where, f"duplicate {what.format(key)} (also at {seen[key]}); {why}")
    else:
        seen[key] = where


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
        "reactions": list(config.reactions),
        "polls_config": {
            "code": config.polls.code,
            "url": config.polls.url,
            "join_url": join.url,
            "auto_open": config.polls.auto_open,
            "retention": config.polls.retention,
            "privacy": config.polls.privacy,
            "personal_data": config.polls.personal_data,
            "groups": [{"id": i, "label": label} for i, label in config.polls.groups],
        },
        "duration": config.duration,
        "timer_sound": config.timer_sound,
        "slides": [
            {
                "index": s.index,
                "id": s.id,
                "title": s.title,
                "text": s.text,
                "poll": s.poll.id if s.poll else None,
                "timer": s.timer,
                "minutes": s.minutes,
            }
            for s in deck.slides
        ],
        # Each poll carries the deck's language: its answers are grouped by it (grouping.py).
        "polls": [
            {**poll.to_manifest(slide.index), "lang": config.lang} for slide, poll in deck.polls
        ],
    }
    # The slides' entries derive from the same sources as the page, so hashing the page and
    # the rest of the manifest covers everything without serialising 5,000 slide entries.
    rest = {key: value for key, value in manifest.items() if key != "slides"}
    digest = hashlib.sha256(json.dumps(rest, sort_keys=True, ensure_ascii=False).encode())
    for start in range(0, len(html), 1 << 20):  # in pieces: no second copy of a large page
        digest.update(html[start : start + (1 << 20)].encode())
    manifest["hash"] = "sha256:" + digest.hexdigest()
    return manifest
