"""The poll moment on the big screen (issue #9, projector half), on the Vinnova deck served:
results own the slide, the word cloud is complete and stable, the wall never clips, charts
stay readable, and the projected deck shows no control even with the presenter key."""

from __future__ import annotations

import math
import re
import shutil
import sys
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1]))
from deckpoll.build import compile_deck  # noqa: E402
from deckpoll.server.app import create_app  # noqa: E402
from deckpoll.stores.base import open_store  # noqa: E402
from server_fixtures import KEY, live_server, minted  # noqa: E402

pytestmark = pytest.mark.browser

VINNOVA = Path(__file__).parents[2] / "decks" / "vinnova-innovation"
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
CODE = "490296"
CLOUD, WALL, CHART = 18, 19, 23  # slide numbers (the chart slide is added after the 22)

# 35 distinct words, emoji and long Swedish compounds among them; 40 answers in all.
WORDS = [
    "Ledarskap",
    "Tillit",
    "Kompetens",
    "Samverkan",
    "Mod",
    "Tid",
    "Pengar",
    "Kultur",
    "Innovationsupphandling",
    "Verksamhetsutveckling",
    "Medborgarfokus",
    "Digitalisering",
    "Lärande",
    "Experiment",
    "Prototyper",
    "Användare",
    "Styrning",
    "Uppföljning",
    "Data",
    "Nätverk",
    "Öppenhet",
    "Risktagande",
    "Förändringsledning",
    "Behovsägare",
    "Finansiering",
    "Samskapande",
    "Tjänstedesign",
    "Strategi",
    "💡 Idéer",
    "🚀",
    "AI",
    "Hållbarhet",
    "Kompetensförsörjningsstrategier",
    "Jämställdhet",
    "Organisationskultur",
]
REPEATS = ["Ledarskap", "Ledarskap", "Tillit", "Kompetens", "Mod"]  # 35 + 5 = 40 answers
LINES = [
    "Medborgarna",
    "Kommuner och regioner\ntillsammans med staten",
    "Chefer på alla nivåer",
    "Innovationsenheter, IT och verksamheten\nsom äger behovet\noch de som ska använda lösningen",
    "Forskare",
    "Civilsamhället och idéburna organisationer",
    "Upphandlare",
    "Politiker",
    "Medarbetare nära brukarna",
    "Näringslivet, särskilt små företag",
]
OPEN = [LINES[n % len(LINES)] + ("" if n < len(LINES) else f" ({n})") for n in range(29)]
LONG = "Alla som berörs: " + "medborgare, medarbetare, chefer, politiker, forskare, " * 4 + "alla"
OPEN.append(LONG)  # the newest, so it is on the wall's first page
LABELS = [
    "Kompetensutveckling för chefer och medarbetare i kommunal verksamhet",
    "Tydligare styrning",
    "Mer tid för experiment",
    "Finansiering",
    "Samverkan mellan myndigheter",
    "Innovationsupphandling",
    "Bättre uppföljning och utvärdering av resultat",
    "Tillit",
    "Ledarskap",
    "Medborgardialog",
    "Digital infrastruktur",
    "Annat",
]
CHART_SLIDE = "\n---\n\n<!-- slide: {layout: poll} -->\n\n### Fråga 3\n\n```poll\nid: prio\n"
CHART_SLIDE += "kind: single\nquestion: Vad är viktigast för er organisation just nu?\noptions:\n"
CHART_SLIDE += "".join(f"  - {label}\n" for label in LABELS) + "```\n"
SIZES = {"16:9": (1280, 720), "4:3": (960, 720), "16:10": (1152, 720)}


def vinnova(tmp_path: Path, aspect: str = "16:9", theme: str = "default") -> Path:
    folder = tmp_path / "vinnova"
    shutil.copytree(VINNOVA, folder)
    yaml = (folder / "deck.yaml").read_text()
    yaml = yaml.replace('aspect: "16:9"', f'aspect: "{aspect}"').replace(
        "theme: default", f"theme: {theme}"
    )
    (folder / "deck.yaml").write_text(yaml)
    with (folder / "slides.md").open("a") as slides:
        slides.write(CHART_SLIDE)
    return folder


