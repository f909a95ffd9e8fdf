"""The rules of docs/protocol.md, in the order they run. A new route or promise of the
protocol is one more function here, registered with `@rule(group, name, says)`."""

from __future__ import annotations

import re
from typing import Any

from deckpoll.conformance.client import EventStream
from deckpoll.conformance.runner import Context, Failed, Skipped, expect, rule

CHOICE = ("single", "multiple", "scale")
TEXT = ("wordcloud", "open")


def body(poll: dict[str, Any], n: int = 0) -> dict[str, Any]:
    """A valid answer to `poll`, the n-th of several different ones."""
    kind = poll.get("kind")
    options = [o["id"] for o in poll.get("options") or []]
    if kind == "single" and options:
        return {"choice": options[n % len(options)]}
    if kind == "multiple" and options:
        return {"choices": [options[n % len(options)]]}
    if kind == "scale":
        low, high = poll.get("min") or 1, poll.get("max") or 5
        return {"value": low + n % (high - low + 1)}
    if kind in TEXT:
        return {"text": f"kit answer {n}"}
    raise Skipped(f"no answer known for kind {kind!r}")


def deck_of(ctx: Context) -> dict[str, Any]:
    if ctx.deck is None:
        raise Skipped("GET api/v1/deck did not give the deck")
    return ctx.deck


# -- routes ----------------------------------------------------------------------------------


@rule(
    "routes",
    "deck",
    "GET api/v1/deck: 200, protocol 1, the deck's id, hash, slides, polls, a snapshot",
)
def deck(ctx: Context) -> str:
    got = expect(ctx.get("api/v1/deck"), 200, "GET api/v1/deck")
    data = got.json()
    if not isinstance(data, dict):
        raise Failed("GET api/v1/deck: the body is not a JSON object")
    if data.get("protocol") != 1:
        raise Failed(f'"protocol": expected 1, got {data.get("protocol")!r}')
    for key, kind in (
        ("id", str),
        ("hash", str),
        ("slides", list),
        ("polls", list),
        ("live", dict),
    ):
        if not isinstance(data.get(key), kind):
            raise Failed(f"{key!r}: expected a {kind.__name__}, got {data.get(key)!r}")
    if not data["hash"].startswith("sha256:"):
        raise Failed(f'"hash" must start with sha256:, got {data["hash"]!r}')
    for key in ("state", "polls", "results"):
        if not isinstance(data["live"].get(key), dict):
            raise Failed(f'"live" must be a snapshot with {key!r}')
    ctx.deck = data
    ctx.start_state = data["live"]["state"]
    return f"deck {data['id']}, {len(data['slides'])} slides, {len(data['polls'])} polls"


@rule("routes", "unknown-path", "an unknown path under api/v1/ answers 404 as JSON")
def unknown_path(ctx: Context) -> None:
    expect(ctx.get("api/v1/no-such-route-kit"), 404, "GET api/v1/no-such-route-kit")


@rule("routes", "wrong-method", "a known path with another method answers 405 as JSON")
def wrong_method(ctx: Context) -> None:
    expect(ctx.get("api/v1/state"), 405, "GET api/v1/state")


@rule("routes", "voters", "POST api/v1/voters gives a voter token for this deck")
def voters(ctx: Context) -> str:
    got = expect(ctx.post("api/v1/voters"), 200, "POST api/v1/voters")
    data = got.json() or {}
    token = data.get("voter")
    if not isinstance(token, str) or not re.fullmatch(r"[A-Za-z0-9_-]{16,128}", token):
        raise Failed(f"voter: expected 16-128 characters of A-Z a-z 0-9 _ -, got {token!r}")
    if data.get("deck") != deck_of(ctx)["id"]:
        raise Failed(f"deck: expected {deck_of(ctx)['id']!r}, got {data.get('deck')!r}")
    return None


@rule("routes", "unknown-poll", "an answer to a poll the deck does not have gets 404 unknown_poll")
def unknown_poll(ctx: Context) -> None:
    got = ctx.answer({"id": "no-such-poll-kit"}, {"choice": "x"}, ctx.voter())
    expect(got, 404, "POST api/v1/polls/no-such-poll-kit/answers", "unknown_poll")


@rule("routes", "join-page", "the phone page is served at <base>join")
def join_page(ctx: Context) -> None:
    got = ctx.get("join")
    if got.status != 200 or "text/html" not in got.headers.get("content-type", ""):
        raise Failed(
            f"GET join: expected 200 text/html, got {got.status} {got.headers.get('content-type')}"
        )


# -- presenter auth --------------------------------------------------------------------------


