"""A minimal poll backend for deckpoll decks, written from docs/protocol.md alone.

Standard library + Starlette (uvicorn runs it). Everything is kept in memory: the answers
go when it stops. It serves one built deck: the deck page, its files, the phone page
(`join.html`, written by `deckpoll build --join-page`) and the API under /api/v1/.

    deckpoll build decks/vinnova-innovation --join-page -o dist/vinnova
    python examples/minimal_backend.py dist/vinnova --port 8000
    deckpoll protocol-check http://127.0.0.1:8000/ --key <the key it prints>

Left out on purpose (see docs/protocol.md for what the reference backend adds): rate limits,
moderation, the presenter's notes route, durable storage, several processes."""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import unicodedata
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles

PROTOCOL = 1
MAX_BODY = 4096
MAX_TEXT = 280
PING_SECONDS = 15


class Refused(Exception):
    """A JSON 4xx: {"error": code, "message": text}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def refusal(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status, headers=headers)


# -- the deck and its live state ---------------------------------------------------------------


class Talk:
    """One deck's state: the presenter's position, each poll's status and its answers."""

    def __init__(self, manifest: dict[str, Any], key: str) -> None:
        self.manifest = manifest
        self.key = key
        self.polls = {p["id"]: p for p in manifest["polls"]}
        self.slide_poll = {s["index"]: s.get("poll") for s in manifest["slides"]}
        self.state = {"slide": 1, "fragment": 0}
        self.status = {pid: {"status": "new", "revealed": False} for pid in self.polls}
        self.answers: dict[str, list[dict[str, Any]]] = {pid: [] for pid in self.polls}
        self.next_id = 1
        self.secret = secrets.token_bytes(32)
        self.talk = hashlib.sha256(self.secret).hexdigest()[:12]
        self.streams: dict[asyncio.Queue, str] = {}  # queue -> "presenter" | "deck" | "join"

    # Voter tokens: 16 random characters and an HMAC of them and the deck id (protocol.md).
    def mint(self) -> str:
        ident = secrets.token_urlsafe(12)[:16]
        return ident + self._mac(ident)

    def _mac(self, ident: str) -> str:
        digest = hmac.new(self.secret, f"{ident}:{self.manifest['id']}".encode(), "sha256")
        return base64.urlsafe_b64encode(digest.digest()).decode()[:22]

    def known(self, token: str) -> bool:
        return len(token) == 38 and hmac.compare_digest(token[16:], self._mac(token[:16]))

    # Views.
    def visible(self, pid: str) -> bool:
        mode = self.polls[pid].get("results") or "live"
        return mode == "live" or (mode == "on_reveal" and self.status[pid]["revealed"])

    def poll_view(self, pid: str) -> dict[str, Any]:
        st = self.status[pid]
        return {
            "id": pid,
            "status": "closed" if st["status"] == "new" else st["status"],
            "opened": st["status"] != "new",
            "revealed": st["revealed"],
            "visible": self.visible(pid),
            "results": self.polls[pid].get("results") or "live",
            "moderation": "none",
        }

    def state_view(self) -> dict[str, Any]:
        return {**self.state, "poll": self.slide_poll.get(self.state["slide"])}

    def results(self, pid: str, presenter: bool) -> dict[str, Any]:
        answers = self.answers[pid]
        head = {
            "id": pid,
            "kind": self.polls[pid]["kind"],
            "visible": self.visible(pid),
            "voters": len({a["voter"] for a in answers}),
            "answers": len(answers),
            "pending": 0,
        }
        if not presenter and not head["visible"]:
            return {k: head[k] for k in ("id", "kind", "visible", "voters", "answers")}
        return {**head, **tally(self.polls[pid], answers, presenter)}

    def snapshot(self, presenter: bool) -> dict[str, Any]:
        return {
            "deck": self.manifest["id"],
            "hash": self.manifest["hash"],
            "state": self.state_view(),
            "polls": {pid: self.poll_view(pid) for pid in self.polls},
            "results": {pid: self.results(pid, presenter) for pid in self.polls},
            "audience": self.audience(),
        }

    def audience(self) -> int:
        return sum(role == "join" for role in self.streams.values())

    # Events: every stream gets its own copy (the presenter's results are complete).
    def publish(self, event: str, data: Any = None, *, results: str | None = None) -> None:
        for queue, role in self.streams.items():
            if event == "presence" and role == "join":
                continue
            body = self.results(results, role == "presenter") if results else data
            queue.put_nowait((event, body))


