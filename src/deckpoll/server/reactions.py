"""Reactions: a phone taps an emoji of the deck's `reactions:` list on any slide. They are
counted in memory and pushed to the decks as one event per push interval (the pusher);
nothing is stored, and a voter may send at most two a second."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from deckpoll.server import voters
from deckpoll.server.api import _session, error, read_json, refusals
from deckpoll.server.validate import Invalid, check_voter


@refusals
async def react(request: Request) -> Response:
    session = _session(request)
    allowed = session.manifest.get("reactions") or []
    if not allowed:
        raise Invalid(404, "no_reactions", "this deck takes no reactions (deck.yaml: reactions)")
    voter = check_voter(request.headers.get("x-deckpoll-voter"))
    await voters.check(request, voter)
    data = await read_json(request)
    emoji = data.get("emoji") if isinstance(data, dict) and set(data) == {"emoji"} else None
    if emoji not in allowed:
        raise Invalid(422, "unknown_reaction", f"send one of {' '.join(allowed)} as 'emoji'")
    # Counted by the store (across workers and machines), in a bucket of its own.
    if not await session.store.take(f"reactions:{voter}", request.app.state.reaction_rate):
        return error(429, "too_fast", "at most two reactions a second", {"Retry-After": "1"})
    session.pusher.react(emoji)
    return JSONResponse({"ok": True})


ROUTES = [Route("/api/v1/reactions", react, methods=["POST"])]
