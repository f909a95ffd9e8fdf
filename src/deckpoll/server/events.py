"""Server-Sent Events: per-client bounded queues, snapshot first, coalesced pushes, pings."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

QUEUE_SIZE = 64  # events waiting per client; a slower client gets a fresh snapshot instead
PING_SECONDS = 15.0
RETRY_MS = 2000

_RESYNC = "resync"
_CLOSE = "close"


def sse(event: str, data: Any) -> str:
    """One SSE message. JSON never contains a raw newline, so one data line suffices."""
    return (
        f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"
    )


@dataclass(eq=False)
class Client:
    """One open event stream."""

    presenter: bool
    role: str
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    resync: bool = False

    def close(self) -> None:
        """End this stream after what it is sending now (the server is stopping)."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(_CLOSE)
        self.resync = True  # accept nothing more

    def put(self, message: str) -> None:
        if self.resync:
            return  # the snapshot it is about to get includes this change
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # Too far behind: drop what is queued and resync from a snapshot.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_RESYNC)
            self.resync = True


class Broadcaster:
    """Fans events out to every connected client.

    `snapshot(presenter)` must build the full current state synchronously (no await), so
    that registering a client and taking its snapshot happen in one step: every event
    published later is newer than the snapshot the client starts from.
    """

    def __init__(
        self,
        snapshot: Callable[[bool], dict[str, Any]],
        *,
        ping_seconds: float = PING_SECONDS,
    ) -> None:
        self._snapshot = snapshot
        self.ping_seconds = ping_seconds
        self.clients: set[Client] = set()
        self.on_change: Callable[[], None] = lambda: None

    def audience_count(self) -> int:
        return sum(1 for c in self.clients if c.role == "join")

    def publish(self, event: str, audience: Any, presenter: Any = None) -> None:
        """Send an event: `audience` data to audience clients (None: send them nothing),
        `presenter` data to presenter clients (defaults to the audience data)."""
        for_audience = sse(event, audience) if audience is not None else None
        if presenter is None:
            for_presenter = for_audience
        else:
            for_presenter = sse(event, presenter)
        for client in self.clients:
            message = for_presenter if client.presenter else for_audience
            if message is not None:
                client.put(message)

    def connect(self, *, presenter: bool, role: str) -> tuple[Client, str]:
        client = Client(presenter=presenter, role=role)
        first = sse("snapshot", self._snapshot(presenter))
        self.clients.add(client)
        self.on_change()
        return client, first

    def disconnect(self, client: Client) -> None:
        if client in self.clients:
            self.clients.discard(client)
            self.on_change()

    async def stream(self, *, presenter: bool, role: str) -> AsyncIterator[str]:
        """The body of one event stream: retry hint, snapshot, then events and pings."""
        client, first = self.connect(presenter=presenter, role=role)
        try:
            yield f"retry: {RETRY_MS}\n\n"
            yield first
            while True:
                try:
                    message = await asyncio.wait_for(client.queue.get(), self.ping_seconds)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                if message == _CLOSE:
                    return
                if message == _RESYNC:
                    client.resync = False
                    message = sse("snapshot", self._snapshot(client.presenter))
                yield message
        finally:
            self.disconnect(client)

    def close_all(self) -> None:
        """End every open stream, so that a stopping server need not cut them off."""
        for client in list(self.clients):
            client.close()
