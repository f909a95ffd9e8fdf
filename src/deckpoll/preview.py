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
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from deckpoll.build import Compiled, compile_deck
from deckpoll.errors import DeckError, DeckpollError
from deckpoll.incremental import BuildCache
from deckpoll.load import locate
from deckpoll.render import script_json

EVENTS_PATH = "/_preview/events"
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
        options = {"epoch": self.epoch, "events": EVENTS_PATH, "follow": self.follow}
        script = files("deckpoll.runtime").joinpath("preview.js").read_text("utf-8")
        injected = (
            f'<script type="application/json" id="dp-preview">{script_json(options)}</script>\n'
            f"<script>{script}</script>\n</body>"
        )
        head, _, tail = self.good.html.rpartition("</body>")
        return head + injected + tail

    async def events(self, disconnected) -> AsyncIterator[str]:
        """The SSE stream of one browser: a hello with the state, then every change."""
        queue: asyncio.Queue = asyncio.Queue()
        self.listeners.add(queue)
        try:
            yield _sse("hello", {"epoch": self.epoch, "errors": self.errors})
            while not await disconnected():
                try:
                    name, data = await asyncio.wait_for(queue.get(), PING_SECONDS)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                yield _sse(name, data)
        finally:
            self.listeners.discard(queue)


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


def watched_paths(deck: Path) -> list[Path]:
    """The deck folder, and the theme folder when it lies outside it."""
    source = locate(deck)
    paths = [source.root]
    try:
        compiled_theme = _theme_folder(deck)
    except DeckpollError:
        compiled_theme = None
    if compiled_theme is not None and source.root not in compiled_theme.parents:
        paths.append(compiled_theme)
    return paths


def _theme_folder(deck: Path) -> Path | None:
    import yaml

    source = locate(deck)
    data = yaml.safe_load(source.config_text) or {}
    theme = data.get("theme") if isinstance(data, dict) else None
    if not isinstance(theme, str) or theme in ("default", "dark"):
        return None
    folder = (source.root / theme).resolve()
    return folder if folder.is_dir() else None


def create_app(preview: Preview, *, poll: bool = False, stop: asyncio.Event | None = None):
    """The Starlette app serving the preview; it watches the deck while it runs."""
    import contextlib

    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

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

    async def events(request):
        return StreamingResponse(
            preview.events(request.is_disconnected),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(watch(preview, poll=poll, stop=stop))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return Starlette(
        routes=[
            Route("/", index),
            Route("/index.html", index),
            Route("/deckpoll.json", manifest),
            Route("/assets/{name:path}", asset),
            Route(EVENTS_PATH, events),
        ],
        lifespan=lifespan,
    )


async def watch(preview: Preview, *, poll: bool = False, stop: asyncio.Event | None = None):
    """Rebuild and publish on every change under the deck (and an outside theme folder)."""
    from watchfiles import DefaultFilter, awatch

    watch_filter = DefaultFilter(ignore_dirs=(*DefaultFilter.ignore_dirs, *IGNORED_DIRS))
    async for changes in awatch(
        *watched_paths(preview.deck),
        watch_filter=watch_filter,
        debounce=200,
        step=5,
        force_polling=poll,
        poll_delay_ms=100,
        stop_event=stop,
    ):
        preview.publish(preview.rebuild(Path(path) for _, path in changes))


def serve(
    deck: Path,
    *,
    port: int = 0,
    open_browser: bool = True,
    poll: bool = False,
    follow: bool = True,
) -> None:
    """Run the preview until interrupted."""
    import socket
    import sys
    import webbrowser

    import uvicorn

    preview = Preview(Path(deck), follow=follow)
    preview.rebuild()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as error:
        raise DeckpollError(f"cannot listen on 127.0.0.1:{port}: {error}") from None
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    sys.stdout.write(f"deckpoll preview: {url}\n")
    for line in preview.errors:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    if open_browser:
        webbrowser.open(url)
    config = uvicorn.Config(
        create_app(preview, poll=poll),
        log_level="warning",
        timeout_graceful_shutdown=1,
        lifespan="on",
    )
    uvicorn.Server(config).run(sockets=[sock])
