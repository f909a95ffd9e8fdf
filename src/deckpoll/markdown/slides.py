"""From one source file's tokens to slides: split at `---`, then options, notes, polls,
fragments, pauses and images, each a small pass over the slide's tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markdown_it.token import Token

from deckpoll import schema
from deckpoll.assets import Assets
from deckpoll.errors import Location, Reporter
from deckpoll.load import OUTSIDE_HINT
from deckpoll.markdown.codesteps import code_steps
from deckpoll.markdown.images import image_options
from deckpoll.markdown.mathml import convert_math
from deckpoll.markdown.parser import fence_language
from deckpoll.markdown.rawhtml import localize_media
from deckpoll.markdown.scan import separators
from deckpoll.model import LAYOUTS, DeckConfig, Poll
from deckpoll.offline import external_refs, is_external
from deckpoll.yamlsrc import parse_yaml

OPTIONS_COMMENT = re.compile(r"^\s*<!--\s*slide:(.*?)-->\s*$", re.DOTALL)
PAUSE = ". . ."


@dataclass
class SourceContext:
    """What the passes need to know about the file being compiled."""

    path: Path
    lines: list[str]
    config: DeckConfig
    reporter: Reporter
    assets: Assets
    layouts: tuple[str, ...] = LAYOUTS  # the slide layouts the deck's theme knows

    def at(self, line: int, col: int = 1) -> Location:
        """Location of a 0-based token line."""
        return Location(self.path, line + 1, col)


@dataclass
class SlideParts:
    """One slide's tokens after the passes, before rendering."""

    start_line: int
    body: list[Token]
    notes: list[Token]
    options: dict
    poll: Poll | None
    fragments: int
    title: str
    text: str


def split(text: str) -> list[tuple[int, str]]:
    """Slides of one file as (0-based first line, text), cut at lines that are exactly `---`
    outside code fences, fenced divs and HTML comments (see scan.py). Cutting the text before
    parsing lets each slide be parsed, rendered and dropped on its own (memory stays flat with
    5,000 slides) and gives each slide a source of its own to cache."""
    slides: list[tuple[int, str]] = []
    start, start_line = 0, 0
    counted, line = 0, 0  # newline count up to `counted`, kept incrementally
    for sep_start, sep_end in separators(text):
        line += text.count("\n", counted, sep_start)
        counted = sep_start
        if slides or text[start:sep_start].strip():  # a leading `---` cuts nothing
            slides.append((start_line, text[start : max(start, sep_start - 1)]))
        start, start_line = min(sep_end + 1, len(text)), line + 1
    slides.append((start_line, text[start:]))
    return slides


def shift(tokens: list[Token], lines: int) -> list[Token]:
    """Make token line maps count from the top of the file instead of the slide."""
    if lines:
        for token in tokens:
            if token.map:
                token.map = [token.map[0] + lines, token.map[1] + lines]
    return tokens


def process(tokens: list[Token], start_line: int, ctx: SourceContext) -> SlideParts:
    """Run every pass over one slide's tokens."""
    tokens = list(tokens)
    options = _take_options(tokens, start_line, ctx)
    _raw_media(tokens, ctx)
    body, notes = _take_notes(tokens)
    poll = _take_poll(body, ctx)
    _pauses(body)
    code_steps(body, ctx)
    fragments = _number_fragments(body)
    image_options(body, options, ctx)
    _images(body + notes, ctx)
    _code_languages(body + notes, ctx)
    convert_math(body + notes, ctx)
    return SlideParts(
        start_line=start_line,
        body=body,
        notes=notes,
        options=options,
        poll=poll,
        fragments=fragments,
        title=options.get("title") or _title(body) or (poll.question if poll else ""),
        text=_plain_text(body),
    )


def _take_options(tokens: list[Token], start_line: int, ctx: SourceContext) -> dict:
    found: dict | None = None
    for token in list(tokens):
        if token.type != "html_block" or token.level != 0:
            continue
        match = OPTIONS_COMMENT.match(token.content)
        if not match:
            continue
        tokens.remove(token)
        line = token.map[0] if token.map else start_line
        if found is not None:
            ctx.reporter.error(
                ctx.at(line), "a slide takes one `<!-- slide: ... -->` comment; merge them"
            )
            continue
        before = token.content[: match.start(1)]
        offset_lines = before.count("\n")
        col = len(before) - (before.rfind("\n") + 1) + 1
        doc = parse_yaml(match.group(1), ctx.at(line + offset_lines, col), ctx.reporter)
        found = schema.slide_options(doc, ctx.reporter, ctx.layouts) if doc is not None else {}
    return found or {}


def _raw_media(tokens: list[Token], ctx: SourceContext) -> None:
    """Copy or inline the files raw-HTML media tags name, as for Markdown images."""
    for token in tokens:
        for source, first in _raw_html(token):

            def localize(src: str, offset: int, source: Token = source, first: int = first):
                line = first + source.content.count("\n", 0, offset)
                where = ctx.at(line, _column(ctx, line, src))
                path = local_file(src, ctx, where, url_path(src))
                url = ctx.assets.data_url(path) if path is not None else None
                if path is not None and url is None:
                    _missing(url_path(src), path, ctx, where)
                return url

            source.content = localize_media(source.content, localize)


