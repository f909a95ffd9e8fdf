"""The per-user cache folder deckpoll keeps things in between runs: the build cache's
signing key (incremental.py) and the installed poll kinds (polls/__init__.py)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def folder() -> Path:
    """$XDG_CACHE_HOME/deckpoll, else ~/.cache/deckpoll (outside every deck)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "deckpoll"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step (two processes at once each leave a whole
    file); nowhere to write is no error: the cache is only a saving."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
