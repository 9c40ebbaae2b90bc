"""The creator facet on the search page: counted in the sidebar like the others, a removable chip
when chosen, long lists behind "Show more"."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def authored(db: None) -> None:
    for n in range(9):
        DatasetFactory.create(
            title=f"Scan {n}",
            creators=[{"name": "Lovelace, Ada"}, {"name": f"Assistant {n:02d}"}],
        )


def test_the_sidebar_counts_creators_and_hides_the_long_tail(
    client: Client, authored: None
) -> None:
    body = client.get("/datasets/").content.decode()
    creator = body[
        body.index("<legend>Creator") : body.index("</fieldset>", body.index("<legend>Creator"))
    ]
    assert 'name="creator" value="Lovelace, Ada"' in creator
    assert '<span class="facet-count">9<' in creator
    assert "Show 4 more" in creator  # ten names: six shown, four behind "Show more"


def test_a_chosen_creator_filters_and_shows_a_chip(client: Client, authored: None) -> None:
    response = client.get("/datasets/", {"creator": "Assistant 03"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-total="1"' in body
    assert (
        '<span class="chip-kind">Creator:</span> <span class="chip-label">Assistant 03</span>'
        in body
    )
    assert 'value="Assistant 03" checked' in body
