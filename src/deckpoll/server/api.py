"""The HTTP API (/api/v1/...): JSON in and out, every refusal a JSON 4xx, never a 500."""

from __future__ import annotations

import bisect
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from deckpoll.personal import in_answer
from deckpoll.polls import check_answer, kind_of
from deckpoll.server import voters
from deckpoll.server.private import public_poll
from deckpoll.server.session import Session
from deckpoll.server.validate import MAX_BODY, Invalid, check_voter, parse_json
from deckpoll.stores.base import CLOSED, OPEN, AnswerLimit, PollClosed, StoreError, TooFast

PROTOCOL = 1  # the version of docs/protocol.md this backend speaks (GET /api/v1/deck)
Handler = Callable[[Request], Awaitable[Response]]
logger = logging.getLogger("deckpoll")


def _personal(answer) -> dict[str, bool]:
    """`personal: true` when the voter's own answer waits because it looked like personal
    data (the phone says why), else nothing."""
    return {"personal": True} if answer.pending and in_answer(answer.value) else {}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": code, "message": message}, status, headers=headers)


def refusals(handler: Handler) -> Handler:
    """Turn every refusal into its JSON status; store trouble into 503."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Invalid as exc:
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return error(exc.status, exc.code, exc.message, headers)
        except PollClosed:
            return error(409, "poll_closed", "the poll is not open")
        except AnswerLimit:
            return error(429, "answer_limit", "you have already sent as many answers as allowed")
        except TooFast:
            return error(429, "too_fast", "too many answers; wait a moment", {"Retry-After": "1"})
        except StoreError as exc:
            return error(503, "store_unavailable", str(exc), {"Retry-After": "1"})

    return wrapped


def _session(request: Request) -> Session:
    session = request.app.state.session
    if session is None:  # a preview whose deck has not built yet
        raise Invalid(503, "not_built", "the deck has not built yet; fix its errors")
    return session


def is_presenter(request: Request, *, required: bool) -> bool:
    """Check `Authorization: Bearer <key>` in constant time: 401 without, 403 if wrong."""
    header = request.headers.get("authorization")
    if header is None:
        if required:
            raise Invalid(401, "no_key", "presenter calls need Authorization: Bearer <key>")
        return False
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Invalid(401, "no_key", "presenter calls need Authorization: Bearer <key>")
    if not request.app.state.presenter.matches(token.strip()):
        raise Invalid(403, "bad_key", "the presenter key is wrong")
    return True


async def read_json(request: Request) -> Any:
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise Invalid(400, "bad_length", "Content-Length is not a number")
        if int(length) > MAX_BODY:
            raise Invalid(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise Invalid(415, "not_json", "send Content-Type: application/json")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise Invalid(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    return parse_json(bytes(body))


def _poll(request: Request) -> str:
    pid = request.path_params["poll"]
    if pid not in _session(request).polls:
        raise Invalid(404, "unknown_poll", f"no poll {pid!r} in this deck")
    return pid


# -- audience ------------------------------------------------------------------------------


@refusals
async def deck(request: Request) -> Response:
    """The manifest subset a client needs, and the current state."""
    session = _session(request)
    presenter = is_presenter(request, required=False)
    manifest = session.manifest
    config = manifest.get("polls_config") or {}
    await session.settle()
    body = {
        "protocol": PROTOCOL,  # docs/protocol.md; a client refuses a version it does not know
        "deckpoll": manifest.get("deckpoll", 1),
        "id": manifest.get("id"),
        "title": manifest.get("title"),
        "lang": manifest.get("lang"),
        "hash": manifest.get("hash"),
        "reactions": manifest.get("reactions") or [],
        "code": request.app.state.join_code,
        "join_url": request.app.state.join_url or config.get("join_url"),
        "slides": [
            {k: s.get(k) for k in ("index", "id", "title", "text", "poll")}
            for s in manifest.get("slides") or []
        ],
        "polls": [poll if presenter else public_poll(poll) for poll in session.polls.values()],
        # The room's tables (`polls.groups`): a phone asks which one it sits at.
        "groups": config.get("groups") or [],
        # Names this talk in the phone's storage key for its voter token (voters.py).
        "talk": tokens.talk if (tokens := await voters.ensure(request.app.state)) else None,
        "presenter": presenter,
        "live": session.snapshot(presenter),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@refusals
async def events(request: Request) -> Response:
    """The event stream: a snapshot first, then state, poll, results and presence events."""
    presenter = is_presenter(request, required=False)
    role = request.query_params.get("client", "")
    role = role if role in ("join", "deck") else "other"
    broadcaster = _session(request).broadcaster
    headers = {
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
        "X-Content-Type-Options": "nosniff",
    }

    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        await broadcaster.respond(
            scope, receive, send, presenter=presenter, role=role, headers=headers
        )

    return respond  # an ASGI response: Starlette calls it with the connection


@refusals
async def answer(request: Request) -> Response:
    session = _session(request)
    pid = _poll(request)
    voter = check_voter(request.headers.get("x-deckpoll-voter"))
    tokens = await voters.check(request, voter)
    poll = session.polls[pid]
    # The kind's fields, and the table beside them for a poll with tables (polls/tables.py).
    data = await read_json(request)
    checked = check_answer(poll, data, session.status[pid], tables=session.tables)
    # The voter's rate is counted by the store with the answer (TooFast: 429 too_fast).
    receipt = await session.answer(pid, voter, checked, rate=request.app.state.answer_rate)
    phones = session.audience()
    voters_seen = tokens.answered(voter, phones)
    if voters_seen is not None:  # on the server's console, and in the presenter's
        logger.warning(
            "deckpoll: answers arriving unusually fast: %d voters answered in the last "
            "minute, but %d phones are connected",
            voters_seen,
            phones,
        )
        warning = {"kind": "fast_answers", "voters": voters_seen, "phones": phones}
        session.broadcaster.publish("warning", None, warning, phones=False)
    return JSONResponse(
        {
            "ok": True,
            "id": receipt.answer.id,
            "replaced": receipt.replaced,
            "duplicate": receipt.duplicate,
        }
    )


@refusals
async def my_answers(request: Request) -> Response:
    """The caller's own answers to a poll (to restore the phone page after a reload)."""
    session = _session(request)
    pid = _poll(request)
    voter = check_voter(request.headers.get("x-deckpoll-voter"))
    await voters.check(request, voter)
    await session.settle()  # an answer acknowledged by another worker is included
    mine = await session.voter_answers(pid, voter)
    poll = session.polls[pid]
    limit = kind_of(poll).limit(poll)
    return JSONResponse(
        {
            "answers": [
                {"id": a.id, **a.value, "pending": a.pending, **_personal(a)} for a in mine
            ],
            "remaining": max(0, limit - len(mine)),
        },
        headers={"Cache-Control": "no-store"},
    )


