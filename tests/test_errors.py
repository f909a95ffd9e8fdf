"""Validation: every problem is reported at the line and column the author edits, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckpoll.build import compile_deck
from deckpoll.errors import DeckError

DECK_YAML = 'title: T\nlang: sv\npolls:\n  code: "490296"\n'


def write_deck(folder: Path, slides: str, deck_yaml: str = DECK_YAML) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deck.yaml").write_text(deck_yaml, "utf-8")
    (folder / "slides.md").write_text(slides, "utf-8")
    return folder


def problems(folder: Path, strict: bool = False) -> list[str]:
    """Each diagnostic as `file:line:col: severity: message`, file relative to the deck."""
    with pytest.raises(DeckError) as caught:
        compile_deck(folder, strict=strict)
    return [
        f"{d.location.path.name}:{d.location.line}:{d.location.col}: {d.severity}: {d.message}"
        for d in caught.value.diagnostics
    ]


def test_bad_poll_kind_points_at_its_line_in_the_markdown(tmp_path: Path) -> None:
    slides = "# Title\n\n---\n\n## Poll\n\n" + "text\n" * 6 + "```poll\nid: q\n"
    slides += "kind: wordclod\nquestion: Why?\n```\n"
    assert slides.split("\n").index("kind: wordclod") + 1 == 15
    (problem,) = problems(write_deck(tmp_path, slides))
    assert problem.startswith(
        "slides.md:15:7: error: unknown kind 'wordclod'; did you mean 'wordcloud'?"
    )


def test_a_bad_kind_brings_no_knock_on_errors(tmp_path: Path) -> None:
    """The keys of the kind meant (max_answers, options, min/max) are not judged against a
    kind that does not exist: one error, the one to fix."""
    for extra in ("max_answers: 3\n", "options: [a, b]\nmax_choices: 2\n", "min: 1\nmax: 5\n"):
        slides = "# T\n\n---\n\n```poll\nid: q\nkind: wordclod\nquestion: Why?\n" + extra + "```\n"
        (problem,) = problems(write_deck(tmp_path, slides))
        assert "unknown kind 'wordclod'" in problem, problem


def test_all_errors_are_reported_at_once(tmp_path: Path) -> None:
    slides = (
        "# T\n\n---\n"  # 1-3
        "<!-- slide: {layout: qoute} -->\n"  # 4
        "![x](missing.png)\n\n---\n"  # 5-7
        "```poll\nid: b\nkind: single\nquestion: Q\n```\n\n---\n"  # 8-14: no options
        "```poll\nid: a\nkind: open\nquestion: Q\n```\n\n---\n"  # 15-21
        "```poll\nid: a\nkind: open\nquestion: Q\n```\n"  # 22-26: duplicate id
    )
    found = problems(write_deck(tmp_path, slides))
    assert found == [
        "slides.md:4:22: error: unknown layout 'qoute'; did you mean 'quote'? use one of: "
        "title, section, default, quote, two-columns, image, poll",
        f"slides.md:5:6: error: file not found: 'missing.png' (looked for "
        f"{(tmp_path / 'missing.png').resolve()}); check the path, relative to this Markdown file",
        "slides.md:10:7: error: a single poll needs `options:` (a list)",
        "slides.md:22:1: error: duplicate poll id 'a' (also at "
        f"{tmp_path.resolve() / 'slides.md'}:15:1); votes are keyed by the id, so each poll "
        "needs its own",
    ]


def test_yaml_syntax_error_in_slide_options_points_into_the_markdown(tmp_path: Path) -> None:
    slides = "# T\n\n---\n\n<!-- slide: {layout: quote, class: [x -->\n> q\n"
    (problem,) = problems(write_deck(tmp_path, slides))
    assert problem.startswith("slides.md:5:")
    assert "invalid YAML" in problem
    column = int(problem.split(":")[2])
    assert 13 <= column <= len("<!-- slide: {layout: quote, class: [x -->")


def test_yaml_error_in_deck_yaml_has_line_and_column(tmp_path: Path) -> None:
    (problem,) = problems(write_deck(tmp_path, "# T\n", "title: T\nauthors: [a, b\nlang: sv\n"))
    assert problem.startswith("deck.yaml:3:")
    assert "invalid YAML" in problem


def test_front_matter_errors_use_file_lines(tmp_path: Path) -> None:
    talk = tmp_path / "talk.md"
    talk.write_text("---\ntitle: T\naspect: 16:8\n---\n# T\n", "utf-8")
    with pytest.raises(DeckError) as caught:
        compile_deck(talk)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.location.line, diagnostic.location.col) == (3, 9)
    assert "unknown aspect '16:8'" in diagnostic.message


def test_unknown_keys_warn_with_a_hint_and_strict_makes_them_errors(tmp_path: Path) -> None:
    poll = "```poll\nid: q\nkind: open\nquestion: Q\nmax_answer: 2\n```\n"
    folder = write_deck(tmp_path, "# T\n\n" + poll, DECK_YAML + "aspekt: '4:3'\n")
    compiled = compile_deck(folder)
    assert [
        (w.location.path.name, w.location.line, w.location.col, w.severity, w.message)
        for w in compiled.warnings
    ] == [
        ("deck.yaml", 5, 1, "warning", "unknown deck key 'aspekt'; did you mean 'aspect'?"),
        (
            "slides.md",
            7,
            1,
            "warning",
            "unknown poll key 'max_answer'; did you mean 'max_answers'?",
        ),
    ]
    strict = problems(folder, strict=True)
    assert [p.split(": ")[1] for p in strict] == ["error", "error"]


def test_poll_rules(tmp_path: Path) -> None:
    slides = (
        "```poll\nkind: single\nquestion: Q\noptions: [a]\n```\n\n---\n"  # 1-7
        "```poll\nid: s\nkind: scale\nquestion: Q\nmin: 1\nmax: 30\n```\n\n---\n"  # 8-16
        "```poll\nid: w\nkind: wordcloud\nquestion: Q\noptions: [a, b]\nmax_answers: true\n```\n"
    )
    found = problems(write_deck(tmp_path, slides))
    assert found == [
        "slides.md:2:1: error: poll needs `id:`",
        "slides.md:4:10: error: `options` must be a list of at least two items",
        "slides.md:13:6: error: a scale needs `max` above `min` and at most 11 steps",
        "slides.md:21:10: error: a wordcloud poll takes no `options:`; remove them or use kind "
        "single",
        "slides.md:22:14: error: `max_answers` must be a whole number, not true/false",
    ]


def test_unclosed_notes_and_duplicate_slide_ids(tmp_path: Path) -> None:
    slides = "<!-- slide: {id: a} -->\n# A\n\n---\n<!-- slide: {id: a} -->\n## B\n\n::: notes\nx\n"
    found = problems(write_deck(tmp_path, slides))
    assert found[0].startswith("slides.md:5:1: error: duplicate slide id 'a'")
    assert found[1] == "slides.md:8:1: error: `::: notes` is never closed; end it with a line `:::`"


def test_external_resources_are_refused(tmp_path: Path) -> None:
    slides = (
        '# T\n\n<script src="https://cdn.example.com/x.js"></script>\n\n![x](http://e.org/a.png)\n'
    )
    found = problems(write_deck(tmp_path, slides))
    assert len(found) == 2
    assert found[0].startswith("slides.md:3:14: error: the page must work offline")
    assert found[1].startswith("slides.md:5:6: error: external file 'http://e.org/a.png'")


def test_external_url_in_a_theme_is_refused(tmp_path: Path) -> None:
    theme = tmp_path / "mytheme"
    theme.mkdir()
    (theme / "theme.css").write_text(
        ":root { --dp-bg: #fff; }\n@font-face { src: url(https://fonts.example.com/f.woff2); }\n"
    )
    found = problems(write_deck(tmp_path, "# T\n", DECK_YAML + "theme: mytheme\n"))
    assert found == [
        "theme.css:2:19: error: themes must not load anything from other hosts (no @import, no "
        "external url()); put the file in the theme folder"
    ]


def test_yes_and_no_stay_text_in_poll_options(tmp_path: Path) -> None:
    slides = "```poll\nid: q\nkind: single\nquestion: 'Yes?'\noptions: [Yes, No, 1.10]\n```\n"
    compiled = compile_deck(write_deck(tmp_path, slides))
    (poll,) = compiled.manifest["polls"]
    assert [(o["id"], o["label"]) for o in poll["options"]] == [
        ("yes", "Yes"),
        ("no", "No"),
        ("1-10", "1.10"),
    ]


def test_missing_deck_yaml_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="no deck.yaml here"):
        compile_deck(tmp_path)


def test_a_theme_of_ones_own_can_extend_a_built_in_one(tmp_path: Path) -> None:
    theme = tmp_path / "brand"
    theme.mkdir()
    (theme / "theme.yaml").write_text("extends: default\n")
    (theme / "theme.css").write_text(":root { --dp-accent: #6b2c91; }\n")
    html = compile_deck(write_deck(tmp_path, "# T\n", DECK_YAML + "theme: brand\n")).html
    default = compile_deck(write_deck(tmp_path / "plain", "# T\n")).html
    style = html[html.index("<style data-dp-theme") : html.index("</style>")]
    base = default[default.index("<style data-dp-theme") : default.index("</style>")]
    assert style.index("--dp-accent:#6b2c91") > len(base) // 2  # after the default rules
    assert base.split(">", 1)[1].strip() in style


def test_a_theme_that_extends_itself_is_an_error(tmp_path: Path) -> None:
    theme = tmp_path / "loop"
    theme.mkdir()
    (theme / "theme.yaml").write_text("extends: ../loop\n")
    (theme / "theme.css").write_text(":root { --dp-bg: #fff; }\n")
    (problem,) = problems(write_deck(tmp_path, "# T\n", DECK_YAML + "theme: loop\n"))
    assert problem.startswith("theme.yaml:1:10: error: theme '../loop' extends itself")


def test_an_unknown_code_language_warns_with_a_hint(tmp_path: Path) -> None:
    slides = "# T\n\n```pyhton\nprint(1)\n```\n\n```text\nplain\n```\n"
    compiled = compile_deck(write_deck(tmp_path, slides))
    ((where, message),) = [(w.location, w.message) for w in compiled.warnings]
    assert (where.line, where.col) == (3, 4)
    assert message == (
        "unknown code language 'pyhton'; did you mean 'python'? (the block is shown without "
        "highlighting)"
    )


def layout_theme(folder: Path, meta: str) -> None:
    folder.mkdir(parents=True)
    (folder / "theme.yaml").write_text(meta)
    (folder / "theme.css").write_text(".dp-layout-agenda h2 { color: #333; }\n")


def test_a_theme_adds_layouts_in_its_theme_yaml(tmp_path: Path) -> None:
    from deckpoll.model import LAYOUTS

    layout_theme(tmp_path / "brand", "extends: default\nlayouts: [agenda, big-number]\n")
    slides = "# T\n\n---\n<!-- slide: {layout: agenda} -->\n## Today\n"
    compiled = compile_deck(write_deck(tmp_path, slides, DECK_YAML + "theme: brand\n"))
    assert compiled.deck is not None
    assert [s.layout for s in compiled.deck.slides] == ["title", "agenda"]
    assert 'class="dp-slide dp-layout-agenda"' in compiled.sections[1]
    # A theme extending that one inherits its layouts, after the ones every theme has.
    from deckpoll.assets import Assets
    from deckpoll.errors import Location, Reporter
    from deckpoll.theme import load_theme

    layout_theme(tmp_path / "child", "extends: ../brand\nlayouts: [timeline, agenda]\n")
    reporter = Reporter()
    from deckpoll.load import builtin_themes

    roots = (tmp_path.resolve(), builtin_themes())  # what a build may read (issue #12)
    child = load_theme("child", tmp_path, Location(tmp_path), reporter, Assets(roots=roots))
    assert reporter.diagnostics == []
    assert child.layouts == (*LAYOUTS, "agenda", "big-number", "timeline")


def test_an_unknown_layout_lists_the_ones_the_theme_knows(tmp_path: Path) -> None:
    layout_theme(tmp_path / "brand", "extends: default\nlayouts: [agenda]\n")
    slides = "# T\n\n---\n\n<!-- slide: {layout: agenad} -->\n## Today\n"
    (problem,) = problems(write_deck(tmp_path, slides, DECK_YAML + "theme: brand\n"))
    assert problem == (
        "slides.md:5:22: error: unknown layout 'agenad'; did you mean 'agenda'? use one of: "
        "title, section, default, quote, two-columns, image, poll, agenda"
    )
    # The built-in themes add none: the same slide is an error with the default theme.
    (problem,) = problems(write_deck(tmp_path / "plain", slides.replace("agenad", "agenda")))
    assert problem.startswith("slides.md:5:22: error: unknown layout 'agenda'; use one of: ")


def test_a_bad_layout_name_in_theme_yaml_points_at_it(tmp_path: Path) -> None:
    layout_theme(tmp_path / "brand", "extends: default\nlayouts:\n  - agenda\n  - Big Number\n")
    (tmp_path / "brand" / "theme.yaml").write_text(
        "extends: default\nlayouts:\n  - agenda\n  - Big Number\nlayout: [x]\n"
    )
    found = problems(write_deck(tmp_path, "# T\n", DECK_YAML + "theme: brand\n"))
    assert found == [
        "theme.yaml:4:5: error: layout name 'Big Number' must be lower-case letters, digits "
        "and `-`, starting with a letter (it becomes the class dp-layout-<name>)",
        "theme.yaml:5:1: warning: unknown theme key 'layout'; did you mean 'layouts'?",
    ]


def test_a_layout_added_to_theme_yaml_reaches_a_cached_rebuild(tmp_path: Path) -> None:
    """Preview keeps its slide cache across a save of theme.yaml (a .yaml file): the
    theme's layouts are part of the cache key, so the slide is validated again."""
    from deckpoll.incremental import BuildCache

    layout_theme(tmp_path / "brand", "extends: default\n")
    deck = write_deck(
        tmp_path, "# T\n<!-- slide: {layout: agenda} -->\n", DECK_YAML + "theme: brand\n"
    )
    cache = BuildCache()
    with pytest.raises(DeckError, match="unknown layout 'agenda'"):
        compile_deck(deck, cache=cache)
    (tmp_path / "brand" / "theme.yaml").write_text("extends: default\nlayouts: [agenda]\n")
    compiled = compile_deck(deck, cache=cache)
    assert compiled.deck is not None and compiled.deck.slides[0].layout == "agenda"


def test_moderation_approve_reaches_the_manifest_and_typos_get_a_hint(tmp_path: Path) -> None:
    held = "```poll\nid: w\nkind: wordcloud\nquestion: Q\nmoderation: approve\n```\n"
    (poll,) = compile_deck(write_deck(tmp_path / "ok", held)).manifest["polls"]
    assert poll["moderation"] == "approve"
    plain = "```poll\nid: w\nkind: open\nquestion: Q\n```\n"
    (poll,) = compile_deck(write_deck(tmp_path / "plain", plain)).manifest["polls"]
    assert poll["moderation"] == "none"
    typo = "```poll\nid: w\nkind: open\nquestion: Q\nmoderation: aprove\n```\n"
    assert problems(write_deck(tmp_path / "typo", typo)) == [
        "slides.md:5:13: error: unknown moderation 'aprove'; did you mean 'approve'? use one "
        "of: none, approve"
    ]
