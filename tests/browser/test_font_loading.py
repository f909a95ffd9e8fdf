"""`font: inter` in the browser: the inlined face loads under the page's own policy (no
bypass), from file://, and draws the slides' text."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckpoll.build import build

pytestmark = pytest.mark.browser

# The face the heading is drawn in and how wide its text is, once fonts are settled.
MEASURE = """async () => {
  await document.fonts.ready;
  const h = document.querySelector('#dp-deck > .dp-slide h2');
  const range = document.createRange();
  range.selectNodeContents(h);
  return {
    family: getComputedStyle(h).fontFamily,
    loaded: [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family + ' '
      + f.style),
    width: range.getBoundingClientRect().width,
  };
}"""


def _measure(browser, tmp_path: Path, front: str) -> dict:
    folder = tmp_path / (front.split(":")[-1].strip() or "plain")
    folder.mkdir()
    (folder / "slides.md").write_text(
        f"---\ntitle: Font\n{front}---\n## Öppna frågor om *innovation*\n\nText.\n", "utf-8"
    )
    page_path = build(folder / "slides.md", folder / "out") / "index.html"
    context = browser.new_context(viewport={"width": 1280, "height": 720})  # CSP applies
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
        page.goto(page_path.as_uri())
        result = page.evaluate(MEASURE)
        assert not refused, refused
        return result
    finally:
        context.close()


def test_inter_is_loaded_from_the_page_and_draws_the_headings(browser, tmp_path) -> None:
    inter = _measure(browser, tmp_path, "font: inter\n")
    system = _measure(browser, tmp_path, "")
    assert inter["family"].startswith('"Inter"') or inter["family"].startswith("Inter")
    assert {"Inter normal", "Inter italic"} <= set(inter["loaded"]), inter["loaded"]
    assert not system["loaded"]
    # the same heading set in another face: a different width (the system font here is
    # DejaVu Sans, some 10% wider than Inter)
    assert abs(inter["width"] - system["width"]) > 10, (inter, system)
