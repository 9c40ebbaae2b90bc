"""The counting redirect of a file (/download/file/datasets/<pid>?path=...) and the landing
page's usage figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.factories import DataFileFactory, DatasetFactory
from usage.models import UsageEvent
from usage.services import usage_events_drain, usage_month_aggregate

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _url(pid: str, path: str) -> str:
    return f"/download/file/datasets/{pid}?path={path}"


def test_a_file_link_counts_then_redirects_to_storage(client: Client, downloads_on: str) -> None:
    file = DataFileFactory.create(path="scan/run 1.h5")
    dataset = file.dataset
    page = client.get(f"/datasets/{dataset.pid}", HTTP_USER_AGENT=BROWSER)
    link = f'href="/download/file/datasets/{dataset.pid}?path=scan%2Frun+1.h5"'
    assert link in page.content.decode()

    response = client.get(_url(dataset.pid, "scan%2Frun+1.h5"), HTTP_USER_AGENT=BROWSER)

    folder = dataset.source_folder.lstrip("/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"https://dcache.example.org:2880/pnfs/public/{folder}/scan/run%201.h5"
    )
    usage_events_drain()
    assert UsageEvent.objects.filter(dataset=dataset, kind="request").count() == 1


@pytest.mark.parametrize(
    "path",
    ["missing.h5", "", "https://evil.example/x", "//evil.example/x", "../../etc/passwd"],
)
def test_only_the_datasets_own_files_are_redirected(
    client: Client, downloads_on: str, path: str
) -> None:
    dataset = DataFileFactory.create(path="scan.h5").dataset
    response = client.get(_url(dataset.pid, path))
    assert response.status_code == 404
    assert usage_events_drain() == 0


def test_unknown_or_withdrawn_dataset_is_404(client: Client, downloads_on: str) -> None:
    withdrawn = DatasetFactory.create(visibility="withdrawn")
    DataFileFactory.create(dataset=withdrawn, path="scan.h5")
    assert client.get(_url(withdrawn.pid, "scan.h5")).status_code == 404
    assert client.get(_url("20.500.12269/none", "scan.h5")).status_code == 404


def test_without_a_download_pattern_there_is_no_redirect(client: Client) -> None:
    dataset = DataFileFactory.create(path="scan.h5").dataset
    assert client.get(_url(dataset.pid, "scan.h5")).status_code == 404


def test_a_download_all_list_counts_as_a_request(client: Client, downloads_on: str) -> None:
    dataset = DataFileFactory.create(path="scan.h5").dataset
    response = client.get(f"/download/aria2/datasets/{dataset.pid}", HTTP_USER_AGENT=BROWSER)
    assert b"".join(response.streaming_content)  # type: ignore[attr-defined]
    usage_events_drain()
    assert UsageEvent.objects.get().kind == "request"


def test_the_page_shows_views_and_downloads(client: Client, downloads_on: str) -> None:
    dataset = DataFileFactory.create(path="scan.h5").dataset
    client.get(f"/datasets/{dataset.pid}", HTTP_USER_AGENT=BROWSER)
    client.get(_url(dataset.pid, "scan.h5"), HTTP_USER_AGENT=BROWSER)
    usage_events_drain()
    now = datetime.now(UTC)
    usage_month_aggregate(month=now.date(), now=now)

    body = client.get(f"/datasets/{dataset.pid}", HTTP_USER_AGENT=BROWSER).content.decode()

    assert 'data-usage="views">2<' in body  # the page and the download (an investigation too)
    assert 'data-usage="unique-views">1<' in body
    assert 'data-usage="downloads">1<' in body
    assert f"Since {now:%B %Y}" in body
