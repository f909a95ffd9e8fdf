"""Workshop mode from disk (no server): the slide timer counts down locally, `t` and the
speaker view's controls steer it in both windows, the end shows on the screen, and the speaker
view shows the talk's pace (ahead/behind) in words and colour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deckpoll.build import build

SLIDES = """\
<!-- slide: {minutes: 2} -->
# Start

---

<!-- slide: {id: ovning, timer: 90s, minutes: 10} -->
## Övning

Diskutera vid borden.

---

## Efter
"""


@pytest.fixture(scope="module")
def deck_html(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("workshop")
    src = base / "src"
    src.mkdir()
    (src / "deck.yaml").write_text("title: W\nlang: sv\nduration: 20m\n", encoding="utf-8")
    (src / "slides.md").write_text(SLIDES, encoding="utf-8")
    return build(src, base / "out") / "index.html"


def open_deck(page, html: Path, query: str = "", hash_: str = "") -> None:
    page.goto(html.as_uri() + query + hash_)
    page.wait_for_function("document.documentElement.dataset.dpReady === '1'")


def seconds(text: str) -> int:
    m, s = re.search(r"(\d+):(\d\d)", text).groups()
    return int(m) * 60 + int(s)


def near(text: str, expected: int) -> bool:
    """The timer redraws four times a second: within a second of `expected`."""
    return abs(seconds(text) - expected) <= 1


def test_timer_starts_on_its_slide_pauses_with_t_and_ends_visibly(context, deck_html):
    page = context.new_page()
    page.clock.install()
    open_deck(page, deck_html)
    timer = page.locator(".dp-timer")
    assert timer.is_hidden()  # no timer on a slide without one, before any started
    page.keyboard.press("ArrowRight")
    assert timer.is_visible() and near(timer.text_content(), 90)
    assert timer.get_attribute("role") == "timer"
    page.clock.run_for(10_000)
    assert near(timer.text_content(), 80)
    page.keyboard.press("t")  # pause
    page.clock.run_for(5_000)
    assert near(timer.text_content(), 80)
    assert "pausad" in timer.text_content()
    page.keyboard.press("t")  # resume
    page.clock.run_for(20_000)
    assert near(timer.text_content(), 60)
    # It runs on across the next slide (smaller), and going back does not restart it.
    page.keyboard.press("ArrowRight")
    assert timer.is_visible() and "dp-timer-own" not in timer.get_attribute("class")
    page.keyboard.press("ArrowLeft")
    assert near(timer.text_content(), 60)
    page.clock.run_for(61_000)
    assert "Tiden är ute" in timer.text_content()
    assert "dp-timer-up" in timer.get_attribute("class")
    assert page.locator("[role=status]").first.text_content() == "Tiden är ute"
    # A reload (from disk, no server) keeps the countdown: still ended, not 1:30 again.
    page.reload()
    page.wait_for_function("document.documentElement.dataset.dpReady === '1'")
    assert "Tiden är ute" in page.locator(".dp-timer").text_content()
    help_rows = page.evaluate("deckpoll.help(), document.querySelector('.dp-help').textContent")
    assert "Starta eller pausa bildens nedräkning" in help_rows


def test_reduced_motion_keeps_the_end_still(browser, deck_html):
    context = browser.new_context(reduced_motion="reduce", bypass_csp=True)
    try:
        page = context.new_page()
        page.clock.install()
        open_deck(page, deck_html, hash_="#/2")  # opened on the timer's slide: it starts
        page.clock.run_for(91_000)
        timer = page.locator(".dp-timer")
        assert "dp-timer-up" in timer.get_attribute("class")
        assert timer.evaluate("e => getComputedStyle(e).animationName") == "none"
    finally:
        context.close()


def test_speaker_view_controls_reach_the_projector_and_show_pace(context, deck_html):
    projector = context.new_page()
    open_deck(projector, deck_html)
    speaker = context.new_page()
    open_deck(speaker, deck_html, query="?view=speaker")
    speaker.keyboard.press("ArrowRight")
    projector.wait_for_function("deckpoll.state().index === 2")
    timer = projector.locator(".dp-timer")
    panel = speaker.locator(".dp-sv-timer")
    assert panel.get_attribute("role") == "group"
    projector.wait_for_function("document.querySelector('.dp-timer').hidden === false")
    panel.get_by_role("button", name="Pausa nedräkningen").click()
    projector.wait_for_function("/pausad/.test(document.querySelector('.dp-timer').textContent)")
    before = seconds(timer.text_content())
    panel.get_by_role("button", name="+1 min").click()
    projector.wait_for_function(
        f"/(\\d+):(\\d\\d)/.exec(document.querySelector('.dp-timer').textContent)"
        f".slice(1).reduce((m, s) => 60 * +m + +s) === {before + 60}"
    )
    assert abs(seconds(panel.locator("[role=timer]").text_content()) - (before + 60)) <= 1
    panel.get_by_role("button", name="Nollställ nedräkningen").click()
    projector.wait_for_function("/1:30/.test(document.querySelector('.dp-timer').textContent)")
    assert panel.get_by_role("button", name="Starta nedräkningen").is_visible()
    # Pace: 20 minutes planned; slide 2 is planned from minute 2 to 12, so a talk 30 s in
    # is ahead of plan, in words and in colour.
    pace = speaker.locator(".dp-sv-pace")
    assert re.search(r"0:\d\d av 20:00 · 2 min före planen", pace.text_content())
    assert pace.get_attribute("data-dp-pace") == "ahead"
    colour = pace.evaluate("e => getComputedStyle(e).backgroundColor")
    speaker.keyboard.press("ArrowLeft")
    speaker.wait_for_function(
        "/Enligt planen/.test(document.querySelector('.dp-sv-pace').textContent)"
    )
    assert pace.evaluate("e => getComputedStyle(e).backgroundColor") != colour


def test_speaker_view_shows_the_countdown_controls_only_where_they_steer_something(
    context, deck_html
):
    speaker = context.new_page()
    open_deck(speaker, deck_html, query="?view=speaker")
    panel = speaker.locator(".dp-sv-timer")
    assert panel.is_hidden()  # slide 1 has no timer and none runs
    speaker.keyboard.press("ArrowRight")  # the timer's slide: it starts
    speaker.wait_for_function("!document.querySelector('.dp-sv-timer').hidden")
    speaker.keyboard.press("ArrowRight")  # it still runs: its controls stay
    speaker.wait_for_function("deckpoll.state().index === 3")
    assert panel.is_visible()
    panel.get_by_role("button", name="Nollställ nedräkningen").click()
    speaker.wait_for_function("document.querySelector('.dp-sv-timer').hidden")
    header = speaker.locator(".dp-sv > header")
    centres = header.evaluate(
        "h => [...h.children].filter(c => !c.hidden).map(c => {"
        " const r = c.getBoundingClientRect(); return (r.top + r.bottom) / 2; })"
    )
    assert max(centres) - min(centres) < 12, centres  # one row at this width


def test_speaker_view_says_behind_plan(context, deck_html):
    speaker = context.new_page()
    speaker.clock.install()
    open_deck(speaker, deck_html, query="?view=speaker")  # slide 1 is planned for 2 minutes
    speaker.clock.run_for(5 * 60_000)
    pace = speaker.locator(".dp-sv-pace")
    assert "5:00 av 20:00 · 3 min efter planen" in pace.text_content()
    assert pace.get_attribute("data-dp-pace") == "behind"


@pytest.mark.parametrize("sound", [False, True])
def test_a_tone_only_with_timer_sound(browser, tmp_path, sound):
    src = tmp_path / "src"
    src.mkdir()
    (src / "deck.yaml").write_text(f"title: W\ntimer_sound: {str(sound).lower()}\n")
    (src / "slides.md").write_text("<!-- slide: {timer: 5s} -->\n# Kort\n")
    html = build(src, tmp_path / "out") / "index.html"
    context = browser.new_context(bypass_csp=True)
    # Count the tones: an AudioContext stand-in whose oscillator is only counted.
    context.add_init_script(
        """window.__tones = 0;
           window.AudioContext = class { constructor() { this.currentTime = 0; }
             createOscillator() { window.__tones++; return { frequency: {}, connect: g => g,
               start() {}, stop() {} }; }
             createGain() { return { connect: x => x,
               gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} } }; } };"""
    )
    try:
        page = context.new_page()
        page.clock.install()
        open_deck(page, html)
        page.clock.run_for(6_000)
        assert "dp-timer-up" in page.locator(".dp-timer").get_attribute("class")
        assert page.evaluate("window.__tones") == (1 if sound else 0)
    finally:
        context.close()
