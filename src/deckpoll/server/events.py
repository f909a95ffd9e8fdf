"""Server-Sent Events: each event encoded once, bounded per-client buffers, stalled clients cut."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

QUEUE_SIZE = 64  # events waiting per client; a client further behind is dropped (it resyncs)
BUFFER_BYTES = 256 * 1024  # bytes waiting in a directly written stream's transport, at most
MEDIA_TYPE = "text/event-stream; charset=utf-8"
PING_SECONDS = 15.0
STALL_SECONDS = 30.0  # a client whose last write has not gone out for this long is dropped
RETRY_MS = 2000

PING = b": ping\n\n"


def sse(event: str, data: Any) -> bytes:
    """One SSE message. JSON never contains a raw newline, so one data line suffices."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


def chunk(data: bytes) -> bytes:
    """`data` as one HTTP/1.1 chunk (the body framing the server uses for the stream)."""
    return b"%x\r\n%b\r\n" % (len(data), data)


class Transport(Protocol):
    """The part of an asyncio transport a directly written stream uses."""

    def write(self, data: bytes) -> None: ...

    def abort(self) -> None: ...

    def is_closing(self) -> bool: ...

    def get_write_buffer_size(self) -> int: ...


class Client:
    """One open event stream: the encoded messages waiting for it, never more than QUEUE_SIZE.

    Messages are shared bytes objects (one per event and role), so a waiting message costs
    the client a reference, not a copy.
    """

    __slots__ = (
        "presenter",
        "role",
        "abort",
        "pending",
        "closed",
        "last_put",
        "writing_since",
        "transport",
        "wrote",
        "unsent",
        "held",
        "_waiter",
    )

    def __init__(self, presenter: bool, role: str, abort: Callable[[], None] | None = None) -> None:
        self.presenter = presenter
        self.role = role
        self.abort = abort  # cuts the connection (set by the server when it can)
        self.pending: deque[bytes] = deque()
        self.closed = False
        self.last_put = time.monotonic()
        self.writing_since: float | None = None  # set while a write waits for the network
        # Set once the response started on a server whose transport we may write to: events
        # then go straight into it as HTTP chunks, with no task switch per client.
        self.transport: Transport | None = None
        self.wrote = 0  # bytes written into the transport since the keeper last looked
        self.unsent = 0  # bytes the transport held then
        # Results held back while the client is behind: key (poll id) -> newest message.
        self.held: dict[str, tuple[bytes, bytes | None]] = {}
        self._waiter: asyncio.Future | None = None

    def behind(self) -> bool:
        """Whether results should wait: bytes are still unsent (the network is slower than
        the pushes), or half the queue is full. Results then go out only once everything
        else has, the newest per poll: they never make a client stall or be cut."""
        if self.transport is not None:
            return self.transport.get_write_buffer_size() > 0
        return len(self.pending) >= QUEUE_SIZE // 2

    def catch_up(self) -> bool:
        """Send the held results once the client is no longer behind."""
        if not self.held or self.closed or self.behind():
            return True
        held, self.held = self.held, {}
        return all(self.put(message, framed) for message, framed in held.values())

    def put(self, message: bytes, framed: bytes | None = None, key: str | None = None) -> bool:
        """Queue (or write) a message; False when the client is too far behind (the caller
        drops it). `framed`: the same message as an HTTP chunk, if already made. A message
        with a `key` (results) is held back, the newest per key, while the client is behind:
        it replaces an older one, so it never makes the client fall further behind."""
        if self.closed:
            return True
        if key is not None:
            if self.behind():
                self.held[key] = (message, framed)
                return True
            self.held.pop(key, None)
        transport = self.transport
        if transport is not None:
            if transport.is_closing():
                return True  # the server is about to report the disconnect
            if transport.get_write_buffer_size() > BUFFER_BYTES:
                return False
            data = framed or chunk(message)
            transport.write(data)
            self.wrote += len(data)
            self.last_put = time.monotonic()
            return True
        if len(self.pending) >= QUEUE_SIZE:
            return False
        self.pending.append(message)
        self.last_put = time.monotonic()
        self._wake()
        return True

    def write_directly(self, transport: Transport) -> None:
        """From now on write events straight into `transport` (after what is queued)."""
        if self.pending and not self.closed:
            transport.write(chunk(b"".join(self.pending)))
        self.pending.clear()
        self.transport = transport

    def close(self) -> None:
        """End this stream after what it is sending now; queue nothing more."""
        self.closed = True
        self.pending.clear()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def take(self) -> bytes | None:
        """Everything queued, joined into one write; None once the stream is closed."""
        while not self.pending:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.closed:
            return None
        chunk = self.pending[0] if len(self.pending) == 1 else b"".join(self.pending)
        self.pending.clear()
        return chunk


