"""OAI-PMH sets: their specs, what a spec selects, and the specs a record belongs to.

The sets (``setSpec`` ⟶ members)::

    publications            DOI publications
    datasets                public datasets
    openaire_data           every record (OpenAIRE Guidelines for Data Archives: all open access)
    instrument              datasets measured at an instrument
    instrument:<pid>        ... at that instrument (its catalogue PID)
    facility                datasets whose instrument names its facility
    facility:<name>         ... at that facility
    type                    datasets (every dataset has a type)
    type:<type>             datasets of that type (``raw``, ``derived``)

A set spec may only hold ``A-Z a-z 0-9 - _ . ! ~ * ' ( )``, so the values are written with any
other character (and ``~`` itself) as ``~`` plus two hex digits per UTF-8 byte: ``PETRA III``
becomes ``PETRA~20III``. The encoding is reversible, so a spec is resolved without a lookup.
A record's header lists the most specific sets it is in; the parents (``instrument`` for
``instrument:<pid>``) hold their children's records, as the protocol's set hierarchy requires.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

PUBLICATIONS = "publications"
DATASETS = "datasets"
OPENAIRE = "openaire_data"
INSTRUMENT = "instrument"
FACILITY = "facility"
TYPE = "type"

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!*'()")
_SPEC_VALUE = re.compile(r"^(?:[A-Za-z0-9\-_.!*'()]|~[0-9A-Fa-f]{2})+$")


@functools.lru_cache(maxsize=4096)
def encode(value: str) -> str:
    """``value`` as the last part of a set spec (cached: the same few values recur)."""
    return "".join(
        char if char in _SAFE else "".join(f"~{byte:02X}" for byte in char.encode())
        for char in value
    )


def decode(text: str) -> str | None:
    """The value an :func:`encode`-d set spec part stands for; None when it is not one.

    Only the canonical form is accepted (upper-case hex, nothing escaped that needs no escape),
    so every set has exactly one spec.
    """
    if not _SPEC_VALUE.match(text):
        return None
    raw = bytearray()
    position = 0
    while position < len(text):
        if text[position] == "~":
            raw += bytes.fromhex(text[position + 1 : position + 3])
            position += 3
        else:
            raw += text[position].encode()
            position += 1
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return value if encode(value) == text else None


@dataclass(frozen=True, slots=True)
class Selection:
    """What a set spec selects: which kinds of record, and for datasets, which ones."""

    publications: bool = True
    datasets: bool = True
    instrument_pid: str | None = None
    facility: str | None = None
    dataset_type: str | None = None
    with_instrument: bool = False
    with_facility: bool = False


EVERYTHING = Selection()


def selection(spec: str | None) -> Selection | None:
    """What ``spec`` selects; None when no such set can exist (the list is then empty)."""
    if spec is None or spec == OPENAIRE:
        return EVERYTHING
    if spec == PUBLICATIONS:
        return Selection(datasets=False)
    if spec in (DATASETS, TYPE):
        return Selection(publications=False)
    if spec == INSTRUMENT:
        return Selection(publications=False, with_instrument=True)
    if spec == FACILITY:
        return Selection(publications=False, with_facility=True)
    parent, _, value = spec.partition(":")
    decoded = decode(value) if value else None
    if decoded is None or ":" in value:
        return None
    if parent == INSTRUMENT:
        return Selection(publications=False, instrument_pid=decoded)
    if parent == FACILITY:
        return Selection(publications=False, facility=decoded)
    if parent == TYPE:
        return Selection(publications=False, dataset_type=decoded)
    return None


def publication_specs() -> list[str]:
    return [PUBLICATIONS, OPENAIRE]


def dataset_specs(dataset_type: str, instrument_pid: str | None, facility: str | None) -> list[str]:
    specs = [DATASETS, OPENAIRE]
    if dataset_type:
        specs.append(f"{TYPE}:{encode(dataset_type)}")
    if instrument_pid:
        specs.append(f"{INSTRUMENT}:{encode(instrument_pid)}")
    if facility:
        specs.append(f"{FACILITY}:{encode(facility)}")
    return specs
