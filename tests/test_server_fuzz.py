"""Random hostile input against the API: always a JSON 4xx (or 200), never a 500."""

from __future__ import annotations

import asyncio
import json
import random
import uuid

import pytest

from deckpoll.stores.base import Rate, open_store
from server_fixtures import presenter, redis_url, running, signed  # noqa: F401 - redis_url: fixture

POLLS = ["lunch", "langs", "mood", "words", "wall", "secret", "nope", "%00", "a" * 300]
ATOMS = [
    None,
    True,
    False,
    0,
    -1,
    3,
    2**70,
    1.5,
    -0.0,
    "",
    "soup",
    "py",
    "\u202e",
    "x" * 300,
    "=cmd",
    "\ud800",
    [],
    {},
    ["py", "py"],
    ["soup"],
    "NaN",
]
KEYS = ["choice", "choices", "value", "text", "extra", "", "__proto__"]


def random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice(ATOMS)
    if roll < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(KEYS): random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def random_body(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.5:
        return json.dumps(random_value(rng), allow_nan=True).encode("utf-8", "surrogatepass")
    if kind < 0.6:
        return b"[" * 3000 + b"]" * 3000
    if kind < 0.7:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
    if kind < 0.8:
        return b'{"value": 1e999999}' if rng.random() < 0.5 else b'{"text": "a", "text": "b"}'
    if kind < 0.9:
        return ('{"text": "' + "\\u0000" * rng.randint(1, 5) + '"}').encode()
    return b'{"choice": "soup"}' + b" " * rng.choice([0, 5000])


@pytest.mark.parametrize("store_kind", ["memory", "sqlite", "redis"])
def test_random_requests_never_get_a_500(store_kind, tmp_path, request):
    rng = random.Random(20261127)
    urls = {"memory": "memory://", "sqlite": f"sqlite:///{tmp_path / 'a.db'}"}
    url = request.getfixturevalue("redis_url") if store_kind == "redis" else urls[store_kind]
    store = open_store(url, namespace=f"test-deck-{uuid.uuid4().hex}")

    async def go():
        async with running(store) as (client, app):
            app.state.answer_rate = Rate(burst=10_000, per_second=5)
            for pid in ("lunch", "langs", "mood", "words", "wall"):
                await client.post(f"/api/v1/polls/{pid}/open", headers=presenter())
            statuses: dict[int, int] = {}
            for _ in range(600):
                pid = rng.choice(POLLS)
                headers = {
                    "Content-Type": rng.choice(
                        [
                            "application/json",
                            "application/json; charset=utf-8",
                            "text/plain",
                            "application/x-www-form-urlencoded",
                            "APPLICATION/JSON",
                        ]
                    ),
                    "X-Deckpoll-Voter": rng.choice(
                        [
                            signed("voter-abcdefghij"),
                            "made-up-but-well-formed-token-abcdefgh",
                            "short",
                            "x" * 200,
                            "évilévilévilévil".encode("latin-1"),
                            signed(f"voter-{rng.randrange(50):04d}-abcde"),
                        ]
                    ),
                }
                if rng.random() < 0.3:
                    headers["Authorization"] = rng.choice(
                        ["Bearer wrong", "Bearer", "Basic x", presenter()["Authorization"]]
                    )
                path = rng.choice(
                    [
                        f"/api/v1/polls/{pid}/answers",
                        f"/api/v1/polls/{pid}/answers",
                        "/api/v1/state",
                        f"/api/v1/polls/{pid}/{rng.choice(['open', 'close', 'reveal', 'x'])}",
                        f"/api/v1/polls/{pid}/answers/{rng.choice([1, 2, 10**30])}/hide",
                    ]
                )
                r = await client.post(path, content=random_body(rng), headers=headers)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                assert r.status_code < 500, (path, r.status_code, r.text)
                assert "error" in r.json() or r.status_code == 200, r.text
            assert len(statuses) >= 6, statuses  # the fuzz reached many different refusals
            # and the server still answers normally
            r = await client.post(
                "/api/v1/polls/lunch/answers",
                json={"choice": "soup"},
                headers={"X-Deckpoll-Voter": signed("finally-a-good-v")},
            )
            assert r.status_code == 200

    asyncio.run(go())


def test_huge_answer_id_on_sqlite_is_a_404(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}", namespace="test-deck")

    async def go():
        async with running(store) as (client, _):
            for answer in (2**63 - 1, 2**63, 10**30):
                r = await client.post(
                    f"/api/v1/polls/wall/answers/{answer}/hide", headers=presenter()
                )
                assert r.status_code == 404, (answer, r.text)

    asyncio.run(go())
