"""Far more voters than phones: the presenter console says answers arrive unusually fast
(issue #12, item 7)."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import expect

from deckpoll.build import compile_deck
from deckpoll.server.app import create_app
from deckpoll.stores.base import open_store
from server_fixtures import KEY, live_server, minted

CLOUD = "# Hi\n\n---\n\n```poll\nid: w\nkind: wordcloud\nquestion: A word?\n```\n"


def test_the_console_warns_when_voters_outnumber_phones(browser, tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text("title: T\nlang: en\npolls:\n  code: '4711'\n")
    (tmp_path / "slides.md").write_text(CLOUD)
    app = create_app(compile_deck(tmp_path), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        try:
            console = context.new_page()
            console.goto(f"{base}/?key={KEY}&view=speaker#/2")
            expect(console.locator(".dp-con-notice")).to_have_count(1)
            httpx.post(f"{base}/api/v1/polls/w/open", headers={"Authorization": f"Bearer {KEY}"})
            for n in range(12):  # a script's voters; no phone is connected
                answer = httpx.post(
                    f"{base}/api/v1/polls/w/answers",
                    json={"text": f"word{n}"},
                    headers={"X-Deckpoll-Voter": minted(base)},
                    timeout=5,
                )
                assert answer.status_code == 200
            expect(console.locator(".dp-con-notice")).to_contain_text(
                "Answers arriving unusually fast: 11 voters"
            )
        finally:
            context.close()
