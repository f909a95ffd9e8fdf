"""Poll kinds: the registry, incremental tallies against full ones, bounded views."""

from __future__ import annotations

import random
import sys
from collections import Counter

import pytest

from deckpoll import polls
from deckpoll.polls.base import size
from deckpoll.polls.quiz import score as quiz_score
from deckpoll.polls.wordcloud import SCREEN_CHARS
from deckpoll.server.events import sse
from deckpoll.server.validate import Invalid, text_key
from deckpoll.stores.base import Answer

POLLS = {
    "single": {"id": "s", "kind": "single", "options": [{"id": i, "label": i} for i in "abc"]},
    "multiple": {"id": "m", "kind": "multiple", "options": [{"id": i, "label": i} for i in "abcd"]},
    "scale": {"id": "v", "kind": "scale", "min": 1, "max": 5},
    "wordcloud": {"id": "w", "kind": "wordcloud", "max_answers": 3},
    "open": {"id": "o", "kind": "open", "max_answers": 3},
    "ranking": {"id": "r", "kind": "ranking", "options": [{"id": i, "label": i} for i in "abcd"]},
    "ranking-top2": {
        "id": "r2",
        "kind": "ranking",
        "rank": 2,
        "options": [{"id": i, "label": i} for i in "abcd"],
    },
    "qa": {"id": "q", "kind": "qa", "max_answers": 3},
    "quiz": {
        "id": "z",
        "kind": "quiz",
        "options": [{"id": i, "label": i} for i in "abc"],
        "correct": ["b", "c"],
        "points": 1000,
        "time_limit": 20,
    },
    "leaderboard": {"id": "l", "kind": "leaderboard", "top": 10},
}
WORDS = ["Kaffe", "kaffe", " KAFFE", "te", "Te", "vatten", "öl", "Öl", "🚀", "mjölk"]


def test_the_registry_finds_every_builtin_kind_by_name():
    kinds = {poll["kind"] for poll in POLLS.values()}
    assert set(polls.names()) == kinds  # and every kind is in the property test below
    for name in kinds:
        assert polls.kind(name).name == name
    assert polls.kind("nope") is None
    with pytest.raises(Invalid):
        polls.check_answer({"id": "x", "kind": "nope"}, {"text": "a"})


def body(kind: str, rng: random.Random) -> dict:
    if kind in ("single", "quiz"):
        return {"choice": rng.choice("abc")}
    if kind == "leaderboard":
        return {"nickname": rng.choice(["Räven", "Ada", "Ugglan"])}
    if kind == "multiple":
        return {"choices": rng.sample("abcd", rng.randint(1, 4))}
    if kind == "scale":
        return {"value": rng.randint(1, 5)}
    if kind.startswith("ranking"):
        return {"order": rng.sample("abcd", POLLS[kind].get("rank", 4))}
    if kind == "qa" and rng.random() < 0.3:
        return {"text": rng.choice(WORDS), "name": rng.choice(["Anna", "Ali"])}
    return {"text": rng.choice(WORDS)}


def reference(poll: dict, answers: dict[int, Answer]) -> dict:
    """What the screens should show, counted from scratch the simplest way."""
    shown = sorted((a for a in answers.values() if not a.hidden), key=lambda a: a.id)
    result = {"voters": len({a.voter for a in shown}), "answers": len(shown)}
    kind = poll["kind"]
    if kind == "ranking":
        # Borda: n points for a first place, n - 1 for a second, ...; left out: nothing.
        points, ranks = Counter(), {o["id"]: [] for o in poll["options"]}
        for a in shown:
            for place, option in enumerate(a.value["order"]):
                points[option] += 4 - place
                ranks[option].append(place + 1)
        rows = []
        for option, places in ranks.items():
            average = round(sum(places) / len(places), 2) if places else None
            rows.append((-points[option], average or 1e9, "abcd".index(option), points[option]))
        result["ranking"] = [(row[3], None if row[1] == 1e9 else row[1]) for row in sorted(rows)]
    elif kind == "qa":
        # Open questions: pinned first, most votes, asked first; answered ones apart.
        open_ = sorted(
            (a for a in shown if not a.answered), key=lambda a: (not a.pinned, -a.votes, a.id)
        )
        result["top"] = [(a.id, a.votes, a.pinned) for a in open_[:30]]
        result["counts"] = (len(open_), len(shown) - len(open_), sum(a.votes for a in shown))
    elif kind == "leaderboard":
        pass  # its standings come from the quizzes (test_kind_quiz.py); here the counts
    elif kind in ("single", "multiple", "quiz"):
        counts = Counter(c for a in shown for c in a.value.get("choices", [a.value.get("choice")]))
        result["counts"] = {o["id"]: counts[o["id"]] for o in poll["options"]}
    elif kind == "scale":
        values = [a.value["value"] for a in shown]
        result["counts"] = {v: values.count(v) for v in range(1, 6)}
        result["average"] = round(sum(values) / len(values), 2) if values else None
    elif kind == "wordcloud":
        groups: dict[str, list[Answer]] = {}
        for a in shown:
            groups.setdefault(text_key(a.value["text"]), []).append(a)
        words = []
        for key, members in groups.items():
            forms = Counter(a.value["text"] for a in members)
            top = max(forms.values())
            text = next(a.value["text"] for a in members if forms[a.value["text"]] == top)
            words.append((-len(members), key, text))
        result["words"] = [(text, -n) for n, _, text in sorted(words)]
    else:
        result["entries"] = [a.value["text"] for a in reversed(shown)][:30]
    return result


