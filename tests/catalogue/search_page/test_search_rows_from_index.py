"""With OpenSearch, the search page's rows come from the hits (``_source``), not the database.

They must be exactly the rows the database would give (so the page cannot tell), a dataset
withdrawn in the database but still in the index must not show, and an index made before the
row fields existed keeps working: the fields are added to its mapping in place, and its older
documents' rows come from the database until they are written again.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalogue.models import Dataset
from catalogue.search import DatasetQuery, backend, dataset_search
from catalogue.search.backends import outage
from catalogue.search.opensearch import MAPPING, SETTINGS, OpenSearchBackend
from catalogue.selectors import dataset_table_page, dataset_table_rows
from catalogue.visibility import Visibility
from tests.factories import DatasetFactory, ThumbnailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(settings: Any, opensearch_url: str) -> OpenSearchBackend:
    settings.OPENSEARCH_URL = opensearch_url
    settings.OPENSEARCH_INDEX = f"test-rows-{uuid.uuid4().hex[:10]}"
    outage.succeeded("reset")  # an earlier test's outage must not send these to the database
    chosen = backend()
    assert isinstance(chosen, OpenSearchBackend)
    return chosen


def _varied() -> list[Dataset]:
    """Datasets covering every way a row's cell can be empty, odd or present."""
    with_thumbnail = DatasetFactory.create(title="with a thumbnail")
    ThumbnailFactory.create(dataset=with_thumbnail, image="thumbnails/a.png")
    ThumbnailFactory.create(dataset=with_thumbnail, caption="Second")
    empty_first = DatasetFactory.create(title="first thumbnail without a file")
    ThumbnailFactory.create(dataset=empty_first, caption="A", image="")
    ThumbnailFactory.create(dataset=empty_first, caption="B")
    bare = DatasetFactory.create(
        pid='odd/pid <&> "x"',
        title="no run, no proposal, no time, no folder",
        run_number="",
        proposal=None,
        start_time=None,
        source_folder="",
    )
    local_time = DatasetFactory.create(
        title="a start time with an offset",
        start_time=dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        size=0,
    )
    return [with_thumbnail, empty_first, bare, local_time, *DatasetFactory.create_batch(3)]


def test_rows_from_the_index_are_the_rows_from_the_database(index: OpenSearchBackend) -> None:
    datasets = _varied()
    index.index([d.pk for d in datasets])
    index.refresh()

    for sort in ("", "title", "-size", "start_time"):
        query = DatasetQuery(sort=sort, per_page=50)
        page, rows = dataset_table_page(query)

        assert len(page.sources) == len(datasets)
        assert rows == dataset_table_rows(page.ids)


def test_the_page_reads_no_row_from_the_database(index: OpenSearchBackend, client: Client) -> None:
    datasets = _varied()
    index.index([d.pk for d in datasets])
    index.refresh()
    client.get("/datasets/")  # the first request learns the index is there

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/datasets/?q=thumbnail")

    assert response.status_code == 200
    assert b"thumbnails/a.png" in response.content
    assert [q["sql"] for q in queries if "catalogue_thumbnail" in q["sql"]] == []
    assert len(queries) == 1  # which of the page's datasets are still public


def test_a_dataset_withdrawn_but_still_in_the_index_is_not_shown(
    index: OpenSearchBackend, client: Client
) -> None:
    kept, withdrawn = DatasetFactory.create_batch(2, title="tomography of a battery")
    index.index([kept.pk, withdrawn.pk])
    index.refresh()
    # As if the index update after the withdrawal had not happened yet (or failed).
    Dataset.objects.filter(pk=withdrawn.pk).update(visibility=Visibility.WITHDRAWN)

    page, rows = dataset_table_page(DatasetQuery(text="battery"))

    assert set(page.ids) == {kept.pk, withdrawn.pk}
    assert [row["pid"] for row in rows] == [kept.pid]
    assert withdrawn.pid.encode() not in client.get("/datasets/?q=battery").content


def test_an_index_made_before_the_row_fields_keeps_working(index: OpenSearchBackend) -> None:
    old, new = _varied()[:2]
    # The index as the previous version of the mapping made it, with an old document in it.
    name = f"{index.alias}-v2-old"
    mapping = copy.deepcopy(MAPPING)
    for field in ("source_folder", "thumbnail"):
        del mapping["properties"][field]
    index.client.indices.create(index=name, body={"settings": SETTINGS, "mappings": mapping})
    index.client.indices.put_alias(index=name, name=index.alias)
    [document] = [d for d in index_documents([old.pk])]
    for field in ("source_folder", "thumbnail"):
        del document[field]
    index.client.index(index=name, id=str(old.pk), body=document, refresh=True)

    # The first use adds the fields; then new documents (with them) can be written.
    assert dataset_search(DatasetQuery()).ids == [old.pk]
    properties = index.client.indices.get_mapping(index=name)[name]["mappings"]["properties"]
    assert {"source_folder", "thumbnail"} <= set(properties)
    index.index([new.pk])
    index.refresh()

    page, rows = dataset_table_page(DatasetQuery(sort="title", per_page=50))
    assert set(page.ids) == {old.pk, new.pk}
    assert rows == dataset_table_rows(page.ids)  # the old document's row from the database


def index_documents(ids: list[int]) -> list[dict[str, Any]]:
    from catalogue.search.documents import documents

    return list(documents(ids).values())


@pytest.mark.parametrize("cursor_step", [1000, 2])
def test_deep_pages_bring_their_rows_too(
    index: OpenSearchBackend, monkeypatch: pytest.MonkeyPatch, cursor_step: int
) -> None:
    """Pages past the window (read backwards near the end, or after a cursor in the middle) bring
    their own hits' fields and highlights, and their rows are the database's."""
    from catalogue.search.opensearch import paging

    monkeypatch.setattr(paging, "MAX_WINDOW", 4)
    monkeypatch.setattr(paging, "CURSOR_STEP", cursor_step)  # 2: cursors between windows
    datasets = DatasetFactory.create_batch(30)
    index.index([d.pk for d in datasets])
    index.refresh()
    everything = dataset_search(DatasetQuery(per_page=50)).ids

    for page_number in (3, 4, 5, 9, 10):  # middle pages (a cursor, then a hop), the far end
        page, rows = dataset_table_page(DatasetQuery(per_page=3, page=page_number))
        assert page.ids == everything[(page_number - 1) * 3 : page_number * 3]
        assert set(page.sources) == set(page.ids)
        assert rows == dataset_table_rows(page.ids)
    page = dataset_search(DatasetQuery(text="reflectivity", sort="title", per_page=3, page=4))
    assert page.ids == dataset_search(DatasetQuery(sort="title", per_page=50)).ids[9:12]
    assert set(page.highlights) == set(page.ids)
