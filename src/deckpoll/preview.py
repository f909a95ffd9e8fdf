"""`deckpoll preview`: build, serve on 127.0.0.1, rebuild on every save, push the change.

The server is the one `deckpoll serve` runs (server.app.create_app, on an in-memory
store); this module adds the preview's Part: a watcher that rebuilds, puts each good build
in the app's state and pushes what changed over an event stream of its own.

The last good build stays in memory (nothing is written to disk, so the watcher never sees
its own output). A save that breaks the deck leaves that build in the browser under an
overlay with `file:line:col: message`; the next good save clears it. Only changed slides
travel to the browser; a change to the page's frame (deck.yaml, theme, slide count)
reloads it at the same position.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from deckpoll.build import compile_deck, slide_of
from deckpoll.errors import DeckError, DeckpollError, Location
from deckpoll.incremental import BuildCache
from deckpoll.load import locate
from deckpoll.model import Compiled
from deckpoll.render import environment, script_json
from deckpoll.runtime import FOLDER as RUNTIME_FOLDER
from deckpoll.server.api import Invalid, is_presenter
from deckpoll.server.app import DeckApp, Part, create_app
from deckpoll.server.events import Broadcaster
from deckpoll.server.guards import allowed_hosts
from deckpoll.server.session import Session
from deckpoll.server.site import Site
from deckpoll.stores.base import Store, open_store

EVENTS_PATH = "/_preview/events"
REHEARSE_PATH = "/_preview/rehearse"
# Files whose change leaves the cached slides valid: slide text and deck settings (the
# settings are part of every cache key). Anything else (images, theme) resets the cache.
SOURCE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml")
IGNORED_DIRS = ("dist", ".deckpoll", "node_modules", "__pycache__", ".git")


@dataclass
class Preview:
    """One deck under preview: its last good build, its errors, and the stream that tells
    the browsers what changed (a snapshot `{epoch, errors}` first, then the changes)."""

    deck: Path
    follow: bool = True
    rehearse: int = 40
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    cache: BuildCache = field(default_factory=BuildCache)
    good: Compiled | None = None
    errors: list[str] = field(default_factory=list)
    # The slide that holds the first error (None: deck.yaml, a theme, or nothing to show):
    # the browsers go there while the overlay is up.
    error_slide: int | None = None
    epoch: int = 0
    stream: Broadcaster = field(init=False)

    def __post_init__(self) -> None:
        self.stream = Broadcaster(self.snapshot)

    def snapshot(self, presenter: bool = False) -> dict:
        """What a browser hears first on every (re)connect."""
        return {"epoch": self.epoch, "errors": self.errors, "slide": self.error_slide}

    def rebuild(self, changed: Iterable[Path] = ()) -> tuple[str, dict]:
        """Build again; returns the event (name, data) that tells browsers what changed."""
        changed = list(changed)
        if any(not p.name.endswith(SOURCE_SUFFIXES) for p in changed):
            self.cache.reset()
        try:
            compiled = compile_deck(self.deck, cache=self.cache)
        except DeckError as error:
            found = [d for d in error.diagnostics if d.severity == "error"]
            self.errors = [str(d) for d in found]
            return self._failed(found[0].location if found else None)
        except (DeckpollError, OSError) as error:
            self.errors = [f"error: {error}"]
            return self._failed()
        previous, self.good, self.errors, self.error_slide = self.good, compiled, [], None
        self.epoch += 1
        if (
            previous is None
            or previous.frame != compiled.frame
            or len(previous.sections) != len(compiled.sections)
        ):
            return "reload", {"epoch": self.epoch}
        changes = [
            {"index": index, "html": new}
            for index, (old, new) in enumerate(
                zip(previous.sections, compiled.sections, strict=True), 1
            )
            if old != new
        ]
        return "update", {"epoch": self.epoch, "changes": changes}

    def _failed(self, where: Location | None = None) -> tuple[str, dict]:
        """The errors go to the terminal too: the author may be looking at the editor."""
        import sys

        sys.stderr.write("".join(f"{line}\n" for line in self.errors))
        sys.stderr.flush()
        self.error_slide = None
        if where is not None:
            with contextlib.suppress(DeckpollError, OSError):  # the deck no longer loads
                self.error_slide = slide_of(self.deck, where)
        return "errors", {"errors": self.errors, "slide": self.error_slide}

    def publish(self, event: tuple[str, dict]) -> None:
        self.stream.publish(*event)

    def page(self) -> str:
        """The last good page with the preview script added, or a page with the errors."""
        options = {
            "epoch": self.epoch,
            "events": EVENTS_PATH,
            "follow": self.follow,
            "rehearse": REHEARSE_PATH,
            "rehearse_count": self.rehearse,
            "key": self.key,
        }
        env = environment(())
        script = (RUNTIME_FOLDER / "preview.js").read_text("utf-8")
        values = {"options": Markup(script_json(options)), "script": Markup(script)}
        if self.good is None:
            return env.get_template("preview-error.html").render(errors=self.errors, **values)
        head, _, tail = self.good.html.rpartition("</body>")
        return head + env.get_template("preview.html").render(**values) + "</body>" + tail

    def site(self) -> Site:
        """The page, phone page, manifest and files of the last good build, for the app."""
        if self.good is None:
            return Site(self.page(), None, {}, code=None, join_url=None)
        manifest = self.good.manifest
        return Site(self.page(), manifest, self.good.assets, code=_code(manifest), join_url=None)

    def folders(self) -> tuple[Path, ...]:
        """What to watch: the folders the last good build read (deck, theme and the themes
        it extends), or the deck's folder before any build succeeded."""
        if self.good is not None and self.good.folders:
            return self.good.folders
        return (locate(self.deck).root,)


