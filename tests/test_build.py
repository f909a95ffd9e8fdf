"""Build end to end: the page, the manifest, assets, and what may not be in the page."""

from __future__ import annotations

import base64
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from deckpoll.build import build, compile_deck

ROOT = Path(__file__).resolve().parents[1]
VINNOVA = ROOT / "decks" / "vinnova-innovation"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html_attrs: dict[str, str | None] = {}
        self.sections: list[dict[str, str | None]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_attrs = attributes
        if tag == "section" and "dp-slide" in (attributes.get("class") or "").split():
            self.sections.append(attributes)
        if tag == "script":
            self.scripts.append(attributes)


def test_vinnova_deck_builds_into_a_self_contained_page(tmp_path: Path) -> None:
    out = build(VINNOVA, tmp_path / "out")
    html = (out / "index.html").read_text("utf-8")
    page = Page(html)
    manifest = json.loads((out / "deckpoll.json").read_text("utf-8"))
    assert page.html_attrs["lang"] == "sv"
    assert len(page.sections) == len(manifest["slides"]) >= 15
    assert [s["data-dp-index"] for s in page.sections] == [
        str(i) for i in range(1, len(page.sections) + 1)
    ]
    questions = {p["question"] for p in manifest["polls"]}
    assert {
        "Vilka faktorer bör vi fokusera på för att stärka den egna innovationsförmågan i "
        "offentlig sektor?",
        "Vilka skulle behöva vara involverade?",
    } <= questions
    for question in questions:
        assert question in html
    # Zero requests to other hosts: every src is relative or data:, no <link>, no CSS import.
    sources = re.findall(r"\bsrc=[\"']([^\"']+)", html)
    assert not [u for u in sources if re.match(r"([a-z]+:)?//", u, re.I)]
    assert not re.search(r"<link\b|@import|url\(\s*[\"']?(https?:)?//", html)
    assert all(s.get("src") is None and s.get("type") != "module" for s in page.scripts)
    assert "XXX" not in html


def test_manifest_lists_slides_polls_and_a_content_hash(tmp_path: Path) -> None:
    compiled = compile_deck(VINNOVA)
    manifest = compiled.manifest
    assert manifest["id"] == "vinnova-innovation"
    assert manifest["lang"] == "sv"
    assert manifest["polls_config"]["code"] == "490296"
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", manifest["hash"])
    for poll in manifest["polls"]:
        slide = manifest["slides"][poll["slide"] - 1]
        assert slide["poll"] == poll["id"]
        assert set(poll) >= {"id", "kind", "question", "options"}
    again = compile_deck(VINNOVA).manifest
    assert again["hash"] == manifest["hash"]
    other = compile_deck(VINNOVA, join_url="http://127.0.0.1:8000/join").manifest
    assert other["hash"] != manifest["hash"]


def image_deck(folder: Path, uses: int) -> Path:
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "dot.png").write_bytes(PNG)
    (folder / "deck.yaml").write_text("title: Images\n", "utf-8")
    slides = "\n---\n".join(f"## {n}\n\n![dot {n}](img/dot.png)\n" for n in range(uses))
    slides += "\n---\n<!-- slide: {background: img/dot.png} -->\n## bg\n"
    (folder / "slides.md").write_text(slides, "utf-8")
    return folder


def test_each_distinct_image_is_copied_once_with_a_content_hash(tmp_path: Path) -> None:
    out = build(image_deck(tmp_path / "deck", 30), tmp_path / "out")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    (asset,) = [f for f in files if f.startswith("assets/")]
    assert re.fullmatch(r"assets/dot\.[0-9a-f]{10}\.png", asset)
    assert (out / asset).read_bytes() == PNG
    html = (out / "index.html").read_text("utf-8")
    assert html.count(f'src="{asset}"') == 30
    assert f"--dp-slide-bg: url('{asset}')" in unescape(html)


