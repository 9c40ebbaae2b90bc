"""The query language and the condition syntax: what parses to what, and that nothing crashes."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.search import DatasetQuery, QueryError, backend, dataset_search
from catalogue.search.conditions import parse_condition
from catalogue.search.query import And, Not, Or, Phrase, Term, parse

# Text that looks like search input: words, operators, quotes, brackets, fields, junk.
_PIECES = st.sampled_from(
    [
        "dppg",
        "AND",
        "OR",
        "NOT",
        "-",
        '"',
        "(",
        ")",
        "*",
        "title:",
        "doi:",
        "owner:",
        "//",
        ":",
        "10.5072/desy-pd-0001",
        "11019634",
        "keV",
        "é",
        "\x00",
        "'",
        "\\",
        "%",
        "_",
        " ",
    ]
)
QUERY_TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=12).map("".join),
    st.lists(_PIECES, max_size=12).map(" ".join),
)


def test_words_phrases_fields_and_operators() -> None:
    # AND (written or implied) binds tighter than OR.
    assert parse('dppg "pseudo reflectivity" OR title:xrr NOT tape') == Or(
        (
            And((Term("dppg"), Phrase("pseudo reflectivity"))),
            And((Term("xrr", "title"), Not(Term("tape")))),
        )
    )
    assert parse('keyword:"two words" -gold dpp*') == And(
        (Phrase("two words", "keyword"), Not(Term("gold")), Term("dpp", prefix=True))
    )
    assert parse("(a OR b) c") == And((Or((Term("a"), Term("b"))), Term("c")))


def test_identifiers_stay_one_term() -> None:
    assert parse("10.5072/desy-pd-0001") == Term("10.5072/desy-pd-0001")
    assert parse("20.500.12269/abc-1") == Term("20.500.12269/abc-1")
    assert parse("http://example.org/x") == Term("http://example.org/x")


def test_lower_case_operators_are_words() -> None:
    assert parse("salt and pepper") == And((Term("salt"), Term("and"), Term("pepper")))


def test_empty_text_is_everything() -> None:
    assert parse("") is None
    assert parse("   ") is None


@given(QUERY_TEXT)
@settings(max_examples=400, deadline=None)
def test_any_text_parses_or_says_why(text: str) -> None:
    try:
        parse(text)
    except QueryError as exc:
        message = str(exc)
    else:
        message = "parsed"
    assert message


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_any_condition_parses_or_says_why(text: str) -> None:
    try:
        parse_condition(text)
    except QueryError as exc:
        message = str(exc)
    else:
        message = "parsed"
    assert message


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["database", "opensearch"])
def test_any_text_searches_or_says_why_on_the_backends(
    which: str, request: pytest.FixtureRequest
) -> None:
    """Every generated text goes through a real search: a page, or a QueryError, nothing else."""
    from django.test import override_settings

    url = request.getfixturevalue("opensearch_url") if which == "opensearch" else ""
    index = f"test-prop-{uuid.uuid4().hex[:10]}"
    with override_settings(OPENSEARCH_URL=url, OPENSEARCH_INDEX=index):
        chosen = backend()
        if url:
            chosen.ensure_index()  # type: ignore[attr-defined]

        @given(QUERY_TEXT, st.sampled_from(["", "relevance", "size"]))
        @settings(
            max_examples=120,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        def run(text: str, sort: str) -> None:
            try:
                page = dataset_search(DatasetQuery(text=text, sort=sort))
            except QueryError as exc:
                message, degraded = str(exc), False
            else:
                message, degraded = "answered", page.degraded
            assert message
            assert not degraded

        run()
