"""Lighthouse on the pages visitors and search engines meet most: home, search, a dataset, a DOI.

Lighthouse (npm, pinned in tools/lighthouse, installed by ``make install``) drives Debian's
chromium (``CHROME_PATH``; no browser is downloaded) against the live test server, with the
machine's offline flags and a fresh profile, in its default mobile emulation (where "legible
text" and "tap targets" are judged). Accessibility and best practices must score 100, SEO at least
95 (every one of these pages is meant to be indexed); the assertion names each failing audit and
its first elements. Every request Lighthouse's browser made went to the test server: nothing is
fetched from outside.

Marked ``slow`` (about half a minute per page): ``-m 'not slow'`` skips them locally; CI runs them.
The dark colour scheme is checked by axe in tests/portal/test_look_and_feel_browser.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from tests.browser import CHROMIUM, require_chromium
from tests.landing.pages.conftest import Landing, make_landing
from tests.landing.pages.test_pages import make_files

LIGHTHOUSE = Path(django_settings.BASE_DIR) / "tools" / "lighthouse" / "node_modules" / ".bin"
LIGHTHOUSE_BIN = LIGHTHOUSE / "lighthouse"
# The machine's offline flags (no background networking, updates, sync or QUIC) and headless.
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
CATEGORIES = ("accessibility", "best-practices", "seo")
MINIMUM = {"accessibility": 1.0, "best-practices": 1.0, "seo": 0.95}

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def require_lighthouse() -> None:
    if LIGHTHOUSE_BIN.exists() and shutil.which("node"):
        return
    reason = f"{LIGHTHOUSE_BIN} not found: `make install` installs it (npm ci in tools/lighthouse)"
    if os.environ.get("PORTAL_TEST_REQUIRE_SERVICES", "") not in {"", "0"}:
        pytest.fail(reason)
    pytest.skip(reason)


def lighthouse(url: str, workdir: Path) -> dict[str, Any]:
    """Lighthouse's JSON report of ``url``."""
    profile = workdir / "profile"
    report = workdir / "report.json"
    flags = " ".join([*CHROME_FLAGS, f"--user-data-dir={profile}"])
    done = subprocess.run(
        [
            str(LIGHTHOUSE_BIN),
            url,
            f"--only-categories={','.join(CATEGORIES)}",
            # Added to the categories' audits: every request the page made, to check the origin.
            "--only-audits=network-requests",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={flags}",
            "--disable-full-page-screenshot",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"lighthouse failed: {done.stderr[-3000:]}"
    assert report.exists(), f"lighthouse wrote no report: {done.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(report.read_text())
    return result


def failing_audits(report: dict[str, Any]) -> list[str]:
    """Each audit that costs points: its category, id, title and first offending elements."""
    out = []
    for name, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] <= 0 or audit["score"] is None or audit["score"] >= 1:
                continue
            items = (audit.get("details") or {}).get("items") or []
            where = [
                str((item.get("node") or {}).get("snippet") or item.get("url") or item)[:160]
                for item in items[:3]
            ]
            out.append(f"{name}/{ref['id']}: {audit['title']} {where}")
    return out


def foreign_requests(report: dict[str, Any], origin: str) -> list[str]:
    items = report["audits"]["network-requests"]["details"]["items"]
    return [
        item["url"]
        for item in items
        if not item["url"].startswith((origin, "data:", "blob:", "chrome"))
    ]


@pytest.fixture
def records(transactional_db: None) -> Landing:
    """A DOI with two datasets, one with many files (checksums and paths in its table)."""
    landing = make_landing()
    make_files(landing.datasets[0], 30)
    return landing


def test_lighthouse_scores_home_search_dataset_and_doi_pages(
    records: Landing, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    require_chromium()
    require_lighthouse()
    # Canonical links and absolute addresses point at the server Lighthouse reads.
    settings.PORTAL_BASE_URL = live_server.url
    pages = {
        "home": "/",
        "search": "/datasets/",
        "dataset": f"/datasets/{records.datasets[0].pid}",
        "doi": records.url,
    }
    problems: dict[str, list[str]] = {}
    for name, path in pages.items():
        workdir = tmp_path / name
        workdir.mkdir()
        report = lighthouse(live_server.url + path, workdir)
        scores = {key: report["categories"][key]["score"] for key in CATEGORIES}
        low = {key: score for key, score in scores.items() if score < MINIMUM[key]}
        found = foreign_requests(report, live_server.url)
        if low or found:
            problems[name] = [f"scores {low}", *failing_audits(report)]
            problems[name] += [f"request outside the test server: {url}" for url in found]

    assert problems == {}
