"""Browser runtime: plain JS and CSS files joined into the built page, in file-name order."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent  # the files, as package data


def kinds_script() -> str:
    """The poll kinds' browser files (runtime/kinds/<kind>.js, each its phone input and its
    slide drawing) after the small registry they register in (runtime/kinds.js). Joined in
    front of both the deck script and the phone page's script, which look kinds up by name.
    A kind's helper may sit beside it (wordcloud-layout.js: the cloud's placement)."""
    folder = FOLDER
    parts = [folder.joinpath("kinds.js").read_text("utf-8")]
    kinds = sorted(
        (e for e in folder.joinpath("kinds").iterdir() if e.name.endswith(".js")),
        key=lambda e: e.name,
    )
    parts.extend(e.read_text("utf-8") for e in kinds)
    return ";\n".join(parts)
