"""Load figures for the poll backend: answers/s and ack latency with wrk, SSE fan-out, page size.

Runs a real `uvicorn` subprocess on 127.0.0.1 (SQLite store in a temporary folder), opens
one poll, and drives it with wrk (one new voter per request, so every request commits an
answer), then opens many idle event streams and times one result push reaching all of them.
Prints figures; asserts nothing. Usage: python bench/polls.py [seconds] [connections] [streams]
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import voter_tokens

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-presenter-key-0123456789"

SERVER = r"""
import json, socket, sys
from types import SimpleNamespace
import uvicorn
from deckpoll.server.app import create_app
from deckpoll.stores.base import open_store
fd, url, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
poll = {"id": "p", "slide": 1, "kind": "single", "question": "?", "results": "live",
        "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}], "auto_open": True}
data = {"deckpoll": 1, "id": "bench", "title": "Bench", "lang": "en", "hash": "sha256:bench",
        "polls_config": {"code": "123456"}, "polls": [poll],
        "slides": [{"index": 1, "id": "s1", "title": "?", "text": "?", "poll": "p"}]}
compiled = SimpleNamespace(html="<!doctype html>", manifest=data, assets={})
app = create_app(compiled, open_store(url, namespace="bench"), presenter_key=key)
uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                              timeout_graceful_shutdown=1)).run(sockets=[socket.socket(fileno=fd)])
"""

LUA = r"""
local counter, thread_id = 0, 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
local voters = {}
function init(args)
  thread_id = id
  for line in io.lines(args[1]) do voters[#voters + 1] = line end
end
request = function()
  counter = counter + 1
  -- a new voter per request (tokens signed by bench/voter_tokens.py), threads interleaved
  local voter = voters[(2 * (counter - 1) + thread_id - 1) % #voters + 1]
  local body = (counter % 2 == 0) and '{"choice":"a"}' or '{"choice":"b"}'
  return wrk.format("POST", "/api/v1/polls/p/answers",
    {["Content-Type"] = "application/json", ["X-Deckpoll-Voter"] = voter}, body)
end
function done(summary, latency, requests)
  local s = summary
  io.write(string.format("WRK %d %d %d %d %d %d %d %d\n", s.requests, s.duration,
    s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout, s.errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def start(url: str) -> tuple[subprocess.Popen, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(sock.fileno()), url, KEY],
        pass_fds=[sock.fileno()],
        env=env,
    )
    sock.close()
    for _ in range(200):
        try:
            httpx.get(base + "/api/v1/deck", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


async def fanout(base: str, streams: int, rounds: int = 3) -> list[float]:
    """Seconds from an answer's ack until each of `streams` clients has the results event."""
    host, port = base.removeprefix("http://").split(":")
    conns = []
    for _ in range(streams):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET /api/v1/events?client=join HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        conns.append((reader, writer))
    for reader, _ in conns:
        await reader.readuntil(b"event: snapshot")

    async def drain(reader: asyncio.StreamReader) -> None:
        while True:
            try:
                await asyncio.wait_for(reader.read(65536), 0.3)
            except TimeoutError:
                return

    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base) as client:
        for n in range(rounds):
            await asyncio.gather(*(drain(r) for r, _ in conns))
            r = await client.post(
                "/api/v1/polls/p/answers",
                json={"choice": "a"},
                headers={"X-Deckpoll-Voter": voter_tokens.token("bench", f"fan{n:08d}")},
            )
            acked = time.perf_counter()
            assert r.status_code == 200, r.text

            async def until_results(reader: asyncio.StreamReader, since: float) -> float:
                await reader.readuntil(b"event: results")
                return time.perf_counter() - since

            latencies += await asyncio.gather(*(until_results(r, acked) for r, _ in conns))
    for _, writer in conns:
        writer.close()
    return sorted(latencies)


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    streams = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'answers.sqlite3'}"
        voter_tokens.seed(url, "bench")  # the server keeps it: the bench signs its tokens
        voters = voter_tokens.token_file(Path(tmp) / "voters.txt", "bench", "w", 400_000)
        proc, base = start(url)
        try:
            httpx.post(base + "/api/v1/polls/p/open", headers={"Authorization": f"Bearer {KEY}"})
            script = Path(tmp) / "answers.lua"
            script.write_text(LUA)
            out = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--timeout",
                    "5s",
                    "-s",
                    str(script),
                    base,
                    "--",
                    str(voters),
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 30,
            ).stdout
            line = next(x for x in out.splitlines() if x.startswith("WRK "))
            req, dur, sock_err, status_err, p50, p90, p99, pmax = map(int, line.split()[1:])
            time.sleep(1.0)  # results are pushed (and cached) at most every 250 ms
            results = httpx.get(base + "/api/v1/polls/p/results", timeout=5).json()
            join = httpx.get(base + "/join", timeout=5).content
            fan = asyncio.run(fanout(base, streams))
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
    print(
        f"answers: {req} in {dur / 1e6:.1f} s with {connections} connections "
        f"= {req / (dur / 1e6):.0f} answers/s (socket errors {sock_err}, non-2xx {status_err})"
    )
    print(
        f"ack latency: p50 {p50 / 1000:.1f} ms, p90 {p90 / 1000:.1f} ms, "
        f"p99 {p99 / 1000:.1f} ms, max {pmax / 1000:.1f} ms"
    )
    print(f"stored and tallied: {results['voters']} voters (wrk counted {req} requests)")
    pct = lambda q: fan[min(len(fan) - 1, int(q * len(fan)))] * 1000  # noqa: E731
    print(
        f"fan-out to {streams} idle streams (3 pushes): p50 {pct(0.5):.0f} ms, "
        f"p99 {pct(0.99):.0f} ms, max {fan[-1] * 1000:.0f} ms after the ack"
    )
    print(f"phone page: {len(join)} bytes, {len(gzip.compress(join))} bytes gzipped")
    print(json.dumps({"answers_per_s": round(req / (dur / 1e6)), "p99_ms": p99 / 1000}))


if __name__ == "__main__":
    main()
