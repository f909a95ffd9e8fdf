"""Restart with connected clients: after a kill -9 and a restart on the same store, every
client that reconnects starts from a full snapshot with the presenter's slide, the polls'
states and every acknowledged answer."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from server_fixtures import KEY, minted, sse_events
from test_server_kill import start_server, stop

PRESENTER = {"Authorization": f"Bearer {KEY}"}


def first_event(base: str, presenter: bool) -> tuple[str, object]:
    """The first event of a fresh connection to the stream (read with a timeout)."""
    headers = PRESENTER if presenter else {}
    with httpx.stream("GET", f"{base}/api/v1/events", headers=headers, timeout=10) as response:
        assert response.status_code == 200
        for name, data in sse_events(response.iter_lines()):
            if name != "ping":
                return name, data
    raise AssertionError("the stream ended before any event")


def test_clients_resync_from_a_snapshot_after_a_kill_and_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'answers.sqlite3'}"
    proc, base = start_server(tmp_path, url)
    try:
        assert (
            httpx.post(
                f"{base}/api/v1/state",
                json={"slide": 2, "fragment": 0},
                headers=PRESENTER,
                timeout=5,
            ).status_code
            == 200
        )
        httpx.post(f"{base}/api/v1/polls/lunch/open", headers=PRESENTER, timeout=5)
        choices = ["soup", "salad", "soup"]
        for choice in choices:
            response = httpx.post(
                f"{base}/api/v1/polls/lunch/answers",
                json={"choice": choice},
                headers={"X-Deckpoll-Voter": minted(base)},
                timeout=5,
            )
            assert response.status_code == 200
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    proc, base = start_server(tmp_path, url)
    try:
        snapshots = {}
        for presenter in (True, False):
            name, snapshot = first_event(base, presenter)
            assert name == "snapshot"
            assert snapshot["state"]["slide"] == 2
            assert snapshot["polls"]["lunch"]["status"] == "open"
            assert snapshot["results"]["lunch"]["answers"] == len(choices)
            snapshots[presenter] = snapshot
        # Every acknowledged answer is in the tally the snapshot carries.
        counts = {o["id"]: o["count"] for o in snapshots[True]["results"]["lunch"]["options"]}
        assert counts == {"soup": 2, "salad": 1}
    finally:
        stop(proc)
