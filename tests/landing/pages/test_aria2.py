"""aria2c fetches a small dataset through the portal's Metalink and aria2 input file.

The files are served by a loopback HTTP server started here; their SHA-256 in the catalogue is
their real one, so aria2c verifies every file; a file changed on the server fails verification.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from catalogue.models import DataFile, Dataset
from tests.factories import DatasetFactory
from tests.standins import LoopbackServer

pytestmark = pytest.mark.django_db
ARIA2C = Path("/usr/bin/aria2c")
FILES = {
    "README.txt": b"GIXOS pseudo reflectivity, DPPG at 35 mN/m.\n",
    "fit/parameters.json": b'{"roughness": 3.1, "thickness": 21.4}\n',
    "curve 35mN.dat": bytes(range(256)) * 64,
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class FileServer(LoopbackServer):
    """Serves ``root`` over HTTP on 127.0.0.1, like a public WebDAV door would."""

    thread_name = "file-server"

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def _build_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        return ThreadingHTTPServer(address, handler)


@pytest.fixture
def served(tmp_path: Path, settings: Any) -> Iterator[tuple[Dataset, Path]]:
    if not ARIA2C.exists():
        pytest.skip(f"{ARIA2C} not found (Debian: apt-get install aria2)")
    root = tmp_path / "public"
    folder = root / "p08" / "2024" / "dppg_35"
    for path, content in FILES.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(content)
    dataset = DatasetFactory.create(source_folder="/p08/2024/dppg_35", number_of_files=len(FILES))
    DataFile.objects.bulk_create(
        DataFile(
            dataset=dataset,
            path=path,
            size=len(content),
            checksum=hashlib.sha256(content).hexdigest(),
            checksum_algorithm="sha256",
        )
        for path, content in FILES.items()
    )
    with FileServer(root) as server:
        settings.PORTAL_DOWNLOAD_URL = f"{server.url}/{{source_folder}}/{{path}}"
        yield dataset, folder


def _aria2c(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(ARIA2C),
            "--no-conf",
            "--console-log-level=warn",
            "--summary-interval=0",
            "--max-tries=1",
            "--connect-timeout=5",
            "--timeout=10",
            "--check-integrity=true",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _list(client: Client, fmt: str, dataset: Dataset, target: Path) -> Path:
    response = client.get(f"/download/{fmt}/datasets/{dataset.pid}")
    assert response.status_code == 200
    target.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    return target


@pytest.mark.parametrize(
    ("fmt", "name", "option"),
    [
        ("metalink", "dataset.meta4", "--metalink-file"),
        ("aria2", "dataset.aria2.txt", "--input-file"),
    ],
)
def test_aria2c_downloads_and_verifies_a_dataset(
    client: Client,
    served: tuple[Dataset, Path],
    tmp_path: Path,
    fmt: str,
    name: str,
    option: str,
) -> None:
    """Through the Metalink and through the aria2 input file: the same files, checksums verified."""
    dataset, _ = served
    listing = _list(client, fmt, dataset, tmp_path / name)
    out = tmp_path / "out"

    run = _aria2c(option, str(listing), "--dir", str(out), cwd=tmp_path)

    assert run.returncode == 0, run.stdout + run.stderr
    for path, content in FILES.items():
        assert (out / path).read_bytes() == content


def test_a_corrupted_file_fails_verification(
    client: Client, served: tuple[Dataset, Path], tmp_path: Path
) -> None:
    dataset, folder = served
    corrupted = bytearray(FILES["README.txt"])
    corrupted[0] ^= 0xFF  # same size, different bytes
    (folder / "README.txt").write_bytes(bytes(corrupted))
    metalink = _list(client, "metalink", dataset, tmp_path / "dataset.meta4")
    out = tmp_path / "out"

    run = _aria2c("--metalink-file", str(metalink), "--dir", str(out), cwd=tmp_path)

    assert run.returncode == 32, run.stdout + run.stderr  # aria2: "checksum validation failed"
    assert "README.txt" in run.stdout + run.stderr
    # The intact files still arrive, verified.
    assert (out / "fit/parameters.json").read_bytes() == FILES["fit/parameters.json"]
