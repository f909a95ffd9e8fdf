"""axe-core on the phone page and on a presenter's poll slides with live results drawn."""

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

DECK_YAML = (
    'title: Tillgänglighet\nlang: sv\nslides: [s.md]\npolls:\n  code: "515151"\n'
    "reactions: [👏, ❤️, 😂, 🤔]\n"
)
SLIDES = """# Välkommen

Text om dagen.

---

```poll
id: val
kind: multiple
question: Vad väljer du?
options: [Kaffe, Te, Vatten]
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
```

---

```poll
id: vagg
kind: open
question: Något mer?
```

---

```poll
id: ordning
kind: ranking
question: Vad är viktigast?
options: [Tid, Pengar, Folk]
```

---

```poll
id: fragor
kind: qa
question: Frågor till oss?
scope: deck
```

---

```poll
id: quiz
kind: quiz
question: Vilket år?
options: [{id: a, label: "2015"}, {id: b, label: "2017"}]
correct: b
time_limit: 60
```

---

```poll
id: topp
kind: leaderboard
question: Topplistan
```
"""


def violations(page, axe_js: str) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_js)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("theme", ["default", "dark"])
def test_phone_page_and_presenter_results_pass_axe(browser, axe_js, tmp_path, theme):
    deck = tmp_path / "a11y"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML + f"theme: {theme}\n")
    (deck / "s.md").write_text(SLIDES)
    app = create_app(
        compile_deck(deck, join_url="http://127.0.0.1/515151"),
        open_store("memory://"),
        presenter_key=KEY,
    )
    # axe is injected as an inline script, which the pages' CSP forbids by design
    presenter_context = browser.new_context(
        viewport={"width": 1280, "height": 720}, bypass_csp=True
    )
    phone_context = browser.new_context(  # the phone page follows the phone's colour scheme
        viewport={"width": 390, "height": 800},
        bypass_csp=True,
        color_scheme="dark" if theme == "dark" else "light",
    )
    try:
        with live_server(app) as base:
            auth = {"Authorization": f"Bearer {KEY}"}
            presenter = presenter_context.new_page()
            presenter.goto(f"{base}/?key={KEY}#/1")
            presenter.wait_for_selector("#dp-deck.dp-presenter", state="attached")
            phone = phone_context.new_page()
            phone.goto(f"{base}/515151")
            view = phone.locator("#jp-view")
            view.get_by_text("Väntar på nästa fråga").wait_for(timeout=5000)
            bad = violations(phone, axe_js)
            assert not bad, f"phone, waiting: {bad}"
            for n, (pid, body) in enumerate(
                [
                    ("val", {"choices": ["kaffe", "te"]}),
                    ("skala", {"value": 4}),
                    ("ord", {"text": "mod"}),
                    ("vagg", {"text": "<b>fet</b> text"}),
                    ("ordning", {"order": ["folk", "tid", "pengar"]}),
                    ("fragor", {"text": "Varför <b>nu</b>?", "name": "Anna"}),
                    ("quiz", {"choice": "b"}),
                    ("topp", {"nickname": "<i>Räven</i>"}),
                ]
            ):
                slide = n + 2
                presenter.evaluate("i => deckpoll.go(i)", slide)
                view.locator("form").wait_for(timeout=3000)
                bad = violations(phone, axe_js)
                assert not bad, f"phone, form of {pid}: {bad}"
                for _ in range(3):  # three voters
                    r = httpx.post(
                        f"{base}/api/v1/polls/{pid}/answers",
                        json=body,
                        headers={"X-Deckpoll-Voter": minted(base)},
                    )
                    assert r.status_code == 200, r.text
                httpx.post(f"{base}/api/v1/polls/{pid}/close", headers=auth)
                if pid == "quiz":  # the revealed view: the right answer, the points
                    httpx.post(f"{base}/api/v1/polls/{pid}/reveal", headers=auth)
                view.get_by_text("Frågan är stängd.").wait_for(timeout=3000)
                presenter.locator(
                    f'.dp-slide[data-dp-index="{slide}"] .dp-poll-count', has_text="3 svar"
                ).wait_for(timeout=3000)
                bad = violations(phone, axe_js)
                assert not bad, f"phone, results of {pid}: {bad}"
                bad = violations(presenter, axe_js)
                assert not bad, f"presenter, results of {pid}: {bad}"
    finally:
        presenter_context.close()
        phone_context.close()


@pytest.mark.parametrize("theme", ["default", "dark"])
def test_the_deck_overview_passes_axe(browser, axe_js, tmp_path, theme):
    """The overview (`o`): every slide a thumbnail with its caption, the poll slides with their
    results drawn, the current one and the selected one outlined."""
    deck = tmp_path / "a11y"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML + f"theme: {theme}\n")
    (deck / "s.md").write_text(SLIDES)
    app = create_app(
        compile_deck(deck, join_url="http://127.0.0.1/515151"),
        open_store("memory://"),
        presenter_key=KEY,
    )
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    try:
        with live_server(app) as base:
            r = httpx.post(
                f"{base}/api/v1/polls/skala/answers",
                json={"value": 4},
                headers={"X-Deckpoll-Voter": minted(base)},
            )
            assert r.status_code == 409, r.text  # not open yet: results drawn empty
            presenter = context.new_page()
            presenter.goto(f"{base}/?key={KEY}#/3")
            presenter.wait_for_selector("#dp-deck.dp-presenter", state="attached")
            presenter.keyboard.press("o")
            presenter.wait_for_selector("html.dp-overview .dp-slide.dp-selected", state="attached")
            assert presenter.evaluate(
                "document.querySelectorAll('.dp-ov-caption').length"
                " === document.querySelectorAll('#dp-deck > .dp-slide').length"
            )
            bad = violations(presenter, axe_js)
            assert not bad, f"overview, {theme}: {bad}"
            # and axe could judge the thumbnails' contrast: a caption drawn as a pseudo-element
            # left every text under it undecided ("could not be determined due to a pseudo
            # element"), 37 texts on this deck
            undecided = presenter.evaluate(
                """async () => (await axe.run(document, {runOnly: ['color-contrast']})).incomplete
                  .flatMap(v => v.nodes).map(n => n.any.map(c => c.message).join(' '))
                  .filter(m => /pseudo/.test(m))"""
            )
            assert not undecided, undecided
    finally:
        context.close()
