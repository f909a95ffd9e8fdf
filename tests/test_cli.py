"""The command line: CliRunner for each command, and one real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from deckpoll.cli import main
from deckpoll.polls import names

ROOT = Path(__file__).resolve().parents[1]


def test_new_scaffolds_a_deck_that_builds_and_checks(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "my-talk"
    result = runner.invoke(main, ["new", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == [".gitignore", "deck.yaml", "slides.md"]
    assert {"dist/", ".deckpoll/"} <= set((target / ".gitignore").read_text().split())
    result = runner.invoke(main, ["check", str(target), "--strict"])
    assert result.exit_code == 0, result.output
    assert "ok: 3 slides, 1 polls, 0 warning(s)" in result.output
    result = runner.invoke(main, ["build", str(target), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "deckpoll.json").read_text())
    assert manifest["title"] == "My talk"
    assert len(manifest["polls"]) == 1


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(main, ["new", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "exists and is not empty" in result.output


def test_build_defaults_to_dist_deck_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["new", "talk"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "talk")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "talk" / "dist" / "talk" / "index.html").is_file()


def test_errors_print_locations_without_traceback_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text("title: T\nlangg: sv\n")
    (tmp_path / "slides.md").write_text("# T\n\n```poll\nid: q\nkind: bogus\nquestion: Q\n```\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].endswith(
        "deck.yaml:2:1: warning: unknown deck key 'langg'; did you mean 'lang'?"
    )
    assert lines[1].endswith(
        "slides.md:5:7: error: unknown kind 'bogus'; use one of: " + ", ".join(names())
    )
    assert lines[2] == "1 error(s); nothing was written"
    assert "Traceback" not in result.output
    assert not (tmp_path / "dist").exists()


def test_check_strict_fails_on_warnings(tmp_path: Path) -> None:
    (tmp_path / "deck.yaml").write_text("title: T\ncolour: red\n")
    (tmp_path / "slides.md").write_text("# T\n")
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(tmp_path)]).exit_code == 0
    strict = runner.invoke(main, ["check", str(tmp_path), "--strict"])
    assert strict.exit_code == 1
    assert "deck.yaml:2:1: error: unknown deck key 'colour'" in strict.output


def test_python_dash_m_builds_the_vinnova_deck_in_a_real_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "deckpoll",
            "build",
            str(ROOT / "decks" / "vinnova-innovation"),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"built {out / 'index.html'}: ")
    assert result.stdout.strip().endswith("polls, 0 warning(s)")
    assert (out / "index.html").stat().st_size > 10_000
    assert json.loads((out / "deckpoll.json").read_text())["lang"] == "sv"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("deckpoll, version ")


def test_results_exports_every_poll_and_says_when_nothing_is_stored(tmp_path: Path) -> None:
    runner = CliRunner()
    deck = ROOT / "decks" / "vinnova-innovation"
    result = runner.invoke(main, ["results", str(deck), "--format", "json", "--store", "memory://"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [p["id"] for p in data["polls"]] == ["fokus", "involverade", "fragor"]
    missing = runner.invoke(main, ["results", str(tmp_path / "nowhere.md")])
    assert missing.exit_code == 1


def test_every_command_shares_one_error_path(tmp_path: Path) -> None:
    """A DeckpollError from any command, including one added later without its own
    try/except, prints `error: ...` without a traceback and exits 1."""
    import click

    from deckpoll.errors import DeckpollError

    @click.command("explode")
    def explode() -> None:
        raise DeckpollError("the store at nowhere:// will not open; check --store")

    main.add_command(explode)
    try:
        result = CliRunner().invoke(main, ["explode"])
    finally:
        main.commands.pop("explode")
    assert result.exit_code == 1
    assert result.output.strip() == "error: the store at nowhere:// will not open; check --store"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "x").write_text("x")
    result = CliRunner().invoke(main, ["new", str(taken)])
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "not empty" in result.output


def test_build_jobs_takes_a_count_or_auto_and_names_a_bad_value(
    tmp_path: Path, monkeypatch
) -> None:
    import deckpoll.build

    seen = []
    real = deckpoll.build.build_compiled
    monkeypatch.setattr(
        deckpoll.build, "build_compiled", lambda *a, **kw: seen.append(kw["jobs"]) or real(*a, **kw)
    )
    runner = CliRunner()
    assert runner.invoke(main, ["new", str(tmp_path / "t")]).exit_code == 0
    for value, jobs in (("1", 1), ("3", 3), ("auto", 0), ("AUTO", 0)):
        result = runner.invoke(
            main, ["build", str(tmp_path / "t"), "-o", str(tmp_path / "o"), "-j", value]
        )
        assert result.exit_code == 0, result.output
        assert seen[-1] == jobs
    result = runner.invoke(main, ["build", str(tmp_path / "t"), "--jobs", "two"])
    assert result.exit_code == 2
    assert "'two': give a number from 1 to 64, or auto" in result.output
