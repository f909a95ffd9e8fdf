"""Answers that look like personal data: a Swedish personnummer (or samordningsnummer)
with a valid date and check digit, an e-mail address, a phone number. Such an answer is
held back from every screen (stored as waiting for approval) and flagged in the speaker
console, where the presenter releases or hides it: a room's wall is no place for them."""

from __future__ import annotations

import re
from typing import Any

# YYMMDD or YYYYMMDD, an optional - or + (over 100), then four digits; not inside a longer
# run of digits.
_PERSONNUMMER = re.compile(r"(?<![\d])(?:\d{2})?(\d{2})(\d{2})(\d{2})[-+ ]?(\d{3})(\d)(?![\d])")
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# A number written as people write phone numbers: + or 0 first, digits with spaces, dashes,
# dots or parentheses between; 8 to 15 digits in all (checked below).
_PHONE = re.compile(r"(?<![\w+])(?:\+|00|0)\(?\d[\d\s().-]{5,20}\d(?![\w])")

KINDS = ("personnummer", "email", "phone")


def luhn_ok(digits: str) -> bool:
    """The Luhn check (mod 10) over a string of digits, as the personnummer's last digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _personnummer(text: str) -> bool:
    for found in _PERSONNUMMER.finditer(text):
        yy, mm, dd, serial, check = found.groups()
        day = int(dd) - 60 if int(dd) > 60 else int(dd)  # samordningsnummer: day + 60
        if 1 <= int(mm) <= 12 and 1 <= day <= 31 and luhn_ok(yy + mm + dd + serial + check):
            return True
    return False


def _phone(text: str) -> bool:
    for found in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", found.group())
        if 8 <= len(digits) <= 15:
            return True
    return False


def personal_data(text: str) -> str | None:
    """Which kind of personal data `text` seems to hold (one of KINDS), or None."""
    if _personnummer(text):
        return "personnummer"
    if _EMAIL.search(text):
        return "email"
    if _phone(text):
        return "phone"
    return None


def in_answer(value: dict[str, Any]) -> str | None:
    """`personal_data` of an answer's text, if it has one."""
    text = value.get("text")
    return personal_data(text) if isinstance(text, str) else None
