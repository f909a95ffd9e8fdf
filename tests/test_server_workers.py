"""`serve(..., workers=N)`: N processes on one port, one Redis deck, kill -9 of a worker."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from deckpoll.errors import DeckpollError
from deckpoll.server.run import serve
from server_fixtures import minted, redis_url, sse_events  # noqa: F401 - a fixture

DECK_YAML = "title: Workers\nlang: en\nslides: [s.md]\npolls:\n  auto_open: false\n"
SLIDES = "# Hi\n\n---\n\n```poll\nid: q\nkind: single\nquestion: Yes?\noptions: [Yes, No]\n```\n"
SRC = str(Path(__file__).parents[1] / "src")


def write_deck(folder: Path) -> Path:
    deck = folder / f"workers{time.monotonic_ns()}"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    (deck / "s.md").write_text(SLIDES)
    return deck


@pytest.mark.parametrize("store", [None, "memory://"])
def test_more_workers_than_one_need_a_shared_store(tmp_path, store):
    with pytest.raises(DeckpollError, match=r"--store redis://"):
        serve(write_deck(tmp_path), port=0, store_url=store, workers=2)


def test_the_cli_refuses_workers_on_sqlite_with_a_hint(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "deckpoll", "serve", str(write_deck(tmp_path))]
        + ["--port", "0", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": SRC},
    )
    assert proc.returncode != 0
    assert "--store redis://" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_workers_must_be_at_least_one(tmp_path):
    with pytest.raises(DeckpollError, match="at least 1"):
        serve(write_deck(tmp_path), port=0, workers=0)


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return sorted(found)


def connection_owners(port: int) -> set[int]:
    """Pids of the processes holding established connections on `port` (from `ss`)."""
    if shutil.which("ss") is None:
        pytest.skip("ss (iproute2) is needed to see which worker holds a connection")
    out = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout
    return {int(pid) for pid in re.findall(r"pid=(\d+)", out)}


def test_two_workers_share_one_redis_deck_and_survive_kill_9(tmp_path, redis_url):  # noqa: F811
    from deckpoll.build import compile_deck
    from deckpoll.stores.base import open_store

    deck = write_deck(tmp_path)
    code = (
        "import sys; from pathlib import Path; from deckpoll.server.run import serve; "
        "serve(Path(sys.argv[1]), port=0, store_url=sys.argv[2], workers=2)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(deck), redis_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
    )
    phones = []
    try:
        text = ""
        while "Workers:" not in text:
            line = proc.stdout.readline()
            assert line, text
            text += line
        found = re.search(r"Presenter: (http://127\.0\.0\.1:(\d+))/\?key=(\S+)", text)
        assert found, text
        base, port, key = found.group(1), int(found.group(2)), found.group(3)
        auth = {"Authorization": f"Bearer {key}"}
        deadline = time.monotonic() + 15
        while len(children(proc.pid)) < 2 or not _up(base):
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
        workers = children(proc.pid)
        assert len(workers) == 2
        assert httpx.post(f"{base}/api/v1/polls/q/open", headers=auth, timeout=5).is_success

        # phones until both workers hold some: each new connection goes to whichever worker
        # accepts it first
        deadline = time.monotonic() + 15
        while len(phones) < 12 or not set(workers) <= connection_owners(port):
            assert time.monotonic() < deadline, "the connections never reached both workers"
            phone = socket.create_connection(("127.0.0.1", port))
            phone.sendall(b"GET /api/v1/events?client=join HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            phones.append(phone)
            time.sleep(0.03)

        seen: dict[str, int] = {}
        stop = threading.Event()

        def follow() -> None:
            """The presenter's stream, reconnecting when its worker dies."""
            while not stop.is_set():
                try:
                    with httpx.stream(
                        "GET", f"{base}/api/v1/events", headers=auth, timeout=httpx.Timeout(5.0)
                    ) as r:
                        for event, data in sse_events(r.iter_lines()):
                            if event == "snapshot":
                                seen["voters"] = data["results"]["q"]["voters"]
                                seen["audience"] = data["audience"]
                            elif event == "results":
                                seen["voters"] = data["voters"]
                            elif event == "presence":
                                seen["audience"] = data["audience"]
                            if stop.is_set():
                                return
                except httpx.HTTPError:
                    time.sleep(0.2)

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()

        tokens = [minted(base) for _ in range(240)]  # phones get theirs from the server

        def answer(n: int) -> int:
            try:
                r = httpx.post(
                    f"{base}/api/v1/polls/q/answers",
                    json={"choice": "yes" if n % 2 else "no"},
                    headers={"X-Deckpoll-Voter": tokens[n]},
                    timeout=5,
                )
                return r.status_code
            except httpx.HTTPError:
                return 0

        with ThreadPoolExecutor(4) as pool:
            first = list(pool.map(answer, range(40)))
        assert first == [200] * 40
        _wait(lambda: seen.get("voters") == 40, "the presenter saw every answer")
        _wait(lambda: seen.get("audience") == len(phones), "the presenter counted every phone")

        # kill -9 one worker while answers are coming in
        with ThreadPoolExecutor(4) as pool:
            later = pool.map(answer, range(40, 240))
            time.sleep(0.3)
            os.kill(workers[0], signal.SIGKILL)
            statuses = list(later)
        acked = 40 + statuses.count(200)
        assert statuses.count(200) > 100
        assert all(s in (200, 0) for s in statuses), statuses  # never an error status
        store = open_store(redis_url, namespace=str(compile_deck(deck).manifest["id"]))
        stored = asyncio.run(store.answers("q"))
        asyncio.run(store.close())
        voters = {a.voter for a in stored}
        for n, status in enumerate(statuses, start=40):
            if status == 200:
                assert tokens[n] in voters
        assert len(stored) >= acked
        _wait(lambda: seen.get("voters") == len(stored), "the presenter converged")
        # the parent started another worker in place of the killed one
        _wait(lambda: len(children(proc.pid)) == 2, "a new worker")
        stop.set()
    finally:
        for phone in phones:
            phone.close()
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        rest = proc.stdout.read()
        proc.stdout.close()
    assert proc.returncode == 0, rest
    assert "Traceback" not in rest, rest
    assert re.search(r"worker \d+ ended \(-9\); starting another", rest), rest


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/deck", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait(check, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
