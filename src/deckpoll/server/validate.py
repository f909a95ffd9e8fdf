"""Answer validation against the manifest: strict JSON in, a clean stored value out."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from deckpoll.server.invisible import invisible

MAX_BODY = 4096  # bytes
MAX_TEXT = 280  # characters (code points) per text entry
VOTER_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")
_SPACE_RE = re.compile(r"\s+")


class Invalid(Exception):
    """A request the server refuses: HTTP status, machine-readable code, human message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Checked:
    """A valid answer: what to store, its de-duplication key, and the store rules."""

    value: dict[str, Any]
    key: str
    replace: bool
    limit: int


def _no_constants(name: str) -> Any:
    raise Invalid(422, "invalid_number", f"{name} is not allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Invalid(422, "duplicate_key", f"key {key!r} appears twice")
        result[key] = value
    return result


def parse_json(body: bytes) -> Any:
    """Parse a request body strictly: UTF-8, no NaN/Infinity, no duplicate keys."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(400, "bad_encoding", "the body is not UTF-8") from exc
    try:
        return json.loads(text, parse_constant=_no_constants, object_pairs_hook=_no_duplicates)
    except Invalid:
        raise
    except (ValueError, RecursionError) as exc:
        raise Invalid(400, "bad_json", "the body is not valid JSON") from exc


def check_text(value: Any, *, field: str = "text", multiline: bool = False) -> str:
    """A text entry: a string, valid Unicode, no control characters, 1..280 characters."""
    if not isinstance(value, str):
        raise Invalid(422, "invalid_text", f"{field} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Invalid(422, "invalid_text", f"{field} holds a lone surrogate") from exc
    allowed = "\n" if multiline else ""
    for char in value:
        if char not in allowed and unicodedata.category(char) == "Cc":
            raise Invalid(422, "invalid_text", f"{field} holds a control character")
    text = value.strip()
    if not multiline:
        text = _SPACE_RE.sub(" ", text)
    if not text:
        raise Invalid(422, "invalid_text", f"{field} is empty")
    if invisible(text):
        raise Invalid(422, "invisible_text", f"{field} shows nothing (only invisible characters)")
    if len(text) > MAX_TEXT:
        raise Invalid(422, "too_long", f"{field} is longer than {MAX_TEXT} characters")
    return text


def text_key(text: str) -> str:
    """The key that groups equal entries: NFKC, case folded, whitespace trimmed and collapsed."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _only(data: dict[str, Any], key: str) -> Any:
    extra = sorted(set(data) - {key})
    if extra:
        raise Invalid(422, "unknown_field", f"unexpected field {extra[0]!r}; send only {key!r}")
    if key not in data:
        raise Invalid(422, "missing_field", f"the answer needs {key!r}")
    return data[key]


def option_ids(poll: dict[str, Any]) -> list[str]:
    return [str(o["id"]) for o in poll.get("options") or []]


def scale_range(poll: dict[str, Any]) -> tuple[int, int]:
    low = poll.get("min")
    high = poll.get("max")
    return (low if _is_int(low) else 1, high if _is_int(high) else 5)


def max_answers(poll: dict[str, Any]) -> int:
    value = poll.get("max_answers")
    if _is_int(value) and value > 0:
        return value
    return 3 if poll.get("kind") == "wordcloud" else 1


def check_answer(poll: dict[str, Any], data: Any) -> Checked:
    """Validate a parsed answer body for a manifest poll; raise Invalid (422) if wrong."""
    if not isinstance(data, dict):
        raise Invalid(422, "not_an_object", "the answer must be a JSON object")
    kind = poll.get("kind")
    if kind == "single":
        choice = _only(data, "choice")
        if not isinstance(choice, str) or choice not in option_ids(poll):
            raise Invalid(422, "unknown_option", "choice is not one of the poll's options")
        return Checked({"choice": choice}, "", True, 1)
    if kind == "multiple":
        choices = _only(data, "choices")
        if not isinstance(choices, list) or not choices:
            raise Invalid(422, "invalid_choices", "choices must be a non-empty list")
        known = option_ids(poll)
        if not all(isinstance(c, str) and c in known for c in choices):
            raise Invalid(422, "unknown_option", "a choice is not one of the poll's options")
        if len(set(choices)) != len(choices):
            raise Invalid(422, "duplicate_option", "an option is chosen twice")
        limit = poll.get("max_choices")
        if _is_int(limit) and len(choices) > limit:
            raise Invalid(422, "too_many_choices", f"choose at most {limit} options")
        ordered = [c for c in known if c in choices]
        return Checked({"choices": ordered}, "", True, 1)
    if kind == "scale":
        value = _only(data, "value")
        low, high = scale_range(poll)
        if not _is_int(value):
            raise Invalid(422, "invalid_value", "value must be an integer")
        if not low <= value <= high:
            raise Invalid(422, "out_of_range", f"value must be between {low} and {high}")
        return Checked({"value": value}, "", True, 1)
    if kind in ("wordcloud", "open"):
        text = check_text(_only(data, "text"), multiline=kind == "open")
        return Checked({"text": text}, text_key(text), False, max_answers(poll))
    raise Invalid(422, "unsupported_kind", f"poll kind {kind!r} takes no answers")


def check_voter(token: str | None) -> str:
    if not token:
        raise Invalid(400, "missing_voter", "the X-Deckpoll-Voter header is required")
    if not VOTER_RE.fullmatch(token):
        raise Invalid(400, "bad_voter", "X-Deckpoll-Voter must be 16-128 of A-Z a-z 0-9 _ -")
    return token
