"""lib.identifiers: control characters and absurd lengths are never looked up."""

from __future__ import annotations

import pytest

from lib.identifiers import MAX_IDENTIFIER, lookable


@pytest.mark.parametrize("value", ["10.5072/abc", "20.500.12269/ds-0001", "x" * MAX_IDENTIFIER])
def test_identifiers_are_lookable(value: str) -> None:
    assert lookable(value)


@pytest.mark.parametrize("value", ["10.5072/a\x00b", "pid\n", "a\x7f", "x" * (MAX_IDENTIFIER + 1)])
def test_control_characters_and_absurd_lengths_are_not(value: str) -> None:
    assert not lookable(value)
