"""The command line: thin click commands that parse options and call one function each."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from deckpoll import __version__
from deckpoll.errors import DeckError, DeckpollError, Diagnostic

# Kept here (not imported from the server) so that `deckpoll --help` stays fast.
DEFAULT_VOTERS_PER_MINUTE = 600
STORE_WAIT = 30.0  # as server/talk.py's (tests/test_server_machines.py checks they agree)

DECK = click.argument("deck", type=click.Path(path_type=Path), default=".", required=False)


class DeckpollCommandError(click.ClickException):
    """A user-facing failure, printed without a traceback."""

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


class DeckpollGroup(click.Group):
    """The one error path: a DeckpollError from any command (a deck's diagnostics, a port
    in use, a store that will not open) is printed without a traceback, exit status 1.
    Commands just call their function and let errors rise."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DeckpollError as error:
            raise _fail(error) from None


def _fail(error: DeckpollError) -> DeckpollCommandError:
    if isinstance(error, DeckError):
        for diagnostic in error.diagnostics:
            _echo_diagnostic(diagnostic)
        return DeckpollCommandError(f"{error.error_count} error(s); nothing was written")
    return DeckpollCommandError(f"error: {error}")


def _echo_diagnostic(diagnostic: Diagnostic) -> None:
    color = "red" if diagnostic.severity == "error" else "yellow"
    location, _, rest = str(diagnostic).partition(f": {diagnostic.severity}:")
    click.echo(location + ": " + click.style(diagnostic.severity + ":", fg=color) + rest, err=True)


@click.group(cls=DeckpollGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckpoll")
def main() -> None:
    """Compile a Markdown + YAML talk into an HTML deck with live audience polls."""


@main.command()
@DECK
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: dist/<deck folder name>/).",
)
@click.option("--single-file", is_flag=True, help="Inline images too: one file, nothing beside it.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--pdf", is_flag=True, help="Also write deck.pdf (needs Chromium installed).")
@click.option(
    "-j",
    "--jobs",
    default="auto",
    show_default=True,
    callback=lambda ctx, param, value: _jobs(value),
    help="Processes compiling slides: a number (1: no parallel build), or auto: the free "
    "cores, for decks of 2,000 slides or more.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Compile every slide again; neither read nor write DECK/.deckpoll/cache.",
)
@click.option(
    "--join-page",
    is_flag=True,
    help="Also write the phone page, OUT/join.html, for a backend other than deckpoll serve "
    "(always written when the deck sets polls.url).",
)
@click.option(
    "--results",
    "results",
    default=None,
    metavar="ARCHIVE|latest",
    help="A handout: bake an archive's final results (DECK/results/*.json, or latest) into "
    "the poll slides; no live polls, no join details (default OUT: dist/<deck>-handout/).",
)
def build(
    deck: Path,
    out: Path | None,
    single_file: bool,
    strict: bool,
    pdf: bool,
    jobs: int,
    no_cache: bool,
    join_page: bool,
    results: str | None,
) -> None:
    """Write OUT/index.html and OUT/deckpoll.json (and OUT/join.html with --join-page)."""
    from deckpoll.build import JOIN_PAGE, build_compiled

    archive = None
    if results is not None:
        from deckpoll.handout import load

        archive = load(deck, results)
    folder, compiled = build_compiled(
        deck,
        out,
        single_file=single_file,
        strict=strict,
        jobs=jobs,
        persist=not no_cache,
        join_page=join_page,
        results=archive,
    )
    _summary(compiled, f"built {folder / 'index.html'}")
    if archive is None and (join_page or compiled.manifest["polls_config"]["url"]):
        click.echo(f"wrote the phone page {folder / JOIN_PAGE} (serve it at <polls.url>/join)")
    if pdf:
        from deckpoll.pdf import write_pdf

        write_pdf(folder / "index.html", folder / "deck.pdf")
        click.echo(f"wrote {folder / 'deck.pdf'}")


@main.command()
@DECK
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(deck: Path, strict: bool) -> None:
    """Validate a deck without writing anything (for CI)."""
    from deckpoll.build import compile_deck

    compiled = compile_deck(deck, strict=strict)
    _summary(compiled, "ok")


def _jobs(value: str) -> int:
    """`--jobs` as compile_deck takes it: 0 for auto, else a count of at least 1."""
    if value.strip().lower() == "auto":
        return 0
    try:
        count = int(value)
    except ValueError:
        count = 0
    if not 1 <= count <= 64:
        raise click.BadParameter(f"{value!r}: give a number from 1 to 64, or auto")
    return count


