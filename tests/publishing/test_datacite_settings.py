"""DATACITE_* and PORTAL_AUTO_DOI: a bad value stops start-up, naming the variable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.child_settings import load_settings

COMPLETE = {
    "DATACITE_URL": "https://api.test.datacite.org",
    "DATACITE_USERNAME": "psf.portal",
    "DATACITE_PASSWORD": "secret",
    "DATACITE_PREFIX": "10.99999",
}


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return load_settings(
        tmp_path,
        "s.DATACITE_URL or '-', s.DATACITE_PREFIX or '-', s.PORTAL_AUTO_DOI, "
        "s.DATACITE_PASSWORD == 'from-a-file'",
        env,
        drop=("DATACITE_", "PORTAL_AUTO_DOI"),
    )


def test_datacite_is_off_by_default(tmp_path: Path) -> None:
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["-", "-", "off", "False"]


def test_password_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "datacite-password"
    secret.write_text("from-a-file\n")
    env = {k: v for k, v in COMPLETE.items() if k != "DATACITE_PASSWORD"}

    result = start(tmp_path, DATACITE_PASSWORD_FILE=str(secret), PORTAL_AUTO_DOI="beamtime", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [COMPLETE["DATACITE_URL"], "10.99999", "beamtime", "True"]


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        ("DATACITE_URL", {**COMPLETE, "DATACITE_URL": "api.datacite.org"}),
        ("DATACITE_PREFIX", {**COMPLETE, "DATACITE_PREFIX": "10.1/x"}),
        ("DATACITE_USERNAME", {**COMPLETE, "DATACITE_USERNAME": ""}),
        ("DATACITE_PASSWORD", {**COMPLETE, "DATACITE_PASSWORD": ""}),
        ("DATACITE_TIMEOUT", {**COMPLETE, "DATACITE_TIMEOUT": "0"}),
        ("PORTAL_AUTO_DOI", {**COMPLETE, "PORTAL_AUTO_DOI": "sometimes"}),
        ("PORTAL_AUTO_DOI", {"PORTAL_AUTO_DOI": "dataset"}),  # without DataCite
    ],
)
def test_bad_value_fails_naming_the_variable(
    tmp_path: Path, variable: str, env: dict[str, str]
) -> None:
    result = start(tmp_path, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}:" in result.stderr
    assert "secret" not in result.stderr
