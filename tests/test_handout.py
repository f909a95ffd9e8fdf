"""The handout build (`deckpoll build --results`): an archive's final results baked into the
poll slides as static HTML, the wall over continuation slides, no join details and no
live-poll script; parsed, not compared as strings."""

from __future__ import annotations

import asyncio
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckpoll.archive import save
from deckpoll.cli import main
from deckpoll.handout import cloud, wall_pages
from deckpoll.polls.tables import table_ids
from deckpoll.results import gather
from deckpoll.server.run import default_store_url
from deckpoll.server.validate import text_key
from deckpoll.stores.base import CLOSED, OPEN, open_store

DECK_YAML = "title: Övning\nlang: sv\nslides: [s.md]\npolls:\n  code: '515151'\n"
SLIDES = """# Hej

---

```poll
id: ord
kind: wordcloud
question: Ett ord?
```

---

```poll
id: vagg
kind: open
question: Vad tar du med dig?
```

---

```poll
id: val
kind: single
question: Lunch?
options: [Soppa, Sallad]
```

---

```poll
id: skala
kind: scale
question: Hur var det?
min_label: Dåligt
max_label: Bra
```

---

```poll
id: aldrig
kind: single
question: Öppnades aldrig
options: [Ja, Nej]
```

---

# Tack
"""
WORDS = ["Tillit", "tillit", "Mod", "Samverkan", "Tid"] + [f"Ord{n}" for n in range(45)]
WALL = [f"Svar nummer {n}: " + "vi behöver fler som vågar " * (n % 3) for n in range(40)]


def answered_deck(tmp_path: Path) -> Path:
    deck = tmp_path / "talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    (deck / "s.md").write_text(SLIDES)
    from deckpoll.build import compile_deck

    manifest = compile_deck(deck).manifest

    async def go() -> None:
        store = open_store(default_store_url(deck), namespace=manifest["id"])
        for poll in ("ord", "vagg", "val", "skala"):
            await store.set_status(poll, OPEN)
        for n, word in enumerate(WORDS):
            await store.add_answer(
                "ord", f"v{n}", {"text": word}, key=text_key(word), replace=False, limit=3
            )
        for n, text in enumerate(WALL):
            await store.add_answer(
                "vagg", f"v{n}", {"text": text}, key=f"k{n}", replace=False, limit=3
            )
        hidden = await store.add_answer(
            "vagg", "vh", {"text": "Dold text"}, key="h", replace=False, limit=3
        )
        await store.hide_answer("vagg", hidden.answer.id)
        await store.add_answer(
            "vagg", "vp", {"text": "Väntande text"}, key="p", replace=False, limit=3, pending=True
        )
        for n, choice in enumerate(["soppa", "soppa", "sallad"]):
            await store.add_answer(
                "val", f"v{n}", {"choice": choice}, key="", replace=True, limit=1
            )
        for n, value in enumerate([5, 4, 4, 2]):
            await store.add_answer(
                "skala", f"v{n}", {"value": value}, key="", replace=True, limit=1
            )
        for poll in ("ord", "vagg", "val", "skala"):
            await store.set_status(poll, CLOSED)
        await store.close()

    asyncio.run(go())
    save(gather(deck, None), deck)
    return deck