def _summary(compiled, what: str) -> None:
    """The warnings of a build that succeeded, then one line: slides, polls, warnings."""
    for warning in compiled.warnings:
        _echo_diagnostic(warning)
    slides, polls = len(compiled.manifest["slides"]), len(compiled.manifest["polls"])
    click.echo(f"{what}: {slides} slides, {polls} polls, {len(compiled.warnings)} warning(s)")


@main.command()
@click.argument("name", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The talk's title (default: from NAME).")
def new(name: Path, title: str | None) -> None:
    """Scaffold a deck folder NAME that builds as is."""
    if name.exists() and any(name.iterdir()):
        raise DeckpollError(f"{name} exists and is not empty; choose a new name")
    title = title or name.name.replace("-", " ").replace("_", " ").strip().capitalize() or "Talk"
    name.mkdir(parents=True, exist_ok=True)
    import secrets  # here: every other command would pay its import (random, hashlib)

    template = Path(__file__).with_name("templates") / "new"
    code = f"{secrets.randbelow(900000) + 100000}"
    for entry in template.iterdir():
        text = entry.read_text("utf-8")
        if entry.name == "deck.yaml":
            text = text.replace("{title}", title.replace('"', "'")).replace("{code}", code)
        elif entry.name == "slides.md":
            text = text.replace("{title}", title)
        (name / entry.name).write_text(text, "utf-8")
    click.echo(f"created {name}/ - build it with: deckpoll build {name}")


@main.command()
@DECK
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (default: a free one).")
@click.option("--no-open", is_flag=True, help="Do not open the browser.")
@click.option(
    "--poll",
    is_flag=True,
    help="Poll for changes (network drives, WSL: filesystems without change events).",
)
@click.option(
    "--no-follow", is_flag=True, help="Stay on the shown slide when another slide changes."
)
@click.option(
    "--rehearse",
    type=click.IntRange(1, 2000),
    default=40,
    show_default=True,
    help="Simulated answers that `r` on a poll slide adds (to check layouts before the talk).",
)
def preview(
    deck: Path, port: int, no_open: bool, poll: bool, no_follow: bool, rehearse: int
) -> None:
    """Build, serve on 127.0.0.1, rebuild on every save and show it in the browser."""
    from deckpoll.preview import serve as serve_preview

    serve_preview(
        deck,
        port=port,
        open_browser=not no_open,
        poll=poll,
        follow=not no_follow,
        rehearse=rehearse,
    )


@main.command()
@DECK
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets phones on the same network join.",
)
@click.option("--port", type=int, default=8000, show_default=True, help="Port (0: any free one).")
@click.option(
    "--store",
    "store_url",
    default=None,
    help="Where answers live: sqlite:///path, memory:// (default: "
    "sqlite in the deck's .deckpoll/ folder).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the presenter view.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes serving the port; more than 1 needs --store redis://...",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Start with no answers; earlier ones (a rehearsal) are archived in DECK/results/.",
)
@click.option(
    "--no-save",
    is_flag=True,
    help="Do not archive the answers in DECK/results/ when the server stops.",
)
@click.option(
    "--voters-per-minute",
    type=click.IntRange(1, 1_000_000),
    default=DEFAULT_VOTERS_PER_MINUTE,
    show_default=True,
    help="New voter tokens one address may get per minute (a room behind one NAT shares one).",
)
@click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The talk's presenter key: read from this file, or written to it when made here "
    "(default: $DECKPOLL_PRESENTER_KEY, else DECK/.deckpoll/presenter-key). Give every "
    "server of one talk the same key.",
)
@click.option(
    "--new-key",
    is_flag=True,
    help="Replace the talk's presenter key: the earlier presenter links stop working on "
    "every server of the talk.",
)
@click.option(
    "--store-wait",
    type=click.FloatRange(0, 86_400),
    default=STORE_WAIT,
    show_default=True,
    help="Seconds to wait for an unreachable store (Redis) at start before giving up.",
)
def serve(
    deck: Path,
    host: str,
    port: int,
    store_url: str | None,
    open_browser: bool,
    workers: int,
    fresh: bool,
    no_save: bool,
    voters_per_minute: int,
    key_file: Path | None,
    new_key: bool,
    store_wait: float,
) -> None:
    """Present with live polls: prints the presenter link (with its key) and the join link."""
    from deckpoll.server.run import serve as serve_deck

    serve_deck(
        deck,
        host=host,
        port=port,
        store_url=store_url,
        open_browser=open_browser,
        workers=workers,
        fresh=fresh,
        save=not no_save,
        voters_per_minute=voters_per_minute,
        key_file=key_file,
        new_key=new_key,
        store_wait=store_wait,
    )


