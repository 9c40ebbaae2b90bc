"""Autocomplete for the condition builder: keys of public datasets' scientific metadata."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

from catalogue.models import Dataset
from catalogue.selectors import parameter_key_suggestions
from catalogue.services import dataset_withdraw
from tests.catalogue.search_page.conftest import HX, with_parameters
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def options(response: object) -> list[tuple[str, str]]:
    doc = lxml_html.fragment_fromstring(response.content.decode().strip())  # type: ignore[attr-defined]
    return [(o.get("value"), " ".join(o.text_content().split())) for o in doc.xpath("./option")]


def test_keys_matching_a_prefix_or_a_word_come_with_their_usual_unit(
    client: Client, catalogue: dict[str, Dataset]
) -> None:
    response = client.get("/search/keys?key=temp", headers=HX)

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<datalist id="sm-keys">')
    assert options(response) == [("sample_temperature", "K · 3 values")]


def test_keys_starting_with_the_text_come_before_keys_with_a_word_starting_with_it(
    db: None,
) -> None:
    dataset = DatasetFactory.create()
    with_parameters(
        dataset,
        {"energy_gap": 1, "incident_energy": {"value": 10, "unit": "keV"}, "photonenergy": "x"},
    )

    found = [s.key for s in parameter_key_suggestions("energy")]

    assert found == ["energy_gap", "incident_energy", "photonenergy"]


def test_empty_text_lists_the_most_used_keys(client: Client, catalogue: dict[str, Dataset]) -> None:
    found = [value for value, _ in options(client.get("/search/keys?key="))]

    assert found[0] == "sample_temperature"
    assert set(found) == {"sample_temperature", "incident_energy", "sample_name"}


def test_keys_of_withdrawn_datasets_are_not_offered(client: Client, db: None) -> None:
    dataset = with_parameters(DatasetFactory.create(), {"secret_setting": 1})
    dataset_withdraw(dataset=dataset, reason="retracted")

    assert options(client.get("/search/keys?key=secret")) == []


def test_the_form_field_name_works_too_and_the_list_id_is_checked(
    client: Client, catalogue: dict[str, Dataset]
) -> None:
    response = client.get('/search/keys?sm_key=incident&list="><script>')

    assert response.content.decode().lstrip().startswith('<datalist id="sm-keys">')
    assert options(response)[0][0] == "incident_energy"


@pytest.mark.parametrize("key", ["", "%00", "x" * 5000, "%F0%9F%94%AC", "'%22;--", "%25"])
def test_odd_text_never_fails(client: Client, catalogue: dict[str, Dataset], key: str) -> None:
    assert client.get(f"/search/keys?key={key}").status_code == 200


def test_the_key_list_is_read_once_and_then_cached(
    client: Client, catalogue: dict[str, Dataset]
) -> None:
    client.get("/search/keys?key=s")

    with CaptureQueriesContext(connection) as captured:
        client.get("/search/keys?key=inc")

    assert len(captured) == 0


def test_search_page_offers_the_most_used_keys_without_javascript(
    client: Client, catalogue: dict[str, Dataset]
) -> None:
    doc = lxml_html.fromstring(client.get("/datasets/").content.decode())

    datalist = doc.get_element_by_id("sm-keys")
    assert "sample_temperature" in [o.get("value") for o in datalist.xpath("./option")]
    key_input = doc.xpath("//input[@name='sm_key']")[0]
    assert key_input.get("list") == "sm-keys"
    assert key_input.get("data-hx-get") == "/search/keys"
    assert doc.xpath(f"//label[@for='{key_input.get('id')}']")