@rule("auth", "no-key", "a presenter call without a key gets 401 with WWW-Authenticate: Bearer")
def no_key(ctx: Context) -> None:
    slide = {"slide": 1}
    got = expect(ctx.post("api/v1/state", slide), 401, "POST api/v1/state without a key", "no_key")
    if "bearer" not in got.headers.get("www-authenticate", "").lower():
        raise Failed("401 without WWW-Authenticate: Bearer")
    poll = ctx.polls()[0] if ctx.polls() else {"id": "x"}
    expect(ctx.post(f"api/v1/polls/{poll['id']}/open"), 401, "POST …/open without a key", "no_key")


@rule("auth", "wrong-key", "a presenter call with a wrong key gets 403 bad_key")
def wrong_key(ctx: Context) -> None:
    headers = {"Authorization": "Bearer not-the-key-kit-0123456789"}
    got = ctx.post("api/v1/state", {"slide": 1}, headers=headers)
    expect(got, 403, "POST api/v1/state with a wrong key", "bad_key")
    expect(
        ctx.get("api/v1/deck", headers=headers), 403, "GET api/v1/deck with a wrong key", "bad_key"
    )


@rule(
    "auth",
    "key",
    "the key is accepted: GET api/v1/deck says presenter true, false without it",
    needs_key=True,
)
def key(ctx: Context) -> None:
    got = expect(ctx.get("api/v1/deck", presenter=True), 200, "GET api/v1/deck with the key")
    if (got.json() or {}).get("presenter") is not True:
        raise Failed('"presenter": expected true with the key')
    if (ctx.get("api/v1/deck").json() or {}).get("presenter") is not False:
        raise Failed('"presenter": expected false without the key')


@rule(
    "auth",
    "state",
    "POST api/v1/state moves the presenter and names the slide's poll",
    needs_key=True,
)
def state(ctx: Context) -> str:
    poll = ctx.polls()[0] if ctx.polls() else None
    slide = ctx.slide_of(poll) if poll else 1
    got = expect(
        ctx.move(slide),
        200,
        "POST api/v1/state",
    )
    data = got.json() or {}
    wanted = {"slide": slide, "fragment": 0, "poll": poll["id"] if poll else None}
    if {k: data.get(k) for k in wanted} != wanted:
        raise Failed(f"expected {wanted}, got {data}")
    return f"slide {slide}"


# -- closed polls ----------------------------------------------------------------------------


@rule(
    "closed",
    "refused",
    "an answer to a closed poll gets 409 poll_closed; opened, it is taken",
    needs_key=True,
)
def closed(ctx: Context) -> None:
    poll = ctx.poll(*CHOICE, *TEXT)
    with ctx.fresh(poll, "closed"):
        view = ctx.act(poll, "close")
        if view.get("status") != "closed":
            raise Failed(f'close: expected "status": "closed", got {view}')
        voter = ctx.voter()
        expect(
            ctx.answer(poll, body(poll), voter), 409, "an answer to a closed poll", "poll_closed"
        )
        view = ctx.act(poll, "open")
        if view.get("status") != "open" or view.get("opened") is not True:
            raise Failed(f"open: expected status open, opened true, got {view}")
        expect(ctx.answer(poll, body(poll), voter), 200, "an answer to the opened poll")


@rule(
    "closed",
    "reset-new",
    "a reset closed poll is new again: closed, opened false, no answers",
    needs_key=True,
)
def reset_new(ctx: Context) -> None:
    poll = ctx.poll(*CHOICE, *TEXT)
    with ctx.fresh(poll):
        expect(ctx.answer(poll, body(poll), ctx.voter()), 200, "an answer")
        ctx.act(poll, "close")
        view = ctx.act(poll, "reset")
        if view.get("status") != "closed" or view.get("opened") is not False:
            raise Failed(f'reset of a closed poll: expected "closed", opened false, got {view}')

        def emptied() -> None:
            res = expect(ctx.results(poll), 200, "results with the key").json() or {}
            if res.get("answers") or res.get("voters"):
                raise Failed(
                    f"after reset: {res.get('voters')} voters, {res.get('answers')} answers left"
                )

        ctx.settled(emptied)
        expect(
            ctx.answer(poll, body(poll), ctx.voter()), 409, "an answer to a new poll", "poll_closed"
        )


# -- one answer per voter ----------------------------------------------------------------------


