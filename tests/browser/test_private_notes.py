"""A served deck: the audience's page has no speaker notes; the presenter's speaker view
fetches them with the key and shows them (issue #12, item 8)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from deckpoll.build import compile_deck
from deckpoll.server.app import create_app
from deckpoll.stores.base import open_store
from server_fixtures import live_server

KEY = "k" * 24


def test_notes_reach_the_speaker_view_only(browser, tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "slides.md").write_text(
        "# One\n\n::: notes\nSECRET-NOTE-ONE\n:::\n\n---\n\n# Two\n\nNote: SECRET-TWO\n"
    )
    app = create_app(compile_deck(tmp_path), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        audience = browser.new_context()
        speaker = browser.new_context()
        try:
            page = audience.new_page()
            page.goto(base + "/")
            expect(page.locator("html[data-dp-ready='1']")).to_have_count(1)
            page.wait_for_timeout(300)
            assert page.locator(".dp-notes").count() == 0
            assert "SECRET" not in page.content()

            view = speaker.new_page()
            view.goto(f"{base}/?key={KEY}&view=speaker")
            expect(view.locator(".dp-sv-text")).to_contain_text("SECRET-NOTE-ONE")
            assert "key=" not in view.url  # the key leaves the address bar
            view.keyboard.press("ArrowRight")
            expect(view.locator(".dp-sv-text")).to_contain_text("SECRET-TWO")
            # a deck without polls: the link to the server did that, with no poll runtime
            assert view.evaluate(
                "[!!deckpoll.link, 'polls' in deckpoll, 'deckpollKinds' in window]"
            ) == [True, False, False]
        finally:
            audience.close()
            speaker.close()
