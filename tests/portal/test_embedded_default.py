"""The embedded default (SQLite, database search, eager tasks) as `make run` uses it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "DJANGO_", "OPENSEARCH_", "CELERY_", "REDIS_"))
    }
    env["PORTAL_VAR_DIR"] = str(var_dir)
    return env


def _manage(var_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(var_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def embedded_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    var_dir = tmp_path_factory.mktemp("embedded")
    _manage(var_dir, "migrate", "--no-input", "-v", "0")
    _manage(var_dir, "sync_catalogue", "--from-export", "demo/scicat-export", "--no-progress")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=_env(var_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base, var_dir
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_embedded_default_runs_on_sqlite(embedded_portal: tuple[str, Path]) -> None:
    _, var_dir = embedded_portal
    assert (var_dir / "portal.sqlite3").exists()


def test_embedded_portal_serves_the_catalogue(embedded_portal: tuple[str, Path]) -> None:
    base, _ = embedded_portal
    with urllib.request.urlopen(base + "/datasets/", timeout=10) as response:
        body = response.read().decode()
    assert response.status == 200
    assert 'data-total="5"' in body
    assert "DPPG" in body


def test_second_import_does_not_duplicate(embedded_portal: tuple[str, Path]) -> None:
    _, var_dir = embedded_portal
    out = _manage(var_dir, "sync_catalogue", "--from-export", "demo/scicat-export", "--no-progress")
    assert "0 created, 0 updated, 5 unchanged" in out
