"""The speaker console in Chromium, on the Vinnova deck: a presenter (deck and speaker view,
both with the key), phones, 40 answers; hide, pre-approval, reset with undo, axe-core."""

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
from server_fixtures import KEY, live_server, minted  # noqa: E402

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
VINNOVA = REPO / "decks" / "vinnova-innovation"
CODE = "490296"

# 35 distinct words from 40 answers: case variants, an emoji, long Swedish compounds.
WORDS = [
    "Tillit", "Mod", "Ledarskap", "Samverkan", "Tid", "Resurser", "Kultur", "Experimentlust",
    "Digitalisering", "Medarbetardriven innovation", "Förändringsledning", "🚀", "Lärande",
    "Nyfikenhet", "Budget", "Styrning", "Användarfokus", "Mandat", "Kompetensförsörjning",
    "Riskvilja", "Prototyper", "Uppföljning", "Psykologisk trygghet", "Dialog", "Öppenhet",
    "Innovationsupphandling", "Tvärfunktionella team", "Långsiktighet", "Ledningens stöd",
    "Data", "AI", "Mod att misslyckas", "Kommunikation", "Invånarnära", "Arbetsglädje",
]  # fmt: skip
EXTRA = ["tillit", "TILLIT", "mod", "Samverkan ", "ledarskap"]  # 5 more answers, same groups


_TOKENS: dict[tuple[str, int], str] = {}


def voter(base: str, n: int) -> dict[str, str]:
    """Voter n's token on the server at `base` (issued by it, as a phone's is)."""
    if (base, n) not in _TOKENS:
        _TOKENS[base, n] = minted(base)
    return {"X-Deckpoll-Voter": _TOKENS[base, n]}


def say(base: str, poll: str, text: str, n: int) -> int:
    r = httpx.post(
        f"{base}/api/v1/polls/{poll}/answers", json={"text": text}, headers=voter(base, n)
    )
    assert r.status_code == 200, r.text
    return r.json()["id"]


def sit_at(phone, table: str) -> None:
    """The Vinnova polls collect answers per table: the phone asks for it first."""
    phone.get_by_label(table, exact=True).check()
    phone.get_by_role("button", name="Välj").click()


def presenter_call(base: str, path: str) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/{path}", headers={"Authorization": f"Bearer {KEY}"})


@pytest.fixture(scope="module")
def vinnova():
    compiled = compile_deck(VINNOVA)
    slides = {p["id"]: p["slide"] for p in compiled.manifest["polls"]}
    return compiled, slides


