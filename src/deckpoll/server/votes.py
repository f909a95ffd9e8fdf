"""Votes on answers (a Q&A's questions): the audience's upvotes, one per voter per question.

The presenter's marks on a question (pin, answered) are answer actions beside hide and
approve (`api.moderate`); here is what a phone does."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from deckpoll.polls import kind_of
from deckpoll.server import voters
from deckpoll.server.api import _poll, _session, error, refusals
from deckpoll.server.session import Session
from deckpoll.server.validate import Invalid, check_voter


def _votes_on(request: Request) -> tuple[Session, str]:
    """The session and poll of a vote route; 404 for a poll whose answers take no votes."""
    session = _session(request)
    pid = _poll(request)
    if not kind_of(session.polls[pid]).votes:
        raise Invalid(404, "no_votes", "this poll's answers take no votes")
    return session, pid


@refusals
async def vote(request: Request) -> Response:
    """A voter's vote on a question (POST) or its withdrawal (DELETE): one per voter per
    question, so repeating either changes nothing."""
    session, pid = _votes_on(request)
    voter = check_voter(request.headers.get("x-deckpoll-voter"))
    await voters.check(request, voter)
    # The voter's own bucket for votes, counted by the store (across workers and machines).
    if not await session.store.take(f"votes:{voter}", request.app.state.answer_rate):
        return error(429, "too_fast", "too many votes; wait a moment", {"Retry-After": "1"})
    answer_id = request.path_params["answer"]
    shown = session.answers[pid].get(answer_id) if answer_id < 2**63 else None
    found = None
    if shown is not None and not shown.hidden and not shown.pending:  # phones see only these
        found = await session.vote(pid, answer_id, voter, request.method == "POST")
    if found is None:
        raise Invalid(404, "unknown_answer", "no such question in this poll")
    return JSONResponse({"id": found.id, "votes": found.votes, "voted": request.method == "POST"})


@refusals
async def my_votes(request: Request) -> Response:
    """The ids of the questions the caller voted for (to restore the phone's buttons)."""
    session, pid = _votes_on(request)
    voter = check_voter(request.headers.get("x-deckpoll-voter"))
    await voters.check(request, voter)
    ids = await session.store.voted(pid, voter)
    return JSONResponse({"votes": ids}, headers={"Cache-Control": "no-store"})


ROUTES = [
    Route("/api/v1/polls/{poll}/votes", my_votes, methods=["GET"]),
    # Before the presenter's `answers/{answer}/{action}` route, which would take "vote".
    Route("/api/v1/polls/{poll}/answers/{answer:int}/vote", vote, methods=["POST", "DELETE"]),
]
