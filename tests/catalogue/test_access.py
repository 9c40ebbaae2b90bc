""" "Get the data" in every state: one wording (catalogue.access) for pages, facet and APIs."""

from __future__ import annotations

from typing import Any

import pytest

from catalogue.access import LOCATION_LABELS, data_access


def test_a_record_without_files_says_so_whatever_its_location(settings: Any) -> None:
    access = data_access(data_location="disk", file_count=0, downloads_enabled=True)
    assert (access.key, access.label, access.downloads, access.ask) == (
        "no-files",
        "No files",
        False,
        False,
    )
    assert "Online" not in access.explanation


@pytest.mark.parametrize("location", ["disk", "tape", "unknown"])
def test_without_download_links_every_location_says_how_to_ask(
    settings: Any, location: str
) -> None:
    settings.PORTAL_DATA_CONTACT = "mailto:data@facility.example"
    access = data_access(data_location=location, file_count=3, downloads_enabled=False)
    assert access.ask
    assert not access.downloads
    assert "does not link them for download" in access.explanation
    assert "right away" not in access.explanation
    assert access.contact_url == "mailto:data@facility.example"
    assert access.label == LOCATION_LABELS[location]


def test_on_disk_with_links_points_at_them(settings: Any) -> None:
    access = data_access(data_location="disk", file_count=3, downloads_enabled=True)
    assert (access.key, access.downloads, access.ask) == ("online", True, False)
    assert "Download all" in access.explanation


def test_on_tape_with_links_explains_staging_and_still_offers_to_ask(settings: Any) -> None:
    access = data_access(data_location="tape", file_count=3, downloads_enabled=True)
    assert (access.key, access.downloads, access.ask) == ("tape", True, True)
    assert "staging" in access.explanation


def test_an_unknown_stored_location_reads_as_not_stated(settings: Any) -> None:
    access = data_access(data_location="robot-arm", file_count=1, downloads_enabled=True)
    assert (access.key, access.location) == ("unknown", "unknown")
