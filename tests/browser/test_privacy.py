"""Data protection in Chromium: the phone's privacy notice (default, from polls.retention,
and replaced by polls.privacy) at 390x844; answers that look like personal data are held
back from every screen, flagged in the console, released or hidden one by one."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from test_console import ARTIFACTS, CODE, KEY, presenter_call, say, served, vinnova  # noqa: E402,F401
from test_polls_a11y import violations  # noqa: E402

from deckpoll.build import compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import live_server  # noqa: E402

pytestmark = pytest.mark.browser

PERSONAL = {
    "Ring mig på 070-123 45 67": "telefonnummer?",
    "anna.svensson@example.se": "e-postadress?",
    "Mitt nummer är 811228-9874": "personnummer?",
}
ORDINARY = ["Kommunerna", "Regionerna", "Nummer 811228-9875 är inget personnummer"]


def test_the_phone_shows_the_privacy_notice_with_the_retention(browser, tmp_path, axe_js):
    deck = tmp_path / "talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(
        "title: Övning\nlang: sv\nslides: [s.md]\npolls:\n  code: '4711'\n  retention: 30d\n"
    )
    (deck / "s.md").write_text(
        "# Hej\n\n---\n\n```poll\nid: ord\nkind: open\nquestion: Ett ord?\n```\n"
    )
    app = create_app(compile_deck(deck), open_store("memory://"), presenter_key=KEY)
    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, color_scheme=scheme, bypass_csp=True
        )
        try:
            with live_server(app) as base:
                phone = context.new_page()
                phone.goto(f"{base}/4711")
                notice = phone.locator("footer.jp-privacy")
                expect(notice).to_contain_text("Om dina svar.")
                expect(notice).to_contain_text("inga namn och inga IP-adresser")
                expect(notice).to_contain_text("Svaren sparas i 30 dagar och raderas sedan.")
                ARTIFACTS.mkdir(exist_ok=True)
                phone.screenshot(path=str(ARTIFACTS / f"phone-privacy-390x844-{scheme}.png"))
                found = violations(phone, axe_js)
                assert not found, found
                scroll = phone.evaluate("document.documentElement.scrollWidth")
                assert scroll <= 390
        finally:
            context.close()
    (deck / "deck.yaml").write_text(
        "title: Övning\nlang: sv\nslides: [s.md]\npolls:\n  code: '4711'\n"
        "  privacy: Svaren raderas efter dagens workshop. Frågor till dpo@example.se.\n"
    )
    app = create_app(compile_deck(deck), open_store("memory://"), presenter_key=KEY)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        with live_server(app) as base:
            phone = context.new_page()
            phone.goto(f"{base}/4711")
            notice = phone.locator("footer.jp-privacy")
            expect(notice).to_contain_text("Svaren raderas efter dagens workshop.")
            expect(notice).not_to_contain_text("IP-adresser")
    finally:
        context.close()


def test_personal_data_is_held_back_and_flagged_in_the_console(browser, served):  # noqa: F811
    base, slides = served
    presenter_call(base, "polls/involverade/open")
    for n, text in enumerate([*ORDINARY, *PERSONAL]):
        say(base, "involverade", text, n)
    presenter = browser.new_context(viewport={"width": 1366, "height": 768})
    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        deck = presenter.new_page()
        deck.goto(f"{base}/?key={KEY}#/{slides['involverade']}")
        console = presenter.new_page()
        console.goto(f"{base}/?key={KEY}&view=speaker#/{slides['involverade']}")
        slide = deck.locator(f'.dp-slide[data-dp-index="{slides["involverade"]}"]')
        for text in ORDINARY:
            slide.locator(".dp-poll-entry", has_text=text).wait_for(timeout=3000)
        for text in PERSONAL:
            expect(slide.locator(".dp-poll-entry", has_text=text)).to_have_count(0)
        for text, flag in PERSONAL.items():
            row = console.locator(".dp-con-list > li", has_text=text)
            expect(row.locator(".dp-con-tag-personal")).to_have_text(flag)
        ordinary = console.locator(".dp-con-list > li", has_text=ORDINARY[2])
        expect(ordinary.locator(".dp-con-tag")).to_have_count(0)
        # "Approve all" is not offered for them: each is released or hidden on its own
        expect(console.get_by_role("button", name="Godkänn alla", exact=False)).to_have_count(0)
        ARTIFACTS.mkdir(exist_ok=True)
        console.screenshot(path=str(ARTIFACTS / "console-personal-data-1366x768.png"))
        console.get_by_role("button", name="Släpp fram: anna.svensson@example.se").click()
        slide.locator(".dp-poll-entry", has_text="anna.svensson@example.se").wait_for(timeout=2000)
        console.get_by_role("button", name="Dölj: Mitt nummer är 811228-9874").click()
        expect(console.locator(".dp-con-list > li", has_text="811228-9874").first).to_have_class(
            "dp-con-row dp-con-off"
        )
        # a phone that sends one is told why it waits
        phone = phone_context.new_page()
        phone.goto(f"{base}/{CODE}")
        phone.get_by_label("Bord 1", exact=True).check()  # the Vinnova polls ask for the table
        phone.get_by_role("button", name="Välj").click()
        phone.locator("textarea").fill("Nå mig på maria@example.org")
        phone.get_by_role("button", name="Skicka").click()
        phone.locator(".jp-mine li", has_text="maria@example.org").get_by_text(
            "kan innehålla personuppgifter", exact=False
        ).wait_for(timeout=3000)
        phone.screenshot(path=str(ARTIFACTS / "phone-personal-held-390x844.png"))
        expect(slide.locator(".dp-poll-entry", has_text="maria@example.org")).to_have_count(0)
    finally:
        presenter.close()
        phone_context.close()


def test_the_phone_forgets_its_token_when_it_expires(browser, tmp_path):
    """#17: the token expires with polls.retention, on the phone as on the server."""
    deck = tmp_path / "talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(
        "title: Övning\nlang: sv\nslides: [s.md]\npolls:\n  code: '4711'\n  retention: 1h\n"
    )
    (deck / "s.md").write_text(
        "# Hej\n\n---\n\n```poll\nid: ord\nkind: open\nquestion: Ett ord?\n```\n"
    )
    app = create_app(compile_deck(deck), open_store("memory://"), presenter_key=KEY)
    read = (
        "Object.entries(localStorage).filter(([k]) => k.startsWith('deckpoll-voter:'))"
        ".map(([k, v]) => [k, JSON.parse(v)])"
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        with live_server(app) as base:
            presenter_call(base, "polls/ord/open")
            httpx.post(
                f"{base}/api/v1/state",
                json={"slide": 2},
                headers={"Authorization": f"Bearer {KEY}"},
            )
            phone = context.new_page()
            phone.goto(f"{base}/4711")
            phone.locator("textarea").fill("Tillit")
            phone.get_by_role("button", name="Skicka").click()
            expect(phone.locator(".jp-mine li", has_text="Tillit")).to_be_visible()
            ((key, saved),) = phone.evaluate(read)
            assert 3500 < saved["expires"] - phone.evaluate("Date.now() / 1000") <= 3600
            phone.reload()
            expect(phone.locator(".jp-mine li", has_text="Tillit")).to_be_visible()
            assert phone.evaluate(read)[0][1]["voter"] == saved["voter"]  # kept while valid
            phone.evaluate(
                "([k, v]) => localStorage.setItem(k, JSON.stringify({...v, expires: 1}))",
                [key, saved],
            )
            phone.reload()
            phone.locator("textarea").wait_for()
            expect(phone.locator(".jp-mine li", has_text="Tillit")).to_have_count(0)
            phone.locator("textarea").fill("Mod")
            phone.get_by_role("button", name="Skicka").click()
            expect(phone.locator(".jp-mine li", has_text="Mod")).to_be_visible()
            assert phone.evaluate(read)[0][1]["voter"] != saved["voter"]
    finally:
        context.close()


def test_the_console_merges_and_splits_word_groups_and_shows_similar_answers(
    browser,
    served,  # noqa: F811
):
    base, slides = served
    presenter_call(base, "polls/fokus/open")
    for n, word in enumerate(
        ["Tillit", "tilliten", "Förtroende", "Organisation", "organisationer"]
    ):
        say(base, "fokus", word, n)
    presenter_call(base, "polls/involverade/open")
    for n, text in enumerate(["Kommunerna och regionerna", "regionerna, kommunerna", "Invånarna"]):
        say(base, "involverade", text, n)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        deck = context.new_page()
        deck.goto(f"{base}/?key={KEY}#/{slides['fokus']}")
        console = context.new_page()
        console.goto(f"{base}/?key={KEY}&view=speaker#/{slides['fokus']}")
        rows = console.locator(".dp-con-list > li")
        expect(rows).to_have_count(3)  # Tillit/tilliten and Organisation/-er are one word each
        console.get_by_role("checkbox", name="Välj för att slå ihop: Tillit").check()
        console.get_by_role("checkbox", name="Välj för att slå ihop: Förtroende").check()
        console.get_by_role("button", name="Slå ihop (2)").click()
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text="Tillit").locator(".dp-con-n")).to_have_text("3")
        cloud = deck.locator(f'.dp-slide[data-dp-index="{slides["fokus"]}"] .dp-poll-word')
        expect(cloud).to_have_count(2)
        console.screenshot(path=str(ARTIFACTS / "console-merge-1366x768.png"))
        console.get_by_role("button", name="Dela upp: Organisation").click()
        expect(rows).to_have_count(3)
        expect(cloud).to_have_count(3)
        console.evaluate(f"location.hash = '#/{slides['involverade']}'")
        console.get_by_role("button", name="Liknande svar").click()
        cluster = console.locator(".dp-con-cluster").first
        expect(cluster).to_contain_text("Kommunerna och regionerna")
        expect(cluster.locator(".dp-con-n")).to_have_text("2")
        expect(console.locator(".dp-con-cluster")).to_have_count(2)
        console.screenshot(path=str(ARTIFACTS / "console-synthesis-1366x768.png"))
    finally:
        context.close()
