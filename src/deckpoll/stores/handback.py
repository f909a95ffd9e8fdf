"""Resolving a batch of callers' futures from a store's own thread (the SQLite writer, the
Redis client's loop): one `call_soon_threadsafe` per caller loop and batch, not one per
call, since each costs that loop a wake-up through its self-pipe."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any, Protocol


class Pending(Protocol):
    """A queued call: its caller's loop and future, and once run its result or error."""

    loop: asyncio.AbstractEventLoop
    future: asyncio.Future
    result: Any
    error: BaseException | None


def hand_back(batch: Iterable[Pending]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[Pending]] = {}
    for call in batch:
        by_loop.setdefault(call.loop, []).append(call)
    for loop, calls in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
            loop.call_soon_threadsafe(_resolve, calls)


def _resolve(calls: list[Pending]) -> None:
    for call in calls:
        if call.future.done():  # the caller gave up (cancelled)
            continue
        if call.error is not None:
            call.future.set_exception(call.error)
        else:
            call.future.set_result(call.result)