@pytest.fixture(params=[("16:9", "default"), ("4:3", "default"), ("16:10", "dark")], ids=str)
def served(request, tmp_path):
    aspect, theme = request.param
    compiled = compile_deck(
        vinnova(tmp_path, aspect, theme), join_url=f"http://127.0.0.1:8000/{CODE}"
    )
    app = create_app(compiled, open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        yield base, aspect, theme


TOKENS: dict[tuple[str, int], str] = {}


def answer(base: str, poll: str, voter: int, body: dict) -> None:
    """Voter number `voter` answers (a token signed by the server, as a phone gets one)."""
    if (base, voter) not in TOKENS:
        TOKENS[base, voter] = minted(base)
    response = httpx.post(
        f"{base}/api/v1/polls/{poll}/answers",
        json=body,
        headers={"X-Deckpoll-Voter": TOKENS[base, voter]},
        timeout=5,
    )
    assert response.status_code == 200, response.text


def presenter_page(browser, base: str, slide: int, aspect: str, **options):
    width, height = SIZES[aspect]
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(f"{base}/?key={KEY}#/{slide}")
    expect(page.locator("html")).to_have_attribute("data-dp-ready", "1")
    page.wait_for_selector("#dp-deck.dp-presenter", state="attached")
    # the poll opens when the presenter's slide reaches the server
    page.wait_for_selector('.dp-current [data-dp-poll-status="open"]', state="attached")
    return context, page, problems


def nothing_to_click(page) -> None:
    """The projected deck holds content only: no visible button, control or open dialog."""
    visible = page.locator(
        "#dp-deck :is(button, [role=button], [data-dp-action], [tabindex]:not(section)),"
        " dialog[open]"
    )
    assert not any(visible.nth(i).is_visible() for i in range(visible.count()))


def word_boxes(page, slide: int) -> list[dict]:
    return page.locator(f'.dp-slide[data-dp-index="{slide}"] .dp-poll-word').evaluate_all(
        """ts => ts.map(t => { const b = t.getBBox();
             return {word: t.dataset.dpWord, x: b.x, y: b.y, w: b.width, h: b.height,
                     size: +t.getAttribute('font-size'),
                     ax: t.getAttribute('x'), ay: t.getAttribute('y')}; })"""
    )


def test_cloud_is_complete_readable_stable_and_owns_the_stage(browser, served) -> None:
    base, aspect, theme = served
    context, page, problems = presenter_page(browser, base, CLOUD, aspect)
    try:
        slide = page.locator(f'.dp-slide[data-dp-index="{CLOUD}"]')
        # Before the first answer: the big join panel, the question as the slide's content.
        expect(slide.locator(".dp-poll-join")).to_be_visible()
        assert slide.locator(".dp-qr").bounding_box()["width"] > 200
        for n, word in enumerate(WORDS + REPEATS):
            answer(base, "fokus", n if n < len(WORDS) else n - len(WORDS) + 10, {"text": word})
        expect(slide.locator(".dp-poll-count")).to_have_text("35 deltagare · 40 svar", timeout=3000)
        expect(slide.locator(".dp-poll")).to_have_class("dp-poll dp-poll-showing dp-poll-staged")
        page.wait_for_timeout(300)
        width, height = SIZES[aspect]
        scale = page.evaluate("deckpoll.width") / width
        # The results own the stage: a strip with a small QR code, the body >= 1100x430 (16:9).
        qr = slide.locator(".dp-qr").bounding_box()
        assert qr["width"] < 100 * scale
        body = slide.locator(".dp-poll-body").evaluate("b => [b.clientWidth, b.clientHeight]")
        assert body[0] >= 1100 * width / 1280 and body[1] >= 430, body
        # Complete: every word is drawn, or "+N" says exactly how many are not.
        boxes = word_boxes(page, CLOUD)
        more = slide.locator(".dp-poll-more")
        missing = int(more.get_attribute("data-dp-missing")) if more.count() else 0
        assert len({b["word"] for b in boxes}) + missing == len(WORDS)
        assert missing == 0, f"{missing} of 35 words left out at {aspect}"
        # Readable: the smallest word is 24 design px (1 viewBox unit = 1 design px).
        assert min(b["size"] for b in boxes) >= 24
        svg = slide.locator("svg.dp-poll-cloud").evaluate(
            "s => [s.viewBox.baseVal.width, s.viewBox.baseVal.height,"
            " s.clientWidth, s.clientHeight]"
        )
        assert svg[0] == svg[2] and svg[1] == svg[3]
        # No overlap, no clipping.
        for i, a in enumerate(boxes):
            assert a["x"] >= -0.5 and a["y"] >= -0.5, a
            assert a["x"] + a["w"] <= svg[0] + 0.5 and a["y"] + a["h"] <= svg[1] + 0.5, a
            for b in boxes[i + 1 :]:
                overlap = (
                    min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) > 0.5
                    and min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) > 0.5
                )
                assert not overlap, (a, b)
        # Content only: no control, and hovering a word changes nothing.
        nothing_to_click(page)
        word = slide.locator(".dp-poll-word").first
        word.hover()
        assert word.evaluate("w => getComputedStyle(w).textDecorationLine") == "none"
        page.screenshot(path=str(ARTIFACTS / f"stage-cloud-{aspect.replace(':', 'x')}-{theme}.png"))
        # Stable: hiding a word and adding one move no other word.
        before = {b["word"]: (b["ax"], b["ay"]) for b in word_boxes(page, CLOUD)}
        results = httpx.get(
            f"{base}/api/v1/polls/fokus/results",
            headers={"Authorization": f"Bearer {KEY}"},
            timeout=5,
        ).json()
        tid = next(w for w in results["words"] if w["text"] == "Tid")
        ids = httpx.get(
            f"{base}/api/v1/polls/fokus/groups/{tid['group']}/answers",
            headers={"Authorization": f"Bearer {KEY}"},
            timeout=5,
        ).json()["ids"]
        for aid in ids:
            response = httpx.post(
                f"{base}/api/v1/polls/fokus/answers/{aid}/hide",
                headers={"Authorization": f"Bearer {KEY}"},
                timeout=5,
            )
            assert response.status_code == 200
        answer(base, "fokus", 20, {"text": "Nyfikenhet"})
        expect(slide.locator('.dp-poll-word[data-dp-word="Nyfikenhet"]')).to_have_count(1)
        expect(slide.locator('.dp-poll-word[data-dp-word="Tid"]')).to_have_count(0)
        after = {b["word"]: (b["ax"], b["ay"]) for b in word_boxes(page, CLOUD)}
        assert "Tid" not in after
        moved = [w for w in before if w != "Tid" and after.get(w) != before[w]]
        assert not moved, moved
        assert not problems, problems
    finally:
        context.close()


