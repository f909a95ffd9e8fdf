"""The presenting runtime in real Chromium: keys, hash, fragments, overview, speaker view, print."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from deckpoll.build import build

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
VINNOVA = REPO / "decks" / "vinnova-innovation"

SLIDES = """\
# Title slide

Subtitle

---

## Steps

* one
* two
* three

::: notes
Notes of the steps slide.
:::

---

## Poll

```poll
id: q1
kind: single
question: Which one?
options: [A, B]
```

---

## Pause

Before

. . .

After

::: notes
Notes of the pause slide.
:::

---

## End
"""


def make_deck(root: Path, extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "deck.yaml").write_text(
        f"title: Runtime test deck\nlang: en\nslides: [slides.md]\n{extra}", encoding="utf-8"
    )
    (root / "slides.md").write_text(SLIDES, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def deck_html(tmp_path_factory) -> Path:
    """The five-slide test deck, built."""
    base = tmp_path_factory.mktemp("runtime")
    return build(make_deck(base / "src"), base / "out") / "index.html"


@pytest.fixture(scope="module")
def vinnova_html(tmp_path_factory) -> Path:
    """The Vinnova deck, built as is."""
    return build(VINNOVA, tmp_path_factory.mktemp("vinnova")) / "index.html"


def open_deck(page, html: Path, query: str = "", hash_: str = "") -> None:
    page.goto(html.as_uri() + query + hash_)
    page.wait_for_function("document.documentElement.dataset.dpReady === '1'")


def state(page) -> tuple[int, int]:
    s = page.evaluate("deckpoll.state()")
    return s["index"], s["fragment"]


def hash_of(page) -> str:
    return page.evaluate("location.hash")


def visible_fragments(page, index: int) -> int:
    return page.evaluate(
        """i => [...document.querySelectorAll(`#dp-deck > [data-dp-index="${i}"] .dp-fragment`)]
              .filter(e => getComputedStyle(e).visibility === 'visible').length""",
        index,
    )


def test_arrow_right_from_file_lands_on_slide_two(page, vinnova_html):
    open_deck(page, vinnova_html)
    assert page.evaluate("document.documentElement.classList.contains('dp-js')")
    assert state(page) == (1, 0)
    page.keyboard.press("ArrowRight")
    assert state(page) == (2, 0)
    assert hash_of(page) == "#/2"
    current = page.locator("#dp-deck > .dp-slide.dp-current")
    assert current.get_attribute("data-dp-index") == "2"
    assert current.is_visible()
    assert page.locator('#dp-deck > [data-dp-index="1"]').is_hidden()


def test_keys_and_hash(page, deck_html):
    open_deck(page, deck_html)
    page.keyboard.press("End")
    assert (state(page), hash_of(page)) == ((5, 0), "#/5")
    page.keyboard.press("Home")
    assert state(page) == (1, 0)
    page.keyboard.press("PageDown")
    page.keyboard.press("Space")
    page.keyboard.press("n")
    assert state(page) == (2, 2)
    assert hash_of(page) == "#/2/2"
    page.keyboard.press("Shift+Space")
    page.keyboard.press("PageUp")
    assert state(page) == (2, 0)
    page.keyboard.press("p")
    assert state(page) == (1, 0)
    page.keyboard.press("4")
    page.keyboard.press("Enter")
    assert state(page) == (4, 0)
    page.keyboard.press("g")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    assert state(page) == (3, 0)
    page.evaluate("location.hash = '#/5'")
    page.wait_for_function("deckpoll.state().index === 5")
    page.go_back()
    page.wait_for_function("deckpoll.state().index === 3")
    page.go_forward()
    page.wait_for_function("deckpoll.state().index === 5")


def test_hash_opens_slide_and_fragment(page, deck_html):
    open_deck(page, deck_html, hash_="#/2/2")
    assert state(page) == (2, 2)
    assert visible_fragments(page, 2) == 2
    page.evaluate("location.hash = '#/4/1'")
    page.wait_for_function("deckpoll.state().index === 4 && deckpoll.state().fragment === 1")
    page.evaluate("location.hash = '#/99'")
    page.wait_for_function("deckpoll.state().index === 5")
    assert hash_of(page) == "#/5"


def test_keys_ignored_while_typing(page, deck_html):
    open_deck(page, deck_html)
    page.evaluate(
        """() => { for (const tag of ['input', 'textarea']) {
                     const e = document.createElement(tag); e.id = 'probe-' + tag;
                     document.body.append(e); } }"""
    )
    for tag in ("input", "textarea"):
        page.focus(f"#probe-{tag}")
        for key in ("ArrowRight", "Space", "End", "o", "b", "5"):
            page.keyboard.press(key)
        assert state(page) == (1, 0)
    assert not page.evaluate("document.documentElement.classList.contains('dp-overview')")


def test_fragments_step_forward_and_back(page, deck_html):
    open_deck(page, deck_html, hash_="#/2")
    assert visible_fragments(page, 2) == 0
    for step in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        assert state(page) == (2, step)
        assert visible_fragments(page, 2) == step
    page.keyboard.press("ArrowRight")
    assert state(page) == (3, 0)
    page.keyboard.press("ArrowLeft")
    assert state(page) == (2, 3), "entering backwards shows every fragment"
    assert visible_fragments(page, 2) == 3
    page.keyboard.press("ArrowLeft")
    assert state(page) == (2, 2)
    assert visible_fragments(page, 2) == 2
    page.evaluate("window.__events = []; deckpoll.on('fragment', d => __events.push(d)); 0")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("__events.map(d => [d.index, d.fragment])") == [[2, 3]]


def test_pause_fragment(page, deck_html):
    open_deck(page, deck_html, hash_="#/4")
    after = page.locator('#dp-deck > [data-dp-index="4"] .dp-fragment')
    assert after.count() == 1 and after.is_hidden()
    page.keyboard.press("ArrowRight")
    assert after.is_visible()


def test_overview_keys_and_click(page, deck_html):
    open_deck(page, deck_html)
    page.keyboard.press("o")
    assert page.evaluate("document.documentElement.classList.contains('dp-overview')")
    assert page.locator("#dp-deck > .dp-slide").nth(4).is_visible()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert state(page) == (3, 0)
    assert not page.evaluate("document.documentElement.classList.contains('dp-overview')")
    page.keyboard.press("Escape")
    assert page.evaluate("document.documentElement.classList.contains('dp-overview')")
    page.locator('#dp-deck > [data-dp-index="5"]').click()
    assert state(page) == (5, 0)
    assert page.locator('#dp-deck > [data-dp-index="4"]').is_hidden()


def test_overview_thumbnails_have_a_readable_caption(page, deck_html):
    """The zoomed thumbnails' own text is ~8 px; each carries its number and title at 15 px."""
    open_deck(page, deck_html)
    page.keyboard.press("o")
    captions = page.evaluate(
        """() => [...document.querySelectorAll('#dp-deck > .dp-slide')].map(s => {
          const c = s.querySelector(':scope > .dp-ov-caption'), h = s.querySelector('h1,h2,h3');
          return {n: s.dataset.dpIndex, caption: c && c.textContent,
                  title: h && h.textContent.trim(),
                  px: c && parseFloat(getComputedStyle(c).fontSize)
                          * parseFloat(getComputedStyle(s).zoom),
                  shown: c && c.getBoundingClientRect().height > 0,
                  hidden: c && c.getAttribute('aria-hidden')};
        })"""
    )
    assert captions and all((c["caption"] or "").startswith(c["n"]) for c in captions), captions
    for c in captions:
        assert c["px"] >= 14, c
        assert c["shown"] and c["hidden"] == "true", c  # drawn, and silent to screen readers
        if c["title"]:
            assert c["caption"] == f"{c['n']} · {c['title']}"
    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=artifacts / "overview.png")
    page.keyboard.press("o")  # closed: the slides are as built again
    assert page.locator(".dp-ov-caption").count() == 0


