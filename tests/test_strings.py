"""One strings table per language (src/deckpoll/strings/<lang>.yaml): every language has
every key with the same placeholders, and each page gets its own section in its language."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from deckpoll import strings
from deckpoll.build import compile_deck
from deckpoll.server.site import join_page

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def raw(lang: str) -> dict:
    return yaml.safe_load(files("deckpoll.strings").joinpath(f"{lang}.yaml").read_text("utf-8"))


def forms(value: object) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def test_deckpoll_ships_english_swedish_and_german() -> None:
    assert {"en", "sv", "de"} <= set(strings.languages())


def problems(table: dict, english: dict) -> list[str]:
    """What a language's table lacks or has wrong, measured against en.yaml."""
    found = []
    if set(table) != set(english):
        found.append(f"sections {sorted(table)}")
    for section in english:
        ours = table.get(section) or {}
        for key in sorted(set(english[section]) ^ set(ours)):
            found.append(f"{section}.{key}: {'missing' if key not in ours else 'not in en.yaml'}")
        for key, value in ours.items():
            if key not in english[section]:
                continue
            if isinstance(value, dict) and not (
                "other" in value and set(value) <= PLURAL_CATEGORIES
            ):
                found.append(f"{section}.{key}: plural forms need `other`")
            wanted = {p for f in forms(english[section][key]) for p in PLACEHOLDER.findall(f)}
            for form in forms(value):
                if not isinstance(form, str) or not form.strip():
                    found.append(f"{section}.{key}: empty")
                elif set(PLACEHOLDER.findall(form)) != wanted:
                    found.append(f"{section}.{key}: placeholders {PLACEHOLDER.findall(form)}")
    return found


@pytest.mark.parametrize("lang", strings.languages())
def test_every_key_exists_in_every_language_with_the_same_placeholders(lang: str) -> None:
    assert set(raw("en")) == set(strings.SECTIONS)
    assert problems(raw(lang), raw("en")) == []


def test_the_check_catches_a_missing_key_and_a_misspelt_placeholder() -> None:
    broken = raw("de")
    del broken["deck"]["next"]
    broken["phone"]["up_to"] = "Wählen Sie bis zu {m}."
    broken["export"]["answers"] = {"one": "{n} Antwort"}
    assert problems(broken, raw("en")) == [
        "deck.next: missing",
        "phone.up_to: placeholders ['m']",
        "export.answers: plural forms need `other`",
    ]


def test_language_tags_fall_back_to_the_base_language_then_english() -> None:
    assert strings.base_language("de-AT") == "de"
    assert strings.base_language("SV-se") == "sv"
    assert strings.base_language("fr") == "en"
    assert strings.base_language(None) == "en"
    assert strings.say("fr", "phone", "send") == "Send"


def test_plural_forms_follow_the_number() -> None:
    assert strings.say("de", "phone", "answers", n=1) == "1 Antwort"
    assert strings.say("de", "phone", "answers", n=3) == "3 Antworten"
    assert strings.say("en", "export", "participants", n=1) == "1 participant"
    assert strings.say("sv", "export", "participants", n=2) == "2 deltagare"
    assert strings.fill("Hide “{w}”?", w="{n}") == "Hide “{n}”?"


class _Config(HTMLParser):
    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id, self.inside, self.text = element_id, False, ""
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        self.inside = found.get("id") == self.element_id
        if tag == "section" and not self.attrs:
            self.attrs = {k: v or "" for k, v in attrs}

    def handle_data(self, data):
        if self.inside:
            self.text += data


def parse(page: str, element_id: str) -> tuple[dict, dict[str, str]]:
    parser = _Config(element_id)
    parser.feed(page)
    return json.loads(parser.text), parser.attrs


def german_deck(folder: Path) -> Path:
    (folder / "deck.yaml").write_text('title: Umfrage\nlang: de\npolls:\n  code: "4711"\n')
    poll = "```poll\nid: q\nkind: single\nquestion: Ja?\noptions: [Ja, Nein]\n```\n"
    (folder / "slides.md").write_text("# Hallo\n\n---\n\n" + poll)
    return folder


def test_the_deck_page_gets_its_section_in_the_decks_language(tmp_path: Path) -> None:
    compiled = compile_deck(german_deck(tmp_path))
    config, first = parse(compiled.html, "dp-config")
    assert config["strings"] == strings.section("de", "deck")
    assert config["strings_lang"] == "de"
    assert first["aria-roledescription"] == "Folie" and first["aria-label"] == "1 von 2"
    poll_slide = compiled.sections[1]  # the join details, rendered in by the build
    assert "Mit dem Code" in poll_slide and "deckpoll serve" not in poll_slide
    # Only the runtime's section travels in the page (not the build's, phone's or export's).
    assert "join_code_only" not in config["strings"] and "noscript" not in config["strings"]


def test_the_phone_page_gets_its_section_in_the_decks_language(tmp_path: Path) -> None:
    manifest = compile_deck(german_deck(tmp_path)).manifest
    page, _ = join_page(manifest, code="4711", join_url=None)
    config, _ = parse(page, "jp-config")
    assert config["strings"] == strings.section("de", "phone")
    assert "Zum Antworten wird JavaScript benötigt." in page
    assert "behövs" not in page  # one language, not two


def test_the_browser_runtime_keeps_no_strings_tables_of_its_own() -> None:
    """UI words live in strings/<lang>.yaml only; a table in a JS file would be a second
    place to translate (as 00-core.js, 60-polls.js and join.js once had)."""
    runtime = Path(str(files("deckpoll.runtime")))
    table = re.compile(r"\b(?:STRINGS|EN)\s*=|^\s*(?:en|sv|de)\s*:\s*\{", re.M)
    scripts = sorted(runtime.rglob("*.js"))
    assert len(scripts) > 5
    assert [p.name for p in scripts if table.search(p.read_text("utf-8"))] == []


def test_a_translation_may_put_its_placeholders_in_any_order() -> None:
    """The build cuts a line at {url}, {code} and `code spans`; poll.html marks them up."""
    from deckpoll.render import text_parts

    assert text_parts("Code {code}, dann {url} öffnen; braucht `deckpoll serve`.") == [
        ("text", "Code "),
        ("code", ""),
        ("text", ", dann "),
        ("url", ""),
        ("text", " öffnen; braucht "),
        ("literal", "deckpoll serve"),
        ("text", "."),
    ]


def test_tables_read_the_same_with_the_fast_and_the_pure_python_loader() -> None:
    from importlib.resources import files

    import yaml

    from deckpoll import strings

    assert strings._LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for lang in strings.languages():
        text = files("deckpoll.strings").joinpath(f"{lang}.yaml").read_text("utf-8")
        assert yaml.load(text, Loader=strings._LOADER) == yaml.safe_load(text)
