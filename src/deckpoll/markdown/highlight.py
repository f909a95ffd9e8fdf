"""Code highlighting at build time with Pygments (no JavaScript highlighter in the page)."""

from __future__ import annotations

import difflib
import functools
from html import escape

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)
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
    hits = difflib.get_close_matches(name.lower(), _aliases(), n=1)
    return hits[0] if hits else None


def highlight_code(code: str, lang: str) -> str:
    """Code as HTML with Pygments' short token classes, or escaped plain text."""
    lexer = lexer_for(lang.lower()) if lang.lower() not in PLAIN else None
    if lexer is None:
        return escape(code, quote=False)
    return pygments_highlight(code, lexer, _FORMATTER)
