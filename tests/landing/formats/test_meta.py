"""Highwire ``citation_*`` tags, OpenGraph, the description and the canonical link."""

from __future__ import annotations

from django.core.files.base import ContentFile
from lxml import html as lxml_html

from catalogue.models import Thumbnail
from landing.meta import head_html, head_meta
from landing.records import dataset_record, publication_record
from publishing.models import Publication
from tests.factories import DatasetFactory


def test_highwire_and_opengraph_of_a_publication(publication: Publication) -> None:
    record = publication_record(publication)
    triples = head_meta(record)
    by_key: dict[str, list[str]] = {}
    for _, key, content in triples:
        by_key.setdefault(key, []).append(content)
    assert by_key["canonical"] == [record.url]
    assert by_key["citation_title"] == [record.title]
    assert by_key["citation_author"] == [
        "Franklin, Rosalind",
        "Ørsted, Hans Christian",
        "Beamline P08 team and friends",
    ]
    assert by_key["citation_author_orcid"] == ["https://orcid.org/0000-0002-1825-0097"]
    assert by_key["citation_publication_date"] == ["2025/02/03"]
    assert by_key["citation_doi"] == ["10.5072/landing-formats-0001"]
    assert by_key["citation_publisher"] == ["Photon Science Facility"]
    assert by_key["citation_keywords"] == ["X-ray reflectivity; lipids"]
    assert by_key["og:title"] == [record.title]
    assert by_key["og:url"] == [record.url]
    assert 50 <= len(by_key["description"][0]) <= 300


def test_head_html_is_escaped_and_parses(db: None) -> None:
    dataset = DatasetFactory.create(title='Quote " and <tag> & more', description="d" * 400)
    record = dataset_record(dataset)
    markup = str(head_html(record))
    assert "<tag>" not in markup
    tree = lxml_html.fromstring(f"<html><head>{markup}</head><body></body></html>")
    titles = tree.xpath('//meta[@name="citation_title"]/@content')
    assert titles == [record.title]
    assert tree.xpath('//link[@rel="canonical"]/@href') == [record.url]
    description = tree.xpath('//meta[@name="description"]/@content')[0]
    assert len(description) <= 300
    assert description.endswith("…")
    assert not tree.xpath('//meta[@name="citation_doi"]')  # a dataset without DOI


def test_og_image_is_the_first_thumbnail(publication: Publication) -> None:
    dataset = publication.datasets.order_by("pid").first()
    assert dataset is not None
    Thumbnail.objects.create(
        dataset=dataset,
        source_id="t1",
        image=ContentFile(b"\x89PNG\r\n", name="t1.png"),
        content_digest="x",
    )
    images = [c for _, key, c in head_meta(publication_record(publication)) if key == "og:image"]
    assert len(images) == 1
    assert images[0].startswith("http://127.0.0.1:8000/media/thumbnails/")
