"""`deckpoll preview`: build, serve on 127.0.0.1, rebuild on every save, push the change.

The last good build stays in memory (nothing is written to disk, so the watcher never sees
its own output). A save that breaks the deck leaves that build in the browser under an
overlay with `file:line:col: message`; the next good save clears it. Only changed slides
travel to the browser; a change to the page's frame (deck.yaml, theme, slide count)
reloads it at the same position.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import secrets
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from deckpoll.build import compile_deck
from deckpoll.errors import DeckError, DeckpollError
from deckpoll.incremental import BuildCache
from deckpoll.load import locate
from deckpoll.model import Compiled
from deckpoll.render import script_json

EVENTS_PATH = "/_preview/events"
REHEARSE_PATH = "/_preview/rehearse"
PING_SECONDS = 15.0
# Files whose change leaves the cached slides valid: slide text and deck settings (the
# settings are part of every cache key). Anything else (images, theme) resets the cache.
SOURCE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml")
IGNORED_DIRS = ("dist", ".deckpoll", "node_modules", "__pycache__", ".git")


@dataclass
class Preview:
    """One deck under preview: its last good build, its errors, and who is listening."""

    deck: Path
    follow: bool = True
    rehearse: int = 40
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    cache: BuildCache = field(default_factory=BuildCache)
    good: Compiled | None = None
    errors: list[str] = field(default_factory=list)
    epoch: int = 0
    listeners: set[asyncio.Queue] = field(default_factory=set)

    def rebuild(self, changed: Iterable[Path] = ()) -> tuple[str, dict]:
        """Build again; returns the event (name, data) that tells browsers what changed."""
        changed = list(changed)
        if any(not p.name.endswith(SOURCE_SUFFIXES) for p in changed):
            self.cache.reset()
        try:
            compiled = compile_deck(self.deck, cache=self.cache)
        except DeckError as error:
            self.errors = [str(d) for d in error.diagnostics if d.severity == "error"]
            return "errors", {"errors": self.errors}
        except (DeckpollError, OSError) as error:
            self.errors = [f"error: {error}"]
            return "errors", {"errors": self.errors}
        previous, self.good, self.errors = self.good, compiled, []
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

    def publish(self, event: tuple[str, dict]) -> None:
        for queue in list(self.listeners):
            queue.put_nowait(event)

    def page(self) -> str:
        """The last good page with the preview script added."""
        if self.good is None:
            return _error_page(self.errors)
        options = {
            "epoch": self.epoch,
            "events": EVENTS_PATH,
            "follow": self.follow,
            "rehearse": REHEARSE_PATH,
            "rehearse_count": self.rehearse,
            "key": self.key,
        }
        script = files("deckpoll.runtime").joinpath("preview.js").read_text("utf-8")
        injected = (
            f'<script type="application/json" id="dp-preview">{script_json(options)}</script>\n'
            f"<script>{script}</script>\n</body>"
        )
        head, _, tail = self.good.html.rpartition("</body>")
        return head + injected + tail

    def folders(self) -> tuple[Path, ...]:
        """What to watch: the folders the last good build read (deck, theme and the themes
        it extends), or the deck's folder before any build succeeded."""
        if self.good is not None and self.good.folders:
            return self.good.folders
        return (locate(self.deck).root,)

    async def events(self, disconnected) -> AsyncIterator[str]:
        """The SSE stream of one browser: a hello with the state, then every change."""
        queue: asyncio.Queue = asyncio.Queue()
        self.listeners.add(queue)
        try:
            yield _sse("hello", {"epoch": self.epoch, "errors": self.errors})
            while not await disconnected():
                try:
                    event = await asyncio.wait_for(queue.get(), PING_SECONDS)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                if event is None:  # the server is stopping
                    return
                yield _sse(*event)
        finally:
            self.listeners.discard(queue)

    def end_streams(self) -> None:
        """End every event stream (the server is stopping); call on the event loop."""
        for queue in list(self.listeners):
            queue.put_nowait(None)


def _sse(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _error_page(errors: list[str]) -> str:
    from html import escape

    lines = "\n".join(escape(e) for e in errors) or "building…"
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>deckpoll preview</title>'
        f'<pre role="alert" style="white-space:pre-wrap;font:15px/1.5 monospace">{lines}</pre>'
        f'<script>new EventSource("{EVENTS_PATH}")'
        '.addEventListener("reload", () => location.reload())</script></html>'
    )


