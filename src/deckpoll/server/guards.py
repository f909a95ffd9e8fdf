"""Guards every request passes and headers every answer carries: only the server's own
host names are answered (DNS rebinding), and no response is sniffed into another type."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK = ("localhost", "127.0.0.1", "::1")
WILDCARD = ("0.0.0.0", "::", "")
# Event streams set the header themselves and keep uvicorn's own `send`: the stream
# writer reaches the connection through it (server/events.py), and each hop costs.
UNWRAPPED = frozenset({"/api/v1/events"})


def host_name(value: str) -> str:
    """The host part of a Host header or address, lower case, without port or brackets:
    `[::1]:8000` -> `::1`, `Example.org.:80` -> `example.org`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def allowed_hosts(*addresses: str | None, urls: Iterable[str | None] = ()) -> frozenset[str]:
    """The names a server may be reached by: loopback, the given addresses (the bound one,
    the LAN address it prints; a wildcard bind adds nothing by itself) and the hosts of
    the given URLs (the join URL)."""
    names = set(LOOPBACK)
    for address in addresses:
        if address and address not in WILDCARD:
            names.add(host_name(address) if not _is_ipv6(address) else address.lower())
    for url in urls:
        if url:
            host = urlsplit(url).hostname
            if host:
                names.add(host.lower().rstrip("."))
    return frozenset(names)


def _is_ipv6(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).version == 6
    except ValueError:
        return False


class HostCheck:
    """ASGI middleware: a request whose Host header names none of `hosts` gets a JSON 400.

    A web page on another site can point its own domain name at 127.0.0.1 or at this
    laptop (DNS rebinding) and then read what this server answers: the preview page holds
    the presenter key. Browsers always send the name they looked up, so checking it closes
    that door."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        header = next((v for k, v in scope.get("headers") or () if k == b"host"), None)
        name = host_name(header.decode("latin-1")) if header is not None else ""
        if name in self.hosts:
            return await self.app(scope, receive, send)
        body = json.dumps(
            {
                "error": "bad_host",
                "message": "this server answers only to its own addresses "
                f"({', '.join(sorted(self.hosts))})",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class NoSniff:
    """ASGI middleware: every response carries `X-Content-Type-Options: nosniff`, so no
    JSON answer (which may echo audience text) is ever read as HTML or script."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNWRAPPED:
            return await self.app(scope, receive, send)

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, send_with_header)