def test_scale_to_fit_with_letterbox(context, deck_html):
    page = context.new_page()
    for width, height in ((1280, 720), (1000, 1000), (390, 844), (3840, 2160)):
        page.set_viewport_size({"width": width, "height": height})
        open_deck(page, deck_html)
        box = page.locator("#dp-deck > .dp-current").bounding_box()
        scale = min(width / 1280, height / 720)
        assert box["width"] == pytest.approx(1280 * scale, abs=1)
        assert box["height"] == pytest.approx(720 * scale, abs=1)
        assert box["x"] == pytest.approx((width - box["width"]) / 2, abs=1)
        assert box["y"] == pytest.approx((height - box["height"]) / 2, abs=1)


def test_click_zones_and_swipe(page, deck_html):
    open_deck(page, deck_html, hash_="#/3")
    page.mouse.click(1200, 360)
    assert state(page) == (4, 0)
    page.mouse.click(60, 360)
    assert state(page) == (3, 0)
    page.mouse.click(640, 360)
    assert state(page) == (3, 0), "the middle third does nothing"
    swipe = """dx => {
        const deck = document.getElementById('dp-deck');
        const touch = x => new Touch({identifier: 1, target: deck, clientX: x, clientY: 300});
        const fire = (type, x) => deck.dispatchEvent(
            new TouchEvent(type, {changedTouches: [touch(x)], bubbles: true}));
        fire('touchstart', 700);
        fire('touchend', 700 + dx);
    }"""
    page.evaluate(swipe, -200)
    assert state(page) == (4, 0)
    page.evaluate(swipe, 200)
    assert state(page) == (3, 0)


