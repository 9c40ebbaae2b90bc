"""lib.download_url: the pattern checked at start-up, filled per file, never outside the tree."""

from __future__ import annotations

import pytest

from lib.download_url import PatternError, fill, parse_pattern

PATTERN = "https://dcache.example.org:2880/pnfs/public/{source_folder}/{path}"


def test_a_usable_pattern_is_kept() -> None:
    assert parse_pattern(PATTERN) == PATTERN


def test_an_empty_pattern_switches_links_off() -> None:
    assert parse_pattern("") == ""


@pytest.mark.parametrize(
    "bad",
    [
        "https://x.example/{nope}/{path}",
        "https://x.example/data",
        "ftp://x.example/{path}",
        "https://{pid}.example/{path}",
        "https://x.example/{path",
        "https://x.example/{path!r}",
    ],
)
def test_a_bad_pattern_is_refused(bad: str) -> None:
    with pytest.raises(PatternError):
        parse_pattern(bad)


def test_fill_percent_encodes_and_keeps_slashes() -> None:
    url = fill(PATTERN, path="a b/#1.h5", source_folder="/p/x", pid="20.5/a")
    assert url == "https://dcache.example.org:2880/pnfs/public/p/x/a%20b/%231.h5"


def test_a_hidden_source_folder_gets_no_link() -> None:
    assert fill(PATTERN, path="a.h5", source_folder="", pid="x") == ""


def test_a_path_leaving_the_tree_gets_no_link() -> None:
    assert fill(PATTERN, path="x/../../y", source_folder="/p", pid="x") == ""
