"""The build reads nothing outside the deck, refuses YAML bombs, loads nothing from other
hosts, copies raw-HTML media and reports what it finds (issue #12, items 1-5)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckpoll.build import build, compile_deck
from deckpoll.cli import main
from deckpoll.errors import DeckError

DECK_YAML = "title: T\nlang: en\n"
SECRET = b"top-secret-outside-the-deck\n"


def write_deck(folder: Path, slides: str, deck_yaml: str = DECK_YAML) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deck.yaml").write_text(deck_yaml, "utf-8")
    (folder / "slides.md").write_text(slides, "utf-8")
    return folder


def problems(folder: Path, **options) -> list[str]:
    with pytest.raises(DeckError) as caught:
        compile_deck(folder, **options)
    return [
        f"{d.location.path.name}:{d.location.line}:{d.location.col}: {d.severity}: {d.message}"
        for d in caught.value.diagnostics
    ]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file next to (not inside) the deck folder, holding a secret."""
    path = tmp_path / "secret.png"
    path.write_bytes(SECRET)
    return path


# -- 1. files stay inside the deck ---------------------------------------------------------


@pytest.mark.parametrize("single_file", [False, True])
@pytest.mark.parametrize(
    "slides",
    [
        "# T\n\n![x](../secret.png)\n",
        "# T\n\n![x]({abs})\n",
        "# T\n\n![x](link.png)\n",
        '# T\n\n<img src="../secret.png" alt="">\n',
        '# T\n\n<video poster="link.png"></video>\n',
        "<!-- slide: {background: ../secret.png} -->\n# T\n",
        "<!-- slide: {background: link.png} -->\n# T\n",
    ],
)
def test_files_outside_the_deck_are_refused(
    tmp_path: Path, outside: Path, slides: str, single_file: bool
) -> None:
    deck = write_deck(tmp_path / "deck", slides.replace("{abs}", str(outside)))
    (deck / "link.png").symlink_to(outside)
    (problem,) = problems(deck, single_file=single_file)
    assert re.match(r"slides\.md:\d+:\d+: error: .*outside the deck folder", problem), problem
    assert "copy the file into the deck" in problem


