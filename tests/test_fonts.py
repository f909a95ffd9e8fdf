"""`font:` in deck.yaml: the bundled OFL family, cut to the deck's characters, inlined as woff2."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deckpoll import fonts
from deckpoll.build import build, compile_deck
from deckpoll.errors import DeckError

VINNOVA = Path(__file__).resolve().parents[1] / "decks" / "vinnova-innovation"
FACE = re.compile(
    r'@font-face\{font-family:"Inter";font-style:(\w+);[^}]*base64,([A-Za-z0-9+/=]+)\)'
)


def _deck(tmp_path: Path, body: str, front: str = "font: inter\n") -> Path:
    folder = tmp_path / f"deck{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "slides.md").write_text(f"---\ntitle: Fonts\n{front}---\n{body}", "utf-8")
    return folder / "slides.md"


def _faces(html: str) -> dict[str, set[str]]:
    """style -> the characters the inlined font maps."""
    from fontTools.ttLib import TTFont

    faces = {}
    for style, data in FACE.findall(html):
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        assert font.flavor == "woff2"
        # the copyright and the licence's address stay in the font (the OFL asks for both)
        assert "The Inter Project Authors" in font["name"].getDebugName(0)
        assert "openfontlicense.org" in font["name"].getDebugName(14)
        faces[style] = {chr(code) for code in font.getBestCmap()}
    return faces


def test_the_font_holds_what_the_deck_shows_and_little_else(tmp_path: Path) -> None:
    html = compile_deck(_deck(tmp_path, "## Ärlig ðæ€\n\nSkål — “citat”\n")).html
    faces = _faces(html)
    assert set(faces) == {"normal"}  # no <em> in the deck: no italic face
    normal = faces["normal"]
    assert set("Ärlig ðæ€Skål—“”") <= normal
    assert set(fonts.ALWAYS) <= normal  # the audience's answers: at least ASCII
    # what the source file has and the deck never shows is left out
    assert not {"Þ", "ø", "Œ", "¿"} & normal
    # the deck's interface words in its language are there too (en: "Slide", "of", ...)
    assert ':root{--dp-font:"Inter",system-ui' in html


def test_italic_face_only_when_the_deck_sets_italic_text(tmp_path: Path) -> None:
    html = compile_deck(_deck(tmp_path, "## A\n\nSome *emphasis* and <cite>Källa</cite>\n")).html
    assert set(_faces(html)) == {"normal", "italic"}
    assert "ä" in _faces(html)["italic"]


def test_no_font_no_change_and_fonttools_not_imported(tmp_path: Path) -> None:
    plain = compile_deck(_deck(tmp_path, "## A\n", front=""))
    system = compile_deck(_deck(tmp_path, "## A\n", front="font: system\n"))
    assert "data-dp-font" not in plain.html and "@font-face" not in plain.html
    assert system.html == plain.html
    code = (
        "import sys; from deckpoll.build import compile_deck; "
        f"compile_deck({str(_deck(tmp_path, '## A', front=''))!r}); "
        "print('fontTools' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_a_misspelt_font_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as error:
        compile_deck(_deck(tmp_path, "## A\n", front="font: intr\n"))
    message = str(error.value)
    assert "slides.md:3:7" in message
    assert "did you mean 'inter'?" in message and "system, inter" in message


def test_the_vinnova_deck_gains_at_most_60_kb(tmp_path: Path) -> None:
    """The issue's budget for the font in the page, both faces (the deck has a <cite>)."""
    plain = tmp_path / "plain"
    shutil.copytree(VINNOVA, plain, ignore=shutil.ignore_patterns(".deckpoll"))
    with_font = tmp_path / "font"
    shutil.copytree(plain, with_font)
    config = with_font / "deck.yaml"
    config.write_text(config.read_text("utf-8") + "font: inter\n", "utf-8")
    sizes = [len(compile_deck(folder).html.encode()) for folder in (plain, with_font)]
    added = sizes[1] - sizes[0]
    assert 10_000 < added <= 60_000, added


def test_a_cached_build_does_not_subset_again(tmp_path: Path, monkeypatch) -> None:
    source = _deck(tmp_path, "## Åka\n\n*fort*\n")
    first = build(source, tmp_path / "one", persist=True)

    def refuse(*args):
        raise AssertionError("subset again")

    monkeypatch.setattr(fonts, "_subset", refuse)
    second = build(source, tmp_path / "two", persist=True)
    assert (first / "index.html").read_bytes() == (second / "index.html").read_bytes()
    # a new character is a new subset
    source.write_text(source.read_text("utf-8") + "\nÞ\n", "utf-8")
    with pytest.raises(AssertionError, match="subset again"):
        build(source, tmp_path / "three", persist=True)
