"""A deck that cannot use its backend says so to the presenter (speaker view, console),
naming the URL and what it found, keeps the projected deck clean and tries again."""

from __future__ import annotations

import contextlib
import http.server
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from deckpoll.build import build, compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import KEY, live_server  # noqa: E402

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
SLIDES = """# Health check

---

```poll
id: fika
kind: single
question: Coffee or tea?
options: [Coffee, Tea]
```

---

## Thanks
"""


def make_deck(
    root: Path, name: str, polls_url: str | None = None, poll_kind: str = "single"
) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    url = f"  url: {polls_url}\n" if polls_url else ""
    (folder / "deck.yaml").write_text(f"title: {name}\nlang: en\npolls:\n  code: '123456'\n{url}")
    slides = (
        SLIDES if poll_kind == "single" else SLIDES.replace("kind: single", f"kind: {poll_kind}")
    )
    (folder / "slides.md").write_text(slides)
    return folder


@contextlib.contextmanager
def static_site(folder: Path):
    """The built deck on a plain static server (another origin than the backend)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def backend_for(deck: Path, origin: str):
    app = create_app(
        compile_deck(deck), open_store("memory://"), presenter_key=KEY, allowed_origins=[origin]
    )
    return live_server(app)


def open_views(browser, site: str, warnings: list[str]):
    """The speaker view and the projected (audience) view of the deck, with the key."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    speaker = context.new_page()
    speaker.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    speaker.goto(f"{site}/?key={KEY}&view=speaker#/2")
    audience = context.new_page()
    audience.goto(f"{site}/#/2")
    return context, speaker, audience


def assert_audience_clean(audience, *secrets: str) -> None:
    expect(audience.locator("html")).to_have_attribute("data-dp-ready", "1")
    assert audience.locator(".dp-sv-backend").count() == 0
    text = audience.locator("body").inner_text()
    for secret in secrets:
        assert secret not in text
    assert "dp-polls-live" not in (audience.locator("#dp-deck").get_attribute("class") or "")
    # The poll slide still shows its question and how to join, as built.
    assert audience.locator('.dp-slide[data-dp-index="2"] .dp-poll-join').is_visible()


def test_wrong_base_url_is_named_in_the_speaker_view(browser, tmp_path: Path) -> None:
    """polls.url with a path the backend does not have: 404, said with the URL asked."""
    probe = make_deck(tmp_path, "probe")
    with static_site(tmp_path / "site") as site_origin:
        with backend_for(probe, site_origin) as backend:
            deck = make_deck(tmp_path, "talk", polls_url=f"{backend}/polls/")
            build(deck, tmp_path / "site")
            warnings: list[str] = []
            context, speaker, audience = open_views(browser, site_origin, warnings)
            try:
                box = speaker.locator(".dp-sv-backend")
                expect(box).to_be_visible(timeout=10000)
                expect(box).to_contain_text(f"{backend}/polls/api/v1/deck")
                expect(box).to_contain_text("404")
                expect(box).to_contain_text("Trying again in")
                assert box.get_attribute("role") == "alert"
                speaker.screenshot(path=str(ARTIFACTS / "backend-wrong-url-speaker.png"))
                audience.screenshot(path=str(ARTIFACTS / "backend-wrong-url-audience.png"))
                assert_audience_clean(audience, "404", "/polls/api")
                assert any(f"{backend}/polls/api/v1/deck" in w for w in warnings), warnings
            finally:
                context.close()


def test_another_deck_at_the_backend_is_named_with_both_ids(browser, tmp_path: Path) -> None:
    other = make_deck(tmp_path, "other-talk")
    with static_site(tmp_path / "site") as site_origin:
        with backend_for(other, site_origin) as backend:
            deck = make_deck(tmp_path, "my-talk", polls_url=backend)
            build(deck, tmp_path / "site")
            warnings: list[str] = []
            context, speaker, audience = open_views(browser, site_origin, warnings)
            try:
                box = speaker.locator(".dp-sv-backend")
                expect(box).to_contain_text("“other-talk”", timeout=10000)
                expect(box).to_contain_text("“my-talk”")
                expect(box).to_contain_text(backend)
                speaker.screenshot(path=str(ARTIFACTS / "backend-other-deck-speaker.png"))
                audience.screenshot(path=str(ARTIFACTS / "backend-other-deck-audience.png"))
                assert_audience_clean(audience, "other-talk")
                assert any("other-talk" in w and "my-talk" in w for w in warnings), warnings
            finally:
                context.close()


