"""The plain reference for bench/polls.py: Starlette + SQLite storing one row per answer,
with the SQLite store's WAL settings, and nothing else (no validation beyond JSON, no
tally, no events). deckpoll's answer path is measured against this in the same run.

    python bench/reference_app.py FD DB_PATH    (serves on the listening socket FD)
"""

from __future__ import annotations

import json
import socket
import sqlite3
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def make_app(path: str) -> Starlette:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # as the SQLite store: durable on acknowledgement
    db.execute(
        "CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, poll TEXT NOT NULL,"
        " voter TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (poll, voter))"
    )

    async def answer(request: Request) -> JSONResponse:
        voter = request.headers.get("x-deckpoll-voter")
        if not voter:
            return JSONResponse({"error": "missing_voter"}, 400)
        try:
            value = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"error": "bad_json"}, 400)
        db.execute("BEGIN IMMEDIATE")
        cursor = db.execute(
            "INSERT OR REPLACE INTO answers (poll, voter, value) VALUES (?, ?, ?)",
            (request.path_params["poll"], voter, json.dumps(value)),
        )
        db.execute("COMMIT")
        return JSONResponse({"ok": True, "id": cursor.lastrowid})

    return Starlette(routes=[Route("/api/v1/polls/{poll}/answers", answer, methods=["POST"])])


if __name__ == "__main__":
    fd, path = int(sys.argv[1]), sys.argv[2]
    config = uvicorn.Config(make_app(path), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])