def _code(manifest: dict) -> str | None:
    code = (manifest.get("polls_config") or {}).get("code")
    return str(code) if code else None


def _poll_signature(manifest: dict) -> str:
    """What a poll session depends on: the polls, which slide shows which, their settings."""
    slides = [s["poll"] for s in manifest["slides"]]
    return json.dumps([manifest["polls"], slides, manifest["polls_config"]], sort_keys=True)


class PreviewPart:
    """The preview's part of the server app: its event stream and rehearsal routes, and a
    lifespan that watches the deck and puts every good build into the app's state. When a
    save changes the deck's polls a new session takes over the same store (answers are
    keyed by poll id, so they survive); open event streams reconnect to it."""

    def __init__(
        self,
        preview: Preview,
        store: Store,
        *,
        poll: bool = False,
        stop: asyncio.Event | None = None,
    ) -> None:
        self.preview, self.store, self.poll, self.stop = preview, store, poll, stop
        self.epoch = preview.epoch
        good = preview.good
        self.signature = _poll_signature(good.manifest) if good is not None else None
        self.part = Part(
            routes=[
                Route(EVENTS_PATH, self.events, methods=["GET"]),
                Route(REHEARSE_PATH + "/{poll}", self.rehearse, methods=["POST"]),
            ],
            lifespan=self.lifespan,
            streams=[preview.stream],
        )

    @contextlib.asynccontextmanager
    async def lifespan(self, app: DeckApp) -> AsyncIterator[None]:
        async def after_build() -> None:
            await self.take_build(app)

        task = asyncio.create_task(
            watch(self.preview, poll=self.poll, stop=self.stop, after_build=after_build)
        )
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def take_build(self, app: DeckApp) -> None:
        """Serve the last good build, with a new session if its polls changed."""
        preview, state = self.preview, app.state
        if preview.good is None or preview.epoch == self.epoch:
            return
        self.epoch = preview.epoch
        manifest = preview.good.manifest
        signature = _poll_signature(manifest)
        if signature != self.signature:
            session = Session(manifest, self.store)
            await session.start()
            old, state.session, self.signature = state.session, session, signature
            state.join_code = _code(manifest)
            if old is not None:
                await old.stop()
        state.site = preview.site()

    async def events(self, request: Request) -> Response:
        stream = self.preview.stream
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}

        async def respond(scope, receive, send) -> None:
            await stream.respond(
                scope, receive, send, presenter=False, role="preview", headers=headers
            )

        return respond  # an ASGI response: Starlette calls it with the connection

    async def rehearse(self, request: Request) -> Response:
        """Open the poll and fill it with `count` simulated answers (`r` on a poll slide)."""
        from deckpoll.polls import check_answer
        from deckpoll.rehearse import answers
        from deckpoll.stores.base import OPEN

        try:
            is_presenter(request, required=True)
        except Invalid as error:
            return JSONResponse({"error": error.code}, status_code=error.status)
        session = request.app.state.session
        poll_id = request.path_params["poll"]
        if session is None or poll_id not in session.polls:
            return JSONResponse({"error": "unknown_poll"}, status_code=404)
        count = request.query_params.get("count", str(self.preview.rehearse))
        if not count.isdigit() or not 1 <= int(count) <= 2000:
            return JSONResponse({"error": "count must be 1 to 2000"}, status_code=422)
        poll = session.polls[poll_id]
        if session.status[poll_id].status != OPEN:
            await session.set_status(poll_id, OPEN)
        added = 0
        seed = secrets.randbelow(1 << 30)
        for body in answers(poll, int(count), seed=seed, tables=list(session.tables)):
            checked = check_answer(poll, body, tables=session.tables)
            await session.answer(poll_id, secrets.token_urlsafe(16), checked)
            added += 1
        return JSONResponse({"ok": True, "added": added})


