"""The phone page for every member of the audience (issue 17): keyboard only, names in the
accessibility tree, focus after every action, reflow at 320 px and 200 % text, the readable
mode, and axe in both colour schemes. Screenshots go to tests/artifacts/phone/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from test_polls_a11y import violations  # noqa: E402

from deckpoll.build import compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import KEY, live_server, minted  # noqa: E402

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "phone"
AUTH = {"Authorization": f"Bearer {KEY}"}
TITLE = "Tillgänglighet för alla i publiken: en föreläsning med en ovanligt lång titel"
LONG_HEADING = "Välkommen till en rubrik som är så lång att den måste brytas på en smal skärm"

DECK_YAML = f'title: "{TITLE}"\nlang: sv\nslides: [s.md]\npolls:\n  code: "626262"\n'
SLIDES = f"""# {LONG_HEADING}

Den här texten står på bilden. Den ska gå att läsa på telefonen också.

---

Fikat börjar klockan tre.

```poll
id: dryck
kind: single
question: Kaffe eller te?
options: [Kaffe, Te, Vatten]
```

---

```poll
id: val
kind: multiple
question: Vad väljer du?
options: [Frukt, Bröd, Ost]
max_choices: 2
```

---

```poll
id: skala
kind: scale
question: Hur gick det?
min_label: Dåligt
max_label: Bra
```

---

```poll
id: ord
kind: wordcloud
question: Ett ord?
max_answers: 3
```

---

```poll
id: vagg
kind: open
question: Något mer?
max_answers: 3
```

---

## Tack

Frågor efteråt går bra.
"""
SLIDE = {"dryck": 2, "val": 3, "skala": 4, "ord": 5, "vagg": 6}
ANSWERS = {
    "dryck": [{"choice": c} for c in ("kaffe", "te", "vatten", "kaffe")],
    "val": [{"choices": c} for c in (["frukt", "ost"], ["ost"], ["frukt"])],
    "skala": [{"value": v} for v in (1, 3, 4, 4, 5)],
    "ord": [
        {"text": w} for w in ("mod", "mod", "nyfiken", "trött", "mod", "glad", "ovanligtlångtord")
    ],
    "vagg": [{"text": t} for t in ("Bra tempo", "Mer om tangentbord, tack", "Tack!")],
}


@pytest.fixture
def server(tmp_path):
    deck = tmp_path / "tgl"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    (deck / "s.md").write_text(SLIDES)
    app = create_app(
        compile_deck(deck, join_url="http://127.0.0.1/626262"),
        open_store("memory://"),
        presenter_key=KEY,
    )
    with live_server(app) as base:
        yield base


def go(base: str, slide: int, poll: str | None = None) -> None:
    """The presenter moves to `slide` (and opens `poll`)."""
    r = httpx.post(f"{base}/api/v1/state", json={"slide": slide}, headers=AUTH)
    assert r.status_code == 200, r.text
    if poll:
        r = httpx.post(f"{base}/api/v1/polls/{poll}/open", headers=AUTH)
        assert r.status_code == 200, r.text


PHONES: dict[str, list[str]] = {}  # server -> 40 voter tokens it issued


def fill(base: str, poll: str) -> None:
    """40 answers from other phones, so the results have something to show."""
    answers = ANSWERS[poll]
    if base not in PHONES:
        PHONES[base] = [minted(base) for _ in range(40)]
    for n, token in enumerate(PHONES[base]):
        r = httpx.post(
            f"{base}/api/v1/polls/{poll}/answers",
            json=answers[n % len(answers)],
            headers={"X-Deckpoll-Voter": token},
        )
        assert r.status_code in (200, 429), r.text


def open_phone(browser, base: str, width=390, height=844, text=100, scheme="light"):
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    if text != 100:
        # The phone's own text size setting (not page zoom) makes the root font size larger.
        # (CDP's Page.setFontSizes does the same but is undone by Playwright's screenshots.)
        context.add_init_script(
            "addEventListener('DOMContentLoaded', () => "
            f"document.documentElement.style.fontSize = '{text}%')"
        )
    page.goto(f"{base}/626262")
    root = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert root == 16 * text / 100, f"the text size setting did not apply: {root}px"
    page.locator("#jp-view .jp-q").wait_for(timeout=5000)
    return context, page


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; return {
          tag: e.tagName, key: e.getAttribute('data-jp-focus'), value: e.value || null,
          checked: !!e.checked, text: e.textContent.trim(),
          described: e.getAttribute('aria-describedby')
        }; }"""
    )


def said(page) -> str:
    return page.locator("#jp-say").text_content().replace("\u00a0", "").strip()