def test_another_build_is_a_warning_and_the_deck_stays_live(browser, tmp_path: Path) -> None:
    """Same deck id, but the backend's build has the poll as another kind."""
    with static_site(tmp_path / "site") as site_origin:
        old = make_deck(tmp_path / "old", "talk", poll_kind="multiple")
        with backend_for(old, site_origin) as backend:
            deck = make_deck(tmp_path, "talk", polls_url=backend)
            build(deck, tmp_path / "site")
            context, speaker, _ = open_views(browser, site_origin, [])
            try:
                box = speaker.locator(".dp-sv-backend")
                expect(box).to_contain_text("“fika”", timeout=10000)
                expect(box).to_have_class("dp-sv-backend dp-sv-backend-warn")
                speaker.wait_for_selector("#dp-deck.dp-polls-live", state="attached")
            finally:
                context.close()


def test_unreachable_backend_is_retried_with_backoff_and_the_notice_goes(
    browser, tmp_path: Path
) -> None:
    """The first two asks fail (no answer), the third reaches the backend: the notice
    shows, then goes once the deck is live; the asks come 1 s, then 2 s apart."""
    deck = make_deck(tmp_path, "talk")
    app = create_app(compile_deck(deck), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        asks: list[str] = []

        def flaky(route):
            asks.append(route.request.url)
            if len(asks) <= 2:
                route.abort("connectionrefused")
            else:
                route.continue_()

        try:
            context.route("**/api/v1/deck", flaky)
            speaker = context.new_page()
            speaker.goto(f"{base}/?key={KEY}&view=speaker#/2")
            box = speaker.locator(".dp-sv-backend")
            expect(box).to_contain_text("No answer from", timeout=5000)
            expect(box).to_contain_text(f"{base}/api/v1/deck")
            speaker.wait_for_selector("#dp-deck.dp-polls-live", state="attached", timeout=10000)
            expect(box).to_be_hidden()
            assert len(asks) == 3
            times = speaker.evaluate(
                "performance.getEntriesByType('resource')"
                ".filter(e => e.name.endsWith('/api/v1/deck')).map(e => e.startTime)"
            )
            gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
            assert len(gaps) == 2 and 800 < gaps[0] < 1800 and 1800 < gaps[1] < 3000, gaps
        finally:
            context.close()


def test_a_deck_from_disk_names_its_origin_null_when_refused(browser, tmp_path: Path) -> None:
    """file:// sends Origin: null; a backend that does not list it refuses (CORS), which
    the browser shows the page as a network error: the notice names the origin to allow."""
    deck = make_deck(tmp_path, "talk")
    app = create_app(compile_deck(deck), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as backend:
        built = make_deck(tmp_path / "disk", "talk", polls_url=backend)
        page_file = build(built, tmp_path / "out") / "index.html"
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        try:
            speaker = context.new_page()
            speaker.goto(page_file.as_uri() + f"?key={KEY}&view=speaker#/2")
            box = speaker.locator(".dp-sv-backend")
            expect(box).to_contain_text(f"{backend}/api/v1/deck", timeout=10000)
            expect(box).to_contain_text("this page's origin, null")
        finally:
            context.close()


def test_a_refused_key_is_said_in_the_console_and_the_deck_goes_on(browser, tmp_path) -> None:
    """A wrong key: 403, the deck drops it (console warning, no script error) and carries on
    as an audience deck, live."""
    deck = make_deck(tmp_path, "talk")
    app = create_app(compile_deck(deck), open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        errors: list[str] = []
        warnings: list[str] = []
        try:
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
            page.goto(f"{base}/?key=not-the-key-0123456789#/2")
            page.wait_for_selector("#dp-deck.dp-polls-live", state="attached", timeout=10000)
            assert "dp-presenter" not in (page.locator("#dp-deck").get_attribute("class") or "")
            assert any("presenter key was refused" in w for w in warnings), warnings
            assert not errors, errors
        finally:
            context.close()
