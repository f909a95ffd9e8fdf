"""Request checks every answer shares: strict JSON, clean text, the voter token. What an
answer must hold for its poll is the kind's own check (deckpoll.polls)."""

from __future__ import annotations

import json
import re
import unicodedata
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


def _no_constants(name: str) -> Any:
    raise Invalid(422, "invalid_number", f"{name} is not allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Invalid(422, "duplicate_key", f"key {key!r} appears twice")
        result[key] = value
    return result


# Made once: json.loads with these options would build a decoder (and its scanner) per call.
_DECODER = json.JSONDecoder(parse_constant=_no_constants, object_pairs_hook=_no_duplicates)


def parse_json(body: bytes) -> Any:
    """Parse a request body strictly: UTF-8, no NaN/Infinity, no duplicate keys."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(400, "bad_encoding", "the body is not UTF-8") from exc
    try:
        return _DECODER.decode(text)
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


def check_voter(token: str | None) -> str:
    if not token:
        raise Invalid(400, "missing_voter", "the X-Deckpoll-Voter header is required")
    if not VOTER_RE.fullmatch(token):
        raise Invalid(400, "bad_voter", "X-Deckpoll-Voter must be 16-128 of A-Z a-z 0-9 _ -")
    return token
