"""A handout opened from file:// in Chromium shows the archive's numbers and words with no
live-poll text and no request anywhere; its PDF has one page per slide, continuation
slides included (deckpoll build --results latest --pdf)."""

from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from test_runtime import pdf_pages  # noqa: E402

from deckpoll.cli import main  # noqa: E402
from deckpoll.handout import wall_pages  # noqa: E402
from test_handout import WALL, answered_deck  # noqa: E402

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    # In a thread of its own: Playwright's sync API holds this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        deck = pool.submit(answered_deck, tmp_path_factory.mktemp("handout-browser")).result()
    out = deck.parent / "out"
    args = ["build", str(deck), "--results", "latest", "-o", str(out), "--pdf"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def test_the_handout_from_file_shows_the_archived_results(page, built):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto((built / "index.html").as_uri() + "#/2")
    slide = page.locator('.dp-slide[data-dp-index="2"]')
    expect(slide.locator(".dp-handout-word").first).to_contain_text("Tillit")
    expect(slide).to_contain_text("50 deltagare · 50 svar")
    assert slide.locator(".dp-handout-word").count() == 49
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "handout-cloud-1280x720.png"))
    page.keyboard.press("ArrowRight")
    wall = page.locator('.dp-slide[data-dp-index="3"]')
    expect(wall.locator(".dp-poll-entry").first).to_contain_text(WALL[0].strip())
    page.screenshot(path=str(ARTIFACTS / "handout-wall-1280x720.png"))
    body = page.locator("body").inner_text()
    for live in ("Live-svar", "deckpoll serve", "Delta med koden", "515151", "Ansluter"):
        assert live not in body, live
    assert all(url.startswith("file://") for url in requests), requests
    assert page.evaluate("typeof window.deckpollKinds") == "undefined"


def test_the_handout_pdf_has_a_page_per_slide_and_continuation(built):
    sections = re.findall(r'<section class="dp-slide', (built / "index.html").read_text("utf-8"))
    slides_in_source = 7
    synthesis = 1  # the similar answers of the wall, clustered
    assert len(sections) == slides_in_source + len(wall_pages(WALL)) - 1 + synthesis
    assert len(pdf_pages((built / "deck.pdf").read_bytes())) == len(sections)
