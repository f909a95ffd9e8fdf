"""Simulated audience answers for rehearsals: check a poll slide's layout before the talk.

The answers are built to stress the layout: long Swedish sentences, emoji, duplicates and
near-duplicates (case, spacing, Unicode forms) that the word cloud must group, and the
extremes of a scale. They are deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

WORDS = (
    "Ledarskap",
    "ledarskap",
    " Ledarskap ",
    "LEDARSKAP",
    "Samverkan",
    "samverkan",
    "Tillit",
    "Mod",
    "Tid",
    "tid",
    "Kompetens",
    "Beställarkompetens",
    "Finansiering",
    "Innovationsupphandling",
    "Medarbetardriven utveckling",
    "Användarfokus",
    "Experiment",
    "Prototyper",
    "Kultur",
    "Data",
    "Digitalisering",
    "Styrning",
    "Uppföljning",
    "Nätverk",
    "Mottagarkapacitet",
    "Spridning",
    "Kritisk massa",
    "Lärande",
    "Öppenhet",
    "Säkerhet",
    "Re\u0301sume\u0301",
    "Résumé",
    "Tillitsbaserad styrning 🤝",
    "🚀",
    "💡 Idéer",
    "Medborgare",
    "Regioner",
    "Kommuner",
    "Myndigheter",
    "Akademin",
    "Näringslivet",
    "Civilsamhället",
)
SENTENCES = (
    "Vi behöver ett ledarskap som ger medarbetarna tid och mandat att pröva nya arbetssätt, "
    "och som tål att allt inte lyckas första gången.",
    "Involvera brukarna tidigt – de vet ofta bäst var skon klämmer! 👟",
    "Chefer på alla nivåer, upphandlare, jurister och IT – och de som möter medborgarna varje dag.",
    "Samverkan mellan kommuner, regioner och statliga myndigheter, gärna med akademin.",
    "Avsätt en budget för experiment och följ upp vad vi lär oss, inte bara vad det kostar.",
    "Mer tillit, mindre detaljstyrning.",
    "mer tillit,  mindre detaljstyrning",
    "Innovationsupphandling som standard när marknaden kan erbjuda något nytt 💡",
    "Våga dela misslyckanden öppet så att andra slipper göra om dem.",
    "<script>alert('hej')</script> ska visas som text",
    "Ett riktigt, riktigt, riktigt långt ord: Innovationsledningsförmågeutvecklingsprogrammet",
)


def answers(
    poll: dict[str, Any], count: int, seed: int = 0, tables: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    """`count` answer bodies (as the phone page sends them) for a manifest poll; each kind
    makes its own (a kind that takes no answers gets none). A poll with tables gets each
    answer from one of `tables` (the deck's table ids), a few tables busier than others."""
    from deckpoll.polls import kind_of

    kind = kind_of(poll)
    if not kind.takes_answers:
        return
    rng = random.Random(f"{poll.get('id')}:{seed}")
    seats = list(tables or []) if poll.get("group") else []
    for n in range(count):
        body = kind.rehearse(poll, rng, n)
        if seats:  # the first tables busier: the sharing round shows tables of every size
            body = {
                **body,
                "group": seats[min(int(rng.triangular(0, len(seats), 0)), len(seats) - 1)],
            }
        yield body
