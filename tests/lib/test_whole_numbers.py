"""lib.whole_numbers: digits only, at most 18 of them; anything else is no number."""

from __future__ import annotations

import pytest

from lib.whole_numbers import parse_whole_number


@pytest.mark.parametrize(
    ("text", "number"), [("0", 0), ("7", 7), ("042", 42), ("9" * 18, 10**18 - 1)]
)
def test_digits_are_a_number(text: str, number: int) -> None:
    assert parse_whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    [None, "", " 5", "5 ", "5\n", "-1", "+1", "1.0", "1e3", "x", "9" * 19, "\u00b2", "1\x00"],
)
def test_anything_else_is_none(text: str | None) -> None:
    assert parse_whole_number(text) is None


def test_the_caller_chooses_the_default() -> None:
    assert parse_whole_number("x", 25) == 25
    assert parse_whole_number(None, -1) == -1
    assert parse_whole_number("3", 25) == 3
