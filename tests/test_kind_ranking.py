"""`kind: ranking`: the poll block, the answer's rules, Borda scores and average ranks, the
answer route's refusals (nothing stored), rehearsal answers and export rows."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from deckpoll import polls
from deckpoll.build import compile_deck
from deckpoll.server.validate import Invalid
from deckpoll.stores.base import Answer
from server_fixtures import manifest, presenter, running, voter
from test_errors import problems, write_deck

OPTIONS = [{"id": i, "label": i.upper()} for i in "abcd"]
POLL = {"id": "r", "kind": "ranking", "options": OPTIONS, "rank": None}
TOP2 = {**POLL, "id": "r2", "rank": 2}


def block(extra: str) -> str:
    return "# T\n\n---\n\n```poll\nid: r\nkind: ranking\nquestion: Order?\n" + extra + "```\n"


def test_the_poll_block_takes_options_and_rank(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, block("options: [Tea, Coffee, Water]\nrank: 2\n"))
    (poll,) = compile_deck(deck).manifest["polls"]
    assert poll["kind"] == "ranking" and poll["rank"] == 2
    assert [o["id"] for o in poll["options"]] == ["tea", "coffee", "water"]


@pytest.mark.parametrize(
    ("extra", "wanted"),
    [
        ("options: [a, b]\nrank: 3\n", "slides.md:10:7: error: `rank` is more than the 2 options"),
        ("options: [a, b]\nrank: 0\n", "slides.md:10:7: error: `rank` must be at least 1"),
        ("rank: 2\n", "slides.md:7:7: error: a ranking poll needs `options:` (a list)"),
        ("options: [a, b]\nmax_choices: 1\n", "`max_choices` only applies to multiple polls"),
    ],
)
def test_a_wrong_block_says_where_and_what(tmp_path: Path, extra: str, wanted: str) -> None:
    found = problems(write_deck(tmp_path, block(extra)))
    assert any(wanted in p for p in found), found


@pytest.mark.parametrize(
    ("poll", "body", "code"),
    [
        (POLL, {"order": ["a", "b", "a", "c"]}, "duplicate_option"),
        (POLL, {"order": ["a", "b", "c", "zz"]}, "unknown_option"),
        (POLL, {"order": ["a", "b", "c"]}, "incomplete_order"),
        (POLL, {"order": "abcd"}, "invalid_order"),
        (POLL, {"order": ["a", "b", "c", 4]}, "invalid_order"),
        (POLL, {"order": ["a", "b", "c", "d"], "x": 1}, "unknown_field"),
        (TOP2, {"order": ["a", "b", "c"]}, "incomplete_order"),
        (TOP2, {"order": ["a", "a"]}, "duplicate_option"),
    ],
)
def test_wrong_orders_are_refused(poll, body, code) -> None:
    with pytest.raises(Invalid) as caught:
        polls.check_answer(poll, body)
    assert (caught.value.status, caught.value.code) == (422, code)


def test_borda_points_and_average_ranks_best_first() -> None:
    orders = [["b", "a", "c", "d"], ["b", "c", "a", "d"], ["a", "b", "d", "c"]]
    answers = [Answer(n + 1, "r", f"v{n}", {"order": o}, "") for n, o in enumerate(orders)]
    view = polls.tally(POLL, answers).view(presenter=False)
    rows = [(o["id"], o["score"], o["average_rank"], o["percent"]) for o in view["options"]]
    # b: 4+4+3, a: 3+2+4, c: 2+3+1, d: 1+1+2 (12 is the most: every voter's first place)
    assert rows == [
        ("b", 11, 1.33, 91.7),
        ("a", 9, 2.0, 75.0),
        ("c", 6, 3.0, 50.0),
        ("d", 4, 3.67, 33.3),
    ]


def test_a_top_k_ranking_gives_nothing_to_the_options_left_out() -> None:
    answers = [
        Answer(1, "r2", "v1", {"order": ["c", "a"]}, ""),
        Answer(2, "r2", "v2", {"order": ["a", "c"]}, ""),
    ]
    view = polls.tally(TOP2, answers).view(presenter=False)
    rows = [(o["id"], o["score"], o["average_rank"], o["ranked"]) for o in view["options"]]
    # a tie on points: the better average rank... equal too, so the deck's order decides
    assert rows == [("a", 7, 1.5, 2), ("c", 7, 1.5, 2), ("b", 0, None, 0), ("d", 0, None, 0)]
    assert view["rank"] == 2


def test_rehearsal_answers_are_valid_orders() -> None:
    kind = polls.kind("ranking")
    rng = random.Random(1)
    for poll in (POLL, TOP2):
        for n in range(50):
            body = kind.rehearse(poll, rng, n)
            assert polls.check_answer(poll, body).value == body


def ranking_manifest() -> dict:
    data = manifest()
    poll = {**data["polls"][0], "id": "order", "kind": "ranking", "question": "Order?"}
    poll["options"] = OPTIONS
    data["polls"].append({**poll, "slide": 9, "rank": None})
    data["slides"].append({"index": 9, "id": "s9", "title": "Order?", "text": "", "poll": "order"})
    return data


def test_the_answer_route_refuses_repeats_and_stores_nothing() -> None:
    async def go():
        async with running(data=ranking_manifest()) as (client, app):
            assert (await client.post("/api/v1/polls/order/open", headers=presenter())).is_success
            url = "/api/v1/polls/order/answers"
            for body in ({"order": ["a", "a", "b", "c"]}, {"order": ["a", "b", "c", "x"]}):
                r = await client.post(url, json=body, headers=voter(0))
                assert r.status_code == 422 and r.json()["error"] in (
                    "duplicate_option",
                    "unknown_option",
                )
            assert (await client.get(url, headers=voter(0))).json()["answers"] == []
            good = {"order": ["d", "c", "b", "a"]}
            assert (await client.post(url, json=good, headers=voter(0))).status_code == 200
            again = {"order": ["a", "b", "c", "d"]}  # a new order replaces the old one
            assert (await client.post(url, json=again, headers=voter(0))).status_code == 200
            res = (await client.get("/api/v1/polls/order/results", headers=presenter())).json()
            assert [o["id"] for o in res["options"]] == ["a", "b", "c", "d"]
            assert res["voters"] == 1 and res["options"][0]["score"] == 4
            export = await client.get("/api/v1/polls/order/answers", headers=voter(0))
            assert export.json()["answers"][0]["order"] == ["a", "b", "c", "d"]

    asyncio.run(go())


def test_exports_list_the_order_and_the_scores() -> None:
    poll = {**POLL, "question": "Order?", "slide": 2}
    answers = [Answer(1, "r", "v1", {"order": ["b", "a", "c", "d"]}, "", 0.0)]
    kind = polls.kind("ranking")
    assert kind.answer_text(poll, answers[0].value) == "B > A > C > D"
    rows = kind.export_rows(polls.tally(poll, answers).summary())
    assert rows[0] == ("B (⌀ 1)", 4, 100.0)
    assert rows[-1] == ("D (⌀ 4)", 1, 25.0)
