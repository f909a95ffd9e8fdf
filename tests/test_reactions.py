"""Reactions: `reactions:` in deck.yaml (off by default), the route's refusals, two a second
per voter, one aggregated event per push interval to the decks, nothing stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from deckpoll.build import compile_deck
from server_fixtures import manifest, running, voter
from test_errors import problems, write_deck
from test_server_events import next_event

EMOJI = ["👏", "❤️", "😂", "🤔"]


def deck_yaml(extra: str) -> str:
    return 'title: T\nlang: en\npolls:\n  code: "490296"\n' + extra


def test_reactions_are_off_by_default_and_listed_in_the_manifest(tmp_path: Path) -> None:
    plain = compile_deck(write_deck(tmp_path / "a", "# T\n", deck_yaml(""))).manifest
    assert plain["reactions"] == []
    on = write_deck(tmp_path / "b", "# T\n", deck_yaml("reactions: [👏, ❤️, 😂, 🤔]\n"))
    assert compile_deck(on).manifest["reactions"] == EMOJI


@pytest.mark.parametrize(
    ("line", "wanted"),
    [
        ("reactions: [👏, 👏]\n", "an emoji appears twice in `reactions`"),
        ("reactions: [👏, yes]\n", "'yes' is not an emoji"),
        ("reactions: [" + ", ".join("👏❤️😂🤔🎉🔥💡🚀👍"[i] for i in range(9)) + "]\n", "at most 8"),
        ("reactions: {a: 1}\n", "`reactions` must be a list of text items"),
    ],
)
def test_a_wrong_reactions_list_says_where(tmp_path: Path, line: str, wanted: str) -> None:
    found = problems(write_deck(tmp_path, "# T\n", deck_yaml(line)))
    assert any("deck.yaml:5:" in p and wanted in p for p in found), found


def with_reactions() -> dict:
    return {**manifest(), "reactions": EMOJI}


def test_taps_from_many_phones_arrive_as_one_event_and_nothing_is_stored() -> None:
    async def go():
        async with running(data=with_reactions(), push_interval=0.3) as (client, app):
            session = app.state.session
            deck = session.broadcaster.stream(presenter=True, role="deck")
            phone = session.broadcaster.stream(presenter=False, role="join")
            for s in (deck, phone):
                await s.__anext__()
                await next_event(s)  # the snapshot
            url = "/api/v1/reactions"
            for n, emoji in enumerate(["👏", "👏", "❤️", "👏"]):
                r = await client.post(url, json={"emoji": emoji}, headers=voter(n))
                assert r.status_code == 200, r.text
            event, data = await next_event(deck)
            while event != "reactions":
                event, data = await next_event(deck)
            assert data == {"counts": {"👏": 3, "❤️": 1}}
            # phones get no reaction events (only the decks draw them)
            with pytest.raises(TimeoutError):
                while True:
                    event, _ = await next_event(phone, timeout=0.8)
                    assert event != "reactions"
            for pid in session.polls:
                assert await session.store.answers(pid) == []

    asyncio.run(go())


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"emoji": "🚀"}, 422, "unknown_reaction"),
        ({"emoji": "👏", "x": 1}, 422, "unknown_reaction"),
        (["👏"], 422, "unknown_reaction"),
    ],
)
def test_a_reaction_not_in_the_list_is_422(body, status, code) -> None:
    async def go():
        async with running(data=with_reactions()) as (client, app):
            r = await client.post("/api/v1/reactions", json=body, headers=voter(0))
            assert (r.status_code, r.json()["error"]) == (status, code)
            assert not app.state.session.pusher._reactions

    asyncio.run(go())


def test_two_a_second_per_voter_and_none_without_a_list() -> None:
    async def go():
        async with running(data=with_reactions()) as (client, _):
            codes = [
                (
                    await client.post("/api/v1/reactions", json={"emoji": "👏"}, headers=voter(0))
                ).status_code
                for _ in range(4)
            ]
            assert codes[:2] == [200, 200] and 429 in codes[2:]
            other = await client.post("/api/v1/reactions", json={"emoji": "👏"}, headers=voter(1))
            assert other.status_code == 200  # per voter, not per room
        async with running() as (client, _):
            r = await client.post("/api/v1/reactions", json={"emoji": "👏"}, headers=voter(0))
            assert (r.status_code, r.json()["error"]) == (404, "no_reactions")

    asyncio.run(go())
