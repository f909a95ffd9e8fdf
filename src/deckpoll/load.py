"""Load stage: find a deck's files on disk and read them (the only reading stage)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deckpoll.errors import DeckError, DeckpollError, Diagnostic, Location, Reporter

CONFIG_NAME = "deck.yaml"
FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)\s*$")
KEY_LINE = re.compile(r"^[A-Za-z_][\w-]*\s*:(\s|$)")


OUTSIDE_HINT = "copy the file into the deck folder and refer to it by a relative path"


@functools.cache
def builtin_themes() -> Path:
    """The folder of the built-in themes (package data), resolved: the package
    `deckpoll.themes`, which an editable install maps to the repository's themes/ (found
    through importlib's spec; importlib.resources would cost every build some 8 ms of
    imports for the same path)."""
    import importlib.util

    spec = importlib.util.find_spec("deckpoll.themes")
    if spec is None or not spec.submodule_search_locations:
        raise DeckpollError("deckpoll's built-in themes are missing; reinstall deckpoll")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def confined(path: Path, roots: tuple[Path, ...]) -> Path | None:
    """`path` resolved (symlinks followed) if it lies inside one of `roots`, else None.

    Every file the build reads goes through here: a deck is built and served to a room,
    so `../../etc/passwd`, `/etc/hostname` or a symlink out of the deck must never be
    read, copied or inlined."""
    resolved = Path(path).resolve()
    if any(resolved.is_relative_to(root) for root in roots):
        return resolved
    return None


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file; front matter lines are blanked so token lines equal file lines."""

    path: Path
    text: str


@dataclass(frozen=True)
class DeckSource:
    """Where a deck lives and the text of its configuration."""

    root: Path
    name: str
    config_text: str
    config_origin: Location
    single_file: SourceFile | None

    @property
    def roots(self) -> tuple[Path, ...]:
        """Where the build may read files: the deck folder and the built-in themes."""
        return (self.root, builtin_themes())


def locate(path: Path) -> DeckSource:
    """The deck at `path`: a folder with deck.yaml, or one .md file with front matter."""
    path = path.resolve()
    if path.is_dir():
        config = path / CONFIG_NAME
        if not config.is_file():
            raise DeckError(
                [
                    Diagnostic(
                        "error",
                        Location(path),
                        f"no {CONFIG_NAME} here; a deck is "
                        f"a folder with {CONFIG_NAME} and slides.md, or one .md "
                        "file (`deckpoll new NAME` makes one)",
                    )
                ]
            )
        if confined(config, (path,)) is None:
            raise DeckError([Diagnostic("error", Location(config), _outside("deck.yaml"))])
        return DeckSource(path, path.name, read_text(config), Location(config, 1, 1), None)
    if path.is_file() and path.suffix.lower() in (".md", ".markdown"):
        text = read_text(path)
        config_text, body, first = split_front_matter(text)
        source = SourceFile(path, body)
        return DeckSource(path.parent, path.stem, config_text, Location(path, first, 1), source)
    raise DeckError(
        [
            Diagnostic(
                "error",
                Location(path),
                ("no such file or folder" if not path.exists() else "not a deck")
                + f": give a folder with {CONFIG_NAME} or a Markdown file",
            )
        ]
    )


def read_text(path: Path) -> str:
    """A source file as text (UTF-8, BOM dropped, newlines normalised)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeckError(
            [
                Diagnostic(
                    "error", Location(path, line, 1), "the file is not UTF-8 text; save it as UTF-8"
                )
            ]
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str) -> tuple[str, str, int]:
    """(front matter YAML, Markdown with those lines blanked, 1-based first YAML line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return "", text, 1
    for index in range(1, len(lines)):
        if FRONT_MATTER_END.match(lines[index]):
            yaml_text = "\n".join(lines[1:index])
            if not _is_mapping(yaml_text):
                break  # `---` then Markdown: a slide separator, as Marp and reveal-md write it
            body = "\n" * (index + 1) + "\n".join(lines[index + 1 :])
            return yaml_text, body, 2
    return "", text, 1


def _is_mapping(yaml_text: str) -> bool:
    """Whether the lines after a leading `---` are front matter: a YAML mapping, or text
    meant as one (it opens with `key:`) whose syntax error should then be reported."""
    import yaml

    from deckpoll.yamlsrc import compose_node

    try:
        node = compose_node(yaml_text)
    except yaml.YAMLError:
        first = next((ln for ln in yaml_text.split("\n") if ln.strip()[:1] not in ("", "#")), "")
        return bool(KEY_LINE.match(first))
    return node is None or isinstance(node, yaml.MappingNode)


def slide_files(
    source: DeckSource,
    names: tuple[str, ...],
    reporter: Reporter,
    where: Location,
    item_at: Callable[[int], Location] | None = None,
) -> list[SourceFile]:
    """The Markdown files of a folder deck, in order (deck.yaml `slides:`, else slides.md or
    every .md file but README.md in name order)."""
    if source.single_file is not None:
        return [source.single_file]
    if not names:
        default = source.root / "slides.md"
        paths = (
            [default]
            if default.is_file()
            else sorted(p for p in source.root.glob("*.md") if p.name.lower() != "readme.md")
        )
        if not paths:
            reporter.error(
                where, "no slides: add slides.md next to deck.yaml or list files under `slides:`"
            )
        inside = [p for p in paths if confined(p, (source.root,)) is not None]
        for outside in sorted(set(paths) - set(inside)):
            reporter.error(Location(outside), _outside(outside.name))
        return [SourceFile(p, read_text(p)) for p in inside]
    files = []
    for index, name in enumerate(names):
        path = (source.root / name).resolve()
        if confined(path, (source.root,)) is None:
            reporter.error(item_at(index) if item_at else where, _outside(f"slide file {name!r}"))
            continue
        if not path.is_file():
            reporter.error(
                where,
                f"slide file {name!r} not found next to deck.yaml; check the name under `slides:`",
            )
            continue
        files.append(SourceFile(path, read_text(path)))
    return files


def _outside(what: str) -> str:
    return f"{what} lies outside the deck folder (after following symlinks); {OUTSIDE_HINT}"
