"""Files and parameters have no database foreign key on PostgreSQL (migration 0010): the ORM
still cascades a dataset's deletion to them, and an import leaves no row without its dataset."""

from __future__ import annotations

import pytest
from django.db import connection

from catalogue.models import DataFile, Dataset, ScientificParameter
from tests.factories import DataFileFactory, DatasetFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_dataset_deletes_its_files_and_parameters() -> None:
    kept, gone = DatasetFactory.create_batch(2)
    for dataset in (kept, gone):
        DataFileFactory.create_batch(3, dataset=dataset)
        ScientificParameter.objects.create(dataset=dataset, key_path="sample_temperature")

    Dataset.objects.filter(pk=gone.pk).delete()

    assert set(DataFile.objects.values_list("dataset_id", flat=True)) == {kept.pk}
    assert set(ScientificParameter.objects.values_list("dataset_id", flat=True)) == {kept.pk}


def test_no_foreign_key_is_checked_at_commit_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its constraints")
    with connection.cursor() as cursor:
        for table in ("catalogue_datafile", "catalogue_scientificparameter"):
            constraints = connection.introspection.get_constraints(cursor, table)
            assert not [c for c in constraints.values() if c["foreign_key"]], table
