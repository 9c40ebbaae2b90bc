"""Every text that comes from the catalogue is escaped everywhere it is shown: XSS payloads fed
through the real import (titles, descriptions, keywords, scientific-metadata keys and values,
file names, creator names, publication titles and abstracts), then every page, feed, export,
API answer and the bulk dump checked."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from lxml import etree, html

from catalogue.models import Dataset
from landing.exports import EXPORTS
from operations.dumps import metadata_dump
from publishing.models import Publication

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "tests" / "data" / "scicat-export"
SCRIPT = '<script>alert("xss")</script>'
IMAGE = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT}{IMAGE}' onmouseover='alert(2)' javascript:alert(3) ]]><x/>"


def _poisoned_export(directory: Path) -> None:
    for source in DEMO.iterdir():
        records: list[dict[str, Any]] = json.loads(source.read_text())
        if source.name.startswith("datasets."):
            for record in records:
                record["datasetName"] = f"Title {PAYLOAD}"
                record["description"] = f"Description {PAYLOAD}"
                record["keywords"] = [*record.get("keywords", []), f"kw {PAYLOAD}"]
                record["principalInvestigators"] = [f"Investigator {PAYLOAD}"]
                record["owner"] = f"Owner {PAYLOAD}"
                metadata = record.setdefault("scientificMetadata", {})
                metadata[f"key {IMAGE}"] = {"value": f"value {PAYLOAD}", "unit": ""}
                metadata["plain_key"] = f"text {PAYLOAD}"
        elif source.name.startswith("origdatablocks."):
            for block in records:
                for entry in block["dataFileList"]:
                    entry["path"] = f"dir/{IMAGE}{entry['path']}"
        elif source.name.startswith("publisheddata."):
            for record in records:
                record["title"] = f"Publication {PAYLOAD}"
                record["abstract"] = f"Abstract {PAYLOAD}"
                for creator in record.get("metadata", {}).get("creators", []):
                    creator["name"] = f"{creator['name']} {PAYLOAD}"
                    creator["familyName"] = f"{creator.get('familyName', '')} {IMAGE}"
        (directory / source.name).write_text(json.dumps(records))


@pytest.fixture(scope="module")
def poisoned(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    directory = tmp_path_factory.mktemp("poisoned")
    _poisoned_export(directory)
    with django_db_blocker.unblock():
        call_command("sync_catalogue", "--from-export", str(directory), "--no-progress")
        yield
        # What the import wrote lives outside the tests' transactions: take all of it away.
        for label in ("publishing", "stats", "sync", "usage", "catalogue"):
            for model in reversed(list(apps.get_app_config(label).get_models())):
                model._default_manager.all().delete()


def _check_html(url: str, body: bytes) -> None:
    text = body.decode()
    assert SCRIPT not in text, url
    assert "<img src=x" not in text, url
    tree = html.fromstring(body)
    for script in tree.iter("script"):
        assert script.get("src") or script.get("type") in ("application/ld+json",), url
        if script.get("type") == "application/ld+json":
            assert "</script" not in (script.text or "").lower(), url
            json.loads(script.text or "")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("x", "style"), (url, element.tag)
        for name, value in element.attrib.items():
            assert not name.startswith("on"), (url, element.tag, name)
            if name in ("href", "src", "action"):
                assert not value.strip().lower().startswith("javascript:"), (url, value)


def _check(url: str, answer: Any) -> None:
    assert answer.status_code == 200, url
    kind = answer["Content-Type"].split(";")[0]
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    if kind == "text/html":
        _check_html(url, body)
    elif kind.endswith("json"):
        json.loads(body)  # the payload stays inside JSON strings
        assert answer["X-Content-Type-Options"] == "nosniff"
    elif kind.endswith("xml"):
        tree = etree.fromstring(body)
        tags = {etree.QName(e).localname for e in tree.iter() if isinstance(e.tag, str)}
        assert not tags & {"script", "img", "x"}, (url, tags & {"script", "img", "x"})
    else:  # BibTeX, RIS, CSV, text: shown as text, never sniffed as HTML
        assert kind.startswith("text/plain") or kind.startswith(("application/x-", "text/csv")), (
            url,
            kind,
        )
        assert answer["X-Content-Type-Options"] == "nosniff"


def _urls() -> list[str]:
    urls = ["/", "/datasets/", "/datasets/?q=Title", "/publications/", "/statistics/",
            "/sitemap.xml", "/api/v1/datasets", "/api/v1/publications",
            "/panosc-api/Datasets", "/panosc-api/Documents",
            "/oai?verb=ListRecords&metadataPrefix=oai_dc",
            "/oai?verb=ListRecords&metadataPrefix=oai_datacite"]  # fmt: skip
    for pid in Dataset.objects.public().values_list("pid", flat=True):
        urls += [f"/datasets/{pid}", f"/api/v1/datasets/{quote(pid, safe='/')}"]
        urls += [f"/export/{key}/datasets/{pid}" for key in EXPORTS]
    for doi in Publication.objects.public().values_list("doi", flat=True):
        urls += [f"/doi/{doi}", f"/api/v1/publications/{doi}"]
        urls += [f"/export/{key}/doi/{doi}" for key in EXPORTS]
    return urls


def test_the_payloads_arrived(poisoned: Any) -> None:
    dataset = Dataset.objects.public().first()
    assert dataset is not None
    assert SCRIPT in dataset.title
    assert Publication.objects.filter(title__contains=SCRIPT).exists()


def test_every_page_feed_export_and_api_escapes_catalogue_text(
    poisoned: Any, client: Client
) -> None:
    urls = _urls()
    assert len(urls) > 40
    for url in urls:
        _check(url, client.get(url))


def test_htmx_partials_escape_too(poisoned: Any, client: Client) -> None:
    pid = Dataset.objects.public().values_list("pid", flat=True).first()
    for url in ("/datasets/?q=Title", f"/files/{pid}", "/search/keys?q=key"):
        answer = client.get(url, HTTP_HX_REQUEST="true")
        if answer.status_code == 200 and answer["Content-Type"].startswith("text/html"):
            assert SCRIPT not in answer.content.decode(), url
            assert "<img src=x" not in answer.content.decode(), url


def test_the_bulk_dump_keeps_the_payload_as_data(
    poisoned: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DUMPS_ROOT = tmp_path
    dump = metadata_dump()
    for file in dump.files:
        data = gzip.decompress((tmp_path / file.name).read_bytes())
        if file.format == "xml":
            tree = etree.fromstring(data)
            assert not [
                e
                for e in tree.iter()
                if isinstance(e.tag, str) and etree.QName(e).localname in ("script", "img", "x")
            ]
        else:
            for line in data.splitlines():
                json.loads(line)
    assert re.search(rb"Title ", gzip.decompress((tmp_path / dump.files[0].name).read_bytes()))
