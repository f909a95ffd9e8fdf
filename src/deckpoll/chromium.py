"""The installed Chromium: where it is and the flags it runs headless with, offline.

Shared by PDF export, the browser tests and the benchmarks."""

from __future__ import annotations

import os
import shutil

# Headless, no sandbox (root in CI), and no look-ups of outside hosts: only loopback
# resolves (without the EXCLUDE for 127.0.0.1 even loopback URLs fail).
HEADLESS_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
)
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    """The browser to drive: $CHROMIUM_BIN, /usr/bin/chromium, then the PATH."""
    explicit = os.environ.get("CHROMIUM_BIN")
    if explicit:
        return explicit if os.path.isfile(explicit) else None
    if os.path.isfile("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None
