"""The landing pages are valid HTML: the Nu HTML checker (vnu.jar) finds no error."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from catalogue.services import dataset_withdraw
from publishing.services.withdrawal import publication_withdraw
from tests.htmlcheck import vnu_errors
from tests.landing.pages.conftest import Landing
from tests.landing.pages.test_pages import make_files

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def test_landing_pages_pass_the_nu_html_checker(
    client: Client, landing: Landing, downloads_on: str, tmp_path: Path
) -> None:
    dataset = landing.datasets[0]
    make_files(landing.datasets[1], 250)
    documents = {
        "publication": client.get(landing.url).content.decode(),
        "dataset": client.get(f"/datasets/{dataset.pid}").content.decode(),
        "dataset-many-files": client.get(
            f"/datasets/{landing.datasets[1].pid}?files=last"
        ).content.decode(),
        "citation-ieee": client.get(f"{landing.url}?style=ieee").content.decode(),
    }
    publication_withdraw(publication=landing.publication, reason="Superseded by version 2")
    dataset_withdraw(dataset=dataset, reason="Wrong sample <b>holder</b>")
    documents["publication-tombstone"] = client.get(landing.url).content.decode()
    documents["dataset-tombstone"] = client.get(f"/datasets/{dataset.pid}").content.decode()

    assert vnu_errors(documents, tmp_path) == []