@pytest.fixture
def served(vinnova):
    compiled, slides = vinnova
    app = create_app(compiled, open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        yield base, slides


def no_controls_on_the_projector(deck) -> None:
    """The projected deck shows content only: no button, no open dialog, no hover effect."""
    found = deck.evaluate(
        """() => ({
          buttons: [...document.querySelectorAll('#dp-deck button, #dp-deck [role=button]')]
            .filter(b => b.getClientRects().length).length,
          dialogs: document.querySelectorAll('dialog[open]').length,
          hoverRules: [...document.styleSheets].flatMap(s => [...s.cssRules])
            .filter(r => r.selectorText && /dp-poll[^,{]*:hover/.test(r.selectorText)).length,
        })"""
    )
    assert found == {"buttons": 0, "dialogs": 0, "hoverRules": 0}, found


def word_centres(page, slide: int) -> dict[str, tuple[float, float]]:
    """Each drawn word's centre in the cloud's own units (x is the text's middle)."""
    found = page.evaluate(
        """(n) => [...document.querySelectorAll(
             `.dp-slide[data-dp-index="${n}"] svg.dp-poll-cloud .dp-poll-word`)]
             .map(t => [t.textContent, +t.getAttribute('x'),
                        +t.getAttribute('y') - 0.35 * +t.getAttribute('font-size')])""",
        slide,
    )
    return {word: (x, y) for word, x, y in found}


def test_hiding_a_word_in_the_console_removes_it_everywhere_within_a_second(browser, served):
    base, slides = served
    cloud = slides["fokus"]
    dialogs: list[str] = []
    presenter = browser.new_context(viewport={"width": 1280, "height": 720})
    phones = [browser.new_context(viewport={"width": 390, "height": 800}) for _ in range(2)]
    try:
        deck = presenter.new_page()
        deck.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        deck.goto(f"{base}/?key={KEY}#/{cloud}")
        expect(deck.locator("#dp-deck")).to_have_class(re.compile("dp-presenter"))
        console = presenter.new_page()
        console.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        console.set_viewport_size({"width": 1366, "height": 768})
        console.goto(f"{base}/?key={KEY}&view=speaker#/{cloud}")
        expect(console.locator(".dp-con-badge").first).to_have_text("Öppen")
        pages = []
        for context, word in zip(phones, EXTRA[-2:], strict=True):
            phone = context.new_page()
            phone.goto(f"{base}/{CODE}")
            sit_at(phone, "Bord 1")
            phone.locator("input.jp-text").fill(word)
            phone.get_by_role("button", name="Skicka").click()
            pages.append(phone)
        for n, word in enumerate(WORDS + EXTRA[:-2]):
            say(base, "fokus", word, n)
        expect(console.locator(".dp-con-count-answers dd")).to_have_text("40")
        expect(console.locator(".dp-con-count-participants dd")).to_have_text("40")
        expect(console.locator(".dp-con-count-phones dd")).to_have_text("2")
        # every group is listed, biggest first, with its members
        expect(console.locator(".dp-con-list > li")).to_have_count(35)
        first = console.locator(".dp-con-list > li").first
        expect(first.locator(".dp-con-text").first).to_have_text("Tillit")
        expect(first.locator(".dp-con-n")).to_have_text("3")
        first.locator("summary").click()
        expect(first.locator(".dp-con-members li")).to_have_count(3)
        for phone in pages:
            phone.locator(".jp-words li", has_text="Kultur").wait_for(timeout=2000)
        deck.locator(".dp-poll-word", has_text="Kultur").wait_for(timeout=2000)
        no_controls_on_the_projector(deck)

        console.locator(".dp-con-search").fill("kult")
        expect(console.locator(".dp-con-list > li")).to_have_count(1)
        console.get_by_role("button", name="Dölj: Kultur").click()
        hidden_at = time.monotonic()
        deck.locator(".dp-poll-word", has_text="Kultur").wait_for(state="detached", timeout=1000)
        for phone in pages:
            phone.locator(".jp-words li", has_text="Kultur").wait_for(
                state="detached", timeout=1000
            )
        assert time.monotonic() - hidden_at < 1.0
        assert "Kultur" not in word_centres(deck, cloud)
        no_controls_on_the_projector(deck)

        # the hidden filter lists it; showing it again brings it back
        console.locator(".dp-con-search").fill("")
        console.get_by_role("button", name="Dolda 1").click()
        expect(console.locator(".dp-con-list > li")).to_have_count(1)
        console.get_by_role("button", name="Visa: Kultur").click()
        deck.locator(".dp-poll-word", has_text="Kultur").wait_for(timeout=1000)
        assert not dialogs, dialogs

        ARTIFACTS.mkdir(exist_ok=True)
        console.get_by_role("button", name="Alla 35").click()
        console.screenshot(path=str(ARTIFACTS / "console-cloud-1366x768.png"))
        console.set_viewport_size({"width": 1920, "height": 1080})
        console.screenshot(path=str(ARTIFACTS / "console-cloud-1920x1080.png"))
        # the poll panel fits the laptop screen: nothing below the window's edge
        for size in ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080}):
            console.set_viewport_size(size)
            fits = console.evaluate(
                """() => [...document.querySelectorAll('.dp-con, .dp-sv-cur, .dp-sv aside')]
                     .every(e => e.getBoundingClientRect().bottom <= innerHeight + 1)"""
            )
            assert fits, size
    finally:
        for context in [presenter, *phones]:
            context.close()


def test_an_open_wall_of_30_answers_in_the_console(browser, served):
    base, slides = served
    presenter_call(base, "polls/involverade/open")
    for n in range(30):
        text = "Kommunerna och regionerna behöver vara med " * (1 + n % 3) + f"(svar {n + 1})"
        say(base, "involverade", text.strip(), n)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        console = context.new_page()
        console.goto(f"{base}/?key={KEY}&view=speaker#/{slides['involverade']}")
        expect(console.locator(".dp-con-list > li")).to_have_count(30)
        # newest first, each answer in full
        expect(console.locator(".dp-con-list > li .dp-con-text").first).to_contain_text("(svar 30)")
        longest = console.locator(".dp-con-text", has_text="(svar 30)").inner_text()
        assert longest.count("Kommunerna") == 3
        console.screenshot(path=str(ARTIFACTS / "console-wall-1366x768.png"))
    finally:
        context.close()


