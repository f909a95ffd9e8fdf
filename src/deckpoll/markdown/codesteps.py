"""Code line-highlight steps, ```` ```python {1|3-4|all} ````: each step after the first is a
fragment; optional line numbers with the word `numbers` in the info string."""

from __future__ import annotations

import re
from html import escape

from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token

# only digits, ranges, `|`, `,` and `all` make steps: `{.class}` (Pandoc attributes) does not
STEPS = re.compile(r"\{((?:[\d\s,|*-]|all)+)\}")
RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


def code_steps(tokens: list[Token], ctx) -> None:
    """Read `{…|…}` and `numbers` from each fence's info string into `token.meta`
    (`steps`: one set of 1-based lines per step; `numbers`: True); bad ranges are errors."""
    for token in tokens:
        if token.type != "fence" or not token.info:
            continue
        info = unescapeAll(token.info)
        words = STEPS.sub(" ", info).split()[1:]
        if "numbers" in words:
            token.meta["numbers"] = True
        found = STEPS.search(info)
        if found is None:
            continue
        count = token.content.count("\n") or 1
        line = token.map[0] if token.map else 0
        where = ctx.at(line, ctx.lines[line].find("{") + 1 if line < len(ctx.lines) else 1)
        steps = [_step(part.strip(), count, ctx, where) for part in found[1].split("|")]
        if all(step is not None for step in steps) and len(steps) > 0:
            token.meta["steps"] = steps


def _step(text: str, count: int, ctx, where) -> frozenset[int] | None:
    if text in ("all", "*"):
        return frozenset(range(1, count + 1))
    lines: set[int] = set()
    for part in text.split(","):
        match = RANGE.match(part.strip())
        first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, 0)
        if not match or not 1 <= first <= last <= count:
            ctx.reporter.error(
                where,
                f"code step {text!r}: {part.strip()!r} is not a line range of this block "
                f"(lines 1-{count}); write steps as {{1|3-4|all}}",
            )
            return None
        lines.update(range(first, last + 1))
    return frozenset(lines)


def render_code(token: Token, lang: str) -> str:
    """A fence with steps or line numbers: one `span.dp-line` per line (its steps in
    `data-dp-steps`), and one empty fragment per step after the first, which the runtime
    (30-code.js) follows to light the current step's lines."""
    from deckpoll.markdown.highlight import highlight_lines

    steps: list[frozenset[int]] = token.meta.get("steps") or []
    out = []
    for number, html in enumerate(highlight_lines(token.content, lang), 1):
        lit = " ".join(str(k) for k, step in enumerate(steps, 1) if number in step)
        attr = f' data-dp-steps="{lit}"' if steps else ""
        out.append(f'<span class="dp-line"{attr}>{html}</span>')
    first = token.meta.get("first_fragment", 1)
    markers = "".join(
        f'<span class="dp-fragment dp-code-step" data-dp-fragment="{first + k}"></span>'
        for k in range(len(steps) - 1)
    )
    attrs = f' data-dp-lang="{escape(lang)}"' if lang else ""
    attrs += " data-dp-numbers" if token.meta.get("numbers") else ""
    attrs += " data-dp-steps" if steps else ""
    body = "\n".join(out)
    return f'<pre class="dp-code"{attrs}><code>{body}\n</code>{markers}</pre>\n'
