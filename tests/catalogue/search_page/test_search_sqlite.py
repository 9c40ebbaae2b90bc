"""The search page on the embedded default (SQLite, database search), served by `runserver` on the
tests' small export, as `make run` serves the demo. The rest of tests/catalogue/search_page runs
on PostgreSQL and OpenSearch."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.portal.test_embedded_default import serve_export

Served = tuple[str, Path]


@pytest.fixture(scope="module")
def embedded_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The small export of the tests (tests/data/scicat-export): counts that do not follow the
    demo's size."""
    yield from serve_export(tmp_path_factory, "tests/data/scicat-export")


def get(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def total(body: str) -> int:
    found = re.search(r'id="results" class="results" data-total="(\d+)"', body)
    assert found, "no results element"
    return int(found[1])


@pytest.mark.parametrize(
    ("path", "hits"),
    [
        ("/datasets/?q=DPPG+monolayer", 3),
        ("/datasets/?instrument=P08&year=2024", 4),
        ("/datasets/?sm=sample_temperature+>+20+degC", 3),
        ("/datasets/?sm=incident_energy+between+10+and+20+keV", 3),
        ("/datasets/?q=DPPG&sm=sample_temperature+<+295.5+K&sort=-pid", 3),
        ("/datasets/?sm=sample_temperature+>+20+degC&sm=incident_energy+between+10+and+20+keV", 2),
    ],
)
def test_searches_answer_on_sqlite(embedded_portal: Served, path: str, hits: int) -> None:
    base, _ = embedded_portal

    status, body = get(base, urllib.parse.quote(path, safe="/?=&+"))

    assert status == 200
    assert total(body) == hits


@pytest.mark.parametrize(
    "path",
    [
        "/datasets/?q=%22unbalanced",
        "/datasets/?q=colour%3Ablue",
        "/datasets/?sm=sample_temperature+%3E+20+parsecs",
        "/datasets/?sm=sample_temperature+~+20",
    ],
)
def test_unusable_searches_are_400_on_sqlite(embedded_portal: Served, path: str) -> None:
    base, _ = embedded_portal

    status, body = get(base, path)

    assert status == 400
    assert 'role="alert"' in body


def test_key_autocomplete_on_sqlite(embedded_portal: Served) -> None:
    base, _ = embedded_portal

    status, body = get(base, "/search/keys?key=temp")

    assert status == 200
    assert '<option value="sample_temperature" data-unit="K">' in body
    assert "voxel_size" not in get(base, "/search/keys?key=")[1]  # only under embargo
