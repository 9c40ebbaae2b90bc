"""Typed readers for settings that come from the environment.

Every helper names the variable in the error it raises, so a bad value fails at start-up with a
message an operator can act on. ``*_FILE`` variants read secrets from a file (Docker/Kubernetes).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None and (path := os.environ.get(f"{name}_FILE")):
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path!r}: {exc}") from exc
    return value


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true/false (1/0, yes/no, on/off), got {value!r}")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = _raw(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}: must be at most {maximum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """A URL with one of ``schemes`` and a host, without a trailing slash; empty when unset."""
    from urllib.parse import urlsplit

    value = env_str(name, default)
    if not value:
        return ""
    parts = urlsplit(value)
    # mailto: has an address where other schemes have a host.
    located = "@" in parts.path if parts.scheme == "mailto" else bool(parts.netloc)
    if parts.scheme not in schemes or not located:
        raise ImproperlyConfigured(
            f"{name}: expected a URL starting with "
            f"{' or '.join(s + ':' if s == 'mailto' else s + '://' for s in schemes)}, "
            f"got {value!r}"
        )
    return value.rstrip("/")


_PERIOD = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?", re.IGNORECASE)


def env_period(name: str) -> tuple[int, int, int]:
    """An ISO 8601 calendar period (``P3Y``, ``P1Y6M``, ``P90D``) as (years, months, days);
    (0, 0, 0) when unset."""
    value = env_str(name)
    if not value:
        return (0, 0, 0)
    match = _PERIOD.fullmatch(value)
    if match is None or not any(match.groups()):
        raise ImproperlyConfigured(
            f"{name}: expected an ISO 8601 period of years, months and days such as P3Y, "
            f"P1Y6M or P90D, got {value!r}"
        )
    years, months, days = (int(group or 0) for group in match.groups())
    return (years, months, days)
