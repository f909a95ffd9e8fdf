"""Code highlighting at build time with Pygments (no JavaScript highlighter in the page)."""

from __future__ import annotations

import functools
from html import escape

from pygments.lexer import Lexer
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.token import STANDARD_TYPES, _TokenType
from pygments.util import ClassNotFound

from deckpoll.errors import did_you_mean

PLAIN = {"", "text", "plain", "txt", "none"}


@functools.lru_cache(maxsize=256)
def lexer_for(name: str) -> Lexer | None:
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def known_language(name: str) -> bool:
    return name.lower() in PLAIN or lexer_for(name.lower()) is not None


@functools.cache
def _aliases() -> tuple[str, ...]:
    return tuple(alias for _, aliases, _, _ in get_all_lexers() for alias in aliases)


def suggest_language(name: str) -> str | None:
    return did_you_mean(name.lower(), _aliases())


def highlight_code(code: str, lang: str) -> str:
    """Code as HTML with Pygments' short token classes (the classes HtmlFormatter uses, so
    any Pygments style sheet applies), or escaped plain text. Written out here rather than
    with HtmlFormatter, which spends most of its time on line wrapping we do not use."""
    return "".join(_span(css_class, value) for css_class, value in _runs(code, lang))


def highlight_lines(code: str, lang: str) -> list[str]:
    """`highlight_code` cut into lines: a token that spans lines (a docstring) is closed at
    each line end and reopened on the next, so that every line is whole HTML."""
    lines: list[str] = [""]
    for css_class, value in _runs(code, lang):
        for n, part in enumerate(value.split("\n")):
            if n:
                lines.append("")
            if part:
                lines[-1] += _span(css_class, part)
    if len(lines) > 1 and not lines[-1]:
        lines.pop()  # the newline that ends the block
    return lines


def _runs(code: str, lang: str) -> list[tuple[str, str]]:
    """(short token class, text) runs, neighbours of one class merged; one plain run when
    the language is unknown."""
    lexer = lexer_for(lang.lower()) if lang.lower() not in PLAIN else None
    if lexer is None:
        return [("", code)]
    out: list[tuple[str, str]] = []
    pending_class, pending = "", ""
    for token_type, value in lexer.get_tokens(code):
        css_class = _css_class(token_type)
        if css_class == pending_class:
            pending += value
            continue
        if pending:
            out.append((pending_class, pending))
        pending_class, pending = css_class, value
    if pending:
        out.append((pending_class, pending))
    return out


def _span(css_class: str, text: str) -> str:
    text = escape(text, quote=False)
    return f'<span class="{css_class}">{text}</span>' if css_class not in ("", "w") else text


@functools.cache
def _css_class(token_type: _TokenType) -> str:
    while token_type not in STANDARD_TYPES:
        token_type = token_type.parent
    return STANDARD_TYPES[token_type]
