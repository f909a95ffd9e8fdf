"""Dollar signs that deckpoll would read as math the build cannot typeset.

deckpoll reads `$…$` and `$$…$$` as TeX. A deck from a tool without math (remark), or with
a dollar amount the source tool showed as text, can hold text such as `$0` … `^$` that
deckpoll reads as a broken formula, and the imported deck would not build. Such a span's
dollars are escaped (`\\$`): the slide shows the text as the source tool did, with a
warning at its line. Formulas the build can typeset stay formulas."""

from __future__ import annotations

import functools
from pathlib import Path

from deckpoll.importers.core import ImportContext, Line, Slide

MATH = {"math_inline": "$", "math_block": "$$"}
ROUNDS = 20  # escaping one span can pair the dollars after it differently: check again


def keep_math_buildable(slide: Slide, ctx: ImportContext) -> None:
    """Escape the dollars of every math span in the slide's text and notes that deckpoll
    could not typeset (see the module's note)."""
    slide.body = _escaped(slide.body, slide.path, ctx)
    slide.notes = _escaped(slide.notes, slide.path, ctx)


def _escaped(lines: list[Line], path: Path, ctx: ImportContext) -> list[Line]:
    if not any("$" in text for _, text in lines):
        return lines
    texts = [text for _, text in lines]
    for _ in range(ROUNDS):
        broken = _first_broken("\n".join(texts))
        if broken is None:
            break
        line, delimiter, content = broken
        index = _escape(texts, line, delimiter, content)
        number = lines[index][0] if index is not None else lines[0][0]
        shown = " ".join(content.split())[:40]
        ctx.warn(
            path,
            number,
            f"'{delimiter}{shown}{delimiter}' is not TeX deckpoll can typeset; kept as text "
            "(its dollar signs escaped)",
        )
        if index is None:
            break
    return [(number, text) for (number, _), text in zip(lines, texts, strict=True)]


def _first_broken(text: str) -> tuple[int, str, str] | None:
    """(first line, delimiter, TeX) of the first math span the build would refuse."""
    from deckpoll.markdown.mathml import to_mathml

    for token in _parser().parse(text):
        for math in [token, *(token.children or [])]:
            if math.type not in MATH:
                continue
            display = "inline" if math.type == "math_inline" else "block"
            try:
                to_mathml(math.content.strip(), display)
            except Exception:  # noqa: BLE001 - latex2mathml raises one class per fault
                return (token.map[0] if token.map else 0), MATH[math.type], math.content
    return None


def _escape(texts: list[str], line: int, delimiter: str, content: str) -> int | None:
    """Escape the span's two delimiters in place; the index of its first line (None when
    the span was not found as written)."""
    joined = "\n".join(texts)
    start = sum(len(t) + 1 for t in texts[:line])
    needle = f"{delimiter}{content}{delimiter}"
    at = joined.find(needle, start)
    if at < 0:
        return None
    escaped = "\\$" * len(delimiter)
    joined = joined[:at] + escaped + content + escaped + joined[at + len(needle) :]
    texts[:] = joined.split("\n")
    return joined.count("\n", 0, at)


@functools.cache
def _parser():
    from deckpoll.markdown.parser import markdown

    return markdown()
