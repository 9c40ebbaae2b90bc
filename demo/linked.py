"""The records a demo dataset links to: instruments, proposals and published data (DOIs).

Written by :mod:`demo.generate` beside the datasets; shaped as SciCat 4.x answers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from .catalogue import BEAMLINES, EXPERIMENTS, FACILITIES, Experiment

LINES = {line.pid: line for line in BEAMLINES}
# Josiah Carberry's ORCID, the one ORCID meant for examples.
EXAMPLE_ORCID = "0000-0002-1825-0097"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:24]


def instruments() -> list[dict[str, Any]]:
    return [
        {
            "pid": line.pid,
            "uniqueName": line.unique_name,
            "name": line.name,
            "customMetadata": {"facility": FACILITIES[line.facility]["name"]},
        }
        for line in BEAMLINES
    ]


def proposals(
    datasets: list[dict[str, Any]],
    by_proposal: dict[str, list[str]],
    internal: list[Experiment],
) -> list[dict[str, Any]]:
    out = []
    for experiment in (*EXPERIMENTS, *internal):
        pids = by_proposal[experiment.proposal_id]
        times = [r["startTime"] for r in datasets if r["pid"] in pids]
        first, last = experiment.pi
        domain = f"{LINES[experiment.beamline].facility}.example"
        out.append(
            {
                "proposalId": experiment.proposal_id,
                "title": experiment.title,
                "pi_firstname": first,
                "pi_lastname": last,
                "pi_email": f"{_slug(last)}@users.{domain}",
                "startTime": min(times),
                "endTime": max(times),
                "type": "Beamtime",
                "ownerGroup": f"{experiment.proposal_id}-dmgt",
                "accessGroups": [],
            }
        )
    return out


def _person(name: str, orcid: str = "") -> dict[str, Any]:
    family, _, given = name.partition(", ")
    person: dict[str, Any] = {
        "name": name,
        "nameType": "Personal",
        "givenName": given,
        "familyName": family,
    }
    if orcid:
        person["nameIdentifiers"] = [
            {"nameIdentifier": f"https://orcid.org/{orcid}", "nameIdentifierScheme": "ORCID"}
        ]
    return person


def published_data(
    datasets: list[dict[str, Any]], by_proposal: dict[str, list[str]], embargoed: list[str]
) -> list[dict[str, Any]]:
    """Three registered DOIs grouping public datasets, and a private one that must stay out."""
    plans = (
        (
            "10.5072/hls.lipids.2020",
            "20190412",
            "Halcyon Light Source",
            2020,
            "X-ray reflectivity of lipid monolayers at the air-water interface",
            "Reflectivity curves of DPPC, DPPG and DMPS monolayers on water at four surface "
            "pressures, with the reduced curves and fits.",
            ("Noether, Emmy", "Lovelace, Ada"),
            "registered",
        ),
        (
            "10.5072/hls.lipa.2023",
            "20220214",
            "Halcyon Light Source",
            2023,
            "Crystal structures of the cold-adapted lipase LipA",
            "Diffraction data of LipA crystals at 100 K and room temperature, including a "
            "selenium SAD experiment, with the processed structure factors.",
            ("Hodgkin, Dorothy", "Perutz, Max", "Carberry, Josiah"),
            "registered",
        ),
        (
            "10.5072/bsr.zirconia.2022",
            "MA-4711",
            "Borealis Synchrotron",
            2022,
            "In situ powder diffraction of zirconia ceramics up to 1500 K",
            "High-energy powder diffraction of yttria-stabilised and undoped zirconia from room "
            "temperature to 1473 K, following the monoclinic-tetragonal transition.",
            ("Bragg, William Lawrence", "Laue, Max von"),
            "registered",
        ),
    )
    out = []
    for doi, proposal, publisher, year, title, abstract, creators, status in plans:
        pids = by_proposal[proposal]
        pids = [p for p in pids if p not in embargoed]
        stamp = datetime(year, 3, 15, 10, 0, tzinfo=UTC)
        out.append(
            {
                "doi": doi,
                "title": title,
                "abstract": abstract,
                "datasetPids": pids,
                "status": status,
                "registeredTime": _iso(stamp),
                "numberOfFiles": sum(r["numberOfFiles"] for r in datasets if r["pid"] in pids),
                "sizeOfArchive": sum(r["size"] for r in datasets if r["pid"] in pids),
                "metadata": {
                    "creators": [
                        _person(c, EXAMPLE_ORCID if c.startswith("Carberry") else "")
                        for c in creators
                    ],
                    "publisher": {"name": publisher},
                    "publicationYear": year,
                    "resourceType": "Dataset",
                    "subjects": [{"subject": k} for k in _keywords(proposal)],
                    "rightsList": [
                        {
                            "rights": "Creative Commons Attribution 4.0 International",
                            "rightsUri": "https://creativecommons.org/licenses/by/4.0/",
                            "rightsIdentifier": "CC-BY-4.0",
                        }
                    ],
                },
                "createdAt": _iso(stamp - timedelta(days=2)),
                "updatedAt": _iso(stamp),
            }
        )
    out.append(
        {
            "doi": "10.5072/bsr.cobalt.2029",
            "title": "Cobalt catalysts under reaction gas (in preparation)",
            "abstract": "Reserved for the embargoed soft X-ray data.",
            "datasetPids": embargoed[:1],
            "status": "private",
            "createdAt": "2026-10-01T09:00:00.000Z",
            "updatedAt": "2026-10-01T09:00:00.000Z",
        }
    )
    return out


def _keywords(proposal: str) -> tuple[str, ...]:
    return next(e.keywords for e in EXPERIMENTS if e.proposal_id == proposal)
