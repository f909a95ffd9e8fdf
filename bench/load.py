"""Load levels L1-L3 against `deckpoll serve`: ack latency, presenter updates, fan-out, RSS.

Generates a deck with three polls, starts `deckpoll serve` on 127.0.0.1 (one worker, a
SQLite store in a temporary folder), opens each poll with the printed presenter key, and:

- L1: 500 audience event streams, 500 answers paced over 2 s;
- L2: 2,000 streams, 2,000 answers over 5 s;
- L3: 5,000 idle streams, one answer, its results push timed on every stream.

Answers come from wrk (bench/load_answers.lua: one new voter token per request, signed
by bench/voter_tokens.py with a secret put in the store before the server starts). Audience
streams are held by a child process (raw asyncio sockets); this process reads the
presenter's stream and sends probe answers (an option nobody else picks), so the presenter
latency is exact: from a probe's 200 to the first presenter `results` event counting it.
Lost answers: 200s counted by the clients minus answers in `deckpoll results --format json`.
Everything is loopback-only, bounded and stops by itself. Prints figures; asserts nothing.

Usage: python bench/load.py [--levels L1,L2,L3] [--scale 1.0] [--stream-scale 1.0] [--store URL]
                            [--workers N]
`--levels OUTAGE [--workers N] [--outage 10]`: a redis-server of its own, killed (-9) for
10 s while one answer at a time keeps coming; prints the statuses during the outage, how
long after Redis is back the first answer succeeds and the presenter shows every
acknowledged answer, and answers lost.
(`--stream-scale 0` runs L1/L2 without audience streams: the cost of the fan-out itself;
`--workers 2 --store redis://127.0.0.1:6379/0` runs two worker processes on one Redis deck,
RSS and CPU then summed over the parent and its workers.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import voter_tokens

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "load_answers.lua"
HOST = "127.0.0.1"
CONNECT_CONCURRENCY = 200  # streams opened at once by the stream holder
MARK = b"event: results"
DECK_ID = ""  # the deck being measured (its voter tokens are signed for it)


# -- the deck -----------------------------------------------------------------------------

DECK_YAML = """\
title: Load test
lang: en
slides: [slides.md]
polls:
  code: "424242"
  auto_open: false
