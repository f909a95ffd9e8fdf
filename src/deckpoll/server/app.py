"""The Starlette app: the deck at /, the phone page at /join and /<code>, the API."""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import html
import json
import mimetypes
import re
from collections.abc import AsyncIterator
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from deckpoll.model import Compiled
from deckpoll.server.api import ROUTES, RateLimit, error
from deckpoll.server.session import Session
from deckpoll.stores.base import Store

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the presenter URL carries the key
    "X-Content-Type-Options": "nosniff",
}


_PLACEHOLDER = re.compile(r"/\*\{\{(css|js)\}\}\*/|\{\{(lang|title|config)\}\}")


def _runtime_text(name: str) -> str:
    return files("deckpoll.runtime").joinpath(name).read_text(encoding="utf-8")


def join_page(
    manifest: dict[str, Any], *, code: str | None, join_url: str | None
) -> tuple[str, str]:
    """The phone page with its CSS and JS inlined; returns (html, CSP script hash)."""
    script = _runtime_text("join.js")
    config = {
        "lang": manifest.get("lang") or "en",
        "title": manifest.get("title") or "",
        "code": code,
        "join_url": join_url,
    }
    config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    values = {
        "lang": html.escape(str(config["lang"]), quote=True),
        "title": html.escape(str(config["title"])),
        "config": config_json,
        "css": _runtime_text("join.css"),
        "js": script,
    }
    # One pass, so that text substituted in (a deck title, say) is never scanned again.
    page = _PLACEHOLDER.sub(lambda m: values[m.group(1) or m.group(2)], _runtime_text("join.html"))
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return page, f"'sha256-{digest}'"


class Page:
    """An HTML page kept plain and gzipped (a cheap phone on busy Wi-Fi gets a third)."""

    def __init__(self, html_text: str, headers: dict[str, str]) -> None:
        self.plain = html_text.encode("utf-8")
        self.gzipped = gzip.compress(self.plain, 9, mtime=0)
        self.headers = {**headers, "Vary": "Accept-Encoding"}

    def response(self, request: Request) -> Response:
        media = "text/html; charset=utf-8"
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers = {**self.headers, "Content-Encoding": "gzip"}
            return Response(self.gzipped, media_type=media, headers=headers)
        return Response(self.plain, media_type=media, headers=self.headers)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)


def deck_policy(page: str) -> str:
    """A Content-Security-Policy for the deck: only its own inline scripts (by hash) run,
    so nothing an audience member smuggles into the page could, even if it got there."""
    hashes = []
    for attrs, body in _INLINE_SCRIPT.findall(page):
        if "application/json" in attrs:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(hashes) or "'none'"
    return (
        f"default-src 'self'; script-src {scripts}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


class DeckApp(Starlette):
    """Starlette that notes each HTTP connection's transport in the scope
    (`scope["deckpoll.transport"]`), when the server exposes it as uvicorn does (its `send`
    is a method of an object holding the transport): an event stream that stopped taking
    writes can then be cut at once instead of holding its buffers until TCP gives up."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is not None and hasattr(transport, "abort"):
                scope["deckpoll.transport"] = transport
        await super().__call__(scope, receive, send)


def create_app(
    compiled: Compiled,
    store: Store,
    *,
    presenter_key: str,
    join_url: str | None = None,
    allowed_origins: list[str] | tuple[str, ...] = (),
    join_code: str | None = None,
    push_interval: float | None = None,
) -> Starlette:
    """Serve one compiled deck with live polls kept in `store` (closed at shutdown).

    `allowed_origins`: exact origins (scheme://host[:port]) of decks served elsewhere that
    may call this backend (`polls.url`); `*` is refused.
    """
    if not presenter_key or len(presenter_key) < 16:
        raise ValueError("presenter_key must be at least 16 characters")
    origins = list(allowed_origins)
    if any(o.strip() in ("*", "") for o in origins):
        raise ValueError("allowed_origins takes exact origins; '*' is refused")
    manifest = compiled.manifest
    code = join_code or (manifest.get("polls_config") or {}).get("code")
    code = str(code) if code else None
    session = (
        Session(manifest, store)
        if push_interval is None
        else Session(manifest, store, push_interval=push_interval)
    )
    phone_html, script_hash = join_page(manifest, code=code, join_url=join_url)
    phone_headers = {
        **PAGE_HEADERS,
        "Content-Security-Policy": (
            f"default-src 'none'; script-src {script_hash}; style-src 'unsafe-inline'; "
            "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
        ),
    }
    deck_headers = {**PAGE_HEADERS, "Content-Security-Policy": deck_policy(compiled.html)}
    assets = dict(compiled.assets)
    manifest_bytes = json.dumps(manifest, ensure_ascii=False).encode("utf-8")

    deck_page = Page(compiled.html, deck_headers)
    phone_page = Page(phone_html, phone_headers)

    async def index(request: Request) -> Response:
        return deck_page.response(request)

    async def phone(request: Request) -> Response:
        return phone_page.response(request)

    async def manifest_file(request: Request) -> Response:
        return Response(manifest_bytes, media_type="application/json")

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    async def other(request: Request) -> Response:
        path = request.path_params["path"]
        if code is not None and path == code:
            return phone_page.response(request)
        if path in assets:
            media = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return Response(
                assets[path],
                media_type=media,
                headers={
                    "Cache-Control": "public, max-age=3600",
                    "X-Content-Type-Options": "nosniff",
                },
            )
        if path.startswith("api/"):
            scope = {**request.scope, "method": "POST"}
            if any(route.matches(scope)[0] == Match.FULL for route in ROUTES):
                return error(405, "http_405", "Method Not Allowed", {"Allow": "POST"})
        return error(404, "not_found", "nothing here")

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 400)
        return JSONResponse(
            {"error": f"http_{status}", "message": str(getattr(exc, "detail", ""))},
            status,
            headers=getattr(exc, "headers", None),
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await session.start()
        try:
            yield
        finally:
            await session.stop()
            await store.close()

    middleware = []
    if origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Deckpoll-Voter"],
                max_age=600,
            )
        )
    app = DeckApp(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/index.html", index, methods=["GET"]),
            Route("/join", phone, methods=["GET"]),
            Route("/deckpoll.json", manifest_file, methods=["GET"]),
            Route("/favicon.ico", favicon, methods=["GET"]),
            *ROUTES,
            Route("/{path:path}", other, methods=["GET"]),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.session = session
    app.state.presenter_key = presenter_key
    app.state.join_url = join_url
    app.state.join_code = code
    app.state.rate_limit = RateLimit()
    return app
