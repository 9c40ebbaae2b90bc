"""Catalogue records for the sync tests, shaped like SciCat v4 answers (as in
tests/data/scicat-export)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from tests.standins.scicat import SciCatStandIn, iso

# A 1x1 PNG: what a SciCat attachment carries as a data URI.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
        "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
    )
).decode()
PREFIX = "20.500.12269"
INSTRUMENT = {
    "pid": "instr-p08",
    "uniqueName": "P08",
    "name": "P08 High-resolution diffraction",
    "customMetadata": {"facility": "PETRA III"},
}
PROPOSAL = {
    "proposalId": "11019634",
    "title": "Lipid monolayers at liquid interfaces",
    "pi_firstname": "Emmy",
    "pi_lastname": "Noether",
    "pi_email": "pi@university.example",
    "type": "Beamtime",
    "ownerGroup": "11019634-dmgt",
}
EMBARGO_END_PAST = datetime(2024, 6, 1, tzinfo=UTC)
EMBARGO_END_FUTURE = datetime(2099, 1, 1, tzinfo=UTC)


def pid(n: int) -> str:
    return f"{PREFIX}/{n:08x}-test-4000-8000-{n:012d}"


def dataset(
    n: int,
    *,
    published: bool = True,
    embargo_end: datetime | None = EMBARGO_END_PAST,
    title: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Dataset number ``n`` as the catalogue holds it, private fields and all."""
    record: dict[str, Any] = {
        "pid": pid(n),
        "type": "raw",
        "datasetName": title or f"Reflectivity scan {n}",
        "description": f"X-ray reflectivity of sample {n}.",
        "owner": "Lovelace, Ada",
        "ownerEmail": "ada@facility.example",
        "principalInvestigators": ["Noether, Emmy"],
        "instrumentIds": [INSTRUMENT["pid"]],
        "proposalIds": [PROPOSAL["proposalId"]],
        "sourceFolder": f"/asap3/p08/2024/raw/{n}",
        "creationTime": "2024-10-11T00:05:00.000Z",
        # Made long before EMBARGO_END_PAST, which is thus a date the facility set (SciCat's own
        # default dateOfPublishing lies within a week of createdAt: sync/policy.py).
        "createdAt": "2024-01-02T00:00:00.000Z",
        "startTime": "2024-10-10T22:01:00.000Z",
        "keywords": ["reflectivity"],
        "techniques": [{"pid": "panet01253", "name": "X-ray reflectivity"}],
        "isPublished": published,
        "ownerGroup": "11019634-dmgt",
        "accessGroups": ["11019634-clbt"],
        "sharedWith": ["someone@facility.example"],
        "datasetlifecycle": {
            "isOnCentralDisk": True,
            "dateOfPublishing": iso(embargo_end) if embargo_end else None,
        },
        "scientificMetadata": {"sample_temperature": {"value": 290 + n % 10, "unit": "K"}},
    }
    record.update(extra)
    return record


def blocks(n: int, *, files: int = 2) -> list[dict[str, Any]]:
    return [
        {
            "_id": f"odb-{n}",
            "datasetId": pid(n),
            "chkAlg": "sha256",
            "size": 100 * files,
            "dataFileList": [
                {
                    "path": f"scan_{n}/frame_{i:03d}.h5",
                    "size": 100,
                    "time": "2024-10-10T22:05:00.000Z",
                    "chk": f"{n:032x}{i:032x}",
                }
                for i in range(files)
            ],
            "ownerGroup": "11019634-dmgt",
        }
    ]


def attachments(n: int) -> list[dict[str, Any]]:
    return [
        {
            "aid": f"att-{n}",
            "thumbnail": f"data:image/png;base64,{PNG}",
            "caption": f"Curve of scan {n}",
            "isPublished": True,
            "relationships": [{"targetId": pid(n), "targetType": "dataset"}],
            "ownerGroup": "11019634-dmgt",
        }
    ]


def add(
    scicat: SciCatStandIn,
    n: int,
    *,
    files: int = 2,
    updated_at: datetime | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Put dataset ``n`` (with its files and a thumbnail) into the stand-in catalogue; its size
    and number of files are its files', as SciCat keeps them, unless given."""
    fields.setdefault("numberOfFiles", files)
    fields.setdefault("size", 100 * files)
    return scicat.put_dataset(
        dataset(n, **fields),
        blocks=blocks(n, files=files),
        attachments=attachments(n),
        updated_at=updated_at,
    )


def published_data(doi: str, *pids: str, status: str = "registered") -> dict[str, Any]:
    return {
        "doi": doi,
        "title": f"Published data {doi}",
        "abstract": "Reflectivity scans, published.",
        "datasetPids": list(pids),
        "status": status,
        "registeredTime": "2025-02-03T10:00:00.000Z",
        "metadata": {
            "creators": [{"name": "Franklin, Rosalind", "nameType": "Personal"}],
            "publisher": {"name": "Photon Science Facility"},
            "publicationYear": 2025,
        },
        "createdBy": "publisher-account",
    }
