"""The word cloud on the big screen shows every entry, however long: none is dropped."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from test_polls import deck, server  # noqa: E402, F401  (fixtures)

from deckpoll.polls.base import shorten  # noqa: E402
from deckpoll.polls.wordcloud import SCREEN_CHARS  # noqa: E402
from server_fixtures import KEY, minted  # noqa: E402

pytestmark = pytest.mark.browser

ENTRIES = [
    "Ledarskap",
    "<b>fet</b> & <script>alert(1)</script> och en lång mening till",
    "Innovationsledningsförmågeutvecklingsprogrammets-uppföljningsrapporter-och-bilagor-2017",
    "Tillit",
]


def test_long_entries_are_shrunk_or_shortened_not_dropped(browser, server) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        presenter = context.new_page()
        presenter.goto(f"{server}/?key={KEY}#/4")
        # open it here rather than race the deck reporting its slide (which opens it too)
        httpx.post(
            f"{server}/api/v1/polls/cloud/open", headers={"Authorization": f"Bearer {KEY}"}
        ).raise_for_status()
        for text in ENTRIES:
            response = httpx.post(
                f"{server}/api/v1/polls/cloud/answers",
                json={"text": text},
                headers={"X-Deckpoll-Voter": minted(server)},
                timeout=5,
            )
            assert response.status_code == 200, response.text
        words = presenter.locator('.dp-slide[data-dp-index="4"] svg.dp-poll-cloud text')
        expect(words).to_have_count(4, timeout=3000)  # (CSP: no string evaluation)
        shown = words.evaluate_all(
            "ts => ts.map(t => [t.firstChild.textContent, t.querySelector('title')?.textContent])"
        )
        full = []
        for label, title in shown:
            if title is not None:  # shortened at the smallest size: the title holds it all
                assert title.startswith(label[:-1])
                full.append(title)
            else:
                full.append(label)
        # the server sends words shortened to about 40 characters (a bounded event)
        assert sorted(full) == sorted(shorten(e, SCREEN_CHARS) for e in ENTRIES)
        assert "Ledarskap" in [label for label, _ in shown]  # short words are not touched
        inside = words.evaluate_all(
            "ts => ts.every(t => { const b = t.getBBox(), v = t.ownerSVGElement.viewBox.baseVal;"
            " return b.x >= -1 && b.x + b.width <= v.width + 1; })"
        )
        assert inside
    finally:
        context.close()
