"""Per-slide compilation (parse → passes → render) and its driver, which spreads the slides
of a large deck over the machine's cores."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from deckpoll.assets import Assets
from deckpoll.errors import Diagnostic, Location, Reporter
from deckpoll.incremental import BuildCache, CachedSlide
from deckpoll.markdown.parser import markdown, put_back, render, set_aside
from deckpoll.markdown.references import References, definitions, still_valid
from deckpoll.markdown.slides import (
    SlideParts,
    SourceContext,
    background_css,
    has_raw_html,
    process,
    report_external,
    shift,
    split,
)
from deckpoll.model import LAYOUTS, DeckConfig, Slide
from deckpoll.offline import may_load_external
from deckpoll.render import PollRenderer

# Fewer slides than this per process and forking costs more than it saves.
BATCH_MIN_SLIDES = 150
# `--jobs auto` goes parallel only from this many slides: measured with bench/build.py on
# 2 cores, 1,000 slides in two processes took longer than in one and 11-24% more CPU.
AUTO_MIN_SLIDES = 2000


@dataclass(frozen=True)
class Chunk:
    """The source text of one slide and where it stands."""

    path: Path
    lines: list[str]
    start: int
    text: str
    # The link reference definitions of the whole file (shared by its chunks).
    references: Mapping[str, dict] = field(default_factory=dict, compare=False)

    @property
    def location(self) -> Location:
        return Location(self.path, self.start + 1, 1)


def chunks_of(path: Path, text: str) -> list[Chunk]:
    """One Markdown file's slides, each knowing the definitions of the whole file."""
    lines = text.split("\n")
    parts = split(text)
    shared = definitions(part for _, part in parts)
    return [Chunk(path, lines, start, part, shared) for start, part in parts]


class SlideCompiler:
    """Turns a Chunk into a Slide; holds what every slide of a deck shares."""

    def __init__(
        self,
        config: DeckConfig,
        polls: PollRenderer,
        reporter: Reporter,
        assets: Assets,
        cache: BuildCache | None = None,
        layouts: tuple[str, ...] = LAYOUTS,
    ) -> None:
        self.config, self.reporter, self.assets, self.cache = config, reporter, assets, cache
        self.layouts = layouts
        self.env = {"render_poll": polls}
        self.keys: set = set()

    def __call__(self, chunk: Chunk, index: int) -> Slide:
        if self.cache is None:
            return self.compile(chunk, index)
        key = cache_key(chunk, index)
        self.keys.add(key)
        cached = self.cache.slides.get(key)
        if (
            cached is not None
            and still_valid(cached.references, chunk.references)
            and all(self.assets.name(path) == name for path, name in cached.assets)
        ):
            self.cache.hits += 1
            self.reporter.diagnostics.extend(cached.diagnostics)
            return cached.slide
        self.cache.misses += 1
        before = len(self.reporter.diagnostics)
        references = References(chunk.references)
        self.assets.used = []
        try:
            slide = self.compile(chunk, index, references)
            used = tuple(dict.fromkeys(self.assets.used))
        finally:
            self.assets.used = None
        self.cache.slides[key] = CachedSlide(
            slide, tuple(self.reporter.diagnostics[before:]), references.dependencies(), used
        )
        return slide

    def compile(self, chunk: Chunk, index: int, references: References | None = None) -> Slide:
        ctx = SourceContext(
            chunk.path, chunk.lines, self.config, self.reporter, self.assets, self.layouts
        )
        if references is None:
            references = References(chunk.references)
        parse_env: dict = {"references": references}
        tokens = shift(markdown().parse(chunk.text, parse_env), chunk.start)
        for line, name in parse_env.get("unclosed_divs", []):
            ctx.reporter.error(
                ctx.at(line + chunk.start),
                f"`::: {name}` is never closed; end it with a line `:::`",
            )
        part = process(tokens, chunk.start, ctx)
        background = None
        if part.options.get("background"):
            background = background_css(
                part.options["background"], ctx, part.options.get("background_at") or chunk.location
            )
        env = set_aside(self.env)
        html = render(part.body, env)
        align = part.options.get("align") or self.config.align
        notes_html = render(part.notes, env) if part.notes else ""
        raw = has_raw_html(part.body) or has_raw_html(part.notes)
        if raw:  # raw HTML could leave a tag or <style> open around code: check all of it
            html, notes_html = put_back(html, env), put_back(notes_html, env)
        if raw or may_load_external(html + notes_html):
            end = chunk.start + chunk.text.count("\n") + 1
            report_external(html + notes_html, ctx, chunk.start, end)
        html, notes_html = put_back(html, env), put_back(notes_html, env)
        return Slide(
            index=index,
            id=part.options.get("id") or f"s{index}",
            title=part.title,
            layout=part.options.get("layout") or _default_layout(index, part),
            classes=part.options.get("classes", ())
            + (("dp-align-center",) if align == "center" else ()),
            html=html,
            notes_html=notes_html,
            text=part.text,
            fragments=part.fragments,
            background=background,
            poll=part.poll,
            split=part.options.get("split") if background else None,
            fill=part.options.get("fill") if background else None,
            timer=part.options.get("timer"),
            minutes=part.options.get("minutes"),
        )


