"""The persistent build cache (.deckpoll/cache): same page as a clean build, only changed
slides compiled again, bounded, safe with two builds at once, never trusting a stranger's
file."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from deckpoll import incremental
from deckpoll.build import build_compiled, compile_deck
from deckpoll.incremental import CACHE_FOLDER, load_cache

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a0e2b0a40000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch) -> Path:
    """The user's key lives here (not in the real home folder)."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    incremental._user_key.cache_clear()
    yield folder
    incremental._user_key.cache_clear()


def deck(folder: Path, slides: int = 30) -> Path:
    (folder / "img").mkdir(parents=True, exist_ok=True)
    (folder / "img" / "a.png").write_bytes(PNG)
    (folder / "deck.yaml").write_text("title: Cached\n", "utf-8")
    parts = []
    for n in range(1, slides + 1):
        if n % 10 == 0:
            parts.append(f"```poll\nid: p{n}\nkind: single\nquestion: Q{n}\noptions: [a, b]\n```\n")
        else:
            parts.append(
                f"## Slide {n}\n\n* one\n* two [ref]\n\n![a](img/a.png)\n\n```python\nx = {n}\n```"
                f"\n\n::: notes\nNotes {n}\n:::\n"
            )
    parts[-1] += "\n[ref]: #/1\n"
    (folder / "slides.md").write_text("\n---\n".join(parts), "utf-8")
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def cached_and_clean(src: Path, tmp_path: Path, name: str) -> tuple[dict, dict]:
    cached = build_compiled(src, tmp_path / f"{name}-cached", persist=True)[0]
    clean = build_compiled(src, tmp_path / f"{name}-clean")[0]
    return outputs(cached), outputs(clean)


def misses(src: Path) -> int:
    cache = load_cache(src)
    compile_deck(src, cache=cache)
    return cache.misses


def test_a_rebuild_compiles_only_the_edited_slide_and_gives_the_clean_page(tmp_path) -> None:
    src = deck(tmp_path / "deck")
    build_compiled(src, tmp_path / "first", persist=True)
    assert list((src / CACHE_FOLDER).glob("*.pickle"))
    text = (src / "slides.md").read_text("utf-8")
    (src / "slides.md").write_text(text.replace("* one", "* edited", 1), "utf-8")
    assert misses(src) == 1
    cached, clean = cached_and_clean(src, tmp_path, "edit")
    assert cached == clean


def test_cached_slides_follow_a_changed_image_and_drop_a_removed_one(tmp_path) -> None:
    src = deck(tmp_path / "deck")
    build_compiled(src, tmp_path / "first", persist=True)
    (src / "img" / "a.png").write_bytes(PNG + b"changed")  # its hashed name changes
    cached, clean = cached_and_clean(src, tmp_path, "image")
    assert cached == clean
    text = (src / "slides.md").read_text("utf-8").replace("![a](img/a.png)", "no image")
    (src / "slides.md").write_text(text, "utf-8")
    cached, clean = cached_and_clean(src, tmp_path, "removed")
    assert cached == clean
    assert not any(name.startswith("assets/") for name in cached)


def test_a_changed_reference_definition_or_setting_recompiles(tmp_path) -> None:
    src = deck(tmp_path / "deck")
    build_compiled(src, tmp_path / "first", persist=True)
    text = (src / "slides.md").read_text("utf-8")
    (src / "slides.md").write_text(text.replace("[ref]: #/1", "[ref]: #/2"), "utf-8")
    cached, clean = cached_and_clean(src, tmp_path, "ref")
    assert cached == clean
    (src / "deck.yaml").write_text("title: Cached\nlang: sv\n", "utf-8")
    cached, clean = cached_and_clean(src, tmp_path, "lang")
    assert cached == clean


def test_no_cache_is_written_when_the_deck_has_errors_or_no_cache_is_asked(tmp_path) -> None:
    from deckpoll.errors import DeckError

    src = deck(tmp_path / "deck")
    build_compiled(src, tmp_path / "out")
    assert not (src / ".deckpoll").exists()
    (src / "slides.md").write_text("![x](missing.png)\n", "utf-8")
    with pytest.raises(DeckError):
        build_compiled(src, tmp_path / "out", persist=True)
    assert not (src / ".deckpoll").exists()