def _raw_html(token: Token) -> list[tuple[Token, int]]:
    """The raw HTML in a block token, each with its 0-based first line in the file."""
    line = (token.map or [0])[0]
    if token.type == "html_block":
        return [(token, line)]
    found = []
    for child in token.children or []:
        if child.type == "html_inline":
            found.append((child, line))
        line += child.content.count("\n") + (child.type in ("softbreak", "hardbreak"))
    return found


def has_raw_html(tokens: list[Token]) -> bool:
    """Whether any of the tokens is or holds raw HTML."""
    return any(
        token.type == "html_block"
        or (token.children and any(c.type == "html_inline" for c in token.children))
        for token in tokens
    )


def report_external(html: str, ctx: SourceContext, start: int, end: int) -> None:
    """Report what in a slide's rendered HTML would load from another host, at the source
    line that names it (searched for in the slide's lines), else at the slide's start."""
    for found in external_refs(html):
        needle = found.split("=", 1)[-1].strip("\"'") if "=" in found else found
        lines = range(start, min(end, len(ctx.lines)))
        line = next((n for n in lines if needle in ctx.lines[n]), None)
        if line is None:  # written with entities or escapes: find its attribute instead
            needle = found.split("=", 1)[0] + "="
            line = next((n for n in lines if needle in ctx.lines[n]), start)
        ctx.reporter.error(
            ctx.at(line, _column(ctx, line, needle)),
            "the page must work offline and load nothing from other hosts: "
            f"remove `{found}` or save the file in the deck folder and use a relative path",
        )


def _column(ctx: SourceContext, line: int, needle: str) -> int:
    text = ctx.lines[line] if 0 <= line < len(ctx.lines) else ""
    found = text.find(needle)
    return found + 1 if found >= 0 else 1


