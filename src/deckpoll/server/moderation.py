"""The presenter's list of every answer to a poll (the speaker console), page by page.

The screens get aggregated, bounded results; the console needs each answer, hidden and
waiting ones included, so that anything a phone can see can be found, hidden or approved."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from deckpoll.grouping import group_key
from deckpoll.personal import personal_data
from deckpoll.server.api import _poll, _session, is_presenter, refusals
from deckpoll.server.validate import Invalid
from deckpoll.stores.base import Answer

PAGE = 500  # answers per page by default
MAX_PAGE = 2000


def answer_row(answer: Answer, poll: dict[str, Any] | None = None) -> dict[str, Any]:
    """One answer as the console lists it; `group` is what a word cloud groups it by (the
    tally's key: grouping.group_key in the poll's language, with the presenter's merges)."""
    text = answer.value.get("text")
    row: dict[str, Any] = {
        "id": answer.id,
        "value": answer.value,
        "created": answer.created,
        "hidden": answer.hidden,
        "pending": answer.pending,
    }
    if answer.votes or answer.pinned or answer.answered:  # a Q&A's question
        row.update(votes=answer.votes, pinned=answer.pinned, answered=answer.answered)
    if isinstance(text, str):
        poll = poll or {}
        row["group"] = group_key(text, poll.get("lang"), poll.get("groups"))
        personal = personal_data(text)
        if personal:  # flagged in the console: release (approve) or hide
            row["personal"] = personal
    return row


def _number(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) > high:
        raise Invalid(422, "out_of_range", f"{name} must be a whole number up to {high}")
    return int(raw)


@refusals
async def answer_list(request: Request) -> Response:
    """`GET /api/v1/polls/{poll}/moderation?after=ID&limit=N`: answers with an id above
    `after`, oldest first; `next` is the `after` of the following page (null at the end)."""
    is_presenter(request, required=True)
    session = _session(request)
    pid = _poll(request)
    after = _number(request, "after", 0, 2**63 - 1)
    limit = _number(request, "limit", PAGE, MAX_PAGE) or PAGE
    await session.settle()
    mirror = session.answers.get(pid, {})
    ids = sorted(i for i in mirror if i > after)
    page = [answer_row(mirror[i], session.polls[pid]) for i in ids[:limit]]
    body = {
        "poll": pid,
        "total": len(mirror),
        "answers": page,
        "next": page[-1]["id"] if len(ids) > limit else None,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


ROUTES = [Route("/api/v1/polls/{poll}/moderation", answer_list, methods=["GET"])]
