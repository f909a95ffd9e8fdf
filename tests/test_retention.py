"""Data protection: `polls.retention` and `polls.privacy` in deck.yaml (checked where they
stand), voter tokens that expire with the retention (#17), and `deckpoll purge` on the
deck's store and its archives."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckpoll.archive import read_archive, save
from deckpoll.build import compile_deck
from deckpoll.cli import main
from deckpoll.errors import DeckError
from deckpoll.phone import privacy_notice
from deckpoll.purge import purge_archive
from deckpoll.results import gather
from deckpoll.retention import describe, parse_duration
from deckpoll.server.run import default_store_url
from deckpoll.server.voters import TOKEN_CHARS, VoterTokens
from deckpoll.stores.base import OPEN, open_store

SLIDES = "# Hej\n\n---\n\n```poll\nid: ord\nkind: wordcloud\nquestion: Ett ord?\n```\n"


def deck_with(tmp_path: Path, polls: str, lang: str = "sv") -> Path:
    deck = tmp_path / "talk"
    deck.mkdir(exist_ok=True)
    (deck / "deck.yaml").write_text(f"title: Övning\nlang: {lang}\nslides: [s.md]\npolls:\n{polls}")
    (deck / "s.md").write_text(SLIDES)
    return deck


def test_durations():
    assert parse_duration("30d") == 30 * 86400
    assert parse_duration(" 2W ") == 14 * 86400 and parse_duration("12h") == 12 * 3600
    for bad in ("30", "30 dagar", "0d", "-1d", "1.5d", "99999w", "30m"):
        assert parse_duration(bad) is None, bad
    assert describe(30 * 86400, "sv") == "30 dagar" and describe(86400, "en") == "1 day"
    assert describe(12 * 3600, "de") == "12 Stunden"


def test_retention_and_privacy_reach_the_manifest(tmp_path):
    deck = deck_with(tmp_path, "  code: '4711'\n  retention: 30d\n")
    config = compile_deck(deck).manifest["polls_config"]
    assert config["retention"] == 30 * 86400 and config["privacy"] is None
    assert "sparas i 30 dagar och raderas sedan" in privacy_notice(compile_deck(deck).manifest)
    deck = deck_with(tmp_path, "  retention: 12h\n", lang="en")
    notice = privacy_notice(compile_deck(deck).manifest)
    assert "no names, no IP addresses" in notice and "kept for 12 hours" in notice
    deck = deck_with(tmp_path, "  privacy: Raderas i kväll.\n")
    assert privacy_notice(compile_deck(deck).manifest) == "Raderas i kväll."
    deck = deck_with(tmp_path, "  code: '4711'\n")
    assert "tills presentatören raderar dem" in privacy_notice(compile_deck(deck).manifest)


def test_a_bad_retention_is_an_error_at_its_place(tmp_path):
    deck = deck_with(tmp_path, "  code: '4711'\n  retention: 30 dagar\n  privacy: ''\n")
    with pytest.raises(DeckError) as caught:
        compile_deck(deck)
    found = [str(d) for d in caught.value.diagnostics]
    assert any(
        d.startswith(
            f"{deck / 'deck.yaml'}:6:14: error: `retention` must be a duration such as 30d"
        )
        for d in found
    ), found
    assert any(":7:" in d and "`privacy` must not be empty" in d for d in found), found
    deck = deck_with(tmp_path, "  retension: 30d\n")
    warnings = compile_deck(deck).warnings
    assert any("did you mean 'retention'?" in str(w) for w in warnings)


def test_personal_data_holding_is_a_deck_setting_checked_where_it_stands(tmp_path):
    config = compile_deck(deck_with(tmp_path, "  code: '4711'\n")).manifest["polls_config"]
    assert config["personal_data"] == "hold"
    deck = deck_with(tmp_path, "  personal_data: allow\n")
    assert compile_deck(deck).manifest["polls_config"]["personal_data"] == "allow"
    deck = deck_with(tmp_path, "  code: '4711'\n  personal_data: alow\n")
    with pytest.raises(DeckError) as caught:
        compile_deck(deck)
    found = [str(d) for d in caught.value.diagnostics]
    assert any(
        d.startswith(f"{deck / 'deck.yaml'}:6:18: error: unknown personal_data 'alow'")
        and "did you mean 'allow'?" in d
        for d in found
    ), found


def test_voter_tokens_expire_with_the_retention():
    tokens = VoterTokens("deck", b"k" * 32, retention=3600)
    now = 1_800_000_000.0
    token = tokens.mint(now)
    assert len(token) == TOKEN_CHARS
    assert tokens.valid(token, now + 3000)
    assert not tokens.valid(token, now + 3601)  # expired with the retention period
    assert tokens.expires(token) == pytest.approx(now + 3600, abs=60)
    forever = VoterTokens("deck", b"k" * 32)  # no retention: as long as the talk
    assert forever.valid(token, now + 10 * 365 * 86400) and forever.expires(token) is None
    # the issue time is signed: moving it on is a made-up token
    later = tokens.sign(token[:16], now + 86400)
    forged = token[:16] + later[16:22] + token[22:]
    assert not tokens.valid(forged, now)


def test_the_voters_endpoint_says_when_the_token_expires(tmp_path):
    import httpx

    from deckpoll.server.app import create_app
    from server_fixtures import KEY

    deck = deck_with(tmp_path, "  code: '4711'\n  retention: 2h\n")
    app = create_app(compile_deck(deck), open_store("memory://"), presenter_key=KEY)

    async def go() -> dict:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            async with app.router.lifespan_context(app):
                return (await c.post("/api/v1/voters")).json()

    body = asyncio.run(go())
    assert abs(body["expires"] - (time.time() + 7200)) < 120


def answered(deck: Path, words: list[str]) -> str:
    manifest = compile_deck(deck).manifest
    url = default_store_url(deck)

    async def go() -> None:
        store = open_store(url, namespace=manifest["id"])
        await store.set_status("ord", OPEN)
        for n, word in enumerate(words):
            await store.add_answer("ord", f"v{n}", {"text": word}, key=word, replace=False, limit=3)
        await store.close()

    asyncio.run(go())
    return url


def test_purge_deletes_from_the_store_and_the_archives(tmp_path):
    deck = deck_with(tmp_path, "  code: '4711'\n  retention: 30d\n")
    answered(deck, ["mod", "tid"])
    old = save(gather(deck, None), deck)  # an archive holding both
    # make one archived answer 40 days old and the other recent; a second archive all old
    data = json.loads(old.read_text("utf-8"))
    answers = data["polls"][0]["answers"]
    answers[0]["created"] = "2000-01-01T00:00:00+00:00"
    old.write_text(json.dumps(data), "utf-8")
    ancient = deck / "results" / "1999-12-31-120000.json"
    answers[1]["created"] = "2000-01-01T00:00:00+00:00"
    ancient.write_text(json.dumps(data), "utf-8")
    result = CliRunner().invoke(main, ["purge", str(deck), "--older-than", "1h"])
    assert result.exit_code == 0, result.output
    assert "deleted 0 answer(s) from the store" in result.output  # the store's are new
    assert not ancient.exists() and "every answer in it was older" in result.output
    trimmed = read_archive(old)
    assert [a["answer"] for a in trimmed["polls"][0]["answers"]] == ["tid"]
    assert trimmed["polls"][0]["tally"]["words"] == [{"text": "tid", "count": 1}]
    time.sleep(0.05)
    result = CliRunner().invoke(main, ["purge", str(deck), "--older-than", "30d"])
    assert "deleted 0 answer(s)" in result.output
    # default: the deck's retention; everything older than "now minus 0" would go with 1h
    assert purge_archive(old, time.time() + 1) == (True, 1) and not old.exists()


def test_purge_with_the_decks_retention_and_without_one(tmp_path):
    deck = deck_with(tmp_path, "  code: '4711'\n  retention: 1h\n")
    url = answered(deck, ["mod", "tid", "kaffe"])

    async def age() -> None:  # two answers 2 hours old, straight in the SQLite file
        import sqlite3

        from deckpoll.stores.sqlite import path_from_url

        with sqlite3.connect(path_from_url(url)) as conn:
            conn.execute("UPDATE answers SET created = created - 7200 WHERE key != 'kaffe'")

    asyncio.run(age())
    result = CliRunner().invoke(main, ["purge", str(deck)])
    assert result.exit_code == 0, result.output
    assert "deleted 2 answer(s) from the store" in result.output
    assert [a["answer"] for a in gather(deck, None)["polls"][0]["answers"]] == ["kaffe"]
    deck = deck_with(tmp_path, "  code: '4711'\n")
    result = CliRunner().invoke(main, ["purge", str(deck)])
    assert result.exit_code == 1 and "set polls.retention" in result.output
    result = CliRunner().invoke(main, ["purge", str(deck), "--older-than", "soon"])
    assert result.exit_code == 1 and "30d (days)" in result.output


def test_serve_prints_the_retention(tmp_path):
    from test_archive import serve_output

    deck = deck_with(tmp_path, "  code: '4711'\n  retention: 30d\n")
    text = serve_output(deck, "--no-save")
    assert "Retention: answers are kept 30 days; then: deckpoll purge" in text, text
    deck = deck_with(tmp_path, "  code: '4711'\n")
    assert "Retention: not set" in serve_output(deck, "--no-save")
