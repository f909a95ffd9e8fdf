"""Imported decks in Chromium (one browser, one page, every deck): each slide, shown in turn
with all its steps, has no directive text of the source tool on screen (outside code, which
shows syntax on purpose), and its speaker notes stay hidden."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from deckpoll.build import build
from deckpoll.importers import import_deck
from importing import DIRECTIVE_LINES, FIXTURES, decks

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).parent.parent / "artifacts" / "import"
# Every slide at its last step: its visible text, and its notes' text (in the DOM, hidden).
READ_SLIDES = """() => {
  const slides = [...document.querySelectorAll('#dp-deck > .dp-slide')];
  return slides.map((slide, i) => {
    deckpoll.go(i + 1, -1);
    const notes = slide.querySelector('.dp-notes');
    const all = slide.innerText;
    // Code shows syntax on purpose: read the rest of the slide as rendered.
    const code = [...slide.querySelectorAll('pre, code')];
    code.forEach(e => { e.dataset.display = e.style.display; e.style.display = 'none'; });
    const text = slide.innerText;
    code.forEach(e => { e.style.display = e.dataset.display; });
    return {
      current: slide.classList.contains('dp-current'),
      all,
      text,
      notes: notes ? notes.textContent.trim() : '',
      notesShown: notes ? notes.getClientRects().length > 0 : false,
    };
  });
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    pages = {}
    for entry in decks():
        folder = tmp_path_factory.mktemp(entry["deck"])
        imported = import_deck(FIXTURES / entry["deck"], folder / "deck", entry.get("from", "auto"))
        pages[entry["deck"]] = build(imported.out, folder / "out") / "index.html"
    return pages


def test_no_directive_text_on_screen_and_notes_hidden(page, built) -> None:
    shots = os.environ.get("DECKPOLL_IMPORT_SHOTS") == "1"
    for name, html in built.items():
        page.goto(html.as_uri())
        page.wait_for_function("document.documentElement.dataset.dpReady === '1'")
        slides = page.evaluate(READ_SLIDES)
        assert slides, name
        for number, slide in enumerate(slides, 1):
            assert slide["current"], (name, number)
            assert not slide["notesShown"], (name, number)
            if slide["notes"]:
                assert slide["notes"][:40] not in slide["all"], (name, number)
            for line in slide["text"].split("\n"):
                for pattern in DIRECTIVE_LINES:
                    assert not re.search(pattern, line), (name, number, line)
        if shots:  # look at them: DECKPOLL_IMPORT_SHOTS=1 pytest tests/browser/...
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for number in range(1, min(len(slides), 4) + 1):
                page.evaluate(f"deckpoll.go({number}, -1)")
                page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"))
