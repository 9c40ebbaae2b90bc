"""Settings come from the environment; a bad value fails at start-up naming the variable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str, env_url
from tests.child_settings import load_settings


def _settings_in_child(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return load_settings(
        tmp_path,
        "s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.OPENSEARCH_URL or '-'",
        env,
    )


def test_defaults_need_no_services(tmp_path: Path) -> None:
    result = _settings_in_child(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "-"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://db/portal"),
        ("DATABASE_URL", "not a url"),
        ("OPENSEARCH_URL", "localhost:9200"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//"),
        ("DEBUG", "maybe"),
        ("PORTAL_BASE_URL", "ftp://portal.example"),
        ("PORTAL_PUBLISH_ON_EMBARGO_END", "sometimes"),
        ("PORTAL_EMBARGO_PERIOD", "3 years"),
        ("SCICAT_POLICY_PUBLICATION_SHIFT", "-1"),
        ("SCICAT_BACKEND_VERSION", "6"),
        ("DATABASE_CONN_MAX_AGE", "forever"),
        ("PORTAL_SOURCE_FOLDER_REWRITE", "/asap3"),
    ],
)
def test_bad_value_fails_at_start_up_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = _settings_in_child(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_secret_key_is_required_when_debug_is_off(tmp_path: Path) -> None:
    result = _settings_in_child(tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_secret_key_is_generated_once_for_local_use(tmp_path: Path) -> None:
    assert _settings_in_child(tmp_path, DEBUG="true").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _settings_in_child(tmp_path, DEBUG="true").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_integrations_switch_on_by_their_variable(tmp_path: Path) -> None:
    result = _settings_in_child(
        tmp_path,
        DATABASE_URL="postgres://portal:secret@db.example:5432/portal",
        CELERY_BROKER_URL="redis://localhost:6379/0",
        OPENSEARCH_URL="http://localhost:9200/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "http://localhost:9200",
    ]


def test_secret_can_come_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("PORTAL_TEST_SECRET", raising=False)
    monkeypatch.setenv("PORTAL_TEST_SECRET_FILE", str(secret))
    assert env_str("PORTAL_TEST_SECRET") == "from-a-file"


def test_typed_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    monkeypatch.setenv("X_URL", "https://portal.example/")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 1) == 12
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    assert env_url("X_URL") == "https://portal.example"
    monkeypatch.setenv("X_INT", "-3")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1, minimum=0)


def test_env_url_takes_a_mail_address_where_mailto_is_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("X_CONTACT", "mailto:data@facility.example")
    assert env_url("X_CONTACT", schemes=("https", "mailto")) == "mailto:data@facility.example"
    with pytest.raises(ImproperlyConfigured, match="X_CONTACT"):
        env_url("X_CONTACT")
    monkeypatch.setenv("X_CONTACT", "mailto:nobody")
    with pytest.raises(ImproperlyConfigured, match="mailto:"):
        env_url("X_CONTACT", schemes=("https", "mailto"))
