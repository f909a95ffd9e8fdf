"""The presenter corrects a word cloud's groups (merge, split, reset) through
`POST /api/v1/polls/{poll}/groups`; the groups are kept in the store for every server and
the archive; `GET /api/v1/polls/{poll}/synthesis` clusters an open poll's shown answers."""

from __future__ import annotations

import asyncio

from deckpoll.archive import collect_from
from deckpoll.stores.base import open_store
from server_fixtures import manifest, presenter, running, voter


def swedish() -> dict:
    data = manifest()
    for poll in data["polls"]:
        poll["lang"] = "sv"
    return data


async def say(client, poll, text, n):
    r = await client.post(f"/api/v1/polls/{poll}/answers", json={"text": text}, headers=voter(n))
    assert r.status_code == 200, r.text


async def words(client, app) -> list[tuple[str, int]]:
    await app.state.session.flush()
    found = (await client.get("/api/v1/polls/words/results", headers=presenter())).json()
    return [(w["text"], w["count"]) for w in found["words"]]


async def groups_of(client) -> dict[str, str]:
    rows = (await client.get("/api/v1/polls/words/moderation", headers=presenter())).json()
    return {a["value"]["text"]: a["group"] for a in rows["answers"]}


def test_merge_split_and_reset_regroup_every_screen_and_persist():
    store = open_store("memory://")

    async def go():
        async with running(store=store, data=swedish()) as (client, app):
            await client.post("/api/v1/polls/words/open", headers=presenter())
            for n, text in enumerate(
                ["Tillit", "tilliten", "Förtroende", "Organisation", "organisationer"]
            ):
                await say(client, "words", text, n)
            assert await words(client, app) == [
                ("Organisation", 2),
                ("Tillit", 2),
                ("Förtroende", 1),
            ]
            keys = await groups_of(client)
            body = {"merge": [keys["Tillit"], keys["Förtroende"]]}
            assert (await client.post("/api/v1/polls/words/groups", json=body)).status_code == 401
            r = await client.post("/api/v1/polls/words/groups", json=body, headers=presenter())
            assert r.status_code == 200, r.text
            assert await words(client, app) == [("Tillit", 3), ("Organisation", 2)]
            keys = await groups_of(client)
            assert keys["Förtroende"] == keys["Tillit"]  # the console groups as the tally does
            # split a stem group into its spellings
            body = {"split": keys["Organisation"]}
            await client.post("/api/v1/polls/words/groups", json=body, headers=presenter())
            assert sorted(await words(client, app)) == [
                ("Organisation", 1),
                ("Tillit", 3),
                ("organisationer", 1),
            ]
            # split a merged group: back to its parts
            body = {"split": keys["Tillit"]}
            await client.post("/api/v1/polls/words/groups", json=body, headers=presenter())
            assert ("Förtroende", 1) in await words(client, app)
            for bad in (
                {"merge": ["only-one"]},
                {"split": ""},
                {"nope": 1},
                [],
                {"split": "x" * 401},
            ):
                r = await client.post("/api/v1/polls/words/groups", json=bad, headers=presenter())
                assert r.status_code == 422, (bad, r.text)
            r = await client.post(
                "/api/v1/polls/lunch/groups", json={"reset": True}, headers=presenter()
            )
            assert r.status_code == 422
        # a new server on the same store finds the groups, and so does the archive
        async with running(store=store, data=swedish()) as (client, app):
            assert sorted(await words(client, app)) == [
                ("Förtroende", 1),
                ("Organisation", 1),
                ("Tillit", 2),
                ("organisationer", 1),
            ]
            archived = await collect_from(swedish(), store)
            cloud = next(p for p in archived["polls"] if p["id"] == "words")
            assert cloud["definition"]["groups"]["split"]
            assert ("Organisation", 1) in [(w["text"], w["count"]) for w in cloud["tally"]["words"]]
            r = await client.post(
                "/api/v1/polls/words/groups", json={"reset": True}, headers=presenter()
            )
            assert r.status_code == 200
            assert ("Organisation", 2) in await words(client, app)

    asyncio.run(go())


def test_synthesis_clusters_the_shown_answers_of_an_open_poll():
    async def go():
        async with running(data=swedish()) as (client, app):
            await client.post("/api/v1/polls/wall/open", headers=presenter())
            texts = ["Kommunerna och regionerna", "regionerna, kommunerna", "Invånarna", "Dold"]
            for n, text in enumerate(texts):
                await say(client, "wall", text, n)
            rows = (await client.get("/api/v1/polls/wall/moderation", headers=presenter())).json()
            hidden = next(a["id"] for a in rows["answers"] if a["value"]["text"] == "Dold")
            await client.post(f"/api/v1/polls/wall/answers/{hidden}/hide", headers=presenter())
            assert (await client.get("/api/v1/polls/wall/synthesis")).status_code == 401
            found = (await client.get("/api/v1/polls/wall/synthesis", headers=presenter())).json()
            assert found["answers"] == 3
            assert [(c["text"], c["count"]) for c in found["clusters"]] == [
                ("Kommunerna och regionerna", 2),
                ("Invånarna", 1),
            ]
            assert found["clusters"][0]["others"] == ["regionerna, kommunerna"]

    asyncio.run(go())
