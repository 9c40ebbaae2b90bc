"""The OAI-PMH benchmark's rows (written straight into the database) are valid records."""

from __future__ import annotations

import pytest

from bench.oai import PER_DATESTAMP, fill
from catalogue.models import Dataset
from publishing.models import Publication
from tests.oai.conftest import NS, Oai

pytestmark = pytest.mark.django_db


def test_bench_rows_harvest_as_valid_records(oai: Oai) -> None:
    assert fill(60, say=lambda *_: None) == 60
    assert fill(60, say=lambda *_: None) == 0  # topped up, never twice
    assert Dataset.objects.count() == 60
    assert Dataset.objects.withdrawn().count() == 1  # one in 97, from the first
    assert Publication.objects.count() == 11  # five datasets each
    assert Dataset.objects.filter(
        modified=Dataset.objects.earliest("modified").modified
    ).count() == (PER_DATESTAMP)
    tree = oai(verb="ListRecords", metadataPrefix="oai_datacite")  # validated against the XSDs
    assert len(tree.findall(".//oai:record", NS)) == 71
