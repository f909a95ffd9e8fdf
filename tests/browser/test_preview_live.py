"""A live edit end to end: `deckpoll preview` in a real process, the deck in Chromium."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SLIDES = ["# Title\n", "## Two\n", "## Three\n\n* a\n* b\n", "## Four\n", "## Five\n"]


def write_deck(folder: Path, slides: list[str], title: str = "Preview") -> None:
    folder.mkdir(exist_ok=True)
    (folder / "deck.yaml").write_text(f"title: {title}\nlang: sv\n", "utf-8")
    (folder / "slides.md").write_text("\n---\n".join(slides), "utf-8")


POLL = "```poll\nid: pulse\nkind: wordcloud\nquestion: Ett ord?\n```\n"


@pytest.fixture
def context(browser):
    """The preview sends the deck's Content-Security-Policy, as `serve` does; Playwright's
    wait_for_function needs eval, so these contexts bypass it (the test below does not)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def preview_server(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    deck = tmp_path / "deck"
    write_deck(deck, SLIDES)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deckpoll",
            "preview",
            str(deck),
            "--no-open",
            "--port",
            "0",
            "--rehearse",
            "25",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)\?key=(\S+)", line)
        assert match, f"no URL in {line!r}"
        yield match.group(1), deck, match.group(2)
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


def test_live_edit_keeps_position_jumps_to_changes_and_shows_errors(page, preview_server) -> None:
    url, deck, _ = preview_server
    page.goto(url + "#/3/1")
    page.wait_for_function("document.documentElement.dataset.dpPreviewEpoch === '1'")
    page.evaluate("window.notReloaded = true")

    # Edit the slide on screen: swapped in place, slide and fragment kept, no reload.
    write_deck(deck, [*SLIDES[:2], "## Three, edited\n\n* a\n* b\n", *SLIDES[3:]])
    page.wait_for_function("document.documentElement.dataset.dpPreviewEpoch === '2'")
    assert page.locator(".dp-slide[data-dp-index='3'] h2").text_content() == "Three, edited"
    assert page.evaluate("[deckpoll.state().index, deckpoll.state().fragment]") == [3, 1]
    assert page.evaluate("window.notReloaded") is True

    # Edit another slide: the page follows to it.
    write_deck(deck, [*SLIDES[:2], "## Three, edited\n\n* a\n* b\n", SLIDES[3], "## Five!\n"])
    page.wait_for_function("document.documentElement.dataset.dpPreviewEpoch === '3'")
    assert page.evaluate("deckpoll.state().index") == 5
    assert page.evaluate("window.notReloaded") is True

    # A broken save: overlay with file:line:col, last good deck still served and shown.
    write_deck(deck, [*SLIDES, "```poll\nid: q\nkind: bogus\nquestion: Q\n```\n"])
    overlay = page.locator(".dp-preview-errors")
    overlay.wait_for()
    assert re.search(r"slides\.md:\d+:7: error: unknown kind 'bogus'", overlay.text_content())
    with urllib.request.urlopen(url, timeout=10) as response:
        assert "Five!" in response.read().decode()

    # The next good save clears it.
    write_deck(deck, [*SLIDES[:4], "## Five, fixed\n"])
    overlay.wait_for(state="detached")
    assert page.locator(".dp-slide[data-dp-index='5'] h2").text_content() == "Five, fixed"

    # deck.yaml changes reload the page at the same position.
    write_deck(deck, [*SLIDES[:4], "## Five, fixed\n"], title="Renamed")
    page.wait_for_function("document.title === 'Renamed'")
    page.wait_for_function("window.deckpoll && deckpoll.state().index === 5")
    assert page.evaluate("window.notReloaded") is None


def test_a_broken_save_shows_the_slide_with_the_error(page, preview_server) -> None:
    url, deck, _ = preview_server
    page.goto(url + "#/1")
    page.wait_for_function("document.documentElement.dataset.dpPreviewEpoch === '1'")
    write_deck(deck, [*SLIDES[:3], "## Four\n\n![w:zz](nowhere.png)\n", SLIDES[4]])
    page.locator(".dp-preview-errors").wait_for()
    page.wait_for_function("deckpoll.state().index === 4")  # the last good build's slide 4
    assert "slides.md:" in page.locator(".dp-preview-errors").text_content()
    # going elsewhere while it is broken is the author's choice: the overlay stays
    page.evaluate("deckpoll.go(2, 0)")
    assert page.evaluate("deckpoll.state().index") == 2


def test_a_poll_added_while_previewing_works_and_r_fills_it(page, preview_server) -> None:
    url, deck, key = preview_server
    page.goto(f"{url}?key={key}#/2")
    page.wait_for_function("document.documentElement.dataset.dpPreviewEpoch === '1'")
    write_deck(deck, [SLIDES[0], POLL, *SLIDES[1:]])  # a new poll slide: the page reloads
    page.wait_for_function("document.querySelector('[data-dp-poll=\\'pulse\\']') !== null")
    page.wait_for_function("deckpoll.state().index === 2")
    page.keyboard.press("r")
    request = urllib.request.Request(
        f"{url}api/v1/polls/pulse/results", headers={"Authorization": f"Bearer {key}"}
    )
    deadline = time.monotonic() + 10
    while True:
        with urllib.request.urlopen(request, timeout=10) as response:
            results = json.loads(response.read())
        if results.get("answers") == 25 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert results.get("answers") == 25, results


def test_the_preview_runs_under_the_decks_content_security_policy(browser, preview_server) -> None:
    """Same app as `serve`: the page comes with its CSP, and the injected preview script
    (allowed by its hash) still swaps a saved slide in."""
    url, deck, _ = preview_server
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        response = page.goto(url + "#/2")
        assert "script-src 'sha256-" in response.headers["content-security-policy"]
        page.wait_for_selector("html[data-dp-preview-epoch='1']", state="attached")
        write_deck(deck, [SLIDES[0], "## Two, under CSP\n", *SLIDES[2:]])
        page.wait_for_selector("html[data-dp-preview-epoch='2']", state="attached")
        heading = page.locator(".dp-slide[data-dp-index='2'] h2").text_content()
        assert heading == "Two, under\u00a0CSP"  # a short last word kept with the one before
        assert problems == []
    finally:
        context.close()