def seen(view: dict) -> dict:
    """The same facts read off a tally's view."""
    result = {"voters": view["voters"], "answers": view["answers"]}
    if view["kind"] == "leaderboard":
        pass
    elif view["kind"] == "qa":
        result["top"] = [(q["id"], q["votes"], q["pinned"]) for q in view["questions"][:30]]
        result["counts"] = (view["open"], view["done"], view["votes"])
    elif view["kind"] == "ranking":
        result["ranking"] = [(o["score"], o["average_rank"]) for o in view["options"]]
    elif "options" in view:
        result["counts"] = {o["id"]: o["count"] for o in view["options"]}
    elif "distribution" in view:
        result["counts"] = {d["value"]: d["count"] for d in view["distribution"]}
        result["average"] = view["average"]
    elif "words" in view:
        result["words"] = [(w["text"], w["count"]) for w in view["words"]]
    else:
        result["entries"] = [e["text"] for e in view["entries"]]
    return result


def run_sequence(kind: str, rng: random.Random) -> None:
    """Random answers, replacements, hides, unhides and resets, applied one by one to an
    incremental tally as the session applies them; then compared with full tallies."""
    poll = POLLS[kind]
    checker = polls.kind(poll["kind"])
    tally = checker.tally(poll)
    answers: dict[int, Answer] = {}
    next_id = 1
    for _ in range(rng.randint(1, 40)):
        op = rng.random()
        if op < 0.55:
            voter = f"voter-{rng.randint(1, 6)}"
            checked = checker.check(poll, body(kind, rng))
            mine = [a for a in answers.values() if a.voter == voter]
            if checked.replace:  # a new answer replaces the voter's old one
                for old in mine:
                    del answers[old.id]
                    if not old.hidden:
                        tally.remove(old)
            elif any(a.key == checked.key for a in mine) or len(mine) >= checked.limit:
                continue  # a duplicate or over the limit: the store stores nothing
            new = Answer(next_id, poll["id"], voter, checked.value, checked.key, float(next_id))
            next_id += 1
            answers[new.id] = new
            tally.add(new)
        elif op < 0.75 and answers and checker.votes:
            # a vote given or taken back, a question pinned or answered: the same answer,
            # changed, goes out of the tally and in again (as the session applies it)
            old = answers[rng.choice(list(answers))]
            change = rng.choice(["votes", "pinned", "answered"])
            value = (
                max(0, old.votes + rng.choice([-1, 1])) if change == "votes" else rng.random() < 0.5
            )
            new = old.flagged(**{change: value})
            answers[old.id] = new
            if not old.hidden:
                tally.remove(old)
                tally.add(new)
        elif op < 0.95 and answers:
            old = answers[rng.choice(list(answers))]
            hidden = rng.random() < 0.6
            if old.hidden != hidden:
                new = old.flagged(hidden=hidden)
                answers[old.id] = new
                if hidden:
                    tally.remove(old)
                else:
                    tally.add(new)
        else:
            answers = {}
            tally = checker.tally(poll)
        for presenter in (False, True):
            full = polls.tally(poll, sorted(answers.values(), key=lambda a: a.id))
            assert tally.view(presenter=presenter) == full.view(presenter=presenter)
    assert seen(tally.view(presenter=False)) == reference(poll, answers)
    if checker.scored:  # each voter's points, by the documented formula
        points: dict[str, int] = {}
        for a in answers.values():
            if not a.hidden:
                right = a.value["choice"] in poll["correct"]
                got = quiz_score(1000, 20, a.value["ms"] / 1000, right)
                points[a.voter] = points.get(a.voter, 0) + got
        assert tally.scores == points


