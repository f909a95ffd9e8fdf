"""Bad input gets a JSON 4xx with the documented status, never a 500 (docs/protocol.md,
Answers): one rule per kind of bad body, and bodies that do not fit the poll or the state.
Registered after rules.py's (they need the deck it found)."""

from __future__ import annotations

from deckpoll.conformance.rules import CHOICE, TEXT, deck_of
from deckpoll.conformance.runner import Context, expect, rule

JSON = "application/json"
BAD_ANSWERS = [
    # (name, what the body is, raw body, content type, status, error code)
    ("not-json", "sent as text/plain", b'{"choice": "x"}', "text/plain", 415, "not_json"),
    ("bad-json", "not parseable JSON", b'{"choice": ', JSON, 400, "bad_json"),
    ("too-large", "over 4096 bytes", b'{"text": "' + b"x" * 5000 + b'"}', JSON, 413, "too_large"),
    ("not-an-object", "a JSON array", b"[1, 2]", JSON, 422, None),
    ("nan", "holding NaN", b'{"value": NaN}', JSON, 422, None),
    ("unknown-field", "with an unknown field", b'{"colour": "red"}', JSON, 422, None),
    ("duplicate-key", "with a key twice", b'{"choice": "a", "choice": "b"}', JSON, 422, None),
]


def _bad_answer(name: str, raw: bytes, media: str, status: int, code: str | None):
    def run(ctx: Context) -> None:
        poll = ctx.poll(*CHOICE, *TEXT)
        with ctx.fresh(poll):
            headers = {"Content-Type": media, "X-Deckpoll-Voter": ctx.voter()}
            got = ctx.post(f"api/v1/polls/{poll['id']}/answers", raw, headers=headers, raw=True)
            expect(got, status, f"{name} body", code)

    return run


for _name, _what, _raw, _media, _status, _code in BAD_ANSWERS:
    _says = f"an answer body {_what} gets {_status}" + (f" {_code}" if _code else "")
    rule("input", _name, _says, needs_key=True)(_bad_answer(_name, _raw, _media, _status, _code))


@rule("input", "invalid-answer", "an answer that does not fit the poll gets 422", needs_key=True)
def invalid_answer(ctx: Context) -> str:
    poll = ctx.poll(*CHOICE, *TEXT)
    kind = poll["kind"]
    wrong = {
        "single": [{"choice": "no-such-option-kit"}, {"choice": True}, {"choice": 1}],
        "multiple": [{"choices": []}, {"choices": ["no-such-option-kit"]}, {"choices": "a"}],
        "scale": [{"value": (poll.get("max") or 5) + 1}, {"value": 2.5}, {"value": True}],
        "wordcloud": [{"text": ""}, {"text": "x" * 281}, {"text": 5}],
        "open": [{"text": "   "}, {"text": "x" * 281}, {"text": ["a"]}],
    }[kind]
    with ctx.fresh(poll):
        voter = ctx.voter()
        for data in wrong:
            expect(ctx.answer(poll, data, voter), 422, f"{kind} answer {data!r}"[:80])
    return kind


@rule(
    "input",
    "bad-state",
    "POST api/v1/state with a slide out of range or not an integer gets 422",
    needs_key=True,
)
def bad_state(ctx: Context) -> None:
    count = len(deck_of(ctx)["slides"])
    for data in (
        {"slide": 0},
        {"slide": count + 1},
        {"slide": "2"},
        {"slide": 1, "fragment": -1},
        [1],
    ):
        expect(ctx.post("api/v1/state", data, presenter=True), 422, f"state {data!r}")
