"""Code line-highlight steps in a real browser: each step lights its own lines, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SLIDES = """# Code

---

## Steps

```python {1|3-4|all}
import os

def main():
    return os.getcwd()
```
"""

LIT = """() => [...document.querySelectorAll('#dp-deck > .dp-slide.dp-current .dp-line')]
  .map((line, n) => line.classList.contains('dp-lit') ? n + 1 : 0).filter(Boolean)"""


def test_each_step_lights_its_lines(page, tmp_path: Path) -> None:
    from deckpoll.build import build

    (tmp_path / "slides.md").write_text(SLIDES, "utf-8")
    index = build(tmp_path / "slides.md", tmp_path / "out") / "index.html"
    page.goto(index.as_uri() + "#/2")
    expected = {0: [1], 1: [3, 4], 2: [1, 2, 3, 4]}
    for step, lines in [*expected.items(), (1, expected[1]), (0, expected[0])]:  # and back
        page.evaluate(f"location.hash = '#/2/{step}'")
        for _ in range(100):
            if page.evaluate(LIT) == lines:
                break
            page.wait_for_timeout(20)
        assert page.evaluate(LIT) == lines, step
        # the other lines recede (the theme dims them)
        opacity = page.evaluate(
            "() => getComputedStyle(document.querySelectorAll("
            "'#dp-deck > .dp-slide.dp-current .dp-line')[1]).opacity"
        )
        assert float(opacity) == (1.0 if 2 in lines else pytest.approx(0.4))
