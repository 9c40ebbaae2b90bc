"""in_list: ``column IN (...)`` as one array parameter on PostgreSQL, plain IN elsewhere."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.id_lists import in_list
from catalogue.models import Dataset
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def test_in_list_finds_the_rows_listed_with_one_parameter() -> None:
    datasets = DatasetFactory.create_batch(5)
    wanted = [datasets[0].pk, datasets[3].pk, 10**9]
    with CaptureQueriesContext(connection) as queries:
        found = set(Dataset.objects.filter(in_list("id", wanted)).values_list("id", flat=True))
    assert found == {datasets[0].pk, datasets[3].pk}
    sql = queries.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert " IN (" in sql


def test_in_list_of_strings_and_of_nothing() -> None:
    first, second = DatasetFactory.create_batch(2)
    pids = Dataset.objects.filter(in_list("pid", [second.pid, "no/such"])).values_list("pid")
    assert list(pids) == [(second.pid,)]
    assert list(Dataset.objects.filter(in_list("id", []))) == []
    assert Dataset.objects.exclude(in_list("id", [first.pk])).get() == second


def test_public_dataset_ids_are_one_lookup_whatever_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from catalogue.selectors import public_dataset_ids
    from catalogue.services import dataset_withdraw

    shown, withdrawn = DatasetFactory.create_batch(2)
    dataset_withdraw(dataset=withdrawn, reason="gone")
    asked = [withdrawn.pk, shown.pk, 10**9]
    with CaptureQueriesContext(connection) as queries:
        assert public_dataset_ids(asked) == {shown.pk}
    assert len(queries.captured_queries) == 1
    assert public_dataset_ids([]) == set()
    # Another database asks through the query set: the same answer.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert public_dataset_ids(asked) == {shown.pk}