def test_blackout_help_and_live_region(page, deck_html):
    open_deck(page, deck_html)
    page.keyboard.press("ArrowRight")
    assert "2 of 5" in page.locator(".dp-sr[aria-live]").text_content()
    page.keyboard.press("b")
    assert page.locator(".dp-blackout").is_visible()
    page.keyboard.press(".")
    assert page.locator(".dp-blackout").is_hidden()
    page.keyboard.press("?")
    help_dialog = page.locator("dialog.dp-help")
    assert help_dialog.is_visible()
    text = help_dialog.text_content()
    for shortcut in ("PageDown", "Home", "End", "Esc", "Space"):
        assert shortcut in text
    assert help_dialog.locator("kbd").count() >= 15
    page.keyboard.press("Escape")
    assert help_dialog.is_hidden()
    assert page.locator(".dp-progress").count() == 1
    assert page.locator(".dp-number").text_content() == "2 / 5"
    page.evaluate(
        """() => { window.__fs = 0;
                   document.documentElement.requestFullscreen = async () => { window.__fs++; }; }"""
    )
    page.keyboard.press("f")
    assert page.evaluate("window.__fs") == 1


def test_a_key_from_a_dialog_that_just_closed_still_works(page, deck_html):
    # Chromium moves focus out of a closed dialog only at the next frame, so the
    # key right after Esc arrives from inside it; it must not be swallowed.
    open_deck(page, deck_html)
    page.keyboard.press("?")
    page.locator("dialog.dp-help button").focus()
    fired = page.evaluate(
        """() => { window.__fs = 0;
                   document.documentElement.requestFullscreen = async () => { window.__fs++; };
                   const dlg = document.querySelector('dialog.dp-help');
                   const b = dlg.querySelector('button');
                   dlg.close();
                   b.dispatchEvent(new KeyboardEvent('keydown',
                                   { key: 'f', bubbles: true, cancelable: true }));
                   return window.__fs; }"""
    )
    assert fired == 1
    page.keyboard.press("?")
    page.locator("dialog.dp-help button").focus()
    page.keyboard.press("f")  # an open dialog still owns its keys
    assert page.evaluate("window.__fs") == 1


def test_deck_starts_even_if_a_later_runtime_file_throws(context, deck_html, tmp_path):
    html = deck_html.read_text(encoding="utf-8")
    start = "window.deckpoll?.start()"
    assert html.count(start) == 1
    broken = tmp_path / "index.html"
    broken.write_text(html.replace(start, "throw new Error('boom');" + start), encoding="utf-8")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_deck(page, broken)
    assert any("boom" in e for e in errors)
    page.keyboard.press("ArrowRight")
    assert state(page) == (2, 0)


def test_progress_and_number_can_be_turned_off(page, tmp_path):
    deck = make_deck(tmp_path / "src", "progress: false\nslide_number: false\n")
    open_deck(page, build(deck, tmp_path / "out") / "index.html")
    assert page.locator(".dp-progress").count() == 0
    assert page.locator(".dp-number").count() == 0


