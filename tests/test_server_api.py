"""The HTTP API against a hand-written manifest: lifecycle, answers, refusals, moderation."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from deckpoll.stores.base import Buckets, Rate, open_store
from server_fixtures import KEY, presenter, redis_url, running, voter  # noqa: F401


def run(coro):
    return asyncio.run(coro)


async def post(client, path, body=None, headers=None, **kw):
    return await client.post(path, json=body, headers=headers or {}, **kw)


async def answer(client, poll, body, n=0):
    return await client.post(f"/api/v1/polls/{poll}/answers", json=body, headers=voter(n))


def test_deck_and_pages():
    async def go():
        async with running() as (client, _):
            r = await client.get("/api/v1/deck")
            assert r.status_code == 200
            data = r.json()
            assert data["id"] == "test-deck" and data["code"] == "123456"
            assert data["protocol"] == 1  # docs/protocol.md: the version a client checks
            assert [p["id"] for p in data["polls"]][:2] == ["lunch", "langs"]
            assert data["live"]["state"] == {"slide": 1, "fragment": 0, "poll": None}
            assert data["live"]["polls"]["lunch"]["status"] == "closed"
            assert not data["presenter"]
            assert (await client.get("/api/v1/deck", headers=presenter())).json()["presenter"]
            for path in ("/join", "/123456"):
                page = await client.get(path)
                assert page.status_code == 200 and page.text.startswith("<!doctype html>")
                assert '<html lang="en">' in page.text
                assert "script-src 'sha256-" in page.headers["content-security-policy"]
            assert (await client.get("/")).headers["referrer-policy"] == "no-referrer"
            raw = await client.get("/join", headers={"Accept-Encoding": "gzip"})
            assert raw.headers["content-encoding"] == "gzip" and "<!doctype html>" in raw.text
            plain = await client.get("/join", headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in plain.headers and plain.text == raw.text
            asset = await client.get("/assets/pic.abc123.png")
            assert asset.status_code == 200 and asset.headers["content-type"] == "image/png"
            missing = await client.get("/nothing/here")
            assert missing.status_code == 404 and missing.json()["error"] == "not_found"
            manifest = await client.get("/deckpoll.json")
            assert manifest.json()["hash"] == "sha256:test"

    run(go())


def test_polls_start_closed_and_presenter_opens():
    async def go():
        async with running() as (client, _):
            r = await answer(client, "lunch", {"choice": "soup"})
            assert r.status_code == 409 and r.json()["error"] == "poll_closed"
            r = await post(client, "/api/v1/polls/lunch/open", headers=presenter())
            assert r.status_code == 200 and r.json()["status"] == "open"
            r = await answer(client, "lunch", {"choice": "soup"})
            assert r.status_code == 200 and r.json()["ok"]
            r = await post(client, "/api/v1/polls/lunch/close", headers=presenter())
            assert r.json()["status"] == "closed" and r.json()["opened"]
            assert (await answer(client, "lunch", {"choice": "salad"}, 1)).status_code == 409

    run(go())


def test_auto_open_on_arrival_but_not_when_switched_off():
    async def go():
        async with running() as (client, _):
            r = await post(client, "/api/v1/state", {"slide": 2}, presenter())
            assert r.status_code == 200 and r.json() == {"slide": 2, "fragment": 0, "poll": "lunch"}
            assert (await answer(client, "lunch", {"choice": "soup"})).status_code == 200
            await post(client, "/api/v1/state", {"slide": 6}, presenter())  # auto_open: false
            assert (await answer(client, "wall", {"text": "hi"})).status_code == 409
            # a closed poll is not reopened by arriving on its slide again
            await post(client, "/api/v1/polls/lunch/close", headers=presenter())
            await post(client, "/api/v1/state", {"slide": 2}, presenter())
            assert (await answer(client, "lunch", {"choice": "soup"}, 1)).status_code == 409

    run(go())


def test_deck_level_auto_open_off():
    from server_fixtures import manifest

    data = manifest()
    data["polls_config"]["auto_open"] = False

    async def go():
        async with running(data=data) as (client, _):
            await post(client, "/api/v1/state", {"slide": 2}, presenter())
            assert (await answer(client, "lunch", {"choice": "soup"})).status_code == 409

    run(go())


def test_every_kind_tallies():
    async def go():
        async with running() as (client, app):
            for poll in ("lunch", "langs", "mood", "words", "wall"):
                await post(client, f"/api/v1/polls/{poll}/open", headers=presenter())
            await answer(client, "lunch", {"choice": "soup"}, 0)
            await answer(client, "lunch", {"choice": "salad"}, 1)
            await answer(client, "lunch", {"choice": "salad"}, 0)  # changes its mind
            await answer(client, "langs", {"choices": ["py", "js"]}, 0)
            await answer(client, "langs", {"choices": ["py"]}, 1)
            for n, v in enumerate((2, 4, 5)):
                await answer(client, "mood", {"value": v}, n)
            for n, word in enumerate(("Kaffe", " kaffe ", "ＫＡＦＦＥ", "te")):
                assert (await answer(client, "words", {"text": word}, n)).status_code == 200
            await answer(client, "wall", {"text": "first"}, 0)
            await answer(client, "wall", {"text": "second"}, 1)
            await app.state.session.flush()

            lunch = (await client.get("/api/v1/polls/lunch/results")).json()
            assert {o["id"]: o["count"] for o in lunch["options"]} == {"soup": 0, "salad": 2}
            assert lunch["voters"] == 2 and lunch["options"][1]["percent"] == 100.0
            langs = (await client.get("/api/v1/polls/langs/results")).json()
            assert {o["id"]: o["count"] for o in langs["options"]} == {"py": 2, "js": 1, "rs": 0}
            mood = (await client.get("/api/v1/polls/mood/results", headers=presenter())).json()
            assert mood["average"] == 3.67
            assert [d["count"] for d in mood["distribution"]] == [0, 1, 0, 1, 1]
            words = (await client.get("/api/v1/polls/words/results")).json()
            assert [(w["text"], w["count"]) for w in words["words"]] == [("Kaffe", 3), ("te", 1)]
            assert "group" not in words["words"][0]
            moderated = await client.get("/api/v1/polls/words/results", headers=presenter())
            group = moderated.json()["words"][0]["group"]
            # the presenter asks for a word's answer ids when needed, a page at a time
            route = f"/api/v1/polls/words/groups/{group}/answers"
            page = (await client.get(route, headers=presenter())).json()
            assert page["total"] == 3 and len(page["ids"]) == 3 and page["next"] is None
            assert page["ids"] == sorted(page["ids"])
            assert (await client.get(route)).status_code == 401
            missing = await client.get(
                "/api/v1/polls/words/groups/nope/answers", headers=presenter()
            )
            assert missing.status_code == 404
            bad = await client.get(route + "?after=x", headers=presenter())
            assert bad.status_code == 422
            wall = (await client.get("/api/v1/polls/wall/results")).json()
            assert [e["text"] for e in wall["entries"]] == ["second", "first"]

    run(go())


def test_results_visibility_on_reveal_and_hidden():
    async def go():
        async with running() as (client, _):
            r = await client.get("/api/v1/polls/mood/results")
            assert r.status_code == 403 and r.json()["error"] == "results_hidden"
            assert (await client.get("/api/v1/polls/mood/results", headers=presenter())).is_success
            await post(client, "/api/v1/polls/mood/reveal", headers=presenter())
            assert (await client.get("/api/v1/polls/mood/results")).status_code == 200
            await post(client, "/api/v1/polls/mood/conceal", headers=presenter())
            assert (await client.get("/api/v1/polls/mood/results")).status_code == 403
            assert (await client.get("/api/v1/polls/secret/results")).status_code == 403
            await post(client, "/api/v1/polls/secret/reveal", headers=presenter())
            assert (await client.get("/api/v1/polls/secret/results")).status_code == 403

    run(go())


def test_wordcloud_limit_duplicates_and_my_answers():
    async def go():
        async with running() as (client, _):
            await post(client, "/api/v1/polls/words/open", headers=presenter())
            for word in ("a", "b", "c"):
                assert (await answer(client, "words", {"text": word})).status_code == 200
            again = await answer(client, "words", {"text": "A"})
            assert again.status_code == 200 and again.json()["duplicate"]
            r = await answer(client, "words", {"text": "d"})
            assert r.status_code == 429 and r.json()["error"] == "answer_limit"
            mine = await client.get("/api/v1/polls/words/answers", headers=voter(0))
            assert [a["text"] for a in mine.json()["answers"]] == ["a", "b", "c"]
            assert mine.json()["remaining"] == 0

    run(go())


def test_reset_and_hide_keep_the_store_consistent():
    async def go():
        async with running() as (client, app):
            await post(client, "/api/v1/polls/wall/open", headers=presenter())
            first = (await answer(client, "wall", {"text": "<script>alert(1)</script>"})).json()
            await answer(client, "wall", {"text": "fine"}, 1)
            url = f"/api/v1/polls/wall/answers/{first['id']}/hide"
            assert (await post(client, url)).status_code == 401
            r = await post(client, url, headers=presenter())
            assert r.json() == {"id": first["id"], "hidden": True, "pending": False}
            await app.state.session.flush()
            wall = (await client.get("/api/v1/polls/wall/results")).json()
            assert [e["text"] for e in wall["entries"]] == ["fine"] and wall["voters"] == 1
            bad = await post(client, "/api/v1/polls/wall/answers/99999/hide", headers=presenter())
            assert bad.status_code == 404
            odd = await post(
                client, f"/api/v1/polls/wall/answers/{first['id']}/x", headers=presenter()
            )
            assert odd.status_code == 404
            r = await post(client, "/api/v1/polls/wall/reset", headers=presenter())
            assert r.json()["status"] == "open"
            await app.state.session.flush()
            assert (await client.get("/api/v1/polls/wall/results")).json()["entries"] == []
            assert (await answer(client, "wall", {"text": "again"})).status_code == 200

    run(go())


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_thirty_identical_parallel_requests_leave_one_answer(tmp_path, kind, request):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    if kind == "redis":
        url = request.getfixturevalue("redis_url")
    store = open_store(url, namespace=f"test-deck-{uuid.uuid4().hex}")

    async def go():
        async with running(store) as (client, app):
            app.state.answer_rate = Rate(burst=100, per_second=5)
            await post(client, "/api/v1/polls/lunch/open", headers=presenter())
            await post(client, "/api/v1/polls/words/open", headers=presenter())
            replies = await asyncio.gather(
                *[answer(client, "lunch", {"choice": "soup"}) for _ in range(30)],
                *[answer(client, "words", {"text": "same"}) for _ in range(30)],
            )
            assert {r.status_code for r in replies} == {200}
            assert len(await store.answers("lunch")) == 1
            assert len(await store.answers("words")) == 1

    run(go())


BAD_ANSWERS = [
    # (poll, raw body, expected status, error code)
    ("lunch", b'{"choice": "soup"', 400, "bad_json"),
    ("lunch", b"\xff\xfe", 400, "bad_encoding"),
    ("lunch", b"[]", 422, "not_an_object"),
    ("lunch", b'"soup"', 422, "not_an_object"),
    ("lunch", b'{"choice": "pizza"}', 422, "unknown_option"),
    ("lunch", b'{"choice": 1}', 422, "unknown_option"),
    ("lunch", b'{"choice": true}', 422, "unknown_option"),
    ("lunch", b'{"choice": "soup", "choice": "salad"}', 422, "duplicate_key"),
    ("lunch", b'{"choice": "soup", "extra": 1}', 422, "unknown_field"),
    ("lunch", b"{}", 422, "missing_field"),
    ("langs", b'{"choices": ["py", "py"]}', 422, "duplicate_option"),
    ("langs", b'{"choices": ["py", "js", "rs"]}', 422, "too_many_choices"),
    ("langs", b'{"choices": []}', 422, "invalid_choices"),
    ("langs", b'{"choices": "py"}', 422, "invalid_choices"),
    ("mood", b'{"value": 6}', 422, "out_of_range"),
    ("mood", b'{"value": 0}', 422, "out_of_range"),
    ("mood", b'{"value": 4.0}', 422, "invalid_value"),
    ("mood", b'{"value": true}', 422, "invalid_value"),
    ("mood", b'{"value": NaN}', 422, "invalid_number"),
    ("mood", b'{"value": Infinity}', 422, "invalid_number"),
    ("mood", b'{"value": -Infinity}', 422, "invalid_number"),
    ("mood", b'{"value": 1e400}', 422, "invalid_value"),
    ("mood", b'{"value": "4"}', 422, "invalid_value"),
    ("mood", b'{"value": 99999999999999999999999}', 422, "out_of_range"),
    ("words", b'{"text": "\\ud800"}', 422, "invalid_text"),
    ("words", b'{"text": "a\\u0000b"}', 422, "invalid_text"),
    ("words", b'{"text": "a\\nb"}', 422, "invalid_text"),
    ("words", b'{"text": "   "}', 422, "invalid_text"),
    ("words", b'{"text": ["x"]}', 422, "invalid_text"),
    ("words", ('{"text": "' + "x" * 281 + '"}').encode(), 422, "too_long"),
    ("wall", b'{"text": "line\\u001bx"}', 422, "invalid_text"),
]


@pytest.mark.parametrize(("poll", "body", "status", "code"), BAD_ANSWERS)
def test_bad_answers_are_refused_with_json(poll, body, status, code):
    async def go():
        async with running() as (client, _):
            await post(client, f"/api/v1/polls/{poll}/open", headers=presenter())
            r = await client.post(
                f"/api/v1/polls/{poll}/answers",
                content=body,
                headers={**voter(), "Content-Type": "application/json"},
            )
            assert (r.status_code, r.json()["error"]) == (status, code)
            ok = await answer(
                client,
                poll,
                {
                    "lunch": {"choice": "soup"},
                    "langs": {"choices": ["py"]},
                    "mood": {"value": 3},
                    "words": {"text": "ok"},
                    "wall": {"text": "ok\nfine"},
                }[poll],
                1,
            )
            assert ok.status_code == 200, ok.text  # the server keeps running

    run(go())


def test_text_limits_accept_280_characters_and_multiline_open_answers():
    async def go():
        async with running() as (client, app):
            await post(client, "/api/v1/polls/wall/open", headers=presenter())
            assert (await answer(client, "wall", {"text": "å" * 280})).status_code == 200
            assert (await answer(client, "wall", {"text": "two\nlines"})).status_code == 200

    run(go())


def test_transport_refusals():
    async def go():
        async with running() as (client, _):
            await post(client, "/api/v1/polls/lunch/open", headers=presenter())
            path = "/api/v1/polls/lunch/answers"
            big = b'{"choice": "' + b"x" * 5000 + b'"}'
            r = await client.post(
                path, content=big, headers={**voter(), "Content-Type": "application/json"}
            )
            assert r.status_code == 413 and r.json()["error"] == "too_large"
            r = await client.post(
                path,
                content=b'{"choice":"soup"}',
                headers={**voter(), "Content-Type": "text/plain"},
            )
            assert r.status_code == 415
            r = await client.post(path, content=b'{"choice":"soup"}', headers=voter())
            assert r.status_code == 415
            r = await client.post(path, json={"choice": "soup"})
            assert r.status_code == 400 and r.json()["error"] == "missing_voter"
            r = await client.post(
                path, json={"choice": "soup"}, headers={"X-Deckpoll-Voter": "short"}
            )
            assert r.status_code == 400 and r.json()["error"] == "bad_voter"
            r = await client.post(
                "/api/v1/polls/nope/answers", json={"choice": "soup"}, headers=voter()
            )
            assert r.status_code == 404 and r.json()["error"] == "unknown_poll"
            r = await client.put("/api/v1/polls/lunch/answers", json={})
            assert r.status_code == 405 and r.json()["error"] == "http_405"
            r = await client.get("/api/v1/polls/lunch/answers/1/hide")
            assert r.status_code == 405 and r.headers["allow"] == "POST"
            assert (await client.get("/api/v1/nothing")).status_code == 404

    run(go())


def test_streamed_body_over_the_limit_without_content_length():
    async def go():
        async with running() as (client, _):
            await post(client, "/api/v1/polls/lunch/open", headers=presenter())

            async def chunks():
                for _ in range(10):
                    yield b" " * 1000

            r = await client.post(
                "/api/v1/polls/lunch/answers",
                content=chunks(),
                headers={**voter(), "Content-Type": "application/json"},
            )
            assert r.status_code == 413

    run(go())


def test_presenter_routes_need_the_key():
    async def go():
        async with running() as (client, _):
            routes = [("/api/v1/state", {"slide": 2})] + [
                (f"/api/v1/polls/lunch/{a}", None)
                for a in ("open", "close", "reveal", "conceal", "reset")
            ]
            for path, body in routes:
                assert (await post(client, path, body)).status_code == 401
                r = await post(client, path, body, {"Authorization": "Bearer wrong"})
                assert r.status_code == 403 and r.json()["error"] == "bad_key"
                r = await post(client, path, body, {"Authorization": f"Basic {KEY}"})
                assert r.status_code == 401
            r = await post(client, "/api/v1/polls/lunch/explode", headers=presenter())
            assert r.status_code == 404
            assert (
                await client.get("/api/v1/events", headers={"Authorization": "Bearer x"})
            ).status_code == 403

    run(go())


@pytest.mark.parametrize(
    "body",
    [
        {"slide": 0},
        {"slide": 9},
        {"slide": True},
        {"slide": 2.0},
        {"slide": "2"},
        {},
        {"slide": 2, "fragment": -1},
        {"slide": 2, "x": 1},
        [2],
    ],
)
def test_bad_state_is_refused(body):
    async def go():
        async with running() as (client, _):
            r = await post(client, "/api/v1/state", body, presenter())
            assert r.status_code == 422

    run(go())


def test_rate_limit_per_voter_token():
    async def go():
        async with running() as (client, _):
            await post(client, "/api/v1/polls/lunch/open", headers=presenter())
            codes = [
                (await answer(client, "lunch", {"choice": "soup"}, 0)).status_code
                for _ in range(15)
            ]
            assert codes[:10] == [200] * 10 and 429 in codes
            # another voter (same IP) is not affected
            assert (await answer(client, "lunch", {"choice": "soup"}, 1)).status_code == 200

    run(go())


def test_rate_limit_refills():
    buckets, rate = Buckets(), Rate(burst=2, per_second=1)
    assert buckets.take("v", rate, 0.0) and buckets.take("v", rate, 0.0)
    assert not buckets.take("v", rate, 0.1)
    assert buckets.take("v", rate, 1.2)


def test_rate_limit_forgets_buckets_rather_than_grow():
    buckets, rate = Buckets(size=3), Rate(burst=2, per_second=1)
    for n in range(10):
        assert buckets.take(f"v{n}", rate, float(n))
    assert len(buckets._buckets) <= 3


def test_state_survives_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"

    async def go():
        async with running(open_store(url, namespace="test-deck")) as (client, _):
            await post(client, "/api/v1/state", {"slide": 2, "fragment": 0}, presenter())
            assert (await answer(client, "lunch", {"choice": "salad"})).status_code == 200
        async with running(open_store(url, namespace="test-deck")) as (client, _):
            live = (await client.get("/api/v1/deck")).json()["live"]
            assert live["state"]["slide"] == 2
            assert live["polls"]["lunch"]["status"] == "open"
            assert live["results"]["lunch"]["options"][1]["count"] == 1
        store = open_store(url, namespace="test-deck")
        assert await store.get_meta("manifest_hash") == "sha256:test"
        await store.close()

    run(go())


def test_cors_exact_origin_only():
    async def go():
        async with running(allowed_origins=["http://deck.example:8080"]) as (client, _):
            pre = {
                "Origin": "http://deck.example:8080",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            }
            r = await client.options("/api/v1/state", headers=pre)
            assert r.status_code == 200
            assert r.headers["access-control-allow-origin"] == "http://deck.example:8080"
            r = await client.options(
                "/api/v1/state", headers={**pre, "Origin": "http://evil.example"}
            )
            assert r.status_code == 400
            r = await client.get("/api/v1/deck", headers={"Origin": "http://evil.example"})
            assert "access-control-allow-origin" not in r.headers

    run(go())


def test_file_decks_origin_null_only_when_listed():
    """A deck opened from disk sends `Origin: null` (docs/protocol.md, CORS): answered only
    by a backend that lists "null", and never with a wildcard."""

    async def go():
        pre = {"Origin": "null", "Access-Control-Request-Method": "POST"}
        async with running(allowed_origins=["http://deck.example:8080"]) as (client, _):
            assert (await client.options("/api/v1/state", headers=pre)).status_code == 400
            r = await client.get("/api/v1/deck", headers={"Origin": "null"})
            assert "access-control-allow-origin" not in r.headers
        async with running(allowed_origins=["null"]) as (client, _):
            r = await client.options("/api/v1/state", headers=pre)
            assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "null"
            r = await client.get("/api/v1/deck", headers={"Origin": "null"})
            assert r.headers["access-control-allow-origin"] == "null"
            assert "access-control-allow-credentials" not in r.headers

    run(go())


def test_wildcard_origin_is_refused():
    from deckpoll.server.app import create_app
    from server_fixtures import compiled

    with pytest.raises(ValueError, match="exact origins"):
        create_app(compiled(), open_store("memory://"), presenter_key=KEY, allowed_origins=["*"])
    with pytest.raises(ValueError, match="presenter_key"):
        create_app(compiled(), open_store("memory://"), presenter_key="short")


def test_join_page_config_is_escaped():
    from server_fixtures import manifest

    data = manifest()
    data["title"] = "</script><script>alert(1)</script>{{config}}/*{{js}}*/"

    async def go():
        async with running(data=data) as (client, _):
            page = (await client.get("/join")).text
            assert "<script>alert(1)" not in page
            config = page.split('id="jp-config">', 1)[1].split("</script>", 1)[0]
            assert json.loads(config)["title"] == data["title"]
            assert page.count('"use strict"') == 1  # the script went in once, in its place
            assert page.count("/*{{js}}*/") == 3  # the title: in <title>, header, config

    run(go())


def test_deck_policy_allows_only_the_deck_s_own_scripts():
    import base64
    import hashlib

    from deckpoll.server.app import deck_policy

    page = (
        '<script type="application/json" id="dp-config">{"a": 1}</script>'
        "<script data-dp-runtime>run()</script><script src=x.js></script>"
    )
    digest = base64.b64encode(hashlib.sha256(b"run()").digest()).decode()
    policy = deck_policy(page)
    assert f"script-src 'sha256-{digest}';" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    assert "script-src 'none'" in deck_policy("<p>no scripts</p>")
