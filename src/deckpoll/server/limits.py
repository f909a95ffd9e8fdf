"""Connection limits: idle or half-sent connections cannot lock the presenter out.

Every connection costs an open file. At the stock soft limit of 1,024, a thousand idle
connections (a script, or a room's phones gone to sleep mid-request) used to exhaust the
process: `accept()` failed with "Too many open files" and the presenter's next slide
change never arrived. Three defences, in the order they act:

- the open-file limit is raised to the hard limit at start (`raise_open_files`);
- a connection must send complete request headers within `HEADER_TIMEOUT` seconds of
  opening (or of starting its next request), else it is closed;
- connections are accepted `ACCEPT_BURST` at a time, so that eviction keeps up;
- `RESERVE` files are kept back: past the capacity, a new connection first evicts the
  oldest one still waiting for its headers; if none waits, it is let in on the reserve
  and, once its headers are read, only a presenter request (Authorization header) is
  served on it, anything else gets a 503.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

HEADER_TIMEOUT = 5.0  # seconds to send a request's headers
RESERVE = 100  # open files kept for presenter requests, the store, logs
# Connections asyncio accepts in one go before their protocols run (and can evict): a
# burst of 2,048 would take every file before the first eviction. The kernel's queue of
# pending connections stays long (LISTEN_BACKLOG), so a presenter is never turned away.
ACCEPT_BURST = 16
LISTEN_BACKLOG = 2048
# An unlimited hard limit is not a number setrlimit takes as the soft one everywhere.
CEILING = 1 << 20


def raise_open_files() -> int:
    """Raise this process's soft open-file limit to its hard limit; returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = CEILING if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # some systems cap it lower (macOS: OPEN_MAX); keep what we have
    return CEILING if soft == resource.RLIM_INFINITY else soft


def open_files() -> int:
    """Files this process holds now (the store, the listening socket, logs, ...)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 32


def capacity(limit: int) -> int:
    """How many connections (phones) fit next to what is open and the reserve."""
    return max(16, limit - open_files() - RESERVE)


class Connections:
    """The server's open connections; which still wait for their request headers."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.count = 0
        self.waiting: OrderedDict[int, asyncio.BaseTransport] = OrderedDict()

    @property
    def over(self) -> bool:
        return self.count > self.capacity

    def opened(self, transport: asyncio.BaseTransport) -> None:
        self.count += 1
        if self.over and self.waiting:
            _, oldest = self.waiting.popitem(last=False)
            oldest.close()  # an idle connection makes room for one that may matter

    def closed(self) -> None:
        self.count -= 1


def guarded_protocol(connections: Connections, header_timeout: float = HEADER_TIMEOUT) -> Any:
    """uvicorn's HTTP protocol (httptools when installed, else h11, as uvicorn picks) with
    a header deadline and the shared connection count."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base

    class GuardedProtocol(Base):  # type: ignore[misc, valid-type]
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            connections.opened(transport)
            self._await_headers()

        def data_received(self, data: bytes) -> None:
            waiting_before = self._deadline is not None
            super().data_received(data)
            if self._headers_read():
                self._headers_done()
            elif not waiting_before and not self.transport.is_closing():
                self._await_headers()  # the next request on a kept-alive connection

        def connection_lost(self, exc: Exception | None) -> None:
            self._headers_done()
            connections.closed()
            super().connection_lost(exc)

        def _headers_read(self) -> bool:
            """Whether the request being received has all its headers (or none begun)."""
            conn = getattr(self, "conn", None)
            if conn is not None:  # h11: past IDLE means the request line and headers are in
                import h11

                return conn.their_state is not h11.IDLE
            cycle = getattr(self, "cycle", None)  # httptools: a cycle starts at headers
            return cycle is not None and not cycle.response_complete

        def _await_headers(self) -> None:
            if self._deadline is None:
                self._deadline = self.loop.call_later(header_timeout, self.transport.close)
                connections.waiting[id(self)] = self.transport

        def _headers_done(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            connections.waiting.pop(id(self), None)

    return GuardedProtocol


class PresenterReserve:
    """ASGI middleware: while the server runs on its reserve of open files, only presenter
    requests are served; the rest get a 503 and their connection closed."""

    def __init__(self, app: ASGIApp, connections: Connections) -> None:
        self.app = app
        self.connections = connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.connections.over:
            return await self.app(scope, receive, send)
        if any(name == b"authorization" for name, _ in scope.get("headers") or ()):
            return await self.app(scope, receive, send)
        body = json.dumps(
            {"error": "server_busy", "message": "too many connections; try again shortly"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", b"2"),
                    (b"connection", b"close"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)  # `state`, `routes`: the wrapped app's
