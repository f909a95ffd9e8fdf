"""Answers grouped by meaning (grouping.py): Swedish and English word-cloud entries by their
stems, case, diacritics the language allows, spacing and stop words; open answers clustered
by token-set similarity; the word cloud's tally shows a group in its most common spelling."""

from __future__ import annotations

import pytest

from deckpoll import polls
from deckpoll.grouping import clusters, word_key
from deckpoll.stores.base import Answer

SAME_SV = [
    ["Innovationsledning", "innovationsledningen", "Innovationsledningens", "INNOVATIONS-LEDNING"],
    ["Tillit", "tilliten", " tillit ", "TILLIT!"],
    ["Mod att misslyckas", "mod, misslyckas", "Modet att misslyckas"],
    ["Samverkan", "samverkans"],
    ["Kafé", "kafe"],  # é is a mark in Swedish
    ["Ledarskap", "ledarskapet"],
]
DIFFERENT_SV = [
    ("Öppenhet", "oppenhet"),  # ö is a letter of its own in Swedish
    ("Tillit", "Mod"),
    ("Ledning", "Ledarskap"),
]
SAME_EN = [
    ["Leadership", "leadership", "LEADERSHIP "],
    ["Leaders", "leader", "the leader"],
    ["Trust", "trusting", "trusted"],
    ["Café", "cafe"],
    ["Collaboration", "collaborations"],
]


@pytest.mark.parametrize("group", SAME_SV)
def test_swedish_words_that_mean_the_same_are_one(group):
    assert len({word_key(w, "sv") for w in group}) == 1, [word_key(w, "sv") for w in group]


@pytest.mark.parametrize("a, b", DIFFERENT_SV)
def test_swedish_words_that_differ_stay_apart(a, b):
    assert word_key(a, "sv") != word_key(b, "sv")


@pytest.mark.parametrize("group", SAME_EN)
def test_english_words_that_mean_the_same_are_one(group):
    assert len({word_key(w, "en-GB") for w in group}) == 1


def test_an_unknown_language_still_ignores_case_and_spacing_only():
    assert word_key("Kaffe ", "fi") == word_key("kaffe", "fi")
    assert word_key("öl", "fi") != word_key("ol", "fi")
    assert word_key("🚀", "sv") == "🚀" and word_key("🚀", "sv") != word_key("🎉", "sv")


def test_the_cloud_shows_a_group_in_its_most_common_spelling():
    poll = {"id": "ord", "kind": "wordcloud", "max_answers": 3, "lang": "sv"}
    tally = polls.kind("wordcloud").tally(poll)
    sent = [
        "innovationsledningen",
        "Innovationsledning",
        "Innovationsledning",
        "Innovationsledningens",
        "Tillit",
    ]
    for n, text in enumerate(sent, start=1):
        tally.add(Answer(n, "ord", f"v{n}", {"text": text}))
    words = tally.view(presenter=True)["words"]
    assert [(w["text"], w["count"]) for w in words] == [("Innovationsledning", 4), ("Tillit", 1)]
    assert tally.group(words[0]["group"]) == [1, 2, 3, 4]
    tally.remove(Answer(2, "ord", "v2", {"text": "Innovationsledning"}))
    tally.remove(Answer(3, "ord", "v3", {"text": "Innovationsledning"}))
    words = tally.view(presenter=False)["words"]
    assert words[0]["count"] == 2 and words[0]["text"] == "innovationsledningen"  # first sent


def test_open_answers_cluster_by_similarity_with_counts():
    answers = [
        "Kommunerna och regionerna",
        "regionerna, kommunerna",
        "Kommunerna och regionerna",
        "Invånarna själva",
        "invånarna",
        "Näringslivet",
        "Forskare på universitet",
    ]
    found = clusters(answers, "sv")
    assert [(c.text, c.count) for c in found] == [
        ("Kommunerna och regionerna", 3),
        ("Invånarna själva", 2),
        ("Näringslivet", 1),
        ("Forskare på universitet", 1),
    ]
    assert found[0].members == ("regionerna, kommunerna",)
    english = clusters(["More trust in teams", "trust in the teams", "Better budgets"], "en")
    assert [c.count for c in english] == [2, 1]
