"""Answers left from a rehearsal: `deckpoll serve` warns about them, `--fresh` archives them
to DECK/results/ and starts empty (never a silent delete)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from deckpoll.archive import Leftovers, archive_path, leftovers, start_fresh, warning
from deckpoll.build import compile_deck
from deckpoll.errors import DeckpollError
from deckpoll.server.run import default_store_url
from deckpoll.stores.base import NEW, OPEN, open_store

DECK_YAML = 'title: Övning\nlang: sv\nslides: [s.md]\npolls:\n  code: "515151"\n'
SLIDES = "# Hej\n\n---\n\n```poll\nid: ord\nkind: wordcloud\nquestion: Ett ord?\n```\n"


def make_deck(tmp_path: Path) -> Path:
    deck = tmp_path / "talk"
    deck.mkdir()
    (deck / "deck.yaml").write_text(DECK_YAML)
    (deck / "s.md").write_text(SLIDES)
    return deck


def rehearse(deck: Path, words: list[str]) -> str:
    """Answers stored as a rehearsal with `serve` would have left them."""
    manifest = compile_deck(deck).manifest
    url = default_store_url(deck)

    async def go() -> None:
        store = open_store(url, namespace=manifest["id"])
        await store.set_status("ord", OPEN)
        for n, word in enumerate(words):
            await store.add_answer(
                "ord", f"voter-{n}", {"text": word}, key=word, replace=False, limit=3
            )
        await store.set_meta("state", '{"slide": 2, "fragment": 0}')
        await store.close()

    asyncio.run(go())
    return url


def test_leftovers_and_the_warning_say_how_many_from_when_and_how_to_start_clean(tmp_path):
    deck = make_deck(tmp_path)
    url = rehearse(deck, ["mod", "tillit", "tid"])
    manifest = compile_deck(deck).manifest

    async def count() -> Leftovers:
        store = open_store(url, namespace=manifest["id"])
        try:
            return await leftovers(store, manifest)
        finally:
            await store.close()

    found = asyncio.run(count())
    assert found.total == 3 and found.counts == (("ord", 3),)
    text = warning(found, deck)
    assert "already holds 3 answers" in text and "ord 3" in text
    assert datetime.fromtimestamp(found.first).strftime("%Y-%m-%d %H:%M") in text
    assert f"deckpoll serve {deck} --fresh" in text and str(deck / "results") in text


def test_archive_names_never_overwrite(tmp_path):
    now = datetime(2026, 11, 29, 9, 5, 7)
    first = archive_path(tmp_path, now)
    assert first == tmp_path / "results" / "2026-11-29-090507.json"
    first.parent.mkdir()
    first.write_text("{}")
    assert archive_path(tmp_path, now).name == "2026-11-29-090507-2.json"


def test_start_fresh_archives_then_empties(tmp_path):
    deck = make_deck(tmp_path)
    url = rehearse(deck, ["mod", "tillit"])
    manifest = compile_deck(deck).manifest

    async def go():
        store = open_store(url, namespace=manifest["id"])
        try:
            path = await start_fresh(store, manifest, deck)
            return (
                path,
                await store.answers("ord"),
                await store.polls(),
                await store.get_meta("state"),
            )
        finally:
            await store.close()

    path, answers, polls, state = asyncio.run(go())
    assert answers == [] and polls["ord"].status == NEW and json.loads(state)["slide"] == 1
    archived = json.loads(path.read_text("utf-8"))
    (poll,) = archived["polls"]
    assert [a["answer"] for a in poll["answers"]] == ["mod", "tillit"]
    assert {a["voter"] for a in poll["answers"]} == {"p1", "p2"}  # no voter tokens kept
    assert "voter-0" not in path.read_text("utf-8")


def test_an_archive_that_cannot_be_written_clears_nothing(tmp_path):
    deck = make_deck(tmp_path)
    url = rehearse(deck, ["mod"])
    (deck / "results").write_text("a file where the folder should be")
    manifest = compile_deck(deck).manifest

    async def go():
        store = open_store(url, namespace=manifest["id"])
        try:
            with pytest.raises(DeckpollError, match="nothing was cleared"):
                await start_fresh(store, manifest, deck)
            return await store.answers("ord")
        finally:
            await store.close()

    assert len(asyncio.run(go())) == 1


def serve_output(deck: Path, *extra: str) -> str:
    """Start `deckpoll serve`, wait until it answers (what it prints at start is printed
    by then), stop it, and return all it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "deckpoll", "serve", str(deck), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = re.search(r"Presenter: (http://\S+)", "".join(lines))
            if found:
                try:
                    httpx.get(found.group(1), timeout=2)
                    break
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
    finally:
        os.kill(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        reader.join(timeout=5)
        proc.stdout.close()
    return "".join(lines)


def test_serve_warns_and_fresh_starts_empty_keeping_the_old_answers(tmp_path):
    deck = make_deck(tmp_path)
    rehearse(deck, ["mod", "tillit", "tid"])
    text = serve_output(deck)
    assert "warning: the store already holds 3 answers to this deck" in text, text
    assert "--fresh" in text
    text = serve_output(deck, "--fresh")
    assert "warning" not in text, text
    archived = re.search(r"Fresh start: the earlier answers are archived in (\S+\.json)", text)
    assert archived, text
    data = json.loads(Path(archived.group(1)).read_text("utf-8"))
    assert len(data["polls"][0]["answers"]) == 3
    assert Path(archived.group(1)).parent == deck / "results"
    again = serve_output(deck)
    assert "warning" not in again and "Fresh start" not in again, again