class PollBackend:
    """The poll API of `deckpoll serve` for the deck under preview, with an in-memory store.
    When a save changes the deck's polls, a new session takes over the same store (answers
    are keyed by poll id, so they survive); open event streams reconnect to it."""

    def __init__(self, app, preview: Preview) -> None:
        from deckpoll.server.api import RateLimit
        from deckpoll.stores.base import open_store

        self.app, self.preview = app, preview
        self.store = open_store("memory://", namespace="preview")
        self.signature: object = None
        app.state.session = None
        app.state.presenter_key = preview.key
        app.state.join_url = None
        app.state.join_code = None
        app.state.rate_limit = RateLimit()

    async def follow(self) -> None:
        """Start a session for the last good manifest if its polls or slides changed."""
        from deckpoll.server.session import Session

        good = self.preview.good
        if good is None:
            return
        manifest = good.manifest
        signature = json.dumps(
            [manifest["polls"], [s["poll"] for s in manifest["slides"]], manifest["polls_config"]],
            sort_keys=True,
        )
        if signature == self.signature:
            return
        session = Session(manifest, self.store)
        await session.start()
        old, self.signature = self.app.state.session, signature
        self.app.state.session = session
        self.app.state.join_code = (manifest.get("polls_config") or {}).get("code")
        if old is not None:
            await old.stop()

    async def close(self) -> None:
        if self.app.state.session is not None:
            await self.app.state.session.stop()
        await self.store.close()

    async def rehearse(self, poll_id: str, count: int) -> int:
        """Open the poll and fill it with `count` simulated answers; returns how many."""
        from deckpoll.rehearse import answers
        from deckpoll.server.validate import check_answer
        from deckpoll.stores.base import OPEN

        session = self.app.state.session
        poll = session.polls[poll_id]
        if session.status[poll_id].status != OPEN:
            await session.set_status(poll_id, OPEN)
        added = 0
        for body in answers(poll, count, seed=secrets.randbelow(1 << 30)):
            await session.answer(poll_id, secrets.token_urlsafe(16), check_answer(poll, body))
            added += 1
        return added


def create_app(preview: Preview, *, poll: bool = False, stop: asyncio.Event | None = None):
    """The Starlette app serving the preview; it watches the deck while it runs."""
    import contextlib

    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    from deckpoll.server.api import ROUTES, Invalid, is_presenter
    from deckpoll.server.app import join_page

    async def index(request):
        return HTMLResponse(preview.page(), headers={"Cache-Control": "no-store"})

    async def manifest(request):
        if preview.good is None:
            return JSONResponse({"error": "no good build yet"}, status_code=503)
        return JSONResponse(preview.good.manifest, headers={"Cache-Control": "no-store"})

    async def asset(request):
        name = "assets/" + request.path_params["name"]
        data = preview.good.assets.get(name) if preview.good else None
        if data is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(data, media_type=media, headers={"Cache-Control": "no-cache"})

    async def phone(request):
        if preview.good is None:
            return JSONResponse({"error": "no good build yet"}, status_code=503)
        code = app.state.join_code
        page, _ = join_page(preview.good.manifest, code=code, join_url=None)
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def rehearse(request):
        try:
            is_presenter(request, required=True)
        except Invalid as error:
            return JSONResponse({"error": error.code}, status_code=error.status)
        session = app.state.session
        poll_id = request.path_params["poll"]
        if session is None or poll_id not in session.polls:
            return JSONResponse({"error": "unknown_poll"}, status_code=404)
        count = request.query_params.get("count", str(preview.rehearse))
        if not count.isdigit() or not 1 <= int(count) <= 2000:
            return JSONResponse({"error": "count must be 1 to 2000"}, status_code=422)
        added = await backend.rehearse(poll_id, int(count))
        return JSONResponse({"ok": True, "added": added})

    async def events(request):
        return StreamingResponse(
            preview.events(request.is_disconnected),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.loop = asyncio.get_running_loop()
        await backend.follow()
        task = asyncio.create_task(watch(preview, poll=poll, stop=stop, backend=backend))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await backend.close()

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/index.html", index),
            Route("/deckpoll.json", manifest),
            Route("/join", phone),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Route("/assets/{name:path}", asset),
            Route(EVENTS_PATH, events),
            Route(REHEARSE_PATH + "/{poll}", rehearse, methods=["POST"]),
            *ROUTES,
        ],
        lifespan=lifespan,
    )
    backend = PollBackend(app, preview)
    return app


async def watch(
    preview: Preview,
    *,
    poll: bool = False,
    stop: asyncio.Event | None = None,
    backend: PollBackend | None = None,
):
    """Rebuild and publish on every change under the folders the deck is built from; when a
    save names another theme, watch its folder from then on."""
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
            if backend is not None:
                await backend.follow()  # before the page hears of it, so it finds the polls
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
    import socket
    import sys
    import webbrowser

    import uvicorn

    preview = Preview(Path(deck), follow=follow, rehearse=rehearse)
    preview.rebuild()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as error:
        raise DeckpollError(f"cannot listen on 127.0.0.1:{port}: {error}") from None
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/?key={preview.key}"
    sys.stdout.write(f"deckpoll preview: {url}\n")
    sys.stdout.write(
        f"  (polls answer in memory; press r on a poll slide for {rehearse} simulated answers)\n"
    )
    for line in preview.errors:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    if open_browser:
        webbrowser.open(url)
    app = create_app(preview, poll=poll)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            # Open event streams end cleanly instead of being cancelled at shutdown.
            loop = getattr(app.state, "loop", None)
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(preview.end_streams)
            if app.state.session is not None:
                app.state.session.end_streams()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
    Server(config).run(sockets=[sock])
