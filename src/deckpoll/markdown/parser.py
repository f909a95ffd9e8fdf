"""The markdown-it-py parser deckpoll uses, with its render rules for deckpoll's tokens."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from html import escape

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from deckpoll.markdown.fenced_div import fenced_div_plugin

DIV_CLASSES = {"columns": "dp-columns", "column": "dp-column"}


@functools.cache
def markdown() -> MarkdownIt:
    """CommonMark with tables, strikethrough, raw HTML and fenced divs; setext headings off so
    that a `---` under a line of text always separates slides (as in Marp)."""
    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    md.disable("lheading")
    md.use(fenced_div_plugin)
    # Pandoc's rule for `$`: no space inside the dollars, no digit after the closing one, so
    # that "$5 and $10" stays text
    md.use(attrs_plugin, after=("image",))  # `![x](a.png){width=300}`; checked in images.py
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False)
    rules = {
        "math_inline": _math,
        "math_block": _math,
        "fenced_div_open": _div_open,
        "fenced_div_close": _close_div,
        "dp_pause_open": _pause_open,
        "dp_pause_close": _close_div,
        "dp_poll": _poll,
        "fence": _fence,
        "code_block": _code_block,
        "heading_open": _heading_open,
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
    return md


def render(tokens: Sequence[Token], env: EnvType) -> str:
    md = markdown()
    return md.renderer.render(tokens, md.options, env)


# A heading's last word of up to 3 characters, and the word before it (up to 20: a long
# compound, "innovationsförmågan", is where it happens, and the pair still fits a column):
# joined by a no-break space, they wrap together and the heading never ends on a lone short
# word. Chromium's `text-wrap: balance` and `pretty` both leave one after a long word
# (tests/browser/test_theme_layout.py).
LONE_WORD = re.compile(r"(?:^|(?<=\s))(\S{1,20}) (\S{1,3})$")


def _heading_open(
    self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
    last = inline.children[-1] if inline is not None and inline.children else None
    if last is not None and last.type == "text" and " " in last.content:
        # the title (manifest, speaker view) was taken from the tokens before rendering
        last.content = LONE_WORD.sub("\\1\u00a0\\2", last.content)
    return self.renderToken(tokens, idx, options, env)


def _div_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    name = tokens[idx].info
    return f'<div class="{DIV_CLASSES.get(name, escape(name))}">\n'


def _close_div(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return "</div>\n"


def _pause_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    number = tokens[idx].attrGet("data-dp-fragment")
    return f'<div class="dp-fragment" data-dp-fragment="{number}">\n'


def _poll(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    poll = tokens[idx].meta.get("poll")
    return env["render_poll"](poll) if poll is not None else ""


def fence_language(token: Token) -> str:
    """The language a fence names: the first word of its info string with backslash escapes
    and entities resolved, as markdown-it's own fence renderer reads it (`f&ouml;o` → föo)."""
    info = unescapeAll(token.info).strip() if token.info else ""
    return info.split(maxsplit=1)[0] if info else ""


def _math(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """math_inline and math_block: the MathML the math pass (mathml.py) made."""
    token = tokens[idx]
    mathml = token.meta.get("mathml") or f"<code>{escape(token.content)}</code>"
    return mathml if token.type == "math_inline" else f'<div class="dp-math">{mathml}</div>\n'


def _fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    if "steps" in token.meta or "numbers" in token.meta:  # see codesteps.py
        from deckpoll.markdown.codesteps import render_code

        return render_code(token, fence_language(token))
    if "mathml" in token.meta:  # a ```math block, converted by the math pass
        return f'<div class="dp-math">{token.meta["mathml"]}</div>\n'
    return _code(token.content, fence_language(token), env)


def _code_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return _code(tokens[idx].content, "", env)


def _code(code: str, lang: str, env: EnvType) -> str:
    from deckpoll.markdown.highlight import highlight_code  # Pygments only for decks with code

    attr = f' data-dp-lang="{escape(lang)}"' if lang else ""
    highlighted = highlight_code(code, lang)
    kept = env.get(CODE_BLOCKS)
    if kept is not None:  # see set_aside
        kept.append(highlighted)
        highlighted = f"{CODE_MARK}{len(kept) - 1}{CODE_MARK}"
    return f'<pre class="dp-code"{attr}><code>{highlighted}</code></pre>\n'


# Highlighted code is escaped text in <span class> elements: nothing in it can load from
# another host, yet it holds most of a slide's tags. `render(tokens, set_aside(env))` leaves
# a mark where it goes, so the external-host check parses the rest; `put_back` fills it in.
# The mark has a NUL (Markdown turns those into U+FFFD) and differs per process.
CODE_BLOCKS = "dp_code_blocks"
CODE_MARK = f"\x00{os.urandom(6).hex()}\x00"
_CODE_MARKED = re.compile(re.escape(CODE_MARK) + r"(\d+)" + re.escape(CODE_MARK))


def set_aside(env: EnvType) -> EnvType:
    """`env` for rendering with code blocks' contents set aside (see CODE_MARK)."""
    return {**env, CODE_BLOCKS: []}


def put_back(html: str, env: EnvType) -> str:
    """`html` rendered with `env` from set_aside, its code blocks filled in."""
    kept = env[CODE_BLOCKS]
    return _CODE_MARKED.sub(lambda m: kept[int(m.group(1))], html) if kept else html