def create_preview_app(
    preview: Preview, *, poll: bool = False, stop: asyncio.Event | None = None
) -> DeckApp:
    """The server app of `deckpoll serve` on an in-memory store, with the preview's part."""
    store = open_store("memory://", namespace="preview")
    part = PreviewPart(preview, store, poll=poll, stop=stop)
    # The preview page holds the presenter key: answer only to loopback names (a page on
    # another site could point its own name at 127.0.0.1, DNS rebinding).
    app = create_app(
        preview.good,
        store,
        presenter_key=preview.key,
        parts=[part.part],
        allowed_hosts=allowed_hosts(),
    )
    app.state.site = preview.site()
    return app


async def watch(
    preview: Preview,
    *,
    poll: bool = False,
    stop: asyncio.Event | None = None,
    after_build: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Rebuild and publish on every change under the folders the deck is built from; when a
    save names another theme, watch its folder from then on. `after_build` runs before the
    browsers hear of a build (the app serves it by then, and finds its polls)."""
    from watchfiles import DefaultFilter, awatch

    watch_filter = DefaultFilter(ignore_dirs=(*DefaultFilter.ignore_dirs, *IGNORED_DIRS))
    while True:
        folders = preview.folders()
        async for changes in awatch(
            *folders,
            watch_filter=watch_filter,
            debounce=200,
            step=5,
            force_polling=poll,
            poll_delay_ms=100,
            stop_event=stop,
        ):
            event = preview.rebuild(Path(path) for _, path in changes)
            if after_build is not None:
                await after_build()
            preview.publish(event)
            if preview.folders() != folders:
                break  # watch the new set of folders
        else:
            return  # stopped


def serve(
    deck: Path,
    *,
    port: int = 0,
    open_browser: bool = True,
    poll: bool = False,
    follow: bool = True,
    rehearse: int = 40,
) -> None:
    """Run the preview until interrupted."""
    import sys
    import webbrowser

    from deckpoll.server.run import bind_socket, run_server

    preview = Preview(Path(deck), follow=follow, rehearse=rehearse)
    preview.rebuild()
    sock = bind_socket("127.0.0.1", port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/?key={preview.key}"
    sys.stdout.write(f"deckpoll preview: {url}\n")
    sys.stdout.write(
        f"  (polls answer in memory; press r on a poll slide for {rehearse} simulated answers)\n"
    )
    sys.stdout.flush()  # (the first build's errors, if any, are already on stderr)
    if open_browser:
        webbrowser.open(url)
    try:
        run_server(create_preview_app(preview, poll=poll), sock)
    finally:
        sock.close()
