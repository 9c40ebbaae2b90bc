"""Nothing embargoed and no private field in any PaNOSC answer (the demo export's markers)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from catalogue.models import Dataset
from publishing.models import Publication
from sync.services import export_import
from tests.demo import DEMO_EXPORT, EMBARGOED_PID, PRIVATE_STRINGS

EVERYTHING = json.dumps(
    {
        "include": [
            "parameters",
            "files",
            "techniques",
            "instrument",
            "samples",
            {"relation": "documents", "scope": {"include": ["members", "datasets"]}},
        ],
        "limit": 1000,
    }
)


@pytest.mark.django_db
def test_demo_catalogue_shows_nothing_private_nor_embargoed(client: Client, settings: Any) -> None:
    settings.OPENSEARCH_URL = ""
    export_import(path=DEMO_EXPORT)
    paths = [
        f"Datasets?filter={quote(EVERYTHING)}",
        "Datasets/count",
        "Documents?filter="
        + quote(
            json.dumps(
                {
                    "include": [
                        "datasets",
                        {"relation": "members", "scope": {"include": ["person", "affiliation"]}},
                    ]
                }
            )
        ),
        "Instruments",
    ]
    for dataset in Dataset.objects.all():
        pid = quote(dataset.pid, safe="")
        paths += [f"Datasets/{pid}?filter={quote(EVERYTHING)}", f"Datasets/{pid}/files"]
    for publication in Publication.objects.exclude(doi=""):
        paths.append(
            f"Documents/{quote(publication.doi, safe='')}?filter="
            + quote('{"include": ["members", "datasets"]}')
        )
    bodies = []
    for path in paths:
        response = client.get(f"/panosc-api/{path}")
        assert response.status_code in (200, 404), (path, response.content[:300])
        bodies.append(response.content.decode())
    listed = json.loads(bodies[0])
    assert len(listed) == Dataset.objects.public().count() >= 3
    for body in bodies:
        assert EMBARGOED_PID not in body
        for secret in PRIVATE_STRINGS:
            assert secret not in body, secret
    embargoed = client.get(f"/panosc-api/Datasets/{quote(EMBARGOED_PID, safe='')}")
    assert embargoed.status_code == 404