def tab_to(page, js_test: str, limit: int = 12) -> None:
    """Press Tab until the focused element passes `js_test` (an expression over `e`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => !!({js_test}))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {js_test}; focus is on {focused(page)}")


def wait_said(page, text: str) -> None:
    page.wait_for_function(
        "t => document.getElementById('jp-say').textContent.includes(t)", arg=text, timeout=3000
    )


def fail_answers(page) -> None:
    """The next answers fail as a busy server would answer them."""

    def handle(route):
        if route.request.method == "POST":
            route.fulfill(
                status=503,
                content_type="application/json",
                body='{"error": "busy", "message": "Servern är upptagen."}',
            )
        else:
            route.continue_()

    page.route("**/api/v1/polls/*/answers", handle)


@pytest.mark.parametrize("pid", ["dryck", "skala", "val"])
def test_choice_kinds_by_keyboard_keep_focus_and_announce(browser, server, pid):
    question = {"dryck": "Kaffe eller te?", "skala": "Hur gick det?", "val": "Vad väljer du?"}[pid]
    context, page = open_phone(browser, server)
    try:
        go(server, SLIDE[pid], pid)
        view = page.locator("#jp-view")
        view.get_by_role("heading", level=1, name=question).wait_for(timeout=3000)
        # Names through the accessibility tree: the options form one group named by the question.
        role = "group" if pid == "val" else "radiogroup"
        group = view.get_by_role(role, name=question, exact=True)
        assert group.count() == 1
        kind = "checkbox" if pid == "val" else "radio"
        if pid == "skala":
            names = ["1 – Dåligt", "2", "3", "4", "5 – Bra"]
        else:
            names = {"dryck": ["Kaffe", "Te", "Vatten"], "val": ["Frukt", "Bröd", "Ost"]}[pid]
        for name in names:
            assert group.get_by_role(kind, name=name, exact=True).count() == 1, name
        assert view.get_by_role("textbox").count() == 0

        tab_to(page, "e.type === 'radio' || e.type === 'checkbox'")
        page.keyboard.press("Space")
        if pid == "val":  # a second choice; the third is then disabled (max 2) and skipped
            page.keyboard.press("Tab")
            page.keyboard.press("Space")
        tab_to(page, "e.getAttribute('data-jp-focus') === 'send'")
        page.keyboard.press("Enter")
        wait_said(page, "Tack för ditt svar!")
        assert focused(page)["key"] == "thanks", focused(page)
        # The change link is next; after it, focus is on the answer given, checked.
        page.keyboard.press("Tab")
        assert focused(page)["key"] == "change"
        page.keyboard.press("Enter")
        now = focused(page)
        assert now["tag"] == "INPUT" and now["checked"], now
        first = now["value"]

        # A failed send: focus goes back to the option in use, which the error describes.
        fail_answers(page)
        if pid != "val":
            page.keyboard.press("ArrowDown")  # another option of the radio group
        tab_to(page, "e.getAttribute('data-jp-focus') === 'send'")
        page.keyboard.press("Enter")
        wait_said(page, "Servern är upptagen.")
        now = focused(page)
        assert now["tag"] == "INPUT" and now["checked"] and now["described"] == "jp-err", now
        if pid != "val":
            assert now["value"] != first
        assert "Servern är upptagen." in page.locator("#jp-err").text_content()
        # The same error twice is said twice.
        page.locator("#jp-say").evaluate("e => e.dataset.before = e.textContent")
        tab_to(page, "e.getAttribute('data-jp-focus') === 'send'")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => { const e = document.getElementById('jp-say'); "
            "return e.textContent !== e.dataset.before && e.textContent.includes('upptagen'); }",
            timeout=3000,
        )
        page.unroute("**/api/v1/polls/*/answers")
        tab_to(page, "e.getAttribute('data-jp-focus') === 'send'")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.activeElement.getAttribute('data-jp-focus') === 'thanks'", timeout=3000
        )
        assert page.locator("#jp-err").count() == 0
        assert "Tack för ditt svar!" in said(page)

        # Results arriving later do not move focus.
        fill(server, pid)
        page.locator(".jp-res h2", has_text="svar").wait_for(timeout=3000)
        page.wait_for_timeout(300)
        assert focused(page)["key"] == "thanks"
        assert not page.errors
    finally:
        context.close()


@pytest.mark.parametrize("pid", ["ord", "vagg"])
def test_text_kinds_by_keyboard_keep_focus_and_announce(browser, server, pid):
    question = {"ord": "Ett ord?", "vagg": "Något mer?"}[pid]
    context, page = open_phone(browser, server)
    try:
        go(server, SLIDE[pid], pid)
        field = page.get_by_role("textbox", name=question, exact=True)
        field.wait_for(timeout=3000)
        tab_to(page, "e.getAttribute('data-jp-focus') === 'text'")
        page.keyboard.type("mod")
        tab_to(page, "e.getAttribute('data-jp-focus') === 'send'")
        page.keyboard.press("Enter")
        # More may be sent: focus is back in the (empty) field, and the count is said.
        wait_said(page, "Du kan skicka")
        assert focused(page)["key"] == "text" and focused(page)["value"] is None
        assert "Tack för ditt svar!" in said(page)

        fail_answers(page)
        page.keyboard.type("glad")
        if pid == "ord":
            page.keyboard.press("Enter")  # a one-line field sends on Enter
        else:
            tab_to(page, "e.getAttribute('data-jp-focus') === 'send'")
            page.keyboard.press("Enter")
        wait_said(page, "Servern är upptagen.")
        now = focused(page)
        assert now["key"] == "text" and now["value"] == "glad" and now["described"] == "jp-err"
        page.unroute("**/api/v1/polls/*/answers")
        tab_to(page, "e.getAttribute('data-jp-focus') === 'send'")
        page.keyboard.press("Enter")
        wait_said(page, "Du kan skicka 1 till.")
        assert focused(page)["key"] == "text"

        page.keyboard.type("sist")
        tab_to(page, "e.getAttribute('data-jp-focus') === 'send'")
        page.keyboard.press("Enter")
        # All sent: the form is gone, focus is on the confirmation.
        wait_said(page, "Du har skickat alla dina svar.")
        assert focused(page)["key"] == "thanks"
        if pid == "ord":  # the words with their counts, for a screen reader too
            fill(server, pid)
            page.locator(".jp-words li", has_text="nyfiken").wait_for(timeout=3000)
            # The same counts as the small numbers shown to the eye, read between two equal
            # snapshots (results of the 40 answers may still be arriving).
            for _ in range(50):
                tree = page.locator(".jp-words").aria_snapshot()
                shown = page.locator(".jp-words li").evaluate_all(
                    "lis => lis.map(li => [li.firstChild.textContent, "
                    "li.querySelector('.jp-n').textContent])"
                )
                if page.locator(".jp-words").aria_snapshot() == tree:
                    break
                page.wait_for_timeout(100)
            items = re.findall(r"listitem: (\S+) ?, (\d+) svar$", tree, re.M)
            assert len(items) == 6 and ("sist", "1") in items, tree
            assert sorted(map(tuple, shown)) == sorted(items)
        assert not page.errors
    finally:
        context.close()


def headings(page) -> list[int]:
    return page.evaluate(
        "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
        ".filter(h => h.offsetParent).map(h => +h.tagName[1])"
    )


def no_sideways_scroll_or_cut_text(page, where: str) -> None:
    problems = page.evaluate(
        """() => {
          const out = [], doc = document.documentElement;
          if (doc.scrollWidth > doc.clientWidth) out.push('scrolls sideways: ' + doc.scrollWidth);
          const all = document.querySelectorAll('#jp :is(h1, h2, p, label, li, button)');
          for (const e of all) {
            if (!e.offsetParent || e.closest('.jp-sr')) continue;
            const s = getComputedStyle(e);
            if (s.textOverflow === 'ellipsis') out.push('ellipsis: ' + e.className);
            if (e.scrollWidth > e.clientWidth + 1 && s.overflowX !== 'visible')
              out.push('cut: ' + e.tagName + '.' + e.className);
            const r = e.getBoundingClientRect();
            if (r.right > doc.clientWidth + 1) out.push('past the edge: ' + e.className);
          }
          return out;
        }"""
    )
    assert not problems, f"{where}: {problems}"


SIZES = [(390, 844, 100), (320, 568, 100), (390, 844, 200), (320, 568, 200)]


@pytest.mark.parametrize(("width", "height", "text"), SIZES)
def test_reflow_headings_and_screenshots(browser, server, width, height, text):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = open_phone(browser, server, width, height, text)
    name = f"{width}x{height}-text{text}"
    try:
        view = page.locator("#jp-view")
        # The deck's long title wraps in the header rather than being cut.
        deck_title = page.locator(".jp-deck")
        assert deck_title.text_content() == TITLE
        no_sideways_scroll_or_cut_text(page, f"{name}, waiting")
        assert headings(page) == [1, 2]
        page.screenshot(path=SHOTS / f"{name}-0-waiting.png", full_page=True)
        for pid, slide in SLIDE.items():
            go(server, slide, pid)
            view.locator("form").wait_for(timeout=3000)
            no_sideways_scroll_or_cut_text(page, f"{name}, form of {pid}")
            page.screenshot(path=SHOTS / f"{name}-{slide}-{pid}-form.png", full_page=True)
            fill(server, pid)
            httpx.post(f"{server}/api/v1/polls/{pid}/close", headers=AUTH)
            view.get_by_text("Frågan är stängd.").wait_for(timeout=3000)
            page.locator(".jp-res").wait_for(timeout=3000)
            no_sideways_scroll_or_cut_text(page, f"{name}, results of {pid}")
            assert headings(page) == [1, 2], f"{pid}: {headings(page)}"
            page.screenshot(path=SHOTS / f"{name}-{slide}-{pid}-results.png", full_page=True)
        assert not page.errors
    finally:
        context.close()


def test_readable_mode_follows_the_slide_and_scales_with_text_size(browser, server):
    sizes = {}
    for text in (100, 200):
        context, page = open_phone(browser, server, 390 if text == 100 else 320, 568, text)
        try:
            toggle = page.get_by_role("button", name="Läsläge")
            assert toggle.get_attribute("aria-pressed") == "false"
            toggle.press("Enter")  # by keyboard
            assert toggle.get_attribute("aria-pressed") == "true"
            assert focused(page)["text"] == "Läsläge"  # the toggle keeps focus
            card = page.locator(".jp-slide")
            card.get_by_role("heading", name=LONG_HEADING).wait_for(timeout=3000)
            sizes[text] = card.locator("p").evaluate(
                "p => parseFloat(getComputedStyle(p).fontSize)"
            )
            no_sideways_scroll_or_cut_text(page, f"readable, text {text}")
            shot = f"readable-{390 if text == 100 else 320}-text{text}"
            page.screenshot(path=SHOTS / f"{shot}-1.png", full_page=True)
            # It follows the presenter: the next slides' text, and a poll slide's too.
            go(server, 7)
            card.get_by_role("heading", name="Tack").wait_for(timeout=3000)
            assert "Frågor efteråt går bra." in card.text_content()
            wait_said(page, "Tack")
            go(server, 2, "dryck")
            page.get_by_role("heading", level=1, name="Kaffe eller te?").wait_for(timeout=3000)
            # The slide's own text stays under the question when it says more than it.
            assert card.text_content() == "Bild 2Fikat börjar klockan tre."
            page.screenshot(path=SHOTS / f"{shot}-2-poll.png", full_page=True)
            assert headings(page) == [1, 2]
            go(server, 4, "skala")  # nothing on that slide but the question: no copy of it
            page.get_by_role("heading", level=1, name="Hur gick det?").wait_for(timeout=3000)
            assert card.count() == 0
            # A preference of this phone: a reload keeps it.
            page.reload()
            page.get_by_role("heading", level=1, name="Hur gick det?").wait_for(timeout=3000)
            toggle = page.get_by_role("button", name="Läsläge")
            assert toggle.get_attribute("aria-pressed") == "true"
            go(server, 1)
            assert not page.errors
        finally:
            context.close()
    # Large at the default size (at least 24 px); at 200 % text on a 320 px screen as large
    # as whole words allow, never smaller than the page's own text (2 x 18 px).
    assert sizes[100] >= 24 and sizes[200] >= 36, sizes


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_the_new_views_in_both_schemes(browser, server, axe_js, scheme):
    context, page = open_phone(browser, server, 320, 568, 200, scheme)
    try:
        page.get_by_role("button", name="Läsläge").click()
        page.locator(".jp-slide h2").wait_for(timeout=3000)
        assert not violations(page, axe_js), "readable mode"
        go(server, SLIDE["skala"], "skala")
        page.get_by_role("radiogroup").wait_for(timeout=3000)
        fail_answers(page)
        page.get_by_role("radio", name="1 – Dåligt").check()
        page.get_by_role("button", name="Skicka").click()
        page.locator("#jp-err").wait_for(timeout=3000)
        assert not violations(page, axe_js), "scale with an error"
        page.unroute("**/api/v1/polls/*/answers")
        go(server, SLIDE["ord"], "ord")
        fill(server, "ord")
        page.get_by_role("textbox", name="Ett ord?").fill("mod")
        page.get_by_role("button", name="Skicka").click()
        page.locator(".jp-words li").first.wait_for(timeout=3000)
        assert not violations(page, axe_js), "word list with counts"
    finally:
        context.close()