def tally(poll: dict[str, Any], answers: list[dict[str, Any]], presenter: bool) -> dict:
    """The kind's part of the results (docs/protocol.md, Shapes)."""
    kind, voters = poll["kind"], len({a["voter"] for a in answers}) or 1
    if kind in ("single", "multiple"):
        counts = {o["id"]: 0 for o in poll["options"]}
        for a in answers:
            for choice in a["value"].get("choices", [a["value"].get("choice")]):
                counts[choice] += 1
        return {
            "options": [
                {**o, "count": counts[o["id"]], "percent": round(100 * counts[o["id"]] / voters, 1)}
                for o in poll["options"]
            ]
        }
    if kind == "scale":
        low, high = poll.get("min") or 1, poll.get("max") or 5
        values = [a["value"]["value"] for a in answers]
        return {
            "min": low,
            "max": high,
            "distribution": [
                {
                    "value": v,
                    "count": values.count(v),
                    "percent": round(100 * values.count(v) / voters, 1),
                }
                for v in range(low, high + 1)
            ],
            "average": round(sum(values) / len(values), 2) if values else None,
        }
    if kind == "wordcloud":
        groups: dict[str, list[str]] = {}
        for a in answers:
            groups.setdefault(a["key"], []).append(a["value"]["text"])
        ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        words = [{"text": max(set(t), key=t.count), "count": len(t)} for _, t in ranked]
        return {"distinct": len(groups), "words": words[: 120 if presenter else 60]}
    entries = [
        {"id": a["id"], "text": a["value"]["text"], "at": a["at"]} for a in reversed(answers)
    ]
    return {"entries": entries[: 200 if presenter else 30]}


# -- reading and checking answers ------------------------------------------------------------------


def strict_json(raw: bytes) -> Any:
    """JSON without NaN/Infinity, duplicate keys or lone surrogates (protocol.md: 400/422)."""

    def pairs(items: list[tuple[str, Any]]) -> dict:
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            raise Refused(422, "duplicate_key", "a key appears twice")
        return dict(items)

    def no_constant(name: str) -> Any:
        raise Refused(422, "invalid_number", f"{name} is not a number")

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "bad_encoding", "the body is not UTF-8") from None
    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=no_constant)
    except ValueError:
        raise Refused(400, "bad_json", "the body is not JSON") from None
    return data


async def read_body(request: Request) -> Any:
    length = request.headers.get("content-length", "0")
    if not length.isdigit():
        raise Refused(400, "bad_length", "Content-Length is not a number")
    if int(length) > MAX_BODY:
        raise Refused(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Refused(415, "not_json", "send Content-Type: application/json")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise Refused(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    return strict_json(raw)


def only(data: Any, field: str) -> Any:
    if not isinstance(data, dict):
        raise Refused(422, "not_an_object", "send a JSON object")
    if set(data) != {field}:
        extra = sorted(set(data) - {field})
        code, what = (
            ("unknown_field", f"unexpected field {extra[0]!r}")
            if extra
            else ("missing_field", f"send {field!r}")
        )
        raise Refused(422, code, what)
    return data[field]


def clean_text(value: Any, multiline: bool) -> str:
    if not isinstance(value, str):
        raise Refused(422, "invalid_text", "text must be a string")
    text = value.strip() if multiline else " ".join(value.split())
    if not text:
        raise Refused(422, "invalid_text", "the text is empty")
    if len(text) > MAX_TEXT:
        raise Refused(422, "too_long", f"at most {MAX_TEXT} characters")
    bad = [
        c
        for c in text
        if (unicodedata.category(c) in ("Cc", "Cs") and c != "\n") or (c == "\n" and not multiline)
    ]
    if bad:
        raise Refused(422, "invalid_text", "control characters are not allowed")
    return text


def check_answer(poll: dict[str, Any], data: Any) -> tuple[dict[str, Any], str]:
    """The answer's stored value and its grouping key (one per voter and key)."""
    kind, options = poll["kind"], [o["id"] for o in poll.get("options") or []]
    if kind == "single":
        choice = only(data, "choice")
        if not isinstance(choice, str) or choice not in options:
            raise Refused(422, "unknown_option", "choose one of the poll's options")
        return {"choice": choice}, ""
    if kind == "multiple":
        choices = only(data, "choices")
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) for c in choices)
        ):
            raise Refused(422, "invalid_choices", "send a non-empty list of option ids")
        if len(set(choices)) != len(choices):
            raise Refused(422, "duplicate_option", "an option appears twice")
        if any(c not in options for c in choices):
            raise Refused(422, "unknown_option", "choose among the poll's options")
        if poll.get("max_choices") and len(choices) > poll["max_choices"]:
            raise Refused(422, "too_many_choices", f"choose at most {poll['max_choices']}")
        return {"choices": [o for o in options if o in choices]}, ""
    if kind == "scale":
        value = only(data, "value")
        if not isinstance(value, int) or isinstance(value, bool):
            raise Refused(422, "invalid_value", "send an integer")
        if not (poll.get("min") or 1) <= value <= (poll.get("max") or 5):
            raise Refused(422, "out_of_range", "the value is out of the scale")
        return {"value": value}, ""
    if kind in ("wordcloud", "open"):
        text = clean_text(only(data, "text"), multiline=kind == "open")
        key = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
        return {"text": text}, key
    raise Refused(422, "unsupported_kind", f"this backend does not take {kind} answers")


