"""The values a page's datasets hold for the keys of the active conditions, for the result rows.

A search with ``sm`` conditions shows, in each row, what the dataset holds for each condition's
key ("photon energy: 15 keV"), as stored with its unit and, when that differs, in SI units too.
The values come from the catalogue's parameter table whichever backend answered the search: one
indexed query (``param_dataset_key_idx``) for the page's datasets and the conditions' keys, and
none at all without conditions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalogue.models import ScientificParameter

# Values shown per key and row (a key repeated in one record's metadata is rare).
MAX_VALUES = 3
MAX_TEXT = 80
DASH = "\u2013"  # between the ends of a range


@dataclass(frozen=True)
class MatchedValue:
    """One value of a condition's key in one dataset: as stored, and in SI units if different."""

    key: str
    stored: str  # "15 keV", "10\u201320 keV" (an en dash), "silicon"
    si: str = ""  # "2.40326e-15 kg*m**2/s**2"; empty when it reads as ``stored``

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


def _si(low: float | None, high: float | None, si_unit: str) -> str:
    if low is None:
        return ""
    value = _number(low) if high is None or high == low else f"{_number(low)}{DASH}{_number(high)}"
    return f"{value} {si_unit}".strip()


def matched_values(
    dataset_ids: list[int], keys: Iterable[str]
) -> dict[int, tuple[MatchedValue, ...]]:
    """Each dataset's values for ``keys`` (condition keys), in the order of ``keys``."""
    wanted = list(dict.fromkeys(k for k in keys if k))
    if not dataset_ids or not wanted:
        return {}
    rows = (
        ScientificParameter.objects.filter(dataset_id__in=dataset_ids, key_path__in=wanted)
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
        in_si = _si(si, si_max, si_unit)
        same = in_si == _si(number, number_max, unit) or in_si == stored
        values.append(MatchedValue(key, stored, "" if same else in_si))
    return {
        dataset_id: tuple(v for key in wanted for v in by_key.get(key, ()))
        for dataset_id, by_key in found.items()
    }