@pytest.mark.parametrize("kind", sorted(POLLS))
def test_incremental_tallies_equal_full_tallies_over_1000_random_sequences(kind):
    for seed in range(1000):
        run_sequence(kind, random.Random(f"{kind}:{seed}"))


EMOJI = "😀🚀🌍💡🎉🔥👏❤️🤝📈"


def long_word(n: int) -> str:
    """A 280-character text of emoji, different for each n (4 UTF-8 bytes each)."""
    rng = random.Random(n)
    return "".join(rng.choice(EMOJI[:7]) for _ in range(280))


def test_events_stay_small_whatever_the_answers():
    """280-emoji words and entries, 100,000 answers: a phone's results event stays under
    8 KB and the presenter's under 64 KB; screens show words of about 40 characters."""
    texts = [long_word(n) for n in range(3000)]
    keys = [text_key(t) for t in texts]
    for kind in ("wordcloud", "open", "qa"):
        poll = POLLS[kind]
        tally = polls.kind(kind).tally(poll)
        for n in range(100_000):
            text = texts[n % 3000]
            value = {"text": text, "name": text[:40]} if kind == "qa" else {"text": text}
            flags = {"votes": n % 7, "answered": n % 5 == 0} if kind == "qa" else {}
            tally.add(Answer(n + 1, poll["id"], f"v{n}", value, keys[n % 3000], **flags))
        phone = sse("results", {**tally.view(presenter=False), "visible": True})
        presenter = sse("results", {**tally.view(presenter=True), "visible": True})
        assert len(phone) <= 8 * 1024, (kind, len(phone))
        assert len(presenter) <= 64 * 1024, (kind, len(presenter))
        view = tally.view(presenter=False)
        shown = view.get("words") or view.get("questions") or view["entries"]
        assert len(shown) >= 5  # still something to see
        if kind == "wordcloud":
            assert all(len(w["text"]) <= SCREEN_CHARS for w in view["words"])
            assert view["distinct"] == 3000
            group = tally.view(presenter=True)["words"][0]["group"]
            assert len(tally.group(group)) == tally.view(presenter=True)["words"][0]["count"]
    assert size({"a": "é"}) == len('{"a":"é"}'.encode())


def test_a_plugin_kind_needs_only_its_module(monkeypatch, tmp_path):
    """A kind registered through the `deckpoll.kinds` entry points is found by name."""
    import importlib.metadata as md
    import sys
    import types

    from deckpoll.polls.single import Single

    class Yesno(Single):
        name = "yesno"

    module = types.ModuleType("yesno_kind")
    module.KIND = Yesno()
    monkeypatch.setitem(sys.modules, "yesno_kind", module)
    point = md.EntryPoint("yesno", "yesno_kind:KIND", polls.ENTRY_POINT_GROUP)
    real = md.entry_points

    def fake(**kw):
        found = real(**kw)
        return [*found, point] if kw.get("group") == polls.ENTRY_POINT_GROUP else found

    monkeypatch.setattr(polls, "entry_points", fake)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # a user cache without this machine's
    polls.kinds.cache_clear()
    try:
        assert polls.kind("yesno").name == "yesno"
        poll = {"id": "y", "kind": "yesno", "options": [{"id": "ja", "label": "Ja"}]}
        assert polls.check_answer(poll, {"choice": "ja"}).value == {"choice": "ja"}
    finally:
        polls.kinds.cache_clear()


def test_installed_kinds_are_asked_once_per_installed_set(tmp_path, monkeypatch) -> None:
    """importlib.metadata is asked again only when a package's metadata folder on the import
    path appears, goes or is written anew (an install, upgrade or removal)."""
    from deckpoll import polls

    site = tmp_path / "site"
    (site / "a-1.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(site)])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    asked = []

    def entry_points(*, group):
        asked.append(group)
        return []

    monkeypatch.setattr(polls, "entry_points", entry_points)
    assert polls._plugins() == {} and polls._plugins() == {}
    assert asked == [polls.ENTRY_POINT_GROUP]  # the second answer came from the cache
    (site / "yesno-1.0.dist-info").mkdir()  # a plugin installed
    polls._plugins()
    assert len(asked) == 2
    (site / "yesno-1.0.dist-info").rmdir()
    polls._plugins()
    assert len(asked) == 3
