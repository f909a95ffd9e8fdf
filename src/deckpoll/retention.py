"""How long answers are kept (`polls.retention` in deck.yaml, e.g. `30d`): the duration read
and described (GDPR's storage limitation: keep no longer than needed). `deckpoll purge`,
which deletes what is older, is purge.py."""

from __future__ import annotations

import re

UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"\s*(\d{1,5})\s*(h|d|w)\s*", re.I)
LONGEST = 10 * 366 * 86400  # ten years: anything longer is a typo


def parse_duration(text: str) -> int | None:
    """Seconds in `30d`, `2w` or `12h`; None when `text` is not such a duration."""
    found = _DURATION.fullmatch(str(text))
    if not found:
        return None
    seconds = int(found.group(1)) * UNITS[found.group(2).lower()]
    return seconds if 0 < seconds <= LONGEST else None


DURATION_HINT = "a duration such as 30d (days), 2w (weeks) or 12h (hours)"


def describe(seconds: int, lang: str | None) -> str:
    """`30 dagar`, `12 hours`: a duration in the deck's language, in whole days if it is."""
    from deckpoll import strings

    if seconds % 86400 == 0:
        return strings.say(lang, "phone", "days", n=seconds // 86400)
    return strings.say(lang, "phone", "hours", n=max(1, round(seconds / 3600)))
