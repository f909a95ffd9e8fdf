"""docs/deploy.md's recipes, run: two `deckpoll serve` (two ports of 127.0.0.1 standing in for
two machines) on one redis-server behind Debian's nginx, configured with the docs' own block,
then one server is killed mid-talk; and one server behind Debian's Caddy with the docs'
Caddyfile. Both proxies are the packages' binaries, unpacked by .ci/run (no service starts)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from serve_processes import (
    answer,
    bearer,
    clean_env,
    first_event,
    free_port,
    machines,
    phone_stream,
    serve_command,
    talk_decks,
)
from server_fixtures import listening, minted, redis_url, sse_events  # noqa: F401 - a fixture

DOCS = Path(__file__).parents[1] / "docs" / "deploy.md"
DECK_YAML = (
    "title: Recipe\nlang: en\nslides: [s.md]\n"
    'polls:\n  auto_open: false\n  code: "490296"\n'
    "  join_url: https://poll.example.org/490296\n"
)


def debian_binary(package: str, path: str) -> str:
    """A Debian package's binary: installed, or unpacked by .ci/run (`apt-get download`)."""
    unpacked = Path(os.environ.get("TMPDIR", "/tmp")) / f"deckpoll-ci-{package}/root{path}"
    env = os.environ.get(f"{package.upper()}_BIN")
    for candidate in (env, shutil.which(package), str(unpacked)):
        if candidate and Path(candidate).is_file():
            return candidate
    reason = f"{package} is not installed (.ci/run unpacks Debian's: apt-get download {package})"
    if os.environ.get("CI") == "true" or os.environ.get("E2E_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def recipe_block(
    heading: str = "### Recipe: two machines behind nginx", lang: str = "nginx"
) -> str:
    """The first `lang` block after `heading` in docs/deploy.md, as the docs give it."""
    text = DOCS.read_text("utf-8")
    section = text[text.index(heading) :]
    found = re.search(rf"```{lang}\n(.*?)```", section, re.S)
    assert found, f"the {lang} block under {heading!r} is gone from docs/deploy.md"
    return found.group(1)


def nginx_config(folder: Path, port: int, first: int, second: int) -> str:
    """The docs' block with this machine's ports; no TLS here, and no `http2 on` (nginx
    1.22, Debian 12's, does not know it; it only concerns the phones' side anyway)."""
    block = recipe_block()
    assert "server 10.0.0.11:8000" in block and "server 10.0.0.12:8000" in block
    block = block.replace("10.0.0.11:8000", f"127.0.0.1:{first}")
    block = block.replace("10.0.0.12:8000", f"127.0.0.1:{second}")
    block = block.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    lines = [line for line in block.splitlines() if "ssl_" not in line and "http2" not in line]
    temp = "\n".join(
        f"  {name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        "error_log stderr warn;\nevents { worker_connections 512; }\n"
        f"http {{\n  access_log off;\n{temp}\n" + "\n".join(lines) + "\n}\n"
    )


