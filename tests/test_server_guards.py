"""Host check (DNS rebinding), nosniff, the phone page's framing and referrer headers, and
private permissions on the answers folder and database (issue #12, items 9 and 11)."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import httpx
import pytest

from deckpoll.preview import Preview, create_preview_app
from deckpoll.server.guards import allowed_hosts, host_name
from deckpoll.server.run import default_store_url
from deckpoll.stores.base import open_store
from server_fixtures import presenter, running
from test_server_limits import _serve, _stop, _wait_up


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("LocalHost", "localhost"),
        ("example.org.:80", "example.org"),
        ("192.168.1.20", "192.168.1.20"),
    ],
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def test_allowed_hosts_for_a_server_on_every_interface() -> None:
    hosts = allowed_hosts("0.0.0.0", "192.168.1.20", urls=["https://poll.example.org/join"])
    assert hosts == {"localhost", "127.0.0.1", "::1", "192.168.1.20", "poll.example.org"}


def test_serve_answers_only_to_its_own_names(tmp_path: Path) -> None:
    deck = tmp_path / "deck"
    deck.mkdir()
    (deck / "deck.yaml").write_text(
        "title: T\nlang: en\npolls:\n  join_url: https://poll.example.org/talk\n"
    )
    (deck / "slides.md").write_text("# One\n")
    proc, base, key, _ = _serve(deck, 4096)
    try:
        _wait_up(base)
        port = base.rsplit(":", 1)[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "poll.example.org"):
            answer = httpx.get(base + "/", headers={"Host": host}, timeout=5)
            assert answer.status_code == 200, host
        for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.evil.example"):
            answer = httpx.get(base + "/api/v1/deck", headers={"Host": host}, timeout=5)
            assert answer.status_code == 400, host
            assert answer.json()["error"] == "bad_host"
        state = httpx.post(
            base + "/api/v1/state",
            json={"slide": 1},
            headers={"Host": "rebound.example", "Authorization": f"Bearer {key}"},
            timeout=5,
        )
        assert state.status_code == 400
    finally:
        _stop(proc)


def test_preview_answers_only_to_loopback_names(tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "slides.md").write_text("# One\n")
    preview = Preview(tmp_path)
    preview.rebuild()
    app = create_preview_app(preview)

    async def scenario() -> tuple[int, int, str]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport) as client:
                good = await client.get("http://localhost:8123/")
                bad = await client.get("http://rebound.example:8123/")
                return good.status_code, bad.status_code, bad.json()["error"]

    assert asyncio.run(scenario()) == (200, 400, "bad_host")


def test_json_answers_carry_nosniff_and_the_phone_page_cannot_be_framed() -> None:
    async def scenario() -> None:
        async with running() as (client, _):
            for path in ("/api/v1/deck", "/deckpoll.json", "/api/v1/polls/nope/results", "/x"):
                answer = await client.get(path)
                assert answer.headers["x-content-type-options"] == "nosniff", path
            state = await client.post("/api/v1/state", json={"slide": 1}, headers=presenter())
            assert state.headers["x-content-type-options"] == "nosniff"
            for path in ("/join", "/123456"):
                page = await client.get(path)
                policy = page.headers["content-security-policy"]
                assert "frame-ancestors 'none'" in policy, path
                assert page.headers["referrer-policy"] == "no-referrer"

    asyncio.run(scenario())


def test_answers_folder_is_0700_and_database_0600(tmp_path: Path) -> None:
    url = default_store_url(tmp_path)
    folder = tmp_path / ".deckpoll"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    async def touch() -> None:
        store = open_store(url, namespace="d")
        await store.set_meta("x", "1")
        await store.close()

    asyncio.run(touch())
    for path in folder.glob("answers.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_existing_answers_folder_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / ".deckpoll"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    (folder / "answers.sqlite3").write_bytes(b"")
    (folder / "answers.sqlite3").chmod(0o644)
    default_store_url(tmp_path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "answers.sqlite3").stat().st_mode) == 0o600
