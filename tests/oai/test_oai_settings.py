"""OAI settings: defaults from the portal's address, and bad values stop start-up naming them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.child_settings import load_settings


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return load_settings(
        tmp_path,
        "s.OAI_REPOSITORY_IDENTIFIER, ','.join(s.OAI_ADMIN_EMAIL), s.OAI_PAGE_SIZE",
        env,
        drop=("OAI_",),
    )


def test_defaults_follow_the_portal_address(tmp_path: Path) -> None:
    result = _settings(tmp_path, PORTAL_BASE_URL="https://Data.Facility.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "data.facility.example",
        "oai-admin@data.facility.example",
        "100",
    ]


def test_an_ip_address_gets_a_local_identifier(tmp_path: Path) -> None:
    result = _settings(tmp_path, PORTAL_BASE_URL="http://127.0.0.1:8000")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "portal.localhost"


def test_settings_are_read(tmp_path: Path) -> None:
    result = _settings(
        tmp_path,
        OAI_REPOSITORY_IDENTIFIER="psdp.desy.de",
        OAI_ADMIN_EMAIL="a@desy.de, b@desy.de",
        OAI_PAGE_SIZE="500",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["psdp.desy.de", "a@desy.de,b@desy.de", "500"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OAI_REPOSITORY_IDENTIFIER", "localhost"),
        ("OAI_REPOSITORY_IDENTIFIER", "oai:portal.example"),
        ("OAI_ADMIN_EMAIL", "nobody"),
        ("OAI_PAGE_SIZE", "0"),
    ],
)
def test_bad_value_fails_naming_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    result = _settings(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr
