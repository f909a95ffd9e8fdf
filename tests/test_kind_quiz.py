"""`kind: quiz` and `kind: leaderboard`: the poll blocks, the scoring formula (a property
test), 409 `time_up`, the first answer counting, the correct option kept out of the page,
the manifests and every event until the reveal, standings with ties, nicknames."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckpoll import polls
from deckpoll.build import build, compile_deck
from deckpoll.polls import quiz
from deckpoll.polls.leaderboard import standings, tag
from deckpoll.server.session import Session
from deckpoll.stores.base import OPEN, open_store
from server_fixtures import presenter, running, voter
from test_errors import problems, write_deck
from test_server_events import next_event

SLIDES = """# Quiz

---

```poll
id: q1
kind: quiz
question: Which year?
options: [{id: a, label: "1999"}, {id: b, label: "2017"}, {id: c, label: "2024"}]
correct: b
points: 1000
time_limit: 20
```

---

```poll
id: q2
kind: quiz
question: Which colours?
options: [Red, Blue, Green]
correct: [red, green]
```

---

```poll
id: board
kind: leaderboard
question: Who leads?
```
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    return write_deck(
        tmp_path / "quiz", SLIDES, 'title: Quiz\nlang: en\npolls:\n  code: "111222"\n'
    )


def test_the_blocks_read_correct_points_time_limit_and_a_whole_talk_board(deck: Path) -> None:
    q1, q2, board = compile_deck(deck).manifest["polls"]
    assert (q1["correct"], q1["points"], q1["time_limit"]) == (["b"], 1000, 20)
    assert (q2["correct"], q2["points"], q2["time_limit"]) == (["red", "green"], 1000, 20)
    assert (board["kind"], board["scope"], board["top"]) == ("leaderboard", "deck", 10)


@pytest.mark.parametrize(
    ("extra", "wanted"),
    [
        ("correct: blu\n", "`correct` names 'blu', not an option; did you mean 'blue'?"),
        ("", "a quiz needs `correct:` (an option id)"),
        ("correct: red\ntime_limit: 2\n", "`time_limit` must be at least 5"),
        ("correct: red\ntime_limit: 601\n", "`time_limit` must be at most 600 seconds"),
        ("correct: red\npoints: 0\n", "`points` must be at least 1"),
    ],
)
def test_a_wrong_quiz_block_says_where_and_what(tmp_path: Path, extra: str, wanted: str) -> None:
    slides = "# T\n\n---\n\n```poll\nid: q\nkind: quiz\nquestion: Q?\noptions: [Red, Blue]\n"
    found = problems(write_deck(tmp_path, slides + extra + "```\n"))
    assert any(wanted in p for p in found), found


@given(
    points=st.integers(1, 100_000),
    limit=st.integers(5, 600),
    t1=st.floats(-5, 700, allow_nan=False),
    t2=st.floats(-5, 700, allow_nan=False),
)
def test_faster_correct_answers_earn_more_between_half_and_all_points(points, limit, t1, t2):
    """round(points × (1 − t / 2T)), t clamped to [0, T]: all points at once, half at the
    limit, never more for a slower answer, nothing for a wrong one."""
    fast, slow = sorted((t1, t2))
    a, b = quiz.score(points, limit, fast, True), quiz.score(points, limit, slow, True)
    assert points >= a >= b >= round(points / 2) - 1
    assert quiz.score(points, limit, 0, True) == points
    assert quiz.score(points, limit, limit, True) == round(points / 2)
    assert quiz.score(points, limit, fast, False) == 0
    clamped = min(max(fast, 0), limit)
    assert a == round(points * (1 - clamped / (2 * limit)))


