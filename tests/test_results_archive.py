"""The results archive (docs/results.md): `deckpoll results --save`, `serve` saving on stop,
`deckpoll results` reading an archive, no voter tokens, a versioned format."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckpoll.archive import is_archive, latest, read_archive, save
from deckpoll.cli import main
from deckpoll.errors import DeckpollError
from deckpoll.results import FORMAT_NAME, FORMAT_VERSION, export, gather, render
from deckpoll.stores.base import open_store
from test_archive import make_deck, rehearse, serve_output


def answered_deck(tmp_path: Path) -> Path:
    deck = make_deck(tmp_path)
    url = rehearse(deck, ["mod", "tillit", "mod"])

    async def hide_one() -> None:
        from deckpoll.build import compile_deck

        store = open_store(url, namespace=compile_deck(deck).manifest["id"])
        answers = await store.answers("ord")
        await store.hide_answer("ord", answers[1].id)
        await store.close()

    asyncio.run(hide_one())
    return deck


def test_save_writes_a_versioned_archive_without_voter_tokens(tmp_path):
    deck = answered_deck(tmp_path)
    result = CliRunner().invoke(main, ["results", str(deck), "--save"])
    assert result.exit_code == 0, result.output
    path = Path(re.search(r"saved (\S+\.json)", result.output).group(1))
    assert path.parent == deck / "results"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-\d{6}\.json", path.name)
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == FORMAT_NAME and data["version"] == FORMAT_VERSION
    assert data["title"] == "Övning" and data["hash"].startswith("sha256:")
    poll = data["polls"][0]
    assert poll["definition"]["question"] == "Ett ord?"
    assert poll["definition"]["kind"] == "wordcloud"
    assert [(a["answer"], a["hidden"], a["approved"]) for a in poll["answers"]] == [
        ("mod", False, True),
        ("tillit", True, True),
        ("mod", False, True),
    ]
    assert all(a["created"] for a in poll["answers"])
    assert poll["tally"]["words"] == [{"text": "mod", "count": 2}]
    assert "voter-" not in path.read_text("utf-8")  # tokens replaced by pseudonyms
    assert [a["voter"] for a in poll["answers"]] == ["p1", "p2", "p3"]


def test_pseudonyms_are_per_poll(tmp_path):
    from server_fixtures import manifest

    async def go() -> dict:
        store = open_store("memory://")
        for poll in ("lunch", "words"):
            await store.set_status(poll, "open")
        await store.add_answer("lunch", "tok-b", {"choice": "soup"}, key="", replace=True, limit=1)
        await store.add_answer("lunch", "tok-a", {"choice": "soup"}, key="", replace=True, limit=1)
        await store.add_answer("words", "tok-a", {"text": "x"}, key="x", replace=False, limit=3)
        from deckpoll.results import collect_from

        return await collect_from(manifest(), store)

    polls = {p["id"]: p for p in asyncio.run(go())["polls"]}
    # tok-a is p2 in one poll and p1 in the other: answers cannot be linked across polls
    assert [a["voter"] for a in polls["lunch"]["answers"]] == ["p1", "p2"]
    assert [a["voter"] for a in polls["words"]["answers"]] == ["p1"]


def test_round_trip_an_archive_exports_as_its_store_did(tmp_path):
    deck = answered_deck(tmp_path)
    from_store = gather(deck, None)
    path = save(from_store, deck)
    assert is_archive(path) and not is_archive(deck / "deck.yaml") and latest(deck) == path
    assert read_archive(path) == from_store
    for fmt in ("json", "csv", "md"):
        assert export(path, fmt, None) == render(from_store, fmt)
    md = export(path, "md", None)
    assert md.startswith("# Resultat: Övning\n")  # the deck's language
    assert "- tillit *(dolt)*" in md


def test_results_from_an_archive_on_the_command_line(tmp_path):
    deck = answered_deck(tmp_path)
    path = save(gather(deck, None), deck)
    result = CliRunner().invoke(main, ["results", str(path), "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "Dolda eller inte godkända:" in result.output and "tillit" in result.output
    result = CliRunner().invoke(main, ["results", str(path), "--save"])
    assert result.exit_code == 1 and "is an archive already" in result.output


def test_unreadable_or_newer_archives_are_refused_clearly(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION + 1, "polls": []}))
    with pytest.raises(DeckpollError, match="upgrade deckpoll"):
        read_archive(bad)
    bad.write_text("{nope")
    with pytest.raises(DeckpollError, match="not a readable results archive"):
        read_archive(bad)
    with pytest.raises(DeckpollError, match="no results archive"):
        latest(tmp_path)


def test_serve_archives_on_stop_once_and_not_with_no_save(tmp_path):
    deck = answered_deck(tmp_path)
    text = serve_output(deck, "--no-save")
    assert "answers archived" not in text and not (deck / "results").exists(), text
    text = serve_output(deck)
    saved = re.search(r"answers archived in (\S+\.json)", text)
    assert saved, text
    assert len(read_archive(Path(saved.group(1)))["polls"][0]["answers"]) == 3
    again = serve_output(deck)  # nothing changed: no second copy
    assert "answers archived" not in again and len(list((deck / "results").iterdir())) == 1
