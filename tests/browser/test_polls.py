"""Polls end to end in Chromium: one presenter, three phones, moderation, XSS, no backend."""

from __future__ import annotations

import http.server
import re
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from deckpoll.build import build, compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import KEY, live_server, minted  # noqa: E402

pytestmark = pytest.mark.browser

CODE = "424242"
XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
DECK_YAML = f"""title: Poll test
lang: en
slides: [slides.md]
polls:
  code: "{CODE}"
"""
SLIDES = """# Poll test

Welcome to the talk about answers.

---

## Before the questions

The room is warming up.

---

```poll
id: wall
kind: open
question: What should we talk about?
max_answers: 2
```

---

```poll
id: cloud
kind: wordcloud
question: One word for today?
max_answers: 3
```

---

```poll
id: pick
kind: single
question: Coffee or tea?
options: [Coffee, Tea]
```

---

## Thanks
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    folder = tmp_path / "polltest"
    folder.mkdir()
    (folder / "deck.yaml").write_text(DECK_YAML)
    (folder / "slides.md").write_text(SLIDES)
    return folder


@pytest.fixture
def server(deck: Path):
    compiled = compile_deck(deck, join_url=f"http://127.0.0.1/{CODE}")
    app = create_app(compiled, open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        yield base


def watch(page, log: list[str]) -> None:
    page.on("pageerror", lambda exc: log.append(f"pageerror: {exc}"))
    page.on("console", lambda m: log.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("dialog", lambda d: (log.append(f"dialog: {d.message}"), d.dismiss()))


def test_presenter_and_three_phones(browser, server):
    log: list[str] = []
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720})]
    contexts += [
        browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
        for _ in range(3)
    ]
    try:
        presenter = contexts[0].new_page()
        watch(presenter, log)
        presenter.goto(f"{server}/?key={KEY}")
        # the deck's CSP forbids eval, so no wait_for_function on served pages: expect()
        expect(presenter.locator("html")).to_have_attribute("data-dp-ready", "1")
        assert "key=" not in presenter.url
        assert presenter.evaluate("Object.values(sessionStorage).join()") == KEY
        presenter.wait_for_selector("#dp-deck.dp-presenter", state="attached")

        phones = []
        for context in contexts[1:]:
            phone = context.new_page()
            watch(phone, log)
            phone.goto(f"{server}/{CODE}")
            phones.append(phone)
        for phone in phones:
            phone.locator("#jp-view").get_by_text("Waiting for the next question").wait_for(
                timeout=5000
            )
            assert "Welcome to the talk" in phone.locator(".jp-slide").inner_text()

        # the phones follow the presenter, with a text copy of the current slide
        presenter.evaluate("window.deckpoll.go(2)")
        for phone in phones:
            phone.locator(".jp-slide", has_text="The room is warming up").wait_for(timeout=2000)

        # to the open-answer poll: it opens by itself, the phones show it
        presenter.evaluate("window.deckpoll.go(3)")
        wall_slide = presenter.locator('.dp-slide[data-dp-index="3"]')
        assert wall_slide.locator("[data-dp-join-code]").inner_text().strip() == CODE
        assert wall_slide.locator("[data-dp-qr] svg").count() == 1
        texts = ["More examples", "Budget questions", XSS]
        for phone, text in zip(phones, texts, strict=True):
            phone.locator("#jp-view").get_by_text("What should we talk about?").wait_for(
                timeout=2000
            )
            phone.locator("textarea").fill(text)
            phone.get_by_role("button", name="Send").click()
        for phone in phones:
            phone.locator("#jp-view").get_by_text("Thank you for your answer!").wait_for(
                timeout=2000
            )
        sent = time.monotonic()
        entries = wall_slide.locator(".dp-poll-entry-text")
        for text in texts:
            entries.filter(has_text=text).wait_for(timeout=1000)
        assert time.monotonic() - sent < 1.0
        # the XSS payload is text, on the big screen and on the phones
        assert presenter.locator(".dp-poll-entry img, .dp-poll-entry script").count() == 0
        for phone in phones:
            phone.locator(".jp-wall li", has_text=XSS).wait_for(timeout=1000)
            assert phone.locator(".jp-wall img, .jp-wall script").count() == 0
        assert wall_slide.locator(".dp-poll-count").inner_text().startswith("3 ")

        # moderation from the speaker console: hide one answer; gone everywhere within a second
        console = contexts[0].new_page()
        watch(console, log)
        console.goto(f"{server}/?key={KEY}&view=speaker#/3")
        row = console.locator(".dp-con-row", has_text="Budget questions")
        row.get_by_role("button", name="Hide: Budget questions").click()
        hidden_at = time.monotonic()
        wall_slide.locator(".dp-poll-entry", has_text="Budget questions").wait_for(
            state="detached", timeout=1000
        )
        for phone in phones:
            phone.locator(".jp-wall li", has_text="Budget questions").wait_for(
                state="detached", timeout=1000
            )
        assert time.monotonic() - hidden_at < 1.0

        # the word cloud: grouped, sized by count, drawn without overlaps
        presenter.evaluate("window.deckpoll.go(4)")
        words = [["Trust", "time"], ["trust", "Money"], ["TRUST ", "time", "people"]]
        for phone, mine in zip(phones, words, strict=True):
            phone.locator("#jp-view").get_by_text("One word for today?").wait_for(timeout=2000)
            for word in mine:
                phone.locator("input.jp-text").fill(word)
                phone.get_by_role("button", name="Send").click()
                expect(phone.locator(".jp-mine li")).to_have_count(mine.index(word) + 1)
        cloud = presenter.locator('.dp-slide[data-dp-index="4"] svg.dp-poll-cloud')
        cloud.locator("text", has_text="Trust").wait_for(timeout=2000)
        expect(cloud.locator(".dp-poll-word")).to_have_count(4)
        boxes = presenter.evaluate(
            """() => [...document.querySelectorAll('.dp-slide[data-dp-index="4"] .dp-poll-word')]
                 .map(t => { const b = t.getBBox();
                   return {w: t.textContent, s: +t.getAttribute('font-size'),
                           x: b.x, y: b.y, r: b.x + b.width, b: b.y + b.height}; })"""
        )
        sizes = {b["w"]: b["s"] for b in boxes}
        assert sizes["Trust"] > sizes["time"] > sizes["people"]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = (
                    a["x"] < b["r"] and b["x"] < a["r"] and a["y"] < b["b"] and b["y"] < a["b"]
                )
                assert not overlap, (a, b)

        # a choice poll: answer, change the answer, results follow
        presenter.evaluate("window.deckpoll.go(5)")
        for phone in phones:
            phone.locator("#jp-view").get_by_text("Coffee or tea?").wait_for(timeout=2000)
            phone.locator("form").get_by_text("Tea", exact=True).click()
            phone.get_by_role("button", name="Send").click()
            phone.locator("#jp-view").get_by_text("Thank you for your answer!").wait_for(
                timeout=2000
            )
        phones[0].get_by_role("button", name="Change my answer").click()
        phones[0].locator("form").get_by_text("Coffee", exact=True).click()
        phones[0].get_by_role("button", name="Send").click()
        bars = '.dp-slide[data-dp-index="5"] .dp-poll-bar-value'
        values = presenter.locator(bars)
        expect(values).to_have_text(["1 · 33 %", "2 · 67 %"])
        assert values.count() == 2

        # close from the speaker console: the phones say so
        console.get_by_role("button", name="Close poll").click()
        for phone in phones:
            phone.locator("#jp-view").get_by_text("This question is closed.").wait_for(timeout=2000)

        # leaving the poll slides: back to waiting
        presenter.evaluate("window.deckpoll.go(6)")
        for phone in phones:
            phone.locator("#jp-view").get_by_text("Waiting for the next question").wait_for(
                timeout=2000
            )

        assert not [e for e in log if not e.startswith("console: Failed to load resource")], log
    finally:
        for context in contexts:
            context.close()


def test_phone_reconnects_and_resyncs(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    presenter_context = browser.new_context()
    try:
        presenter = presenter_context.new_page()
        presenter.goto(f"{server}/?key={KEY}")
        presenter.wait_for_selector("#dp-deck.dp-presenter", state="attached")
        phone = context.new_page()
        phone.goto(f"{server}/join")
        phone.locator("#jp-view").get_by_text("Waiting for the next question").wait_for(
            timeout=5000
        )
        context.set_offline(True)
        presenter.evaluate("window.deckpoll.go(5)")
        time.sleep(0.5)
        context.set_offline(False)
        phone.evaluate("window.dispatchEvent(new Event('online'))")
        phone.locator("#jp-view").get_by_text("Coffee or tea?").wait_for(timeout=5000)
    finally:
        context.close()
        presenter_context.close()


def test_without_a_backend_from_disk(browser, deck, tmp_path):
    out = build(deck, tmp_path / "out")
    context = browser.new_context()
    try:
        page = context.new_page()
        log: list[str] = []
        watch(page, log)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "index.html").as_uri() + "#/3")
        page.wait_for_function("document.documentElement.dataset.dpReady === '1'")
        # the question and how to join, never a hint for the author
        slide = page.locator('.dp-slide[data-dp-index="3"]')
        assert slide.locator(".dp-poll-question").is_visible()
        assert slide.locator("[data-dp-join-code]").inner_text() == CODE
        assert "deckpoll serve" not in slide.inner_text()
        page.wait_for_timeout(1500)
        assert not log, log
        assert all(u.startswith(("file:", "data:")) for u in requests), requests
    finally:
        context.close()


def test_every_kind_has_one_browser_file_in_the_deck_and_on_the_phone(browser, deck, server):
    """Each kind registers its phone input and slide drawing (runtime/kinds/<kind>.js); the
    deck script and the phone page both carry every kind, looked up by name."""
    from deckpoll.polls import names

    probe = (
        "() => window.deckpollKinds.names().sort().map(n => [n,"
        " typeof window.deckpollKinds.get(n).phone.form,"
        " typeof window.deckpollKinds.get(n).slide.draw])"
    )
    expected = [[kind, "function", "function"] for kind in sorted(names())]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((build(deck, deck.parent / "kinds-out") / "index.html").as_uri())
        assert page.evaluate(probe) == expected
        phone = context.new_page()
        phone.goto(f"{server}/{CODE}")
        phone.locator("#jp-view .jp-q").wait_for(timeout=5000)
        assert phone.evaluate(probe) == expected
    finally:
        context.close()


def test_without_a_backend_on_a_static_server(browser, deck, tmp_path):
    out = build(deck, tmp_path / "static")
    hits: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(out), **kwargs)

        def log_request(self, *args) -> None:
            hits.append(self.path)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"http://127.0.0.1:{httpd.server_port}/#/3")
        page.wait_for_function("document.documentElement.dataset.dpReady === '1'")
        page.wait_for_timeout(3500)
        slide = page.locator('.dp-slide[data-dp-index="3"]')
        assert slide.locator(".dp-poll-join").is_visible()
        assert "deckpoll serve" not in slide.inner_text()
        api = [h for h in hits if "/api/" in h]
        # Asked at 0, 1 and 3 s (backoff doubling to 30 s): it keeps trying, without a storm.
        assert 2 <= len(api) <= 3, api
        assert not errors
    finally:
        context.close()
        httpd.shutdown()
        httpd.server_close()


SV_DECK = """title: Skaltest
lang: sv
slides: [s.md]
polls:
  code: "777777"
