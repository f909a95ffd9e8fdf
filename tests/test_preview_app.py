"""`preview` is the `serve` app with the preview's part composed in: same routes, state,
event streams and shutdown; a deck that does not build yet is served as an error page."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from deckpoll.preview import EVENTS_PATH, Preview, create_preview_app
from deckpoll.server.app import DeckApp
from deckpoll.server.state import ServerState

POLL = "```poll\nid: pulse\nkind: wordcloud\nquestion: Ett ord?\n```\n"


def write_deck(folder: Path, slides: list[str]) -> Path:
    (folder / "deck.yaml").write_text('title: T\nlang: sv\npolls:\n  code: "4711"\n', "utf-8")
    (folder / "slides.md").write_text("\n---\n".join(slides), "utf-8")
    return folder


async def until(check, timeout: float = 10.0) -> None:
    """Wait for an async condition (the watcher needs a moment to start)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


def test_a_broken_deck_is_an_error_page_until_a_save_fixes_it(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, ["# T\n", POLL.replace("wordcloud", "wordclod")])
    preview = Preview(deck)
    preview.rebuild()
    assert preview.good is None
    app = create_preview_app(preview)
    assert isinstance(app, DeckApp) and isinstance(app.state, ServerState)

    async def scenario() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1"
            ) as client:
                page = await client.get("/")
                assert page.status_code == 200
                assert "slides.md:6:7: error: unknown kind &#39;wordclod&#39;" in page.text
                assert 'id="dp-preview"' in page.text
                assert "script-src 'sha256-" in page.headers["content-security-policy"]
                for path in ("/api/v1/deck", "/deckpoll.json", "/join"):
                    answer = await client.get(path)
                    assert answer.status_code == 503, path
                    assert answer.json()["error"] == "not_built"

                async def fixed() -> bool:
                    write_deck(deck, ["# T\n", POLL])
                    return (await client.get("/api/v1/deck")).status_code == 200

                await until(fixed)
                body = (await client.get("/api/v1/deck")).json()
                assert [p["id"] for p in body["polls"]] == ["pulse"]
                assert body["code"] == "4711"
                page = await client.get("/")
                assert 'data-dp-poll="pulse"' in page.text and 'id="dp-preview"' in page.text
                assert (await client.get("/4711")).status_code == 200  # the phone page
                answer = await client.post(
                    "/_preview/rehearse/pulse?count=5",
                    headers={"Authorization": f"Bearer {preview.key}"},
                )
                assert answer.json() == {"ok": True, "added": 5}

    asyncio.run(scenario())


def test_a_save_that_changes_the_polls_keeps_the_answers(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, ["# T\n", POLL])
    preview = Preview(deck)
    preview.rebuild()
    app = create_preview_app(preview)
    auth = {"Authorization": f"Bearer {preview.key}"}

    async def scenario() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1"
            ) as client:
                added = await client.post("/_preview/rehearse/pulse?count=7", headers=auth)
                assert added.json()["added"] == 7
                first = app.state.session
                second_poll = POLL.replace("pulse", "other")

                async def swapped() -> bool:
                    write_deck(deck, ["# T\n", POLL, second_poll])
                    return app.state.session is not first

                await until(swapped)
                await app.state.session.flush()
                results = await client.get("/api/v1/polls/pulse/results", headers=auth)
                assert results.json()["answers"] == 7
                assert (await client.get("/api/v1/polls/other/results", headers=auth)).is_success

    asyncio.run(scenario())


def test_shutdown_ends_the_preview_stream_and_the_poll_streams(tmp_path: Path) -> None:
    """One shutdown path (server.run.run_server calls app.end_streams from the signal
    handler): the preview's own stream ends with the session's."""
    preview = Preview(write_deck(tmp_path, ["# T\n", POLL]))
    preview.rebuild()
    app = create_preview_app(preview)
    # the part's routes come first, after only the answer route (the busiest one)
    assert [r.path for r in app.routes[:2]] == ["/api/v1/polls/{poll}/answers", EVENTS_PATH]

    async def scenario() -> None:
        async with app.router.lifespan_context(app):
            session = app.state.session
            assert session is not None
            ours = preview.stream.stream(presenter=False, role="preview")
            polls = session.broadcaster.stream(presenter=False, role="join")
            for stream in (ours, polls):
                await anext(stream)  # retry hint
                await anext(stream)  # snapshot
            await asyncio.to_thread(app.end_streams)  # from another thread, as a signal is
            for stream in (ours, polls):
                with pytest.raises(StopAsyncIteration):
                    await asyncio.wait_for(anext(stream), 5)

    asyncio.run(scenario())


def test_app_state_is_typed(tmp_path: Path) -> None:
    preview = Preview(write_deck(tmp_path, ["# T\n"]))
    preview.rebuild()
    app = create_preview_app(preview)
    assert app.state.presenter_key == preview.key
    with pytest.raises(AttributeError):
        app.state.sesion = None  # a misspelt field is an error, not a new attribute
