"""Preview: rebuild events, the SSE stream, and the watcher, without sleep-based timing."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from deckpoll.polls import names
from deckpoll.preview import Preview, watch
from deckpoll.server.events import Client

SLIDES = ["# Title\n", "## Two\n", "## Three\n\n* a\n* b\n", "## Four\n"]


def write_deck(folder: Path, slides: list[str], deck_yaml: str = "title: T\nlang: sv\n") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "deck.yaml").write_text(deck_yaml, "utf-8")
    (folder / "slides.md").write_text("\n---\n".join(slides), "utf-8")
    return folder


def listen(preview: Preview) -> Client:
    """A browser's stream of the preview's events (call on the event loop)."""
    return preview.stream.connect(presenter=False, role="test")[0]


async def next_event(client: Client, timeout: float) -> tuple[str, dict]:
    message = await asyncio.wait_for(client.take(), timeout)
    event, data = message.decode().split("\n\n")[0].split("\n")
    return event.removeprefix("event: "), json.loads(data.removeprefix("data: "))


def test_an_edit_sends_only_the_changed_slide(tmp_path: Path) -> None:
    preview = Preview(write_deck(tmp_path, SLIDES))
    assert preview.rebuild() == ("reload", {"epoch": 1})
    write_deck(tmp_path, [SLIDES[0], "## Two, edited\n", *SLIDES[2:]])
    name, data = preview.rebuild([tmp_path / "slides.md"])
    assert name == "update"
    assert data["epoch"] == 2
    assert [c["index"] for c in data["changes"]] == [2]
    assert "Two, edited" in data["changes"][0]["html"]
    assert data["changes"][0]["html"].startswith('<section class="dp-slide')


def test_a_broken_save_keeps_the_last_good_deck_and_reports_where(tmp_path: Path, capsys) -> None:
    preview = Preview(write_deck(tmp_path, SLIDES))
    preview.rebuild()
    good = preview.page()
    write_deck(tmp_path, [*SLIDES, "```poll\nid: q\nkind: bogus\nquestion: Q\n```\n"])
    name, data = preview.rebuild([tmp_path / "slides.md"])
    assert name == "errors"
    (line,) = data["errors"]
    assert line.endswith(
        "slides.md:18:7: error: unknown kind 'bogus'; use one of: " + ", ".join(names())
    )
    assert capsys.readouterr().err == line + "\n"  # in the terminal too
    assert preview.page() == good  # GET / keeps serving the last good deck
    write_deck(tmp_path, SLIDES)
    name, data = preview.rebuild([tmp_path / "slides.md"])
    assert (name, data["changes"]) == ("update", [])
    assert preview.errors == []


def test_a_broken_save_names_the_slide_that_holds_its_first_error(tmp_path: Path) -> None:
    """The browsers go to that slide; an error outside the slides names none."""
    bad = "```poll\nid: q\nkind: bogus\nquestion: Q\n```\n"
    preview = Preview(write_deck(tmp_path, SLIDES))
    preview.rebuild()
    write_deck(tmp_path, [*SLIDES[:2], "## Three\n\n" + bad, SLIDES[3]])
    name, data = preview.rebuild([tmp_path / "slides.md"])
    assert (name, data["slide"], preview.error_slide) == ("errors", 3, 3)
    write_deck(tmp_path, [*SLIDES, bad])  # a slide the broken save added
    assert preview.rebuild([tmp_path / "slides.md"])[1]["slide"] == 5
    # in the second of two files: counted after the first file's slides
    (tmp_path / "a.md").write_text("# A\n\n---\n\n## B\n", "utf-8")
    (tmp_path / "deck.yaml").write_text("title: T\nslides: [a.md, slides.md]\n", "utf-8")
    assert preview.rebuild([tmp_path / "deck.yaml"])[1]["slide"] == 2 + 5
    # deck.yaml: no slide to show
    write_deck(tmp_path, SLIDES, deck_yaml="title: T\naspect: 5:4\n")
    assert preview.rebuild([tmp_path / "deck.yaml"]) == (
        "errors",
        {"errors": preview.errors, "slide": None},
    )
    write_deck(tmp_path, SLIDES)
    preview.rebuild([tmp_path / "deck.yaml"])
    assert preview.error_slide is None


def test_deck_settings_or_slide_count_reload_the_page(tmp_path: Path) -> None:
    preview = Preview(write_deck(tmp_path, SLIDES))
    preview.rebuild()
    write_deck(tmp_path, SLIDES, "title: Other\nlang: sv\n")
    assert preview.rebuild([tmp_path / "deck.yaml"])[0] == "reload"
    write_deck(tmp_path, [*SLIDES, "## Five\n"], "title: Other\nlang: sv\n")
    assert preview.rebuild([tmp_path / "slides.md"])[0] == "reload"


def test_the_page_carries_the_preview_script_and_epoch(tmp_path: Path) -> None:
    preview = Preview(write_deck(tmp_path, SLIDES), follow=False)
    preview.rebuild()
    page = preview.page()
    assert '"follow":false' in page and '"epoch":1' in page
    assert page.index('id="dp-preview"') > page.index('id="dp-deck"')


def test_event_stream_starts_with_a_snapshot_then_sends_published_changes(
    tmp_path: Path,
) -> None:
    """The preview's stream is the server's (events.Broadcaster): same encoder, retry hint,
    snapshot on every (re)connect, pings and shutdown."""
    preview = Preview(write_deck(tmp_path, SLIDES))
    preview.rebuild()

    async def scenario() -> list[bytes]:
        stream = preview.stream.stream(presenter=False, role="preview")
        retry, first = await anext(stream), await anext(stream)
        preview.publish(("update", {"epoch": 2, "changes": []}))
        second = await asyncio.wait_for(anext(stream), 5)
        preview.stream.close_all()  # what the server does when it stops
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(anext(stream), 5)
        return [retry, first, second]

    retry, first, second = asyncio.run(scenario())
    assert retry.startswith(b"retry: ")
    assert first == b'event: snapshot\ndata: {"epoch":1,"errors":[],"slide":null}\n\n'
    assert second == b'event: update\ndata: {"epoch":2,"changes":[]}\n\n'
    assert preview.stream.clients == set()


@pytest.mark.parametrize("poll", [False, True], ids=["events", "polling"])
def test_watcher_rebuilds_and_publishes_on_save(tmp_path: Path, poll: bool) -> None:
    deck = write_deck(tmp_path / "deck", SLIDES)
    preview = Preview(deck)
    preview.rebuild()

    async def scenario() -> tuple[str, dict]:
        client = listen(preview)
        stop = asyncio.Event()
        task = asyncio.create_task(watch(preview, poll=poll, stop=stop))
        try:
            # Save repeatedly until the watcher (which needs a moment to start) reports it.
            for attempt in range(50):
                write_deck(deck, [SLIDES[0], f"## Two ({attempt})\n", *SLIDES[2:]])
                try:
                    return await next_event(client, 0.5)
                except TimeoutError:
                    continue
            raise AssertionError("the watcher never reported the save")
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    name, data = asyncio.run(scenario())
    assert name == "update"
    assert [c["index"] for c in data["changes"]] == [2]


def test_theme_change_reloads_and_an_edited_image_updates_its_slide(tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path, ["# T\n", "## Bild\n\n![logo](logo.svg)\n"], "title: T\ntheme: brand\n"
    )
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "theme.yaml").write_text("extends: default\n")
    (tmp_path / "brand" / "theme.css").write_text(":root { --dp-accent: #123456; }\n")
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    preview = Preview(deck)
    preview.rebuild()
    (tmp_path / "brand" / "theme.css").write_text(":root { --dp-accent: #654321; }\n")
    assert preview.rebuild([tmp_path / "brand" / "theme.css"])[0] == "reload"
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="2"/>')
    name, data = preview.rebuild([tmp_path / "logo.svg"])
    assert name == "update"
    assert [c["index"] for c in data["changes"]] == [2]
    assert data["changes"][0]["html"].count("assets/logo.") == 1
    assert set(preview.good.assets) == {
        re.search(r'src="(assets/logo\.[0-9a-f]+\.svg)"', data["changes"][0]["html"]).group(1)
    }


def test_watcher_follows_the_deck_to_a_theme_folder(tmp_path: Path) -> None:
    # A theme folder must lie inside the deck (issue #12); the watcher still follows the
    # switch to it and its edits.
    deck = write_deck(tmp_path / "deck", SLIDES)
    theme = deck / "brand"
    theme.mkdir()
    (theme / "theme.yaml").write_text("extends: default\n")
    (theme / "theme.css").write_text(":root { --dp-accent: #123456; }\n")
    preview = Preview(deck)
    preview.rebuild()
    assert theme not in preview.folders()

    async def scenario() -> list[tuple[str, dict]]:
        client = listen(preview)
        stop = asyncio.Event()
        task = asyncio.create_task(watch(preview, stop=stop))
        seen = []
        try:
            # Point the deck at the theme (saved until the watcher reports it)...
            for _ in range(50):
                write_deck(deck, SLIDES, "title: T\nlang: sv\ntheme: brand\n")
                try:
                    seen.append(await next_event(client, 0.5))
                    break
                except TimeoutError:
                    continue
            # ...then edit the theme: the watcher now watches its folder too.
            for attempt in range(50):
                (theme / "theme.css").write_text(
                    f":root {{ --dp-accent: #65432{attempt % 10}; }}\n"
                )
                try:
                    seen.append(await next_event(client, 0.5))
                    break
                except TimeoutError:
                    continue
            return seen
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    seen = asyncio.run(scenario())
    assert [name for name, _ in seen] == ["reload", "reload"]
    assert theme.resolve() in preview.folders()
    assert "--dp-accent:#65432" in preview.good.html
