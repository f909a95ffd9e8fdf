"""The Starlette app: the deck at /, the phone page at /join and /<code>, the API.

`deckpoll serve` runs it as is; `deckpoll preview` runs the same app with a preview Part
composed in (its routes, a lifespan that watches the deck, and its event stream)."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from deckpoll.model import Compiled
from deckpoll.server.api import ANSWER_ROUTE, ROUTES, error
from deckpoll.server.events import Broadcaster
from deckpoll.server.guards import HostCheck, NoSniff
from deckpoll.server.keys import PresenterKey, follow
from deckpoll.server.moderation import ROUTES as MODERATION_ROUTES
from deckpoll.server.reactions import ROUTES as REACTION_ROUTES
from deckpoll.server.regroup import ROUTES as REGROUP_ROUTES
from deckpoll.server.session import Session
from deckpoll.server.site import Site, deck_policy, join_page
from deckpoll.server.state import ServerState
from deckpoll.server.voters import DEFAULT_PER_MINUTE
from deckpoll.server.voters import ensure as ensure_voters
from deckpoll.server.voters import mint as mint_voter
from deckpoll.server.votes import ROUTES as VOTE_ROUTES
from deckpoll.server.workshop_api import ROUTES as WORKSHOP_ROUTES
from deckpoll.stores.base import Store

__all__ = ["DeckApp", "Part", "create_app", "deck_policy", "join_page"]


@dataclass(frozen=True)
class Part:
    """Something composed into the app (as the preview is): routes matched before the
    app's own, a lifespan that runs inside the app's (after the session started, before it
    stops), and event streams to end with the app's when the server stops."""

    routes: Sequence[BaseRoute] = ()
    lifespan: Callable[[DeckApp], AbstractAsyncContextManager[None]] | None = None
    streams: Sequence[Broadcaster] = ()


class DeckApp(Starlette):
    """Starlette with typed state (`app.state` is a ServerState) that notes each HTTP
    connection's transport in the scope (`scope["deckpoll.transport"]`), when the server
    exposes it as uvicorn does (its `send` is a method of an object holding the transport):
    an event stream that stopped taking writes can then be cut at once instead of holding
    its buffers until TCP gives up."""

    state: ServerState  # type: ignore[assignment]

    def __init__(self, state: ServerState, streams: Sequence[Broadcaster] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self.state = state
        self.streams = tuple(streams)
        self.loop: asyncio.AbstractEventLoop | None = None  # set while the app runs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is not None and hasattr(transport, "abort"):
                scope["deckpoll.transport"] = transport
        await super().__call__(scope, receive, send)

    def end_streams(self) -> None:
        """From any thread (a signal handler): end every open event stream, so that the
        server stops at once instead of waiting for them or cutting them off."""
        if self.state.session is not None:
            self.state.session.end_streams()
        loop = self.loop
        if loop is not None and not loop.is_closed():
            for stream in self.streams:
                loop.call_soon_threadsafe(stream.close_all)


def create_app(
    compiled: Compiled | None,
    store: Store,
    *,
    presenter_key: str | PresenterKey,
    join_url: str | None = None,
    allowed_origins: list[str] | tuple[str, ...] = (),
    join_code: str | None = None,
    push_interval: float | None = None,
    parts: Sequence[Part] = (),
    allowed_hosts: Iterable[str] | None = None,
    voters_per_minute: int = DEFAULT_PER_MINUTE,
    follow_talk: bool = False,
) -> DeckApp:
    """Serve one compiled deck with live polls kept in `store` (closed at shutdown).

    `allowed_origins`: exact origins (scheme://host[:port]) of decks served elsewhere that
    may call this backend (`polls.url`); `*` is refused. `compiled` None: nothing to serve
    until a part puts a site and a session into `app.state` (a preview of a broken deck).
    `allowed_hosts`: the only Host names answered (guards.allowed_hosts); None: any.
    `voters_per_minute`: new voter tokens per client address and minute (voters.py).
    `presenter_key`: the key, or only its hash (keys.PresenterKey) when another server made
    it. `follow_talk`: take the store's key hash and voter secret whenever another server
    of the talk replaces them (`serve`; keys.follow).
    """
    if isinstance(presenter_key, str) and len(presenter_key) < 16:
        raise ValueError("presenter_key must be at least 16 characters")
    origins = list(allowed_origins)
    if any(o.strip() in ("*", "") for o in origins):
        raise ValueError("allowed_origins takes exact origins; '*' is refused")
    state = _initial_state(compiled, store, presenter_key, join_url, join_code, push_interval)
    state.voters_per_minute = voters_per_minute
    if isinstance(presenter_key, str):
        state.presenter_key = presenter_key
    middleware = [Middleware(NoSniff)]
    if allowed_hosts is not None:
        middleware.insert(0, Middleware(HostCheck, hosts=allowed_hosts))
    if origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "X-Deckpoll-Voter"],
                max_age=600,
            )
        )
    return DeckApp(
        state,
        [stream for part in parts for stream in part.streams],
        routes=[
            ANSWER_ROUTE,  # first: most requests are answers (api.py)
            *(route for part in parts for route in part.routes),
            Route("/", index, methods=["GET"]),
            Route("/index.html", index, methods=["GET"]),
            Route("/join", phone, methods=["GET"]),
            Route("/deckpoll.json", manifest_file, methods=["GET"]),
            Route("/favicon.ico", favicon, methods=["GET"]),
            Route("/api/v1/voters", mint_voter, methods=["POST"]),
            *REGROUP_ROUTES,  # before ROUTES: its paths would match /polls/{poll}/{action}
            *VOTE_ROUTES,
            *REACTION_ROUTES,
            *WORKSHOP_ROUTES,
            *ROUTES,
            *MODERATION_ROUTES,
            Route("/{path:path}", other, methods=["GET"]),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: http_error},
        lifespan=_lifespan(store, parts, follow_talk),
    )