def test_single_file_inlines_each_image_once(tmp_path: Path) -> None:
    out = build(image_deck(tmp_path / "deck", 5), tmp_path / "out", single_file=True)
    assert sorted(p.name for p in out.iterdir()) == ["deckpoll.json", "index.html"]
    html = (out / "index.html").read_text("utf-8")
    assert html.count("data:image/png;base64," + base64.b64encode(PNG).decode()) == 1
    (css_class,) = set(re.findall(r'<img [^>]*class="(dp-asset-[0-9a-f]{10})"', html))
    assert html.count(f'class="{css_class}"') == 5
    assert f"--dp-slide-bg: var(--{css_class})" in html
    assert "<img src=" not in html


def test_page_shape_follows_the_documented_contract(tmp_path: Path) -> None:
    compiled = compile_deck(VINNOVA)
    page = Page(compiled.html)
    assert page.html_attrs["class"] == "dp-nojs"
    first, poll = page.sections[0], None
    assert first["aria-roledescription"] == "bild"
    assert first["aria-label"] == f"1 av {len(page.sections)}"
    for section in page.sections:
        if section.get("data-dp-poll"):
            poll = section
            break
    assert poll is not None and poll["data-dp-layout"] == "poll"
    config = json.loads(re.search(r'id="dp-config">(.*?)</script>', compiled.html).group(1))
    assert config["count"] == len(page.sections)
    assert (config["width"], config["height"]) == (1280, 720)
    assert config["polls"]["code"] == "490296"


def test_poll_slide_has_join_code_qr_and_results_hooks(tmp_path: Path) -> None:
    html = compile_deck(VINNOVA, join_url="http://192.168.1.20:8000/490296").html
    block = html[html.index('data-dp-poll-id="fokus"') :]
    block = block[: block.index("</section>")]
    assert 'data-dp-poll-kind="wordcloud"' in block
    assert "data-dp-join-code>490296<" in block
    assert 'href="http://192.168.1.20:8000/490296"' in block
    assert "<svg" in block and "data-dp-qr" in block
    assert "data-dp-results" in block
    # The link holds the code: nothing to type (no "ange koden"), and no hint for the author.
    assert "ange koden" not in block and "Svara i mobilen" in block
    assert "data-dp-offline" not in block and "deckpoll serve" not in block
    elsewhere = compile_deck(VINNOVA, join_url="http://192.168.1.20:8000/join").html
    assert "ange koden" in elsewhere[elsewhere.index('data-dp-poll-id="fokus"') :]
    without = compile_deck(VINNOVA).html
    assert "<svg" not in without[without.index('data-dp-poll-id="fokus"') :].split("</section>")[0]


def test_parallel_build_gives_the_same_page(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "a.png").write_bytes(PNG)
    (folder / "deck.yaml").write_text("title: Big\n", "utf-8")
    parts = []
    for n in range(1, 701):
        if n % 50 == 0:
            parts.append(f"```poll\nid: p{n}\nkind: single\nquestion: Q{n}\noptions: [a, b]\n```\n")
        else:
            parts.append(f"## {n}\n\n* x\n* y\n\n![a](img/a.png)\n\n```python\nx = {n}\n```\n")
    (folder / "slides.md").write_text("\n---\n".join(parts), "utf-8")
    serial = compile_deck(folder, jobs=1)
    parallel = compile_deck(folder, jobs=2)
    assert parallel.html == serial.html
    assert parallel.manifest == serial.manifest
    assert parallel.assets == serial.assets


def test_parallel_build_reports_errors_from_every_batch(tmp_path: Path) -> None:
    import pytest

    from deckpoll.errors import DeckError

    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "deck.yaml").write_text("title: Big\n", "utf-8")
    parts = [f"## {n}\n" for n in range(1, 601)]
    parts[10] = "![x](nope-a.png)\n"
    parts[590] = "![x](nope-b.png)\n"
    (folder / "slides.md").write_text("\n---\n".join(parts), "utf-8")
    with pytest.raises(DeckError) as caught:
        compile_deck(folder, jobs=2)
    assert [d.message.split("'")[1] for d in caught.value.diagnostics] == [
        "nope-a.png",
        "nope-b.png",
    ]


