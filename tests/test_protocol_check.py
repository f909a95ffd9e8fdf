"""`deckpoll protocol-check`: every rule passes against `deckpoll serve` on every store, and
a backend that breaks a rule is caught by that rule (the kit can fail)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckpoll.cli import main
from deckpoll.conformance import check
from server_fixtures import KEY, compiled, live_server, redis_url  # noqa: F401

SRC = Path(__file__).resolve().parents[1] / "src"
DECK_YAML = "title: Kit\nlang: en\npolls:\n  code: '313131'\n"
SLIDES = """# Kit

---

```poll
id: fika
kind: single
question: Coffee or tea?
options: [Coffee, Tea]
```

---

```poll
id: mood
kind: scale
question: How is it going?
results: on_reveal
```

---

```poll
id: words
kind: wordcloud
question: One word?
max_answers: 2
```

---

```poll
id: wall
kind: open
question: Anything else?
```
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    folder = tmp_path / "kit-talk"
    folder.mkdir()
    (folder / "deck.yaml").write_text(DECK_YAML)
    (folder / "slides.md").write_text(SLIDES)
    return folder


@contextlib.contextmanager
def serve(deck: Path, store: str) -> Iterator[tuple[str, str]]:
    """`deckpoll serve` in a process of its own; yields (base URL, presenter key)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "deckpoll", "serve", str(deck), "--port", "0", "--store", store],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    try:
        text = ""
        while "Presenter:" not in text:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"deckpoll serve stopped: {text}")
            text += line
        found = re.search(r"Presenter: (http://127\.0\.0\.1:\d+)/\?key=(\S+)", text)
        assert found, text
        yield found.group(1), found.group(2)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()


def _all_pass(report) -> None:
    lines = "\n".join(report.lines())
    assert not report.failed, lines
    assert not [o for o in report.outcomes if o.result == "skip"], lines
    assert len(report.outcomes) >= 25, lines


@pytest.mark.parametrize("store", ["memory", "sqlite", "redis"])
def test_every_rule_passes_against_deckpoll_serve(deck, tmp_path, store, request) -> None:
    url = {
        "memory": lambda: "memory://",
        "sqlite": lambda: f"sqlite:///{tmp_path / 'answers.db'}",
        "redis": lambda: request.getfixturevalue("redis_url"),
    }[store]()
    with serve(deck, url) as (base, key):
        report = check(base, key)
        _all_pass(report)
        # It put back what it changed: no answers left, every poll as it was (new).
        again = check(base, key)
        _all_pass(again)
        import httpx

        live = httpx.get(f"{base}/api/v1/deck", timeout=5).json()["live"]
        assert all(r["answers"] == 0 for r in live["results"].values()), live["results"]
        assert all(not p["opened"] for p in live["polls"].values()), live["polls"]
        assert live["state"]["slide"] == 1


def test_the_command_prints_a_line_per_rule_and_exits_1_on_a_failure(deck) -> None:
    with serve(deck, "memory://") as (base, key):
        runner = CliRunner()
        good = runner.invoke(main, ["protocol-check", base, "--key", key])
        assert good.exit_code == 0, good.output
        assert re.search(r"PASS\s+events/snapshot-first", good.output)
        assert re.search(r"\d+ passed, 0 failed, 0 skipped", good.output)
        no_key = runner.invoke(main, ["protocol-check", base])
        assert no_key.exit_code == 0, no_key.output
        assert re.search(r"SKIP\s+closed/refused .*--key", no_key.output)
        wrong = runner.invoke(main, ["protocol-check", base, "--key", "wrong-key-0123456789"])
        assert wrong.exit_code == 1
        assert re.search(r"FAIL\s+auth/key", wrong.output)
    bad = CliRunner().invoke(main, ["protocol-check", "ftp://example.org/"])
    assert bad.exit_code == 2 and "not an http(s) URL" in bad.output


# -- a backend that breaks one rule is caught by that rule ---------------------------------


def broken(app, fault: str):
    """`app` with one fault of a backend that misread the protocol."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        path, method = scope["path"], scope["method"]

        async def sending(message):
            if message["type"] == "http.response.start":
                if fault == "closed-accepts" and message["status"] == 409:
                    message = {**message, "status": 200}
                if fault == "bad-json-500" and message["status"] == 400 and method == "POST":
                    message = {**message, "status": 500}
            elif message["type"] == "http.response.body" and fault == "protocol-2":
                if path == "/api/v1/deck":  # same length: Content-Length still holds
                    body = message.get("body", b"").replace(b'"protocol":1', b'"protocol":2')
                    message = {**message, "body": body}
            await send(message)

        if fault == "no-key-needed" and path == "/api/v1/state":
            headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
            headers.append((b"authorization", f"Bearer {KEY}".encode()))
            scope = {**scope, "headers": headers}
        if fault == "no-snapshot" and path == "/api/v1/events":
            body = b"event: state\ndata: {}\n\n"
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/event-stream")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return None
        return await app(scope, receive, sending)

    wrapped.state = app.state
    return wrapped


@pytest.mark.parametrize(
    ("fault", "rule"),
    [
        ("closed-accepts", "closed/refused"),
        ("bad-json-500", "input/bad-json"),
        ("protocol-2", "routes/deck"),
        ("no-key-needed", "auth/no-key"),
        ("no-snapshot", "events/snapshot-first"),
    ],
)
def test_a_broken_backend_fails_the_rule_it_breaks(fault, rule) -> None:
    from deckpoll.server.app import create_app
    from deckpoll.stores.base import open_store

    app = create_app(compiled(), open_store("memory://"), presenter_key=KEY)
    with live_server(broken(app, fault)) as base:
        report = check(base, KEY)
    failed = {o.rule.id for o in report.failed}
    assert rule in failed, "\n".join(report.lines())