@refusals
async def results(request: Request) -> Response:
    session = _session(request)
    pid = _poll(request)
    presenter = is_presenter(request, required=False)
    # Read your writes: every answer acknowledged before this request (by this worker or
    # another) is in the state before the view is made.
    await session.settle()
    if not presenter and not session.visible(pid):
        raise Invalid(403, "results_hidden", "the results of this poll are not shown yet")
    return JSONResponse(session.results_view(pid, presenter), headers={"Cache-Control": "no-store"})


# -- presenter -----------------------------------------------------------------------------

GROUP_PAGE = 500  # answer ids per page of a group


@refusals
async def group_answers(request: Request) -> Response:
    """The ids of the shown answers in one group of the presenter's results (a cloud word),
    a page at a time: `?after=<id>` continues; `next` is null on the last page."""
    is_presenter(request, required=True)
    session = _session(request)
    pid = _poll(request)
    await session.settle()
    ids = session.tallies[pid].group(request.path_params["group"])
    if ids is None:
        raise Invalid(404, "unknown_group", "no such group in this poll's results")
    after = request.query_params.get("after", "0")
    if not after.isdigit() or len(after) > 19:
        raise Invalid(422, "invalid_value", "after must be an answer id")
    start = bisect.bisect_right(ids, int(after))
    page = ids[start : start + GROUP_PAGE]
    more = start + GROUP_PAGE < len(ids)
    return JSONResponse(
        {"ids": page, "total": len(ids), "next": page[-1] if more else None},
        headers={"Cache-Control": "no-store"},
    )