"""
SV_SLIDES = """# Välkommen

---

```poll
id: betyg
kind: scale
question: Hur nöjd är du?
min: 1
max: 5
min_label: Inte alls
max_label: Mycket
results: on_reveal
```
"""


def test_scale_results_on_reveal_in_swedish(browser, tmp_path):
    deck = tmp_path / "skal"
    deck.mkdir()
    (deck / "deck.yaml").write_text(SV_DECK)
    (deck / "s.md").write_text(SV_SLIDES)
    compiled = compile_deck(deck, join_url="http://127.0.0.1/777777")
    app = create_app(compiled, open_store("memory://"), presenter_key=KEY)
    log: list[str] = []
    with live_server(app) as base:
        presenter_context = browser.new_context(viewport={"width": 1280, "height": 720})
        phone_context = browser.new_context(viewport={"width": 390, "height": 800})
        try:
            presenter = presenter_context.new_page()
            watch(presenter, log)
            presenter.goto(f"{base}/?key={KEY}#/2")
            slide = presenter.locator('.dp-slide[data-dp-index="2"]')
            slide.get_by_text("Resultaten visas senare.").wait_for(timeout=5000)
            phone = phone_context.new_page()
            watch(phone, log)
            phone.goto(f"{base}/777777")
            phone.locator("#jp-view").get_by_text("Hur nöjd är du?").wait_for(timeout=5000)
            assert phone.locator("#jp-view .jp-ends").get_by_text("Inte alls").is_visible()
            phone.locator("form").get_by_text("4", exact=True).click()
            phone.get_by_role("button", name="Skicka").click()
            phone.locator("#jp-view").get_by_text("Tack för ditt svar!").wait_for(timeout=2000)
            phone.locator("#jp-view").get_by_text("Resultaten visas senare.").wait_for(timeout=2000)
            slide.locator(".dp-poll-count", has_text="1 svar").wait_for(timeout=1000)
            assert slide.locator(".dp-poll-average").count() == 0
            console = presenter_context.new_page()
            watch(console, log)
            console.goto(f"{base}/?key={KEY}&view=speaker#/2")
            console.get_by_role("button", name="Visa resultat").click()
            slide.locator(".dp-poll-average", has_text="Medel").wait_for(timeout=1000)
            assert slide.locator(".dp-poll-average strong").inner_text() == "4"
            phone.locator("#jp-view").get_by_text("Medel 4").wait_for(timeout=1000)
            console.get_by_role("button", name="Dölj resultat").click()
            slide.locator(".dp-poll-average").wait_for(state="detached", timeout=1000)
            # a reset (here through the API) empties the poll everywhere; it stays open
            r = httpx.post(
                f"{base}/api/v1/polls/betyg/reset",
                headers={"Authorization": f"Bearer {KEY}"},
                timeout=5,
            )
            assert r.json()["status"] == "open"
            slide.locator(".dp-poll-count", has_text="0 svar").wait_for(timeout=1000)
            phone.get_by_role("button", name="Skicka").wait_for(timeout=2000)
            assert not log, log
        finally:
            presenter_context.close()
            phone_context.close()


def test_a_form_being_typed_into_is_not_replaced_while_the_phone_loads(browser, server):
    """The phone's first snapshot, its own answers and the stream's snapshot arrive one after
    the other: the text field drawn first stays (a person may already type into it)."""
    httpx.post(
        f"{server}/api/v1/state",
        json={"slide": 4, "fragment": 0},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    ).raise_for_status()
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        phone = context.new_page()
        phone.add_init_script(
            "window.dpRemoved = 0; new MutationObserver(ms => ms.forEach(m => m.removedNodes"
            ".forEach(n => { if (n.querySelector && n.querySelector('input.jp-text'))"
            " window.dpRemoved++; }))).observe(document, {childList: true, subtree: true});"
        )
        phone.goto(f"{server}/{CODE}")
        phone.locator("input.jp-text").wait_for(timeout=5000)
        phone.wait_for_timeout(1000)
        assert phone.evaluate("window.dpRemoved") == 0
    finally:
        context.close()


def test_a_deck_hosted_elsewhere_uses_polls_url_with_cors(browser, deck, tmp_path):
    site = tmp_path / "site"
    site.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_port}"
    app = create_app(
        compile_deck(deck), open_store("memory://"), presenter_key=KEY, allowed_origins=[origin]
    )
    context = browser.new_context()
    try:
        with live_server(app) as backend:
            (deck / "deck.yaml").write_text(DECK_YAML + f"  url: {backend}\n")
            build(deck, site)
            page = context.new_page()
            log: list[str] = []
            watch(page, log)
            page.goto(f"{origin}/?key={KEY}#/3")
            slide = page.locator('.dp-slide[data-dp-index="3"]')
            expect(page.locator("#dp-deck")).to_have_class(re.compile("dp-presenter"))
            expect(page.locator("#dp-deck")).to_have_class(re.compile("dp-polls-live"))
            deadline = time.monotonic() + 3
            while httpx.get(f"{backend}/api/v1/deck").json()["live"]["state"]["slide"] != 3:
                assert time.monotonic() < deadline, "the deck never reported its slide"
                time.sleep(0.05)
            r = httpx.post(
                f"{backend}/api/v1/polls/wall/answers",
                json={"text": "from across origins"},
                headers={"X-Deckpoll-Voter": minted(backend)},
            )
            assert r.status_code == 200  # auto-opened by the deck's report
            slide.locator(".dp-poll-entry", has_text="from across origins").wait_for(timeout=2000)
            assert slide.locator("[data-dp-join-url]").get_attribute("href") == f"{backend}/join"
            assert not [e for e in log if "favicon" not in e and "404 (File not found)" not in e]
    finally:
        context.close()
        httpd.shutdown()
        httpd.server_close()
