"""Numbers follow the page's language (issue 17): the scale's average reads "3,43" on a Swedish
or German page and "3.43" on an English one, on the phone and on the slide, in what is shown and
in what a screen reader hears. Screenshot: tests/artifacts/phone/number-<lang>-390x844.png."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from deckpoll.build import compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import KEY, live_server, minted  # noqa: E402

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "phone"
AUTH = {"Authorization": f"Bearer {KEY}"}
SLIDES = """# Start

---

```poll
id: skala
kind: scale
question: Hur gick det?
min_label: Dåligt
max_label: Bra
```
"""
VALUES = [(1, 3, 4, 4, 5, 2, 5)[n % 7] for n in range(40)]  # 40 phones, an average of 3.42
AVERAGE = {"sv": "Medel {}", "en": "Average {}", "de": "Durchschnitt {}"}
DECIMAL = {"sv": ",", "en": ".", "de": ","}


@pytest.mark.parametrize("lang", ["sv", "en", "de"])
def test_the_average_is_written_in_the_page_language(browser, tmp_path, lang):
    deck = tmp_path / "tal"
    deck.mkdir()
    (deck / "deck.yaml").write_text(
        f'title: Siffror\nlang: {lang}\nslides: [s.md]\npolls:\n  code: "737373"\n'
    )
    (deck / "s.md").write_text(SLIDES)
    app = create_app(
        compile_deck(deck, join_url="http://127.0.0.1/737373"),
        open_store("memory://"),
        presenter_key=KEY,
    )
    average = round(sum(VALUES) / len(VALUES), 2)
    assert average != int(average)  # else there would be no decimal sign to check
    written = str(average).replace(".", DECIMAL[lang])
    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    presenter_context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        with live_server(app) as base:
            presenter = presenter_context.new_page()
            presenter.goto(f"{base}/?key={KEY}#/2")
            presenter.wait_for_selector("#dp-deck.dp-presenter", state="attached")
            assert httpx.post(f"{base}/api/v1/polls/skala/open", headers=AUTH).status_code == 200
            for value in VALUES:
                r = httpx.post(
                    f"{base}/api/v1/polls/skala/answers",
                    json={"value": value},
                    headers={"X-Deckpoll-Voter": minted(base)},
                )
                assert r.status_code == 200, r.text
            assert httpx.post(f"{base}/api/v1/polls/skala/close", headers=AUTH).status_code == 200
            phone = phone_context.new_page()
            phone.goto(f"{base}/737373")
            note = phone.locator("#jp-view .jp-note", has_text=AVERAGE[lang].format(""))
            note.wait_for(timeout=5000)
            assert note.text_content() == AVERAGE[lang].format(written)
            # what a screen reader hears: the accessibility tree, not only the text
            assert AVERAGE[lang].format(written) in phone.locator("#jp-view").aria_snapshot()
            SHOTS.mkdir(parents=True, exist_ok=True)
            phone.screenshot(path=str(SHOTS / f"number-{lang}-390x844.png"), full_page=True)

            slide_average = presenter.locator('.dp-slide[data-dp-index="2"] .dp-poll-average')
            slide_average.locator("strong", has_text=written).wait_for(timeout=5000)
            assert slide_average.locator("strong").text_content() == written
            assert written in slide_average.aria_snapshot()
    finally:
        phone_context.close()
        presenter_context.close()