def _initial_state(
    compiled: Compiled | None,
    store: Store,
    presenter_key: str | PresenterKey,
    join_url: str | None,
    join_code: str | None,
    push_interval: float | None,
) -> ServerState:
    if isinstance(presenter_key, str):
        presenter_key = PresenterKey.of(presenter_key)
    if compiled is None:
        site = Site("", None, {}, code=None, join_url=None)
        return ServerState(presenter_key, site, None, join_url=join_url, join_code=join_code)
    manifest = compiled.manifest
    code = join_code or (manifest.get("polls_config") or {}).get("code")
    code = str(code) if code else None
    session = (
        Session(manifest, store)
        if push_interval is None
        else Session(manifest, store, push_interval=push_interval)
    )
    site = Site(
        # The audience's page has no speaker notes; the presenter fetches them (private.py).
        getattr(compiled, "audience_html", "") or compiled.html,
        manifest,
        compiled.assets,
        code=code,
        join_url=join_url,
        notes=getattr(compiled, "notes", None),
    )
    return ServerState(presenter_key, site, session, join_url=join_url, join_code=code)


def _lifespan(
    store: Store, parts: Sequence[Part], follow_talk: bool
) -> Callable[[DeckApp], AbstractAsyncContextManager[None]]:
    """Start the session, then the parts' lifespans; stop them in reverse, then the store."""

    @contextlib.asynccontextmanager
    async def lifespan(app: DeckApp) -> AsyncIterator[None]:
        app.loop = asyncio.get_running_loop()
        if app.state.session is not None:
            await app.state.session.start()
            await ensure_voters(app.state)
        following = None
        if follow_talk:
            state = app.state
            following = asyncio.create_task(follow(store, state.presenter, lambda: state.voters))
        try:
            async with contextlib.AsyncExitStack() as stack:
                for part in parts:
                    if part.lifespan is not None:
                        await stack.enter_async_context(part.lifespan(app))
                yield
        finally:
            if following is not None:
                following.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await following
            for stream in app.streams:
                stream.stop()
            if app.state.session is not None:
                await app.state.session.stop()
            await store.close()

    return lifespan


def _site(request: Request) -> Site:
    return request.app.state.site


async def index(request: Request) -> Response:
    return _site(request).deck.response(request)


async def phone(request: Request) -> Response:
    page = _site(request).phone
    if page is None:
        return error(503, "not_built", "the deck has not built yet", {"Retry-After": "1"})
    return page.response(request)


async def manifest_file(request: Request) -> Response:
    data = _site(request).manifest
    if data is None:
        return error(503, "not_built", "the deck has not built yet", {"Retry-After": "1"})
    return Response(data, media_type="application/json", headers={"Cache-Control": "no-store"})


async def favicon(request: Request) -> Response:
    return Response(status_code=204)


async def other(request: Request) -> Response:
    """The phone page at /<join code>, the files beside the page, and JSON 404/405."""
    path = request.path_params["path"]
    site, code = _site(request), request.app.state.join_code
    if code is not None and path == code and site.phone is not None:
        return site.phone.response(request)
    if path in site.assets:
        media = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return Response(
            site.assets[path],
            media_type=media,
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )
    if path.startswith("api/"):
        scope = {**request.scope, "method": "POST"}
        posted = (ANSWER_ROUTE, *WORKSHOP_ROUTES, *ROUTES)
        if any(route.matches(scope)[0] == Match.FULL for route in posted):
            return error(405, "http_405", "Method Not Allowed", {"Allow": "POST"})
    return error(404, "not_found", "nothing here")


async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 400)
    return JSONResponse(
        {"error": f"http_{status}", "message": str(getattr(exc, "detail", ""))},
        status,
        headers=getattr(exc, "headers", None),
    )
