"""Another tool's theme name (Marp's gaia, Slidev's seriph) is a warning: the deck builds with
the default theme. A path to a theme folder that is missing stays an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckpoll.build import compile_deck
from deckpoll.errors import DeckError


def default_css() -> str:
    return compile_deck(Path(__file__).parent.parent / "decks" / "vinnova-innovation").html


def theme_style(html: str) -> str:
    return html[html.index("<style data-dp-theme") : html.index("</style>")]


def test_an_unknown_theme_in_deck_yaml_warns_and_uses_the_default(tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text("title: T\ntheme: seriph\n", "utf-8")
    (tmp_path / "slides.md").write_text("# T\n", "utf-8")
    compiled = compile_deck(tmp_path)
    ((where, message),) = [(w.location, w.message) for w in compiled.warnings]
    assert (where.path.name, where.line, where.col) == ("deck.yaml", 2, 1)
    assert message.startswith("unknown theme 'seriph'; the deck uses the default theme")
    assert theme_style(compiled.html) == theme_style(default_css())


def test_an_unknown_theme_in_front_matter_warns_with_a_hint(tmp_path: Path) -> None:
    deck = tmp_path / "talk.md"
    deck.write_text("---\ntitle: T\ntheme: drak\n---\n# T\n", "utf-8")
    compiled = compile_deck(deck)
    (warning,) = compiled.warnings
    assert warning.location.line == 3
    assert "unknown theme 'drak'; did you mean 'dark'?" in warning.message


def test_strict_makes_the_unknown_theme_an_error(tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text("title: T\ntheme: gaia\n", "utf-8")
    (tmp_path / "slides.md").write_text("# T\n", "utf-8")
    with pytest.raises(DeckError, match="unknown theme 'gaia'"):
        compile_deck(tmp_path, strict=True)


@pytest.mark.parametrize("name", ["./brand", "themes/brand", "brand"])
def test_a_missing_theme_folder_is_still_an_error(tmp_path: Path, name: str) -> None:
    (tmp_path / "deck.yaml").write_text(f"title: T\ntheme: {name}\n", "utf-8")
    (tmp_path / "slides.md").write_text("# T\n", "utf-8")
    if name == "brand":
        (tmp_path / "brand").mkdir()  # a folder of that name, without theme.css
    with pytest.raises(DeckError, match="not found"):
        compile_deck(tmp_path)
