"""Loading the settings in a child Python, as start-up would, with the test's own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_settings(
    tmp_path: Path, printed: str, env: dict[str, str], *, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Start Django with ``env`` and print ``printed`` (an expression over ``s``, the settings).

    Variables starting with ``DATABASE_``, ``DJANGO_`` or any of ``drop`` are left out of the
    inherited environment, so the test's own values are the only ones that count.
    """
    child_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_", *drop))
    }
    child_env.update({"PORTAL_VAR_DIR": str(tmp_path), **env})
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; "
        f"django.setup(); from django.conf import settings as s; print({printed})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
