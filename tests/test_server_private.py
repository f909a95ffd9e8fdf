"""Speaker notes and presenter-only poll data never reach the audience (issue #12, item 8)."""

from __future__ import annotations

import asyncio
import dataclasses
from html.parser import HTMLParser
from pathlib import Path

import httpx

from deckpoll.build import compile_deck
from deckpoll.server.app import create_app
from deckpoll.stores.base import open_store

KEY = "k" * 24
SLIDES = (
    "# Title\n\n::: notes\nSECRET-NOTE-ONE: say hello\n:::\n\n---\n\n## Two\n\nNote: SECRET-TWO\n"
    "\n---\n\n```poll\nid: q\nkind: single\nquestion: Which?\noptions: [A, B]\n```\n"
)


class _Asides(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.notes = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if "dp-notes" in (dict(attrs).get("class") or ""):
            self.notes += 1


def _compiled(tmp_path: Path):
    (tmp_path / "deck.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "slides.md").write_text(SLIDES)
    compiled = compile_deck(tmp_path)
    # No quiz kind yet: give the poll presenter-only data as one would carry it.
    polls = [{**p, "correct": "a", "explanation": "because"} for p in compiled.manifest["polls"]]
    return dataclasses.replace(compiled, manifest={**compiled.manifest, "polls": polls})


def test_the_audience_gets_no_notes_and_no_answers(tmp_path: Path) -> None:
    compiled = _compiled(tmp_path)
    assert "SECRET-NOTE-ONE" in compiled.html  # the built file keeps them (speaker view)
    app = create_app(compiled, open_store("memory://"), presenter_key=KEY)
    auth = {"Authorization": f"Bearer {KEY}"}

    async def scenario() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                everything = ""
                for path in ("/", "/index.html", "/deckpoll.json", "/api/v1/deck", "/join"):
                    answer = await client.get(path)
                    assert answer.status_code == 200, path
                    everything += answer.text
                page = (await client.get("/")).text
                finder = _Asides()
                finder.feed(page)
                assert finder.notes == 0
                for secret in ("SECRET-NOTE-ONE", "SECRET-TWO", '"correct"', "because"):
                    assert secret not in everything, secret
                assert (await client.get("/api/v1/notes")).status_code == 401
                wrong = {"Authorization": "Bearer " + "x" * 24}
                assert (await client.get("/api/v1/notes", headers=wrong)).status_code == 403
                notes = (await client.get("/api/v1/notes", headers=auth)).json()["notes"]
                assert sorted(notes) == ["1", "2"]
                assert "SECRET-NOTE-ONE" in notes["1"] and "SECRET-TWO" in notes["2"]
                deck = (await client.get("/api/v1/deck", headers=auth)).json()
                assert deck["polls"][0]["correct"] == "a"

    asyncio.run(scenario())