def test_a_file_signed_with_another_key_or_garbage_is_ignored(tmp_path, monkeypatch) -> None:
    src = deck(tmp_path / "deck")
    build_compiled(src, tmp_path / "first", persist=True)
    [path] = (src / CACHE_FOLDER).glob("*.pickle")
    assert load_cache(src).slides
    incremental._user_key.cache_clear()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    assert not load_cache(src).slides  # another user's key: not loaded
    incremental._user_key.cache_clear()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    body = pickle.dumps({"format": incremental.CACHE_FORMAT})
    path.write_bytes(b"\0" * 32 + body)
    assert not load_cache(src).slides
    path.write_bytes(path.read_bytes()[:40])  # half a file
    assert not load_cache(src).slides
    cached, clean = cached_and_clean(src, tmp_path, "after")
    assert cached == clean


def test_another_deckpoll_version_does_not_read_the_file(tmp_path, monkeypatch) -> None:
    src = deck(tmp_path / "deck")
    build_compiled(src, tmp_path / "first", persist=True)
    assert load_cache(src).slides
    monkeypatch.setattr(incremental, "__version__", "99.0")
    assert not load_cache(src).slides


def test_the_cache_folder_stays_bounded(tmp_path, monkeypatch) -> None:
    src = deck(tmp_path / "deck", slides=3)
    for n in range(incremental.CACHE_MAX_FILES + 4):
        monkeypatch.setattr(incremental, "__version__", f"0.0.{n}")
        build_compiled(src, tmp_path / "out", persist=True)
    assert len(list((src / CACHE_FOLDER).iterdir())) == incremental.CACHE_MAX_FILES
    monkeypatch.setattr(incremental, "CACHE_MAX_BYTES", 1)
    build_compiled(src, tmp_path / "out", persist=True)
    assert len(list((src / CACHE_FOLDER).iterdir())) == 1  # the newest stays


def test_parallel_workers_fill_the_cache_too(tmp_path) -> None:
    src = deck(tmp_path / "deck", slides=400)
    cache = load_cache(src)
    parallel = compile_deck(src, cache=cache, jobs=2)
    assert len(cache.slides) == 400
    assert misses(src) == 400  # nothing was saved: compile_deck without persist
    incremental.save_cache(cache, src)
    assert misses(src) == 0
    assert compile_deck(src).html == parallel.html


def test_two_builds_at_once_both_succeed_and_leave_a_good_cache(tmp_path) -> None:
    src = deck(tmp_path / "deck", slides=200)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    for round_ in range(3):
        text = (src / "slides.md").read_text("utf-8")
        (src / "slides.md").write_text(text.replace("* one", f"* round {round_}", 1), "utf-8")
        command = [sys.executable, "-m", "deckpoll", "build", str(src), "-j", "1", "-o"]
        builds = [
            subprocess.Popen([*command, str(tmp_path / f"out{n}")], env=env, cwd=tmp_path)
            for n in range(2)
        ]
        assert [b.wait(timeout=120) for b in builds] == [0, 0]
        assert outputs(tmp_path / "out0") == outputs(tmp_path / "out1")
    assert not [p for p in (src / CACHE_FOLDER).iterdir() if p.name.startswith(".tmp-")]
    assert misses(src) == 0
    cached, clean = cached_and_clean(src, tmp_path, "final")
    assert cached == clean


def test_the_state_folder_a_build_makes_is_ignored_by_git(tmp_path) -> None:
    # The deck folder is the speaker's repository: `git add .` must not take the cache.
    src = deck(tmp_path / "deck")
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    build_compiled(src, tmp_path / "out", persist=True)
    cached = next((src / CACHE_FOLDER).glob("*.pickle"))
    check = subprocess.run(["git", "-C", str(src), "check-ignore", "-q", str(cached)])
    assert check.returncode == 0
    assert (src / ".deckpoll").stat().st_mode & 0o777 == 0o700
