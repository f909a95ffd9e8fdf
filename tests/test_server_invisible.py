"""Answers that show nothing are refused, and audience text is bidi-isolated on every
screen (issue #12, item 10)."""

from __future__ import annotations

import asyncio
import re
from importlib.resources import files

import pytest

from deckpoll.server.invisible import invisible
from deckpoll.server.validate import Invalid, check_text
from deckpoll.stores.base import open_store
from server_fixtures import presenter, running, voter

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060",  # zero-width non-joiner, joiner, word joiner
    "\ufeff",  # BOM
    "\u202e\u202c",  # right-to-left override, pop
    "\u2067\u2069\u200f",  # isolate, pop isolate, right-to-left mark
    "\u0301\u0308",  # combining marks with nothing to combine with
    " \u200b \u0301 ",
    "\u3164",  # Hangul filler
    "\ufe0f",  # a variation selector alone
]
VISIBLE = ["a", "e\u0301", "\u202eolleh", "❤\ufe0f", "👍🏽", "مرحبا", "a\u200bb"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_text_is_refused(text: str) -> None:
    assert invisible(text)
    with pytest.raises(Invalid) as caught:
        check_text(text)
    assert caught.value.status == 422 and caught.value.code in ("invisible_text", "invalid_text")


@pytest.mark.parametrize("text", VISIBLE)
def test_visible_text_is_kept(text: str) -> None:
    assert not invisible(text)
    assert check_text(text)


def test_the_api_answers_422_and_stores_nothing() -> None:
    async def scenario() -> None:
        async with running(open_store("memory://")) as (client, app):
            await client.post("/api/v1/polls/words/open", headers=presenter())
            for text in ("\u200b\u200b", "\ufeff\u202e", "\u0301"):
                answer = await client.post(
                    "/api/v1/polls/words/answers", json={"text": text}, headers=voter(0)
                )
                assert answer.status_code == 422, text
                assert answer.json()["error"] == "invisible_text"
            assert await app.state.session.store.answers("words") == []
            ok = await client.post(
                "/api/v1/polls/words/answers", json={"text": "\u202eolleh"}, headers=voter(0)
            )
            assert ok.status_code == 200

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("sheet", "selectors"),
    [
        ("60-polls.css", (".dp-poll-entry-text", ".dp-poll-word")),
        ("join.css", (".jp-mine li", ".jp-wall li", ".jp-words li")),
        ("56-console.css", (".dp-con-text",)),
    ],
)
def test_audience_text_is_isolated_on_every_screen(sheet: str, selectors: tuple) -> None:
    css = files("deckpoll.runtime").joinpath(sheet).read_text("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    isolated = [
        rule.group(1) for rule in re.finditer(r"([^{}]+)\{[^}]*unicode-bidi:\s*isolate", css)
    ]
    chosen = {s.strip() for group in isolated for s in group.split(",")}
    assert set(selectors) <= chosen
