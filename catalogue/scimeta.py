"""Scientific metadata, flattened into one queryable row per leaf parameter.

SciCat's ``scientificMetadata`` is free JSON. Quantities come as ``{"value", "unit"}`` or
``{"v", "u"}``, ranges as ``{"value": [a, b], "unit", "type": "quantity_range"}``; the rest is
nested objects, lists, strings, numbers and booleans. Each leaf becomes a :class:`Parameter` that
keeps the original value and unit and, where ``pint`` knows the unit, the value in SI base units.
Unknown units are kept as text, never guessed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pint

# Spellings seen in facility metadata that pint does not read as meant.
_UNIT_ALIASES = {
    "°c": "degC",
    "celsius": "degC",
    "deg c": "degC",
    "°f": "degF",
    "a": "ampere",  # never ångström by accident: Å is spelled out below
    "å": "angstrom",
    "Å": "angstrom",
    "angstroem": "angstrom",
    "um": "micrometer",
    "µm": "micrometer",
    "μm": "micrometer",
    "%": "percent",
    "counts": "count",
    "cts": "count",
}
_QUANTITY_KEYS = {"value", "unit", "type", "valueSI", "unitSI", "std", "error", "human_name"}
_SHORT_QUANTITY_KEYS = {"v", "u", "type", "std", "error"}
MAX_KEY_PATH = 512
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class Parameter:
    key_path: str
    original_value: str
    unit: str = ""
    number: float | None = None
    number_max: float | None = None
    si_value: float | None = None
    si_value_max: float | None = None
    si_unit: str = ""
    text_value: str = ""


@dataclass(frozen=True, slots=True)
class Conversion:
    """A linear map to SI base units: ``si = scale * value + offset``."""

    scale: float
    offset: float
    si_unit: str

    def __call__(self, value: float) -> float:
        return self.scale * value + self.offset


@cache
def registry() -> pint.UnitRegistry:
    return pint.UnitRegistry()


def canonical_unit(unit: str) -> str:
    stripped = unit.strip()
    return _UNIT_ALIASES.get(stripped, _UNIT_ALIASES.get(stripped.lower(), stripped))


@lru_cache(maxsize=4096)
def conversion(unit: str) -> Conversion | None:
    """How to bring a value in ``unit`` to SI base units, or None when the unit is unknown."""
    ureg = registry()
    name = canonical_unit(unit)
    try:
        if not name:
            return Conversion(1.0, 0.0, "")
        zero = ureg.Quantity(0.0, name).to_base_units()
        one = ureg.Quantity(1.0, name).to_base_units()
        ten = ureg.Quantity(10.0, name).to_base_units()
    except (
        pint.errors.PintError,
        AttributeError,
        TypeError,
        ValueError,
        SyntaxError,
        AssertionError,
    ):
        return None
    offset = float(zero.magnitude)
    scale = float(one.magnitude) - offset
    if not math.isclose(float(ten.magnitude), 10 * scale + offset, rel_tol=1e-9, abs_tol=1e-300):
        return None  # not a linear unit (logarithmic scales and the like)
    return Conversion(scale, offset, format(one.units, "~C"))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value[:MAX_TEXT]
    kind = type(value)
    if kind is int:  # what json.dumps writes, without its machinery (a hot path of the import)
        return str(value)[:MAX_TEXT]
    if kind is float and math.isfinite(value):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, default=str)[:MAX_TEXT]


def _quantity_parts(node: dict[str, Any]) -> tuple[Any, str] | None:
    """``(value, unit)`` when ``node`` is a quantity, else None."""
    keys = node.keys()
    if "value" in node and keys <= _QUANTITY_KEYS and not isinstance(node["value"], dict):
        return node["value"], _unit_text(node.get("unit"))
    if "v" in node and keys <= _SHORT_QUANTITY_KEYS and not isinstance(node["v"], dict):
        return node["v"], _unit_text(node.get("u"))
    return None


def _unit_text(unit: Any) -> str:
    return unit.strip()[:128] if isinstance(unit, str) else ""


def _quantity(key_path: str, value: Any, unit: str) -> Parameter:
    if isinstance(value, list) and len(value) == 2:
        low, high = _number(value[0]), _number(value[1])
        if low is not None and high is not None:
            low, high = min(low, high), max(low, high)
            conv = conversion(unit)
            return Parameter(
                key_path=key_path,
                original_value=_text(value),
                unit=unit,
                number=low,
                number_max=high,
                si_value=conv(low) if conv else None,
                si_value_max=conv(high) if conv else None,
                si_unit=conv.si_unit if conv else "",
            )
    number = _number(value)
    if number is None:
        return Parameter(
            key_path=key_path, original_value=_text(value), unit=unit, text_value=_text(value)
        )
    conv = conversion(unit)
    si = conv(number) if conv else None
    return Parameter(
        key_path=key_path,
        original_value=_text(value),
        unit=unit,
        number=number,
        number_max=number,
        si_value=si,
        si_value_max=si,
        si_unit=conv.si_unit if conv else "",
    )


def flatten(metadata: Any, prefix: str = "") -> list[Parameter]:
    """Every leaf of ``metadata`` as a parameter, in document order."""
    out: list[Parameter] = []
    _walk(metadata, prefix, out)
    return out


def _walk(node: Any, key_path: str, out: list[Parameter]) -> None:
    if isinstance(node, dict):
        if key_path and (parts := _quantity_parts(node)) is not None:
            out.append(_quantity(key_path[:MAX_KEY_PATH], *parts))
            return
        for key, child in node.items():
            _walk(child, f"{key_path}.{key}" if key_path else str(key), out)
        return
    if not key_path:
        return  # a bare value with no key says nothing queryable
    key_path = key_path[:MAX_KEY_PATH]
    if isinstance(node, list):
        if any(isinstance(item, dict | list) for item in node):
            for index, item in enumerate(node):
                _walk(item, f"{key_path}.{index}", out)
            return
        out.append(
            Parameter(
                key_path=key_path,
                original_value=_text(node),
                text_value=", ".join(_text(item) for item in node)[:MAX_TEXT],
            )
        )
        return
    number = _number(node) if not isinstance(node, str) else None
    if number is not None:
        out.append(
            Parameter(
                key_path=key_path,
                original_value=_text(node),
                number=number,
                number_max=number,
                si_value=number,
                si_value_max=number,
            )
        )
        return
    out.append(Parameter(key_path=key_path, original_value=_text(node), text_value=_text(node)))
