"""`deckpoll build --join-page`: the phone page written beside the deck for any backend."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from deckpoll.cli import main


def _deck(root: Path, polls: str = "") -> Path:
    deck = root / "talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(f"title: Fika <3\nlang: sv\npolls:\n  code: '123456'\n{polls}")
    (deck / "slides.md").write_text(
        "# Hej\n\n---\n\n```poll\nid: fika\nkind: single\nquestion: Kaffe?\n"
        "options: [Ja, Nej]\n```\n"
    )
    return deck


def _config(page: str) -> dict:
    """The phone page's config (the JSON script element), as join.js reads it."""

    class Finder(HTMLParser):
        inside = False
        text = ""

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "script" and ("id", "jp-config") in attrs

        def handle_data(self, data):
            if self.inside:
                self.text += data

        def handle_endtag(self, tag):
            self.inside = False

    finder = Finder()
    finder.feed(page)
    return json.loads(finder.text)


def test_join_page_only_when_asked_or_when_polls_url_is_set(tmp_path: Path) -> None:
    deck = _deck(tmp_path)
    runner = CliRunner()
    plain = runner.invoke(main, ["build", str(deck), "-o", str(tmp_path / "plain")])
    assert plain.exit_code == 0, plain.output
    assert not (tmp_path / "plain" / "join.html").exists()
    asked = runner.invoke(main, ["build", str(deck), "-o", str(tmp_path / "a"), "--join-page"])
    assert asked.exit_code == 0, asked.output
    assert "join.html" in asked.output
    page = (tmp_path / "a" / "join.html").read_text()
    assert page.startswith("<!doctype html>") and '<html lang="sv">' in page
    config = _config(page)
    # No polls.url: the API is the folder the page is served from (config.api null).
    assert config["api"] is None and config["code"] == "123456"
    assert config["title"] == "Fika <3" and "Fika &lt;3" in page
    assert config["strings"]["send"]  # the phone's words, in the deck's language


def test_polls_url_writes_the_page_with_the_backend_and_the_default_join_url(
    tmp_path: Path,
) -> None:
    deck = _deck(tmp_path, "  url: https://poll.example.org/talk/\n")
    result = CliRunner().invoke(main, ["build", str(deck), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    config = _config((tmp_path / "out" / "join.html").read_text())
    assert config["api"] == "https://poll.example.org/talk/"
    # polls.join_url defaults to <polls.url>/join (README, docs/protocol.md).
    assert config["join_url"] == "https://poll.example.org/talk/join"
    manifest = json.loads((tmp_path / "out" / "deckpoll.json").read_text())
    assert manifest["polls_config"]["join_url"] == "https://poll.example.org/talk/join"


def test_the_static_page_is_the_page_deckpoll_serve_serves(tmp_path: Path) -> None:
    """Same script as the server's (its CSP hash matches), only the config differs."""
    from deckpoll.build import compile_deck
    from deckpoll.phone import join_page, script_hash, static_join_page

    manifest = compile_deck(_deck(tmp_path)).manifest
    served, served_hash = join_page(manifest, code="123456", join_url=None)
    static = static_join_page(manifest)
    scripts = re.findall(r"<script>(.*?)</script>", static, re.S)
    assert len(scripts) == 1 and script_hash(scripts[0]) == served_hash
    assert re.sub(r'id="jp-config">.*?</script>', "", served, flags=re.S) == re.sub(
        r'id="jp-config">.*?</script>', "", static, flags=re.S
    )
