"""Benchmark: redraw time of a 120-word cloud update on the big screen, in headless Chromium.

Builds the Vinnova deck, opens it from file:// at 1280x720 and, in the page, draws the word
cloud kind (runtime/kinds/wordcloud.js + wordcloud-layout.js) into a 1,152 x 465 area, as
the slide's results box gets it:

- first: 120 words laid out from nothing (the first results of a poll);
- update: the same cloud after one new word and one count change (what an answer does),
  with the positions kept from the previous draw - the case the issue's target is for;
- hide: one word hidden (the others keep their places).

Each is timed over many runs in the same page (layout + SVG DOM + forced style/layout);
the reference is a plain redraw of 120 SVG words at fixed places without layout, so the
ratio says what the layout costs on this machine. Target from issue #9: an update <= 16 ms.

    python bench/cloud_redraw.py [--runs 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from deckpoll.build import build
from deckpoll.chromium import HEADLESS_ARGS, find_chromium

ROOT = Path(__file__).resolve().parents[1]
DECK = ROOT / "decks" / "vinnova-innovation"

PAGE_SCRIPT = """
(args) => {
  const [runs, words] = args;
  const kind = window.deckpollKinds.get('wordcloud').slide;
  const host = document.createElement('div');
  host.style.cssText = 'position:fixed;left:0;top:0;width:1152px;height:465px';
  document.body.append(host);
  const t = (k, v) => '+' + v.n;
  const draw = (list, memory) => {
    host.textContent = '';
    const ui = { el: null, t, box: host, memory, width: 1152, height: 465 };
    const svg = kind.draw({ words: list, distinct: list.length }, ui);
    host.append(svg);
    return host.getBoundingClientRect().width;  // force style and layout
  };
  const time = (fn) => {
    const out = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      fn(i);
      out.push(performance.now() - t0);
    }
    return out;
  };
  const first = time(() => draw(words, {}));
  const memory = {};
  draw(words, memory);
  const placed = host.querySelectorAll('.dp-poll-word').length;
  const update = time((i) => {
    const next = words.map((w, k) => (k === 7 ? { text: w.text, count: w.count + 1 } : w));
    next.push({ text: 'nytt ord ' + i, count: 1 });
    draw(next, memory);
    draw(words, memory);  // back, for the next run (timed too: two updates per run)
  }).map((x) => x / 2);
  const hide = time(() => {
    draw(words.filter((w, k) => k !== 11), memory);
    draw(words, memory);
  }).map((x) => x / 2);
  const plain = time(() => {
    host.textContent = '';
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    words.forEach((w, k) => {
      const e = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      e.setAttribute('x', 10 + (k % 8) * 140); e.setAttribute('y', 30 + Math.floor(k / 8) * 30);
      e.setAttribute('font-size', 24); e.textContent = w.text; svg.append(e);
    });
    host.append(svg);
    return host.getBoundingClientRect().width;
  });
  return { first, update, hide, plain, placed };
}
"""


def words(n: int = 120) -> list[dict]:
    """n distinct words with a realistic spread of counts (a few frequent, many once)."""
    stems = [
        "tillit",
        "mod",
        "ledarskap",
        "samverkan",
        "kompetens",
        "innovationsupphandling",
        "tid",
        "data",
        "kultur",
        "förändringsledning",
        "medborgare",
        "experiment",
    ]
    out = []
    for k in range(n):
        text = f"{stems[k % len(stems)]}{'' if k < len(stems) else k}"
        out.append({"text": text, "count": max(1, 12 // (1 + k // 4))})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        print("Chromium not found (apt-get install -y chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        out = build(DECK, Path(tmp) / "out")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=list(HEADLESS_ARGS))
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto((out / "index.html").as_uri())
            result = page.evaluate(PAGE_SCRIPT, [args.runs, words()])
            browser.close()
    plain = statistics.median(result["plain"])
    print(f"120-word cloud in 1152x465 design px, {args.runs} runs each, Chromium headless")
    print(f"words placed: {result['placed']} of 120 (the rest: '+N')")
    for name in ("first", "update", "hide", "plain"):
        xs = sorted(result[name])
        med = statistics.median(xs)
        p90 = xs[int(0.9 * (len(xs) - 1))]
        print(
            f"{name:>7}: median {med:6.2f} ms  p90 {p90:6.2f} ms  "
            f"x{med / plain:5.1f} of plain redraw"
            + ("  (target <= 16 ms)" if name == "update" else "")
        )
    print(
        json.dumps(
            {
                k: round(statistics.median(result[k]), 3)
                for k in ("first", "update", "hide", "plain")
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
