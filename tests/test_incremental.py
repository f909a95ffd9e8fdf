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


REFERENCE_SLIDES = [
    "# Title\n\nSee [the spec][cm].\n",
    "## Two\n\nNo links here.\n",
    "## Three\n\nAsk [Marp] and [later].\n",
    '[cm]: https://spec.commonmark.org/ "CommonMark"\n[marp]: https://marp.app/\n',
]


def test_a_changed_link_definition_rebuilds_the_slides_that_use_it(tmp_path: Path) -> None:
    write(tmp_path, REFERENCE_SLIDES)
    cache = BuildCache()
    first = compile_deck(tmp_path, cache=cache)
    assert 'href="https://spec.commonmark.org/"' in first.sections[0]
    edited = list(REFERENCE_SLIDES)
    edited[3] = edited[3].replace("spec.commonmark.org/", "spec.commonmark.org/0.31.2/")
    write(tmp_path, edited)
    second = compile_deck(tmp_path, cache=cache)
    # The definitions' own slide changed, and slide 1 uses `cm`; slides 2 and 3 do not.
    assert (cache.hits, cache.misses) == (2, 2)
    assert 'href="https://spec.commonmark.org/0.31.2/"' in second.sections[0]
    assert second.html == compile_deck(tmp_path).html


def test_defining_a_label_a_slide_used_in_vain_rebuilds_that_slide(tmp_path: Path) -> None:
    write(tmp_path, REFERENCE_SLIDES)
    cache = BuildCache()
    first = compile_deck(tmp_path, cache=cache)
    assert "[later]" in first.sections[2]
    edited = list(REFERENCE_SLIDES)
    edited[3] += "[later]: https://example.org/later\n"
    write(tmp_path, edited)
    second = compile_deck(tmp_path, cache=cache)
    assert (cache.hits, cache.misses) == (2, 2)  # slide 3 looked `later` up and found nothing
    assert '<a href="https://example.org/later">later</a>' in second.sections[2]
    assert second.html == compile_deck(tmp_path).html
    write(tmp_path, REFERENCE_SLIDES)  # and taking it away again
    third = compile_deck(tmp_path, cache=cache)
    assert "[later]" in third.sections[2]
    assert third.html == compile_deck(tmp_path).html
