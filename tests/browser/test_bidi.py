"""An answer with a right-to-left override is isolated on the slide and on the phone: the
text around it keeps its order (issue #12, item 10)."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import expect

from deckpoll.build import compile_deck
from deckpoll.server.app import create_app
from deckpoll.stores.base import open_store
from server_fixtures import KEY, live_server, minted

WALL = "# Hi\n\n---\n\n```poll\nid: wall\nkind: open\nquestion: Say?\nmax_answers: 3\n```\n"


def test_overrides_are_isolated_on_slide_and_phone(browser, tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text("title: T\nlang: en\npolls:\n  code: '4711'\n")
    (tmp_path / "slides.md").write_text(WALL)
    app = create_app(compile_deck(tmp_path), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        auth = {"Authorization": f"Bearer {KEY}"}
        httpx.post(f"{base}/api/v1/state", json={"slide": 2}, headers=auth, timeout=5)
        httpx.post(f"{base}/api/v1/polls/wall/open", headers=auth, timeout=5)
        for text in ("\u202eolleh", "plain"):
            answer = httpx.post(
                f"{base}/api/v1/polls/wall/answers",
                json={"text": text},
                headers={"X-Deckpoll-Voter": minted(base)},
                timeout=5,
            )
            assert answer.status_code == 200
        context = browser.new_context()
        try:
            deck = context.new_page()
            deck.goto(f"{base}/?key={KEY}#/2")
            entry = deck.locator(".dp-poll-entry-text").first
            expect(entry).to_be_visible()
            expect(entry).to_have_css("unicode-bidi", "isolate")  # retried: redraws replace it
            phone = context.new_page()
            phone.goto(f"{base}/4711")
            phone.locator("textarea").fill("mine")
            phone.get_by_role("button", name="Send").click()
            item = phone.locator(".jp-wall li").first
            expect(item).to_be_visible()
            expect(item).to_have_css("unicode-bidi", "isolate")
        finally:
            context.close()
