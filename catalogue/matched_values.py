"""The values a page's datasets hold for the keys of the active conditions, for the result rows.

A search with ``sm`` conditions shows, in each row, what the dataset holds for each condition's
key ("photon energy: 15000 eV"), as stored with its unit and, when the condition was written in
another unit of the same quantity, in that unit too ("15000 eV (15 keV)"): a reader who asked in keV
sees why the row matched, never a value in SI base units such as ``kg*m**2/s**2``.
The values come from the catalogue's parameter table whichever backend answered the search: one
indexed query (``param_dataset_key_idx``) for the page's datasets and the conditions' keys, and
none at all without conditions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalogue.id_lists import in_list
from catalogue.models import ScientificParameter
from catalogue.scimeta import canonical_unit, conversion

# Values shown per key and row (a key repeated in one record's metadata is rare).
MAX_VALUES = 3
MAX_TEXT = 80
DASH = "\u2013"  # between the ends of a range


@dataclass(frozen=True)
class MatchedValue:
    """One value of a condition's key in one dataset: as stored, and in the condition's unit when
    that is another unit of the same quantity."""

    key: str
    stored: str  # "15000 eV", "10\u201320 keV" (an en dash), "silicon"
    asked: str = ""  # "15 keV" for a condition in keV; empty when it would read as ``stored``

    @property
    def label(self) -> str:
        """The key as a row shows it: ``photon_energy`` reads "photon energy"."""
        return self.key.replace("_", " ")


def _number(value: float) -> str:
    return f"{value:.6g}"


def _stored(number: float | None, number_max: float | None, original: str, unit: str) -> str:
    if number is not None and number_max is not None and number_max != number:
        value = f"{_number(number)}{DASH}{_number(number_max)}"
    else:
        value = original
    text = f"{value} {unit}".strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _in_unit(low: float | None, high: float | None, si_unit: str, unit: str) -> str:
    """SI values ``low``..``high`` written in ``unit``, or "" when ``unit`` measures another
    quantity (or is unknown)."""
    if low is None or not unit:
        return ""
    to_si = conversion(unit)
    if to_si is None or to_si.si_unit != si_unit or to_si.scale == 0:
        return ""

    def back(value: float) -> str:
        number = (value - to_si.offset) / to_si.scale
        return _number(0.0 if math.isclose(number, 0.0, abs_tol=1e-12) else number)

    value = back(low) if high is None or high == low else f"{back(low)}{DASH}{back(high)}"
    return f"{value} {unit}"


def matched_values(
    dataset_ids: list[int], keys: Iterable[str], units: Mapping[str, str] | None = None
) -> dict[int, tuple[MatchedValue, ...]]:
    """Each dataset's values for ``keys`` (condition keys), in the order of ``keys``; ``units``
    gives the unit a condition on a key was written in, if any."""
    units = units or {}
    wanted = list(dict.fromkeys(k for k in keys if k))
    if not dataset_ids or not wanted:
        return {}
    rows = (
        ScientificParameter.objects.filter(in_list("dataset_id", dataset_ids), key_path__in=wanted)
        .order_by("dataset_id", "id")
        .values_list(
            "dataset_id",
            "key_path",
            "original_value",
            "unit",
            "number",
            "number_max",
            "si_value",
            "si_value_max",
            "si_unit",
        )
    )
    found: dict[int, dict[str, list[MatchedValue]]] = {}
    for dataset_id, key, original, unit, number, number_max, si, si_max, si_unit in rows:
        values = found.setdefault(dataset_id, {}).setdefault(key, [])
        if len(values) >= MAX_VALUES:
            continue
        stored = _stored(number, number_max, original, unit)
        asked_unit = units.get(key, "")
        same_unit = canonical_unit(asked_unit) == canonical_unit(unit)
        asked = "" if same_unit else _in_unit(si, si_max, si_unit, asked_unit)
        values.append(MatchedValue(key, stored, asked))
    return {
        dataset_id: tuple(v for key in wanted for v in by_key.get(key, ()))
        for dataset_id, by_key in found.items()
    }
