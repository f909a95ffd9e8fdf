"""The phone page (the audience's page, `/join`): one HTML file with its CSS and JS inlined.

`deckpoll serve` serves it at /join and /<join code>; `deckpoll build --join-page` (and every
build of a deck with `polls.url`) writes it beside the deck as `join.html`, so that any backend
that speaks docs/protocol.md can serve it as a static file."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from typing import Any

from deckpoll import strings
from deckpoll.runtime import FOLDER as RUNTIME_FOLDER
from deckpoll.runtime import kinds_script

_PLACEHOLDER = re.compile(
    r"/\*\{\{(css|js)\}\}\*/|\{\{(lang|title|config|noscript|privacy_title|privacy)\}\}"
)


def runtime_text(name: str) -> str:
    return (RUNTIME_FOLDER / name).read_text(encoding="utf-8")


def script_hash(script: str) -> str:
    """The CSP source of an inline script: `'sha256-<base64>'`."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


def join_page(
    manifest: dict[str, Any],
    *,
    code: str | None,
    join_url: str | None,
    api: str | None = None,
) -> tuple[str, str]:
    """The phone page with its CSS and JS inlined; returns (html, CSP script hash). Its
    words are the `phone` section of the deck language's strings table. `api`: the
    backend's base URL (`polls.url`) for a static copy; None: the folder the page is
    served from (as `deckpoll serve` serves it)."""
    script = kinds_script() + ";\n" + runtime_text("join.js")
    lang = manifest.get("lang") or "en"
    config = {
        "lang": lang,
        "title": manifest.get("title") or "",
        "code": code,
        "join_url": join_url,
        "api": api,
        "strings": strings.section(lang, "phone"),
        "strings_lang": strings.base_language(lang),
    }
    config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    values = {
        "lang": html.escape(str(config["lang"]), quote=True),
        "title": html.escape(str(config["title"])),
        "noscript": html.escape(strings.say(lang, "phone", "noscript")),
        "privacy_title": html.escape(strings.say(lang, "phone", "privacy_title")),
        "privacy": html.escape(privacy_notice(manifest)),
        "config": config_json,
        "css": runtime_text("join.css"),
        "js": script,
    }
    # One pass, so that text substituted in (a deck title, say) is never scanned again.
    page = _PLACEHOLDER.sub(lambda m: values[m.group(1) or m.group(2)], runtime_text("join.html"))
    return page, script_hash(script)


def privacy_notice(manifest: dict[str, Any]) -> str:
    """The join page's privacy notice: `polls.privacy` from deck.yaml, else the default of
    the deck's language saying what is stored, who sees it and for how long."""
    config = manifest.get("polls_config") or {}
    if config.get("privacy"):
        return str(config["privacy"])
    from deckpoll.retention import describe

    lang = manifest.get("lang") or "en"
    seconds = config.get("retention")
    kept = (
        strings.say(lang, "phone", "kept_for", retention=describe(seconds, lang))
        if seconds
        else strings.say(lang, "phone", "kept_until")
    )
    return strings.say(lang, "phone", "privacy", kept=kept)


def static_join_page(manifest: dict[str, Any]) -> str:
    """The phone page as `deckpoll build` writes it beside the deck (`join.html`): the join
    code and link of the manifest, the API at `polls.url` when the deck names one."""
    config = manifest.get("polls_config") or {}
    code = config.get("code")
    page, _ = join_page(
        manifest,
        code=str(code) if code else None,
        join_url=config.get("join_url"),
        api=config.get("url"),
    )
    return page
