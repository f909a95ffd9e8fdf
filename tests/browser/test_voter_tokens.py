"""The phone's voter token: from the server, kept across reloads, and scoped to the deck
and the talk, so two decks served from the same host and port never share one (#12, #17)."""

from __future__ import annotations

import socket
from pathlib import Path

from playwright.sync_api import expect

from deckpoll.build import compile_deck
from deckpoll.server.app import create_app
from deckpoll.stores.base import open_store
from server_fixtures import KEY, live_server

POLL = "# Hi\n\n---\n\n```poll\nid: q\nkind: single\nquestion: Tea?\noptions: [Yes, No]\n```\n"


def _deck(folder: Path, title: str):
    folder.mkdir()
    (folder / "deck.yaml").write_text(f"title: {title}\nlang: en\npolls:\n  code: '4711'\n")
    (folder / "slides.md").write_text(POLL)
    return compile_deck(folder)


def _tokens(page) -> dict[str, str]:
    return page.evaluate(
        "Object.fromEntries(Object.keys(localStorage)"
        ".filter(k => k.startsWith('deckpoll-voter')).map(k => [k, localStorage.getItem(k)]))"
    )


def test_tokens_are_kept_on_reload_and_differ_between_decks(browser, tmp_path: Path) -> None:
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        phone = context.new_page()
        seen = []
        for name in ("first-talk", "second-talk"):
            app = create_app(
                _deck(tmp_path / name, name), open_store("memory://"), presenter_key=KEY
            )
            with live_server(app, port) as base:
                phone.request.post(
                    f"{base}/api/v1/state",
                    data={"slide": 2},
                    headers={"Authorization": f"Bearer {KEY}"},
                )
                phone.goto(f"{base}/4711")
                phone.get_by_role("radio", name="Yes").check()
                phone.get_by_role("button", name="Send").click()
                expect(phone.locator(".jp-thanks")).to_be_visible()
                tokens = _tokens(phone)
                phone.reload()  # a phone that reconnects keeps its token and its answer
                expect(phone.locator(".jp-thanks")).to_be_visible()
                assert _tokens(phone) == tokens
                seen.append(tokens)
        first, second = seen
        (key_a,) = first
        assert key_a.startswith("deckpoll-voter:first-talk:")
        assert len(second) == 2 and second[key_a] == first[key_a]
        (key_b,) = set(second) - {key_a}
        assert key_b.startswith("deckpoll-voter:second-talk:")
        assert second[key_b] != first[key_a]
        assert "deckpoll-voter" not in second  # the old key, shared by every deck, is gone
    finally:
        context.close()
