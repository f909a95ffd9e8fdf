"""The presenter's workshop calls: the slide timer (`POST /api/v1/timer`) and the sharing
round (`POST /api/v1/polls/{id}/share`). Both change store meta through the session, like
the presenter's position; every screen gets the change as an event (server/workshop.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from deckpoll.server.api import _int, _poll, _session, is_presenter, read_json, refusals
from deckpoll.server.validate import Invalid
from deckpoll.server.workshop import SHARE_STEPS, TIMER_ACTIONS


def _fields(data: Any, allowed: set[str], example: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Invalid(422, "not_an_object", f"send {example}")
    extra = sorted(set(data) - allowed)
    if extra:
        raise Invalid(422, "unknown_field", f"unexpected field {extra[0]!r}")
    return data


def _choice(data: dict[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or value not in choices:
        raise Invalid(422, "invalid_value", f"{key} must be one of: {', '.join(choices)}")
    return value


@refusals
async def timer(request: Request) -> Response:
    """`{"action": "toggle|start|pause|add|reset", "slide": n}` (slide: where the presenter
    is, default the current slide): the timer as every screen now has it, with `now`."""
    is_presenter(request, required=True)
    session = _session(request)
    example = '{"action": "toggle", "slide": 14}'
    data = _fields(await read_json(request), {"action", "slide"}, example)
    action = _choice(data, "action", TIMER_ACTIONS)
    slide = _int(data, "slide", session.state["slide"])
    if not 1 <= slide <= session.slide_count:
        raise Invalid(422, "out_of_range", f"slide must be between 1 and {session.slide_count}")
    return JSONResponse(await session.timer(action, slide))


@refusals
async def share(request: Request) -> Response:
    """`{"step": "next|prev|all|off"}`: the sharing round on a poll with tables."""
    is_presenter(request, required=True)
    session = _session(request)
    pid = _poll(request)
    data = _fields(await read_json(request), {"step"}, '{"step": "next"}')
    step = _choice(data, "step", SHARE_STEPS)
    if not session.polls[pid].get("group"):
        raise Invalid(422, "no_tables", "this poll does not collect answers per table")
    return JSONResponse({"share": await session.share(pid, step)})


# Before the API's own routes: `/polls/{id}/{action}` would take `share` for a poll action.
ROUTES = [
    Route("/api/v1/timer", timer, methods=["POST"]),
    Route("/api/v1/polls/{poll}/share", share, methods=["POST"]),
]
