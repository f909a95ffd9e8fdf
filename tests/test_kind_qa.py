"""`kind: qa`: questions with an optional name, votes (one per voter per question, counted
once however often or in parallel), the presenter's marks, the screens' order, a Q&A open
for the whole talk, refusals that store nothing, exports."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from deckpoll import polls
from deckpoll.build import compile_deck
from deckpoll.results import collect_from, to_csv, to_markdown
from deckpoll.server.validate import Invalid
from deckpoll.stores.base import Answer
from server_fixtures import manifest, presenter, running, voter
from test_errors import problems, write_deck

POLL = {"id": "fq", "kind": "qa", "max_answers": 3, "scope": "slide"}


def block(extra: str) -> str:
    return "# T\n\n---\n\n```poll\nid: fq\nkind: qa\nquestion: Frågor?\n" + extra + "```\n"


def test_the_poll_block_takes_scope_and_max_answers(tmp_path: Path) -> None:
    (poll,) = compile_deck(write_deck(tmp_path, block("scope: deck\n"))).manifest["polls"]
    assert (poll["kind"], poll["scope"], poll["max_answers"]) == ("qa", "deck", 3)
    found = problems(write_deck(tmp_path, block("scope: talk\n")))
    assert any("unknown scope 'talk'" in p and "slide, deck" in p for p in found), found
    other = "# T\n\n---\n\n```poll\nid: s\nkind: open\nquestion: Q?\nscope: deck\n```\n"
    found = problems(write_deck(tmp_path, other))
    assert any("`scope` only applies to qa polls" in p for p in found), found


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "x" * 281}, "too_long"),
        ({"text": "Varför?", "name": "n" * 41}, "too_long"),
        ({"text": "Varför?", "name": 7}, "invalid_text"),
        ({"text": "Varför?", "nick": "A"}, "unknown_field"),
        ({"name": "A"}, "missing_field"),
        ({"text": "   "}, "invalid_text"),
        (["Varför?"], "not_an_object"),
    ],
)
def test_wrong_questions_are_refused(body, code) -> None:
    with pytest.raises(Invalid) as caught:
        polls.check_answer(POLL, body)
    assert (caught.value.status, caught.value.code) == (422, code)


def test_a_question_keeps_its_name_and_an_empty_name_is_none() -> None:
    named = polls.check_answer(POLL, {"text": " Varför? ", "name": " Anna "})
    assert named.value == {"text": "Varför?", "name": "Anna"} and not named.replace
    assert polls.check_answer(POLL, {"text": "Hur?", "name": " "}).value == {"text": "Hur?"}
    assert polls.check_answer(POLL, {"text": "x" * 280}).limit == 3


def test_the_screens_order_pinned_first_then_votes_answered_apart() -> None:
    answers = [
        Answer(1, "fq", "a", {"text": "one"}, "1", votes=2),
        Answer(2, "fq", "b", {"text": "two", "name": "Ali"}, "2", votes=5),
        Answer(3, "fq", "c", {"text": "three"}, "3", votes=0, pinned=True),
        Answer(4, "fq", "d", {"text": "four"}, "4", votes=9, answered=True),
        Answer(5, "fq", "e", {"text": "five"}, "5", votes=2),
        Answer(6, "fq", "f", {"text": "six"}, "6", votes=1, hidden=True),
    ]
    view = polls.tally(POLL, answers).view(presenter=False)
    assert [q["id"] for q in view["questions"]] == [3, 2, 1, 5]
    assert [q["id"] for q in view["answered"]] == [4]
    assert (view["open"], view["done"], view["votes"]) == (4, 1, 18)
    assert view["questions"][1]["name"] == "Ali" and "name" not in view["questions"][0]


def qa_manifest(scope: str = "slide") -> dict:
    data = manifest()
    single = data["polls"][0]
    data["polls"].append({**single, "id": "fq", "slide": 9, "kind": "qa", "options": []})
    data["polls"][-1].update(question="Frågor?", max_answers=3, scope=scope)
    data["slides"].append({"index": 9, "id": "s9", "title": "Frågor?", "text": "", "poll": "fq"})
    return data


def test_votes_count_once_and_marks_order_the_screens() -> None:
    async def go():
        async with running(data=qa_manifest()) as (client, app):
            base = "/api/v1/polls/fq"
            assert (await client.post(f"{base}/open", headers=presenter())).is_success
            ids = []
            for n, text in enumerate(["Varför?", "Hur?", "När?"]):
                body = {"text": text, "name": "Anna"} if n == 0 else {"text": text}
                r = await client.post(f"{base}/answers", json=body, headers=voter(n))
                assert r.status_code == 200, r.text
                ids.append(r.json()["id"])
            # a vote on an unknown question: 404, nothing stored
            r = await client.post(f"{base}/answers/999999/vote", headers=voter(5))
            assert r.status_code == 404 and r.json()["error"] == "unknown_answer"
            assert (await client.get(f"{base}/votes", headers=voter(5))).json() == {"votes": []}
            # thirty parallel votes of one voter count once (some may be told to slow down)
            url = f"{base}/answers/{ids[1]}/vote"
            many = await asyncio.gather(*(client.post(url, headers=voter(5)) for _ in range(30)))
            assert {r.status_code for r in many} <= {200, 429}
            assert [r.json()["votes"] for r in many if r.status_code == 200][-1] == 1
            await asyncio.sleep(1.1)  # the rate limit refills
            for n in (6, 7):
                assert (await client.post(url, headers=voter(n))).json()["votes"] in (2, 3)
            r = await client.delete(url, headers=voter(7))
            assert r.json() == {"id": ids[1], "votes": 2, "voted": False}
            r = await client.delete(url, headers=voter(7))  # taken back twice: no change
            assert r.json()["votes"] == 2
            assert (await client.get(f"{base}/votes", headers=voter(5))).json() == {
                "votes": [ids[1]]
            }
            # the presenter: pin the newest, mark the first answered
            pin = await client.post(f"{base}/answers/{ids[2]}/pin", headers=presenter())
            assert pin.json()["pinned"] is True
            done = await client.post(f"{base}/answers/{ids[0]}/answered", headers=presenter())
            assert done.json()["answered"] is True
            assert (await client.post(f"{base}/answers/{ids[0]}/pin")).status_code == 401
            res = (await client.get(f"{base}/results")).json()
            assert [q["id"] for q in res["questions"]] == [ids[2], ids[1]]
            assert [q["votes"] for q in res["questions"]] == [0, 2]
            assert [(q["id"], q["name"]) for q in res["answered"]] == [(ids[0], "Anna")]
            # a hidden question takes no votes: 404, nothing stored
            await client.post(f"{base}/answers/{ids[2]}/hide", headers=presenter())
            r = await client.post(f"{base}/answers/{ids[2]}/vote", headers=voter(5))
            assert r.status_code == 404
            listed = await client.get(f"{base}/moderation", headers=presenter())
            row = next(a for a in listed.json()["answers"] if a["id"] == ids[1])
            assert (row["votes"], row["pinned"], row["answered"]) == (2, False, False)
            # closed: votes are refused (409) and nothing changes
            await client.post(f"{base}/close", headers=presenter())
            r = await client.post(url, headers=voter(8))
            assert r.status_code == 409
            assert [a.votes for a in await app.state.session.store.answers("fq")] == [0, 2, 0]
            # other kinds take neither votes nor marks
            r = await client.post("/api/v1/polls/lunch/answers/1/vote", headers=voter(1))
            assert r.status_code == 404 and r.json()["error"] == "no_votes"
            r = await client.post("/api/v1/polls/lunch/answers/1/pin", headers=presenter())
            assert r.status_code == 404 and r.json()["error"] == "unknown_action"
            data = await collect_from(qa_manifest(), app.state.session.store)
            return data

    data = asyncio.run(go())
    (fq,) = [p for p in data["polls"] if p["id"] == "fq"]
    assert [a["votes"] for a in fq["answers"]] == [0, 2, 0]
    assert fq["answers"][0]["answer"] == "Varför? — Anna"
    assert "Hur?,2," in to_csv(data)
    assert "- Hur? (2)" in to_markdown(data)
    kind = polls.kind("qa")
    assert kind.export_rows(fq["tally"]) == [
        ("questions", 2, None),
        ("answered", 1, None),
        ("votes", 2, None),
    ]


def test_a_whole_talk_q_and_a_opens_with_the_first_slide() -> None:
    async def go():
        async with running(data=qa_manifest(scope="deck")) as (client, _):
            state = (await client.get("/api/v1/deck")).json()["live"]["polls"]["fq"]
            assert state["status"] == "closed" and not state["opened"]
            await client.post("/api/v1/state", json={"slide": 2}, headers=presenter())
            live = (await client.get("/api/v1/deck")).json()["live"]
            assert live["polls"]["fq"]["status"] == "open"
            assert live["state"]["poll"] == "lunch"  # the slide's own poll is open too
            assert live["polls"]["lunch"]["status"] == "open"
            r = await client.post("/api/v1/polls/fq/answers", json={"text": "Q?"}, headers=voter(0))
            assert r.status_code == 200

    asyncio.run(go())
