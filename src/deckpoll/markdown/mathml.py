"""Math: `$…$`, `$$…$$` and ```` ```math ```` blocks become MathML at build time (latex2mathml),
so a deck shows formulas offline, from file:// and in a PDF, with no script in the page."""

from __future__ import annotations

import functools
import re
from html import escape, unescape

from markdown_it.token import Token

from deckpoll.errors import did_you_mean
from deckpoll.markdown.parser import fence_language

MATH_TOKENS = {"math_inline": "inline", "math_block": "block"}
# latex2mathml writes a command it does not know as an identifier: `<mi>\fract</mi>`
UNKNOWN_COMMAND = re.compile(r"<mi>(\\[A-Za-z]+)</mi>")


def convert_math(tokens: list[Token], ctx) -> None:
    """Turn every math token of a slide into MathML (kept in `token.meta["mathml"]` for the
    renderer in parser.py); a TeX error is reported at its file:line:col, the TeX shown as text."""
    for token in tokens:
        if token.type in MATH_TOKENS:
            line = token.map[0] if token.map else 0
            _convert(token, MATH_TOKENS[token.type], ctx, _locate(ctx, line, "$$"))
        elif token.type == "fence" and fence_language(token) == "math":
            line = token.map[0] + 1 if token.map else 0
            _convert(token, "block", ctx, ctx.at(line, 1))
        for child in token.children or []:
            if child.type in MATH_TOKENS:
                line = token.map[0] if token.map else 0
                where = _locate(
                    ctx, line, f"${child.content}$", end=token.map[1] if token.map else 0
                )
                _convert(child, MATH_TOKENS[child.type], ctx, where)


def _locate(ctx, line: int, needle: str, end: int = 0):
    for number in range(line, max(end, line + 1)):
        if number < len(ctx.lines) and (col := ctx.lines[number].find(needle)) >= 0:
            return ctx.at(number, col + 1)
    return ctx.at(line, 1)


def to_mathml(tex: str, display: str) -> str:
    """TeX to a MathML string. latex2mathml's own string output writes text as is
    (`\\text{<b>}` would come out as a tag), so its element tree is serialised here, after
    resolving the character references it stores as text; `href` is dropped (no links out)."""
    import xml.etree.ElementTree as ET

    from latex2mathml.converter import convert_to_element  # only for decks with math

    root = convert_to_element(tex, display=display)
    for element in root.iter():
        element.attrib.pop("href", None)
        element.text = unescape(element.text) if element.text else element.text
        element.tail = unescape(element.tail) if element.tail else element.tail
    return ET.tostring(root, encoding="unicode", short_empty_elements=False)


def _convert(token: Token, display: str, ctx, where) -> None:
    tex = token.content.strip()
    try:
        mathml = to_mathml(tex, display)
    except Exception as exc:  # latex2mathml raises plain Exception subclasses, one per fault
        ctx.reporter.error(where, f"math: {_describe(exc)} in '{tex}'; check the TeX")
        token.meta["mathml"] = f'<code class="dp-math-error">{escape(token.content)}</code>'
        return
    for command in UNKNOWN_COMMAND.findall(mathml):
        hint = did_you_mean(command, known_commands())
        # a warning: the formula still shows, with the command as written (`\\KaTeX` in
        # Slidev's starter deck is a macro of KaTeX's own)
        ctx.reporter.warning(
            where,
            f"math: unknown TeX command '{command}'"
            + (f"; did you mean '{hint}'?" if hint else " (latex2mathml does not know it)")
            + " (shown as written)",
        )
    token.meta["mathml"] = mathml


def _describe(exc: Exception) -> str:
    """`MissingSuperScriptOrSubscriptError` → "missing superscript or subscript"."""
    name = type(exc).__name__.removesuffix("Error")
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower().replace("super script", "superscript")
    return f"{words}: {exc}" if str(exc) else words


@functools.cache
def known_commands() -> tuple[str, ...]:
    import latex2mathml.commands as commands
    from latex2mathml.symbols_parser import SYMBOLS

    names = {v for v in vars(commands).values() if isinstance(v, str) and v.startswith("\\")}
    return tuple(sorted(names | {s for s in SYMBOLS if s.startswith("\\")}))
