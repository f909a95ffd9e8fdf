"""The Vinnova deck in both built-in themes: no slide's content spills out of its slide."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

DECK = Path(__file__).resolve().parents[2] / "decks" / "vinnova-innovation"

# For the slide on screen: how far its body's content reaches past the body, and the first
# few elements whose box leaves the slide.
SPILL = """() => {
  const slide = document.querySelector('#dp-deck > .dp-slide.dp-current');
  const body = slide.querySelector('.dp-slide-body');
  const box = slide.getBoundingClientRect();
  const outside = [];
  for (const el of body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.left < box.left - 1 || r.top < box.top - 1 || r.right > box.right + 1
        || r.bottom > box.bottom + 1) outside.push(el.tagName + '.' + el.className);
  }
  return {
    index: +slide.dataset.dpIndex,
    down: body.scrollHeight - body.clientHeight,
    across: body.scrollWidth - body.clientWidth,
    outside: outside.slice(0, 3),
    background: getComputedStyle(slide).backgroundColor,
  };
}"""


@pytest.fixture(scope="module", params=["default", "dark"])
def built_deck(request, tmp_path_factory) -> tuple[str, Path]:
    from deckpoll.build import build

    theme = request.param
    source = tmp_path_factory.mktemp(f"deck-{theme}") / "vinnova-innovation"
    shutil.copytree(DECK, source)
    yaml_path = source / "deck.yaml"
    yaml_path.write_text(
        yaml_path.read_text("utf-8").replace("theme: default", f"theme: {theme}"), "utf-8"
    )
    # a join URL makes poll slides show their tallest join box (address and QR code)
    out = build(source, source.parent / "out", join_url="http://192.168.1.20:8000/490296")
    return theme, out / "index.html"


def test_every_slide_fits(page, built_deck) -> None:
    theme, index = built_deck
    page.goto(index.as_uri() + "#/1/99")
    count = page.locator("#dp-deck > .dp-slide").count()
    assert count >= 18
    backgrounds = set()
    for n in range(1, count + 1):
        page.evaluate(f"location.hash = '#/{n}/99'")
        # poll from Python: wait_for_function evaluates a string, which the page's CSP forbids
        for _ in range(100):
            spill = page.evaluate(SPILL)
            if spill["index"] == n:
                break
            page.wait_for_timeout(20)
        assert spill["index"] == n, f"slide {n} never became current"
        assert spill["down"] <= 0 and spill["across"] <= 0, (theme, spill)
        assert not spill["outside"], (theme, spill)
        backgrounds.add(spill["background"])
    # the theme really applied: slides are painted, in the theme's own colours
    assert "rgba(0, 0, 0, 0)" not in backgrounds
    expected = "rgb(255, 255, 255)" if theme == "default" else "rgb(11, 13, 16)"
    assert expected in backgrounds
