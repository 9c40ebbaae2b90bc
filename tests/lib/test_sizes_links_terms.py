"""lib.sizes, lib.links, lib.terms: what visitors read, and only links that are safe to follow."""

from __future__ import annotations

from typing import Any

import pytest

from lib.links import orcid_url, safe_url
from lib.sizes import human_size
from lib.terms import words


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1834221, "1.8 MB"),
        ("123456789", "123 MB"),
        (10**21, "1000 EB"),
        (-1, ""),
        (None, ""),
        ("many", ""),
    ],
)
def test_human_size(value: Any, shown: str) -> None:
    assert human_size(value) == shown


@pytest.mark.parametrize(
    ("value", "url"),
    [
        (" https://example.org/a ", "https://example.org/a"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", ""),
        ("data:text/html,x", ""),
        ("https://", ""),
        ("http://[::1", ""),
        (None, ""),
    ],
)
def test_safe_url(value: Any, url: str) -> None:
    assert safe_url(value) == url


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097"),
        ("https://orcid.org/0000-0001-5109-371X", "https://orcid.org/0000-0001-5109-371X"),
        ("0000-0002", ""),
        (42, ""),
    ],
)
def test_orcid_url(value: Any, url: str) -> None:
    assert orcid_url(value) == url


@pytest.mark.parametrize(
    ("term", "said"),
    [("IsSupplementTo", "is supplement to"), (" HasPart ", "has part"), ("", ""), (None, "")],
)
def test_words(term: Any, said: str) -> None:
    assert words(term) == said
