"""Simulated rehearsal answers are valid for their poll and stress the layout."""

from __future__ import annotations

import pytest

from deckpoll.polls import check_answer
from deckpoll.rehearse import answers
from deckpoll.server.validate import text_key

POLLS = [
    {
        "id": "one",
        "kind": "single",
        "options": [{"id": "ja", "label": "Ja"}, {"id": "nej", "label": "Nej"}],
    },
    {
        "id": "many",
        "kind": "multiple",
        "max_choices": 2,
        "options": [{"id": k, "label": k} for k in ("a", "b", "c", "d")],
    },
    {"id": "scale", "kind": "scale", "min": 1, "max": 7},
    {"id": "cloud", "kind": "wordcloud", "max_answers": 3},
    {"id": "wall", "kind": "open", "max_answers": 1},
]


@pytest.mark.parametrize("poll", POLLS, ids=[p["kind"] for p in POLLS])
def test_every_simulated_answer_is_valid(poll: dict) -> None:
    bodies = list(answers(poll, 200, seed=1))
    assert len(bodies) == 200
    for body in bodies:
        check_answer(poll, body)  # raises Invalid on a bad answer
    assert bodies == list(answers(poll, 200, seed=1))  # deterministic for a seed


def test_scale_answers_reach_both_ends() -> None:
    values = {b["value"] for b in answers(POLLS[2], 100)}
    assert {1, 7} <= values


def test_word_cloud_answers_include_near_duplicates_that_group() -> None:
    texts = [b["text"] for b in answers(POLLS[3], 300)]
    spellings = {t for t in texts if "arskap" in t.lower()}
    assert len(spellings) > 1  # several spellings...
    assert len({text_key(t) for t in spellings}) == 1  # ...one group
    resume = {t for t in texts if text_key(t) == "résumé"}
    assert len(resume) == 2 and len({text_key(t) for t in resume}) == 1  # Unicode forms
    assert any(ord(ch) > 0xFFFF for t in texts for ch in t)  # emoji


def test_open_answers_include_long_sentences_and_markup_as_text() -> None:
    texts = [b["text"] for b in answers(POLLS[4], 300)]
    assert max(len(t) for t in texts) > 100
    assert any("<script>" in t for t in texts)


def test_a_poll_with_tables_gets_answers_from_several_tables() -> None:
    poll = {**POLLS[-1], "group": True}
    ids = {str(n): f"Bord {n}" for n in range(1, 13)}
    bodies = list(answers(poll, 40, tables=list(ids)))
    seen = [b["group"] for b in bodies]
    assert set(seen) <= set(ids) and len(set(seen)) >= 4
    for body in bodies:  # each is what the API accepts, table included
        assert check_answer(poll, body, tables=ids).value["group"] == body["group"]
    plain = {**poll, "group": False}
    assert all("group" not in b for b in answers(plain, 10, tables=list(ids)))
