"""Bundled open fonts (`font:` in deck.yaml): an OFL family shipped in the package, cut down
with fontTools to the characters the deck shows and inlined as woff2 data, so the page stays
one file and looks the same on every laptop (system-ui is DejaVu Sans on most Linux ones).

A family's files here are its upstream Latin subset (Basic Latin, Latin-1, the common
punctuation) with the weight axis limited to 400-700, the weights the themes use; a
variable font keeps one face for all of them. fonts/README.md says how they were made and
each family's folder holds its licence. Characters the files lack (Greek, Cyrillic, ...)
are drawn by the next font of the stack, the system's.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import re
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from deckpoll import strings
from deckpoll.model import Deck

# The theme's own stack after the bundled family: what draws a character the family lacks.
SYSTEM_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
    '"Liberation Sans", Arial, sans-serif'
)
# Printable ASCII is always kept: the audience's answers (word cloud, open answers) are
# drawn in the font too and are not known at build time.
ALWAYS = "".join(map(chr, range(0x20, 0x7F)))
# OpenType features kept: kerning, ligatures, marks (å, ö built from parts) and tnum, since
# results' counts and timers ask for tabular figures. fontTools' default set also keeps
# Inter's contextual alternates and fractions: +40% for glyphs a slide rarely shows.
FEATURES = ["kern", "liga", "ccmp", "locl", "mark", "mkmk", "rvrn", "tnum"]
# Name records kept: fontTools' default (copyright, family, version, ...) and the licence
# and its URL, so the font in the page still says it is OFL (the licence asks for that).
NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]
# Elements the themes set in italic: the italic face is added only when the deck has one.
ITALIC = re.compile(r"<(?:em|i|cite|dfn|var)\b", re.I)
TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Family:
    css_name: str  # the font-family the page's CSS names
    folder: str  # fonts/<folder>/ holds the files and OFL.txt
    normal: str
    italic: str
    about: str  # for the docs and `font:`'s error message


# One table drives deck.yaml's choices, the docs and the page: a family added here is a
# `font:` value.
FAMILIES = {
    "inter": Family(
        "Inter",
        "inter",
        "Inter-400-700.woff2",
        "Inter-Italic-400-700.woff2",
        "Inter 4.001 by Rasmus Andersson, SIL Open Font License 1.1",
    ),
}
SYSTEM = "system"  # the theme's own stack, no font in the page (the default)
CHOICES = (SYSTEM, *FAMILIES)
# Subset fonts kept by a BuildCache (see font_css): a preview re-subsets only when a slide
# brings a character the deck did not have.
CACHE_ENTRIES = 4


def for_deck(deck: Deck, cache: MutableMapping[tuple, str] | None = None) -> str:
    """The font CSS of a compiled deck: the family its `font:` names, cut down to what its
    slides, notes and interface words (in its language) show."""
    config = deck.config
    if config.font not in FAMILIES:
        return ""
    parts = [part for slide in deck.slides for part in (slide.html, slide.notes_html) if part]
    words = [
        text
        for name in ("slides", "deck")
        for value in strings.section(config.lang, name).values()
        for text in (value.values() if isinstance(value, dict) else (value,))
    ]
    text = shown_text([*parts, *words, config.title])
    return font_css(config.font, text, uses_italic(parts), cache)


def shown_text(parts: Iterable[str]) -> str:
    """The characters the page shows from these pieces of HTML or text, each once, sorted:
    markup dropped, entities decoded, printable ASCII always there."""
    seen = set(ALWAYS)
    for part in parts:
        seen.update(html.unescape(TAG.sub(" ", part)) if "<" in part or "&" in part else part)
    return "".join(sorted(c for c in seen if c.isprintable() or c == " "))


def uses_italic(parts: Iterable[str]) -> bool:
    return any(ITALIC.search(part) for part in parts)


def font_css(
    key: str, text: str, italic: bool, cache: MutableMapping[tuple, str] | None = None
) -> str:
    """The CSS that puts family `key` in the page: one @font-face per style the deck uses,
    its data the family cut down to `text`, and the theme's --dp-font pointing at it."""
    if key == SYSTEM or key not in FAMILIES:
        return ""
    family = FAMILIES[key]
    faces = [("normal", family.normal)] + ([("italic", family.italic)] if italic else [])
    rules = []
    for style, name in faces:
        data = _cached(cache, (key, name, text), lambda name=name: _subset(family, name, text))
        rules.append(
            f'@font-face{{font-family:"{family.css_name}";font-style:{style};'
            f"font-weight:400 700;font-display:block;"
            f"src:url(data:font/woff2;base64,{data}) format('woff2')}}"
        )
    rules.append(f':root{{--dp-font:"{family.css_name}",{SYSTEM_STACK}}}')
    return "\n".join(rules)


def _cached(cache: MutableMapping[tuple, str] | None, key: tuple, make) -> str:
    if cache is None:
        return make()
    if key not in cache:
        while len(cache) >= CACHE_ENTRIES:
            del cache[next(iter(cache))]  # the oldest first
        cache[key] = make()
    return cache[key]


@functools.lru_cache(maxsize=CACHE_ENTRIES)
def _subset(family: Family, name: str, text: str) -> str:
    """The file cut down to the glyphs `text` needs, as base64 woff2. fontTools (and brotli
    for woff2) are imported here: a deck without `font:` never loads them."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    source = Path(__file__).with_name(family.folder).joinpath(name).read_bytes()
    font = TTFont(io.BytesIO(source))
    options = subset.Options()
    options.layout_features = FEATURES
    options.name_IDs = NAME_IDS
    options.hinting = False  # browsers on high-density screens ignore it; a third of the size
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return base64.b64encode(out.getvalue()).decode("ascii")
