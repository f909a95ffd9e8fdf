"""A small HTTP client for the conformance kit (standard library only): every request sent
as given, byte for byte, so that bad input reaches the backend as bad input; and a reader
of one Server-Sent Events stream on its own thread."""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

TIMEOUT = 10.0


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def error(self) -> str | None:
        """The `error` code of a JSON refusal, if the body is one."""
        data = self.json()
        return data.get("error") if isinstance(data, dict) else None

    def describe(self) -> str:
        code = self.error
        return f"{self.status}" + (f" {code}" if code else "")


class Backend:
    """The backend at `base` (its base URL: the API is under `<base>api/v1/`)."""

    def __init__(self, base: str, key: str | None = None, timeout: float = TIMEOUT) -> None:
        base = base if base.endswith("/") else base + "/"
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{base!r} is not an http(s) URL")
        self.base = base
        self.parts = parts
        self.key = key
        self.timeout = timeout

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def connection(self, timeout: float | None = None) -> http.client.HTTPConnection:
        kind = (
            http.client.HTTPSConnection
            if self.parts.scheme == "https"
            else http.client.HTTPConnection
        )
        return kind(self.parts.hostname, self.parts.port, timeout=timeout or self.timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | Any = None,
        *,
        headers: dict[str, str] | None = None,
        presenter: bool = False,
        raw: bool = False,
    ) -> Answer:
        """`body`: JSON-encoded unless `raw` (then bytes or text sent as they are)."""
        sent = dict(headers or {})
        if presenter and self.key:
            sent.setdefault("Authorization", f"Bearer {self.key}")
        data: bytes | None = None
        if body is not None:
            if raw:
                data = body.encode() if isinstance(body, str) else body
            else:
                data = json.dumps(body).encode()
                sent.setdefault("Content-Type", "application/json")
        conn = self.connection()
        try:
            conn.request(method, self.parts.path.rstrip("/") + "/" + path.lstrip("/"), data, sent)
            res = conn.getresponse()
            return Answer(res.status, {k.lower(): v for k, v in res.getheaders()}, res.read())
        finally:
            conn.close()


@dataclass
class EventStream:
    """`GET api/v1/events` read on a thread: `next()` returns (event, data) in order; the
    `retry:` hint and comments are noted, not returned."""

    backend: Backend
    presenter: bool = False
    client: str = "deck"
    status: int = 0
    content_type: str = ""
    retry: int | None = None
    comments: int = 0
    _queue: queue.Queue = field(default_factory=queue.Queue)
    _conn: http.client.HTTPConnection | None = None

    def __enter__(self) -> EventStream:
        conn = self._conn = self.backend.connection(timeout=30)
        headers = {"Accept": "text/event-stream"}
        if self.presenter and self.backend.key:
            headers["Authorization"] = f"Bearer {self.backend.key}"
        path = self.backend.parts.path.rstrip("/") + f"/api/v1/events?client={self.client}"
        conn.request("GET", path, headers=headers)
        res = conn.getresponse()
        self.status = res.status
        self.content_type = res.getheader("content-type") or ""
        if res.status == 200:
            threading.Thread(target=self._read, args=(res,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        conn = self._conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if conn is not None:
            conn.close()

    def _read(self, res: http.client.HTTPResponse) -> None:
        event, data = "message", []
        try:
            while True:
                raw = res.readline()
                if not raw:
                    break
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        self._queue.put((event, "\n".join(data)))
                    event, data = "message", []
                elif line.startswith(":"):
                    self.comments += 1
                elif line.startswith("retry:"):
                    self.retry = int(line[6:].strip() or 0)
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    value = line[5:]
                    data.append(value[1:] if value.startswith(" ") else value)
        except Exception:  # noqa: BLE001 - closed under it from another thread (__exit__), any way
            pass
        self._queue.put(None)  # the stream ended

    def next(self, timeout: float = 5.0) -> tuple[str, Any] | None:
        """The next event as (name, parsed JSON data), or None if none came in time."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is None:
            self._queue.put(None)
            return None
        name, text = item
        try:
            return name, json.loads(text)
        except ValueError:
            return name, text

    def wait_for(self, name: str, match=lambda data: True, timeout: float = 5.0):
        """The first `name` event whose data matches, skipping others; None if none came."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            got = self.next(left)
            if got is None:
                return None
            if got[0] == name and match(got[1]):
                return got[1]
        return None
