"""The README documents every environment variable the settings read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_variable_is_in_the_readme_table() -> None:
    source = (ROOT / "portal" / "settings.py").read_text()
    variables = set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', source))
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", readme, flags=re.MULTILINE))
    assert variables, "no variables found in settings"
    assert variables - documented == set()


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*(exec\s+)?make test\b", ci, flags=re.MULTILINE)
    assert "make test" in (ROOT / "README.md").read_text()
