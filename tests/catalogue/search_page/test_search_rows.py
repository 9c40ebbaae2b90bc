"""The search page's table rows and facet checkboxes: the page model (``catalogue.search_page``)
and their markup, the named partials ``dataset-rows`` and ``facet-options`` of the page's template.

Every value escaped, links as ``reverse()`` makes them, the first thumbnail (by id) shown only when
it has a file, no extra query per row.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from catalogue.models import Thumbnail
from catalogue.search_page import FacetOption, table_row
from catalogue.selectors import dataset_table_rows
from tests.factories import DatasetFactory, ThumbnailFactory

pytestmark = pytest.mark.django_db

ODD_PIDS = [
    "20.500.12269/plain",
    "pid with spaces/and?query#frag",
    "ümlaut/ß@host:1~x;y,z=1&2+3$'!*()",
    '100%/<b>&"',
]


def _rows_html(response: Any) -> Any:
    return lxml_html.fromstring(response.content.decode()).xpath(
        "//table[@class='data-table datasets']/tbody/tr"
    )


@pytest.mark.parametrize("pid", ODD_PIDS)
def test_row_links_are_the_ones_reverse_makes(pid: str) -> None:
    dataset = DatasetFactory.create(pid=pid)
    [values] = dataset_table_rows([dataset.pk])

    assert table_row(values).url == reverse("landing:dataset", args=[pid])


def test_rows_escape_every_value(client: Client) -> None:
    DatasetFactory.create(pid='x<y>&"z', title="<script>alert(1)</script>", source_folder="/a&b")

    response = client.get("/datasets/")
    body = response.content.decode()

    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    [row] = _rows_html(response)
    assert row.xpath("./th/a")[0].text == 'x<y>&"z'
    assert row.xpath("./td[@class='cell-folder']")[0].text_content() == "/a&b"


def test_first_thumbnail_only_and_only_with_a_file(client: Client) -> None:
    shown = DatasetFactory.create(title="shown")
    ThumbnailFactory.create(dataset=shown, image="thumbnails/a.png")
    ThumbnailFactory.create(dataset=shown, caption="B")
    empty_first = DatasetFactory.create(title="empty first")
    ThumbnailFactory.create(dataset=empty_first, caption="A", image="")
    ThumbnailFactory.create(dataset=empty_first, caption="B")
    DatasetFactory.create(title="none")

    rows = {
        row.xpath("./td[@class='cell-title']")[0].text_content(): row.xpath(".//img")
        for row in _rows_html(client.get("/datasets/"))
    }

    [img] = rows["shown"]
    assert img.get("src") == "/media/thumbnails/a.png"
    assert img.get("alt") == "Thumbnail"
    assert rows["empty first"] == []
    assert rows["none"] == []


def test_table_rows_are_one_query() -> None:
    datasets = [DatasetFactory.create() for _ in range(5)]
    for dataset in datasets:
        Thumbnail.objects.create(
            dataset=dataset, source_id="t", image="thumbnails/t.png", content_digest="t"
        )
    ids = [d.pk for d in reversed(datasets)]

    with CaptureQueriesContext(connection) as queries:
        rows = dataset_table_rows(ids)

    assert len(queries) == 1
    assert [r["id"] for r in rows] == ids


def test_facet_options_markup() -> None:
    html = render_to_string(
        "catalogue/dataset_list.html#facet-options",
        {
            "name": 'ty"pe',
            "options": [
                FacetOption(value="a&b", label="<A>", count=1234, selected=True, id="f-1"),
                FacetOption(value="c", label="C", count=1, selected=False, id="f-2"),
            ],
        },
    )
    doc = lxml_html.fromstring(f"<ul>{html}</ul>")

    first, second = doc.xpath("//li")
    box = first.xpath("./input")[0]
    assert (box.get("name"), box.get("value"), box.get("checked")) == ('ty"pe', "a&b", "checked")
    assert first.xpath(".//span[@class='facet-label']")[0].text == "<A>"
    assert first.xpath(".//span[@class='facet-count']")[0].text_content() == "1,234 datasets"
    assert second.xpath("./input")[0].get("checked") is None
    assert second.xpath(".//span[@class='facet-count']")[0].text_content() == "1 dataset"


def test_dataset_rows_of_nothing_is_empty() -> None:
    assert render_to_string("catalogue/dataset_list.html#dataset-rows", {"rows": []}).strip() == ""
