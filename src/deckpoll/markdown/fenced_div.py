"""Pandoc-style fenced divs (`::: name` … `:::`) that nest: `::: columns` holding `::: column`.

markdown-it-container closes at the first bare `:::`, which breaks nesting; this rule counts
openers and closers instead. Tokens: `fenced_div_open` (info = name) and `fenced_div_close`.
An unclosed div is recorded in `env["unclosed_divs"]` as (line, name) for the caller to report.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

OPENER = re.compile(r"^(:{3,})[ \t]*\{?\.?([A-Za-z][\w-]*)\}?[ \t]*:*[ \t]*$")
CLOSER = re.compile(r"^:{3,}[ \t]*$")


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
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    match = OPENER.match(_line(state, start_line))
    if not match:
        return False
    if silent:
        return True
    depth, line, closed = 1, start_line, False
    while True:
        line += 1
        if line >= end_line:
            break
        if state.sCount[line] < state.blkIndent and not state.isEmpty(line):
            break
        text = _line(state, line)
        if OPENER.match(text):
            depth += 1
        elif CLOSER.match(text):
            depth -= 1
            if depth == 0:
                closed = True
                break
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