class Broadcaster:
    """Fans events out to every connected client.

    `snapshot(presenter)` must build the full current state synchronously (no await), so
    that registering a client and taking its snapshot happen in one step: every event
    published later is newer than the snapshot the client starts from.

    One background task (running while clients are connected) sends pings to idle clients
    and drops clients whose writes have been stuck for `stall_seconds`.
    """

    def __init__(
        self,
        snapshot: Callable[[bool], dict[str, Any]],
        *,
        ping_seconds: float = PING_SECONDS,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        self._snapshot = snapshot
        self.ping_seconds = ping_seconds
        self.stall_seconds = stall_seconds
        self.clients: set[Client] = set()
        self._phones = 0  # clients with role "join", counted as they come and go (O(1))
        self.dropped = 0  # clients cut for falling behind or not reading
        self.on_change: Callable[[], None] = lambda: None
        self._keeper: asyncio.Task | None = None

    def audience_count(self) -> int:
        """Phones connected (asked on every answer: kept as a count, not a scan)."""
        return self._phones

    def publish(
        self,
        event: str,
        audience: Any,
        presenter: Any = None,
        *,
        phones: bool = True,
        key: str | None = None,
    ) -> None:
        """Send an event: `audience` data to audience clients (None: send them nothing),
        `presenter` data to presenter clients (defaults to the audience data); `phones=False`
        skips `?client=join` streams. Each copy is encoded once, whatever the client count.
        `key`: a newer event with the same key supersedes this one (results of one poll), so
        a client that is behind gets only the newest."""
        for_audience = sse(event, audience) if audience is not None else None
        for_presenter = for_audience if presenter is None else sse(event, presenter)
        framed = {
            True: chunk(for_presenter) if for_presenter is not None else None,
            False: chunk(for_audience) if for_audience is not None else None,
        }
        behind = []
        for client in self.clients:
            message = for_presenter if client.presenter else for_audience
            if message is None or (not phones and client.role == "join"):
                continue
            if not client.put(message, framed[client.presenter], key):
                behind.append(client)
        for client in behind:
            self.drop(client)

    def resync_all(self) -> None:
        """Send every client a fresh snapshot (after this server missed changes)."""
        self.publish("snapshot", self._snapshot(False), self._snapshot(True))

    def connect(
        self, *, presenter: bool, role: str, abort: Callable[[], None] | None = None
    ) -> tuple[Client, bytes]:
        client = Client(presenter, role, abort)
        first = sse("snapshot", self._snapshot(presenter))
        self.clients.add(client)
        self._phones += client.role == "join"
        if self._keeper is None:
            self._keeper = asyncio.get_running_loop().create_task(
                self._keep(), name="deckpoll-stream-keeper"
            )
        self.on_change()
        return client, first

    def disconnect(self, client: Client) -> None:
        if client in self.clients:
            self.clients.discard(client)
            self._phones -= client.role == "join"
            self.on_change()

    def drop(self, client: Client) -> None:
        """Cut a client that fell behind or stopped reading; its browser reconnects after
        `retry` and starts again from a snapshot. Its queue is freed at once."""
        client.close()
        self.dropped += 1
        self.disconnect(client)
        if client.abort is not None:
            with contextlib.suppress(Exception):  # the connection may be gone already
                client.abort()

    async def stream(
        self, *, presenter: bool, role: str, abort: Callable[[], None] | None = None
    ) -> AsyncIterator[bytes]:
        """The body of one event stream: retry hint, snapshot, then events and pings."""
        client, first = self.connect(presenter=presenter, role=role, abort=abort)
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            client.writing_since = time.monotonic()
            yield first
            client.writing_since = None
            while True:
                chunk = await client.take()
                if chunk is None:
                    return
                # The server asks for the next chunk only once this one is written.
                client.writing_since = time.monotonic()
                yield chunk
                client.writing_since = None
        finally:
            client.closed = True
            self.disconnect(client)

    async def respond(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        presenter: bool,
        role: str,
        headers: dict[str, str],
    ) -> None:
        """Serve one event stream as an ASGI response.

        On a server that exposes the connection's transport (uvicorn, see app.DeckApp) and
        frames the body in HTTP/1.1 chunks, the retry hint and snapshot go through ASGI and
        every later event is written into the transport by `publish` itself, already framed:
        no task wakes per client and event. Otherwise the stream is a plain generator."""
        transport = scope.get("deckpoll.transport")
        if transport is None or scope.get("http_version") != "1.1" or scope["method"] != "GET":
            stream = self.stream(
                presenter=presenter, role=role, abort=getattr(transport, "abort", None)
            )
            response = StreamingResponse(stream, media_type=MEDIA_TYPE, headers=headers)
            await response(scope, receive, send)
            return
        raw = [(b"content-type", MEDIA_TYPE.encode())]
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        client, first = self.connect(presenter=presenter, role=role, abort=transport.abort)
        ended = asyncio.get_running_loop().create_future()

        async def until_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        listener = asyncio.ensure_future(until_disconnect())
        listener.add_done_callback(lambda _: ended.done() or ended.set_result(None))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": raw})
            first = f"retry: {RETRY_MS}\n\n".encode() + first
            await send({"type": "http.response.body", "body": first, "more_body": True})
            if not client.closed:
                client.write_directly(transport)
                client._waiter = ended  # close() (the server stopping, or a drop) ends it
                await ended
            if transport.is_closing():
                # Cut (dropped) or gone: return once the server has seen the disconnect.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(listener), 5)
            else:
                client.transport = None  # the closing chunk goes through the server
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            listener.cancel()
            client.closed = True
            self.disconnect(client)

    def close_all(self) -> None:
        """End every open stream, so that a stopping server need not cut them off."""
        for client in list(self.clients):
            client.close()
            self.disconnect(client)

    def stop(self) -> None:
        """End every stream and the background task (the server is stopping)."""
        self.close_all()
        if self._keeper is not None:
            self._keeper.cancel()
            self._keeper = None

    def _tick(self) -> float:
        return min(1.0, self.ping_seconds / 2, self.stall_seconds / 4)

    async def _keep(self) -> None:
        try:
            while self.clients:
                await asyncio.sleep(self._tick())
                now = time.monotonic()
                for client in list(self.clients):
                    transport = client.transport
                    if transport is not None:
                        # Written directly: stalled while its transport sends nothing of
                        # what it holds (a slow reader that keeps reading is not stalled).
                        unsent = transport.get_write_buffer_size()
                        sent = client.unsent + client.wrote - unsent
                        client.unsent, client.wrote = unsent, 0
                        if unsent == 0 or sent > 0:
                            client.writing_since = None
                        elif client.writing_since is None:
                            client.writing_since = now
                    since = client.writing_since
                    if since is not None and now - since > self.stall_seconds:
                        self.drop(client)
                    elif not client.catch_up():
                        self.drop(client)
                    elif since is None and now - client.last_put >= self.ping_seconds:
                        client.put(PING)
        finally:
            self._keeper = None
