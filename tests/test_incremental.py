"""Incremental rebuilds give the page a full build gives, re-compiling only what changed."""

from __future__ import annotations

from pathlib import Path

from deckpoll.build import compile_deck
from deckpoll.incremental import BuildCache


def write(folder: Path, slides: list[str], deck_yaml: str = "title: T\nlang: sv\n") -> None:
    folder.mkdir(exist_ok=True)
    (folder / "deck.yaml").write_text(deck_yaml, "utf-8")
    (folder / "slides.md").write_text("\n---\n".join(slides), "utf-8")


SLIDES = [
    "# Title\n",
    "## Two\n\n* a\n* b\n",
    "<!-- slide: {colour: red} -->\n## Three\n",  # a warning, replayed on cache hits
    "```poll\nid: q\nkind: single\nquestion: Q?\noptions: [Ja, Nej]\n```\n",
    "## Five\n\n```python\nprint('hej')\n```\n",
]


def test_an_edit_recompiles_one_slide_and_matches_a_full_build(tmp_path: Path) -> None:
    write(tmp_path, SLIDES)
    cache = BuildCache()
    first = compile_deck(tmp_path, cache=cache)
    assert (cache.hits, cache.misses) == (0, 5)
    assert [w.message.split(";")[0] for w in first.warnings] == [
        "unknown slide option key 'colour'"
    ]
    edited = list(SLIDES)
    edited[1] = "## Two, edited\n\n* a\n* b\n"
    write(tmp_path, edited)
    second = compile_deck(tmp_path, cache=cache)
    assert (cache.hits, cache.misses) == (4, 1)
    full = compile_deck(tmp_path)
    assert second.html == full.html
    assert second.manifest == full.manifest
    assert [str(w) for w in second.warnings] == [str(w) for w in full.warnings]
    assert second.frame == first.frame
    changed = [
        i for i, (a, b) in enumerate(zip(first.sections, second.sections, strict=True)) if a != b
    ]
    assert changed == [1]


def test_inserting_a_slide_shifts_positions_and_still_matches(tmp_path: Path) -> None:
    write(tmp_path, SLIDES)
    cache = BuildCache()
    compile_deck(tmp_path, cache=cache)
    write(tmp_path, SLIDES[:2] + ["## New\n"] + SLIDES[2:])
    again = compile_deck(tmp_path, cache=cache)
    assert again.html == compile_deck(tmp_path).html
    assert len(cache.slides) == 6  # entries of the old positions were pruned


def test_deck_settings_change_rebuilds_everything(tmp_path: Path) -> None:
    write(tmp_path, SLIDES)
    cache = BuildCache()
    first = compile_deck(tmp_path, cache=cache)
    write(tmp_path, SLIDES, "title: T\nlang: en\n")
    second = compile_deck(tmp_path, cache=cache)
    assert (cache.hits, cache.misses) == (0, 5)
    assert second.frame != first.frame
    assert second.html == compile_deck(tmp_path).html
