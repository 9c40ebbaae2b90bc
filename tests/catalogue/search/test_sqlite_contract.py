"""The shared search contract (database backend) and the query-language tests, on SQLite.

The suite's database is PostgreSQL; SQLite (the embedded default, with FTS5) gets the same tests
in a child pytest whose conftest points Django at a SQLite file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_search_contract_passes_on_sqlite() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "OPENSEARCH_", "CELERY_"))
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "python_files=check_*.py",
            "-k",
            "not opensearch",
            "tests/catalogue/search/sqlite_contract/check_contract.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1], result.stdout[-2000:]
