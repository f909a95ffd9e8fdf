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
    lexer = lexer_for(lang.lower()) if lang.lower() not in PLAIN else None
    if lexer is None:
        return escape(code, quote=False)
    out: list[str] = []
    pending_class, pending = "", ""
    for token_type, value in lexer.get_tokens(code):
        css_class = _css_class(token_type)
        if css_class == pending_class:
            pending += value
            continue
        if pending:
            out.append(_span(pending_class, pending))
        pending_class, pending = css_class, value
    if pending:
        out.append(_span(pending_class, pending))
    return "".join(out)


def _span(css_class: str, text: str) -> str:
    text = escape(text, quote=False)
    return f'<span class="{css_class}">{text}</span>' if css_class not in ("", "w") else text


@functools.cache
def _css_class(token_type: _TokenType) -> str:
    while token_type not in STANDARD_TYPES:
        token_type = token_type.parent
    return STANDARD_TYPES[token_type]