class Page(HTMLParser):
    """The slides of a built page: per section its index, classes and text; the scripts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.slides: list[dict] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "dp-slide" in (attrs.get("class") or ""):
            self.slides.append({"index": int(attrs["data-dp-index"]), "text": "", "tags": []})
        elif self.slides:
            self.slides[-1]["tags"].append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        elif self.slides:
            self.slides[-1]["text"] += data


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> tuple[Path, Page]:
    deck = answered_deck(tmp_path_factory.mktemp("handout"))
    out = deck.parent / "out"
    result = CliRunner().invoke(main, ["build", str(deck), "--results", "latest", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, Page((out / "index.html").read_text("utf-8"))


def test_results_are_baked_into_the_poll_slides(handout):
    out, page = handout
    text = [" ".join(s["text"].split()) for s in page.slides]
    cloud_words = [
        attrs
        for tag, attrs in page.slides[1]["tags"]
        if "dp-handout-word" in (attrs.get("class") or "")
    ]
    assert len(cloud_words) == len({text_key(w) for w in WORDS}) == 49  # every word
    assert "Tillit 2" in text[1] and "Ord44 1" in text[1]
    assert "Besvarad " in text[1] and "50 deltagare · 50 svar" in text[1]
    assert "Soppa" in text[-4] and "2 · 67 %" in text[-4] and "1 · 33 %" in text[-4]
    assert "5 – Bra" in text[-3] and "Medelvärde 3.75" in text[-3]
    assert "Öppnades aldrig" in text[-2] and "Inga svar." in text[-2]


def test_the_wall_continues_over_slides_without_hidden_or_unapproved_answers(handout):
    out, page = handout

    def view(slide: dict) -> str:
        found = [
            a.get("class") for _, a in slide["tags"] if "dp-handout " in (a.get("class") or "")
        ]
        return found[0].split()[-1] if found else ""

    wall = [s for s in page.slides if view(s) == "dp-handout-view-wall"]
    synthesis = [s for s in page.slides if view(s) == "dp-handout-view-clusters"]
    assert len(wall) == len(wall_pages(WALL)) > 1 and len(synthesis) == 1
    assert synthesis[0]["index"] == wall[-1]["index"] + 1
    assert "liknande svar samlade" in synthesis[0]["text"] and "40" in synthesis[0]["text"]
    assert [s["index"] for s in page.slides] == list(range(1, len(page.slides) + 1))
    joined = " ".join(s["text"] for s in wall)
    for text in WALL:
        assert " ".join(text.split()) in " ".join(joined.split())
    assert "Dold text" not in joined and "Väntande text" not in joined
    # the room's wall pages are counted among themselves, not with the synthesis after them
    assert f"(1 av {len(wall)})" in wall[0]["text"] and f"(2 av {len(wall)})" in wall[1]["text"]
    manifest = json.loads((out / "deckpoll.json").read_text("utf-8"))
    assert len(manifest["slides"]) == len(page.slides)
    assert [p["id"] for p in manifest["polls"]] == ["ord", "vagg", "val", "skala", "aldrig"]


def test_no_join_details_and_no_live_poll_script(handout):
    out, page = handout
    html = (out / "index.html").read_text("utf-8")
    assert "515151" not in html  # the join code
    classes = " ".join(a.get("class") or "" for s in page.slides for _, a in s["tags"])
    assert "dp-poll-join" not in classes and "dp-qr" not in classes and "dp-join" not in classes
    script = "\n".join(page.scripts)
    assert (
        "deckpollKinds" not in script and "/api/v1/" not in script and "EventSource" not in script
    )
    assert "Live-svar" not in html and "deckpoll serve" not in html


def test_bad_results_option(tmp_path):
    deck = tmp_path / "talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    (deck / "s.md").write_text(SLIDES)
    result = CliRunner().invoke(main, ["build", str(deck), "--results", "latest"])
    assert result.exit_code == 1 and "no results archive" in result.output
    result = CliRunner().invoke(main, ["build", str(deck), "--results", str(deck / "deck.yaml")])
    assert result.exit_code == 1 and "not a deckpoll results archive" in result.output


def test_cloud_sizes_fit_every_word_and_walls_split_by_length():
    many = [{"text": f"Långtord{n}", "count": 1 + n % 4} for n in range(300)]
    sized = cloud(many)
    assert len(sized) == 300 and max(w["size"] for w in sized) < 72
    few = cloud([{"text": "Tillit", "count": 3}, {"text": "Mod", "count": 1}])
    assert few[0]["size"] == 72 and few[1]["size"] < few[0]["size"]
    assert [len(p) for p in wall_pages(["x"] * 13)] == [12, 1]
    assert len(wall_pages(["y" * 280] * 5)) == 3  # the longest answers: two a slide


def test_a_poll_answered_per_table_lists_each_tables_answers(tmp_path):
    # #19: the handout follows the sharing round: the room's wall, then each table's own.
    deck = tmp_path / "bord"
    deck.mkdir()
    (deck / "deck.yaml").write_text(
        "title: Bord\nlang: sv\nslides: [s.md]\npolls:\n  code: '515151'\n"
        "  groups: [Bord A, Bord B, Bord C]\n"
    )
    (deck / "s.md").write_text("```poll\nid: vagg\nkind: open\nquestion: Vad?\ngroup: true\n```\n")
    from deckpoll.build import compile_deck

    manifest = compile_deck(deck).manifest
    tables = {label: id_ for id_, label in table_ids(manifest).items()}
    given = [("Bord A", "Alfa ett"), ("Bord B", "Beta ett"), ("Bord A", "Alfa två")]

    async def go() -> None:
        store = open_store(default_store_url(deck), namespace=manifest["id"])
        await store.set_status("vagg", OPEN)
        for n, (table, text) in enumerate(given):
            value = {"text": text, "group": tables[table]}
            await store.add_answer("vagg", f"v{n}", value, key=f"k{n}", replace=False, limit=3)
        await store.close()

    asyncio.run(go())
    save(gather(deck, None), deck)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(deck), "--results", "latest", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = [" ".join(s["text"].split()) for s in Page((out / "index.html").read_text()).slides]
    room = [t for t in text if "Alfa ett" in t and "Beta ett" in t and "liknande" not in t]
    table_a = [t for t in text if "(Bord A – 2 svar)" in t]
    table_b = [t for t in text if "(Bord B – 1 svar)" in t]
    assert len(room) == 1 and len(table_a) == 1 and len(table_b) == 1
    assert "(1 av" not in room[0]  # one page for the room: the tables' pages are not its parts
    assert "Alfa ett" in table_a[0] and "Alfa två" in table_a[0] and "Beta" not in table_a[0]
    assert "Beta ett" in table_b[0] and "Alfa" not in table_b[0]
    assert not any("Bord C" in t for t in text)  # a table without answers gets no page