def limit(poll: dict[str, Any]) -> int:
    if poll["kind"] in ("wordcloud", "open"):
        return poll.get("max_answers") or (3 if poll["kind"] == "wordcloud" else 1)
    return 1


# -- routes -------------------------------------------------------------------------------------


def talk_of(request: Request) -> Talk:
    return request.app.state.talk


def presenter(request: Request, required: bool) -> bool:
    header = request.headers.get("authorization")
    if header is None:
        if required:
            raise Refused(401, "no_key", "presenter calls need Authorization: Bearer <key>")
        return False
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "no_key", "presenter calls need Authorization: Bearer <key>")
    if not hmac.compare_digest(token.strip().encode(), talk_of(request).key.encode()):
        raise Refused(403, "bad_key", "the presenter key is wrong")
    return True


def poll_of(request: Request) -> dict[str, Any]:
    poll = talk_of(request).polls.get(request.path_params["poll"])
    if poll is None:
        raise Refused(404, "unknown_poll", "no such poll in this deck")
    return poll


def voter_of(request: Request) -> str:
    token = request.headers.get("x-deckpoll-voter")
    if not token:
        raise Refused(400, "missing_voter", "send X-Deckpoll-Voter")
    if (
        len(token) > 128
        or not token.replace("-", "").replace("_", "").isalnum()
        or not token.isascii()
    ):
        raise Refused(400, "bad_voter", "malformed voter token")
    if not talk_of(request).known(token):
        raise Refused(401, "unknown_voter", "this server did not issue that token")
    return token


