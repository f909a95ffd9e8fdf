"""What every importer shares: source lines with their line numbers, the slide being built,
warnings at the source's file:line, and Markdown passes that know about code fences."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from deckpoll.errors import Location, Reporter

# A line of source text and its 1-based line number in the file it came from.
Line = tuple[int, str]

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BULLET = re.compile(r"^(\s*)([-*+])(\s+)")
ORDERED = re.compile(r"^(\s*)\d{1,9}[.)](\s+)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
# Classes a built-in deckpoll theme styles (themes/default/theme.css).
DECKPOLL_CLASSES = ("dark", "cards", "center")
# Another tool's theme names that are dark; the rest become deckpoll's default theme.
DARK_THEMES = frozenset(
    "black night league blood moon dracula black-contrast dark invert uncover-invert".split()
)
MAX_SLIDES = 5000


@dataclass
class Slide:
    """One slide on its way to deckpoll Markdown; `background` is a deck-relative reference
    until the image pass has copied it."""

    path: Path
    line: int
    body: list[Line]
    notes: list[Line] = field(default_factory=list)
    layout: str | None = None
    classes: list[str] = field(default_factory=list)
    background: str | None = None
    background_line: int = 0
    id: str | None = None


@dataclass
class ImportContext:
    """One import: where the source deck lives, what it found, and what it warned about."""

    root: Path
    reporter: Reporter
    tool: str
    config: dict = field(default_factory=dict)
    # Output path (relative, POSIX) -> source file, for the images the slides use.
    images: dict[str, Path] = field(default_factory=dict)
    # Slidev's `/x.png` means `public/x.png`.
    public: Path | None = None
    reported: set = field(default_factory=set)

    def warn(self, path: Path, line: int, message: str, col: int = 1) -> None:
        """Report once, however many slides inherit the construct."""
        where = Location(path, max(line, 1), max(col, 1))
        if (where, message) not in self.reported:
            self.reported.add((where, message))
            self.reporter.warning(where, message)

    def drop(
        self, path: Path, line: int, what: str, why: str = "deckpoll has no equivalent"
    ) -> None:
        """Warn that a construct was left out of the imported deck."""
        self.warn(path, line, f"{what} dropped: {why}")


def read_source(path: Path, ctx: ImportContext) -> str:
    """A source file as text; a file that is not UTF-8 is read as Latin-1, with a warning."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        ctx.warn(path, line, "the file is not UTF-8; read it as Latin-1 (check accents)")
        text = data.decode("latin-1")
    # U+FEFF inside the text is invisible, but a reader takes it for a BOM at the file start.
    text = text.replace("\ufeff", "")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def numbered(text: str, first: int = 1) -> list[Line]:
    return [(first + index, line) for index, line in enumerate(text.split("\n"))]


def front_matter(lines: list[Line], path: Path, ctx: ImportContext) -> tuple[dict, list[Line]]:
    """The YAML mapping between a first `---` line and the next `---`/`...`, and the rest."""
    if not lines or lines[0][1].strip() != "---":
        return {}, lines
    for index in range(1, len(lines)):
        if lines[index][1].rstrip() in ("---", "..."):
            data = parse_mapping(lines[1:index], path, ctx)
            return data, lines[index + 1 :]
    return {}, lines


class _Loader(yaml.SafeLoader):
    """YAML as the tools read it (YAML 1.2-like): `4:3` and `16:9` stay text, not the
    base-60 integers of YAML 1.1."""


for _digit in "0123456789":
    _Loader.yaml_implicit_resolvers[_digit] = [
        ("tag:yaml.org,2002:str", re.compile(r"^\d+:\d+$")),
        *yaml.SafeLoader.yaml_implicit_resolvers.get(_digit, []),
    ]


def load_yaml(text: str) -> object:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def parse_mapping(lines: list[Line], path: Path, ctx: ImportContext) -> dict:
    """A YAML mapping from source lines; anything else is a warning and an empty mapping."""
    first = lines[0][0] if lines else 1
    text = "\n".join(text for _, text in lines)
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        ctx.warn(path, line, f"front matter is not valid YAML ({problem}); ignored")
        return {}
    except RecursionError:
        ctx.warn(path, first, "front matter is nested too deeply; ignored")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        ctx.warn(path, first, "front matter is not a YAML mapping (`key: value` lines); ignored")
        return {}
    return {str(key): value for key, value in data.items()}


def fence_mask(lines: list[Line]) -> list[bool]:
    """For each line, whether it belongs to a fenced code block (fence lines included)."""
    return _fences(lines)[0]


def open_fence(lines: list[Line]) -> str | None:
    """The fence still open after the last line (a block the author left unclosed)."""
    return _fences(lines)[1]


def _fences(lines: list[Line]) -> tuple[list[bool], str | None]:
    mask: list[bool] = []
    fence: str | None = None
    for _, text in lines:
        match = FENCE.match(text)
        if fence is None:
            if match:
                fence = match.group(1)
            mask.append(fence is not None)
        else:
            mask.append(True)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                if not text.strip().strip(fence[0]):
                    fence = None
    return mask, fence