def cache_key(chunk: Chunk, index: int) -> tuple:
    """What a slide's cache entry is found by: its text, where it stands, its position."""
    return (chunk.path, chunk.start, chunk.text, index)


def _default_layout(index: int, part: SlideParts) -> str:
    if part.poll is not None:
        return "poll"
    return "title" if index == 1 else "default"


def compile_slides(chunks: list[Chunk], compiler: SlideCompiler, jobs: int = 1) -> list[Slide]:
    """Every chunk compiled, in order. With more than one process (see `processes`) the
    slides are split into contiguous batches compiled by forked processes; their
    diagnostics and assets are merged back so the result is the same as with jobs=1."""
    jobs = processes(jobs, len(chunks))
    if jobs <= 1 or threading.active_count() > 1 or os.name != "posix":
        return [compiler(chunk, index) for index, chunk in enumerate(chunks, 1)]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    size = -(-len(chunks) // jobs)
    bounds = [(i, min(i + size, len(chunks))) for i in range(0, len(chunks), size)]
    global _JOB
    _JOB = (compiler, chunks)
    try:
        with ProcessPoolExecutor(len(bounds) - 1, mp_context=get_context("fork")) as pool:
            futures = [pool.submit(_batch, b) for b in bounds[1:]]
            slides = _batch(bounds[0], fresh=False)[0]
            for future in futures:
                batch, diagnostics, files, urls, entries = future.result()
                slides.extend(batch)
                compiler.reporter.diagnostics.extend(diagnostics)
                compiler.assets.merge(files, urls)
                for index, entry in entries:  # what the worker added to its copy of the cache
                    key = cache_key(chunks[index - 1], index)
                    compiler.cache.slides[key] = entry  # type: ignore[union-attr]
                    compiler.keys.add(key)
    finally:
        _JOB = None
    return slides


def processes(jobs: int, slides: int) -> int:
    """How many processes compile `slides` slides. `jobs` >= 1 asks for that many; 0 (auto)
    asks for one per core that is free now (usable cores minus the load average, this
    process counted as free) and only for decks large enough to pay for the forks. Either
    way every process gets at least BATCH_MIN_SLIDES slides."""
    if jobs == 0:
        if slides < AUTO_MIN_SLIDES:
            return 1
        jobs = free_cores()
    return max(1, min(jobs, slides // BATCH_MIN_SLIDES))


def free_cores() -> int:
    """Cores this process may use that nothing else keeps busy (at least 1)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        busy = round(os.getloadavg()[0]) - 1  # the load counts this process too
    except OSError:  # no load average on this system
        busy = 0
    return max(1, (usable or 1) - max(busy, 0))


_JOB: tuple[SlideCompiler, list[Chunk]] | None = None


def _batch(
    bounds: tuple[int, int], fresh: bool = True
) -> tuple[
    list[Slide], list[Diagnostic], dict[str, bytes], dict[Path, str], list[tuple[int, CachedSlide]]
]:
    compiler, chunks = _JOB  # type: ignore[misc]
    if fresh:  # in a forked worker: collect only what this batch adds
        compiler.reporter = Reporter(compiler.reporter.strict)
        compiler.assets = Assets(compiler.assets.single_file, compiler.assets.roots)
    start, end = bounds
    slides = [compiler(chunks[i], i + 1) for i in range(start, end)]
    entries = []
    if fresh and compiler.cache is not None:
        found = (compiler.cache.slides.get(cache_key(chunks[i], i + 1)) for i in range(start, end))
        entries = [(i, entry) for i, entry in enumerate(found, start + 1) if entry is not None]
    assets = compiler.assets
    return slides, compiler.reporter.diagnostics, assets.files, assets.names, entries
