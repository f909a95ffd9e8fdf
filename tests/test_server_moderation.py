"""Pre-approval (`moderation: approve`) and the presenter's paginated list of every answer."""

from __future__ import annotations

import asyncio

from server_fixtures import manifest, presenter, running, voter


def run(coro):
    return asyncio.run(coro)


def held_manifest() -> dict:
    data = manifest()
    for poll in data["polls"]:
        if poll["id"] in ("words", "wall"):
            poll["moderation"] = "approve"
    return data


async def say(client, poll, text, n=0):
    r = await client.post(f"/api/v1/polls/{poll}/answers", json={"text": text}, headers=voter(n))
    assert r.status_code == 200, r.text
    return r.json()["id"]


def test_held_answers_reach_the_screens_only_once_approved():
    async def go():
        async with running(data=held_manifest()) as (client, app):
            await client.post("/api/v1/polls/words/open", headers=presenter())
            first = await say(client, "words", "Tillit")
            await say(client, "words", "tillit", 1)
            await app.state.session.flush()
            results = (await client.get("/api/v1/polls/words/results")).json()
            assert results["words"] == [] and results["answers"] == 0
            assert results["pending"] == 2
            mine = (await client.get("/api/v1/polls/words/answers", headers=voter())).json()
            assert mine["answers"] == [{"id": first, "text": "Tillit", "pending": True}]
            url = f"/api/v1/polls/words/answers/{first}/approve"
            assert (await client.post(url)).status_code == 401
            r = await client.post(url, headers=presenter())
            assert r.json() == {"id": first, "hidden": False, "pending": False}
            await app.state.session.flush()
            results = (await client.get("/api/v1/polls/words/results")).json()
            assert [(w["text"], w["count"]) for w in results["words"]] == [("Tillit", 1)]
            assert results["pending"] == 1
            mine = (await client.get("/api/v1/polls/words/answers", headers=voter())).json()
            assert mine["answers"][0]["pending"] is False
            bad = await client.post(
                "/api/v1/polls/words/answers/99999/approve", headers=presenter()
            )
            assert bad.status_code == 404 and bad.json()["error"] == "unknown_answer"

    run(go())


def test_polls_without_moderation_are_not_held():
    async def go():
        async with running() as (client, app):
            await client.post("/api/v1/polls/words/open", headers=presenter())
            await say(client, "words", "snabbt")
            await app.state.session.flush()
            results = (await client.get("/api/v1/polls/words/results")).json()
            assert results["answers"] == 1 and results["pending"] == 0

    run(go())


def test_answers_that_look_like_personal_data_wait_unless_the_deck_allows_them():
    async def answered(setting: str | None) -> dict:
        data = manifest()
        if setting is not None:
            data.setdefault("polls_config", {})["personal_data"] = setting
        async with running(data=data) as (client, app):
            await client.post("/api/v1/polls/wall/open", headers=presenter())
            r = await client.post(
                "/api/v1/polls/wall/answers",
                json={"text": "Mejla mig: anna@example.se"},
                headers=voter(),
            )
            assert r.status_code == 200, r.text
            await app.state.session.flush()
            mine = (await client.get("/api/v1/polls/wall/answers", headers=voter())).json()
            results = (await client.get("/api/v1/polls/wall/results")).json()
            return {"mine": mine["answers"][0], "shown": results["answers"]}

    held = run(answered(None))
    assert held["shown"] == 0 and held["mine"]["pending"] and held["mine"]["personal"]
    allowed = run(answered("allow"))
    assert allowed["shown"] == 1 and not allowed["mine"].get("pending")
    assert "personal" not in allowed["mine"]


def test_the_console_lists_every_answer_page_by_page():
    async def go():
        async with running(data=held_manifest()) as (client, app):
            await client.post("/api/v1/polls/wall/open", headers=presenter())
            ids = [await say(client, "wall", f"svar {n}", n) for n in range(5)]
            await client.post(f"/api/v1/polls/wall/answers/{ids[1]}/approve", headers=presenter())
            await client.post(f"/api/v1/polls/wall/answers/{ids[2]}/hide", headers=presenter())
            url = "/api/v1/polls/wall/moderation"
            assert (await client.get(url)).status_code == 401
            page = (await client.get(url + "?limit=2", headers=presenter())).json()
            assert page["total"] == 5 and [a["id"] for a in page["answers"]] == ids[:2]
            assert page["answers"][0]["value"] == {"text": "svar 0"}
            assert page["answers"][0]["pending"] and not page["answers"][1]["pending"]
            assert page["answers"][0]["group"] == "svar 0"
            rest = (await client.get(f"{url}?after={page['next']}", headers=presenter())).json()
            assert [a["id"] for a in rest["answers"]] == ids[2:] and rest["next"] is None
            assert rest["answers"][0]["hidden"]
            for bad in ("?limit=x", "?after=-1", "?limit=999999"):
                r = await client.get(url + bad, headers=presenter())
                assert r.status_code == 422, bad
            assert (
                await client.get("/api/v1/polls/nope/moderation", headers=presenter())
            ).status_code == 404

    run(go())