"""


def poll_slide(pid: str) -> str:
    return (
        f"# Poll {pid}\n\n```poll\nid: {pid}\nkind: single\nquestion: Which one ({pid})?\n"
        "options:\n  - {id: a, label: A}\n  - {id: b, label: B}\n"
        "  - {id: probe, label: Probe}\n```\n"
    )


def write_deck(folder: Path) -> Path:
    deck = folder / f"load-{int(time.time())}"  # the deck id: runs stay apart in a shared store
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    slides = ["# Load test\n\nStart."] + [poll_slide(p) for p in ("l1", "l2", "l3")]
    (deck / "slides.md").write_text("\n---\n\n".join(slides))
    return deck


# -- the server ---------------------------------------------------------------------------


class Server:
    """`deckpoll serve` in a subprocess; its presenter key and port read from its output."""

    def __init__(self, deck: Path, store_url: str, log: Path, workers: int = 1) -> None:
        global DECK_ID
        DECK_ID = deck.name  # write_deck names the folder as a slug: the deck id
        voter_tokens.seed(store_url, DECK_ID)  # so that the bench signs its own voter tokens
        self.log = log.open("wb")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "deckpoll", "serve", str(deck), "--port", "0"]
        command += ["--store", store_url, "--workers", str(workers)]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, env=env)
        deadline = time.monotonic() + 60
        self.key = self.base = ""
        assert self.proc.stdout is not None
        while not self.key:
            line = self.proc.stdout.readline().decode()
            if not line or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"deckpoll serve did not start (see {log})")
            found = re.search(r"Presenter: (http://[^/]+)/\?key=(\S+)", line)
            if found:
                self.base, self.key = found.group(1), found.group(2)
        self.port = int(self.base.rsplit(":", 1)[1])

    def pids(self) -> list[int]:
        """The server process and its workers (if any)."""
        found = [self.proc.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.append(int(entry.name))
        return found

    def rss_kb(self) -> int:
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total

    def cpu_seconds(self) -> float:
        """User + system CPU time the server (all its processes) has used so far."""
        total = 0.0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()


# -- the stream holder (child process) ----------------------------------------------------


async def hold_streams(port: int, count: int) -> None:
    """Open `count` audience streams, say READY, record results arrivals until STOP."""
    got: list[list[float]] = [[] for _ in range(count)]
    sizes = [0] * count
    ended = [False] * count
    ready = [asyncio.Event() for _ in range(count)]
    failed = 0
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(n: int) -> None:
        nonlocal failed
        try:
            async with gate:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 30)
                writer.write(
                    b"GET /api/v1/events?client=join HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Accept: text/event-stream\r\n\r\n"
                )
                first = await asyncio.wait_for(reader.readuntil(b"event: snapshot"), 30)
                sizes[n] += len(first)
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            failed += 1
            ended[n] = True
            ready[n].set()
            return
        ready[n].set()
        tail = b""
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    ended[n] = True
                    break
                now = time.monotonic()
                sizes[n] += len(chunk)
                window = tail + chunk
                got[n].extend([now] * window.count(MARK))
                tail = window[-(len(MARK) - 1) :]
        except (OSError, asyncio.CancelledError):
            ended[n] = True
        finally:
            writer.close()

    tasks = [asyncio.create_task(one(n)) for n in range(count)]
    for event in ready:
        await event.wait()
    print(f"READY {count - failed} {failed}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # STOP
    dropped = sum(ended) - failed
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps({"failed": failed, "dropped": dropped, "bytes": sizes, "results": got}))


class Streams:
    """The stream holder, seen from the parent."""

    def __init__(self, port: int, count: int) -> None:
        self.count = count
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--hold-streams", str(port), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "READY":
            self.proc.kill()
            raise SystemExit("the stream holder did not start")
        self.connected, self.failed = int(line[1]), int(line[2])

    def stop(self) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("STOP\n")
        self.proc.stdin.flush()
        out = self.proc.stdout.read()
        self.proc.wait(timeout=30)
        return json.loads(out)


# -- the presenter's stream and probe answers ---------------------------------------------


class Presenter:
    """Reads the presenter's event stream: arrival time and probe count of each results push."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {key}"}
        self.pushes: list[tuple[float, str, int, int]] = []  # (time, poll, probes, answers)
        self.connected = asyncio.Event()

    async def read(self) -> None:
        timeout = httpx.Timeout(10, read=None)
        async with httpx.AsyncClient(base_url=self.base, timeout=timeout) as client:
            url = "/api/v1/events?client=deck"
            async with client.stream("GET", url, headers=self.headers) as response:
                event = ""
                async for line in response.aiter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                        if event == "snapshot":
                            self.connected.set()
                    elif line.startswith("data:") and event == "results":
                        data = json.loads(line[5:])
                        probes = next(o["count"] for o in data["options"] if o["id"] == "probe")
                        self.pushes.append((time.monotonic(), data["id"], probes, data["answers"]))

    def first_push(self, poll: str, probes: int) -> float | None:
        for at, pid, count, _ in self.pushes:
            if pid == poll and count >= probes:
                return at
        return None


async def probe_answers(
    client: httpx.AsyncClient, poll: str, count: int, seconds: float, tag: str
) -> list[tuple[float, int]]:
    """Send `count` probe answers spread over `seconds`, one at a time: (ack time, status)."""
    acks = []
    for n in range(count):
        started = time.monotonic()
        response = await client.post(
            f"/api/v1/polls/{poll}/answers",
            json={"choice": "probe"},
            headers={"X-Deckpoll-Voter": voter_tokens.token(DECK_ID, f"p{tag}{n:06d}")},
        )
        acks.append((time.monotonic(), response.status_code))
        await asyncio.sleep(max(0.0, seconds / count - (time.monotonic() - started)))
    return acks


