"""Benchmark: time to open a built deck in headless Chromium, browser start included.

For decks of 20, 1,000 and 5,000 slides (built once with `deckpoll build`), each run launches
a fresh headless Chromium, opens `index.html` from file:// and stops the clock when the
runtime signals ready (`document.documentElement.dataset.dpReady`). Prints min / median /
max per size, the size of index.html and the runtime's own JS + CSS. No assertions.

    python bench/open.py [--runs 5] [--sizes 20,1000,5000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deckpoll.chromium import HEADLESS_ARGS

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ROOT / "src" / "deckpoll" / "runtime"
ARGS = list(HEADLESS_ARGS)
SLIDE = """## Slide {n}

* First point of slide {n} with **bold** and `code`
* Second point
* Third point

::: notes
Notes for slide {n}.
:::
"""


def generate(folder: Path, slides: int) -> Path:
    """A deck of `slides` slides: bench/build.py's generator when present, else a simple one."""
    sys.path.insert(0, str(ROOT))
    try:
        from bench.build import generate_deck
    except ImportError:
        generate_deck = None
    finally:
        sys.path.pop(0)
    if generate_deck is not None:
        return generate_deck(folder, slides)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deck.yaml").write_text(f"title: Open benchmark ({slides})\nlang: en\n", "utf-8")
    text = "\n---\n\n".join(SLIDE.format(n=n) for n in range(1, slides + 1))
    (folder / "slides.md").write_text(text, "utf-8")
    return folder


def runtime_bytes() -> tuple[int, int, int]:
    """(own source files, poll source files, joined and minified as in a built page) in bytes.

    Joined files are those whose names start with a digit (as the renderer joins them)."""
    own = polls = 0
    for path in RUNTIME.iterdir():
        if path.suffix in (".js", ".css") and path.name[:1].isdigit():
            size = path.stat().st_size
            if "polls" in path.name:
                polls += size
            else:
                own += size
    try:
        from deckpoll.theme import runtime_files

        built = sum(len(part.encode("utf-8")) for part in runtime_files())
    except ImportError:
        built = 0
    return own, polls, built


def open_once(playwright, executable: str, url: str) -> float:
    start = time.perf_counter()
    browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url, wait_until="commit")
        page.wait_for_function("document.documentElement.dataset.dpReady === '1'", polling=5)
        return time.perf_counter() - start
    finally:
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="20,1000,5000")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_BIN") or "/usr/bin/chromium"
    own, polls, built = runtime_bytes()
    print(
        f"runtime JS+CSS sources: {own} bytes presenting runtime + {polls} bytes polls; "
        f"{built} bytes joined and minified in the built page"
    )
    with tempfile.TemporaryDirectory(prefix="deckpoll-open-") as tmp, sync_playwright() as pw:
        pw.chromium.launch(executable_path=executable, args=ARGS).close()  # warm the disk cache
        for size in (int(s) for s in options.sizes.split(",")):
            deck = generate(Path(tmp) / f"deck{size}", size)
            out = Path(tmp) / f"out{size}"
            subprocess.run(
                [sys.executable, "-m", "deckpoll", "build", str(deck), "-o", str(out)],
                check=True,
                capture_output=True,
            )
            index = out / "index.html"
            url = index.as_uri()
            times = [open_once(pw, executable, url) for _ in range(options.runs)]
            print(
                f"{size:>5} slides  index.html {index.stat().st_size / 1024:8.1f} KiB  "
                f"open min {min(times):.2f} s  median {statistics.median(times):.2f} s  "
                f"max {max(times):.2f} s  ({options.runs} runs)"
            )


if __name__ == "__main__":
    main()
