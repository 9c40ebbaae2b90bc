"""The README's commands on a new machine: the interpreter `make` picks, the links `make run`
serves, what `make clean` removes (tools/make-venv and the Makefile, run for real but without
installing anything)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def make_dry_run(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in {"PORTAL_BASE_URL", "PORT"}}
    # `-W` marks the virtualenv up to date, so the dry run prints the recipe and installs nothing.
    result = subprocess.run(
        ["make", "-n", "-W", ".venv/bin/.installed", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_the_links_follow_host_and_port() -> None:
    assert "PORTAL_BASE_URL=http://127.0.0.1:8080 " in make_dry_run("run", PORT="8080")
    assert "PORTAL_BASE_URL=http://127.0.0.1:8000 " in make_dry_run("run")
    wildcard = make_dry_run("run", HOST="0.0.0.0", PORT="9000")  # noqa: S104
    assert "PORTAL_BASE_URL=http://127.0.0.1:9000 " in wildcard
    assert "runserver 0.0.0.0:9000" in wildcard


def test_a_base_url_given_wins() -> None:
    out = make_dry_run("run", PORT="8080", PORTAL_BASE_URL="https://data.example.org")
    assert "PORTAL_BASE_URL=https://data.example.org " in out


def test_clean_removes_the_virtualenv() -> None:
    assert "rm -rf .venv var bench/out" in make_dry_run("clean")


def _fake_python(directory: Path, version: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "python3"
    script.write_text(f"#!/bin/sh\necho {version}\n")
    script.chmod(0o755)


@pytest.fixture
def path_without_python(tmp_path: Path) -> str:
    """A PATH whose only python3 is 3.12, with the few tools the script uses."""
    bin_dir = tmp_path / "bin"
    _fake_python(bin_dir, "3.12")
    for tool in ("bash", "env", "sed", "tee", "grep", "tail", "rm", "cat"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def test_without_python_3_11_it_says_how_to_get_one(
    path_without_python: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "tools" / "make-venv")],
        cwd=tmp_path,
        env={"PATH": path_without_python, "VENV": str(tmp_path / "venv")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "needs Python 3.11 (found: python3 3.12)" in result.stderr
    assert "uv python install 3.11" in result.stderr
    assert "make run PYTHON=/path/to/python3.11" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_a_virtualenv_of_another_python_is_made_again(tmp_path: Path) -> None:
    """The broken .venv a 3.12 machine left behind is removed, not reused (the install itself is
    cut short by a PYTHON that is no interpreter at all)."""
    venv = tmp_path / "venv"
    _fake_python(venv / "bin", "3.12")
    (venv / "bin" / "python3").rename(venv / "bin" / "python")
    python = shutil.which("python3.11") or shutil.which("python3")
    assert python
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # A "python3.11" that creates nothing: the script must still have removed the stale venv.
    stub = bin_dir / "python3.11"
    stub.write_text(f'#!/bin/sh\ncase "$1" in -c) exec {python} "$@";; *) exit 3;; esac\n')
    stub.chmod(0o755)
    result = subprocess.run(
        ["bash", str(ROOT / "tools" / "make-venv")],
        cwd=tmp_path,
        env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "VENV": str(venv), "PYTHON": ""},
        capture_output=True,
        text=True,
    )
    assert "it was not made by Python 3.11" in result.stdout
    assert result.returncode == 1
    assert "python3-venv" in result.stderr
    assert not venv.exists()
