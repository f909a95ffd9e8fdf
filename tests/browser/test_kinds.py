"""The newer kinds end to end in Chromium: a presenter and three phones; what one phone does
shows on the deck and on the other phones within a second."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from deckpoll.build import compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import KEY, live_server  # noqa: E402

XSS = '<img src=x onerror="alert(1)">'


pytestmark = pytest.mark.browser

CODE = "737373"
DECK_YAML = (
    f'title: Kinds\nlang: en\nslides: [slides.md]\npolls:\n  code: "{CODE}"\n'
    "reactions: [👏, ❤️, 😂, 🤔]\n"
)
SLIDES = """# Kinds

---

```poll
id: order
kind: ranking
question: What matters most?
options: [Time, Money, People, Tools]
```

---

## Between the polls

---

```poll
id: ask
kind: qa
question: Questions for us?
scope: deck
```

---

```poll
id: year
kind: quiz
question: Which year was it?
options: [{id: a, label: "1999"}, {id: b, label: "2017"}, {id: c, label: "2024"}]
correct: b
time_limit: 60
```

---

```poll
id: board
kind: leaderboard
question: Who leads?
```

---

## The end
"""


@pytest.fixture
def server(tmp_path: Path):
    folder = tmp_path / "kinds"
    folder.mkdir()
    (folder / "deck.yaml").write_text(DECK_YAML)
    (folder / "slides.md").write_text(SLIDES)
    compiled = compile_deck(folder, join_url=f"http://127.0.0.1/{CODE}")
    with live_server(create_app(compiled, open_store("memory://"), presenter_key=KEY)) as base:
        yield base


@pytest.fixture
def room(browser, server):
    """(presenter page, [three phone pages], errors seen): the deck at 1280x720 with the
    presenter key, the phones at 390x844 on the join page."""
    log: list[str] = []

    def watch(page):
        page.on("pageerror", lambda exc: log.append(f"pageerror: {exc}"))
        page.on("console", lambda m: log.append(m.text) if m.type == "error" else None)
        return page

    contexts = [browser.new_context(viewport={"width": 1280, "height": 720})]
    contexts += [
        browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        for _ in range(3)
    ]
    try:
        presenter = watch(contexts[0].new_page())
        presenter.goto(f"{server}/?key={KEY}")
        presenter.wait_for_selector("#dp-deck.dp-presenter", state="attached")
        phones = [watch(c.new_page()) for c in contexts[1:]]
        for phone in phones:
            phone.goto(f"{server}/{CODE}")
            phone.locator("#jp-view").get_by_text("Waiting for the next question").wait_for()
        yield presenter, phones, log
        assert not [e for e in log if "Failed to load resource" not in e], log
    finally:
        for context in contexts:
            context.close()


def within_a_second(locators) -> None:
    start = time.monotonic()
    for locator in locators:
        locator.wait_for(timeout=1000)
    assert time.monotonic() - start < 1.0


def test_ranking_by_keyboard_and_bars_best_first(room):
    presenter, phones, _ = room
    presenter.evaluate("window.deckpoll.go(2)")
    for phone in phones:
        phone.locator(".jp-rank").wait_for(timeout=3000)
    # two phones send their order as it is, after one move (Tools to the top)
    for phone in phones[1:]:
        for _ in range(3):
            phone.get_by_role("button", name="Move up: Tools").click()
        phone.get_by_role("button", name="Send").click()
        phone.locator(".jp-thanks").wait_for()
    # the first phone by keyboard only: People down to the end; its down button is then
    # disabled, so focus moves to its twin, and the live region says the new place
    phone = phones[0]
    phone.get_by_role("button", name="Move down: People").focus()
    phone.keyboard.press("Enter")
    expect(phone.locator(".jp-rank-label")).to_have_text(["Time", "Money", "Tools", "People"])
    assert phone.evaluate("document.activeElement.getAttribute('aria-label')") == "Move up: People"
    expect(phone.locator("#jp-say")).to_have_text("People: place 4")
    # Time down one place: focus stays on the button pressed
    phone.get_by_role("button", name="Move down: Time").focus()
    phone.keyboard.press("Enter")
    expect(phone.locator(".jp-rank-label")).to_have_text(["Money", "Time", "Tools", "People"])
    assert phone.evaluate("document.activeElement.getAttribute('aria-label')") == "Move down: Time"
    phone.get_by_role("button", name="Send").click()
    # Borda with 4 options: Tools 4+4+2 = 10, Time 3+3+3 = 9, Money 2+2+4 = 8, People 1+1+1
    slide = presenter.locator('.dp-slide[data-dp-index="2"]')
    labels = slide.locator(".dp-poll-bar-label")
    within_a_second(
        [
            slide.locator(".dp-poll-count", has_text="3 participants"),
            *[p.locator(".jp-ranked li", has_text="10 points") for p in phones[1:]],
        ]
    )
    expect(labels).to_have_text(["1. Tools", "2. Time", "3. Money", "4. People"])
    expect(slide.locator(".dp-poll-bar-value").first).to_have_text("10 pts · avg 1.67")
    # change the answer: the form comes back with the order sent
    phone.locator(".jp-thanks").wait_for()
    phone.get_by_role("button", name="Change my answer").click()
    expect(phone.locator(".jp-rank-label")).to_have_text(["Money", "Time", "Tools", "People"])


def test_questions_votes_and_marks_on_every_slide(room, server):
    presenter, phones, _ = room
    presenter.evaluate("window.deckpoll.go(3)")  # a slide without a poll: the Q&A is open
    for phone in phones:
        phone.get_by_role("button", name="Questions").click()
        phone.locator(".jp-qas, .jp-res").first.wait_for(timeout=3000)
    ask = phones[0]
    ask.get_by_role("textbox", name="Questions for us?").fill("Why now?")
    ask.get_by_label("Your name (optional)").fill("Anna")
    ask.get_by_role("button", name="Send").click()
    ask.locator(".jp-thanks").wait_for()
    within_a_second([p.locator(".jp-qa", has_text="Why now?") for p in phones[1:]])
    phones[1].get_by_role("textbox", name="Questions for us?").fill(XSS)
    phones[1].get_by_role("button", name="Send").click()
    within_a_second([p.locator(".jp-qa", has_text=XSS) for p in (phones[0], phones[2])])
    assert phones[0].locator(".jp-qa img").count() == 0
    # two votes on Anna's question; the vote button says it is pressed
    for phone in phones[1:]:
        phone.get_by_role("button", name=re.compile(r"^Vote: Why now\? \(\d\)$")).click()
        expect(phone.locator('.jp-vote[aria-pressed="true"]')).to_have_count(1)
    within_a_second([ask.locator(".jp-qa", has_text="Why now?").locator(".jp-vote", has_text="2")])
    # the big screen: the top question first, with its votes and name
    presenter.evaluate("window.deckpoll.go(4)")
    slide = presenter.locator('.dp-slide[data-dp-index="4"]')
    cards = slide.locator(".dp-qa")
    expect(cards.first.locator(".dp-qa-text")).to_have_text("Why now?")
    expect(cards.first.locator(".dp-qa-votes")).to_have_text("2")
    expect(cards.first.locator(".dp-qa-by")).to_have_text("Anna")
    assert slide.locator(".dp-qa img").count() == 0
    # a vote taken back shows on the deck within a second
    phones[2].get_by_role("button", name="Vote: Why now? (2)").click()
    within_a_second([cards.first.locator(".dp-qa-votes", has_text="1")])
    # the console pins the other question (first now) and marks Anna's answered (set apart)
    console = presenter.context.new_page()
    console.goto(f"{server}/?key={KEY}&view=speaker#/4")
    console.get_by_role("button", name=f"Pin: {XSS}").click()
    within_a_second([cards.first.locator(".dp-qa-text", has_text=XSS)])
    console.get_by_role("button", name="Answered: Why now?").click()
    side = slide.locator(".dp-qa-side")
    within_a_second(
        [side.locator(".dp-qa-text", has_text="Why now?")]
        + [p.locator(".jp-qas-done .jp-qa", has_text="Why now?") for p in phones]
    )
    expect(side.locator(".dp-qa-side-head")).to_have_text("Answered (1)")
    # the phones: newest first on request
    phone = phones[2]
    phone.get_by_role("button", name="Newest").click()
    expect(phone.locator(".jp-qas:not(.jp-qas-done) .jp-qa-text")).to_have_text([XSS])
    console.close()


def test_quiz_reveal_and_leaderboard(room, server):
    presenter, phones, _ = room
    presenter.evaluate("window.deckpoll.go(5)")
    slide = presenter.locator('.dp-slide[data-dp-index="5"]')
    for phone in phones:
        expect(phone.locator(".jp-clock")).to_have_text(re.compile(r"^\d+ s left$"))
    for phone, year in zip(phones, ["2017", "1999", "2017"], strict=True):
        phone.locator("form").get_by_text(year, exact=True).click()
        phone.get_by_role("button", name="Send").click()
        phone.locator(".jp-thanks").wait_for()
        assert phone.get_by_role("button", name="Change my answer").count() == 0
    within_a_second([slide.locator(".dp-poll-count", has_text="3 participants")])
    expect(slide.locator(".dp-quiz-clock")).to_contain_text(" s")
    # before the reveal: no mark of the right answer anywhere
    for page in (presenter, *phones):
        assert "✓" not in page.locator("body").inner_text()
    # a nickname for the leaderboard, from under the quiz's results
    phones[0].get_by_label("Nickname for the leaderboard (optional)").fill("Räven")
    phones[0].get_by_role("button", name="Save").click()
    expect(phones[0].locator(".jp-nick .jp-note")).to_have_text("Saved.")
    # the speaker console reveals it: the deck and every phone within a second
    console = presenter.context.new_page()
    console.goto(f"{server}/?key={KEY}&view=speaker#/5")
    console.get_by_role("button", name="Reveal the answer").click()
    within_a_second(
        [slide.locator(".dp-poll-bar-label", has_text="✓ 2017")]
        + [p.locator(".jp-res", has_text="✓ 2017") for p in phones]
    )
    expect(phones[0].locator(".jp-res .jp-thanks")).to_have_text(
        re.compile(r"^Correct! \+\d+ points$")
    )
    expect(phones[1].locator(".jp-res")).to_contain_text("Not quite")
    expect(slide.locator(".dp-quiz-clock")).to_have_text("2 right")
    # the leaderboard: two players with points, the nickname first or tied first
    presenter.evaluate("window.deckpoll.go(6)")
    board = presenter.locator('.dp-slide[data-dp-index="6"] .dp-board-row')
    expect(board).to_have_count(2)
    expect(board.filter(has_text="Räven")).to_have_count(1)
    expect(board.first.locator(".dp-board-place")).to_have_text("1")
    for phone in phones:
        expect(phone.locator(".jp-ranked li")).to_have_count(2)
    console.close()


def test_reactions_float_on_the_deck_or_count_under_reduced_motion(room):
    presenter, phones, _ = room
    presenter.evaluate("window.deckpoll.go(3)")
    bar = phones[0].get_by_role("group", name="Reactions")
    expect(bar.get_by_role("button")).to_have_count(4)
    bar.get_by_role("button", name="React with 👏").click()
    within_a_second([presenter.locator(".dp-reactions .dp-reaction", has_text="👏").first])
    # reduced motion: no movement, a counter of what came
    presenter.emulate_media(reduced_motion="reduce")
    for phone in phones[1:]:
        phone.get_by_role("group", name="Reactions").get_by_role(
            "button", name="React with ❤️"
        ).click()
    within_a_second([presenter.locator(".dp-reactions-still", has_text="❤️ 2")])
    assert presenter.locator(".dp-reactions .dp-reaction").count() <= 1