def test_wall_pages_and_never_clips(browser, served) -> None:
    base, aspect, theme = served
    context, page, problems = presenter_page(browser, base, WALL, aspect)
    try:
        slide = page.locator(f'.dp-slide[data-dp-index="{WALL}"]')
        for n, text in enumerate(OPEN):
            answer(base, "involverade", n, {"text": text})
        expect(slide.locator(".dp-poll-count")).to_have_text("30 deltagare · 30 svar", timeout=3000)
        page.wait_for_timeout(200)
        cards = slide.locator(".dp-poll-entry")
        shown = cards.count()
        assert 4 <= shown < 30
        foot = slide.locator(".dp-poll-wall-foot").inner_text()
        assert foot == f"1/{math.ceil(30 / shown)}"
        wall = slide.locator(".dp-poll-body").bounding_box()
        for i in range(shown):
            card = cards.nth(i)
            box = card.bounding_box()
            assert box["x"] >= wall["x"] - 1 and box["y"] >= wall["y"] - 1
            assert box["x"] + box["width"] <= wall["x"] + wall["width"] + 1
            assert box["y"] + box["height"] <= wall["y"] + wall["height"] + 1
            text = card.locator(".dp-poll-entry-text").bounding_box()
            assert text["y"] + text["height"] <= box["y"] + box["height"] + 1, i
            assert (
                card.locator(".dp-poll-entry-text").evaluate(
                    "t => parseFloat(getComputedStyle(t).fontSize)"
                )
                >= 24
            )
        # The newest first; a very long answer ends with an ellipsis inside its card.
        first = cards.first.locator(".dp-poll-entry-text")
        assert first.text_content() == LONG
        assert "dp-poll-entry-clamped" in first.get_attribute("class")
        nothing_to_click(page)
        page.screenshot(path=str(ARTIFACTS / f"stage-wall-{aspect.replace(':', 'x')}-{theme}.png"))
        assert not problems, problems
    finally:
        context.close()


