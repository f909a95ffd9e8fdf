"""PDF export: print a built deck (`index.html?print`) with the installed headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from deckpoll.chromium import HEADLESS_ARGS, find_chromium

INSTALL_HINT = (
    "PDF export needs Chromium. Install it (Debian/Ubuntu: apt-get install -y chromium) "
    "or point $CHROMIUM_BIN at a Chromium or Chrome binary."
)


def write_pdf(index_html: Path, pdf_path: Path, *, timeout: float | None = None) -> None:
    """Write one PDF page per slide of the built deck at `index_html` to `pdf_path`.

    `timeout` (seconds) defaults to a bound that grows with the page: 60 s plus 20 s per MB
    (a 1,000-slide deck of 1.7 MB printed in ~17 s here)."""
    from deckpoll.errors import DeckpollError

    browser = find_chromium()
    if browser is None:
        raise DeckpollError(f"cannot write {pdf_path}: Chromium not found. {INSTALL_HINT}")
    index_html = Path(index_html).resolve()
    if not index_html.is_file():
        raise DeckpollError(f"cannot write {pdf_path}: {index_html} does not exist; build first")
    pdf_path = Path(pdf_path).resolve()
    if timeout is None:
        timeout = 60.0 + 20.0 * index_html.stat().st_size / 1_000_000
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    url = index_html.as_uri() + "?print"
    with tempfile.TemporaryDirectory(prefix="deckpoll-pdf-") as profile:
        partial = Path(profile) / "out.pdf"
        command = [
            browser,
            *HEADLESS_ARGS,
            "--hide-scrollbars",
            "--run-all-compositor-stages-before-draw",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={partial}",
            "--no-pdf-header-footer",
            url,
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise DeckpollError(
                f"cannot write {pdf_path}: Chromium did not finish within {timeout:.0f} s"
            ) from None
        except OSError as error:
            raise DeckpollError(f"cannot write {pdf_path}: cannot run {browser}: {error}") from None
        if not partial.is_file() or not partial.read_bytes().startswith(b"%PDF"):
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise DeckpollError(
                f"cannot write {pdf_path}: Chromium exited with status {result.returncode}"
                + (": " + " | ".join(detail) if detail else "")
            )
        shutil.move(str(partial), pdf_path)
