"""The interface's words: one YAML table per language (strings/<lang>.yaml), read by the
build, the deck runtime, the phone page and the results export. Adding a language is
adding its file; tests/test_strings.py checks it has every key of en.yaml.

A table has one section per place that shows text: `slides` (rendered into the HTML by
the build), `deck` (the deck page's runtime; sent in its config), `phone` (the phone
page; sent in its config) and `export` (`deckpoll results --format md`). A page gets only
its own section. A value is text with `{placeholders}`, or `{one: ..., other: ...}` when
the wording depends on the number `{n}` (CLDR plural categories, as Intl.PluralRules).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

# The tables beside this file (package data; importlib.resources would cost every build
# some 8 ms of imports for the same path).
FOLDER = Path(__file__).parent
DEFAULT = "en"
SECTIONS = ("slides", "deck", "phone", "export")

# libyaml's safe loader when installed: a tenth of the pure-Python one's time (6 ms a build).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Text = str | dict[str, str]  # plain, or by plural category ("one", "other", ...)


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages deckpoll ships: the names of the YAML files here."""
    return tuple(sorted(e.name[:-5] for e in FOLDER.iterdir() if e.name.endswith(".yaml")))


def base_language(lang: str | None) -> str:
    """The shipped language for a tag (`sv-SE` -> `sv`), English when not shipped."""
    base = (lang or "").split("-")[0].lower()
    return base if base in languages() else DEFAULT


@functools.cache
def table(lang: str) -> dict[str, dict[str, Text]]:
    """Every section of a language's table (`lang` as in deck.yaml, e.g. `sv` or `de-AT`)."""
    name = base_language(lang)
    text = (FOLDER / f"{name}.yaml").read_text("utf-8")
    data: Any = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    return {section: dict(data.get(section) or {}) for section in SECTIONS}


def section(lang: str | None, name: str) -> dict[str, Text]:
    """One section of the table for `lang` (a copy, safe to change)."""
    return dict(table(base_language(lang))[name])


def plural(lang: str | None, value: Text, n: int) -> str:
    """The form of `value` for the number n. Every shipped language so far has English's
    rule (one for exactly 1, else other); a language with other rules adds them here."""
    if isinstance(value, str):
        return value
    category = "one" if n == 1 else "other"
    return value.get(category) or value["other"]


def fill(text: str, **values: object) -> str:
    """`text` with each `{name}` replaced (one pass per name; no format-string parsing, so
    braces in a translation are harmless)."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def say(lang: str | None, section_name: str, key: str, **values: object) -> str:
    """One string of a section, in its plural form for `n` when given, filled in."""
    value = table(base_language(lang))[section_name][key]
    n = values.get("n")
    return fill(plural(lang, value, n if isinstance(n, int) else 0), **values)
