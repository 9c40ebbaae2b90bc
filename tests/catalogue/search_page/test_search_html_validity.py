"""The search page is valid HTML: the Nu HTML checker (vnu.jar) finds no error, in every state."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from catalogue.models import Dataset
from tests.htmlcheck import vnu_errors

pytestmark = pytest.mark.django_db


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

    assert vnu_errors(documents, tmp_path) == []