def test_without_javascript_every_slide_is_readable(browser, deck_html):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 720}
    )
    try:
        page = context.new_page()
        page.goto(deck_html.as_uri())
        slides = page.locator("#dp-deck > .dp-slide")
        assert slides.count() == 5
        tops = [slides.nth(i).bounding_box()["y"] for i in range(5)]
        assert tops == sorted(tops) and len(set(tops)) == 5
        assert page.locator(".dp-fragment").first.is_visible()
        assert page.locator(".dp-notes").first.is_hidden()
    finally:
        context.close()


def test_speaker_view_and_sync_both_ways(context, deck_html):
    audience = context.new_page()
    open_deck(audience, deck_html)
    speaker = context.new_page()
    open_deck(speaker, deck_html, query="?view=speaker")
    assert speaker.locator(".dp-sv").is_visible()
    audience.keyboard.press("ArrowRight")
    speaker.wait_for_function("deckpoll.state().index === 2")
    assert "Notes of the steps slide." in speaker.locator(".dp-sv-text").text_content()
    # "next" is the next slide, fully revealed; the steps left on this one are counted
    preview = speaker.locator(".dp-preview > .dp-slide")
    assert preview.get_attribute("data-dp-index") == "3"
    assert preview.locator(".dp-fragment:not(.dp-visible)").count() == 0
    steps = audience.evaluate("deckpoll.fragments(2)")
    assert steps > 0
    assert speaker.locator("#dp-n").text_content() == f"Next · {steps} more on this slide"
    assert "2 / 5" in speaker.locator(".dp-sv header b").text_content()
    assert re.fullmatch(r"\d\d:\d\d", speaker.locator(".dp-sv-time").text_content())
    clock = speaker.locator(".dp-sv header span:last-child").text_content()
    assert re.fullmatch(r"\d\d:\d\d", clock)
    speaker.keyboard.press("End")
    audience.wait_for_function("deckpoll.state().index === 5")
    assert audience.evaluate("location.hash") == "#/5"
    assert speaker.locator(".dp-sv-end").is_visible()
    speaker.keyboard.press("ArrowLeft")
    audience.wait_for_function("deckpoll.state().index === 4 && deckpoll.state().fragment === 1")
    speaker.keyboard.press("b")
    audience.wait_for_function("document.documentElement.classList.contains('dp-black')")


def test_sync_falls_back_to_storage_events(browser, deck_html):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_init_script("delete window.BroadcastChannel")
    try:
        audience = context.new_page()
        open_deck(audience, deck_html)
        speaker = context.new_page()
        open_deck(speaker, deck_html, query="?view=speaker")
        assert speaker.evaluate("typeof BroadcastChannel") == "undefined"
        speaker.keyboard.press("End")
        audience.wait_for_function("deckpoll.state().index === 5")
        audience.keyboard.press("Home")
        speaker.wait_for_function("deckpoll.state().index === 1")
    finally:
        context.close()


def test_speaker_view_timer_pause_and_reset(page, deck_html):
    open_deck(page, deck_html, query="?view=speaker")
    button = page.locator(".dp-sv header button").first
    button.click()
    assert page.locator(".dp-sv-time.dp-paused").count() == 1
    frozen = page.locator(".dp-sv-time").text_content()
    page.wait_for_timeout(1100)
    assert page.locator(".dp-sv-time").text_content() == frozen
    page.locator(".dp-sv header button").nth(1).click()
    assert page.locator(".dp-sv-time").text_content() == "00:00"


def test_speaker_view_opens_on_given_slide_and_leads(context, deck_html):
    audience = context.new_page()
    open_deck(audience, deck_html)
    speaker = context.new_page()
    open_deck(speaker, deck_html, query="?view=speaker", hash_="#/4")
    assert state(speaker) == (4, 0)
    audience.wait_for_function("deckpoll.state().index === 4")


def test_s_opens_speaker_window(context, page, deck_html):
    open_deck(page, deck_html, hash_="#/2")
    with context.expect_page() as popup_info:
        page.keyboard.press("s")
    popup = popup_info.value
    popup.wait_for_function("window.deckpoll && document.documentElement.dataset.dpReady")
    assert "view=speaker" in popup.url
    assert state(popup) == (2, 0)
    popup.keyboard.press("ArrowRight")
    page.wait_for_function("deckpoll.state().fragment === 1")


