"""A condition on a parameter no public dataset has says so and names the nearest known keys."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from catalogue.models import ScientificParameter
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def temperature() -> None:
    cache.clear()
    dataset = DatasetFactory.create()
    ScientificParameter.objects.create(
        dataset=dataset,
        key_path="sample_temperature",
        original_value="295",
        unit="K",
        si_value=295.0,
        si_value_max=295.0,
        si_unit="K",
    )


def test_an_unknown_key_says_so_with_the_nearest_known_keys(
    client: Client, temperature: None
) -> None:
    response = client.get("/datasets/", {"sm": "sample_temprature > 20 degC"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "No public dataset has the key <code>sample_temprature</code>" in body
    # The nearest known key, as a link to the same search with that key instead.
    link = "/datasets/?sm=sample_temperature+%3E+20+degC"
    assert f'<a href="{link}" data-hx-get="{link}"><code>sample_temperature</code></a>' in body


def test_a_known_key_gets_no_such_notice(client: Client, temperature: None) -> None:
    body = client.get("/datasets/", {"sm": "sample_temperature > 20 degC"}).content.decode()
    assert "No public dataset has the key" not in body
