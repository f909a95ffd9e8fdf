"""Benchmark: `deckpoll build` against a bare markdown-it-py + Pygments pass, as ratios.

Each deck has headings, a `*` list (fragments), a code block, an image, speaker notes and a
poll every 20 slides. Every build is a fresh process (what a user waits for). The build and
the bare pass (bench/bare_pass.py) run turn by turn, so both see the same machine; the
figures are the CPU time of the child (user + sys, from os.wait4), which a busy shared
machine disturbs far less than wall time, the wall time, and the peak resident memory.
Printed per size: the median of the per-turn ratios build / bare, and the floor: the bare
pass run through click, PyYAML and Jinja2 as well (`bare_pass.py --required`), which deckpoll
must use (DESIGN.md §7) and the bare pass does not, against the bare pass.

    python bench/build.py [--runs 5] [--sizes 20,1000,5000] [--jobs 1] [--incremental]
                          [--no-polls]

`--jobs` is passed to `deckpoll build` (1: one process, the CPU target; auto: the wall
target with a free second core). `--incremental` also times a rebuild after a one-slide
edit with the persistent cache (.deckpoll/cache) against the clean build of the same run.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


def generate_deck(folder: Path, slides: int, polls: bool = True) -> Path:
    """Write a benchmark deck of `slides` slides into `folder`; returns the folder."""
    (folder / "img").mkdir(parents=True, exist_ok=True)
    (folder / "img" / "pixel.png").write_bytes(PIXEL)
    (folder / "deck.yaml").write_text(
        f'title: Benchmark deck ({slides} slides)\nlang: en\npolls:\n  code: "123456"\n', "utf-8"
    )
    parts = [
        POLL.format(n=n) if polls and n % 20 == 0 else SLIDE.format(n=n)
        for n in range(1, slides + 1)
    ]
    (folder / "slides.md").write_text("\n---\n\n".join(parts), "utf-8")
    return folder


BARE_PASS = Path(__file__).with_name("bare_pass.py")


@dataclass(frozen=True)
class Run:
    cpu: float  # user + sys seconds of the child (and its children it waited for)
    wall: float
    peak_mib: float


# As installed by pip, deckpoll's modules are compiled to bytecode once; a shell with
# PYTHONDONTWRITEBYTECODE would make every build compile them again (some 35 ms) while
# the bare pass's libraries have theirs. The children write and use bytecode.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(command: list[str]) -> Run:
    """One whole process, its CPU time, wall time and peak resident memory."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=CHILD_ENV)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return Run(usage.ru_utime + usage.ru_stime, elapsed, usage.ru_maxrss / 1024)


def cpu_with_workers(command: list[str]) -> Run:
    """As run_once, but the CPU time also counts grandchildren (a parallel build's
    workers, which the build waits for): RUSAGE_CHILDREN before and after."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = run_once(command)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(max(cpu, run.cpu), run.wall, run.peak_mib)


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(
    size: int, tmp: Path, runs: int, jobs: str, incremental: bool, polls: bool = True
) -> dict[str, float]:
    deck = generate_deck(tmp / f"deck{size}", size, polls)
    out = tmp / f"out{size}"
    build = [sys.executable, "-m", "deckpoll", "build", str(deck), "-o", str(out)]
    build += ["--jobs", jobs, "--no-cache"]
    bare = [sys.executable, str(BARE_PASS), str(deck), str(tmp / "bare.html")]
    floor = [*bare, "--required"]  # the bare pass through click, PyYAML and Jinja2
    cpu_ratios, wall_ratios, peaks, builds, bares, edits, edit_ratios = [], [], [], [], [], [], []
    floor_ratios = []
    run_once(build)  # warm-up: bytecode and Jinja's template cache written, as after install
    for turn in range(runs):
        first, second = (build, bare) if turn % 2 == 0 else (bare, build)
        a, b = cpu_with_workers(first), cpu_with_workers(second)
        mine, ref = (a, b) if first is build else (b, a)
        cpu_ratios.append(mine.cpu / ref.cpu)
        floor_ratios.append(cpu_with_workers(floor).cpu / ref.cpu)
        wall_ratios.append(mine.wall / ref.wall)
        peaks.append(mine.peak_mib)
        builds.append(mine.cpu)
        bares.append(ref.cpu)
        if incremental:
            edits.append(_edit_rebuild(deck, out, turn, jobs))
            edit_ratios.append(edits[-1] / mine.cpu)
    return {
        "cpu": median(builds),
        "bare": median(bares),
        "ratio": median(cpu_ratios),
        "floor": median(floor_ratios),
        "wall_ratio": median(wall_ratios),
        "peak": max(peaks),
        "edit": median(edits) if edits else 0.0,
        "edit_ratio": median(edit_ratios) if edit_ratios else 0.0,
    }


def _edit_rebuild(deck: Path, out: Path, turn: int, jobs: str) -> float:
    """CPU seconds of a cached rebuild after one slide changed (the cache warmed first)."""
    cached = [sys.executable, "-m", "deckpoll", "build", str(deck), "-o", str(out)]
    cached += ["--jobs", jobs]
    shutil.rmtree(deck / ".deckpoll", ignore_errors=True)
    run_once(cached)
    source = deck / "slides.md"
    text = source.read_text("utf-8")
    source.write_text(text.replace("Second point", f"Edited point {turn}", 1), "utf-8")
    try:
        return cpu_with_workers(cached).cpu
    finally:
        source.write_text(text, "utf-8")
        shutil.rmtree(deck / ".deckpoll", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="20,1000,5000")
    parser.add_argument("--jobs", default="1", help="passed to `deckpoll build --jobs`")
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument(
        "--no-polls", action="store_true", help="decks without polls (no poll runtime, no QR)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"deckpoll build --jobs {args.jobs} vs a bare markdown-it-py + Pygments pass "
        f"(bench/bare_pass.py), turn by turn, median of {args.runs}; CPU = user+sys of the "
        f"process and its workers; load average {os.getloadavg()[0]:.1f}"
    )
    header = (
        f"{'slides':>7} {'cpu s':>7} {'bare s':>7} {'CPU ratio':>9} {'wall ratio':>10} "
        f"{'peak MiB':>9} {'floor':>6}"
    )
    if args.incremental:
        header += f" {'edit cpu s':>10} {'edit/clean':>10}"
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            r = measure(size, Path(tmp), args.runs, args.jobs, args.incremental, not args.no_polls)
            line = (
                f"{size:>7} {r['cpu']:>7.3f} {r['bare']:>7.3f} {r['ratio']:>8.2f}x "
                f"{r['wall_ratio']:>9.2f}x {r['peak']:>9.1f} {r['floor']:>5.2f}x"
            )
            if args.incremental:
                line += f" {r['edit']:>10.3f} {r['edit_ratio']:>9.2f}x"
            print(line, flush=True)
    print(
        "floor: the bare pass through the libraries deckpoll must also use (click, PyYAML, "
        "Jinja2; DESIGN.md §7), against the bare pass"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
