"""Answers per table in Chromium: the phone asks once per talk which table it sits at, lets the
voter change it, and each answer carries its table; the console filters by table."""

from __future__ import annotations

import sys
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
ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"
DECK_YAML = 'title: Bordsövning\nlang: sv\npolls:\n  code: "515151"\n  groups: 12\n'
SLIDES = """\
# Välkommen

---

```poll
id: fokus
kind: open
question: Vilka faktorer bör vi fokusera på?
max_answers: 3
group: true
```
"""


@pytest.fixture
def served(tmp_path):
    deck = tmp_path / "tables"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML, encoding="utf-8")
    (deck / "slides.md").write_text(SLIDES, encoding="utf-8")
    store = open_store("memory://")
    app = create_app(compile_deck(deck), store, presenter_key=KEY)
    with live_server(app) as base:
        yield base, store


def phone(browser, base: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/join")
    return context, page


def stored(base: str) -> list[tuple[str, str | None]]:
    """What the store holds, through the presenter's moderation list (ids ascending)."""
    r = httpx.get(
        f"{base}/api/v1/polls/fokus/moderation", headers={"Authorization": f"Bearer {KEY}"}
    )
    return [(a["value"]["text"], a["value"].get("group")) for a in r.json()["answers"]]


def test_phone_asks_for_its_table_once_and_answers_carry_it(browser, served, axe_js):
    base, _ = served
    auth = {"Authorization": f"Bearer {KEY}"}
    httpx.post(f"{base}/api/v1/state", json={"slide": 2}, headers=auth).raise_for_status()
    context, page = phone(browser, base)
    try:
        group = page.get_by_role("radiogroup", name="Vilket bord sitter du vid?")
        expect(group).to_be_visible()
        assert group.get_by_role("radio").count() == 12
        assert page.get_by_role("textbox").count() == 0  # the table comes first
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "workshop-phone-table.png"), full_page=True)
        assert violations(page, axe_js) == []
        page.get_by_label("Bord 3").check()
        page.get_by_role("button", name="Välj").click()
        expect(page.locator(".jp-table")).to_contain_text("Ditt bord: Bord 3")
        page.get_by_role("textbox").fill("Tillit")
        page.get_by_role("button", name="Skicka").click()
        expect(page.locator(".jp-mine li")).to_have_text(["Tillit"])
        assert stored(base) == [("Tillit", "3")]
        # Once per talk: a reload remembers the table.
        page.reload()
        expect(page.locator(".jp-table")).to_contain_text("Ditt bord: Bord 3")
        page.get_by_role("button", name="Byt bord").click()
        page.get_by_label("Bord 11").check()
        page.get_by_role("button", name="Välj").click()
        expect(page.locator(".jp-table")).to_contain_text("Ditt bord: Bord 11")
        page.get_by_role("textbox").fill("Mod")
        page.get_by_role("button", name="Skicka").click()
        expect(page.locator(".jp-mine li")).to_have_count(2)
        assert stored(base) == [("Tillit", "3"), ("Mod", "11")]
        page.screenshot(path=str(ARTIFACTS / "workshop-phone-answered.png"), full_page=True)
        assert violations(page, axe_js) == []
    finally:
        context.close()


def test_console_filters_answers_by_table(browser, served, axe_js):
    base, _ = served
    auth = {"Authorization": f"Bearer {KEY}"}
    httpx.post(f"{base}/api/v1/polls/fokus/open", headers=auth).raise_for_status()
    for n, (text, table) in enumerate([("Tillit", "3"), ("Mod", "3"), ("Tid", "7"), ("Data", "1")]):
        voter = httpx.post(f"{base}/api/v1/voters").json()["voter"]
        r = httpx.post(
            f"{base}/api/v1/polls/fokus/answers",
            json={"text": text, "group": table},
            headers={"X-Deckpoll-Voter": voter},
        )
        assert r.status_code == 200, (n, r.text)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    try:
        console = context.new_page()
        console.goto(f"{base}/?key={KEY}&view=speaker#/2")
        rows = console.locator(".dp-con-list > li .dp-con-text")
        expect(rows).to_have_count(4)
        pick = console.get_by_label("Bord", exact=True)
        expect(pick.locator("option[value='3']")).to_have_text("Bord 3 (2)")
        pick.select_option("3")
        expect(rows).to_have_text(["Mod", "Tillit"])
        pick.select_option("7")
        expect(rows).to_have_text(["Tid"])
        pick.select_option("")
        expect(rows).to_have_count(4)
        assert violations(console, axe_js) == []
    finally:
        context.close()