def test_standings_share_places_on_ties_and_show_the_top_ten_and_their_ties() -> None:
    totals = {"a": 900, "b": 1500, "c": 900, "d": 700, "e": 1500}
    assert standings(totals, 10) == [
        (1, "b", 1500),
        (1, "e", 1500),
        (3, "a", 900),
        (3, "c", 900),
        (5, "d", 700),
    ]
    many = {f"v{n:02d}": 1000 - 10 * (n // 2) for n in range(30)}  # pairs tie
    rows = standings(many, 10)
    assert [r[0] for r in rows] == [1, 1, 3, 3, 5, 5, 7, 7, 9, 9]
    same = {f"v{n:02d}": 5 for n in range(100)}  # everyone ties: capped at 3 × top rows
    assert len(standings(same, 10)) == 30 and {r[0] for r in standings(same, 10)} == {1}


def test_the_correct_option_is_in_no_page_manifest_or_event_before_the_reveal(deck, tmp_path):
    out = build(deck, tmp_path / "out")
    for name in ("index.html", "deckpoll.json"):
        assert '"correct"' not in (out / name).read_text("utf-8"), name
    assert all("correct" not in p for p in json.loads((out / "deckpoll.json").read_text())["polls"])
    manifest = {**compile_deck(deck).manifest, "id": "test-deck"}  # the test voters' deck

    async def go():
        async with running(data=manifest) as (client, app):
            for path in ("/api/v1/deck", "/deckpoll.json", "/join"):
                assert '"correct"' not in (await client.get(path)).text, path
            session: Session = app.state.session
            seen: dict[str, list] = {"phone": [], "deck": []}

            async def read(name: str, presenter_: bool) -> None:
                role = "deck" if presenter_ else "join"
                stream = session.broadcaster.stream(presenter=presenter_, role=role)
                await stream.__anext__()  # the retry line
                while True:
                    seen[name].append(await next_event(stream, timeout=60))

            readers = [
                asyncio.create_task(read("phone", False)),
                asyncio.create_task(read("deck", True)),
            ]
            await asyncio.sleep(0.2)
            await client.post("/api/v1/polls/q1/open", headers=presenter())
            for n, choice in enumerate("abb"):
                r = await client.post(
                    "/api/v1/polls/q1/answers", json={"choice": choice}, headers=voter(n)
                )
                assert r.status_code == 200 and "correct" not in r.text
            mine = await client.get("/api/v1/polls/q1/answers", headers=voter(1))
            assert set(mine.json()["answers"][0]) == {"id", "choice", "ms", "pending"}
            await asyncio.sleep(0.6)
            for name, events in seen.items():
                assert any(
                    e == "results" and d["id"] == "q1" and d["voters"] == 3 for e, d in events
                )
                text = json.dumps(events)
                assert '"correct"' not in text and '"right"' not in text, name
                boards = [d for e, d in events if e == "results" and d["id"] == "board"]
                assert all(not d.get("standings") for d in boards), name
            # the reveal: the deck and the phones get the correct option and the standings
            before = {name: len(events) for name, events in seen.items()}
            await client.post("/api/v1/polls/q1/reveal", headers=presenter())
            await asyncio.sleep(0.6)
            for name, events in seen.items():
                after = {d["id"]: d for e, d in events[before[name] :] if e == "results"}
                assert after["q1"]["correct"] == ["b"] and after["q1"]["right"] == 2, name
                board = after["board"]["standings"]
                assert [r["points"] > 500 for r in board] == [True, True]  # the wrong: none
                assert board[0]["place"] == 1
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)

    asyncio.run(go())


def test_time_up_is_409_and_the_first_answer_counts(deck, monkeypatch) -> None:
    manifest = {**compile_deck(deck).manifest, "id": "test-deck"}  # the test voters' deck

    async def go():
        async with running(data=manifest) as (client, app):
            url = "/api/v1/polls/q1/answers"
            await client.post("/api/v1/polls/q1/open", headers=presenter())
            first = await client.post(url, json={"choice": "a"}, headers=voter(0))
            again = await client.post(url, json={"choice": "b"}, headers=voter(0))
            assert first.status_code == again.status_code == 200
            assert again.json()["duplicate"] and again.json()["id"] == first.json()["id"]
            opened = app.state.session.status["q1"].opened_at
            monkeypatch.setattr(quiz.time, "time", lambda: opened + 20 + quiz.GRACE + 0.01)
            late = await client.post(url, json={"choice": "b"}, headers=voter(1))
            assert late.status_code == 409 and late.json()["error"] == "time_up"
            monkeypatch.undo()
            assert [a.voter for a in await app.state.session.store.answers("q1")] == [
                app.state.session.answers["q1"][first.json()["id"]].voter
            ]
            # revealed: no more answers either
            await client.post("/api/v1/polls/q1/reveal", headers=presenter())
            r = await client.post(url, json={"choice": "b"}, headers=voter(2))
            assert r.status_code == 409 and r.json()["error"] == "time_up"

    asyncio.run(go())


def test_totals_count_revealed_quizzes_and_nicknames_are_moderated(deck) -> None:
    manifest = {**compile_deck(deck).manifest, "id": "test-deck"}  # the test voters' deck

    async def go():
        session = Session(manifest, open_store("memory://"))
        await session.start()
        try:
            await session.set_slide(2, 0)  # q1 opens by itself, the board with any slide
            assert session.status["board"].status == OPEN
            await session.set_status("q2", OPEN)
            for pid, voter_, body in [
                ("q1", "v1", {"choice": "b"}),
                ("q1", "v2", {"choice": "b"}),
                ("q1", "v3", {"choice": "a"}),
                ("q2", "v3", {"choice": "green"}),
                ("board", "v1", {"nickname": "Räven"}),
            ]:
                poll = session.polls[pid]
                await session.answer(
                    pid, voter_, polls.check_answer(poll, body, session.status[pid])
                )
            view = session.results_view("board", False)
            assert view["standings"] == [] and view["quizzes"] == 0
            await session.set_revealed("q1", True)
            rows = session.results_view("board", False)["standings"]
            assert [(r["place"], r.get("name")) for r in rows][:1] == [(1, "Räven")]
            assert {r["tag"] for r in rows} == {tag("v1"), tag("v2")}  # v3 was wrong: no points
            await session.set_revealed("q2", True)
            rows = session.results_view("board", False)["standings"]
            assert len(rows) == 3 and rows[-1]["tag"] == tag("v3")
            (nick,) = session.answers["board"].values()
            await session.hide("board", nick.id)
            assert "name" not in session.results_view("board", False)["standings"][0]
        finally:
            await session.stop()

    asyncio.run(go())


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"nickname": "x" * 25}, "too_long"),
        ({"nickname": 7}, "invalid_text"),
        ({}, "missing_field"),
    ],
)
def test_a_wrong_nickname_is_refused_and_stores_nothing(deck, body, code) -> None:
    manifest = {**compile_deck(deck).manifest, "id": "test-deck"}  # the test voters' deck

    async def go():
        async with running(data=manifest) as (client, app):
            await client.post("/api/v1/state", json={"slide": 2}, headers=presenter())
            r = await client.post("/api/v1/polls/board/answers", json=body, headers=voter(0))
            assert r.status_code == 422 and r.json()["error"] == code
            assert await app.state.session.store.answers("board") == []

    asyncio.run(go())
