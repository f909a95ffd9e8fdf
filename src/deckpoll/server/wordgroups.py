"""A word cloud's groups as the presenter corrected them: merges and splits, kept in the
store's meta `groups:<poll>`. The mirror (server/mirror.py) loads them and applies their
changes from the feed: the manifest poll carries them and its tally is counted again. The
console's requests are in regroup.py."""

from __future__ import annotations

import json
from typing import Any

META = "groups:"  # + poll id: the store's meta key holding a poll's merges and splits


def parse(raw: str | None) -> dict[str, Any]:
    """A poll's saved groups; nothing usable is no corrections."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    merge = data.get("merge") if isinstance(data.get("merge"), dict) else {}
    rules = data.get("split") if isinstance(data.get("split"), list) else []
    return {
        "merge": {str(k): str(v) for k, v in merge.items()},
        "split": [str(k) for k in rules],
    }


def with_groups(poll: dict[str, Any], raw: str | None) -> dict[str, Any]:
    """The manifest poll carrying its saved groups (the tally groups by them)."""
    return {**poll, "groups": parse(raw)}
