"""`deckpoll import` on 39 decks written for Marp, reveal.js/reveal-md, Slidev, remark and
Deckset (tests/fixtures/import/decks.yaml): each imports and builds with exit status 0, keeps
the source tool's slide count, maps every construct (notes, steps, classes, backgrounds,
columns, layouts, theme, aspect) and leaves no directive text on a slide."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from deckpoll.cli import main
from importing import DIRECTIVE_LINES, FIXTURES, BuiltSlide, built_slides, decks

DECKS = decks()


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    """Every fixture deck imported and built through the command line, once."""
    runner = CliRunner()
    out: dict[str, dict] = {}
    for entry in DECKS:
        folder = tmp_path_factory.mktemp(entry["deck"])
        args = ["import", str(FIXTURES / entry["deck"]), "-o", str(folder / "deck")]
        imported = runner.invoke(main, [*args, "--from", entry.get("from", "auto")])
        built = runner.invoke(main, ["build", str(folder / "deck"), "-o", str(folder / "out")])
        html_path = folder / "out" / "index.html"
        out[entry["deck"]] = {
            "import": imported,
            "build": built,
            "deck": folder / "deck",
            "html": html_path,
            "slides": built_slides(html_path.read_text("utf-8")) if html_path.exists() else [],
        }
    return out


def test_there_are_at_least_30_decks_and_90_percent_build(results) -> None:
    assert len(DECKS) >= 30
    ok = [n for n, r in results.items() if r["import"].exit_code == 0 == r["build"].exit_code]
    assert len(ok) / len(DECKS) >= 0.9, sorted(set(results) - set(ok))


@pytest.mark.parametrize("entry", DECKS, ids=[e["deck"] for e in DECKS])
def test_deck_imports_builds_and_keeps_its_slides(results, entry: dict) -> None:
    result = results[entry["deck"]]
    assert result["import"].exit_code == 0, result["import"].output
    assert f"({entry['tool']}," in result["import"].output
    assert result["build"].exit_code == 0, result["build"].output
    slides: list[BuiltSlide] = result["slides"]
    assert len(slides) == entry["slides"]
    manifest = yaml.safe_load((result["deck"] / "deck.yaml").read_text("utf-8"))
    assert manifest.get("theme", "default") == entry.get("theme", "default")
    assert manifest.get("aspect") == entry.get("aspect")


@pytest.mark.parametrize("entry", DECKS, ids=[e["deck"] for e in DECKS])
def test_constructs_map_to_their_deckpoll_equivalents(results, entry: dict) -> None:
    slides: list[BuiltSlide] = results[entry["deck"]]["slides"]

    def where(test) -> list[int]:
        return [s.index for s in slides if test(s)]

    assert where(lambda s: s.notes.strip()) == entry.get("notes", [])
    assert {s.index: s.fragments for s in slides if s.fragments} == entry.get("fragments", {})
    assert where(lambda s: "dark" in s.classes) == entry.get("dark", [])
    assert where(lambda s: "center" in s.classes) == entry.get("center", [])
    assert where(lambda s: "dp-has-bg" in s.classes) == entry.get("backgrounds", [])
    assert where(lambda s: "dp-columns" in s.inner_classes) == entry.get("columns", [])
    placeholders = where(lambda s: "dp-import-placeholder" in s.inner_classes)
    assert placeholders == entry.get("placeholders", [])
    layouts = {s.index: s.layout for s in slides if s.layout not in ("default", "title")}
    assert layouts == entry.get("layouts", {})


@pytest.mark.parametrize("entry", DECKS, ids=[e["deck"] for e in DECKS])
def test_no_directive_text_on_any_slide(results, entry: dict) -> None:
    for slide in results[entry["deck"]]["slides"]:
        for line in slide.text.split("\n"):
            for pattern in DIRECTIVE_LINES:
                assert not re.search(pattern, line), (slide.index, line)


def test_warnings_name_the_source_line(results) -> None:
    output = results["marp-directives"]["import"].output
    assert "slides.md:23:1: warning: the `_paginate` directive dropped" in output
    assert "slides.md:35:1: warning: class 'custom-brand' dropped" in output
    assert "slides.md:1:1: warning: Marp theme 'gaia' has no deckpoll equivalent" in output
    reveal = results["reveal-slide-attrs"]["import"].output
    assert "slides.md:19:1: warning: slide attribute data-transition='zoom' dropped" in reveal
    slidev = results["slidev-imports"]["import"].output
    assert "slides.md:17:1: warning: `src: ../outside.md` lies outside the deck folder" in slidev
    assert "slides.md:29:1: warning: hidden slide (`hide`/`disabled`) left out" in slidev
    assert "loop.md:4:1: warning: `src: ./loop.md` imports itself (a cycle)" in slidev


def test_dollars_the_build_cannot_typeset_stay_text_and_formulas_stay_math(results) -> None:
    """Text the source tool showed as text (`$0` … `^$` in remark) would be broken TeX to
    deckpoll: its dollars are escaped, with a warning at its line; real TeX stays math."""
    result = results["remark-dollars"]
    output = result["import"].output
    assert "slides.md:5:1: warning: '$0 ^$' is not TeX deckpoll can typeset" in output
    assert "slides.md:15:1: warning: '$0 ^$' is not TeX" in output  # the notes' own
    source = (result["deck"] / "slides.md").read_text("utf-8")
    assert "A coffee costs \\$0\n^\\$ nothing" in source
    assert "$e^{i\\pi} + 1 = 0$ stays" in source
    (prices, euler) = result["slides"]
    assert "costs $0 ^$ nothing" in " ".join(prices.text.split())
    assert "$5 and $10 stay amounts" in euler.text
    assert result["html"].read_text("utf-8").count("<math") == 1


def test_external_images_become_placeholders_that_name_the_url(results) -> None:
    (slide,) = [s for s in results["reveal-external"]["slides"] if s.index == 2]
    assert "External image not included: https://example.com/logo.png" in slide.text
    assert "https://example.com/photo.jpg" in slide.text
    assert "placeholder" in results["reveal-external"]["import"].output


def test_local_images_are_copied_and_nothing_else(results) -> None:
    deck = results["marp-backgrounds"]["deck"]
    files = sorted(p.relative_to(deck).as_posix() for p in deck.rglob("*") if p.is_file())
    files = [f for f in files if not f.startswith(".deckpoll/")]  # the build's own cache
    assert files == ["deck.yaml", "img/bg.png", "img/side.png", "img/small.png", "slides.md"]
    slidev = results["slidev-public"]["deck"]
    assert (slidev / "public" / "logo.png").read_bytes() == (
        FIXTURES / "slidev-public" / "public" / "logo.png"
    ).read_bytes()


def test_slidev_src_imports_are_inlined(results) -> None:
    texts = [s.text for s in results["slidev-imports"]["slides"]]
    assert "Imported one" in texts[1] and "Imported two" in texts[2]
    assert "Imported two" in texts[3]  # src: ./pages/intro.md#2 with class: dark
    assert "Loop start" in texts[4]
    assert all("Hidden" not in t and "Disabled" not in t for t in texts)


def test_nothing_outside_the_source_deck_is_read(tmp_path: Path) -> None:
    deck = tmp_path / "talk"
    shutil.copytree(FIXTURES / "slidev-imports", deck)
    (tmp_path / "outside.md").write_text("# SECRET-OUTSIDE\n", "utf-8")
    (tmp_path / "secret.png").write_bytes((FIXTURES / "deckset-basic/img/bg.png").read_bytes())
    (deck / "slides.md").write_text(
        (deck / "slides.md").read_text("utf-8") + "\n---\n\n![x](../secret.png)\n", "utf-8"
    )
    result = CliRunner().invoke(main, ["import", str(deck), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "slides.md").read_text("utf-8")
    assert "SECRET-OUTSIDE" not in text
    assert not any(p.suffix == ".png" for p in (tmp_path / "out").rglob("*"))
    assert "image '../secret.png' lies outside the deck folder" in result.output


def test_import_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine", "utf-8")
    result = CliRunner().invoke(
        main, ["import", str(FIXTURES / "marp-basic"), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "exists and is not empty" in result.output
    assert (tmp_path / "out" / "keep.txt").read_text("utf-8") == "mine"


def test_import_of_a_missing_or_ambiguous_source_says_what_to_do(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["import", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "no such file or folder" in missing.output
    (tmp_path / "a.md").write_text("# A\n", "utf-8")
    (tmp_path / "b.md").write_text("# B\n", "utf-8")
    ambiguous = CliRunner().invoke(main, ["import", str(tmp_path)])
    assert ambiguous.exit_code == 1 and "give the file instead of the folder" in ambiguous.output


def test_default_output_folder_is_named_after_the_deck(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["import", str(FIXTURES / "remark-basic")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "remark-basic-deckpoll" / "deck.yaml").is_file()


def test_from_overrides_detection(tmp_path: Path) -> None:
    source = FIXTURES / "reveal-md-lists"
    as_marp = CliRunner().invoke(main, ["import", str(source), "-o", str(tmp_path / "m")])
    assert "(marp," in as_marp.output and "could not tell which tool" in as_marp.output
    assert "* Item 1" in (tmp_path / "m" / "slides.md").read_text("utf-8")  # Marp: steps
    CliRunner().invoke(main, ["import", str(source), "-o", str(tmp_path / "r"), "--from", "reveal"])
    assert "- Item 1" in (tmp_path / "r" / "slides.md").read_text("utf-8")  # reveal: at once
