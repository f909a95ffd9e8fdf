"""Answers that look like personal data (personal.py): personnummer with valid and invalid
check digits, e-mail addresses and phone numbers, and ordinary answers left alone."""

from __future__ import annotations

import pytest

from deckpoll.personal import luhn_ok, personal_data

# 811228-9874 is the Swedish Tax Agency's example; 19811228-9874 the long form.
VALID = ["811228-9874", "8112289874", "19811228-9874", "198112289874", "mitt nr 811228+9874"]
# The same numbers with a wrong check digit, an impossible month or day.
INVALID = ["811228-9875", "8112289870", "19811228-9873", "811328-9874", "811232-9874"]


@pytest.mark.parametrize("text", VALID)
def test_a_personnummer_with_a_valid_check_digit_is_flagged(text):
    assert personal_data(text) == "personnummer"


@pytest.mark.parametrize("text", INVALID)
def test_a_number_with_an_invalid_check_digit_or_date_is_not_a_personnummer(text):
    assert personal_data(text) != "personnummer"


def test_a_samordningsnummer_day_plus_sixty_counts():
    # 701063-2391: born 1970-10-03, coordination number (day 03 + 60), valid check digit
    assert luhn_ok("7010632391")
    assert personal_data("701063-2391") == "personnummer"
    assert personal_data("701063-2392") is None


@pytest.mark.parametrize(
    "text",
    ["anna.svensson@vinnova.se", "Mejla mig: a+b@example.org", "x_y@sub.domain.co.uk"],
)
def test_email_addresses_are_flagged(text):
    assert personal_data(text) == "email"


@pytest.mark.parametrize(
    "text",
    ["070-123 45 67", "ring 08-555 123 45", "+46 70 123 45 67", "0046701234567", "(08) 123 456 78"],
)
def test_phone_numbers_are_flagged(text):
    assert personal_data(text) == "phone"


@pytest.mark.parametrize(
    "text",
    [
        "Innovationsledning",
        "Tillit och mod",
        "2020-2024 satsade vi 30 miljoner",
        "Vi behöver 3 saker: tid, pengar och 10 personer",
        "version 1.2.3",
        "a @ b",
        "0,5 procent",
        "år 2030",
    ],
)
def test_ordinary_answers_are_not_flagged(text):
    assert personal_data(text) is None