@rule(
    "answers",
    "replace",
    "a voter's new choice replaces the old one: one answer per voter",
    needs_key=True,
)
def replace(ctx: Context) -> str:
    poll = ctx.poll(*CHOICE)
    with ctx.fresh(poll):
        voter = ctx.voter()
        first = expect(ctx.answer(poll, body(poll, 0), voter), 200, "the first answer").json() or {}
        if first.get("ok") is not True or not isinstance(first.get("id"), int):
            raise Failed(f'expected {{"ok": true, "id": <int>, …}}, got {first}')
        second = expect(ctx.answer(poll, body(poll, 1), voter), 200, "a new choice").json() or {}
        if second.get("replaced") is not True:
            raise Failed(f'a new choice: expected "replaced": true, got {second}')
        again = (
            expect(ctx.answer(poll, body(poll, 1), voter), 200, "the same choice again").json()
            or {}
        )
        if again.get("duplicate") is not True:
            raise Failed(f'the same choice again: expected "duplicate": true, got {again}')
        expect(ctx.answer(poll, body(poll, 0), ctx.voter()), 200, "another voter")

        def counted() -> None:
            res = expect(ctx.results(poll), 200, "results with the key").json() or {}
            if (res.get("voters"), res.get("answers")) != (2, 2):
                raise Failed(
                    f"expected 2 voters, 2 answers, got {res.get('voters')}, {res.get('answers')}"
                )
            headers = {"X-Deckpoll-Voter": voter}
            mine = ctx.get(f"api/v1/polls/{poll['id']}/answers", headers=headers)
            answers = (expect(mine, 200, "GET …/answers (the voter's own)").json() or {}).get(
                "answers"
            )
            if not isinstance(answers, list) or len(answers) != 1:
                raise Failed(f"the voter's own answers: expected one, got {answers}")

        ctx.settled(counted)
    return poll["kind"]


@rule(
    "answers",
    "text-limit",
    "text entries: a repeat is a duplicate, past max_answers 429 answer_limit",
    needs_key=True,
)
def text_limit(ctx: Context) -> str:
    poll = ctx.poll(*TEXT)
    limit = poll.get("max_answers") or (3 if poll["kind"] == "wordcloud" else 1)
    with ctx.fresh(poll):
        voter = ctx.voter()
        for n in range(limit):
            expect(ctx.answer(poll, body(poll, n), voter), 200, f"entry {n + 1} of {limit}")
        again = expect(ctx.answer(poll, body(poll, 0), voter), 200, "a repeated entry").json() or {}
        if again.get("duplicate") is not True:
            raise Failed(f'a repeated entry: expected "duplicate": true, got {again}')
        got = ctx.answer(poll, body(poll, limit), voter)
        expect(got, 429, f"entry {limit + 1} of {limit}", "answer_limit")
    return f"{poll['kind']}, max_answers {limit}"


@rule("answers", "voter-token", "answers need a token the backend issued: none 400, made up 401")
def voter_token(ctx: Context) -> None:
    poll = (
        ctx.polls()[0] if ctx.polls() else {"id": "x", "kind": "single", "options": [{"id": "a"}]}
    )
    data = body(poll) if poll.get("kind") in CHOICE + TEXT else {"choice": "a"}
    got = ctx.post(f"api/v1/polls/{poll['id']}/answers", data)
    expect(got, 400, "an answer without X-Deckpoll-Voter", "missing_voter")
    fake = "A" * 16 + "b" * 22
    expect(ctx.answer(poll, data, fake), 401, "an answer with a made-up token", "unknown_voter")


# -- result visibility -----------------------------------------------------------------------


@rule("visibility", "live", "results: live polls show the audience their results")
def live_results(ctx: Context) -> None:
    poll = ctx.poll(*CHOICE, *TEXT, results=("live",))
    got = expect(ctx.results(poll, presenter=False), 200, "audience GET …/results of a live poll")
    data = got.json() or {}
    if data.get("visible") is not True or data.get("id") != poll["id"]:
        raise Failed(f'expected "id": {poll["id"]!r}, "visible": true, got {data}')