def test_wall_with_reduced_motion_stays_and_counts_the_rest(browser, tmp_path) -> None:
    compiled = compile_deck(vinnova(tmp_path), join_url=f"http://127.0.0.1:8000/{CODE}")
    app = create_app(compiled, open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        context, page, problems = presenter_page(
            browser, base, WALL, "16:9", reduced_motion="reduce"
        )
        try:
            slide = page.locator(f'.dp-slide[data-dp-index="{WALL}"]')
            for n, text in enumerate(OPEN):
                answer(base, "involverade", n, {"text": text})
            expect(slide.locator(".dp-poll-count")).to_have_text(
                "30 deltagare · 30 svar", timeout=3000
            )
            shown = slide.locator(".dp-poll-entry").count()
            expect(slide.locator(".dp-poll-wall-foot")).to_have_text(f"+{30 - shown} fler")
            assert not problems, problems
        finally:
            context.close()


def test_twelve_long_options_stay_readable(browser, served) -> None:
    base, aspect, theme = served
    context, page, problems = presenter_page(browser, base, CHART, aspect)
    try:
        slide = page.locator(f'.dp-slide[data-dp-index="{CHART}"]')
        ids = [f"o{n}" for n in range(len(LABELS))]
        manifest = httpx.get(f"{base}/api/v1/deck", timeout=5).json()
        poll = next(p for p in manifest["polls"] if p["id"] == "prio")
        ids = [o["id"] for o in poll["options"]]
        for n in range(30):
            answer(base, "prio", n, {"choice": ids[(n * n) % len(ids)]})
        expect(slide.locator(".dp-poll-count")).to_have_text("30 deltagare · 30 svar", timeout=3000)
        page.screenshot(path=str(ARTIFACTS / f"stage-chart-{aspect.replace(':', 'x')}-{theme}.png"))
        body = slide.locator(".dp-poll-body").bounding_box()
        rows = slide.locator(".dp-poll-bar-label")
        assert rows.count() == 12
        for sel in (".dp-poll-bar-label", ".dp-poll-bar-value"):
            items = slide.locator(sel)
            for i in range(items.count()):
                box = items.nth(i).bounding_box()
                assert box["y"] + box["height"] <= body["y"] + body["height"] + 1, (sel, i)
                size = items.nth(i).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
                assert size >= 24, (sel, i, size)
        assert not problems, problems
    finally:
        context.close()


@pytest.fixture
def one_served(tmp_path):
    compiled = compile_deck(vinnova(tmp_path), join_url=f"http://127.0.0.1:8000/{CODE}")
    app = create_app(compiled, open_store("memory://"), presenter_key=KEY)
    with live_server(app) as base:
        yield base


def test_j_brings_the_big_join_panel_back_and_is_in_the_help(browser, one_served) -> None:
    base = one_served
    context, page, problems = presenter_page(browser, base, CLOUD, "16:9")
    try:
        poll = page.locator(f'.dp-slide[data-dp-index="{CLOUD}"] .dp-poll')
        for n, word in enumerate(["Tillit", "Mod", "Tid"]):
            answer(base, "fokus", n, {"text": word})
        expect(poll).to_have_class(re.compile("dp-poll-staged"))
        page.keyboard.press("j")
        expect(poll).not_to_have_class(re.compile("dp-poll-staged"))
        assert poll.locator(".dp-qr").bounding_box()["width"] > 200
        expect(poll.locator(".dp-poll-word")).to_have_count(3)  # the results stay, smaller
        page.keyboard.press("j")
        expect(poll).to_have_class(re.compile("dp-poll-staged"))
        page.keyboard.press("j")
        page.keyboard.press("ArrowRight")  # the next slide ends it
        page.keyboard.press("ArrowLeft")
        expect(poll).to_have_class(re.compile("dp-poll-staged"))
        page.keyboard.press("?")
        help_text = page.locator("dialog.dp-help").inner_text()
        assert "Visa hur man ansluter" in help_text
        assert not problems, problems
    finally:
        context.close()


def test_destroy_ends_every_controller_without_an_error(browser, one_served) -> None:
    """00-core.js gives each controller `abort`; a controller that stored its own state under
    that name made destroy() fail (issue #9, item 8)."""
    context, page, problems = presenter_page(browser, one_served, CLOUD, "16:9")
    try:
        page.evaluate("deckpoll.destroy()")
        page.wait_for_timeout(300)
        assert not problems, problems
        # the live stream is closed: new answers no longer reach the slide
        answer(one_served, "fokus", 1, {"text": "Efteråt"})
        page.wait_for_timeout(600)
        assert page.locator(".dp-poll-word").count() == 0
    finally:
        context.close()


def test_phone_shows_the_answer_limit_before_the_first_answer(browser, one_served) -> None:
    context, page, problems = presenter_page(browser, one_served, CLOUD, "16:9")
    phone_context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        phone = phone_context.new_page()
        phone.goto(f"{one_served}/{CODE}")
        phone.get_by_label("Bord 1", exact=True).check()  # the Vinnova polls ask for the table
        phone.get_by_role("button", name="Välj").click()
        phone.locator("#jp-view").get_by_text("Du kan skicka upp till 3 svar.").wait_for(
            timeout=5000
        )
        phone.locator("input.jp-text").fill("Tillit")
        phone.get_by_role("button", name="Skicka").click()
        phone.locator("#jp-view").get_by_text("Du kan skicka 2 till.").wait_for(timeout=3000)
        assert not problems, problems
    finally:
        context.close()
        phone_context.close()