def code_mask(lines: list[Line]) -> list[bool]:
    """For each line, whether deckpoll's Markdown parser reads it as code (a fence or an
    indented block): exact where `fence_mask` guesses (a fence inside an HTML block is not
    one)."""
    from deckpoll.markdown.parser import markdown

    mask = [False] * len(lines)
    for token in markdown().parse("\n".join(text for _, text in lines)):
        if token.type in ("fence", "code_block") and token.map:
            for index in range(token.map[0], min(token.map[1], len(lines))):
                mask[index] = True
    return mask


def rewrite_prose(
    lines: list[Line], rewrite: Callable[[str, list[int]], str], exact: bool = False
) -> list[Line]:
    """Rewrite each run of lines outside code blocks as one text (an HTML tag may span
    lines); `rewrite(text, line_numbers)` returns the new text of the run. `exact` finds
    the code as deckpoll's parser does (slower)."""
    out: list[Line] = []
    run: list[Line] = []
    mask = code_mask(lines) if exact else fence_mask(lines)
    for line, fenced in zip([*lines, (0, "")], [*mask, True], strict=True):
        if not fenced:
            run.append(line)
            continue
        if run:
            numbers = [number for number, _ in run]
            text = rewrite("\n".join(t for _, t in run), numbers)
            out += [(numbers[min(i, len(numbers) - 1)], t) for i, t in enumerate(text.split("\n"))]
            run = []
        out.append(line)
    return out[:-1]


def split_at(lines: list[Line], is_separator: Callable[[str], bool]) -> list[list[Line]]:
    """Cut at separator lines outside code fences (the separators themselves are dropped)."""
    parts: list[list[Line]] = [[]]
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        if not fenced and is_separator(text):
            parts.append([])
        else:
            parts[-1].append((number, text))
    return parts


@dataclass(frozen=True)
class Comment:
    """An HTML comment found in a slide: where it starts, its text, and whether the line held
    nothing else."""

    line: int
    text: str
    alone: bool


def take_comments(lines: list[Line]) -> tuple[list[Line], list[Comment]]:
    """Remove HTML comments outside code (fences and inline code) and return them. A line that
    held only a comment becomes blank, so that paragraphs around it stay apart."""
    kept: list[Line] = []
    comments: list[Comment] = []
    open_at, parts, before_blank = 0, [], True
    for (number, text), fenced in zip(lines, fence_mask(lines), strict=True):
        if fenced and not open_at:
            kept.append((number, text))
            continue
        out, rest = "", text
        while True:
            if not open_at:
                start = _comment_start(rest)
                if start < 0:
                    out += rest
                    break
                out += rest[:start]
                rest, open_at, parts, before_blank = rest[start + 4 :], number, [], not out.strip()
            end = rest.find("-->")
            if end < 0:
                parts.append(rest)
                break
            parts.append(rest[:end])
            rest = rest[end + 3 :]
            alone = before_blank and (not rest.strip() or rest.lstrip().startswith("<!--"))
            comments.append(Comment(open_at, "\n".join(parts).strip(), alone))
            open_at = 0
        kept.append((number, out.rstrip() if out.strip() else ""))
    if open_at:
        comments.append(Comment(open_at, "\n".join(parts).strip(), True))
    return kept, comments


def _comment_start(text: str) -> int:
    """Where a comment opens in a line, skipping `<!--` inside inline code."""
    start = text.find("<!--")
    while start >= 0 and text[:start].count("`") % 2 == 1:
        start = text.find("<!--", start + 4)
    return start


def trim(lines: list[Line]) -> list[Line]:
    """Without blank lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start][1].strip():
        start += 1
    while end > start and not lines[end - 1][1].strip():
        end -= 1
    return lines[start:end]


def is_dark(theme: object) -> bool:
    return isinstance(theme, str) and theme.strip().lower() in DARK_THEMES


def aspect_of(width: float, height: float) -> str | None:
    """The deckpoll aspect closest to a width/height ratio (None if none is close)."""
    if width <= 0 or height <= 0:
        return None
    ratio = width / height
    best = min(
        ("16:9", 16 / 9), ("4:3", 4 / 3), ("16:10", 16 / 10), key=lambda a: abs(a[1] - ratio)
    )
    return best[0] if abs(best[1] - ratio) < 0.05 else None


def parse_ratio(value: object) -> tuple[float, float] | None:
    """`16/9`, `16:9`, `4:3`, `1.777` -> (w, h)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)\s*", str(value))
    if match:
        return float(match.group(1)), float(match.group(2))
    try:
        number = float(str(value))
    except ValueError:
        return None
    return (number, 1.0) if number > 0 else None


def keep_classes(
    names: Iterable[str], mapping: dict[str, str], slide: Slide, line: int, ctx: ImportContext
) -> None:
    """Add the deckpoll equivalents of another tool's slide classes; warn about the rest."""
    for name in names:
        name = name.strip()
        if not name:
            continue
        target = mapping.get(name, name if name in DECKPOLL_CLASSES else None)
        if target is None:
            ctx.drop(slide.path, line, f"class {name!r}", "no deckpoll theme styles it")
        elif target and target not in slide.classes:
            slide.classes.append(target)


def text_title(slides: list[Slide]) -> str | None:
    """The first heading of the deck, as plain text."""
    for slide in slides:
        for _, text in slide.body:
            match = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", text)
            if match:
                plain = re.sub(r"<[^>]*>|[*_`\[\]]|\(\S*?\)", "", match.group(1)).strip()
                if plain:
                    return plain[:200]
    return None
