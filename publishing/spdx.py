"""The SPDX licence list, vendored (``spdx_licenses.json``): nothing is fetched at runtime.

Regenerate the file from a newer release of the list when licences are added; deprecated ids are
left out, so staff choose current ones.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_FILE = Path(__file__).with_name("spdx_licenses.json")


@cache
def licences() -> dict[str, str]:
    """SPDX id → licence name, in the list's order."""
    data = json.loads(_FILE.read_text("utf-8"))
    return {row["id"]: row["name"] for row in data["licenses"]}


@cache
def _by_folded_id() -> dict[str, str]:
    return {key.casefold(): key for key in licences()}


def spdx_id(value: str) -> str | None:
    """The SPDX id ``value`` names (any case), or None when it is not on the list."""
    return _by_folded_id().get(value.strip().casefold())


def licence_name(value: str) -> str:
    return licences().get(spdx_id(value) or "", value)


def spdx_of_text(text: str) -> str | None:
    """The SPDX id a dataset's free-text licence names: an id, a licence's name, or its URL."""
    text = text.strip()
    if found := spdx_id(text):
        return found
    folded = text.casefold()
    for key, name in licences().items():
        if name.casefold() == folded:
            return key
    cc = folded.rstrip("/").removeprefix("https://").removeprefix("http://")
    if cc.startswith("creativecommons.org/licenses/") or cc.startswith(
        "creativecommons.org/publicdomain/zero/"
    ):
        parts = cc.split("/")
        if "zero" in parts:
            return "CC0-1.0"
        if len(parts) >= 4:
            return spdx_id(f"CC-{parts[2]}-{parts[3]}")
    return None