def test_slide_size_is_on_the_root_element_before_any_script_runs(tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text('title: T\naspect: "4:3"\n', "utf-8")
    (tmp_path / "slides.md").write_text("# T\n", "utf-8")
    html = compile_deck(tmp_path).html
    assert '<html lang="en" class="dp-nojs" style="--dp-width:960px;--dp-height:720px;' in html


def test_jobs_auto_goes_parallel_only_for_large_decks_and_free_cores(monkeypatch) -> None:
    from deckpoll import compose

    monkeypatch.setattr(compose, "free_cores", lambda: 2)
    assert compose.processes(0, 1000) == 1  # measured slower in two processes
    assert compose.processes(0, 5000) == 2
    monkeypatch.setattr(compose, "free_cores", lambda: 1)
    assert compose.processes(0, 5000) == 1  # the other core is busy
    assert compose.processes(1, 5000) == 1  # the switch that turns it off
    assert compose.processes(4, 1000) == 4
    assert compose.processes(4, 300) == 2  # at least BATCH_MIN_SLIDES a process
    assert compose.processes(2, 20) == 1


def test_free_cores_subtracts_the_load_but_never_goes_below_one(monkeypatch) -> None:
    import os

    from deckpoll import compose

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 0, 0))
    assert compose.free_cores() == 2  # the load is this process
    monkeypatch.setattr(os, "getloadavg", lambda: (2.0, 0, 0))
    assert compose.free_cores() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (12.0, 0, 0))
    assert compose.free_cores() == 1


def test_a_large_page_is_hashed_and_written_in_pieces_with_the_same_bytes(tmp_path: Path) -> None:
    import hashlib

    from deckpoll.build import build_manifest
    from deckpoll.render import Join
    from deckpoll.write import _atomic_write

    page = "a" * ((1 << 20) - 1) + "åäö€" * 1000  # multi-byte characters across a piece edge
    _atomic_write(tmp_path / "index.html", page)
    assert (tmp_path / "index.html").read_bytes() == page.encode("utf-8")
    folder = tmp_path / "deck"
    folder.mkdir()
    (folder / "deck.yaml").write_text("title: T\n", "utf-8")
    (folder / "slides.md").write_text("# T\n", "utf-8")
    compiled = compile_deck(folder)
    manifest = build_manifest(compiled.deck, Join(None, None), page)
    rest = {key: value for key, value in manifest.items() if key not in ("slides", "hash")}
    whole = hashlib.sha256(json.dumps(rest, sort_keys=True, ensure_ascii=False).encode())
    whole.update(page.encode())
    assert manifest["hash"] == "sha256:" + whole.hexdigest()


def test_a_deck_without_polls_carries_no_poll_runtime(tmp_path: Path) -> None:
    """The results' drawing, the kinds and the speaker's poll console stay out of a deck
    without polls; the link to the server (presenter key, notes) is in both."""
    from deckpoll.build import compile_deck

    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "slides.md").write_text("# One\n\n---\n\n## Two\n", "utf-8")
    (tmp_path / "poll").mkdir()
    (tmp_path / "poll" / "slides.md").write_text(
        "# One\n\n---\n\n```poll\nid: q\nkind: wordcloud\nquestion: Ord?\n```\n", "utf-8"
    )
    plain = compile_deck(tmp_path / "plain" / "slides.md").html
    poll = compile_deck(tmp_path / "poll" / "slides.md").html
    for mark in ("deckpollKinds", "dp-con-", "dp-poll-bars", "dp.polls=this", ".dp-poll-bar"):
        assert mark in poll and mark not in plain, mark
    for mark in ("dp.link=this", "api/v1/notes", "api/v1/state"):
        assert mark in poll and mark in plain, mark
    assert len(poll) - len(plain) > 20_000


def test_the_audience_page_is_made_only_when_asked_for(tmp_path: Path) -> None:
    """`deckpoll build` writes the presenter's page alone: rendering every slide with notes
    a second time (for a server's audience page) waits until a server asks."""
    from deckpoll.build import compile_deck

    (tmp_path / "slides.md").write_text("# One\n\nNote: SECRET\n\n---\n\n## Two\n", "utf-8")
    compiled = compile_deck(tmp_path / "slides.md")
    assert "audience_html" not in vars(compiled)  # not made yet
    assert "SECRET" in compiled.html and "SECRET" not in compiled.audience_html
    assert "audience_html" in vars(compiled)  # kept once made
