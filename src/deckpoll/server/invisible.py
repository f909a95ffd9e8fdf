"""Answers nobody can see: text that is empty once the characters that draw nothing are
taken out (zero-width spaces and joiners, the BOM, bidi controls, Hangul fillers) and
combining marks with nothing to combine with. Such an answer would be an empty bubble
in the word cloud, or a mark drawn over its neighbour."""

from __future__ import annotations

import unicodedata

# Letters that draw nothing although Unicode calls them letters (used as blank names).
FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


def invisible(text: str) -> bool:
    """Whether `text` shows nothing: only format characters (Cf: zero-width, BOM, bidi
    controls), whitespace, fillers and combining marks (which need a base to show)."""
    for char in text:
        if char in FILLERS or char.isspace():
            continue
        if unicodedata.category(char) in ("Cf", "Mn", "Me"):
            continue
        return False
    return True
