"""No private catalogue field reaches any machine-readable format, nor any e-mail address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from catalogue.models import Dataset
from landing import signposting
from landing.citation import citations
from landing.exports import EXPORTS, export_url, render_bytes
from landing.meta import head_html
from landing.records import LandingRecord, dataset_record, publication_record
from landing.schemaorg import jsonld_script
from publishing.models import Publication
from sync.services import export_import
from tests.demo import DEMO_EXPORT, PRIVATE_STRINGS


def everything(record: LandingRecord) -> list[tuple[str, str]]:
    out = [(key, render_bytes(record, fmt).decode()) for key, fmt in EXPORTS.items()]
    out += [(f"cite-{c.style}", c.html + c.text) for c in citations(record)]
    out += [
        ("link", signposting.link_header(record)),
        ("linkset", signposting.linkset_json(record)),
        ("linkset-text", signposting.linkset_text(record)),
        ("meta", str(head_html(record))),
        ("jsonld", str(jsonld_script(record))),
    ]
    return out


@pytest.mark.django_db
def test_demo_records_show_nothing_private(client: Client, settings: Any) -> None:
    settings.PORTAL_DOWNLOAD_URL = "https://data.example.org/{source_folder}/{path}"
    export_import(path=DEMO_EXPORT)
    records = [publication_record(p) for p in Publication.objects.all()]
    records += [dataset_record(d) for d in Dataset.objects.all()]
    assert len(records) >= 6
    for record in records:
        for name, text in everything(record):
            for secret in PRIVATE_STRINGS:
                assert secret not in text, (record.identifier, name, secret)
        for key in EXPORTS:
            response = client.get(export_url(record, key))
            for secret in PRIVATE_STRINGS:
                assert secret.encode() not in response.content


def test_e_mail_in_an_abstract_is_masked(publication: Publication) -> None:
    for name, text in everything(publication_record(publication)):
        assert "owner@facility.example" not in text, name
