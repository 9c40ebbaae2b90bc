"""``PORTAL_DOWNLOAD_URL`` is checked at start-up: a bad pattern stops the portal, naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.child_settings import load_settings


@pytest.mark.parametrize(
    "value",
    [
        "https://dcache.example.org/{folder}/{path}",  # unknown placeholder
        "https://dcache.example.org/public/",  # no {path}
        "dcache.example.org/{path}",  # no scheme
        "https://{pid}.example.org/{path}",  # a placeholder in the host
    ],
)
def test_bad_download_pattern_fails_at_start_up(tmp_path: Path, value: str) -> None:
    result = load_settings(tmp_path, "s.PORTAL_DOWNLOAD_URL", {"PORTAL_DOWNLOAD_URL": value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "PORTAL_DOWNLOAD_URL" in result.stderr


def test_download_pattern_is_off_by_default_and_kept_when_good(tmp_path: Path) -> None:
    pattern = "https://dcache.example.org:2880/pnfs/public/{source_folder}/{path}"

    assert (
        load_settings(
            tmp_path, "repr(s.PORTAL_DOWNLOAD_URL)", {}, drop=("PORTAL_DOWNLOAD_URL",)
        ).stdout.strip()
        == "''"
    )
    good = load_settings(tmp_path, "s.PORTAL_DOWNLOAD_URL", {"PORTAL_DOWNLOAD_URL": pattern})
    assert good.stdout.strip() == pattern