@main.command()
@click.argument("deck", type=click.Path(path_type=Path), default=".", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "md"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--store",
    "store_url",
    default=None,
    help="Where the answers are (default: the deck's .deckpoll/ SQLite file).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
@click.option(
    "--save",
    is_flag=True,
    help="Archive the answers in DECK/results/<date>-<time>.json (no voter tokens) to commit "
    "with the deck, instead of printing an export.",
)
def results(deck: Path, fmt: str, store_url: str | None, out: Path | None, save: bool) -> None:
    """Export every poll's tally and answers from DECK's store, or from an archive
    (DECK/results/*.json), stamped with the deck's hash and the time."""
    from deckpoll.archive import is_archive
    from deckpoll.archive import save as save_archive
    from deckpoll.results import deck_root, gather, render

    if save and is_archive(deck):
        raise DeckpollError(f"{deck} is an archive already; --save archives a deck's store")
    data = gather(deck, store_url)
    if save:
        click.echo(f"saved {save_archive(data, deck_root(deck))}")
        return
    text = render(data, fmt)
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        out.write_text(text, "utf-8")
        click.echo(f"wrote {out}", err=True)


@main.command()
@DECK
@click.option(
    "--older-than",
    "older_than",
    default=None,
    help="Delete answers older than this (30d, 2w, 12h); default: the deck's polls.retention.",
)
@click.option(
    "--store",
    "store_url",
    default=None,
    help="The store to purge (default: the deck's .deckpoll/ SQLite file, if there is one).",
)
def purge(deck: Path, older_than: str | None, store_url: str | None) -> None:
    """Delete old answers from the deck's store and its archives in DECK/results/ (run it
    when the deck is not being served: a running server keeps what it has in memory)."""
    from deckpoll.purge import purge as purge_deck
    from deckpoll.retention import DURATION_HINT, parse_duration

    if older_than is not None:
        seconds = parse_duration(older_than)
        if seconds is None:
            raise DeckpollError(f"--older-than {older_than!r}: give {DURATION_HINT}")
    else:
        from deckpoll.results import load_manifest

        seconds = (load_manifest(deck).get("polls_config") or {}).get("retention")
        if not seconds:
            raise DeckpollError(
                "how old? set polls.retention in deck.yaml (e.g. 30d) or pass --older-than 30d"
            )
    done = purge_deck(deck, seconds, store_url)
    click.echo(f"deleted {done.answers} answer(s) from the store")
    for path in done.archives_deleted:
        click.echo(f"deleted {path} (every answer in it was older)")
    for path in done.archives_trimmed:
        click.echo(f"removed the older answers from {path}")
    click.echo(f"{done.archived_answers} archived answer(s) deleted in all")


@main.command("import")
@click.argument("src", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="The new deck folder (default: <name>-deckpoll/).",
)
@click.option(
    "--from",
    "tool",
    type=click.Choice(["auto", "marp", "reveal", "slidev", "remark", "deckset"]),
    default="auto",
    show_default=True,
    help="The tool SRC was written for (auto: recognise it).",
)
def import_(src: Path, out: Path | None, tool: str) -> None:
    """Turn a Marp, reveal.js/reveal-md, Slidev, remark or Deckset deck into a deckpoll deck."""
    from deckpoll.importers import import_deck

    imported = import_deck(src, out, tool)
    for warning in imported.warnings:
        _echo_diagnostic(warning)
    click.echo(
        f"imported {imported.slides} slides ({imported.tool}, {imported.images} images, "
        f"{len(imported.warnings)} warning(s)) into {imported.out}/ - "
        f"build it with: deckpoll build {imported.out}"
    )


@main.command("protocol-check")
@click.argument("url")
@click.option(
    "--key",
    envvar="DECKPOLL_KEY",
    default=None,
    help="The presenter key (or $DECKPOLL_KEY); without it the presenter's rules are skipped.",
)
def protocol_check(url: str, key: str | None) -> None:
    """Check the poll backend at URL (its base URL, as in polls.url) against docs/protocol.md
    and print pass/fail per rule; exit status 1 if any rule fails.

    It answers polls, opens, closes and resets them (putting each back as it found it, with
    no answers): run it on a rehearsal, never during a talk."""
    from deckpoll.conformance import check

    try:
        report = check(url, key)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="URL") from None
    for line in report.lines():
        click.echo(line)
    if report.failed:
        sys.exit(1)


def run() -> None:
    """Entry point that also turns Ctrl-C into a quiet exit."""
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