def test_nothing_outside_is_written(tmp_path: Path, outside: Path) -> None:
    deck = write_deck(tmp_path / "deck", "# T\n\n![x](link.png)\n")
    (deck / "link.png").symlink_to(outside)
    with pytest.raises(DeckError):
        build(deck, tmp_path / "out")
    written = [p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert SECRET not in written


def test_a_symlink_inside_the_deck_is_fine(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "deck", "# T\n\n![x](link.png)\n")
    (deck / "img").mkdir()
    (deck / "img" / "real.png").write_bytes(b"png")
    (deck / "link.png").symlink_to(deck / "img" / "real.png")
    assert list(compile_deck(deck).assets.values()) == [b"png"]


def test_slide_files_outside_are_refused(tmp_path: Path, outside: Path) -> None:
    hostname = outside.with_suffix(".md")
    hostname.write_text("# Secret\n")
    deck = write_deck(tmp_path / "deck", "# T\n", DECK_YAML + f"slides: [slides.md, {hostname}]\n")
    (problem,) = problems(deck)
    assert problem.startswith("deck.yaml:3:21: error: slide file ")
    assert "outside the deck folder" in problem


def test_a_symlinked_slides_md_is_refused(tmp_path: Path, outside: Path) -> None:
    deck = tmp_path / "deck"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    hostname = outside.with_suffix(".md")
    hostname.write_text("# Secret\n")
    (deck / "slides.md").symlink_to(hostname)
    (problem,) = problems(deck)
    assert "slides.md lies outside the deck folder" in problem


def test_a_theme_folder_elsewhere_is_refused(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.css").write_text(":root{--dp-bg:#fff}\n")
    deck = write_deck(tmp_path / "deck", "# T\n", DECK_YAML + "theme: ../theme\n")
    (problem,) = problems(deck)
    assert problem.startswith("deck.yaml:3:1: error: theme folder '../theme' lies outside")


def test_theme_css_url_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    deck = write_deck(tmp_path / "deck", "# T\n", DECK_YAML + "theme: mine\n")
    (deck / "mine").mkdir()
    (deck / "mine" / "theme.css").write_text(
        ":root{--dp-bg:#fff}\n.x { background: url(../../secret.png) }\n"
    )
    (problem,) = problems(deck, single_file=True)
    assert problem.startswith("theme.css:2:18: error: theme file '../../secret.png' lies outside")


def test_a_theme_extending_a_folder_outside_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "theme.css").write_text(":root{--dp-bg:#000}\n")
    deck = write_deck(tmp_path / "deck", "# T\n", DECK_YAML + "theme: mine\n")
    (deck / "mine").mkdir()
    (deck / "mine" / "theme.css").write_text(":root{--dp-fg:#111}\n")
    (deck / "mine" / "theme.yaml").write_text("extends: ../../elsewhere\n")
    (problem,) = problems(deck)
    assert problem.startswith("theme.yaml:1:10: error: theme folder '../../elsewhere' lies outside")


def test_a_builtin_theme_still_builds(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "deck", "# T\n", DECK_YAML + "theme: dark\n")
    assert compile_deck(deck).html


# -- 2. YAML aliases -----------------------------------------------------------------------

BOMB = "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n"
    for i in range(8)
)


@pytest.mark.parametrize(
    ("where", "deck_yaml", "slides", "expected"),
    [
        ("deck.yaml", DECK_YAML + 'a: &a ["x"]\n' + BOMB, "# T\n", "deck.yaml:4:8"),
        ("deck.yaml", DECK_YAML + "x: &a [*a]\n", "# T\n", "deck.yaml:3:8"),
        ("options", DECK_YAML, "<!-- slide: {id: &a x, title: *a} -->\n# T\n", "slides.md:1:31"),
        (
            "poll",
            DECK_YAML,
            "# T\n\n```poll\nid: q\nkind: single\nquestion: &q Why?\noptions: [*q]\n```\n",
            "slides.md:7:11",
        ),
    ],
)
def test_yaml_aliases_are_refused_fast(
    tmp_path: Path, where: str, deck_yaml: str, slides: str, expected: str
) -> None:
    deck = write_deck(tmp_path / "deck", slides, deck_yaml)
    started = time.perf_counter()
    found = problems(deck)
    assert time.perf_counter() - started < 1.0
    assert any(p.startswith(f"{expected}: error: YAML aliases") for p in found), found


def test_an_alias_bomb_in_front_matter_fails_cleanly_on_the_command_line(tmp_path: Path) -> None:
    talk = tmp_path / "talk.md"
    talk.write_text("---\ntitle: T\na: &a [x]\n" + BOMB + "---\n# T\n")
    result = subprocess.run(
        [sys.executable, "-m", "deckpoll", "build", str(talk), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert "talk.md:4:8: error: YAML aliases" in result.stderr
    assert "Traceback" not in result.stderr


# -- 3. nothing from other hosts -----------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        '<img src="a.png" srcset="https://evil.example/a.png 2x">',
        '<video poster="//evil.example/p.png"></video>',
        '<svg><image href="https://evil.example/i.png"/></svg>',
        '<img src="https:evil.example/a.png">',
        '<img src=" https://evil.example/a.png">',
        '<img src="&#104;ttps://evil.example/a.png">',
        '<div style="background: url(https://evil.example/a.png)">x</div>',
        "<style>@import url(https://evil.example/x.css);</style>",
        '<style>.a { background: url("//evil.example/a.png") }</style>',
        '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
        '<object data="https://evil.example/x"></object>',
        '<form action="https://evil.example/"><button formaction="https://e.x/">b</button></form>',
        '<svg><use xlink:href="https://evil.example/s.svg#a"/></svg>',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        "Text <style>.a{background:url(//evil.example/a.png)}</style> inline",
    ],
)
def test_external_loads_are_found_in_the_rendered_html(tmp_path: Path, html: str) -> None:
    deck = write_deck(tmp_path / "deck", f"# T\n\n{html}\n")
    (deck / "a.png").write_bytes(b"png")
    found = problems(deck)
    assert found, html
    assert all(p.startswith("slides.md:3:") for p in found), found
    assert all("load nothing from other hosts" in p for p in found)


def test_links_and_local_files_are_fine(tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path / "deck",
        "# T\n\n[docs](https://example.org) <https://example.org>\n\n"
        '<a href="https://example.org">x</a> <img src="data:image/png;base64,AA" alt="">\n',
    )
    assert compile_deck(deck).html


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.csp: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp.append(values["content"])


def test_the_page_carries_a_content_security_policy(tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path / "deck", "# T\n", DECK_YAML + "polls:\n  url: https://polls.example.org/x/\n"
    )
    parser = _Meta()
    parser.feed(compile_deck(deck).html)
    (csp,) = parser.csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self' data: blob:"
    assert directives["connect-src"] == "'self' https://polls.example.org"
    assert directives["object-src"] == "'none'"


# -- 4. raw-HTML media ---------------------------------------------------------------------


def test_raw_html_media_are_copied(tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path / "deck",
        '# T\n\n<img src="pics/a.png" alt="A" width="300">\n\n'
        'Inline <img src="b.png" alt="B"> too\n\n'
        '<video poster="b.png" controls><source src="clip.mp4" type="video/mp4"></video>\n',
    )
    (deck / "pics").mkdir()
    (deck / "pics" / "a.png").write_bytes(b"image a")
    (deck / "b.png").write_bytes(b"image b")
    (deck / "clip.mp4").write_bytes(b"video")
    compiled = compile_deck(deck)
    assert sorted(compiled.assets.values()) == [b"image a", b"image b", b"video"]
    srcs = set(re.findall(r'(?:src|poster)="([^"]+)"', compiled.deck.slides[0].html))
    assert srcs == set(compiled.assets), srcs
    assert 'width="300"' in compiled.deck.slides[0].html


def test_raw_html_media_are_inlined_in_a_single_file(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "deck", '# T\n\n<img src="a.png" alt="A">\n')
    (deck / "a.png").write_bytes(b"image a")
    compiled = compile_deck(deck, single_file=True)
    assert compiled.assets == {}
    assert 'src="data:image/png;base64,aW1hZ2UgYQ=="' in compiled.deck.slides[0].html


def test_a_missing_raw_html_image_is_an_error(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "deck", '# T\n\nText\n<img src="nope.png" alt="">\n')
    (problem,) = problems(deck)
    assert problem.startswith("slides.md:4:11: error: file not found: 'nope.png'")


# -- 5. messages ---------------------------------------------------------------------------


def test_build_prints_warnings_and_a_summary(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "deck", "# T\n\n---\n\n# U\n", DECK_YAML + "size: 4:3\n")
    result = CliRunner().invoke(main, ["build", str(deck), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "deck.yaml:3:1: warning: unknown deck key 'size'; did you mean 'aspect'?" in (
        result.stderr
    )
    assert result.stdout.strip().endswith(": 2 slides, 0 polls, 1 warning(s)")


def test_leading_separator_then_markdown_is_not_front_matter(tmp_path: Path) -> None:
    talk = tmp_path / "talk.md"
    talk.write_text("---\n\n# One\n\n> quote: with a colon\n\n---\n\n# Two\n")
    compiled = compile_deck(talk)
    assert [s["title"] for s in compiled.manifest["slides"]] == ["One", "Two"]
    deck = write_deck(tmp_path / "deck", talk.read_text())
    assert len(compile_deck(deck).manifest["slides"]) == 2


def test_front_matter_with_a_syntax_error_is_still_reported(tmp_path: Path) -> None:
    talk = tmp_path / "talk.md"
    talk.write_text("---\ntitle: a: b\n---\n# One\n")
    (problem,) = problems(talk)
    assert problem.startswith("talk.md:2:9: error: invalid YAML")


@pytest.mark.parametrize(
    ("text", "noise"),
    [
        ("```mermaid\ngraph\n```\n", "did you mean"),
        ("<!-- slide: {size: big} -->\n# T\n", "'slides'"),
    ],
)
def test_hints_only_for_close_matches(tmp_path: Path, text: str, noise: str) -> None:
    deck = write_deck(tmp_path / "deck", text)
    (warning,) = [str(w) for w in compile_deck(deck).warnings]
    assert noise not in warning


def test_close_typos_still_get_a_hint(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "deck", "```pyhton\nx\n```\n", DECK_YAML + "titel: x\n")
    warnings = sorted(str(w) for w in compile_deck(deck).warnings)
    assert "did you mean 'title'?" in warnings[0]
    assert "did you mean 'python'?" in warnings[1]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_preview_refuses_outside_files_too(tmp_path: Path, outside: Path) -> None:
    from deckpoll.incremental import BuildCache

    deck = write_deck(tmp_path / "deck", "# T\n\n![x](link.png)\n")
    (deck / "link.png").symlink_to(outside)
    with pytest.raises(DeckError):
        compile_deck(deck, cache=BuildCache())


def test_code_inside_a_style_element_of_raw_html_is_still_checked(tmp_path: Path) -> None:
    # The check sets highlighted code aside (only escaped text in <span class>), except on
    # slides with raw HTML, which can leave a <style> or an attribute open around it.
    slides = (
        "# T\n\nText <style>\n\n```text\n.a { background: url(https://evil.example/a.png) }\n```"
        "\n\n</style>\n"
    )
    found = problems(write_deck(tmp_path / "deck", slides))
    assert any("url(https://evil.example/a.png)" in p for p in found), found


def test_setting_code_aside_renders_the_same_html() -> None:
    from deckpoll.markdown.parser import markdown, put_back, render, set_aside

    source = (
        "# T\n\n```python\nx = '<b>'  # \x00 1 \x00\n```\n\n    indented <i>\n\n"
        "```\nplain & more\n```\n"
    )
    tokens = markdown().parse(source, {})
    env = set_aside({})
    marked = render(tokens, env)
    assert "<b>" not in marked and len(env["dp_code_blocks"]) == 3
    assert put_back(marked, env) == render(tokens, {})


def test_generated_html_skips_the_parse_only_when_nothing_in_it_can_load() -> None:
    from deckpoll.offline import SRCSET_ATTRS, URL_ATTRS, may_load_external

    plain = (
        '<h2>T</h2>\n<ul>\n<li class="dp-fragment" data-dp-fragment="1">a <a href="#/5">link</a>'
        '</li>\n</ul>\n<p><img src="assets/pixel.497790947d.png" alt="A pixel" /></p>\n'
    )
    assert not may_load_external(plain)
    for name in sorted(URL_ATTRS | SRCSET_ATTRS | {"style", "srcdoc"}):
        assert may_load_external(f'<p><img {name}="https://evil.example/a.png"></p>'), name
        assert may_load_external(f"<p><img/{name.upper()} = x></p>"), name
        assert may_load_external(f'<p><img alt="a"{name}="x"></p>'), name
    assert may_load_external('<svg><image href="https://evil.example/i.png"/></svg>')
    assert may_load_external('<a title="x" href="https://e.example/">a</a> <link href="x">')
    assert may_load_external('<img src="https://evil.example/assets/a.png">')
    assert may_load_external("<style>a{}</style>")
    assert may_load_external('<meta http-equiv="refresh" content="0; url=https://e.x/">')
