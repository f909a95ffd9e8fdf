"""Answer throughput against a plain reference, turn by turn in one run; SSE fan-out.

deckpoll (a real server subprocess on 127.0.0.1, run as `deckpoll serve` runs one worker;
the SQLite store in a temporary folder, and the Redis store when a URL is given) and
bench/reference_app.py (Starlette + SQLite, one row per answer, the same WAL settings) take
turns, a fresh server each turn; wrk drives the answer route with a new voter per request
(every request commits an answer) at 50 and 500 connections. Prints answers/s with the
ratio to the reference, p99, errors and the server's CPU per answer; then times one result
push reaching 500 idle event streams.
Prints figures; asserts nothing. Usage: python bench/polls.py [seconds] [rounds] [redis://…]
"""

from __future__ import annotations

import asyncio
import gzip
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
from deckpoll.server.app import create_app
from deckpoll.server.limits import Connections, capacity, raise_open_files
from deckpoll.server.run import run_server
from deckpoll.stores.base import open_store
fd, url, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
poll = {"id": "p", "slide": 1, "kind": "single", "question": "?", "results": "live",
        "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}], "auto_open": True}
data = {"deckpoll": 1, "id": "bench", "title": "Bench", "lang": "en", "hash": "sha256:bench",
        "polls_config": {"code": "123456"}, "polls": [poll],
        "slides": [{"index": 1, "id": "s1", "title": "?", "text": "?", "poll": "p"}]}
compiled = SimpleNamespace(html="<!doctype html>", manifest=data, assets={})
app = create_app(compiled, open_store(url, namespace="bench"), presenter_key=key)
# as `deckpoll serve` runs one worker: its protocol, limits and collector settings
run_server(app, socket.socket(fileno=fd), Connections(capacity(raise_open_files())))
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


def start(program: list[str], argv: list[str]) -> tuple[subprocess.Popen, str]:
    """Run a server (`program`, then the listening socket's fd, then `argv`) and wait until
    it accepts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, *program, str(sock.fileno()), *argv],
        pass_fds=[sock.fileno()],
        env=env,
    )
    sock.close()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.post(base + "/api/v1/polls/p/answers", content=b"{}", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def deckpoll(url: str) -> tuple[subprocess.Popen, str]:
    voter_tokens.seed(url, "bench")  # the server keeps it: the bench signs its tokens
    proc, base = start(["-c", SERVER], [url, KEY])
    httpx.post(base + "/api/v1/polls/p/open", headers={"Authorization": f"Bearer {KEY}"})
    return proc, base


def reference(path: str) -> tuple[subprocess.Popen, str]:
    return start([str(ROOT / "bench" / "reference_app.py")], [path])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(
    proc: subprocess.Popen, base: str, script: Path, voters: Path, connections: int, seconds: int
):
    """wrk against the answer route (a new signed voter per request, read from the file
    `voters`): answers/s, p99 ms, errors, CPU ms per answer."""
    before = cpu_seconds(proc.pid)
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
    cpu = cpu_seconds(proc.pid) - before
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    req, dur, sock_err, status_err, p50, p90, p99, pmax = map(int, line.split()[1:])
    return {
        "rate": req / (dur / 1e6),
        "p99": p99 / 1000,
        "errors": sock_err,
        "non2xx": status_err,
        "cpu_ms": 1000 * cpu / max(1, req),
        "requests": req,
    }


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


def compare(seconds: int, rounds: int, redis_url: str | None) -> None:
    """deckpoll (SQLite, and Redis if given) and the reference app, turn by turn in one run
    (a fresh server each turn), at 50 and 500 connections; prints medians and ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "answers.lua"
        script.write_text(LUA)

        # fresh voters for each turn and level (a repeated voter and choice stores nothing)
        def voters(n: int, c: int) -> Path:
            path = Path(tmp) / f"v{n}-{c}.txt"
            if not path.exists():
                voter_tokens.token_file(path, "bench", f"r{n}c{c}x", 60_000 * seconds)
            return path

        targets = {
            "deckpoll sqlite": lambda n: deckpoll(f"sqlite:///{Path(tmp) / f'd{n}.sqlite3'}"),
            "reference": lambda n: reference(str(Path(tmp) / f"r{n}.sqlite3")),
        }
        if redis_url:
            targets["deckpoll redis"] = lambda n: deckpoll(redis_url)
        runs: dict[tuple[str, int], list[dict]] = {}
        for n in range(rounds):
            for name, make in targets.items():
                proc, base = make(n)
                try:
                    for connections in (50, 500):
                        runs.setdefault((name, connections), []).append(
                            drive(proc, base, script, voters(n, connections), connections, seconds)
                        )
                finally:
                    os.kill(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=10)
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    for connections in (50, 500):
        ref = median([r["rate"] for r in runs[("reference", connections)]])
        for name in targets:
            rs = runs[(name, connections)]
            rate = median([r["rate"] for r in rs])
            print(
                f"{connections:3d} conn  {name:16s} {rate:7.0f} answers/s "
                f"({rate / ref:4.2f}x ref)  p99 {median([r['p99'] for r in rs]):6.1f} ms  "
                f"CPU {median([r['cpu_ms'] for r in rs]):.3f} ms/answer  "
                f"timeouts+socket errors {sum(r['errors'] for r in rs)}  "
                f"non-2xx {sum(r['non2xx'] for r in rs)}"
            )
            if any(r["non2xx"] for r in rs):  # refusals are cheap: the figures mean nothing
                print(f"  ! {name}: refused requests (voter tokens out of date?); not comparable")


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    redis_url = sys.argv[3] if len(sys.argv) > 3 else None
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    # the machine's load next to the figures: on a shared machine only the ratios compare
    print("load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    compare(seconds, rounds, redis_url)
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    streams = 500
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = deckpoll(f"sqlite:///{Path(tmp) / 'answers.sqlite3'}")
        try:
            join = httpx.get(base + "/join", timeout=5).content
            fan = asyncio.run(fanout(base, streams))
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
    pct = lambda q: fan[min(len(fan) - 1, int(q * len(fan)))] * 1000  # noqa: E731
    print(
        f"fan-out to {streams} idle streams (3 pushes): p50 {pct(0.5):.0f} ms, "
        f"p99 {pct(0.99):.0f} ms, max {fan[-1] * 1000:.0f} ms after the ack"
    )
    print(f"phone page: {len(join)} bytes, {len(gzip.compress(join))} bytes gzipped")


if __name__ == "__main__":
    main()
