"""Benchmark: build wall time and peak memory of `deckpoll build` for 20, 1,000 and 5,000 slides.

Each deck has headings, a `*` list (fragments), a code block, an image, speaker notes and a
poll every 20 slides. Every build is a fresh process (what a user waits for), run several
times; the script prints min / median / max wall time and the peak resident memory.

    python bench/build.py [--runs 5] [--sizes 20,1000,5000]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# A 1x1 PNG: the image every slide shows (copied once however often it is used).
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

SLIDE = """## Slide {n}: measuring what matters

* First point of slide {n} with **bold** and `code`
* Second point, with a [link](#/{n})
* Third point

```python
def slide_{n}(values: list[int]) -> int:
    total = sum(v * {n} for v in values)
    return total // max(len(values), 1)
```

![A pixel](img/pixel.png)

::: notes
Notes for slide {n}: say what the code does and why it matters.
:::
"""

POLL = """```poll
id: poll-{n}
kind: single
question: Question {n}?
options: [Yes, No, Not sure]
```
"""


def generate_deck(folder: Path, slides: int) -> Path:
    """Write a benchmark deck of `slides` slides into `folder`; returns the folder."""
    (folder / "img").mkdir(parents=True, exist_ok=True)
    (folder / "img" / "pixel.png").write_bytes(PIXEL)
    (folder / "deck.yaml").write_text(
        f'title: Benchmark deck ({slides} slides)\nlang: en\npolls:\n  code: "123456"\n', "utf-8"
    )
    parts = [POLL.format(n=n) if n % 20 == 0 else SLIDE.format(n=n) for n in range(1, slides + 1)]
    (folder / "slides.md").write_text("\n---\n\n".join(parts), "utf-8")
    return folder


BARE_PASS = Path(__file__).with_name("bare_pass.py")


def run_once(command: list[str]) -> tuple[float, float]:
    """One whole process: (wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="20,1000,5000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        "deckpoll build, whole process; 'bare' is a markdown-it-py + Pygments pass writing "
        "one HTML file (bench/bare_pass.py), run alternately for a ratio on the same machine"
    )
    print(
        f"{'slides':>7} {'min s':>7} {'median s':>9} {'max s':>7} {'peak MiB':>9} "
        f"{'out KiB':>8} {'bare s':>7} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            deck = generate_deck(Path(tmp) / f"deck{size}", size)
            out = Path(tmp) / f"out{size}"
            build = [sys.executable, "-m", "deckpoll", "build", str(deck), "-o", str(out)]
            bare = [sys.executable, str(BARE_PASS), str(deck), str(Path(tmp) / "bare.html")]
            times, peaks, bare_times, ratios = [], [], [], []
            for _ in range(args.runs):
                elapsed, peak = run_once(build)
                reference, _ = run_once(bare)
                times.append(elapsed)
                peaks.append(peak)
                bare_times.append(reference)
                ratios.append(elapsed / reference)
            size_kib = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1024
            print(
                f"{size:>7} {min(times):>7.3f} {statistics.median(times):>9.3f} "
                f"{max(times):>7.3f} {max(peaks):>9.1f} {size_kib:>8.0f} "
                f"{statistics.median(bare_times):>7.3f} {statistics.median(ratios):>6.2f}"
            )


if __name__ == "__main__":
    main()
