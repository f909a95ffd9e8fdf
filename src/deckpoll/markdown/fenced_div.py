"""Pandoc-style fenced divs (`::: name` … `:::`) that nest: `::: columns` holding `::: column`.

markdown-it-container closes at the first bare `:::`, which breaks nesting; this rule counts
openers and closers instead, through the scanner the slide splitter uses (scan.py), so a
`:::` line inside fenced code closes nothing and both agree on where a div ends.
Tokens: `fenced_div_open` (info = name) and `fenced_div_close`. An unclosed div is recorded
in `env["unclosed_divs"]` as (line, name) for the caller to report.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from deckpoll.markdown.scan import OPENER, div_end


def fenced_div_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "fence",
        "fenced_div",
        _fenced_div,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _fenced_div(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # Asked at every line that might end a paragraph or list: most lines do not start `:`.
    first = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[first : first + 1] != ":" or state.sCount[start_line] - state.blkIndent >= 4:
        return False
    match = OPENER.match(_line(state, start_line))
    if not match:
        return False
    if silent:
        return True
    inside = _inner_lines(state, start_line + 1, end_line)
    text = "\n".join(inside)
    close = div_end(text)
    closed = close is not None
    line = start_line + 1 + (text.count("\n", 0, close) if closed else len(inside))
    name = match.group(2)
    if not closed:
        state.env.setdefault("unclosed_divs", []).append((start_line, name))
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "fenced_div"  # type: ignore[assignment]
    state.lineMax = line
    token = state.push("fenced_div_open", "div", 1)
    token.info, token.markup, token.block, token.map = (
        name,
        match.group(1),
        True,
        [start_line, line],
    )
    state.md.block.tokenize(state, start_line + 1, line)
    token = state.push("fenced_div_close", "div", -1)
    token.info, token.block = name, True
    state.parentType, state.lineMax = old_parent, old_max
    state.line = line + 1 if closed else line
    return True


def _inner_lines(state: StateBlock, first: int, end_line: int) -> list[str]:
    """The lines a div may span, as the scanner reads them: relative to the container the
    div is in (list item, block quote); a line indented less than the container ends it."""
    lines = []
    for line in range(first, end_line):
        indent = state.sCount[line] - state.blkIndent
        if indent < 0 and not state.isEmpty(line):
            break
        lines.append(" " * max(indent, 0) + _line(state, line))
    return lines