def test_hiding_a_word_moves_no_other_word(browser, served):
    base, slides = served
    cloud = slides["fokus"]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        deck = context.new_page()
        deck.goto(f"{base}/?key={KEY}#/{cloud}")
        expect(deck.locator("#dp-deck")).to_have_class(re.compile("dp-presenter"))
        # the answers arrive while the cloud is on screen, as in a talk
        ids = {word: say(base, "fokus", word, n) for n, word in enumerate(WORDS + EXTRA)}
        on_slide = deck.locator(f'.dp-slide[data-dp-index="{cloud}"]')
        expect(on_slide.locator(".dp-poll-count")).to_contain_text("40 svar")
        on_slide.locator(".dp-poll-word", has_text="Kultur").wait_for(timeout=3000)
        before = word_centres(deck, cloud)
        presenter_call(base, f"polls/fokus/answers/{ids['Kultur']}/hide")
        kultur = on_slide.locator(".dp-poll-word", has_text="Kultur")
        kultur.wait_for(state="detached", timeout=1000)
        after = word_centres(deck, cloud)
    finally:
        context.close()
    moved = {
        w: (xy, after.get(w))
        for w, xy in before.items()
        if w != "Kultur"
        and (w not in after or max(abs(a - b) for a, b in zip(xy, after[w], strict=True)) > 0.5)
    }
    assert not moved, moved


HELD_DECK = 'title: Godkänn\nlang: en\nslides: [s.md]\npolls:\n  code: "616161"\n'
HELD_SLIDES = """# Start

---

```poll
id: wall
kind: open
question: What should we change?
moderation: approve
max_answers: 2
```

---

# End
"""


