"""kill -9 during writes: every answer acknowledged before the kill is there after restart."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from deckpoll.stores.base import open_store
from server_fixtures import KEY, manifest, signed, with_test_secret

SERVER = r"""
import json, socket, sys
from types import SimpleNamespace
import uvicorn
from deckpoll.server.app import create_app
from deckpoll.stores.base import open_store
fd, url, key, manifest_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
data = json.load(open(manifest_path))
compiled = SimpleNamespace(html="<!doctype html><title>x</title>", manifest=data, assets={})
app = create_app(compiled, open_store(url, namespace=data["id"]), presenter_key=key)
sock = socket.socket(fileno=fd)
uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                              timeout_graceful_shutdown=1)).run(sockets=[sock])
"""


def start_server(tmp_path: Path, url: str) -> tuple[subprocess.Popen, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    manifest_path = tmp_path / "deckpoll.json"
    manifest_path.write_text(json.dumps(manifest()))

    async def seed() -> None:  # the talk's secret, so that the senders sign their own tokens
        store = await with_test_secret(open_store(url, namespace=manifest()["id"]))
        await store.close()

    asyncio.run(seed())
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(sock.fileno()), url, KEY, str(manifest_path)],
        pass_fds=[sock.fileno()],
        env=env,
    )
    sock.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            if httpx.get(f"{base}/api/v1/deck", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            stop(proc)
            raise RuntimeError("the server subprocess did not start")
        time.sleep(0.05)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def write_until_killed(tmp_path: Path, url: str, round_: int, acked: list[int]) -> None:
    """Start a server, send answers from four threads, SIGKILL it mid-stream."""
    proc, base = start_server(tmp_path, url)
    lock = threading.Lock()
    stop_sending = threading.Event()
    try:
        auth = {"Authorization": f"Bearer {KEY}"}
        for poll in ("wall", "lunch"):
            assert httpx.post(f"{base}/api/v1/polls/{poll}/open", headers=auth).status_code == 200

        def sender(worker: int) -> None:
            with httpx.Client(base_url=base, timeout=2) as client:
                n = 0
                while not stop_sending.is_set():
                    n += 1
                    voter = signed(f"r{round_}w{worker}n{n:010d}")
                    poll, body = (
                        ("wall", {"text": f"entry {round_}/{worker}/{n}"})
                        if n % 2
                        else ("lunch", {"choice": "soup"})
                    )
                    try:
                        r = client.post(
                            f"/api/v1/polls/{poll}/answers",
                            json=body,
                            headers={"X-Deckpoll-Voter": voter},
                        )
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 200:
                        with lock:
                            acked.append(r.json()["id"])

        threads = [threading.Thread(target=sender, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.8)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
        stop_sending.set()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        stop_sending.set()
        stop(proc)


def test_acknowledged_answers_survive_kill_9(tmp_path):
    url = f"sqlite:///{tmp_path / 'answers.sqlite3'}"
    acked: list[int] = []
    for round_ in range(3):
        write_until_killed(tmp_path, url, round_, acked)
    assert len(acked) > 60, "too few answers were sent to test anything"

    proc, base = start_server(tmp_path, url)
    try:
        live = httpx.get(f"{base}/api/v1/deck", timeout=5).json()["live"]
        assert live["polls"]["wall"]["status"] == "open"
        store = open_store(url, namespace="test-deck")

        async def stored() -> dict[str, set[int]]:
            ids = {poll: {a.id for a in await store.answers(poll)} for poll in ("wall", "lunch")}
            await store.close()
            return ids

        ids = asyncio.run(stored())
        missing = set(acked) - ids["wall"] - ids["lunch"]
        assert not missing, f"{len(missing)} of {len(acked)} acknowledged answers lost"
        print(
            f"kill -9 x3: {len(acked)} acknowledged, {len(ids['wall']) + len(ids['lunch'])} stored"
        )
        # the restarted server counts them too
        assert live["results"]["lunch"]["voters"] == len(ids["lunch"])
        assert live["results"]["wall"]["answers"] == len(ids["wall"])
    finally:
        stop(proc)
