"""Write stage: put a compiled deck on disk (the only writing stage)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from deckpoll.model import Compiled

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_output(compiled: Compiled, out: Path, extra: Mapping[str, str] | None = None) -> None:
    """Write index.html, deckpoll.json, assets and `extra` pages (name -> HTML: the phone
    page) into `out`; each file replaced atomically so a browser or server reading during a
    rebuild never sees half a file."""
    out.mkdir(parents=True, exist_ok=True)
    for name, text in (extra or {}).items():
        _atomic_write(out / name, text)
    for name, data in compiled.assets.items():
        target = out / name
        if target.is_file() and target.stat().st_size == len(data):
            continue  # content-hashed name: same name, same bytes
        _atomic_write(target, data)
    from deckpoll.server.private import public_manifest

    # The audience may load this file: what only the presenter may know (a quiz's correct
    # option) stays out of it; the server compiles the deck and keeps it in memory.
    public = public_manifest(compiled.manifest)
    manifest = json.dumps(public, ensure_ascii=False, indent=2) + "\n"
    _atomic_write(out / "deckpoll.json", manifest.encode("utf-8"))
    _atomic_write(out / "index.html", compiled.html)


def _atomic_write(target: Path, data: bytes | str) -> None:
    """Write `data` (text as UTF-8, encoded a piece at a time: a 5,000-slide page is not
    copied whole) to a temporary file beside `target`, then rename it over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                for start in range(0, len(data), 1 << 20):
                    handle.write(data[start : start + (1 << 20)].encode("utf-8"))
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
