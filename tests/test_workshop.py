"""Workshop mode in the source and the manifest: `timer:` and `minutes:` slide options, the
talk's `duration:`, the room's tables (`polls.groups`), and answers that carry their table."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from deckpoll.build import compile_deck
from deckpoll.polls import tally
from deckpoll.stores.base import Answer
from server_fixtures import manifest, presenter, running, voter
from test_errors import problems, write_deck
from test_server_shared import redis_server  # noqa: F401 - a fixture
from test_store_redis import redis_binary  # noqa: F401 - a fixture

DECK = "title: T\nlang: sv\nduration: 45m\ntimer_sound: true\npolls:\n  groups: 3\n"
SLIDES = """\
<!-- slide: {id: ovning, timer: 15m, minutes: 20} -->
# Övning

---

<!-- slide: {timer: 90s} -->
## Kort

---

```poll
id: fokus
kind: wordcloud
question: Vad?
group: true
```

---

```poll
id: alla
kind: open
question: Vem?
```
"""


def test_timer_minutes_duration_and_tables_reach_the_manifest_and_page(tmp_path: Path) -> None:
    compiled = compile_deck(write_deck(tmp_path, SLIDES, DECK))
    m = compiled.manifest
    assert [s["timer"] for s in m["slides"]] == [900, 90, None, None]
    assert [s["minutes"] for s in m["slides"]] == [20.0, None, None, None]
    assert m["duration"] == 45 * 60 and m["timer_sound"] is True
    assert m["polls_config"]["groups"] == [
        {"id": "1", "label": "Bord 1"},
        {"id": "2", "label": "Bord 2"},
        {"id": "3", "label": "Bord 3"},
    ]
    assert [p["group"] for p in m["polls"]] == [True, False]
    assert 'data-dp-timer="900"' in compiled.html and 'data-dp-minutes="20.0"' in compiled.html
    assert compiled.html.count('data-dp-poll-group="true"') == 1
    config = json.loads(compiled.html.split('id="dp-config">', 1)[1].split("</script>", 1)[0])
    assert config["duration"] == 2700 and config["polls"]["groups"][2]["label"] == "Bord 3"


def test_named_tables_and_group_all(tmp_path: Path) -> None:
    deck = "title: T\npolls:\n  groups: [Bord A, Bord B]\n  group_all: true\n"
    m = compile_deck(write_deck(tmp_path, SLIDES, deck)).manifest
    assert [g["id"] for g in m["polls_config"]["groups"]] == ["Bord A", "Bord B"]
    assert [p["group"] for p in m["polls"]] == [True, True]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("timer: 15", "did you mean '15m'?"),
        ("timer: soon", "`timer` must be a time such as 15m, 90s or 1h"),
        ("timer: 25h", "`timer` must be between 1s and 24h"),
        ("minutes: lots", "`minutes` must be a number of minutes"),
        ("timr: 5m", "unknown slide option key 'timr'; did you mean 'timer'?"),
    ],
)
def test_bad_timer_options_are_reported_where_written(
    tmp_path: Path, option: str, message: str
) -> None:
    slides = f"# A\n\n---\n\n<!-- slide: {{{option}}} -->\n## B\n"
    found = problems(write_deck(tmp_path, slides), strict=True)
    assert len(found) == 1 and found[0].startswith("slides.md:5:") and message in found[0]


def test_bad_tables_are_reported_where_written(tmp_path: Path) -> None:
    deck = "title: T\npolls:\n  groups: [A, A, '']\nduration: 45\n"
    found = problems(write_deck(tmp_path, "# A\n", deck))
    assert any(f.startswith("deck.yaml:3:15: error: table 'A' is named twice") for f in found)
    assert any(f.startswith("deck.yaml:3:18: error: a table name must be") for f in found)
    assert any(f.startswith("deck.yaml:4:11:") and "'45m'" in f for f in found)
    poll = "```poll\nid: q\nkind: open\nquestion: Q?\ngroup: true\n```\n"
    found = problems(write_deck(tmp_path, poll, "title: T\n"))
    assert found == [
        "slides.md:5:8: error: `group: true` needs the tables in deck.yaml: `polls: {groups: 12}`"
    ]


def grouped() -> dict:
    data = manifest()
    data["polls_config"]["groups"] = [{"id": str(n), "label": f"Table {n}"} for n in (1, 2, 3)]
    for poll in data["polls"]:
        poll["group"] = poll["id"] in ("wall", "lunch")
    return data


def test_an_answer_stores_its_table_and_an_unknown_table_gets_422() -> None:
    async def go():
        async with running(data=grouped()) as (client, app):
            await client.post("/api/v1/polls/wall/open", headers=presenter())
            url = "/api/v1/polls/wall/answers"
            ok = await client.post(url, json={"text": "Kommunerna", "group": "3"}, headers=voter())
            assert ok.status_code == 200
            for bad in ("13", 3, None, ["3"]):
                r = await client.post(url, json={"text": "x", "group": bad}, headers=voter(1))
                assert r.status_code == 422 and r.json()["error"] == "unknown_group", bad
            # A poll that does not collect tables refuses the field (the phone never sends it).
            await client.post("/api/v1/polls/words/open", headers=presenter())
            r = await client.post(
                "/api/v1/polls/words/answers", json={"text": "x", "group": "1"}, headers=voter()
            )
            assert r.status_code == 422 and r.json()["error"] == "unknown_field"
            mine = await client.get(url, headers=voter())
            assert mine.json()["answers"][0]["group"] == "3"
            (stored,) = await app.state.session.store.answers("wall")
            assert stored.value == {"text": "Kommunerna", "group": "3"}
            res = (await client.get("/api/v1/polls/wall/results", headers=presenter())).json()
            assert res["tables"] == [{"id": "3", "voters": 1, "answers": 1}]

    asyncio.run(go())


def test_table_tally_keeps_each_table_and_the_room() -> None:
    poll = {**grouped()["polls"][4]}
    answers = [
        Answer(1, "wall", "v1", {"text": "Skolan", "group": "1"}),
        Answer(2, "wall", "v2", {"text": "Vården", "group": "2"}),
        Answer(3, "wall", "v3", {"text": "Regionen", "group": "2"}),
        Answer(4, "wall", "v4", {"text": "Ingen"}),
    ]
    result = tally(poll, answers)
    assert result.answers == 4
    assert result.counts() == [
        {"id": "1", "voters": 1, "answers": 1},
        {"id": "2", "voters": 2, "answers": 2},
    ]
    result.sharing = {"poll": "wall", "group": "2"}
    shown = result.view(presenter=False)
    assert shown["share"] == {"group": "2"} and shown["answers"] == 2
    assert sorted(e["text"] for e in shown["entries"]) == ["Regionen", "Vården"]
    result.leave(answers[2])
    assert result.view(presenter=False)["answers"] == 1
    result.sharing = {"poll": "wall", "group": "3"}  # a table without answers: empty
    assert result.view(presenter=False)["answers"] == 0
    summary = result.summary()
    assert summary["answers"] == 3 and set(summary["tables"]) == {"1", "2"}


def test_exports_break_down_by_table() -> None:
    from deckpoll.results import collect_from, to_csv, to_markdown
    from deckpoll.stores.base import OPEN, open_store

    async def go():
        store = open_store("memory://")
        data = grouped()
        await store.set_status("wall", OPEN)
        for n, (text, table) in enumerate([("Skolan", "2"), ("Vården", "1"), ("Alla", None)]):
            value = {"text": text, **({"group": table} if table else {})}
            await store.add_answer("wall", f"v{n}", value, key=text, replace=False, limit=2)
        return await collect_from(data, store)

    exported = asyncio.run(go())
    wall = next(p for p in exported["polls"] if p["id"] == "wall")
    assert [(t["id"], t["label"], t["tally"]["answers"]) for t in wall["tables"]] == [
        ("1", "Table 1", 1),
        ("2", "Table 2", 1),
    ]
    assert [a["group"] for a in wall["answers"]] == ["2", "1", None]
    assert "tables" not in next(p for p in exported["polls"] if p["id"] == "words")
    rows = [r.split(",") for r in to_csv(exported).splitlines()]
    assert rows[0][-1] == "table"
    answers = {r[6]: r[-1] for r in rows[1:] if r[2] == "wall" and r[5] == "answer"}
    assert answers == {"Skolan": "Table 2", "Vården": "Table 1", "Alla": ""}
    assert any(r[2] == "wall" and r[5] == "tally" and r[-1] == "Table 2" for r in rows)
    md = to_markdown(exported)
    section = md.split("### By table", 1)[1].split("\n## ", 1)[0]
    assert "#### Table 1 · 1 participant · 1 answer\n\n- Vården" in section
    assert "#### Table 2 · 1 participant · 1 answer\n\n- Skolan" in section


def test_timer_rules() -> None:
    from deckpoll.server.workshop import change_timer, parse_timer

    timers = {2: 900, 5: 90}
    t = change_timer(None, "reach", 1, timers, 100.0)
    assert t is None  # no timer on slide 1
    t = change_timer(None, "reach", 2, timers, 100.0)
    assert t == {"slide": 2, "total": 900, "running": True, "ends": 1000.0, "left": None}
    assert change_timer(t, "reach", 2, timers, 400.0) is t  # back on its slide: no restart
    t = change_timer(t, "toggle", 3, timers, 400.0)  # `t` elsewhere pauses it
    assert (t["running"], t["left"]) == (False, 600.0)
    t = change_timer(t, "add", 3, timers, 500.0)
    assert (t["total"], t["left"]) == (960, 660.0)
    t = change_timer(t, "start", 3, timers, 500.0)
    assert t["ends"] == 1160.0
    ended = change_timer(t, "add", 3, timers, 2000.0)  # a minute more after the end
    assert ended["ends"] == 2060.0
    t = change_timer(ended, "reset", 3, timers, 2100.0)
    assert t == {"slide": 2, "total": 900, "running": False, "ends": None, "left": 900}
    assert change_timer(t, "toggle", 5, timers, 0.0)["total"] == 90  # another timer's slide
    assert change_timer(t, "reach", 5, timers, 0.0)["slide"] == 5
    assert parse_timer(json.dumps(t), 5) == t
    for bad in ("x", "[]", '{"slide": 9, "total": 9, "running": true, "ends": 1}',
                '{"slide": 2, "total": 9, "running": true, "ends": null}',
                '{"slide": 2, "total": 9, "running": false, "left": NaN}'):  # fmt: skip
        assert parse_timer(bad, 5) is None, bad


def test_sharing_round_steps_through_the_tables_that_answered_then_everyone() -> None:
    from deckpoll.server.workshop import step_share

    tables = ["1", "3", "7"]
    seen, share = [], None
    for _ in range(5):
        share = step_share(share, "q", "next", tables)
        seen.append(share["group"])
    assert seen == ["1", "3", "7", None, None]
    assert step_share(share, "q", "prev", tables)["group"] == "7"
    assert step_share({"poll": "q", "group": "1"}, "q", "prev", tables) is None
    assert step_share({"poll": "other", "group": "1"}, "q", "next", tables)["group"] == "1"
    assert step_share(None, "q", "prev", tables)["group"] == "7"
    assert step_share(share, "q", "all", tables) == {"poll": "q", "group": None}
    assert step_share(share, "q", "off", tables) is None
    assert step_share(None, "q", "next", []) == {"poll": "q", "group": None}


def timed() -> dict:
    data = grouped()
    data["slides"][0]["timer"] = 900
    data["slides"][-1]["timer"] = 90
    return data


def test_timer_api_starts_on_reaching_the_slide_and_takes_presenter_actions() -> None:
    async def go():
        async with running(data=timed()) as (client, app):
            deck = (await client.get("/api/v1/deck")).json()
            assert deck["live"]["timer"] is None and isinstance(deck["live"]["now"], float)
            auth = presenter()
            await client.post("/api/v1/state", json={"slide": 2}, headers=auth)
            await client.post("/api/v1/state", json={"slide": 1}, headers=auth)  # reached
            live = (await client.get("/api/v1/deck")).json()["live"]
            timer = live["timer"]
            assert timer["slide"] == 1 and timer["running"] and timer["total"] == 900
            assert 899 <= timer["ends"] - live["now"] <= 900
            r = await client.post("/api/v1/timer", json={"action": "pause"}, headers=auth)
            assert r.status_code == 200 and not r.json()["timer"]["running"]
            r = await client.post("/api/v1/timer", json={"action": "add"}, headers=auth)
            assert r.json()["timer"]["total"] == 960
            # Coming back to the slide does not restart it; a reset gives the full time.
            await client.post("/api/v1/state", json={"slide": 2}, headers=auth)
            await client.post("/api/v1/state", json={"slide": 1}, headers=auth)
            live = (await client.get("/api/v1/deck")).json()["live"]
            assert live["timer"]["total"] == 960 and not live["timer"]["running"]
            r = await client.post("/api/v1/timer", json={"action": "reset"}, headers=auth)
            assert r.json()["timer"]["left"] == 900
            # Refusals: JSON 4xx, never a 500.
            assert (await client.post("/api/v1/timer", json={"action": "start"})).status_code == 401
            for body, code in (
                ({"action": "explode"}, "invalid_value"),
                ({"action": "start", "slide": 99}, "out_of_range"),
                ({"action": "start", "when": 1}, "unknown_field"),
                (["start"], "not_an_object"),
            ):
                r = await client.post("/api/v1/timer", json=body, headers=auth)
                assert r.status_code == 422 and r.json()["error"] == code, body
            assert (await client.get("/api/v1/timer")).status_code == 405
            assert (await app.state.session.store.get_meta("timer")) is not None

    asyncio.run(go())


def test_a_restarted_server_keeps_the_running_timer(tmp_path: Path) -> None:
    from deckpoll.stores.base import open_store

    url = f"sqlite:///{tmp_path / 'answers.sqlite3'}"

    async def go():
        async with running(open_store(url), data=timed()) as (client, _):
            await client.post("/api/v1/state", json={"slide": 2}, headers=presenter())
            await client.post("/api/v1/state", json={"slide": 1}, headers=presenter())
            before = (await client.get("/api/v1/deck")).json()["live"]["timer"]
        async with running(open_store(url), data=timed()) as (client, _):
            after = (await client.get("/api/v1/deck")).json()["live"]["timer"]
        assert after == before and after["running"]

    asyncio.run(go())


def test_sharing_round_shows_one_table_then_everyone() -> None:
    async def go():
        async with running(data=grouped()) as (client, _):
            auth = presenter()
            await client.post("/api/v1/polls/wall/open", headers=auth)
            url = "/api/v1/polls/wall/answers"
            for n, (text, table) in enumerate([("A", "3"), ("B", "1"), ("C", "3")]):
                await client.post(url, json={"text": text, "group": table}, headers=voter(n))
            share = "/api/v1/polls/wall/share"
            steps = []
            for _ in range(3):
                r = await client.post(share, json={"step": "next"}, headers=auth)
                res = (await client.get("/api/v1/polls/wall/results")).json()
                texts = sorted(e["text"] for e in res["entries"])
                steps.append((r.json()["share"]["group"], res["share"], texts))
            assert steps == [
                ("1", {"group": "1"}, ["B"]),
                ("3", {"group": "3"}, ["A", "C"]),
                (None, {"group": None}, ["A", "B", "C"]),
            ]
            await client.post(share, json={"step": "off"}, headers=auth)
            res = (await client.get("/api/v1/polls/wall/results")).json()
            assert res["share"] is None and res["answers"] == 3
            r = await client.post("/api/v1/polls/words/share", json={"step": "next"}, headers=auth)
            assert r.status_code == 422 and r.json()["error"] == "no_tables"
            r = await client.post(share, json={"step": "sideways"}, headers=auth)
            assert r.status_code == 422
            assert (await client.post(share, json={"step": "next"})).status_code == 401

    asyncio.run(go())


def test_timer_and_sharing_round_reach_the_other_server_of_a_shared_deck(redis_server):  # noqa: F811
    """Two servers on one Redis deck: a timer action and a sharing step on A reach B's screens
    (the feed carries them like the presenter's position)."""
    from test_server_shared import two_stores, wait_for

    async def go():
        store_a, store_b = two_stores(redis_server.url)
        async with (
            running(store_a, data={**timed(), "polls_config": grouped()["polls_config"]},
                    push_interval=0.05) as (client_a, _),
            running(store_b, data={**timed(), "polls_config": grouped()["polls_config"]},
                    push_interval=0.05) as (_, app_b),
        ):  # fmt: skip
            phone = app_b.state.session.broadcaster.stream(presenter=False, role="join")
            await phone.__anext__()
            await phone.__anext__()  # snapshot
            auth = presenter()
            await client_a.post("/api/v1/state", json={"slide": 2}, headers=auth)
            await client_a.post("/api/v1/state", json={"slide": 1}, headers=auth)
            _, data = await wait_for(phone, lambda e, d: e == "timer" and d["timer"]["running"])
            assert data["timer"]["total"] == 900 and isinstance(data["now"], float)
            await client_a.post("/api/v1/timer", json={"action": "pause"}, headers=auth)
            await wait_for(phone, lambda e, d: e == "timer" and not d["timer"]["running"])
            await client_a.post("/api/v1/polls/wall/open", headers=auth)
            body = {"text": "Tillit", "group": "2"}
            await client_a.post("/api/v1/polls/wall/answers", json=body, headers=voter(0))
            # Read your writes: the answer acknowledged, the round on A already counts it.
            await client_a.post("/api/v1/polls/wall/share", json={"step": "next"}, headers=auth)
            _, res = await wait_for(
                phone, lambda e, d: e == "results" and d["id"] == "wall" and d.get("share")
            )
            assert res["share"] == {"group": "2"} and res["answers"] == 1
            await phone.aclose()

    asyncio.run(go())