async def run_wrk(base: str, poll: str, answers: int, seconds: float, tag: str) -> dict:
    threads = 2
    connections = max(threads, min(100, answers // 10))
    connections -= connections % threads
    interval_ms = int(1000 * connections / (answers / seconds))
    voters = voter_tokens.token_file(
        Path(tempfile.gettempdir()) / f"deckpoll-bench-{os.getpid()}-{tag}.txt",
        DECK_ID,
        f"w{tag}",
        2 * answers + 4 * connections,
    )
    proc = await asyncio.create_subprocess_exec(
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{int(seconds + 3)}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        base,
        "--",
        poll,
        str(answers // threads),
        str(interval_ms),
        tag,
        str(voters),
        str(threads),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), seconds + 60)
    voters.unlink(missing_ok=True)
    line = next((x for x in out.decode().splitlines() if x.startswith("WRKLOAD ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary: {out.decode()} {err.decode()}")
    fields = list(map(int, line.split()[1:]))
    names = "requests duration ok s4 s5 other sock_errors p50 p90 p99 max mean".split()
    return {**dict(zip(names, fields, strict=True)), "connections": connections}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# -- the levels ---------------------------------------------------------------------------


async def answer_level(
    server: Server,
    presenter: Presenter,
    name: str,
    poll: str,
    streams: int,
    answers: int,
    seconds: float,
) -> dict[str, Any]:
    rss_before = server.rss_kb()
    holder = await asyncio.to_thread(Streams, server.port, streams)
    rss_streams = server.rss_kb()
    probes = max(5, int(seconds * 5))
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:
        opened = await client.post(f"/api/v1/polls/{poll}/open", headers=presenter.headers)
        opened.raise_for_status()
        await asyncio.sleep(0.5)
        cpu, started = server.cpu_seconds(), time.monotonic()
        wrk, acks = await asyncio.gather(
            run_wrk(server.base, poll, answers, seconds, name.lower()),
            probe_answers(client, poll, probes, seconds, name.lower()),
        )
        cpu_share = (server.cpu_seconds() - cpu) / (time.monotonic() - started)
        await asyncio.sleep(1.5)  # the last coalesced push
        rss_peak = server.rss_kb()
        await client.post(f"/api/v1/polls/{poll}/close", headers=presenter.headers)
    summary = await asyncio.to_thread(holder.stop)
    delays = []
    for k, (acked, status) in enumerate(acks, start=1):
        seen = presenter.first_push(poll, k) if status == 200 else None
        if seen is not None:
            delays.append(max(0.0, seen - acked))
    probe_ok = sum(1 for _, status in acks if status == 200)
    return {
        "level": name,
        "poll": poll,
        "streams": streams,
        "streams_connected": holder.connected,
        "streams_failed": summary["failed"],
        "streams_dropped": summary["dropped"],
        "answers_planned": answers,
        "seconds": seconds,
        "wrk": wrk,
        "acked": wrk["ok"] + probe_ok,
        "probe_status": sorted({status for _, status in acks}),
        "probe_seen": len(delays),
        "probes": len(acks),
        "presenter_p50": pct(delays, 0.5),
        "presenter_p99": pct(delays, 0.99),
        "presenter_max": max(delays) if delays else float("nan"),
        "rss_before_kb": rss_before,
        "rss_streams_kb": rss_streams,
        "rss_peak_kb": rss_peak,
        "cpu_share": cpu_share,
        "bytes_per_stream": sum(summary["bytes"]) / max(1, streams),
    }


async def fanout_level(server: Server, presenter: Presenter, streams: int) -> dict[str, Any]:
    poll = "l3"
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:
        (
            await client.post(f"/api/v1/polls/{poll}/open", headers=presenter.headers)
        ).raise_for_status()
        rss_before = server.rss_kb()
        holder = await asyncio.to_thread(Streams, server.port, streams)
        await asyncio.sleep(2.0)  # presence pushes settle; the streams are idle
        rss_streams = server.rss_kb()
        sent = time.monotonic()
        response = await client.post(
            f"/api/v1/polls/{poll}/answers",
            json={"choice": "probe"},
            headers={"X-Deckpoll-Voter": voter_tokens.token(DECK_ID, "probe-l3")},
        )
        acked = time.monotonic()
        await asyncio.sleep(3.0)
        await client.post(f"/api/v1/polls/{poll}/close", headers=presenter.headers)
    summary = await asyncio.to_thread(holder.stop)
    delays = []
    missing = 0
    for arrivals in summary["results"]:
        after = [t for t in arrivals if t >= sent]
        if after:
            delays.append(max(0.0, after[0] - acked))
        else:
            missing += 1
    return {
        "level": "L3",
        "poll": poll,
        "streams": streams,
        "streams_connected": holder.connected,
        "streams_failed": summary["failed"],
        "streams_dropped": summary["dropped"],
        "status": response.status_code,
        "acked": int(response.status_code == 200),
        "reached": len(delays),
        "missing": missing,
        "fanout_p50": pct(delays, 0.5),
        "fanout_p99": pct(delays, 0.99),
        "fanout_max": max(delays) if delays else float("nan"),
        "rss_before_kb": rss_before,
        "rss_streams_kb": rss_streams,
        "rss_per_stream_kb": (rss_streams - rss_before) / max(1, holder.connected),
        "bytes_per_stream": sum(summary["bytes"]) / max(1, streams),
    }


def stored_answers(deck: Path, store_url: str) -> dict[str, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-m", "deckpoll", "results", str(deck), "--format", "json"]
        + ["--store", store_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    return {p["id"]: len(p["answers"]) for p in json.loads(out)["polls"]}


def report(results: list[dict[str, Any]], stored: dict[str, int], log: str) -> None:
    targets = {"L1": (200, None), "L2": (300, 1500)}
    for r in results:
        lost = max(0, r["acked"] - stored.get(r["poll"], 0))
        stream_line = (
            f"  streams: {r['streams_connected']}/{r['streams']} connected, "
            f"{r['streams_dropped']} dropped, {r['bytes_per_stream'] / 1024:.1f} KB received each"
        )
        if r["level"] == "L3":
            print(f"L3: {r['streams']} idle streams, one results push")
            print(stream_line)
            print(
                f"  fan-out after the ack: p50 {r['fanout_p50'] * 1000:.0f} ms, "
                f"p99 {r['fanout_p99'] * 1000:.0f} ms, max {r['fanout_max'] * 1000:.0f} ms "
                f"(reached {r['reached']}, missing {r['missing']}; target p99 <= 500 ms)"
            )
            print(
                f"  server RSS: {r['rss_before_kb'] / 1024:.0f} MB -> "
                f"{r['rss_streams_kb'] / 1024:.0f} MB with the streams = "
                f"{r['rss_per_stream_kb']:.1f} KB per stream (target <= 64 KB)"
            )
            print(f"  answer status {r['status']}; answers lost: {lost}")
            continue
        w = r["wrk"]
        p99_target, presenter_target = targets[r["level"]]
        rate = w["ok"] / r["seconds"]
        print(
            f"{r['level']}: {r['streams']} streams + {r['answers_planned']} answers paced over "
            f"{r['seconds']:.0f} s ({w['connections']} wrk connections, ~{rate:.0f} answers/s)"
        )
        print(stream_line)
        print(
            f"  ack latency: p50 {w['p50'] / 1000:.1f} ms, p90 {w['p90'] / 1000:.1f} ms, "
            f"p99 {w['p99'] / 1000:.1f} ms, max {w['max'] / 1000:.1f} ms "
            f"(target p99 <= {p99_target} ms)"
        )
        target = f"; target <= {presenter_target} ms" if presenter_target else ""
        print(
            f"  presenter update (probe 200 -> presenter results push counting it): "
            f"p50 {r['presenter_p50'] * 1000:.0f} ms, p99 {r['presenter_p99'] * 1000:.0f} ms, "
            f"max {r['presenter_max'] * 1000:.0f} ms ({r['probe_seen']}/{r['probes']} probes "
            f"seen{target})"
        )
        print(
            f"  status: {w['ok']} x 200, {w['s4']} x 4xx, {w['s5']} x 5xx, "
            f"{w['sock_errors']} socket errors; probes {r['probe_status']}"
        )
        print(
            f"  answers: {r['acked']} acknowledged, {stored.get(r['poll'], 0)} in the export, "
            f"lost {lost}"
        )
        print(
            f"  server RSS: {r['rss_before_kb'] / 1024:.0f} MB before, "
            f"{r['rss_streams_kb'] / 1024:.0f} MB with streams, {r['rss_peak_kb'] / 1024:.0f} MB "
            f"after the answers; server CPU {r['cpu_share'] * 100:.0f}% of one core "
            "while answering"
        )
    print(f"server errors logged: {log}")


async def main_async(
    levels: list[str],
    scale: float,
    stream_scale: float,
    store: str | None,
    tmp: Path,
    workers: int = 1,
) -> None:
    deck = write_deck(tmp)
    store_url = store or f"sqlite:///{tmp / 'answers.sqlite3'}"
    server = Server(deck, store_url, tmp / "server.log", workers)
    results = []
    try:
        presenter = Presenter(server.base, server.key)
        reader = asyncio.create_task(presenter.read())
        await asyncio.wait_for(presenter.connected.wait(), 10)
        plan = {
            "L1": ("l1", int(500 * scale * stream_scale), int(500 * scale), 2.0),
            "L2": ("l2", int(2000 * scale * stream_scale), int(2000 * scale), 5.0),
        }
        for level in levels:
            if level in plan:
                poll, streams, answers, seconds = plan[level]
                results.append(
                    await answer_level(server, presenter, level, poll, streams, answers, seconds)
                )
            elif level == "L3":
                results.append(await fanout_level(server, presenter, int(5000 * scale)))
            print(f"... {level} done", file=sys.stderr, flush=True)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    finally:
        server.stop()
    log = (tmp / "server.log").read_text(errors="replace")
    errors = sum(1 for line in log.splitlines() if "Traceback" in line or "ERROR" in line)
    report(results, stored_answers(deck, store_url), f"{errors} error lines")


class RedisProcess:
    """A redis-server of the benchmark's own: append-only, fsync at every write."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(exist_ok=True)
        self.folder = folder
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://{HOST}:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", ""]
            + ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.up():
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.02)

    def up(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


async def outage(tmp: Path, workers: int, seconds: float) -> None:
    """Redis killed for `seconds` under a running server; one answer at a time meanwhile."""
    redis = RedisProcess(tmp / "redis")
    redis.start()
    deck = write_deck(tmp)
    server = Server(deck, redis.url, tmp / "server.log", workers)
    acks: list[tuple[float, int]] = []
    try:
        presenter = Presenter(server.base, server.key)
        reader = asyncio.create_task(presenter.read())
        await asyncio.wait_for(presenter.connected.wait(), 10)
        async with httpx.AsyncClient(base_url=server.base, timeout=3) as client:
            opened = await client.post("/api/v1/polls/l1/open", headers=presenter.headers)
            opened.raise_for_status()
            stop = asyncio.Event()

            async def answers() -> None:
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        response = await client.post(
                            "/api/v1/polls/l1/answers",
                            json={"choice": "probe"},
                            headers={
                                "X-Deckpoll-Voter": voter_tokens.token(DECK_ID, f"out{n:08d}")
                            },
                        )
                        status = response.status_code
                    except httpx.HTTPError:
                        status = 0
                    acks.append((time.monotonic(), status))
                    await asyncio.sleep(0.03)

            sender = asyncio.create_task(answers())
            await asyncio.sleep(2.0)
            await asyncio.to_thread(redis.kill)
            down = time.monotonic()  # from here on, nothing can be committed
            await asyncio.sleep(seconds)
            await asyncio.to_thread(redis.start)
            up = time.monotonic()
            await asyncio.sleep(5.0)
            stop.set()
            await sender
            await asyncio.sleep(1.0)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    finally:
        server.stop()
    stored = stored_answers(deck, redis.url).get("l1", 0)
    redis.kill()
    during = [status for at, status in acks if down <= at < up]
    acked = sum(1 for _, status in acks if status == 200)
    ok_after = [(k, at) for k, (at, status) in enumerate(acks) if status == 200 and at >= up]
    print(f"OUTAGE: Redis killed for {seconds:.0f} s under {workers} worker(s); answers one by one")
    print(
        f"  answers during the outage: {during.count(503)} x 503, {during.count(200)} x 200, "
        f"{len(during) - during.count(503) - during.count(200)} other"
    )
    if ok_after:
        k, first_ok = ok_after[0]
        counted = sum(1 for _, status in acks[: k + 1] if status == 200)
        seen = presenter.first_push("l1", counted)
        converged = f"{(seen - up) * 1000:.0f} ms" if seen is not None else "never"
        print(
            f"  after Redis was back: first 200 +{(first_ok - up) * 1000:.0f} ms; presenter "
            f"showing every acknowledged answer (target <= 2000 ms): +{converged}"
        )
    else:
        print("  after Redis was back: no answer succeeded")
    print(f"  answers: {acked} acknowledged, {stored} stored, lost {max(0, acked - stored)}")
    log = (tmp / "server.log").read_text(errors="replace")
    errors = sum(1 for line in log.splitlines() if "Traceback" in line or "ERROR" in line)
    print(f"server errors logged: {errors} error lines")


def raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < wanted:
        print(f"warning: only {target} file descriptors allowed", file=sys.stderr)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--hold-streams":
        asyncio.run(hold_streams(int(sys.argv[2]), int(sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="L1,L2,L3", help="comma-separated: L1,L2,L3")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply streams and answers")
    parser.add_argument(
        "--store", default=None, help="store URL (default: SQLite in a temporary folder)"
    )
    parser.add_argument(
        "--stream-scale", type=float, default=1.0, help="multiply the streams of L1 and L2 only"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server worker processes (needs a redis:// store)"
    )
    parser.add_argument(
        "--outage", type=float, default=10.0, help="seconds Redis stays down (level OUTAGE)"
    )
    args = parser.parse_args()
    if args.levels.strip().upper() == "OUTAGE":
        if not shutil.which("redis-server"):
            raise SystemExit("redis-server is not installed")
        with tempfile.TemporaryDirectory(prefix="deckpoll-outage-") as tmp:
            asyncio.run(outage(Path(tmp), args.workers, args.outage))
        return
    if args.workers > 1 and not (args.store or "").startswith("redis"):
        raise SystemExit("--workers above 1 needs --store redis://host:port/db")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    levels = [x.strip().upper() for x in args.levels.split(",") if x.strip()]
    raise_fd_limit(int(12_000 * max(1.0, args.scale)))  # inherited by server and stream holder
    with tempfile.TemporaryDirectory(prefix="deckpoll-load-") as tmp:
        asyncio.run(
            main_async(levels, args.scale, args.stream_scale, args.store, Path(tmp), args.workers)
        )


if __name__ == "__main__":
    main()
