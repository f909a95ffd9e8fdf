"""Marp's split backgrounds in the browser: `![bg left:40%](x)` gives the picture the left
40% of the slide, top to bottom, and the text the rest (and `bg right` the mirror)."""

from __future__ import annotations

import base64

import pytest
from slide_probe import measure_slide

from deckpoll.build import build

pytestmark = pytest.mark.browser

PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
SLIDES = [
    ("left", 0.4, "![bg left:40%](x.png)"),
    ("right", 0.5, "![bg right](x.png)"),
    ("right", 0.3, "![bg right:30% contain](x.png)"),
]
# The picture's box (the slide body's ::before, which carries it) and the union of the
# content's boxes, in slide pixels from the slide's top left corner.
GEOMETRY = """() => {
  const slide = document.querySelector('#dp-deck > .dp-slide.dp-current');
  const box = slide.getBoundingClientRect(), scale = box.width / slide.offsetWidth;
  const body = slide.querySelector('.dp-slide-body'), b = body.getBoundingClientRect();
  const before = getComputedStyle(body, '::before');
  const px = (v) => parseFloat(v);
  const left = (b.left - box.left) / scale + px(before.left);
  const top = (b.top - box.top) / scale + px(before.top);
  const content = [...body.querySelectorAll('h2, p, li')].map((e) => e.getBoundingClientRect());
  return {
    index: +slide.dataset.dpIndex,
    width: slide.offsetWidth, height: slide.offsetHeight,
    image: before.backgroundImage.startsWith('url(') ? {
      left, top, right: left + px(before.width), bottom: top + px(before.height),
    } : null,
    text: {
      left: Math.min(...content.map((r) => (r.left - box.left) / scale)),
      right: Math.max(...content.map((r) => (r.right - box.left) / scale)),
    },
  };
}"""


def test_a_split_background_takes_its_share_and_the_text_the_rest(page, tmp_path) -> None:
    (tmp_path / "x.png").write_bytes(PIXEL)
    body = "\n---\n".join(
        f"## A heading that is long enough to fill a line and more\n\n{image}\n\n"
        "Some text that runs on for a while, to fill the width it is given on the slide.\n"
        for _, _, image in SLIDES
    )
    (tmp_path / "slides.md").write_text("---\ntitle: Split\n---\n" + body, "utf-8")
    index = build(tmp_path / "slides.md", tmp_path / "out") / "index.html"
    page.goto(index.as_uri() + "#/1")
    for n, (side, share, _) in enumerate(SLIDES, 1):
        g = measure_slide(page, n, GEOMETRY)
        width, image, text = g["width"], g["image"], g["text"]
        assert image is not None, g
        # the picture: its share of the width, the whole height, at its side
        assert image["top"] == pytest.approx(0, abs=1) and image["bottom"] == pytest.approx(
            g["height"], abs=1
        ), g
        assert image["right"] - image["left"] == pytest.approx(share * width, abs=1), g
        if side == "left":
            assert image["left"] == pytest.approx(0, abs=1), g
            assert text["left"] >= image["right"] + 32, g  # the text clears it, with a margin
            assert text["right"] <= width
        else:
            assert image["right"] == pytest.approx(width, abs=1), g
            assert text["right"] <= image["left"] - 32, g
            assert text["left"] >= 0
        # the text uses the rest: it reaches across most of what is left
        assert text["right"] - text["left"] >= (1 - share) * width * 0.6, g