def _int(data: dict[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(422, "invalid_value", f"{key} must be an integer")
    return value


@refusals
async def set_state(request: Request) -> Response:
    is_presenter(request, required=True)
    session = _session(request)
    data = await read_json(request)
    if not isinstance(data, dict):
        raise Invalid(422, "not_an_object", 'send {"slide": n, "fragment": f}')
    extra = sorted(set(data) - {"slide", "fragment"})
    if extra:
        raise Invalid(422, "unknown_field", f"unexpected field {extra[0]!r}")
    slide = _int(data, "slide")
    fragment = _int(data, "fragment", 0)
    if not 1 <= slide <= session.slide_count:
        raise Invalid(422, "out_of_range", f"slide must be between 1 and {session.slide_count}")
    if not 0 <= fragment <= 10_000:
        raise Invalid(422, "out_of_range", "fragment must be between 0 and 10000")
    return JSONResponse(await session.set_slide(slide, fragment))


@refusals
async def poll_action(request: Request) -> Response:
    is_presenter(request, required=True)
    session = _session(request)
    pid = _poll(request)
    action = request.path_params["action"]
    if action == "open":
        view = await session.set_status(pid, OPEN)
    elif action == "close":
        view = await session.set_status(pid, CLOSED)
    elif action == "reveal":
        view = await session.set_revealed(pid, True)
    elif action == "conceal":
        view = await session.set_revealed(pid, False)
    elif action == "reset":
        view = await session.reset(pid)
    else:
        raise Invalid(404, "unknown_action", f"no poll action {action!r}")
    return JSONResponse(view)


@refusals
async def moderate(request: Request) -> Response:
    is_presenter(request, required=True)
    session = _session(request)
    pid = _poll(request)
    action = request.path_params["action"]
    marks = MARK_ACTIONS if kind_of(session.polls[pid]).votes else {}
    if action not in ("hide", "unhide", "approve") and action not in marks:
        raise Invalid(404, "unknown_action", f"no answer action {action!r}")
    answer_id = request.path_params["answer"]
    found = None
    if answer_id >= 2**63:
        pass
    elif action == "approve":
        found = await session.approve(pid, answer_id)
    elif action in marks:
        found = await session.set_mark(pid, answer_id, *marks[action])
    else:
        found = await session.hide(pid, answer_id, action == "hide")
    if found is None:
        raise Invalid(404, "unknown_answer", "no such answer in this poll")
    flags = ("hidden", "pending", *(("pinned", "answered", "votes") if marks else ()))
    return JSONResponse({"id": found.id, **{f: getattr(found, f) for f in flags}})


# Presenter actions on a question of a poll whose answers take votes (qa): the mark and
# whether it is set.
MARK_ACTIONS = {
    "pin": ("pinned", True),
    "unpin": ("pinned", False),
    "answered": ("answered", True),
    "unanswered": ("answered", False),
}


@refusals
async def notes(request: Request) -> Response:
    """The speaker notes, slide index -> HTML: the deck page served to everyone has none,
    the presenter's runtime puts them back (401 without the key, 403 with a wrong one)."""
    is_presenter(request, required=True)
    found = request.app.state.site.notes
    return JSONResponse(
        {"notes": {str(index): html for index, html in found.items()}},
        headers={"Cache-Control": "no-store"},
    )


# A room's answers are most of the requests: the app tries this route first (Starlette
# matches routes in order, and each one passed costs every request its regular expression).
ANSWER_ROUTE = Route("/api/v1/polls/{poll}/answers", answer, methods=["POST"])

ROUTES = [
    Route("/api/v1/deck", deck, methods=["GET"]),
    Route("/api/v1/events", events, methods=["GET"]),
    Route("/api/v1/state", set_state, methods=["POST"]),
    Route("/api/v1/notes", notes, methods=["GET"]),
    Route("/api/v1/polls/{poll}/answers", my_answers, methods=["GET"]),
    Route("/api/v1/polls/{poll}/results", results, methods=["GET"]),
    Route("/api/v1/polls/{poll}/groups/{group}/answers", group_answers, methods=["GET"]),
    Route("/api/v1/polls/{poll}/answers/{answer:int}/{action:str}", moderate, methods=["POST"]),
    Route("/api/v1/polls/{poll}/{action:str}", poll_action, methods=["POST"]),
]