@rule(
    "visibility",
    "on-reveal",
    "results: on_reveal/hidden are hidden from the audience (403) until revealed",
    needs_key=True,
)
def on_reveal(ctx: Context) -> str:
    poll = ctx.poll(*CHOICE, *TEXT, results=("on_reveal", "hidden"))
    with ctx.fresh(poll):
        expect(ctx.answer(poll, body(poll), ctx.voter()), 200, "an answer")
        expect(
            ctx.results(poll, presenter=False),
            403,
            "audience results before reveal",
            "results_hidden",
        )

        def full_copy() -> None:
            full = expect(ctx.results(poll), 200, "presenter results").json() or {}
            if full.get("visible") is not False or full.get("answers") != 1:
                raise Failed(f'presenter copy: expected "visible": false and 1 answer, got {full}')

        ctx.settled(full_copy)
        view = ctx.act(poll, "reveal")
        shown = poll.get("results") == "on_reveal"
        if view.get("revealed") is not True or view.get("visible") is not shown:
            raise Failed(f"reveal: expected revealed true, visible {shown}, got {view}")
        ctx.settled(
            lambda: expect(
                ctx.results(poll, presenter=False),
                200 if shown else 403,
                "audience results after reveal",
            )
        )
        ctx.act(poll, "conceal")
        ctx.settled(
            lambda: expect(
                ctx.results(poll, presenter=False),
                403,
                "audience results after conceal",
                "results_hidden",
            )
        )
    return poll["results"]


# -- event streams ----------------------------------------------------------------------------


@rule(
    "events", "snapshot-first", "every event stream starts with retry and a snapshot of this deck"
)
def snapshot_first(ctx: Context) -> None:
    deck_id = deck_of(ctx)["id"]
    for client in ("deck", "join"):
        with EventStream(ctx.backend, client=client) as stream:
            if stream.status != 200 or not stream.content_type.startswith("text/event-stream"):
                raise Failed(
                    "GET api/v1/events: expected 200 text/event-stream, "
                    f"got {stream.status} {stream.content_type}"
                )
            first = stream.next(5)
            if first is None or first[0] != "snapshot":
                raise Failed(
                    f"?client={client}: the first event must be a snapshot, "
                    f"got {first and first[0]}"
                )
            data = first[1]
            if data.get("deck") != deck_id or not all(
                isinstance(data.get(k), dict) for k in ("state", "polls", "results")
            ):
                raise Failed(f"snapshot: expected deck {deck_id!r} with state, polls, results")
            if stream.retry is None:
                raise Failed("no retry: line before the snapshot")


@rule(
    "events",
    "follow",
    "a stream gets state, poll and results events as they happen; a new stream a fresh snapshot",
    needs_key=True,
)
def follow(ctx: Context) -> None:
    poll = ctx.poll(*CHOICE, *TEXT)
    slide = ctx.slide_of(poll)
    ctx.act(poll, "reset")
    ctx.act(poll, "close")
    with EventStream(ctx.backend, presenter=True) as stream:
        if stream.next(5) is None:
            raise Failed("no snapshot")
        other = 1 if slide != 1 else len(deck_of(ctx)["slides"])
        expect(ctx.move(other), 200, "POST api/v1/state")
        if stream.wait_for("state", lambda d: d.get("slide") == other) is None:
            raise Failed(f"no state event for slide {other} within 5 s")
        expect(ctx.move(slide), 200, "POST api/v1/state")
        if stream.wait_for("state", lambda d: d.get("slide") == slide) is None:
            raise Failed(f"no state event for slide {slide} within 5 s")
        ctx.act(poll, "open")
        if (
            stream.wait_for(
                "poll", lambda d: d.get("id") == poll["id"] and d.get("status") == "open"
            )
            is None
        ):
            raise Failed("no poll event (status open) within 5 s")
        expect(ctx.answer(poll, body(poll), ctx.voter()), 200, "an answer")
        if (
            stream.wait_for(
                "results", lambda d: d.get("id") == poll["id"] and d.get("answers") == 1
            )
            is None
        ):
            raise Failed("no results event with the answer within 5 s")
    with EventStream(ctx.backend) as again:
        first = again.next(5)
        if first is None or first[0] != "snapshot":
            raise Failed("a new stream must start with a snapshot")
        data = first[1]
        if (
            data["state"].get("slide") != slide
            or data["polls"].get(poll["id"], {}).get("status") != "open"
        ):
            raise Failed(f"the new snapshot must hold the current state (slide {slide}, poll open)")


@rule(
    "events",
    "audience-copy",
    "an audience stream never gets hidden results: only counts",
    needs_key=True,
)
def audience_copy(ctx: Context) -> None:
    poll = ctx.poll(*CHOICE, *TEXT, results=("on_reveal", "hidden"))
    with ctx.fresh(poll), EventStream(ctx.backend, client="join") as stream:
        stream.next(5)
        expect(ctx.answer(poll, body(poll), ctx.voter()), 200, "an answer")
        data = stream.wait_for("results", lambda d: d.get("id") == poll["id"])
        if data is None:
            raise Failed("no results event within 5 s")
        extra = set(data) - {"id", "kind", "visible", "voters", "answers"}
        if data.get("visible") is not False or extra:
            raise Failed(f"the audience copy of hidden results holds {sorted(extra)}")
