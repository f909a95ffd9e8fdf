"""The deck's state folder, DECK/.deckpoll: the build cache, the default answers database
and the presenter key.

The deck folder is usually a git repository, and nothing in here belongs in it (the
presenter key least of all), so whoever creates the folder first also writes a
.gitignore that ignores everything in it. Every writer goes through `state_dir`."""

from __future__ import annotations

from pathlib import Path

STATE_DIR = ".deckpoll"
IGNORE = "# deckpoll state (answers, presenter key, build cache): not for git\n*\n"


def state_dir(root: Path) -> Path:
    """DECK/.deckpoll, created owner-only (it holds the audience's answers) and git-ignored."""
    folder = root / STATE_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        # Two builds at once may both write it: same bytes, so the last write is harmless.
        ignore.write_text(IGNORE, encoding="utf-8")
    return folder
