"""A publication's contributors and geo locations on its landing page and in OAI-PMH."""

from __future__ import annotations

import re

from django.test import Client
from lxml import etree

from oai.selectors import oai_identifier
from publishing.models import Publication
from tests.oai.conftest import validate

KERNEL = "{http://datacite.org/schema/kernel-4}"
DC = "{http://purl.org/dc/elements/1.1/}"


def test_the_landing_page_names_contributors_with_their_roles_and_the_places(
    client: Client, publication: Publication
) -> None:
    body = client.get(f"/doi/{publication.doi}").content.decode()

    facts = body.split('<dl class="facts">')[1].split("</dl>")[0]
    assert "<dt>Contributors</dt>" in facts
    names = re.findall(
        r'<span class="person-name">([^<]*)</span> <span class="meta">\(([^)]*)\)', facts
    )
    assert names == [
        ("Carberry, Josiah", "contact person"),
        ("Meitner, Lise", "editor"),
        ("Sample Preparation Lab", "data collector"),
    ]
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in facts
    assert 'href="https://ror.org/05gq02987"' in facts
    assert "<dt>Geo locations</dt>" in facts
    assert "Hamburg, Germany (53.5754° N, 9.8803° E)" in facts
    assert "from 35° N, 10.5° W to 71.2° N, 30° E" in facts
    # Text only: no map tiles or scripts from elsewhere.
    assert "tile" not in body.lower()


def test_oai_pmh_carries_contributors_and_geo_locations(
    client: Client, publication: Publication
) -> None:
    identifier = oai_identifier(publication.doi)
    datacite = client.get(
        "/oai", {"verb": "GetRecord", "metadataPrefix": "oai_datacite", "identifier": identifier}
    ).content
    tree = validate(datacite)
    contributors = tree.findall(f".//{KERNEL}contributor")
    assert [c.get("contributorType") for c in contributors] == [
        "ContactPerson",
        "Editor",
        "DataCollector",
    ]
    assert tree.findtext(f".//{KERNEL}geoLocationPlace") == "Hamburg, Germany"
    assert tree.findtext(f".//{KERNEL}geoLocationBox/{KERNEL}northBoundLatitude") == "71.2"

    dublin_core = etree.fromstring(
        client.get(
            "/oai", {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": identifier}
        ).content
    )
    assert [c.text for c in dublin_core.iter(f"{DC}contributor")] == [
        "Carberry, Josiah",
        "Meitner, Lise",
        "Sample Preparation Lab",
    ]
    assert "Hamburg, Germany" in [c.text for c in dublin_core.iter(f"{DC}coverage")]
