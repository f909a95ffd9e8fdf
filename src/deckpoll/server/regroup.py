"""The presenter's corrections to a word cloud's groups, and the synthesis of open answers
(the speaker console). `POST /api/v1/polls/{poll}/groups` with `{"merge": [g1, g2, ...]}`
(into the first), `{"split": g}` or `{"reset": true}`; the groups are kept in the store
(meta `groups:<poll>`), so every server of the talk and the archive group alike.
`GET /api/v1/polls/{poll}/synthesis`: the shown answers of an open poll clustered, with
counts (grouping.clusters)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from deckpoll.grouping import clusters, merged, split
from deckpoll.server.api import _poll, _session, is_presenter, read_json, refusals
from deckpoll.server.validate import Invalid
from deckpoll.server.wordgroups import META, parse

KEY_CHARS = 400  # a group key in a request (keys are derived from answers of 280 characters)


def _key(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > KEY_CHARS:
        raise Invalid(422, "bad_group", f"a group is a text of 1 to {KEY_CHARS} characters")
    return value


@refusals
async def regroup(request: Request) -> Response:
    is_presenter(request, required=True)
    session = _session(request)
    pid = _poll(request)
    if session.polls[pid].get("kind") != "wordcloud":
        raise Invalid(422, "not_grouped", "only a word cloud's answers are grouped")
    body = await read_json(request)
    if not isinstance(body, dict) or len(body) != 1:
        raise Invalid(
            422, "bad_body", 'send {"merge": [groups]}, {"split": group} or {"reset": true}'
        )
    current = session.polls[pid].get("groups") or {}
    try:
        if "merge" in body and isinstance(body["merge"], list) and len(body["merge"]) >= 2:
            groups = merged(current, [_key(k) for k in body["merge"][:100]])
        elif "split" in body:
            groups = split(current, _key(body["split"]))
        elif body.get("reset") is True:
            groups = {}
        else:
            raise Invalid(422, "bad_body", "merge takes a list of at least two groups")
    except ValueError as exc:
        raise Invalid(422, "too_many_groups", str(exc)) from None
    raw = json.dumps(groups, ensure_ascii=False, sort_keys=True)
    await session.store.set_meta(META + pid, raw)
    await session.settle()  # the feed brings it to the mirror (Mirror._regroup)
    return JSONResponse({"poll": pid, "groups": parse(raw)})


@refusals
async def synthesis(request: Request) -> Response:
    is_presenter(request, required=True)
    session = _session(request)
    pid = _poll(request)
    poll = session.polls[pid]
    mirror = session.answers.get(pid, {})
    shown = [
        a.value["text"]
        for a in sorted(mirror.values(), key=lambda a: a.id)
        if not a.hidden and not a.pending and isinstance(a.value.get("text"), str)
    ]
    found = clusters(shown, poll.get("lang"))
    body = [{"text": c.text, "count": c.count, "others": list(c.members[:20])} for c in found]
    return JSONResponse({"poll": pid, "answers": len(shown), "clusters": body[:200]})


ROUTES = [
    Route("/api/v1/polls/{poll}/groups", regroup, methods=["POST"]),
    Route("/api/v1/polls/{poll}/synthesis", synthesis, methods=["GET"]),
]