def api(handler):
    """Refusals become their JSON status; nothing becomes a 500."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Refused as exc:
            headers = (
                {"WWW-Authenticate": "Bearer"}
                if exc.status == 401 and exc.code == "no_key"
                else None
            )
            return refusal(exc.status, exc.code, exc.message, headers)

    return wrapped


@api
async def deck(request: Request) -> Response:
    talk, is_presenter = talk_of(request), presenter(request, required=False)
    m = talk.manifest
    config = m.get("polls_config") or {}
    return JSONResponse(
        {
            "protocol": PROTOCOL,
            "deckpoll": m.get("deckpoll", 1),
            "id": m["id"],
            "title": m.get("title"),
            "lang": m.get("lang"),
            "hash": m["hash"],
            "code": config.get("code"),
            "join_url": config.get("join_url"),
            "slides": [
                {k: s.get(k) for k in ("index", "id", "title", "text", "poll")} for s in m["slides"]
            ],
            "polls": list(talk.polls.values()),
            "talk": talk.talk,
            "presenter": is_presenter,
            "live": talk.snapshot(is_presenter),
        },
        headers={"Cache-Control": "no-store"},
    )


@api
async def voters(request: Request) -> Response:
    talk = talk_of(request)
    return JSONResponse({"voter": talk.mint(), "deck": talk.manifest["id"], "talk": talk.talk})


@api
async def events(request: Request) -> Response:
    talk, is_presenter = talk_of(request), presenter(request, required=False)
    role = (
        "presenter"
        if is_presenter
        else ("join" if request.query_params.get("client") == "join" else "deck")
    )
    queue: asyncio.Queue = asyncio.Queue()

    async def stream():
        talk.streams[queue] = role
        talk.publish("presence", {"audience": talk.audience()})
        try:
            yield "retry: 2000\n\n" + frame("snapshot", talk.snapshot(is_presenter))
            while True:
                try:
                    event, data = await asyncio.wait_for(queue.get(), PING_SECONDS)
                    yield frame(event, data)
                except TimeoutError:
                    yield ": ping\n\n"
        finally:
            talk.streams.pop(queue, None)
            talk.publish("presence", {"audience": talk.audience()})

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def frame(event: str, data: Any) -> str:
    return (
        f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"
    )


@api
async def answer(request: Request) -> Response:
    talk, poll = talk_of(request), poll_of(request)
    voter = voter_of(request)
    value, key = check_answer(poll, await read_body(request))
    if talk.status[poll["id"]]["status"] != "open":
        raise Refused(409, "poll_closed", "the poll is not open")
    answers = talk.answers[poll["id"]]
    mine = [a for a in answers if a["voter"] == voter]
    replaced = False
    if key:  # text: one entry per grouping key, up to the poll's limit
        same = next((a for a in mine if a["key"] == key), None)
        if same is not None:
            return JSONResponse(
                {"ok": True, "id": same["id"], "replaced": False, "duplicate": True}
            )
        if len(mine) >= limit(poll):
            raise Refused(429, "answer_limit", "you have already sent as many answers as allowed")
    elif mine:  # a choice: the new one replaces the old one
        if mine[0]["value"] == value:
            return JSONResponse(
                {"ok": True, "id": mine[0]["id"], "replaced": False, "duplicate": True}
            )
        answers.remove(mine[0])
        replaced = True
    entry = {"id": talk.next_id, "voter": voter, "value": value, "key": key, "at": time.time()}
    talk.next_id += 1
    answers.append(entry)
    talk.publish("results", results=poll["id"])
    return JSONResponse({"ok": True, "id": entry["id"], "replaced": replaced, "duplicate": False})


@api
async def my_answers(request: Request) -> Response:
    talk, poll = talk_of(request), poll_of(request)
    voter = voter_of(request)
    mine = [a for a in talk.answers[poll["id"]] if a["voter"] == voter]
    return JSONResponse(
        {
            "answers": [{"id": a["id"], **a["value"], "pending": False} for a in mine],
            "remaining": max(0, limit(poll) - len(mine)),
        },
        headers={"Cache-Control": "no-store"},
    )


@api
async def results(request: Request) -> Response:
    talk, poll = talk_of(request), poll_of(request)
    is_presenter = presenter(request, required=False)
    if not is_presenter and not talk.visible(poll["id"]):
        raise Refused(403, "results_hidden", "the results of this poll are not shown yet")
    return JSONResponse(
        talk.results(poll["id"], is_presenter), headers={"Cache-Control": "no-store"}
    )


@api
async def set_state(request: Request) -> Response:
    presenter(request, required=True)
    talk, data = talk_of(request), await read_body(request)
    if not isinstance(data, dict) or set(data) - {"slide", "fragment"} or "slide" not in data:
        raise Refused(422, "invalid_value", 'send {"slide": n, "fragment": f}')
    slide, fragment = data["slide"], data.get("fragment", 0)
    for value in (slide, fragment):
        if not isinstance(value, int) or isinstance(value, bool):
            raise Refused(422, "invalid_value", "slide and fragment are integers")
    if not 1 <= slide <= len(talk.manifest["slides"]) or not 0 <= fragment <= 10_000:
        raise Refused(422, "out_of_range", "no such slide or fragment")
    talk.state = {"slide": slide, "fragment": fragment}
    pid = talk.slide_poll.get(slide)
    auto = (talk.manifest.get("polls_config") or {}).get("auto_open", True)
    if (
        pid
        and auto
        and talk.polls[pid].get("auto_open", True)
        and talk.status[pid]["status"] == "new"
    ):
        talk.status[pid]["status"] = "open"
        talk.publish("poll", talk.poll_view(pid))
    talk.publish("state", talk.state_view())
    return JSONResponse(talk.state_view())


@api
async def poll_action(request: Request) -> Response:
    presenter(request, required=True)
    talk, poll = talk_of(request), poll_of(request)
    pid, action, st = poll["id"], request.path_params["action"], talk.status[poll["id"]]
    if action in ("open", "close"):
        st["status"] = "open" if action == "open" else "closed"
    elif action in ("reveal", "conceal"):
        st["revealed"] = action == "reveal"
    elif action == "reset":
        talk.answers[pid] = []
        st["revealed"] = False
        st["status"] = "open" if st["status"] == "open" else "new"
    else:
        raise Refused(404, "unknown_action", f"no poll action {action!r}")
    talk.publish("poll", talk.poll_view(pid))
    talk.publish("results", results=pid)
    return JSONResponse(talk.poll_view(pid))


class Fallback:
    """Everything no route took: the deck's files, else a JSON 404, or 405 (with Allow) for
    an API path that exists with another method."""

    def __init__(self, folder: Path, api_routes: list[Route]) -> None:
        self.files = StaticFiles(directory=folder, html=True)
        self.api_routes = api_routes

    async def __call__(self, scope, receive, send) -> None:
        if not scope["path"].startswith("/api/"):
            return await self.files(scope, receive, send)
        allowed = sorted(
            method
            for route in self.api_routes
            for method in route.methods - {"HEAD"}
            if route.matches({**scope, "method": method})[0] == Match.FULL
        )
        if allowed:
            answer = refusal(405, "http_405", "Method Not Allowed", {"Allow": ", ".join(allowed)})
        else:
            answer = refusal(404, "not_found", "nothing here")
        await answer(scope, receive, send)


async def http_error(request: Request, exc: HTTPException) -> Response:
    return refusal(exc.status_code, f"http_{exc.status_code}", str(exc.detail), exc.headers)


def create_app(folder: Path, key: str, origins: list[str] = ()) -> Starlette:
    """The backend for the deck built in `folder` (index.html, deckpoll.json, join.html)."""
    manifest = json.loads((folder / "deckpoll.json").read_text("utf-8"))
    join = folder / "join.html"
    code = (manifest.get("polls_config") or {}).get("code")

    async def phone(request: Request) -> Response:
        if not join.is_file():
            return refusal(404, "no_join_page", "build the deck with --join-page")
        return FileResponse(join, headers={"Cache-Control": "no-store"})

    api_routes = [
        Route("/api/v1/deck", deck, methods=["GET"]),
        Route("/api/v1/voters", voters, methods=["POST"]),
        Route("/api/v1/events", events, methods=["GET"]),
        Route("/api/v1/state", set_state, methods=["POST"]),
        Route("/api/v1/polls/{poll}/answers", answer, methods=["POST"]),
        Route("/api/v1/polls/{poll}/answers", my_answers, methods=["GET"]),
        Route("/api/v1/polls/{poll}/results", results, methods=["GET"]),
        Route("/api/v1/polls/{poll}/{action}", poll_action, methods=["POST"]),
    ]
    routes = [
        *api_routes,
        Route("/join", phone, methods=["GET"]),
        *([Route(f"/{code}", phone, methods=["GET"])] if code else []),
        Mount("/", app=Fallback(folder, api_routes)),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Deckpoll-Voter"],
            max_age=600,
        )
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware if origins else [],
        exception_handlers={HTTPException: http_error},
    )
    app.state.talk = Talk(manifest, key)
    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the built deck (deckpoll build --join-page)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--key", default=os.environ.get("DECKPOLL_KEY") or secrets.token_urlsafe(24)
    )
    parser.add_argument(
        "--origin", action="append", default=[], help="a deck origin allowed by CORS"
    )
    args = parser.parse_args()
    app = create_app(args.folder, args.key, args.origin)
    base = f"http://{args.host}:{args.port}"
    print(f"Presenter: {base}/?key={args.key}\nAudience:  {base}/join", flush=True)
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=1
    )


if __name__ == "__main__":
    main()
