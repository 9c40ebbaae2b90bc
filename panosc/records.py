"""The PaNOSC data model's JSON (panosc-eu/search-api ``doc/data-model.md``) of public records.

Only what the data model names, from what the catalogue stores (nothing private is stored, and
nothing else is read here): datasets, files, parameters, techniques with their PaNET ids,
instruments, documents (publications) with members, persons and affiliations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from catalogue.bulk_rows import PARAMETER_COLUMNS as TABLE_PARAMETER_COLUMNS
from catalogue.models import DataFile, Instrument, Technique
from catalogue.search.documents import StoredParameter
from panosc.filters import UnitChoice

# A parameter row's columns in the order of :class:`StoredParameter`: its id, then the table's.
PARAMETER_COLUMNS = ("id", *TABLE_PARAMETER_COLUMNS)


class InstrumentRow(NamedTuple):
    pid: str
    unique_name: str
    name: str
    facility: str


class TechniqueRow(NamedTuple):
    pk: int
    pid: str
    name: str


_PANET = re.compile(r"(PaNET\d{5})", re.IGNORECASE)
PANET_PURL = "http://purl.org/pan-science/PaNET/"


@dataclass
class Loaded:
    """A public dataset as the answer shows it: plain rows of the columns shown (no model
    instances, not the scientific metadata JSON), and the related rows an include asks for."""

    pk: int
    pid: str
    title: str
    creation_time: datetime | None
    start_time: datetime | None
    size: int
    instrument: InstrumentRow | None
    parameters: list[StoredParameter] | None = None
    techniques: list[TechniqueRow] = field(default_factory=list)
    files: list[DataFile] = field(default_factory=list)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def panet_id(pid: str) -> str | None:
    """The PaNET purl of a technique's id (``PaNET01188`` or already the purl), else None."""
    found = _PANET.search(pid)
    return PANET_PURL + "PaNET" + found.group(1)[5:] if found else None


def technique_json(technique: Technique | TechniqueRow) -> dict[str, Any]:
    out: dict[str, Any] = {"pid": technique.pid, "name": technique.name}
    if panet := panet_id(technique.pid):
        out["panetId"] = panet
    return out


def instrument_json(
    instrument: Instrument | InstrumentRow, score: float | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pid": instrument.pid,
        "name": instrument.unique_name or instrument.name,
        "facility": instrument.facility,
    }
    if score is not None:
        out["score"] = score
    return out


def file_json(file: DataFile, dataset_pid: str) -> dict[str, Any]:
    folder, _, name = file.path.rpartition("/")
    out: dict[str, Any] = {"id": str(file.pk), "name": name, "size": file.size}
    out["path"] = folder
    out["datasetId"] = dataset_pid
    return out


def _number(value: float) -> float | int:
    rounded = float(f"{value:.12g}")  # conversion noise (295.15 K -> 22.000000000000004 degC)
    return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded


def parameter_json(
    parameter: StoredParameter, units: dict[str, UnitChoice], dataset_pid: str
) -> dict[str, Any]:
    """Numbers in the unit the query asked for this parameter, else as stored."""
    choice = units.get(parameter.key_path)
    out: dict[str, Any] = {"id": str(parameter.pk), "name": parameter.key_path}
    if parameter.number is not None:
        low, high = parameter.number, parameter.number_max
        unit = parameter.unit
        if (
            choice is not None
            and parameter.si_value is not None
            and parameter.si_unit == choice.si_unit
        ):
            low = choice.from_si(parameter.si_value)
            high = (
                choice.from_si(parameter.si_value_max)
                if parameter.si_value_max is not None
                else None
            )
            unit = choice.unit
        if high is not None and high != low and math.isfinite(high):
            out["value"] = [_number(low), _number(high)]
        else:
            out["value"] = _number(low)
        if unit:
            out["unit"] = unit
    else:
        out["value"] = parameter.text_value or parameter.original_value
    out["datasetId"] = dataset_pid
    return out


def dataset_json(
    dataset: Loaded,
    *,
    score: float,
    parameters: Iterable[StoredParameter] | None,
    units: dict[str, UnitChoice],
    files: Iterable[DataFile] | None,
    techniques: Iterable[TechniqueRow] | None,
    instrument: InstrumentRow | None,
    include_instrument: bool,
    samples: bool,
    documents: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pid": dataset.pid,
        "title": dataset.title,
        "isPublic": True,
        "creationDate": _iso(dataset.creation_time or dataset.start_time),
        "size": dataset.size,
        "score": score,
    }
    if dataset.instrument is not None:
        out["instrumentId"] = dataset.instrument.pid
    if parameters is not None:
        out["parameters"] = [parameter_json(p, units, dataset.pid) for p in parameters]
    if files is not None:
        out["files"] = [file_json(f, dataset.pid) for f in files]
    if techniques is not None:
        out["techniques"] = [technique_json(t) for t in techniques]
    if include_instrument and instrument is not None:
        out["instrument"] = instrument_json(instrument)
    if samples:
        out["samples"] = []
    if documents is not None:
        out["documents"] = documents
    return out
