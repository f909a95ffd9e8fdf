"""Server-issued voter tokens, scoped to the deck and the talk (issue #12 item 7, issue #17
item 6): made-up and altered tokens are refused, minting is limited per address but lets a
NAT'd room in, and far more voters than phones is reported."""

from __future__ import annotations

import asyncio
import logging

import pytest

from deckpoll import cli
from deckpoll.server import voters
from deckpoll.server.voters import VoterTokens, talk_secret
from deckpoll.stores.base import open_store
from server_fixtures import manifest, presenter, running


async def _open_lunch(client) -> None:
    assert (await client.post("/api/v1/polls/lunch/open", headers=presenter())).status_code == 200


def _answer(client, token: str, choice: str = "soup"):
    return client.post(
        "/api/v1/polls/lunch/answers", json={"choice": choice}, headers={"X-Deckpoll-Voter": token}
    )


def test_only_tokens_the_server_signed_are_accepted() -> None:
    async def scenario() -> None:
        async with running(open_store("memory://")) as (client, app):
            await _open_lunch(client)
            minted = await client.post("/api/v1/voters")
            assert minted.status_code == 200
            token = minted.json()["voter"]
            deck = (await client.get("/api/v1/deck")).json()
            assert minted.json()["talk"] == deck["talk"] and deck["talk"]
            assert (await _answer(client, token)).status_code == 200
            assert (
                await client.get("/api/v1/polls/lunch/answers", headers={"X-Deckpoll-Voter": token})
            ).json()["answers"][0]["choice"] == "soup"
            altered = token[:-1] + ("A" if token[-1] != "A" else "B")
            for bad in (altered, "made-up-token-0123456789", "x" * len(token)):
                refused = await _answer(client, bad)
                assert refused.status_code == 401, bad
                assert refused.json()["error"] == "unknown_voter"
                mine = await client.get(
                    "/api/v1/polls/lunch/answers", headers={"X-Deckpoll-Voter": bad}
                )
                assert mine.status_code == 401
            stored = await app.state.session.store.answers("lunch")
            assert [a.voter for a in stored] == [token]  # nothing refused was stored

    asyncio.run(scenario())


def test_a_token_is_bound_to_its_deck_and_talk() -> None:
    secret = b"s" * 32
    deck_a, deck_b = VoterTokens("deck-a", secret), VoterTokens("deck-b", secret)
    token = deck_a.mint()
    assert deck_a.valid(token) and not deck_b.valid(token)
    new_talk = VoterTokens("deck-a", b"t" * 32)
    assert not new_talk.valid(token) and new_talk.talk != deck_a.talk

    async def renew() -> tuple[bytes, bytes, bytes]:
        store = open_store("memory://")
        first = await talk_secret(store)
        again = await talk_secret(store)
        fresh = await talk_secret(store, renew=True)  # what --fresh does: a new talk
        return first, again, fresh

    first, again, fresh = asyncio.run(renew())
    assert first == again != fresh


def test_a_token_survives_a_restart(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"

    async def scenario() -> None:
        store = open_store(url, namespace="test-deck")
        async with running(store) as (client, _):
            await _open_lunch(client)
            token = (await client.post("/api/v1/voters")).json()["voter"]
            assert (await _answer(client, token)).status_code == 200
        # `running` puts the tests' own secret in; a restart keeps whatever the store holds
        store = open_store(url, namespace="test-deck")
        async with running(store) as (client, _):
            assert (await _answer(client, token, "salad")).status_code == 200

    asyncio.run(scenario())


def test_minting_lets_a_natd_room_in_but_not_a_script() -> None:
    async def scenario() -> None:
        async with running(open_store("memory://")) as (client, _):
            statuses = [(await client.post("/api/v1/voters")).status_code for _ in range(500)]
            assert statuses == [200] * 500  # 500 phones behind one address, within a minute
        async with running(open_store("memory://"), voters_per_minute=5) as (client, _):
            statuses = [(await client.post("/api/v1/voters")).status_code for _ in range(7)]
            assert statuses == [200] * 5 + [429] * 2
            refused = await client.post("/api/v1/voters")
            assert refused.json()["error"] == "too_many_voters"
            assert refused.headers["retry-after"]

    asyncio.run(scenario())


def test_the_command_line_default_is_the_servers() -> None:
    assert cli.DEFAULT_VOTERS_PER_MINUTE == voters.DEFAULT_PER_MINUTE


def test_many_voters_and_few_phones_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    tokens = VoterTokens("d", b"k" * 32)
    assert all(tokens.answered(f"v{n}", phones=20, now=1.0) is None for n in range(40))
    counts = [tokens.answered(f"v{n}", phones=20, now=2.0) for n in range(40, 60)]
    assert [c for c in counts if c is not None] == [51]  # 51 > 2 x 20 + 10, once
    assert tokens.answered("v99", phones=20, now=3.0) is None  # once a minute at most
    published = []

    async def scenario() -> None:
        async with running(open_store("memory://"), data=manifest()) as (client, app):
            broadcaster = app.state.session.broadcaster
            original = broadcaster.publish

            def spy(event, audience, presenter=None, **options):
                published.append((event, audience, presenter, options))
                return original(event, audience, presenter, **options)

            broadcaster.publish = spy
            await _open_lunch(client)
            for _ in range(voters.SLACK + 2):  # no phone connected, a dozen voters
                token = (await client.post("/api/v1/voters")).json()["voter"]
                assert (await _answer(client, token)).status_code == 200

    with caplog.at_level(logging.WARNING, logger="deckpoll"):
        asyncio.run(scenario())
    assert any("answers arriving unusually fast" in r.getMessage() for r in caplog.records)
    (warning,) = [p for p in published if p[0] == "warning"]
    _, audience, presenter_data, options = warning
    assert audience is None and options == {"phones": False}  # the presenter's only
    assert presenter_data == {"kind": "fast_answers", "voters": voters.SLACK + 1, "phones": 0}


def test_fresh_starts_a_new_talk_with_new_tokens(tmp_path) -> None:
    import httpx

    from test_server_limits import _serve, _stop, _wait_up

    deck = tmp_path / "deck"
    deck.mkdir()
    (deck / "deck.yaml").write_text("title: T\nlang: en\n")
    (deck / "slides.md").write_text("```poll\nid: q\nkind: open\nquestion: Why?\n```\n")
    talks, tokens = [], []
    for args in ((), (), ("--fresh",)):
        proc, base, _, _ = _serve(deck, 4096, args)  # the deck's own SQLite store
        try:
            _wait_up(base)
            talks.append(httpx.get(base + "/api/v1/deck", timeout=5).json()["talk"])
            if not tokens:
                tokens.append(httpx.post(base + "/api/v1/voters", timeout=5).json()["voter"])
            mine = httpx.get(
                base + "/api/v1/polls/q/answers",
                headers={"X-Deckpoll-Voter": tokens[0]},
                timeout=5,
            )
            tokens.append(mine.status_code)
        finally:
            _stop(proc)
    assert talks[0] == talks[1] != talks[2]  # a restart is the same talk; --fresh a new one
    assert tokens[1:] == [200, 200, 401]  # the token is known, then unknown after --fresh
