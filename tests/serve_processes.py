"""`deckpoll serve` subprocesses standing in for the machines of one talk (tests of #20)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from server_fixtures import sse_events

DECK_YAML = "title: Machines\nlang: en\nslides: [s.md]\npolls:\n  auto_open: false\n"
SLIDES = "# Hi\n\n---\n\n```poll\nid: q\nkind: single\nquestion: Yes?\noptions: [Yes, No]\n```\n"
SRC = str(Path(__file__).parents[1] / "src")


def talk_decks(tmp_path: Path, machines: int = 2, deck_yaml: str = DECK_YAML) -> list[Path]:
    """One deck folder per machine, the same talk (the deck id is the folder's name)."""
    name = f"talk{time.monotonic_ns()}"
    decks = []
    for n in range(machines):
        deck = tmp_path / f"machine{n}" / name
        deck.mkdir(parents=True)
        (deck / "deck.yaml").write_text(deck_yaml)
        (deck / "s.md").write_text(SLIDES)
        decks.append(deck)
    return decks


class Machine:
    """A running `deckpoll serve` subprocess and what it printed."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            # this machine's own address: in the presenter link, or the audience's
            found = re.search(r"(?:Presenter|Audience): +(http://127\.0\.0\.1:\d+)/", self.text)
            if found and up(found.group(1)):
                self.base = found.group(1)
                key = re.search(r"Presenter: http://127\.0\.0\.1:\d+/\?key=(\S+)", self.text)
                self.key = key.group(1) if key else None
                return
            assert self.proc.poll() is None, f"serve ended:\n{self.text}"
            assert time.monotonic() < deadline, f"serve did not start:\n{self.text}"
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> str:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self._reader.join(timeout=5)
        self.proc.stdout.close()
        return self.text


def serve_command(deck: Path, store: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "deckpoll", "serve", str(deck), "--port", "0"] + [
        "--store",
        store,
        *extra,
    ]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DECKPOLL_PRESENTER_KEY"}
    return {**env, "PYTHONPATH": SRC, **extra}


@contextmanager
def machines(*commands: tuple[list[str], dict[str, str]]) -> Iterator[list[Machine]]:
    """Start each `serve` in turn (the first one first: it makes the talk's key); stop all."""
    started: list[Machine] = []
    try:
        for command, env in commands:
            machine = Machine(
                subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
                )
            )
            started.append(machine)
            machine.wait_up()
        yield started
    finally:
        for machine in started:
            rest = machine.stop()
            assert "Traceback" not in rest, rest


def up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/deck", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def answer(base: str, token: str, choice: str = "yes", client: httpx.Client | None = None) -> int:
    reply = (client or httpx).post(
        f"{base}/api/v1/polls/q/answers",
        json={"choice": choice},
        headers={"X-Deckpoll-Voter": token},
        timeout=5,
    )
    return reply.status_code


def phone_stream(base: str) -> tuple[httpx.Client, httpx.Response, Iterator[str]]:
    """A phone's event stream: its client, the response, and the response's lines."""
    client = httpx.Client(timeout=httpx.Timeout(10.0))
    response = client.send(
        client.build_request("GET", f"{base}/api/v1/events?client=join"), stream=True
    )
    return client, response, response.iter_lines()


def first_event(phone: tuple[httpx.Client, httpx.Response, Iterator[str]]) -> tuple[str, dict]:
    _, response, lines = phone
    assert response.status_code == 200
    for event, data in sse_events(lines):
        if event != "ping":
            return event, data
    raise AssertionError("the stream ended before its first event")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
