"""User-interface strings of the built page, in the languages deckpoll ships (sv, en)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "slide": "slide",
        "slide_label": "{n} of {total}",
        "join_text": "Go to {url} and enter the code {code}",
        "join_code_only": "Join with the code {code}",
        "offline": "Live answers need `deckpoll serve`.",
        "poll": "Poll",
        "notes": "Notes",
    },
    "sv": {
        "slide": "bild",
        "slide_label": "{n} av {total}",
        "join_text": "Gå till {url} och ange koden {code}",
        "join_code_only": "Delta med koden {code}",
        "offline": "Live-svar kräver `deckpoll serve`.",
        "poll": "Fråga",
        "notes": "Anteckningar",
    },
}


def strings_for(lang: str) -> dict[str, str]:
    """Strings for a language tag (`sv-SE` uses `sv`), English when not shipped."""
    return STRINGS.get(lang.split("-")[0].lower(), STRINGS["en"])