def test_blocked_popup_offers_this_tab(page, deck_html):
    open_deck(page, deck_html, hash_="#/3")
    page.evaluate("window.open = () => null")
    page.keyboard.press("s")
    link = page.locator("dialog[open] a")
    assert link.is_visible()
    assert "view=speaker" in link.get_attribute("href")
    assert link.get_attribute("href").endswith("#/3")
    link.click()
    page.wait_for_function("document.documentElement.classList.contains('dp-view-speaker')")
    assert state(page) == (3, 0)


def pdf_pages(data: bytes) -> list[bytes]:
    return re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)


@pytest.mark.parametrize("query, height", [("?print", 540), ("?print&notes", 810)])
def test_print_one_page_per_slide(page, deck_html, query, height):
    open_deck(page, deck_html, query=query)
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = pdf_pages(data)
    assert len(boxes) == 5
    assert all(box.split()[2:] == [b"960", str(height).encode()] for box in boxes)
    assert page.locator(".dp-fragment").last.is_visible()


def test_browser_print_dialog_gives_one_page_per_slide(page, deck_html):
    open_deck(page, deck_html, hash_="#/2")
    assert len(pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))) == 5
    assert state(page) == (2, 0)


def test_write_pdf(deck_html, tmp_path):
    from deckpoll.pdf import write_pdf

    out = tmp_path / "deck.pdf"
    write_pdf(deck_html, out)
    assert len(pdf_pages(out.read_bytes())) == 5


def test_write_pdf_without_chromium_says_how_to_install(deck_html, tmp_path, monkeypatch):
    from deckpoll.errors import DeckpollError
    from deckpoll.pdf import write_pdf

    monkeypatch.setenv("CHROMIUM_BIN", str(tmp_path / "no-such-browser"))
    with pytest.raises(DeckpollError, match="apt-get install -y chromium"):
        write_pdf(deck_html, tmp_path / "deck.pdf")


# ---- accessibility: axe-core on the Vinnova deck -------------------------------------------


@pytest.fixture(scope="session")
def axe_js() -> str:
    """axe.min.js from $AXE_CORE_JS or ./node_modules/axe-core (npm install --no-save axe-core)."""
    import os

    candidates = [os.environ.get("AXE_CORE_JS"), REPO / "node_modules/axe-core/axe.min.js"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    if os.environ.get("E2E_REQUIRE_BROWSER") == "1":
        pytest.fail("axe-core not found: run `npm install --no-save axe-core` at the repo root")
    pytest.skip("axe-core not found (npm install --no-save axe-core, or set AXE_CORE_JS)")


@pytest.mark.parametrize(
    ("theme", "font"),
    [("default", "system"), ("dark", "system"), ("default", "inter"), ("dark", "inter")],
)
def test_vinnova_deck_passes_axe(page, axe_js, theme, font, tmp_path):
    """Both themes, and the bundled font (its metrics decide what counts as large text)."""
    source = tmp_path / "deck"
    shutil.copytree(VINNOVA, source)
    config = source / "deck.yaml"
    text = config.read_text(encoding="utf-8")
    text, changed = re.subn(r"(?m)^theme:.*$", f"theme: {theme}", text)
    text = (text if changed else text + f"\ntheme: {theme}\n") + f"font: {font}\n"
    config.write_text(text, encoding="utf-8")
    html = build(source, tmp_path / "out") / "index.html"

    def check(where: str) -> None:
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        bad = [
            f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
            for v in result
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{theme} theme, {where}: {bad}"

    open_deck(page, html)
    page.add_script_tag(content=axe_js)
    count = page.evaluate("deckpoll.count")
    assert count > 5
    for index in range(1, count + 1):
        page.evaluate("i => deckpoll.go(i, -1)", index)
        check(f"slide {index}")
    for key, where in (("o", "overview"), ("Escape", "slide"), ("?", "help")):
        page.keyboard.press(key)
        check(where)
    open_deck(page, html, query="?view=speaker")
    page.add_script_tag(content=axe_js)
    check("speaker view")
