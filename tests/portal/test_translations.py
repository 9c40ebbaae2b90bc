"""The German catalogue (locale/de/LC_MESSAGES/django.po) is complete and its .mo current.

``makemessages`` runs over a copy of the sources in a temporary directory (the working tree is
never touched), merging the committed ``django.po``; every msgid it then finds without a German
msgstr, or only with a fuzzy one, fails the test with the command that fixes it. Templates and
Python (``gettext``, ``gettext_lazy``, ``ngettext``, ``pgettext``) are both covered: it is the
same extraction ``make messages`` does. GNU gettext (Debian's ``gettext``) does the work; without
it these tests skip, or fail when ``PORTAL_TEST_REQUIRE_SERVICES`` is set (CI installs it).
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What `make messages` leaves out (Makefile MESSAGES_IGNORE), and what is not source at all.
SKIPPED = {".venv", "node_modules", "tests", "bench", "tools", "var", "locale", ".git", "static"}
EXTENSIONS = {".py", ".html", ".txt"}
FIX = (
    "Run `make messages`, then write the German msgstr of each of these in "
    "locale/de/LC_MESSAGES/django.po (and remove any `#, fuzzy` line), then `make messages` again "
    "to compile the .mo."
)


def _require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} not found (Debian: apt-get install gettext)"
    if os.environ.get("PORTAL_TEST_REQUIRE_SERVICES", "") not in {"", "0"}:
        pytest.fail(reason)
    pytest.skip(reason)


def _copy_sources(target: Path) -> None:
    """The files makemessages reads (Python, templates, e-mail texts), and the catalogue."""
    for entry in ROOT.iterdir():
        if entry.name in SKIPPED or entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".py":
            shutil.copy2(entry, target / entry.name)
        elif entry.is_dir():
            for path in entry.rglob("*"):
                if (
                    path.suffix in EXTENSIONS
                    and path.is_file()
                    and "scicat-export" not in path.parts
                ):
                    destination = target / path.relative_to(ROOT)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, destination)
    (target / "locale" / "de" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy2(PO, target / "locale" / "de" / "LC_MESSAGES" / "django.po")


def _entries(po_text: str) -> list[str]:
    """The msgids of a .po file's entries (the header's empty one left out); a msgid written
    over several lines (one with a line break) is joined."""
    found = []
    for block in po_text.split("\n\n"):
        match = re.search(r'^msgid "(.*)"$((?:\n".*"$)*)', block, re.MULTILINE)
        if match is None:
            continue
        msgid = match[1] + "".join(re.findall(r'^"(.*)"$', match[2], re.MULTILINE))
        if msgid:
            found.append(msgid)
    return found


def test_every_visible_string_has_a_german_translation(tmp_path: Path) -> None:
    _require("xgettext", "msgmerge", "msgattrib")
    _copy_sources(tmp_path)
    environment = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete", "--no-wrap"],
        cwd=tmp_path,
        env=environment,
        check=True,
        capture_output=True,
    )
    merged = tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-wrap", str(merged)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-wrap", str(merged)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    missing = _entries(untranslated) + [f"(fuzzy) {msgid}" for msgid in _entries(fuzzy)]
    assert not missing, (
        f"{len(missing)} string(s) without a German translation:\n  "
        + "\n  ".join(missing)
        + "\n"
        + FIX
    )


def test_the_committed_mo_is_compiled_from_the_po(tmp_path: Path) -> None:
    _require("msgfmt")
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True, capture_output=True
    )
    with compiled.open("rb") as fresh, MO.open("rb") as committed:
        expected = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
        actual = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
    assert actual == expected, f"{MO.relative_to(ROOT)} is older than its .po: run `make messages`"
