"""examples/minimal_backend.py, written from docs/protocol.md: it passes the conformance kit,
and the Vinnova deck runs on it in Chromium, a presenter and two phones, with the phone
page the build wrote (`--join-page`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from deckpoll.build import build  # noqa: E402
from deckpoll.conformance import check  # noqa: E402
from server_fixtures import KEY, live_server  # noqa: E402
from test_protocol_check import DECK_YAML, SLIDES  # noqa: E402

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"


def example():
    spec = importlib.util.spec_from_file_location(
        "minimal_backend", ROOT / "examples" / "minimal_backend.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_passes_the_kit(tmp_path: Path) -> None:
    deck = tmp_path / "kit-talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    (deck / "slides.md").write_text(SLIDES)
    out = build(deck, tmp_path / "out", join_page=True)
    with live_server(example().create_app(out, KEY)) as base:
        report = check(base, KEY)
    lines = "\n".join(report.lines())
    assert not report.failed and all(o.result == "pass" for o in report.outcomes), lines


@pytest.mark.browser
def test_vinnova_deck_with_a_presenter_and_two_phones(browser, tmp_path: Path) -> None:
    out = build(ROOT / "decks" / "vinnova-innovation", tmp_path / "vinnova", join_page=True)
    assert (out / "join.html").is_file()
    log: list[str] = []
    with live_server(example().create_app(out, KEY)) as base:
        contexts = [browser.new_context(viewport={"width": 1280, "height": 720})]
        contexts += [
            browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True)
            for _ in range(2)
        ]
        try:
            presenter = contexts[0].new_page()
            presenter.on("pageerror", lambda e: log.append(str(e)))
            presenter.goto(f"{base}/?key={KEY}#/17")
            presenter.wait_for_selector("#dp-deck.dp-polls-live.dp-presenter", state="attached")
            phones = []
            for context in contexts[1:]:
                phone = context.new_page()
                phone.on("pageerror", lambda e: log.append(str(e)))
                phone.goto(f"{base}/490296")  # the join code: join.html as the build wrote it
                phone.locator("#jp-view").get_by_text("Väntar på nästa fråga").wait_for(
                    timeout=5000
                )
                phones.append(phone)
            # To the word cloud: the backend opens it, the phones follow.
            presenter.evaluate("window.deckpoll.go(18)")
            words = [["Tillit", "Mod"], ["tillit", "Tid"]]
            for phone, mine in zip(phones, words, strict=True):
                phone.locator("#jp-view").get_by_text("Vilka faktorer bör vi fokusera").wait_for(
                    timeout=5000
                )
                if phone.get_by_label("Bord 1", exact=True).count():  # the Vinnova polls ask
                    phone.get_by_label("Bord 1", exact=True).check()  # for the table first
                    phone.get_by_role("button", name="Välj").click()
                for n, word in enumerate(mine):
                    phone.locator("input.jp-text").fill(word)
                    phone.get_by_role("button", name="Skicka").click()
                    expect(phone.locator(".jp-mine li")).to_have_count(n + 1)
            cloud = presenter.locator('.dp-slide[data-dp-index="18"] svg.dp-poll-cloud')
            cloud.locator("text", has_text="Tillit").wait_for(timeout=5000)
            expect(cloud.locator(".dp-poll-word")).to_have_count(3)  # tillit grouped once
            count = presenter.locator('.dp-slide[data-dp-index="18"] .dp-poll-count')
            expect(count).to_contain_text("2 deltagare")
            presenter.screenshot(path=str(ARTIFACTS / "example-backend-vinnova-cloud.png"))
            # The open question: a wall of answers, on the slide and on the phones.
            presenter.evaluate("window.deckpoll.go(19)")
            for phone, text in zip(phones, ["Medborgarna", "Ledningen"], strict=True):
                phone.locator("#jp-view").get_by_text("Vilka skulle behöva vara").wait_for(
                    timeout=5000
                )
                phone.locator("textarea").fill(text)
                phone.get_by_role("button", name="Skicka").click()
            wall = presenter.locator('.dp-slide[data-dp-index="19"] .dp-poll-entry-text')
            for text in ("Medborgarna", "Ledningen"):
                wall.filter(has_text=text).wait_for(timeout=5000)
            phones[0].locator(".jp-wall li", has_text="Ledningen").wait_for(timeout=5000)
            phones[0].screenshot(path=str(ARTIFACTS / "example-backend-vinnova-phone.png"))
            presenter.screenshot(path=str(ARTIFACTS / "example-backend-vinnova-wall.png"))
        finally:
            for context in contexts:
                context.close()
    assert not log, log
