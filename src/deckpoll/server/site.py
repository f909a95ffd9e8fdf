"""What the server app serves for one build of a deck: the deck page, the phone page, the
manifest and the files beside the page, each with its headers (Content-Security-Policy)."""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from deckpoll.phone import join_page, script_hash
from deckpoll.server.private import public_manifest

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the presenter URL carries the key
    "X-Content-Type-Options": "nosniff",
}

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)


def deck_policy(page: str) -> str:
    """A Content-Security-Policy for the deck: only its own inline scripts (by hash) run,
    so nothing an audience member smuggles into the page could, even if it got there."""
    hashes = [
        script_hash(body)
        for attrs, body in _INLINE_SCRIPT.findall(page)
        if "application/json" not in attrs
    ]
    scripts = " ".join(hashes) or "'none'"
    return (
        f"default-src 'self'; script-src {scripts}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


class Page:
    """An HTML page kept plain and gzipped (a cheap phone on busy Wi-Fi gets a third)."""

    def __init__(self, html_text: str, headers: dict[str, str]) -> None:
        self.plain = html_text.encode("utf-8")
        self.headers = {**headers, "Vary": "Accept-Encoding"}

    @functools.cached_property
    def gzipped(self) -> bytes:
        # On first use: a preview replaces its pages on every save, most never requested.
        return gzip.compress(self.plain, 9, mtime=0)

    def response(self, request: Request) -> Response:
        media = "text/html; charset=utf-8"
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers = {**self.headers, "Content-Encoding": "gzip"}
            return Response(self.gzipped, media_type=media, headers=headers)
        return Response(self.plain, media_type=media, headers=self.headers)


class Site:
    """One build as the app serves it. `manifest` None: nothing built yet (a preview whose
    deck has errors), so there is no phone page or manifest to serve."""

    def __init__(
        self,
        deck_html: str,
        manifest: dict[str, Any] | None,
        assets: Mapping[str, bytes],
        *,
        code: str | None,
        join_url: str | None,
        notes: Mapping[int, str] | None = None,
    ) -> None:
        self.deck = Page(
            deck_html, {**PAGE_HEADERS, "Content-Security-Policy": deck_policy(deck_html)}
        )
        self.assets = dict(assets)
        # Speaker notes, for the presenter's key only (the deck page has none: private.py).
        self.notes = dict(notes or {})
        self.manifest: bytes | None = None
        self.phone: Page | None = None
        if manifest is not None:
            public = public_manifest(manifest)
            self.manifest = json.dumps(public, ensure_ascii=False).encode("utf-8")
            phone_html, script_hash = join_page(manifest, code=code, join_url=join_url)
            policy = (
                f"default-src 'none'; script-src {script_hash}; style-src 'unsafe-inline'; "
                "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'"  # no page may frame the phone page (clickjacking)
            )
            self.phone = Page(phone_html, {**PAGE_HEADERS, "Content-Security-Policy": policy})
