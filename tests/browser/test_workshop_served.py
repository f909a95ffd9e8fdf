"""Workshop mode served, on the Vinnova deck: the projector, the speaker console and two phones
show the same remaining time (within a second), pause and +1 min reach every screen, a reload
keeps the time; the sharing round shows one table's answers at a time."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from test_polls_a11y import violations  # noqa: E402

from deckpoll.build import compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import KEY, live_server  # noqa: E402

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
VINNOVA = REPO / "decks" / "vinnova-innovation"
CODE = "490296"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def vinnova():
    compiled = compile_deck(VINNOVA, join_url=f"http://127.0.0.1:8000/{CODE}")
    index = {s["id"]: s["index"] for s in compiled.manifest["slides"]}
    return compiled, index


@pytest.fixture
def served(vinnova):
    compiled, index = vinnova
    app = create_app(compiled, open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        yield base, index


def seconds(text: str) -> int:
    m, s = re.search(r"(\d+):(\d\d)", text).groups()
    return int(m) * 60 + int(s)


READERS = {  # each screen's remaining time, as it shows it
    "projector": "document.querySelector('.dp-timer-digits').textContent",
    "console": "document.querySelector('.dp-sv-timer-time').textContent",
    "phone": "document.getElementById('jp-timer').textContent",
}


def shown(screens) -> dict[str, int]:
    """Every screen's time, read within a few milliseconds of each other."""
    texts = {name: page.evaluate(READERS[name.rstrip("12")]) for name, page in screens.items()}
    return {name: seconds(text) for name, text in texts.items()}


def wait_all(screens, condition: str) -> None:
    for name, page in screens.items():
        page.wait_for_function(f"(t => {condition})({READERS[name.rstrip('12')]})", timeout=3000)


def near(target: int) -> str:
    """A condition on a screen's text `t`: its time is within a second of `target`."""
    value = "(/(\\d+):(\\d\\d)/.exec(t) || [0, -99, 0]).slice(1).reduce((m, s) => 60 * +m + +s)"
    return f"Math.abs({value} - {target}) <= 1"


def test_every_screen_shows_the_same_time_and_follows_the_console(browser, served, axe_js):
    base, index = served
    presenter = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    phones = [
        browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        for _ in range(2)
    ]
    try:
        deck = presenter.new_page()
        deck.goto(f"{base}/?key={KEY}#/{index['gruppovning']}")  # reaching it starts it
        console = presenter.new_page()
        console.set_viewport_size({"width": 1366, "height": 768})
        console.goto(f"{base}/?key={KEY}&view=speaker#/{index['gruppovning']}")
        screens = {"projector": deck, "console": console}
        for n, context in enumerate(phones, 1):
            phone = context.new_page()
            phone.goto(f"{base}/{CODE}")
            screens[f"phone{n}"] = phone
        wait_all(screens, "/1[45]:\\d\\d/.test(t)")
        times = shown(screens)
        assert max(times.values()) - min(times.values()) <= 1, times
        assert 14 * 60 <= min(times.values()) <= 15 * 60
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        deck.screenshot(path=str(ARTIFACTS / "workshop-projector-timer.png"))
        # Pause in the console: every screen stops at the same second.
        console.get_by_role("button", name="Pausa nedräkningen").click()
        console.wait_for_selector(".dp-sv-timer [aria-label='Fortsätt nedräkningen']")
        deck.wait_for_selector(".dp-timer.dp-timer-paused")
        for name in ("phone1", "phone2"):
            screens[name].wait_for_selector("#jp-timer.jp-timer-paused")
        paused = shown(screens)
        assert max(paused.values()) - min(paused.values()) <= 1, paused
        time.sleep(1.5)
        assert shown(screens) == paused  # it stays paused
        # +1 min reaches every screen.
        console.get_by_role("button", name="+1 min").click()
        target = max(paused.values()) + 60
        wait_all(screens, near(target))
        # A reload keeps the time (the server's, not a new countdown).
        screens["phone1"].reload()
        deck.reload()
        wait_all(screens, near(target))
        # Resume: they run again, together.
        console.get_by_role("button", name="Fortsätt nedräkningen").click()
        deck.wait_for_selector(".dp-timer:not(.dp-timer-paused)")
        time.sleep(2.2)
        running = shown(screens)
        assert max(running.values()) - min(running.values()) <= 1, running
        assert max(running.values()) <= target - 1
        console.screenshot(path=str(ARTIFACTS / "workshop-console-timer.png"))
        screens["phone2"].screenshot(path=str(ARTIFACTS / "workshop-phone-timer.png"))
        assert violations(screens["phone2"], axe_js) == []
        assert violations(console, axe_js) == []
    finally:
        presenter.close()
        for context in phones:
            context.close()


def test_the_sharing_round_shows_only_the_current_tables_answers(browser, served, axe_js):
    base, index = served
    slide = index["fraga-involverade"]
    httpx.post(f"{base}/api/v1/polls/involverade/open", headers=AUTH).raise_for_status()
    answers = {
        "2": ["Kommunerna", "Regionen"],
        "5": ["Invånarna"],
        "9": ["Näringslivet", "Akademin", "Civilsamhället"],
    }
    for table, texts in answers.items():
        for text in texts:
            voter = httpx.post(f"{base}/api/v1/voters").json()["voter"]
            r = httpx.post(
                f"{base}/api/v1/polls/involverade/answers",
                json={"text": text, "group": table},
                headers={"X-Deckpoll-Voter": voter},
            )
            assert r.status_code == 200, r.text
    presenter = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    try:
        deck = presenter.new_page()
        deck.goto(f"{base}/?key={KEY}#/{slide}")
        wall = deck.locator(f'.dp-slide[data-dp-index="{slide}"] .dp-poll-entry-text')
        expect(wall).to_have_count(6)
        phone = phone_context.new_page()
        phone.goto(f"{base}/{CODE}")
        phone.get_by_label("Bord 5", exact=True).check()
        phone.get_by_role("button", name="Välj").click()
        count = deck.locator(f'.dp-slide[data-dp-index="{slide}"] .dp-poll-count')
        for table in ("2", "5", "9"):
            deck.keyboard.press("]")
            n = len(answers[table])
            expect(count).to_have_text(f"Bord {table} – {n} svar")
            expect(wall).to_have_count(n)
            assert sorted(wall.all_text_contents()) == sorted(answers[table])
            expect(phone.locator(".jp-sharing")).to_have_text(f"Nu delar: Bord {table}")
            if table == "9":
                deck.screenshot(path=str(ARTIFACTS / "workshop-sharing-round.png"))
        deck.keyboard.press("]")  # after the last table: everyone together
        expect(count).to_have_text("Alla bord – 6 svar")
        expect(wall).to_have_count(6)
        deck.keyboard.press("[")
        expect(count).to_have_text("Bord 9 – 3 svar")
        # The console steers the same round, and ends it.
        console = presenter.new_page()
        console.set_viewport_size({"width": 1366, "height": 768})
        console.goto(f"{base}/?key={KEY}&view=speaker#/{slide}")
        share = console.get_by_role("group", name="Delningsrunda")
        expect(share).to_contain_text("Bord 9 – 3 svar")
        console.screenshot(path=str(ARTIFACTS / "workshop-console-sharing.png"))
        share.get_by_role("button", name="Alla bord").click()
        expect(count).to_have_text("Alla bord – 6 svar")
        share.get_by_role("button", name="Avsluta delningsrundan").click()
        expect(count).to_have_text("6 deltagare · 6 svar")
        assert violations(console, axe_js) == []
    finally:
        presenter.close()
        phone_context.close()
