"""`deckpoll results`: JSON, CSV (formula-safe) and Markdown exports of tallies and answers."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest

from deckpoll.errors import DeckpollError
from deckpoll.results import export, md_text, safe_cell
from deckpoll.stores.base import OPEN, open_store
from server_fixtures import manifest

NASTY = ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd", "<script>alert(1)</script>"]


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, str]:
    """A built deck folder (deckpoll.json) and a SQLite store with answers in it."""
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "deckpoll.json").write_text(json.dumps(manifest()))
    url = f"sqlite:///{tmp_path / 'answers.sqlite3'}"
    store = open_store(url, namespace="test-deck")

    async def fill():
        for poll in ("lunch", "mood", "words", "wall"):
            await store.set_status(poll, OPEN)
        await store.add_answer("lunch", "tok-a", {"choice": "soup"}, key="", replace=True, limit=1)
        await store.add_answer("lunch", "tok-b", {"choice": "salad"}, key="", replace=True, limit=1)
        await store.add_answer("mood", "tok-a", {"value": 4}, key="", replace=True, limit=1)
        await store.add_answer(
            "words", "tok-a", {"text": "Kaffe"}, key="kaffe", replace=False, limit=3
        )
        await store.add_answer(
            "words", "tok-b", {"text": "kaffe"}, key="kaffe", replace=False, limit=3
        )
        for n, text in enumerate(NASTY):
            await store.add_answer(
                "wall", f"tok-{n}", {"text": text}, key=text, replace=False, limit=2
            )
        hidden = await store.add_answer(
            "wall", "tok-z", {"text": "rude"}, key="rude", replace=False, limit=2
        )
        await store.hide_answer("wall", hidden.answer.id)
        await store.close()

    asyncio.run(fill())
    return folder, url


def test_json_has_tallies_answers_and_stamps(built):
    folder, url = built
    data = json.loads(export(folder, "json", url))
    assert data["hash"] == "sha256:test" and data["exported_at"].endswith("+00:00")
    assert data["served_hash"] is None  # no server has presented this store
    polls = {p["id"]: p for p in data["polls"]}
    assert {o["id"]: o["count"] for o in polls["lunch"]["tally"]["options"]} == {
        "soup": 1,
        "salad": 1,
    }
    assert polls["lunch"]["status"] == "open" and polls["langs"]["status"] == "not opened"
    assert polls["mood"]["tally"]["average"] == 4
    assert polls["words"]["tally"]["words"] == [{"text": "Kaffe", "count": 2}]
    assert polls["wall"]["hidden_answers"] == 1
    assert "rude" not in [e["text"] for e in polls["wall"]["tally"]["entries"]]
    assert [a["answer"] for a in polls["wall"]["answers"]][-1] == "rude"
    voters = {a["voter"] for p in data["polls"] for a in p["answers"]}
    assert all(v.startswith("p") for v in voters) and "tok-a" not in json.dumps(data)


def test_csv_cells_are_safe_from_formulas(built):
    folder, url = built
    rows = list(csv.reader(io.StringIO(export(folder, "csv", url))))
    header = rows[0]
    assert header[:6] == ["deck_hash", "exported_at", "poll", "kind", "question", "record"]
    assert all(r[0] == "sha256:test" for r in rows[1:])
    items = [r[6] for r in rows[1:] if r[2] == "wall" and r[5] == "answer"]
    for text in NASTY[:4]:
        assert "'" + text in items
    assert NASTY[4] in items
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    lunch = [r for r in rows if r[2] == "lunch" and r[5] == "tally"]
    assert [(r[6], r[7]) for r in lunch] == [("Soup", "1"), ("Salad", "1")]


def test_safe_cell():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("\tx") == "'\tx" and safe_cell("\rx") == "'\rx"
    assert safe_cell("fine") == "fine" and safe_cell(-3) == -3


def test_markdown_keeps_audience_text_inert(built):
    folder, url = built
    text = export(folder, "md", url)
    assert text.startswith("# Results: Test deck")
    assert "sha256:test" in text
    assert "<script>" not in text and "\\<script\\>" in text
    assert "| Soup | 1 | 50 |" in text
    assert "- rude *(hidden)*" in text  # listed, marked: the speaker decides what to publish
    assert md_text("a|b\nc?") == "a\\|b c?"
    assert md_text("[x](javascript:y) *b*") == "\\[x\\](javascript:y) \\*b\\*"


def test_markdown_follows_the_decks_language(built):
    folder, url = built
    data = json.loads((folder / "deckpoll.json").read_text())
    english = export(folder, "md", url)
    (folder / "deckpoll.json").write_text(json.dumps({**data, "lang": "de"}))
    text = export(folder, "md", url)
    assert text.startswith("# Ergebnisse: Test deck\n")
    assert "Präsentation `test-deck`, Manifest `sha256:test`, exportiert " in text
    assert "`lunch` · single · geöffnet · 2 Teilnehmende · 2 Antworten" in text
    assert "`langs` · multiple · nicht geöffnet · 0 Teilnehmende · 0 Antworten" in text
    assert "| Antwort | Anzahl | % |" in text and "| Durchschnitt | 4.0 |  |" in text
    assert "1 ausgeblendet" in text
    assert "Results" not in text and "participants" not in text
    assert "`lunch` · single · open · 2 participants · 2 answers" in english
    (folder / "deckpoll.json").write_text(json.dumps({**data, "lang": "sv-SE"}))
    assert export(folder, "md", url).startswith("# Resultat: Test deck\n")


def test_missing_default_store_and_bad_format(tmp_path, built):
    folder, _ = built
    with pytest.raises(DeckpollError, match="no answers stored"):
        export(folder, "json", None)
    with pytest.raises(DeckpollError, match="unknown format"):
        export(folder, "xml", None)
    with pytest.raises(DeckpollError, match="cannot read the store"):
        export(folder, "json", "nosuch://x")


def test_export_from_a_deck_source_with_its_default_store(tmp_path):
    deck = tmp_path / "talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text("title: T\nlang: sv\nslides: [s.md]\n")
    (deck / "s.md").write_text("# T\n\n---\n\n```poll\nid: q\nkind: scale\nquestion: Hur?\n```\n")
    from deckpoll.server.run import default_store_url

    url = default_store_url(deck)
    assert (deck / ".deckpoll" / ".gitignore").read_text().strip().endswith("*")
    store = open_store(url, namespace="talk")

    async def fill():
        await store.set_status("q", OPEN)
        await store.add_answer("q", "tok", {"value": 2}, key="", replace=True, limit=1)
        await store.close()

    asyncio.run(fill())
    data = json.loads(export(deck, "json", None))
    assert data["polls"][0]["tally"]["average"] == 2
    assert data["hash"].startswith("sha256:")


def test_export_while_the_store_is_in_use(built):
    folder, url = built
    live = open_store(url, namespace="test-deck")

    async def serve_and_export() -> dict:
        await live.set_status("lunch", OPEN)
        await live.add_answer("lunch", "tok-new", {"choice": "soup"}, key="", replace=True, limit=1)
        data = await asyncio.to_thread(export, folder, "json", url)
        await live.add_answer("lunch", "tok-x", {"choice": "soup"}, key="", replace=True, limit=1)
        await live.close()
        return json.loads(data)

    data = asyncio.run(serve_and_export())
    lunch = next(p for p in data["polls"] if p["id"] == "lunch")
    assert lunch["tally"]["voters"] == 3
