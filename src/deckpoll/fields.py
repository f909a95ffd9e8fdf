"""Typed access to one mapping of a YAML document (deck.yaml, front matter, slide options, a
poll block), each problem reported at its `file:line:col` with a "did you mean"."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from deckpoll.errors import Reporter, did_you_mean
from deckpoll.yamlsrc import KeyPath, YamlDoc

DURATION = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?", re.IGNORECASE)
MAX_SECONDS = 24 * 3600


class Fields:
    """Typed access to one mapping of a YamlDoc, reporting each problem where it stands."""

    def __init__(self, doc: YamlDoc, path: KeyPath, what: str, reporter: Reporter) -> None:
        self.doc, self.path, self.what, self.reporter = doc, path, what, reporter
        value: Any = doc.data
        for key in path:
            value = value[key]
        self.ok = isinstance(value, dict)
        if value is None:
            value, self.ok = {}, True
        if not self.ok:
            reporter.error(doc.value_at(path), f"{what} must be a mapping of `key: value` lines")
            value = {}
        self.data: dict = value

    def check_keys(self, known: Iterable[str]) -> None:
        known = tuple(known)
        for key in self.data:
            if key in known:
                continue
            hint = did_you_mean(str(key), known)
            suggestion = (
                f"; did you mean {hint!r}?" if hint else f"; known keys: {', '.join(known)}"
            )
            self.reporter.warning(self.where(key), f"unknown {self.what} key {key!r}{suggestion}")

    def where(self, key: str):
        return self.doc.key_at(self.path + (key,))

    def value_where(self, key: str):
        return self.doc.value_at(self.path + (key,))

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def error(self, key: str, message: str) -> None:
        self.reporter.error(self.value_where(key), message)

    def str(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.reporter.error(self.doc.value_at(self.path), f"{self.what} needs `{key}:`")
            return default
        if not isinstance(value, str | int | float):
            self.error(key, f"`{key}` must be text, not {_kind(value)}")
            return default
        text = self.doc.text_at(self.path + (key,)) if not isinstance(value, str) else value
        text = (text if text is not None else str(value)).strip()
        if required and not text:
            self.error(key, f"`{key}` must not be empty")
        return text

    def int(self, key: str, default: int | None = None, minimum: int | None = None) -> int | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"`{key}` must be a whole number, not {_kind(value)}")
            return default
        if minimum is not None and value < minimum:
            self.error(key, f"`{key}` must be at least {minimum}")
            return default
        return value

    def bool(self, key: str, default: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, f"`{key}` must be true or false, not {_kind(value)}")
            return default
        return value

    def choice(self, key: str, choices: Iterable[str], default: str | None = None) -> str | None:
        choices = tuple(choices)
        value = self.str(key)
        if value is None:
            return default
        if value not in choices:
            hint = did_you_mean(value, choices)
            suggestion = f"did you mean {hint!r}? " if hint else ""
            self.error(
                key, f"unknown {key} {value!r}; {suggestion}use one of: {', '.join(choices)}"
            )
            return default
        return value

    def seconds(self, key: str) -> int | None:
        """A time span (`15m`, `90s`, `1h`, `1h30m`) in whole seconds, 1 s to 24 h."""
        value = self.data.get(key)
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, str | int) else ""
        match = DURATION.fullmatch(text) if text and not isinstance(value, bool) else None
        if match is None or not any(match.groups()):
            hint = f"did you mean '{text}m'? " if text.isdigit() else ""
            self.error(
                key,
                f"`{key}` must be a time such as 15m, 90s or 1h; {hint}"
                "a number needs its unit (h, m or s)",
            )
            return None
        h, m, s = (int(g or 0) for g in match.groups())
        total = h * 3600 + m * 60 + s
        if not 1 <= total <= MAX_SECONDS:
            self.error(key, f"`{key}` must be between 1s and 24h")
            return None
        return total

    def str_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            self.error(key, f"`{key}` must be a list of text items")
            return ()
        return tuple(self.scalar_text((key, i), v) for i, v in enumerate(value))

    def scalar_text(self, subpath: KeyPath, value: Any) -> str:
        """A scalar as the author wrote it (`Yes`, `1.10`), not as YAML 1.1 typed it."""
        if isinstance(value, str):
            return value
        raw = self.doc.text_at(self.path + subpath)
        return raw if raw is not None else str(value)


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        dict: "a mapping",
        list: "a list",
        float: "a decimal number",
        int: "a number",
        str: "text",
    }.get(type(value), type(value).__name__)
