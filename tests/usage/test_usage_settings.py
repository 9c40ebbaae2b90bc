"""DATACITE_USAGE_*: off by default, the token from a file, a bad value names the variable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.child_settings import load_settings


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return load_settings(
        tmp_path,
        "s.DATACITE_USAGE_URL or '-', s.DATACITE_USAGE_TOKEN == 'jwt-from-a-file', "
        "s.DATACITE_USAGE_MAX_ITEMS",
        env,
        drop=("DATACITE_USAGE_",),
    )


def test_usage_reports_are_off_by_default(tmp_path: Path) -> None:
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["-", "False", "50000"]


def test_the_token_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "jwt"
    secret.write_text("jwt-from-a-file\n")
    result = start(
        tmp_path,
        DATACITE_USAGE_URL="https://api.test.datacite.org",
        DATACITE_USAGE_TOKEN_FILE=str(secret),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://api.test.datacite.org", "True", "50000"]


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        ("DATACITE_USAGE_TOKEN", {"DATACITE_USAGE_URL": "https://api.datacite.org"}),
        ("DATACITE_USAGE_URL", {"DATACITE_USAGE_URL": "api.datacite.org"}),
        ("DATACITE_USAGE_MAX_ITEMS", {"DATACITE_USAGE_MAX_ITEMS": "50001"}),
        ("DATACITE_USAGE_TIMEOUT", {"DATACITE_USAGE_TIMEOUT": "0"}),
    ],
)
def test_bad_value_fails_naming_the_variable(
    tmp_path: Path, variable: str, env: dict[str, str]
) -> None:
    result = start(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}:" in result.stderr
