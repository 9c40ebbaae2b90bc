"""The embedded default (SQLite, database search, eager tasks) as `make run` uses it, with the
demo export `make run` imports (demo/scicat-export)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.demo import demo_generator

ROOT = Path(__file__).resolve().parents[2]
COUNTS = demo_generator().COUNTS


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
    """`make run`: the demo export (demo/scicat-export) served from SQLite."""
    yield from serve_export(tmp_path_factory, "demo/scicat-export")


def serve_export(
    tmp_path_factory: pytest.TempPathFactory, export: str
) -> Iterator[tuple[str, Path]]:
    """A fresh embedded portal with ``export`` imported, served by runserver: (base URL, var)."""
    var_dir = tmp_path_factory.mktemp("embedded")
    _manage(var_dir, "migrate", "--no-input", "-v", "0")
    _manage(var_dir, "sync_catalogue", "--from-export", export, "--no-progress")
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


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return str(response.read().decode())


def test_embedded_portal_serves_the_catalogue(embedded_portal: tuple[str, Path]) -> None:
    base, _ = embedded_portal
    body = _get(base + "/datasets/")
    assert f'data-total="{COUNTS["public"]}"' in body
    assert "SAXS" in body


def test_the_demo_shows_paging_and_the_per_page_choices(
    embedded_portal: tuple[str, Path],
) -> None:
    base, _ = embedded_portal
    body = _get(base + "/datasets/")
    pages = -(-COUNTS["public"] // 25)  # the default page size
    assert pages >= 2
    assert f"Page 1 of {pages}" in body
    assert 'rel="next"' in body
    assert 'id="per_page"' in body
    for choice in (10, 25, 50, 100):
        assert f'<option value="{choice}"' in body
    assert f"Page 2 of {pages}" in _get(base + "/datasets/?page=2")


def test_demo_datasets_on_tape_say_so_in_the_facet_and_the_data_box(
    embedded_portal: tuple[str, Path],
) -> None:
    base, _ = embedded_portal
    records = json.loads((ROOT / "demo" / "scicat-export" / "datasets.v4.json").read_text())
    on_tape = [
        r["pid"]
        for r in records
        if r["isPublished"] and r["datasetlifecycle"].get("isOnCentralDisk") is False
    ]
    assert on_tape
    listing = _get(base + "/datasets/?location=tape")
    assert f'data-total="{len(on_tape)}"' in listing
    page = _get(base + "/datasets/" + on_tape[0])
    assert "Archived on tape" in page
    assert "tape archive" in page


def test_second_import_does_not_duplicate(embedded_portal: tuple[str, Path]) -> None:
    _, var_dir = embedded_portal
    out = _manage(var_dir, "sync_catalogue", "--from-export", "demo/scicat-export", "--no-progress")
    assert f"0 created, 0 updated, {COUNTS['public']} unchanged" in out
