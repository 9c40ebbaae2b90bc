"""The demo export through the sync's import code: what `make run` shows, and nothing twice."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import DataFile, Dataset, Instrument, Proposal, ScientificParameter, Thumbnail
from publishing.models import Publication
from sync.services import export_import
from tests.demo import GENERATED_EXPORT, demo_generator

generate = demo_generator()
DEMO = GENERATED_EXPORT

pytestmark = pytest.mark.django_db


def _records(name: str) -> list[dict]:
    return list(json.loads((DEMO / name).read_text(encoding="utf-8")))


def test_the_demo_import_gives_the_public_catalogue() -> None:
    report = export_import(path=DEMO)
    counts = generate.COUNTS
    assert (report.created, report.not_public, report.failed) == (
        counts["public"],
        counts["not_public"],
        0,
    )
    assert Dataset.objects.public().count() == counts["public"]
    assert Instrument.objects.count() == counts["instruments"]
    assert Instrument.objects.values("facility").distinct().count() == counts["facilities"]
    assert Proposal.objects.count() == counts["proposals"]
    assert Publication.objects.count() == counts["publications"]
    locations = set(Dataset.objects.values_list("data_location", flat=True))
    assert {"disk", "tape"} <= locations


def test_records_not_public_and_their_parts_are_left_out() -> None:
    export_import(path=DEMO)
    hidden = {d["pid"] for d in _records("datasets.v4.json") if not d["isPublished"]}
    assert len(hidden) == generate.COUNTS["not_public"]
    assert not Dataset.objects.filter(pid__in=hidden).exists()
    assert not Publication.objects.filter(doi__contains="cobalt").exists()
    stored = "\n".join(
        json.dumps(list(model.objects.values()), default=str)
        for model in (Dataset, Instrument, Proposal, Publication, ScientificParameter, Thumbnail)
    )
    for marker in generate.PRIVATE_MARKERS:
        assert marker not in stored, marker
    public_attachments = sum(
        1
        for a in _records("attachments.v4.json")
        if a["relationships"][0]["targetId"] not in hidden
    )
    assert Thumbnail.objects.count() == public_attachments


def test_a_second_import_writes_nothing() -> None:
    export_import(path=DEMO)
    files = DataFile.objects.count()
    with CaptureQueriesContext(connection) as queries:
        report = export_import(path=DEMO)
    assert (report.created, report.updated, report.unchanged) == (0, 0, generate.COUNTS["public"])
    assert report.publications.unchanged == generate.COUNTS["publications"]
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert DataFile.objects.count() == files
