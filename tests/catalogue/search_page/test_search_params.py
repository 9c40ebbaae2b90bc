"""The search page's URL parameters, read leniently into a DatasetQuery and written back."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict

from catalogue.search import DatasetQuery
from catalogue.search_params import (
    MAX_CONDITIONS,
    MAX_FACET_VALUES,
    ConditionRow,
    SearchRequest,
)
from catalogue.search_urls import search_url, without_condition, without_value


def parse(query_string: str) -> SearchRequest:
    return SearchRequest.parse(QueryDict(query_string))


def test_every_documented_parameter_reaches_the_query() -> None:
    search = parse(
        "q=DPPG+monolayer&type=raw&instrument=P08&instrument=P21&technique=GIXOS&year=2024"
        "&keyword=lipid&license=CC-BY-4.0&proposal=11019634&location=disk"
        "&sm=sample_temperature+>+20+degC&sm=incident_energy+between+10+and+20+keV"
        "&sort=-size&page=3&per_page=50"
    )

    query = search.query
    assert query.text == "DPPG monolayer"
    assert query.filters == (
        ("type", ("raw",)),
        ("instrument", ("P08", "P21")),
        ("technique", ("GIXOS",)),
        ("year", ("2024",)),
        ("keyword", ("lipid",)),
        ("license", ("CC-BY-4.0",)),
        ("proposal", ("11019634",)),
        ("location", ("disk",)),
    )
    assert query.conditions == (
        "sample_temperature > 20 degC",
        "incident_energy between 10 and 20 keV",
    )
    assert (query.sort, query.page, query.per_page) == ("-size", 3, 50)
    assert search.notices == ()


def test_facet_values_are_cleaned_deduplicated_and_blank_ones_dropped() -> None:
    query = parse("instrument=+P08+&instrument=P08&instrument=&instrument=%00").query

    assert query.filters == (("instrument", ("P08",)),)


def test_unknown_parameters_are_ignored() -> None:
    query = parse("colour=blue&instrument=P08").query

    assert query.filters == (("instrument", ("P08",)),)


def test_too_many_facet_values_are_capped_with_a_notice() -> None:
    search = parse("&".join(f"keyword=k{i}" for i in range(MAX_FACET_VALUES + 5)))

    assert len(search.query.selected("keyword")) == MAX_FACET_VALUES
    assert search.notices == (
        f"Only the first {MAX_FACET_VALUES} values of “Keyword” were used (25 were given).",
    )


def test_too_many_conditions_are_capped_with_a_notice() -> None:
    search = parse("&".join(f"sm=k{i}+>+{i}" for i in range(MAX_CONDITIONS + 3)))

    assert len(search.query.conditions) == MAX_CONDITIONS
    assert "Only the first 10 conditions were used (13 were given)." in search.notices


@pytest.mark.parametrize(
    ("given", "sort"),
    [
        ("q=abc", ""),
        ("q=abc&sort=relevance", ""),
        ("q=abc&sort=-start_time", "-start_time"),
        ("sort=-start_time", ""),
        ("sort=relevance", ""),
        ("sort=title", "title"),
    ],
)
def test_the_default_order_is_said_once(given: str, sort: str) -> None:
    assert parse(given).query.sort == sort


def test_relevance_is_the_order_with_text_and_newest_without() -> None:
    assert parse("q=abc").query.effective_sort == "relevance"
    assert parse("").query.effective_sort == "-start_time"


def test_unknown_sort_is_an_error_and_the_default_order_is_used() -> None:
    search = parse("sort=bogus")

    assert search.query.sort == ""
    assert "“bogus” is not a way to sort these results" in search.sort_error


@pytest.mark.parametrize(
    ("given", "page", "per_page"),
    [
        ("page=0", 1, 25),
        ("page=-4", 1, 25),
        ("page=1.5", 1, 25),
        ("page=99999999999999999999999", 1, 25),
        ("page=2000000", 1_000_000, 25),
        ("per_page=7", 1, 25),
        ("per_page=100", 1, 100),
    ],
)
def test_page_and_per_page_fall_back_to_usable_numbers(
    given: str, page: int, per_page: int
) -> None:
    query = parse(given).query

    assert (query.page, query.per_page) == (page, per_page)


@pytest.mark.parametrize(
    ("condition", "row"),
    [
        ("sample_temperature > 20 degC", ("sample_temperature", ">", "20", "degC")),
        ("sample_temperature>20degC", ("sample_temperature", ">", "20", "degC")),
        (
            "incident_energy between 10 and 20 keV",
            ("incident_energy", "between", "10 and 20", "keV"),
        ),
        ("pressure <= 1e5", ("pressure", "<=", "1e5", "")),
        ("x == 3 K", ("x", "=", "3", "K")),
        ("x <> 3", ("x", "!=", "3", "")),
        ("sample_name contains DPPG on water", ("sample_name", "contains", "DPPG on water", "")),
        ('detector.mode = "single photon"', ("detector.mode", "=", '"single photon"', "")),
        ("e between 10 keV and 20 keV", ("e", "between", "10 keV and 20 keV", "")),
    ],
)
def test_a_condition_splits_into_a_builder_row_and_back(
    condition: str, row: tuple[str, str, str, str]
) -> None:
    split = ConditionRow.split(condition)

    assert (split.key, split.op, split.value, split.unit) == row
    assert ConditionRow.split(split.condition) == split


def test_a_condition_the_builder_cannot_split_is_kept_whole() -> None:
    row = ConditionRow.split("just some words")

    assert (row.key, row.op) == ("just some words", "")
    assert row.condition == "just some words"
    assert row.is_complete


def test_builder_fields_become_sm_conditions() -> None:
    search = parse(
        "sm_key=sample_temperature&sm_op=%3E&sm_value=20&sm_unit=degC"
        "&sm_key=incident_energy&sm_op=between&sm_value=10+and+20&sm_unit=keV"
        "&sm_key=&sm_op=%3E&sm_value=&sm_unit="
    )

    assert search.query.conditions == (
        "sample_temperature > 20 degC",
        "incident_energy between 10 and 20 keV",
    )
    assert search.from_builder
    assert len(search.rows) == 2  # the blank row is dropped


def test_an_incomplete_builder_row_is_kept_but_not_applied() -> None:
    search = parse("sm_key=sample_temperature&sm_op=%3E&sm_value=&sm_unit=")

    assert search.query.conditions == ()
    assert search.has_incomplete_rows
    assert search.rows[0].incomplete_hint.startswith("Enter a value")


def test_remove_row_drops_that_builder_row() -> None:
    search = parse("sm_key=a&sm_op=%3E&sm_value=1&sm_key=b&sm_op=%3C&sm_value=2&remove_row=0")

    assert search.query.conditions == ("b < 2",)


def test_an_unknown_builder_operator_falls_back_to_greater_than() -> None:
    assert parse("sm_key=a&sm_op=~&sm_value=1").query.conditions == ("a > 1",)


def test_canonical_url_lists_parameters_in_a_stable_order_and_leaves_defaults_out() -> None:
    query = DatasetQuery(
        text="DPPG",
        filters=(("year", ("2024",)), ("instrument", ("P08", "P21"))),
        conditions=("t > 20 degC",),
        sort="relevance",
        page=2,
        per_page=50,
    )

    url = search_url(query)

    assert urlsplit(url).path == "/datasets/"
    assert parse_qsl(urlsplit(url).query) == [
        ("q", "DPPG"),
        ("instrument", "P08"),
        ("instrument", "P21"),
        ("year", "2024"),
        ("sm", "t > 20 degC"),
        ("per_page", "50"),
        ("page", "2"),
    ]
    assert search_url(DatasetQuery()) == "/datasets/"


def test_url_round_trips_through_the_parser() -> None:
    search = parse(
        "q=a+b&instrument=P08&sm=sample_temperature+>+20+degC&sort=-size&page=2&per_page=10"
    )

    assert parse(urlsplit(search_url(search.query)).query).query == search.query


def test_removing_one_facet_value_or_condition_keeps_the_rest_and_goes_to_page_one() -> None:
    query = DatasetQuery(
        filters=(("instrument", ("P08", "P21")), ("year", ("2024",))),
        conditions=("a > 1", "b < 2"),
        page=3,
    )

    assert parse_qsl(urlsplit(without_value(query, "instrument", "P08")).query) == [
        ("instrument", "P21"),
        ("year", "2024"),
        ("sm", "a > 1"),
        ("sm", "b < 2"),
    ]
    assert parse_qsl(urlsplit(without_value(query, "year", "2024")).query) == [
        ("instrument", "P08"),
        ("instrument", "P21"),
        ("sm", "a > 1"),
        ("sm", "b < 2"),
    ]
    assert parse_qsl(urlsplit(without_condition(query, 0)).query)[-1] == ("sm", "b < 2")
