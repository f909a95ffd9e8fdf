"""A German deck end to end: the deck runtime, the poll slide and the phone page all speak
the deck's language from strings/de.yaml, with plural forms for counts."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from deckpoll.build import compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import KEY, live_server, minted  # noqa: E402

pytestmark = pytest.mark.browser

SLIDES = """# Willkommen

---

```poll
id: pick
kind: single
question: Kaffee oder Tee?
options: [Kaffee, Tee]
```
"""


@pytest.fixture
def server(tmp_path: Path):
    (tmp_path / "deck.yaml").write_text('title: Umfrage\nlang: de-AT\npolls:\n  code: "4711"\n')
    (tmp_path / "slides.md").write_text(SLIDES)
    app = create_app(compile_deck(tmp_path), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        yield base


def test_a_german_deck_speaks_german_on_screen_and_on_the_phone(browser, server) -> None:
    deck_context = browser.new_context(viewport={"width": 1280, "height": 720})
    phone_context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        deck = deck_context.new_page()
        deck.goto(f"{server}/?key={KEY}#/2")
        deck.keyboard.press("?")
        expect(deck.locator("dialog.dp-help h2")).to_have_text("Tastenkürzel")
        deck.keyboard.press("Escape")
        count = deck.locator(".dp-slide[data-dp-index='2'] .dp-poll-count")
        expect(count).to_have_text("0 Teilnehmende · 0 Antworten")

        phone = phone_context.new_page()
        phone.goto(f"{server}/4711")
        expect(phone.locator("html")).to_have_attribute("lang", "de-AT")
        phone.get_by_role("radio", name="Kaffee").check()
        phone.get_by_role("button", name="Senden").click()
        expect(phone.locator(".jp-thanks")).to_have_text("Vielen Dank für Ihre Antwort!")
        expect(count).to_have_text("1 teilnehmende Person · 1 Antwort")  # plural forms for one

        answer = httpx.post(
            f"{server}/api/v1/polls/pick/answers",
            json={"choice": "tee"},
            headers={"X-Deckpoll-Voter": minted(server)},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text
        expect(count).to_have_text("2 Teilnehmende · 2 Antworten")
    finally:
        deck_context.close()
        phone_context.close()
