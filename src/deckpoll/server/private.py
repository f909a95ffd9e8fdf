"""What only the presenter may see: speaker notes and presenter-only poll data (a quiz's
correct answer). The audience's page, manifest and API answers are made without them; the
presenter's key fetches them (`GET /api/v1/notes`, `GET /api/v1/deck` with the key)."""

from __future__ import annotations

from typing import Any

# Keys of a manifest poll that would give the answer away; a poll kind with such data
# (a quiz's `correct`, its explanation) lists them here and the audience never gets them.
PRIVATE_POLL_KEYS = frozenset({"correct", "explanation"})


def public_poll(poll: dict[str, Any]) -> dict[str, Any]:
    """A manifest poll as the audience may see it."""
    return {key: value for key, value in poll.items() if key not in PRIVATE_POLL_KEYS}


def public_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as the audience may load it (`/deckpoll.json`)."""
    return {**manifest, "polls": [public_poll(p) for p in manifest.get("polls") or []]}
