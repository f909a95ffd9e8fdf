"""Benchmark: save → DOM updated in Chromium with `deckpoll preview`.

For each deck (the Vinnova deck, and generated decks of 1,000 and 5,000 slides) it starts
`deckpoll preview` in its own process, opens the page in headless Chromium on the slide it
edits, then saves 20 edits of that slide's heading, one at a time. Each figure is the time
from just before the file is written to the moment the page has swapped in the new slide
(the preview script stamps `Date.now()` after the DOM update; same machine clock).

    python bench/preview.py [--edits 20] [--sizes 1000,5000] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from build import generate_deck

from deckpoll.chromium import HEADLESS_ARGS

ROOT = Path(__file__).resolve().parents[1]
ARGS = list(HEADLESS_ARGS)


def edit_target(slides_md: Path) -> tuple[int, str]:
    """(slide number, heading line) of a slide with a `## ` heading near the middle."""
    text = slides_md.read_text("utf-8")
    parts = re.split(r"(?m)^---$", text)
    middle = len(parts) // 2
    for index in list(range(middle, len(parts))) + list(range(middle)):
        match = re.search(r"(?m)^## .+$", parts[index])
        if match:
            return index + 1, match.group(0)
    raise SystemExit(f"no heading to edit in {slides_md}")


def measure(browser, deck: Path, edits: int) -> list[float]:
    slides_md = deck / "slides.md"
    slide, heading = edit_target(slides_md)
    original = slides_md.read_text("utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "deckpoll", "preview", str(deck), "--no-open", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        url = re.search(r"http://\S+", process.stdout.readline()).group(0)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}#/{slide}", timeout=120_000)
        page.wait_for_function("document.documentElement.dataset.dpPreviewEpoch", timeout=120_000)
        epoch = int(page.evaluate("document.documentElement.dataset.dpPreviewEpoch"))
        latencies = []
        for n in range(1, edits + 1):
            text = original.replace(heading, f"{heading} (edit {n})", 1)
            started = time.time() * 1000
            slides_md.write_text(text, "utf-8")
            epoch += 1
            page.wait_for_function(
                f"+document.documentElement.dataset.dpPreviewEpoch >= {epoch}", timeout=60_000
            )
            latencies.append(page.evaluate("window.deckpollPreview.at") - started)
            time.sleep(0.25)  # let the watcher settle between saves, as between keystrokes
        page.close()
        return latencies
    finally:
        slides_md.write_text(original, "utf-8")
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
        process.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"{'deck':>22} {'slides':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        vinnova = Path(tmp) / "vinnova-innovation"
        subprocess.run(
            ["cp", "-r", str(ROOT / "decks" / "vinnova-innovation"), str(vinnova)], check=True
        )
        decks = [("vinnova-innovation", vinnova)]
        for size in (int(s) for s in args.sizes.split(",") if s):
            decks.append((f"generated-{size}", generate_deck(Path(tmp) / f"deck{size}", size)))
        for name, deck in decks:
            latencies = sorted(measure(browser, deck, args.edits))
            count = len(re.findall(r"(?m)^---$", (deck / "slides.md").read_text("utf-8"))) + 1
            p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
            print(
                f"{name:>22} {count:>7} {statistics.median(latencies):>10.1f} {p95:>8.1f} "
                f"{latencies[-1]:>8.1f}"
            )
        browser.close()


if __name__ == "__main__":
    main()
