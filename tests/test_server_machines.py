"""Several machines for one talk: two `deckpoll serve` processes on two ports of this machine
(each with its own copy of the deck folder, as two machines have) on one real redis-server."""

from __future__ import annotations

import hashlib
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from serve_processes import (
    Machine,
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
from server_fixtures import listening, minted, redis_url  # noqa: F401 - a fixture


def stored_meta(url: str, deck: Path) -> dict[str, str]:
    import redis

    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        return client.hgetall(f"deckpoll:{{{deck.name}}}:meta")
    finally:
        client.close()


def test_the_second_server_takes_the_first_ones_presenter_key_and_voter_tokens(
    tmp_path,
    redis_url,  # noqa: F811
):
    first, second = talk_decks(tmp_path)
    nowhere = tmp_path / "no-key-here"  # the second machine has no copy of the key
    with machines(
        (serve_command(first, redis_url), clean_env()),
        (serve_command(second, redis_url, "--key-file", str(nowhere)), clean_env()),
    ) as (a, b):
        assert a.key is not None and b.key is None, b.text
        assert "the link printed by the server that made this talk's key" in b.text
        assert not nowhere.exists()  # nothing to write: it did not make the key
        # the first machine's presenter link works on the second
        assert httpx.post(f"{b.base}/api/v1/polls/q/open", headers=bearer(a.key)).status_code == 200
        wrong = bearer("x" * 32)
        assert httpx.post(f"{b.base}/api/v1/polls/q/close", headers=wrong).status_code == 403
        assert httpx.get(f"{b.base}/api/v1/notes", headers=bearer(a.key)).status_code == 200
        # voter tokens minted on one are accepted by the other, both ways
        assert answer(b.base, minted(a.base)) == 200
        assert answer(a.base, minted(b.base), "no") == 200
        assert answer(a.base, "A" * 38) == 401  # made up: refused on both
        assert answer(b.base, "A" * 38) == 401
        # the store holds the key's hash, never the key
        meta = stored_meta(redis_url, first)
        assert meta["presenter_key_sha256"] == hashlib.sha256(a.key.encode()).hexdigest()
        assert not any(a.key in value for value in meta.values())
        key_file = first / ".deckpoll" / "presenter-key"
        assert key_file.read_text().strip() == a.key
        assert key_file.stat().st_mode & 0o777 == 0o600
        # a third machine given the key file prints the same presenter link
        with machines(
            (serve_command(second, redis_url, "--key-file", str(key_file)), clean_env()),
        ) as (c,):
            assert c.key == a.key, c.text
        # and so does one given the key in the environment
        with machines(
            (serve_command(second, redis_url), clean_env(DECKPOLL_PRESENTER_KEY=a.key)),
        ) as (d,):
            assert d.key == a.key, d.text


def test_a_new_key_stops_the_old_links_on_every_server(tmp_path, redis_url):  # noqa: F811
    first, second = talk_decks(tmp_path)
    with machines((serve_command(first, redis_url), clean_env())) as (a,):
        old = a.key
        assert httpx.get(f"{a.base}/api/v1/notes", headers=bearer(old)).status_code == 200
        with machines((serve_command(second, redis_url, "--new-key"), clean_env())) as (b,):
            assert b.key and b.key != old
            assert "earlier presenter links no longer work" in b.text
            assert httpx.get(f"{b.base}/api/v1/notes", headers=bearer(old)).status_code == 403
            # the first server follows the store's key within a few seconds
            deadline = time.monotonic() + 10
            while httpx.get(f"{a.base}/api/v1/notes", headers=bearer(old)).status_code != 403:
                assert time.monotonic() < deadline, "the old key still works on the first server"
                time.sleep(0.2)
            assert httpx.get(f"{a.base}/api/v1/notes", headers=bearer(b.key)).status_code == 200
            assert (second / ".deckpoll" / "presenter-key").read_text().strip() == b.key


def test_a_key_that_is_not_the_talks_is_refused_at_start(tmp_path, redis_url):  # noqa: F811
    first, second = talk_decks(tmp_path)
    with machines((serve_command(first, redis_url), clean_env())):
        other = clean_env(DECKPOLL_PRESENTER_KEY="another-key-0123456789")
        proc = subprocess.run(
            serve_command(second, redis_url), capture_output=True, text=True, timeout=60, env=other
        )
        assert proc.returncode == 1
        assert "DECKPOLL_PRESENTER_KEY is not this talk's key" in proc.stderr, proc.stderr
        assert "--new-key" in proc.stderr and "Traceback" not in proc.stderr
        bad = clean_env(DECKPOLL_PRESENTER_KEY="short")
        proc = subprocess.run(
            serve_command(second, redis_url), capture_output=True, text=True, timeout=60, env=bad
        )
        assert proc.returncode == 1
        assert "DECKPOLL_PRESENTER_KEY: a presenter key is 16 to 256 characters" in proc.stderr


@contextmanager
def open_on_two_machines(tmp_path: Path, url: str) -> Iterator[list[Machine]]:
    """Two servers of one talk, its poll open."""
    first, second = talk_decks(tmp_path)
    with machines(
        (serve_command(first, url), clean_env()),
        (serve_command(second, url), clean_env()),
    ) as (a, b):
        assert httpx.post(f"{a.base}/api/v1/polls/q/open", headers=bearer(a.key)).is_success
        yield [a, b]


def test_a_voters_quick_answers_over_both_servers_meet_one_rate_limit(
    tmp_path,
    redis_url,  # noqa: F811
):
    from concurrent.futures import ThreadPoolExecutor

    with open_on_two_machines(tmp_path, redis_url) as (a, b):
        # The limit is 10 at once, then 5 a second: two limits (one per server) would take
        # about 20 of 30 quick answers; one takes 10 and what refilled meanwhile.
        for _ in range(5):  # a run slowed down by the shared machine proves nothing: again
            token = minted(a.base)
            servers = [(a, b)[n % 2].base for n in range(30)]
            with httpx.Client(limits=httpx.Limits(max_keepalive_connections=12)) as client:
                for base in (a.base, b.base):  # connections made before the clock starts
                    client.get(f"{base}/favicon.ico")
                started = time.monotonic()
                with ThreadPoolExecutor(6) as pool:
                    statuses = list(
                        pool.map(answer, servers, [token] * 30, ["yes"] * 30, [client] * 30)
                    )
            elapsed = time.monotonic() - started
            if elapsed < 1.5:
                break
        accepted = statuses.count(200)
        assert set(statuses) == {200, 429}, (statuses, elapsed)
        assert 10 <= accepted <= 10 + 5 * elapsed + 1, (accepted, elapsed)
        assert accepted < 19, (accepted, elapsed)
        # both servers refused some: the bucket is one, wherever the answer arrives
        assert 429 in statuses[0::2] and 429 in statuses[1::2], statuses


def test_when_one_server_dies_the_other_serves_every_phones_reconnect(
    tmp_path,
    redis_url,  # noqa: F811
):
    from concurrent.futures import ThreadPoolExecutor

    with open_on_two_machines(tmp_path, redis_url) as (a, b):
        assert httpx.post(
            f"{b.base}/api/v1/state", json={"slide": 2}, headers=bearer(a.key)
        ).is_success
        tokens = [minted((a, b)[n % 2].base) for n in range(20)]
        for n, token in enumerate(tokens):  # answered half on each server
            assert answer((a, b)[n % 2].base, token, "yes" if n < 12 else "no") == 200
        phones_on_a = [phone_stream(a.base) for _ in range(10)]
        for phone in phones_on_a:
            assert first_event(phone)[0] == "snapshot"
        a.stop(signal.SIGKILL)  # the machine dies mid-talk
        for phone in phones_on_a:
            with pytest.raises(httpx.HTTPError):  # its streams break: the phones reconnect
                for _ in phone[2]:
                    pass
            phone[0].close()

        def reconnect(_: int) -> tuple[str, dict]:
            phone = phone_stream(b.base)
            try:
                return first_event(phone)
            finally:
                phone[0].close()

        with ThreadPoolExecutor(10) as pool:  # every phone of the dead machine, at once
            snapshots = list(pool.map(reconnect, range(10)))
        for event, data in snapshots:
            assert event == "snapshot"
            assert data["state"]["slide"] == 2 and data["polls"]["q"]["status"] == "open"
            counts = {o["id"]: o["count"] for o in data["results"]["q"]["options"]}
            assert data["results"]["q"]["voters"] == 20 and counts == {"yes": 12, "no": 8}
        # the tokens minted by the dead machine still answer, and the presenter goes on
        assert answer(b.base, tokens[0], "no") == 200
        assert httpx.post(f"{b.base}/api/v1/polls/q/close", headers=bearer(a.key)).is_success


def test_starting_with_redis_down_waits_without_a_traceback_then_gives_up(tmp_path):
    (deck,) = talk_decks(tmp_path, 1)
    port = free_port()  # nothing listens there
    started = time.monotonic()
    proc = subprocess.run(
        serve_command(deck, f"redis://127.0.0.1:{port}/0", "--store-wait", "8"),
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert f"deckpoll: waiting for Redis at 127.0.0.1:{port} (attempt 2)" in proc.stderr
    gave_up = rf"error: gave up waiting for Redis at 127\.0\.0\.1:{port} after \d+ attempts"
    assert re.search(gave_up, proc.stderr) and "--store-wait" in proc.stderr, proc.stderr
    assert time.monotonic() - started < 30


def test_a_server_started_before_redis_serves_once_redis_is_up(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    (deck,) = talk_decks(tmp_path, 1)
    port = free_port()
    store = f"redis://127.0.0.1:{port}/0"
    server = Machine(
        subprocess.Popen(
            serve_command(deck, store, "--workers", "2"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=clean_env(),
        )
    )
    redis_proc = None
    try:
        deadline = time.monotonic() + 20
        while "(attempt 2)" not in server.text:
            assert time.monotonic() < deadline and server.proc.poll() is None, server.text
            time.sleep(0.05)
        redis_proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        server.wait_up()
        assert server.key and answer(server.base, minted(server.base)) == 409  # not open yet
    finally:
        text = server.stop()
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
    assert "Traceback" not in text, text
    assert f"waiting for Redis at 127.0.0.1:{port} (attempt 1)" in text


def test_the_cli_and_the_server_agree_on_the_store_wait():
    from deckpoll import cli
    from deckpoll.server import talk

    assert cli.STORE_WAIT == talk.STORE_WAIT


@contextmanager
def odd_redis(tmp_path: Path, *args: str) -> Iterator[str]:
    """A redis-server started with `args` (cluster mode, sentinel mode) on a free port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    while "--cluster-enabled" in args and port > 55535:
        port = free_port()  # a cluster node also listens on port + 10000
    conf = tmp_path / f"redis-{port}.conf"
    conf.write_text("")
    proc = subprocess.Popen(
        [binary, str(conf), "--port", str(port), "--bind", "127.0.0.1", "--save", "", *args],
        stdout=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        assert listening(port, proc), "redis-server did not start"
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--cluster-enabled", "yes"), "runs Redis Cluster, which deckpoll does not support"),
        (("--sentinel",), "is a Redis Sentinel, not a Redis server"),
    ],
)
def test_redis_cluster_and_sentinel_are_refused_at_start_with_a_reason(tmp_path, args, says):
    (deck,) = talk_decks(tmp_path, 1)
    with odd_redis(tmp_path, *args) as url:
        proc = subprocess.run(
            serve_command(deck, url), capture_output=True, text=True, timeout=60, env=clean_env()
        )
    assert proc.returncode == 1
    assert f"error: cannot open the store {url}: 127.0.0.1:" in proc.stderr, proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert "waiting for" not in proc.stderr  # nothing to wait for: it will not change