@pytest.fixture
def held(tmp_path):
    folder = tmp_path / "held"
    folder.mkdir()
    (folder / "deck.yaml").write_text(HELD_DECK)
    (folder / "s.md").write_text(HELD_SLIDES)
    app = create_app(compile_deck(folder), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        yield base


def test_pre_approval_end_to_end(browser, held):
    base = held
    dialogs: list[str] = []
    presenter = browser.new_context(viewport={"width": 1280, "height": 720})
    phone_context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        deck = presenter.new_page()
        deck.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        deck.goto(f"{base}/?key={KEY}#/2")
        console = presenter.new_page()
        console.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        console.goto(f"{base}/?key={KEY}&view=speaker#/2")
        console.get_by_text("Answers need approval").wait_for(timeout=3000)
        phone = phone_context.new_page()
        phone.goto(f"{base}/616161")
        phone.get_by_text("The presenter approves answers before they are shown.").wait_for(
            timeout=3000
        )
        phone.locator("textarea").fill("Shorter meetings")
        phone.get_by_role("button", name="Send").click()
        phone.locator(".jp-mine li", has_text="Shorter meetings").get_by_text(
            "waiting for approval"
        ).wait_for(timeout=2000)
        # held: the console has it waiting, the screens do not show it
        expect(console.locator(".dp-con-count-waiting dd")).to_have_text("1")
        row = console.locator(".dp-con-list > li", has_text="Shorter meetings")
        expect(row.locator(".dp-con-tag")).to_have_text("waiting")
        slide = deck.locator('.dp-slide[data-dp-index="2"]')
        expect(slide.locator(".dp-poll-count")).to_contain_text("0")
        assert slide.locator(".dp-poll-entry").count() == 0
        no_controls_on_the_projector(deck)
        console.set_viewport_size({"width": 1366, "height": 768})
        ARTIFACTS.mkdir(exist_ok=True)
        console.screenshot(path=str(ARTIFACTS / "console-approve-1366x768.png"))
        console.get_by_role("button", name="Approve: Shorter meetings").click()
        approved = time.monotonic()
        slide.locator(".dp-poll-entry", has_text="Shorter meetings").wait_for(timeout=1000)
        assert time.monotonic() - approved < 1.0
        phone.locator(".jp-wall li", has_text="Shorter meetings").wait_for(timeout=2000)
        expect(phone.locator(".jp-pending")).to_have_count(0)
        expect(console.locator(".dp-con-count-answers dd")).to_have_text("1")
        # "approve all" clears the queue in one go
        for n, text in enumerate(["Fewer slides", "More breaks"], start=1):
            say(base, "wall", text, n)
        console.get_by_role("button", name="Approve all (2)").click()
        slide.locator(".dp-poll-entry", has_text="More breaks").wait_for(timeout=2000)
        no_controls_on_the_projector(deck)
        assert not dialogs, dialogs
    finally:
        presenter.close()
        phone_context.close()


def test_reset_waits_for_its_undo_window(browser, held):
    base = held
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        console = context.new_page()
        console.goto(f"{base}/?key={KEY}&view=speaker#/2")
        console.get_by_text("Answers need approval").wait_for(timeout=3000)
        say(base, "wall", "Keep me", 0)
        expect(console.locator(".dp-con-list > li")).to_have_count(1)
        console.get_by_role("button", name="Reset…").click()
        notice = console.locator(".dp-con-notice")
        expect(notice).to_contain_text("will be deleted in")
        expect(console.get_by_role("button", name="Undo")).to_be_focused()
        console.keyboard.press("Enter")  # undo from the keyboard
        expect(notice).to_have_text("Reset cancelled; nothing was deleted.")
        console.wait_for_timeout(6500)
        answers = httpx.get(
            f"{base}/api/v1/polls/wall/moderation", headers={"Authorization": f"Bearer {KEY}"}
        )
        assert answers.json()["total"] == 1
        # not undone: sent when the window has passed
        console.get_by_role("button", name="Reset…").click()
        expect(notice).to_have_text("The answers were deleted.", timeout=9000)
        expect(console.locator(".dp-con-list > li")).to_have_count(0)
        assert (
            httpx.get(
                f"{base}/api/v1/polls/wall/moderation", headers={"Authorization": f"Bearer {KEY}"}
            ).json()["total"]
            == 0
        )
    finally:
        context.close()


def test_console_keyboard_and_axe(browser, served, axe_js):
    base, slides = served
    presenter_call(base, "polls/fokus/open")
    for n, word in enumerate(WORDS + EXTRA):
        say(base, "fokus", word, n)
    # axe-core is added as an inline script, which the deck's CSP refuses
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    try:
        console = context.new_page()
        console.goto(f"{base}/?key={KEY}&view=speaker#/{slides['fokus']}")
        expect(console.locator(".dp-con-list > li")).to_have_count(35)
        console.locator(".dp-con-search").focus()
        console.keyboard.type("budget")
        expect(console.locator(".dp-con-list > li")).to_have_count(1)
        console.keyboard.press("Tab")  # the filters, the row's merge checkbox, its button
        console.keyboard.press("Tab")
        console.keyboard.press("Tab")
        console.keyboard.press("Tab")
        focused = console.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
                 return {label: e.getAttribute('aria-label'), outline: s.outlineStyle,
                         width: parseFloat(s.outlineWidth), colour: s.outlineColor}; }"""
        )
        assert focused["label"] == "Dölj: Budget" and focused["outline"] != "none"
        assert focused["width"] >= 2
        assert focused["colour"] == "rgb(253, 186, 116)"  # 3:1 and more on the dark panel
        console.keyboard.press("Enter")
        expect(console.locator(".dp-con-list > li .dp-con-tag")).to_have_text("dold")
        # the slide did not move: keys in the console act on the console
        assert console.evaluate("window.deckpoll.state().index") == slides["fokus"]
        assert violations(console, axe_js) == []
    finally:
        context.close()


def test_the_next_preview_is_fully_revealed_with_live_results(browser, served):
    base, slides = served
    cloud = slides["fokus"]
    presenter_call(base, "polls/fokus/open")
    say(base, "fokus", "Tillit", 0)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        console = context.new_page()
        console.goto(f"{base}/?key={KEY}&view=speaker#/{cloud - 1}")
        preview = console.locator(".dp-preview > .dp-slide")
        expect(preview).to_have_attribute("data-dp-index", str(cloud))
        preview.locator(".dp-poll-word", has_text="Tillit").wait_for(timeout=2000)
        expect(preview.locator("[data-dp-offline]")).to_be_hidden()
        say(base, "fokus", "Mod", 1)
        preview.locator(".dp-poll-word", has_text="Mod").wait_for(timeout=2000)
        # a slide with steps: the preview shows every one of them
        stepped = console.evaluate(
            """() => [...window.deckpoll.slides].findIndex(s => s.querySelector('.dp-fragment'))"""
        )
        assert stepped >= 1
        console.evaluate(f"window.deckpoll.go({stepped}, 0)")
        expect(preview).to_have_attribute("data-dp-index", str(stepped + 1))
        hidden = preview.locator(".dp-fragment:not(.dp-visible)")
        expect(hidden).to_have_count(0)
        assert preview.locator(".dp-fragment").count() > 0
    finally:
        context.close()


def test_the_speaker_view_opened_with_s_is_the_presenter_console(browser, held):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        deck = context.new_page()
        deck.goto(f"{held}/?key={KEY}#/2")
        expect(deck.locator("#dp-deck")).to_have_class(re.compile("dp-presenter"))
        assert "key=" not in deck.url
        with context.expect_page() as opened:
            deck.keyboard.press("s")
        speaker = opened.value
        speaker.get_by_role("button", name="Close poll").wait_for(timeout=5000)
        speaker.get_by_role("button", name="Close poll").click()
        speaker.get_by_role("button", name="Open poll").wait_for(timeout=2000)
        no_controls_on_the_projector(deck)
    finally:
        context.close()