@contextmanager
def nginx(folder: Path, first: int, second: int) -> Iterator[str]:
    binary = debian_binary("nginx", "/usr/sbin/nginx")
    port = free_port()
    folder.mkdir()
    (folder / "nginx.conf").write_text(nginx_config(folder, port, first, second))
    proc = subprocess.Popen(
        [binary, "-p", str(folder), "-e", "stderr", "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert listening(port, proc), proc.stderr.read() if proc.poll() is not None else ""
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


def test_two_machines_behind_nginx_and_one_dies_mid_talk(tmp_path, redis_url):  # noqa: F811
    first, second = talk_decks(tmp_path, 2, DECK_YAML)
    ports = free_port(), free_port()
    key_copy = tmp_path / "my-talk.key"  # what the recipe copies to the second machine
    first_command = serve_command(first, redis_url, "--port", str(ports[0]))
    with machines((first_command, clean_env())) as (a,):
        key_copy.write_text((first / ".deckpoll" / "presenter-key").read_text())
        second_command = serve_command(
            second, redis_url, "--port", str(ports[1]), "--key-file", str(key_copy)
        )
        with (
            machines((second_command, clean_env())) as (b,),
            nginx(tmp_path / "nginx", *ports) as site,
        ):
            _present_through(site, a, b)


def _present_through(site: str, a, b) -> None:
    public = "Public:    https://poll.example.org/?key="
    assert f"{public}{a.key}\n" in a.text and f"{public}{a.key}\n" in b.text  # the same link
    key = bearer(a.key)
    assert httpx.post(f"{site}/api/v1/polls/q/open", headers=key).is_success
    tokens = [minted(site) for _ in range(12)]
    assert [answer(site, t, "yes" if n < 8 else "no") for n, t in enumerate(tokens)] == [200] * 12
    # the event stream goes through unbuffered: a phone sees the next answer at once
    phones = [phone_stream(site) for _ in range(6)]
    for phone in phones:
        event, data = first_event(phone)
        assert event == "snapshot" and data["results"]["q"]["voters"] == 12
    assert answer(site, minted(site)) == 200
    for phone in phones:  # (a push of the earlier answers may come first)
        assert _results_until(phone, lambda results: results["voters"] == 13)

    a.stop(signal.SIGKILL)  # one machine dies mid-talk
    for phone in phones:
        phone[0].close()

    def rejoin(_: int) -> tuple[str, dict]:
        phone = phone_stream(site)
        try:
            return first_event(phone)
        finally:
            phone[0].close()

    with ThreadPoolExecutor(6) as pool:  # every phone reconnects through nginx
        for event, data in pool.map(rejoin, range(6)):
            assert event == "snapshot"
            counts = {o["id"]: o["count"] for o in data["results"]["q"]["options"]}
            assert counts == {"yes": 9, "no": 4}  # nothing acknowledged was lost
    # answers keep arriving (nginx sends them to the living machine), tokens minted by the
    # dead one included, and the presenter goes on with the same key
    statuses = [answer(site, t, "no") for t in tokens[:8]] + [answer(site, minted(site))]
    assert statuses == [200] * 9
    assert httpx.post(f"{site}/api/v1/polls/q/close", headers=key).is_success


def _results_until(phone, wanted) -> dict:
    """The first results event on the phone's stream that is `wanted` (the stream's read
    timeout bounds the wait)."""
    _, _, lines = phone
    for event, data in sse_events(lines):
        if event == "results" and wanted(data):
            return data
    raise AssertionError("the stream ended before the results came")


def caddyfile(folder: Path, port: int, backend: int) -> str:
    """The docs' Caddyfile on this machine: plain HTTP on a port of 127.0.0.1 instead of the
    public name (no certificate here), the backend's port, and no admin endpoint."""
    block = recipe_block("## Behind Caddy", "caddy")
    assert "poll.example.org {" in block and "reverse_proxy 127.0.0.1:8000" in block
    block = block.replace("poll.example.org {", f"http://127.0.0.1:{port} {{")
    block = block.replace("127.0.0.1:8000", f"127.0.0.1:{backend}")
    return "{\n    admin off\n}\n" + block


@contextmanager
def caddy(folder: Path, backend: int) -> Iterator[str]:
    binary = debian_binary("caddy", "/usr/bin/caddy")
    port = free_port()
    folder.mkdir()
    (folder / "Caddyfile").write_text(caddyfile(folder, port, backend))
    home = {"HOME": str(folder), "XDG_DATA_HOME": str(folder), "XDG_CONFIG_HOME": str(folder)}
    proc = subprocess.Popen(
        [binary, "run", "--config", str(folder / "Caddyfile"), "--adapter", "caddyfile"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **home},
    )
    try:
        assert listening(port, proc), proc.stderr.read() if proc.poll() is not None else ""
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


def test_one_server_behind_caddy_with_the_docs_caddyfile(tmp_path):
    (deck,) = talk_decks(tmp_path, 1, DECK_YAML)
    backend = free_port()
    command = serve_command(deck, "memory://", "--host", "127.0.0.1", "--port", str(backend))
    # Caddy first and stopped last: the server ends its event streams as it stops, so that
    # Caddy has no stream left to wait for (it waits 10 s for one that is still open).
    with caddy(tmp_path / "caddy", backend) as site, machines((command, clean_env())) as (server,):
        key = bearer(server.key)
        assert httpx.post(f"{site}/api/v1/polls/q/open", headers=key).is_success
        tokens = [minted(site) for _ in range(5)]
        assert [answer(site, t) for t in tokens] == [200] * 5
        # Caddy flushes the event stream at once: a phone sees the next answer
        phones = [phone_stream(site) for _ in range(3)]
        for phone in phones:
            event, data = first_event(phone)
            assert event == "snapshot" and data["results"]["q"]["voters"] == 5
        assert answer(site, minted(site), "no") == 200
        for phone in phones:
            assert _results_until(phone, lambda results: results["voters"] == 6)
            phone[0].close()
        # the body limit the docs set: a large body stops at Caddy, the talk goes on
        large = httpx.post(
            f"{site}/api/v1/polls/q/answers",
            content=b'{"choice": "' + b"x" * 20_000 + b'"}',
            headers={"X-Deckpoll-Voter": tokens[0], "Content-Type": "application/json"},
        )
        # 413; Caddy before 2.7 (Debian 12 ships 2.6) answers 502 with no body instead
        assert large.status_code in (413, 502)
        assert answer(site, minted(site)) == 200


def _stop(proc: subprocess.Popen) -> None:
    """End a proxy started by a test (it may have exited already: a bad config)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    proc.stderr.close()
