"""Bad search input: a helpful message, 400 when the query is unusable, 200 when something could
be ignored, and never a 500. Run against both backends."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from lxml import html as lxml_html

from catalogue.models import Dataset
from tests.catalogue.search_page.conftest import HX

pytestmark = pytest.mark.django_db


def messages(response: Any) -> str:
    doc = lxml_html.fromstring(response.content.decode())
    return " ".join(
        " ".join(m.text_content().split())
        for m in doc.xpath("//div[contains(@class, 'message')] | //p[@class='field-error']")
    )


# (query string, status, words the message must hold)
UNUSABLE = [
    ("q=%22DPPG+monolayer", "quote"),  # unbalanced quotes
    ("q=%2F%2F", ""),  # "//"
    ("q=colour%3Ablue", "colour"),  # unknown field
    ("sm=sample_temperature+>+20+parsecs", "parsecs"),  # unknown unit
    ("sm=sample_temperature+>+20+keV", "keV"),  # incompatible unit
    ("sm=sample_temperature+~+20+K", ""),  # bad operator
    ("sm=sample_temperature+between+20+K", ""),  # between without "and"
    ("sm=%3E+20", ""),  # no key
]


@pytest.mark.parametrize(("query", "words"), UNUSABLE)
def test_unusable_query_is_a_400_with_a_message(
    client: Client, indexed: dict[str, Dataset], query: str, words: str
) -> None:
    response = client.get(f"/datasets/?{query}")

    assert response.status_code == 400
    said = messages(response)
    assert said
    assert words.lower() in said.lower()
    assert 'id="dataset-search"' in response.content.decode()  # the form is there to fix it


@pytest.mark.parametrize(("query", "words"), UNUSABLE)
def test_unusable_query_over_htmx_is_a_400_partial(
    client: Client, indexed: dict[str, Dataset], query: str, words: str
) -> None:
    response = client.get(f"/datasets/?{query}", headers=HX)

    assert response.status_code == 400
    assert response.content.decode().lstrip().startswith('<div id="search-area"')


IGNORABLE = [
    ("q=" + "x" * 10_000, "cut to its first 500 characters"),  # 10 kB of text
    ("page=99999999999999999999", ""),
    ("page=-3", ""),
    ("page=500", "There is no page 500"),
    ("per_page=100000", "Showing 25 datasets per page"),
    ("per_page=abc", "Showing 25 datasets per page"),
    ("instrument=" + "P" * 5000, ""),
    ("&".join(f"keyword=k{i}" for i in range(100)), "Only the first 20 values"),
    ("&".join(f"sm=sample_temperature+>+{i}+K" for i in range(30)), "Only the first 10 conditions"),
    ("sm_key=sample_temperature&sm_op=%3E&sm_value=&sm_unit=", "Enter a value"),
    ("sm_key=&sm_op=%3E&sm_value=20&sm_unit=K", "Choose a parameter"),
    ("q=%00%01lipid%7F", ""),
    ("type=%00", ""),
    ("remove_row=abc", ""),
]


@pytest.mark.parametrize(("query", "words"), IGNORABLE)
def test_ignorable_input_is_a_200_with_a_notice(
    client: Client, indexed: dict[str, Dataset], query: str, words: str
) -> None:
    response = client.get(f"/datasets/?{query}", follow=True)

    assert response.status_code == 200
    assert words in messages(response) + response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "q=%F0%9F%94%AC" * 50,
        "q=%25%5F%5C",
        "q='%22;--",
        "q=a+" * 5000,
        "q=" + "lipid+" * 2000,
        "q=NOT",
        "q=AND+OR",
        "q=((((",
        "q=)",
        "q=*",
        "q=a*",
        "q=title%3A",
        "q=-",
        "q=%5C",
        "sm=" + "x" * 10_000,
        "sm=a+>+1e999",
        "sm=a+>+nan",
        "sm=a+between+5+and+1",
        "sm=a+contains+",
        "sm=a+%3D+%22",
        "sm=%00",
        "sort=%00",
        "sort=" + "x" * 5000,
        "year=abc",
        "year=99999999999999999999",
        "location=moon",
        "list=%3Cscript%3E",
    ],
)
def test_odd_input_never_fails(client: Client, indexed: dict[str, Dataset], query: str) -> None:
    response = client.get(f"/datasets/?{query}")

    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert messages(response)


def test_search_text_error_is_tied_to_the_search_box(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get("/datasets/?q=%22unbalanced")

    doc = lxml_html.fromstring(response.content.decode())
    q = doc.get_element_by_id("q")
    assert q.get("aria-invalid") == "true"
    assert "q-error" in q.get("aria-describedby").split()
    assert doc.get_element_by_id("q-error").get("role") == "alert"


def test_one_bad_condition_does_not_blame_the_good_ones(
    client: Client, indexed: dict[str, Dataset]
) -> None:
    response = client.get(
        "/datasets/?q=lipid&sm=sample_temperature+>+20+degC&sm=incident_energy+>+2+furlongs"
    )

    assert response.status_code == 400
    doc = lxml_html.fromstring(response.content.decode())
    errors = [
        bool(row.xpath(".//p[@class='field-error']"))
        for row in doc.xpath("//li[contains(@class, 'condition-row')]")
    ]
    assert errors == [False, True]
    assert doc.get_element_by_id("q").get("aria-invalid") is None