def _take_notes(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    body: list[Token] = []
    notes: list[Token] = []
    depth = 0
    for index, token in enumerate(tokens):
        if depth:
            if token.type == "fenced_div_open" and token.info == "notes":
                depth += 1
            elif token.type == "fenced_div_close" and token.info == "notes":
                depth -= 1
                if depth == 0:
                    continue
            notes.append(token)
            continue
        if token.type == "fenced_div_open" and token.info == "notes" and token.level == 0:
            depth = 1
            continue
        if (
            token.type == "paragraph_open"
            and token.level == 0
            and index + 1 < len(tokens)
            and tokens[index + 1].content.startswith("Note:")
        ):
            _strip_prefix(tokens[index + 1], "Note:")
            notes.extend(tokens[index:])
            return body, notes
        body.append(token)
    return body, notes


def _strip_prefix(inline: Token, prefix: str) -> None:
    inline.content = inline.content[len(prefix) :].lstrip()
    for child in inline.children or []:
        if child.type == "text":
            child.content = child.content.removeprefix(prefix).lstrip()
            break


def _take_poll(tokens: list[Token], ctx: SourceContext) -> Poll | None:
    found: Poll | None = None
    for index, token in enumerate(tokens):
        if token.type != "fence" or token.info.strip() != "poll":
            continue
        line = token.map[0] if token.map else 0
        doc = parse_yaml(token.content, ctx.at(line + 1), ctx.reporter)
        poll = None
        if doc is not None:
            if doc.data is None:
                ctx.reporter.error(
                    ctx.at(line),
                    "empty poll block; it needs at least `id:`, `kind:` and `question:`",
                )
            else:
                poll = schema.poll(doc, ctx.reporter, ctx.config.polls.auto_open, ctx.config.polls)
        if found is not None and poll is not None:
            ctx.reporter.error(
                ctx.at(line),
                "a slide holds one poll; put this one on a slide "
                "of its own (separate them with `---`)",
            )
            poll = None
        replacement = Token("dp_poll", "div", 0)
        replacement.block, replacement.map, replacement.meta = True, token.map, {"poll": poll}
        tokens[index] = replacement
        found = found or poll
    return found


def _pauses(tokens: list[Token]) -> None:
    """Replace each `. . .` paragraph by a fragment wrapping what follows it in its block."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if (
            token.type == "paragraph_open"
            and index + 2 < len(tokens)
            and tokens[index + 1].type == "inline"
            and tokens[index + 1].content.strip() == PAUSE
        ):
            level = token.level
            end = index + 3
            while end < len(tokens) and tokens[end].level >= level:
                end += 1
            opener = Token("dp_pause_open", "div", 1)
            opener.attrSet("class", "dp-fragment")
            opener.block, opener.level = True, level
            closer = Token("dp_pause_close", "div", -1)
            closer.block, closer.level = True, level
            tokens[index:end] = [opener, *tokens[index + 3 : end], closer]
            index += 1
            continue
        index += 1


def _number_fragments(tokens: list[Token]) -> int:
    """Mark `*` list items as fragments and number every fragment in reading order."""
    star_depth: list[bool] = []
    count = 0
    for token in tokens:
        if token.type == "bullet_list_open":
            star_depth.append(token.markup == "*")
        elif token.type == "bullet_list_close":
            star_depth.pop()
        elif token.type == "ordered_list_open":
            star_depth.append(False)
        elif token.type == "ordered_list_close":
            star_depth.pop()
        if token.type == "list_item_open" and star_depth and star_depth[-1]:
            token.attrJoin("class", "dp-fragment")
        if token.type in ("list_item_open", "dp_pause_open") and "dp-fragment" in str(
            token.attrGet("class") or ""
        ):
            count += 1
            token.attrSet("data-dp-fragment", str(count))
        elif token.type == "fence" and token.meta.get("steps"):  # a step after the first is one
            token.meta["first_fragment"] = count + 1
            count += len(token.meta["steps"]) - 1
    return count


def _code_languages(tokens: list[Token], ctx: SourceContext) -> None:
    """Warn about a code block whose language Pygments does not know (shown unhighlighted)."""
    fences = [
        (t, lang)
        for t in tokens
        if t.type == "fence" and t.info.strip() and (lang := fence_language(t)) != "math"
    ]
    if not fences:
        return
    from deckpoll.markdown.highlight import known_language, suggest_language  # Pygments

    for token, lang in fences:
        if not lang or known_language(lang):
            continue
        hint = suggest_language(lang)
        line = token.map[0] if token.map else 0
        ctx.reporter.warning(
            ctx.at(line, _column(ctx, line, token.info.split(maxsplit=1)[0])),
            f"unknown code language {lang!r}"
            + (f"; did you mean {hint!r}?" if hint else "")
            + " (the block is shown without highlighting)",
        )


def _images(tokens: list[Token], ctx: SourceContext) -> None:
    for token in tokens:
        for child in token.children or []:
            if child.type != "image":
                continue
            src = str(child.attrGet("src") or "")
            name = url_path(src)
            where = _find(ctx, token, name, src)
            path = local_file(src, ctx, where, name)
            if is_external(src):
                child.attrSet("src", "")  # reported; the check of the rendered slide skips it
            attrs = ctx.assets.img_attrs(path) if path is not None else None
            if path is not None and attrs is None:
                _missing(name, path, ctx, where)
            elif attrs is not None:
                if "src" not in attrs:
                    child.attrs.pop("src", None)
                for attr, value in attrs.items():
                    child.attrSet(attr, value)


def _find(ctx: SourceContext, token: Token, *needles: str) -> Location:
    """Where the first of `needles` stands in the lines of a block token (its first line if
    none is written out there, as with a reference-style image)."""
    first, end = token.map or (0, 1)
    for needle in needles:
        for line in range(first, min(end, len(ctx.lines))):
            found = ctx.lines[line].find(needle) if needle else -1
            if found >= 0:
                return ctx.at(line, found + 1)
    return ctx.at(first)


def url_path(src: str) -> str:
    """The file a URL names, as it is called on disk: without ?query and #fragment, and
    percent-decoded (markdown-it writes `bild_ö.png` as `bild_%C3%B6.png` and `<my photo.png>`
    as `my%20photo.png`)."""
    return unquote(src.split("#")[0].split("?")[0])


def local_file(
    src: str, ctx: SourceContext, where: Location, name: str | None = None
) -> Path | None:
    """The file a relative reference names (`name`: its file part, by default `src` without
    ?query and #fragment); reports external URLs (the page loads nothing from other hosts).
    `data:` URLs and fragments are left alone (None, no report)."""
    if src.startswith(("data:", "#")):
        return None
    if is_external(src):
        ctx.reporter.error(
            where,
            f"external file {src!r}: the page must load nothing from other hosts; save it in "
            "the deck folder and use a relative path",
        )
        return None
    return ctx.path.parent / (src.split("#")[0].split("?")[0] if name is None else name)


def background_css(src: str, ctx: SourceContext, where: Location) -> str | None:
    """The CSS value of a slide's `background:` image."""
    path = local_file(src, ctx, where)
    if path is None:
        return None
    value = ctx.assets.css_value(path)
    if value is None:
        _missing(src, path, ctx, where)
    return value


def _missing(src: str, path: Path, ctx: SourceContext, where: Location) -> None:
    if ctx.assets.outside(path):
        ctx.reporter.error(
            where,
            f"{src!r} lies outside the deck folder (after following symlinks); {OUTSIDE_HINT}",
        )
        return
    ctx.reporter.error(
        where,
        f"file not found: {src!r} (looked for {path.resolve()}); check the path, relative to "
        "this Markdown file",
    )


def _title(tokens: list[Token]) -> str:
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            return _inline_text(tokens[index + 1])
    return ""


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def _plain_text(tokens: list[Token]) -> str:
    lines = []
    for token in tokens:
        if token.type == "inline":
            text = _inline_text(token)
            if text:
                lines.append(text)
        elif token.type == "fence" or token.type == "code_block":
            lines.append(token.content.rstrip())
        elif token.type == "dp_poll" and token.meta.get("poll") is not None:
            lines.append(token.meta["poll"].question)
    return "\n".join(lines)
